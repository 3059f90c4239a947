import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { ValidationError } from '../../model';
import { HostsStack } from '../../stacks/hosts-stack';
import { hostsPlan, ingestAgent } from '../support/hosts';
import { tempDir } from '../support/temp-dir';

const STACK = 'prod-nebraska-hosts-hosts';

/** Synthesizes a hosts stack into a fresh output folder; returns the stack's folder. */
function synthHosts(plan = hostsPlan()): string {
  const outdir = path.join(tempDir('fleet-hosts-stack'), 'cdktf.out');
  const app = new App({ outdir });
  new HostsStack(app, STACK, { plan, offline: true });
  app.synth();
  return path.join(outdir, 'stacks', STACK);
}

describe('the hosts stack', () => {
  const dir = synthHosts();
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
  const [resource] = Object.values(config.resource.terraform_data) as Record<string, any>[];

  it('writes the Ansible files beside cdk.tf.json and lists each with its SHA-256', () => {
    const files = resource.input.files as Record<string, string>;
    expect(Object.keys(files)).toEqual(
      expect.arrayContaining([
        'inventory.yml',
        'site.yml',
        'reconcile.yml',
        'group_vars/all.yml',
        'host_vars/ne-warm-01.yml',
        'host_vars/ne-warm-02.yml',
        'files/agent-chimera-data-ingest@.service',
        'scaling/alert-rules.yml',
        'scaling/alertmanager.yml',
        'scaling/agent-fleet-rulebook.service',
        'controller-inventory.yml',
        'controller.yml',
      ]),
    );
    for (const [file, hash] of Object.entries(files)) {
      const content = fs.readFileSync(path.join(dir, 'ansible', file));
      expect({ file, hash: createHash('sha256').update(content).digest('hex') }).toEqual({
        file,
        hash,
      });
    }
    expect(resource.triggers_replace).toEqual({ files });
    expect(resource.input.site).toBe('nebraska-hosts');
  });

  it('runs the playbooks in the stack folder when a file changes, and needs no provider', () => {
    expect(resource.provisioner).toEqual([
      {
        'local-exec': {
          // The servers first, then the controller that keeps scaling them.
          command:
            'ansible-playbook -i inventory.yml site.yml && ansible-playbook -i controller-inventory.yml controller.yml',
          working_dir: '${path.module}/ansible',
        },
      },
    ]);
    expect(config.terraform.required_providers ?? {}).toEqual({});
    expect(config.provider ?? {}).toEqual({});
  });

  it('changes only the files a new maximum touches, and so their hashes', () => {
    const wider = synthHosts(
      hostsPlan([
        ingestAgent({
          scaling: { ...ingestAgent().scaling!, maxReplicas: 3 },
        }),
      ]),
    );
    const files = (folder: string) =>
      (
        Object.values(
          JSON.parse(fs.readFileSync(path.join(folder, 'cdk.tf.json'), 'utf8')).resource
            .terraform_data,
        )[0] as Record<string, any>
      ).input.files as Record<string, string>;
    const before = files(dir);
    const after = files(wider);
    const changed = Object.keys(before).filter((file) => before[file] !== after[file]);
    expect(changed).toEqual([
      'group_vars/all.yml',
      'host_vars/ne-warm-02.yml',
      'scaling/targets-chimera-data-ingest.yml',
    ]);
  });

  it('refuses a plan whose minimum does not fit, naming the agent', () => {
    const app = new App({ outdir: tempDir('fleet-hosts-refused') });
    const plan = hostsPlan([
      ingestAgent({ scaling: { ...ingestAgent().scaling!, minReplicas: 5, maxReplicas: 6 } }),
    ]);
    expect(() => new HostsStack(app, STACK, { plan })).toThrow(ValidationError);
    expect(() => new HostsStack(app, `${STACK}-2`, { plan })).toThrow(
      /'agents\.chimera-data-ingest': agent 'chimera-data-ingest' needs 5 instance\(s\) at its minimum, but the servers of warm hold 4/,
    );
  });
});

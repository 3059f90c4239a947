import * as fs from 'fs';
import * as path from 'path';
import { copyProjectConfig, runMain, snapshotTree } from '../support/project';
import { tempDir } from '../support/temp-dir';

/** A copy of the project's config files in a temp dir, to break on purpose. */
function projectCopy(): string {
  const root = tempDir('fleet-main');
  copyProjectConfig(root);
  return root;
}

describe('npm run synth', () => {
  it('synthesizes every environment and prints what each deploys', () => {
    const root = projectCopy();
    const result = runMain(root);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const stack of ['local-dev-platform', 'local-dev-agents']) {
      expect(fs.existsSync(path.join(root, `cdktf.out/stacks/${stack}/cdk.tf.json`))).toBe(true);
    }
    expect(result.stdout).toContain('Environment local');
    expect(result.stdout).toContain('stacks: local-dev-platform, local-dev-agents');
    expect(result.stdout).toContain('broker rabbitmq: in-cluster on dev, 1 node(s)');
    expect(result.stdout).toMatch(/gpu-inference\s+dev\s+gpu\s+1–1\s+keda: queue depth/);
  });

  it('names each open guardrail warning on a line of its own: file and line, rule, message, resource', () => {
    const result = runMain(projectCopy());
    const staging = result.stdout.slice(result.stdout.indexOf('Environment staging'));
    const lines = staging.split('\n');
    const count = lines.findIndex((line) => line.startsWith('  guardrails: '));
    expect(lines[count]).toBe(
      '  guardrails: 2 warning(s), 0 suppressed in writing (npm run review lists the suppressions and their reasons)',
    );
    expect(lines.slice(count + 1, count + 3)).toEqual([
      '    environments/staging.yaml:59:7 agents.metadata-extraction.sites.eu: [GR-AS-03] warning: set `agents.<agent>.scaling.maxReplicas` above `agents.<agent>.scaling.minReplicas`, and the minimum to 2 or more for an always-on consumer (0 scales to zero) (ScaledObject metadata-extraction/metadata-extraction: a single always-on replica) (staging-eu-agents/metadata-extraction/Autoscaler)',
      '    environments/staging.yaml:66:7 agents.gpu-inference.sites.eu: [GR-AS-03] warning: set `agents.<agent>.scaling.maxReplicas` above `agents.<agent>.scaling.minReplicas`, and the minimum to 2 or more for an always-on consumer (0 scales to zero) (ScaledObject gpu-inference/gpu-inference: a single always-on replica) (staging-eu-agents/gpu-inference/Autoscaler)',
    ]);
  });

  it('reports every problem with file and line, exits non-zero and leaves cdktf.out untouched', () => {
    const root = projectCopy();
    fs.mkdirSync(path.join(root, 'cdktf.out'));
    fs.writeFileSync(path.join(root, 'cdktf.out', 'previous.txt'), 'output of an earlier synth\n');
    const before = snapshotTree(path.join(root, 'cdktf.out'));
    const file = path.join(root, 'environments/local.yaml');
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace('      maxReplicas: 4', '      maxReplicas: 4\n      minReplica: 1')
        .replace('memory: 512Mi }', 'memory: 512Mb }'),
    );

    const result = runMain(root);

    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('environments/local.yaml:'))).toHaveLength(2);
    expect(result.stderr).toMatch(
      /^environments\/local\.yaml:\d+:\d+ agents\.image-processing\.scaling\.minReplica: unknown key 'minReplica'/m,
    );
    expect(result.stderr).toMatch(
      /^environments\/local\.yaml:\d+:\d+ agents\.image-processing\.sites\.dev\.resources\.requests\.memory: .*'512Mb' is not a size/m,
    );
    expect(result.stderr).toContain('2 problem(s) in the environment files; nothing was written.');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(snapshotTree(path.join(root, 'cdktf.out'))).toEqual(before);
  });

  it('fails on a suppression that matches no finding, and writes nothing', () => {
    const root = projectCopy();
    fs.mkdirSync(path.join(root, 'cdktf.out'));
    fs.writeFileSync(path.join(root, 'cdktf.out', 'previous.txt'), 'output of an earlier synth\n');
    const before = snapshotTree(path.join(root, 'cdktf.out'));
    const file = path.join(root, 'environments/local.yaml');
    // A suppression that matches no finding: stale, or a mistyped path.
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace(
          'suppressions:\n',
          'suppressions:\n  - rule: GR-WL-10\n    resource: local-dev-agents/gone/Resource\n    reason: a workload that was removed long ago\n',
        ),
    );
    const stale = runMain(root, ['local']);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain(
      'unused suppression local: GR-WL-10 local-dev-agents/gone/Resource: no such finding',
    );
    expect(stale.stderr).toContain('1 unused suppression(s); nothing was written.');
    expect(stale.stderr).not.toMatch(/\n\s+at /);
    expect(snapshotTree(path.join(root, 'cdktf.out'))).toEqual(before);
  });

  it('refuses a suppression of a rule that does not exist', () => {
    const root = projectCopy();
    const file = path.join(root, 'environments/local.yaml');
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('  - rule: GR-ST-07\n', '  - rule: GR-ST-99\n'),
    );
    const result = runMain(root, ['local']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^environments\/local\.yaml:\d+:\d+ suppressions\[0\]\.rule: unknown guardrail 'GR-ST-99'/m,
    );
  });

  it('synthesizes only the environments named', () => {
    const root = projectCopy();
    const result = runMain(root, ['nowhere']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('nowhere');
    expect(fs.existsSync(path.join(root, 'cdktf.out'))).toBe(false);
  });
});

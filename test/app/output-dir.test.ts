import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { checkOutputConsistency, OUTPUT_STAMP } from '../../app/output-dir';
import { runMain, snapshotTree } from '../support/project';
import { parseSynthesized } from '../support/synthesized';
import { tempDir } from '../support/temp-dir';
import { ENVIRONMENTS, leftovers, outputTree, projectCopy, setConfig } from './output-fixture';

// One synth of two environments, the output every test here starts from.
const root = projectCopy();
const first = runMain(root, ENVIRONMENTS);
const outdir = path.join(root, 'cdktf.out');

/** A plain copy of the output, to break on purpose. */
function outputCopy(): string {
  const copy = path.join(tempDir('fleet-output-copy'), 'out');
  fs.cpSync(fs.realpathSync(outdir), copy, { recursive: true });
  return copy;
}

function editJson(file: string, edit: (json: any) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
}

describe('the output of npm run synth', () => {
  it('is a link to a directory beside it, at the depth of cdktf.out', () => {
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const target = fs.readlinkSync(outdir);
    expect(target).toMatch(/^\.cdktf\.out\.[0-9a-z]+-\d+-[0-9a-f]{6}$/);
    expect(leftovers(root)).toEqual([]);
    // The local backend's state path, relative to a stack directory, reaches
    // the project's terraform-state/ through the link and without it.
    const stack = parseSynthesized(
      fs.readFileSync(path.join(outdir, 'stacks/local-dev-agents/cdk.tf.json'), 'utf8'),
    );
    const statePath: string = stack.terraform.backend.local.path;
    const physical = path.join(fs.realpathSync(outdir), 'stacks/local-dev-agents');
    expect(path.resolve(physical, statePath)).toBe(
      path.join(fs.realpathSync(root), 'terraform-state/local-dev-agents.tfstate'),
    );
  });

  it('carries a stamp: the synth id and a SHA-256 of the manifest, the reports and each stack', () => {
    const stamp = JSON.parse(fs.readFileSync(path.join(outdir, OUTPUT_STAMP), 'utf8'));
    const synthId = fs.readlinkSync(outdir).slice('.cdktf.out.'.length);
    expect(stamp.synthId).toBe(synthId);
    expect(stamp.environments).toEqual({ local: synthId, staging: synthId });
    expect(Object.keys(stamp.files).sort()).toEqual(
      [
        'manifest.json',
        'fleet.json',
        'guardrails.json',
        'stacks/local-dev-agents/cdk.tf.json',
        'stacks/local-dev-platform/cdk.tf.json',
        'stacks/staging-eu-agents/cdk.tf.json',
        'stacks/staging-eu-infra/cdk.tf.json',
        'stacks/staging-eu-platform/cdk.tf.json',
      ].sort(),
    );
    expect(stamp.files['fleet.json']).toMatch(/^[0-9a-f]{64}$/);
    expect(checkOutputConsistency(outdir)).toBeUndefined();
  });
});

describe('checkOutputConsistency', () => {
  const cases: [string, (dir: string) => void, string][] = [
    [
      'a stack of the manifest without its file (a synth of one environment on main)',
      (dir) => fs.rmSync(path.join(dir, 'stacks/staging-eu-agents'), { recursive: true }),
      "manifest.json lists stack 'staging-eu-agents' but stacks/staging-eu-agents/cdk.tf.json is missing",
    ],
    [
      'stacks without manifest.json (a synth killed while copying on main)',
      (dir) => fs.rmSync(path.join(dir, 'manifest.json')),
      'manifest.json is missing',
    ],
    [
      'stacks and manifest without fleet.json',
      (dir) => fs.rmSync(path.join(dir, 'fleet.json')),
      'fleet.json is missing',
    ],
    [
      'a stack directory the manifest does not list',
      (dir) =>
        fs.cpSync(
          path.join(dir, 'stacks/local-dev-agents'),
          path.join(dir, 'stacks/old-dev-agents'),
          { recursive: true },
        ),
      'stacks/old-dev-agents is not a stack manifest.json lists',
    ],
    [
      'stacks no environment of fleet.json has',
      (dir) => editJson(path.join(dir, 'fleet.json'), (json) => delete json.environments.staging),
      "manifest.json lists stack 'staging-eu-agents', which no environment of fleet.json has",
    ],
    [
      'an environment whose stack the manifest does not list',
      (dir) =>
        editJson(path.join(dir, 'fleet.json'), (json) =>
          json.environments.local.stacks.push('local-edge-agents'),
        ),
      "fleet.json environment 'local' has stack 'local-edge-agents', which manifest.json does not list",
    ],
    [
      'a stack claimed by two environments',
      (dir) =>
        editJson(path.join(dir, 'fleet.json'), (json) =>
          json.environments.staging.stacks.push('local-dev-agents'),
        ),
      "fleet.json gives stack 'local-dev-agents' to both 'local' and 'staging'",
    ],
    [
      'guardrail findings of another set of environments',
      (dir) =>
        editJson(path.join(dir, 'guardrails.json'), (json) => delete json.environments.staging),
      "guardrails.json has no environment 'staging' of fleet.json",
    ],
    [
      'a stack file of another synth',
      (dir) => fs.appendFileSync(path.join(dir, 'stacks/local-dev-agents/cdk.tf.json'), ' '),
      'stacks/local-dev-agents/cdk.tf.json is not the one synth SYNTH wrote (its SHA-256 differs from stamp.json)',
    ],
    [
      'a report of another synth',
      (dir) =>
        editJson(path.join(dir, 'guardrails.json'), (json) => {
          json.environments.local.findings = [];
        }),
      'guardrails.json is not the one synth SYNTH wrote (its SHA-256 differs from stamp.json)',
    ],
    [
      'no stamp',
      (dir) => fs.rmSync(path.join(dir, OUTPUT_STAMP)),
      'no stamp.json: not written whole by npm run synth (synthesize again)',
    ],
    [
      'a stack placed outside the output',
      (dir) =>
        editJson(path.join(dir, 'manifest.json'), (json) => {
          json.stacks['local-dev-agents'].synthesizedStackPath = '../../etc/passwd';
        }),
      "manifest.json places stack 'local-dev-agents' outside the output (../../etc/passwd)",
    ],
    [
      'a report that is a link',
      (dir) => {
        fs.renameSync(path.join(dir, 'fleet.json'), path.join(dir, 'fleet.real.json'));
        fs.symlinkSync('fleet.real.json', path.join(dir, 'fleet.json'));
      },
      'fleet.json goes through a symbolic link',
    ],
    [
      'a report that is a FIFO, which would hang a reader',
      (dir) => {
        fs.rmSync(path.join(dir, 'fleet.json'));
        execFileSync('mkfifo', [path.join(dir, 'fleet.json')]);
      },
      'fleet.json is not a regular file',
    ],
    [
      'a report that is not JSON',
      (dir) => fs.writeFileSync(path.join(dir, 'guardrails.json'), '{"environments": '),
      'guardrails.json is not valid JSON (Unexpected end of JSON input)',
    ],
  ];

  it.each(cases)('finds %s, in one line', (_what, breakIt, message) => {
    const dir = outputCopy();
    const synthId = JSON.parse(fs.readFileSync(path.join(dir, OUTPUT_STAMP), 'utf8')).synthId;
    expect(checkOutputConsistency(dir)).toBeUndefined();
    breakIt(dir);
    expect(checkOutputConsistency(dir)).toBe(message.replace('SYNTH', synthId));
  });

  it('takes an output without stamp when told to, checking the rest', () => {
    const dir = outputCopy();
    fs.rmSync(path.join(dir, OUTPUT_STAMP));
    expect(checkOutputConsistency(dir, { allowUnstamped: true })).toBeUndefined();
    fs.rmSync(path.join(dir, 'guardrails.json'));
    expect(checkOutputConsistency(dir, { allowUnstamped: true })).toBe(
      'guardrails.json is missing',
    );
  });

  it('names a missing directory or a file in its place', () => {
    const dir = tempDir('fleet-output-none');
    expect(checkOutputConsistency(path.join(dir, 'cdktf.out'))).toBe('no such directory');
    fs.writeFileSync(path.join(dir, 'file'), '{}');
    expect(checkOutputConsistency(path.join(dir, 'file'))).toBe('not a directory');
  });
});

describe('npm run synth -- <environment>', () => {
  it("keeps the other environments' stacks and reports, as a synth of all of them would write them", () => {
    const staging = Object.fromEntries(
      Object.entries(snapshotTree(outdir)).filter(([file]) => file.startsWith('stacks/staging-')),
    );
    expect(Object.keys(staging)).toHaveLength(3);
    setConfig(root, 'B');

    const subset = runMain(root, ['local']);

    expect(subset.stderr).toBe('');
    expect(subset.status).toBe(0);
    expect(subset.stdout).toContain('Environment local');
    expect(subset.stdout.trim().split('\n').pop()).toBe('Kept from the previous output: staging');
    expect(checkOutputConsistency(outdir)).toBeUndefined();
    expect(leftovers(root)).toEqual([]);
    const tree = snapshotTree(outdir);
    for (const [file, content] of Object.entries(staging)) expect(tree[file]).toBe(content);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      'local-dev-agents',
      'local-dev-platform',
      'staging-eu-agents',
      'staging-eu-infra',
      'staging-eu-platform',
    ]);
    const stamp = JSON.parse(fs.readFileSync(path.join(outdir, OUTPUT_STAMP), 'utf8'));
    expect(stamp.environments.staging).not.toBe(stamp.environments.local);

    // The same configuration synthesized whole, in another copy: the same files.
    const whole = projectCopy('B');
    expect(runMain(whole, ENVIRONMENTS).status).toBe(0);
    expect(outputTree(root)).toEqual(outputTree(whole));
  }, 300_000);

  it('synthesizing every environment keeps none of an environment whose file is gone', () => {
    const only = projectCopy();
    expect(runMain(only, ENVIRONMENTS).status).toBe(0);
    for (const file of ['staging.yaml', 'prod.yaml']) {
      fs.rmSync(path.join(only, 'environments', file));
    }
    const result = runMain(only);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('Kept from');
    const fleet = JSON.parse(fs.readFileSync(path.join(only, 'cdktf.out/fleet.json'), 'utf8'));
    expect(Object.keys(fleet.environments)).toEqual(['local']);
    expect(fs.readdirSync(path.join(only, 'cdktf.out/stacks')).sort()).toEqual([
      'local-dev-agents',
      'local-dev-platform',
    ]);
    expect(checkOutputConsistency(path.join(only, 'cdktf.out'))).toBeUndefined();
    expect(leftovers(only)).toEqual([]);
  }, 300_000);
});

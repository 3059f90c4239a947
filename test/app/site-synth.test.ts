import * as fs from 'fs';
import * as path from 'path';
import { checkOutputConsistency } from '../../app/output-dir';
import { copyProjectConfig, runMain } from '../support/project';
import { tempDir } from '../support/temp-dir';

/** A copy of the project's config files in a temp dir. */
function projectCopy(): string {
  const root = tempDir('fleet-sites');
  copyProjectConfig(root);
  return root;
}

/** Every stack file and the reports of an output, by path; the stamp and manifest aside. */
function outputFiles(outdir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const file of ['fleet.json', 'guardrails.json']) {
    files[file] = fs.readFileSync(path.join(outdir, file), 'utf8');
  }
  for (const stack of fs.readdirSync(path.join(outdir, 'stacks'))) {
    const file = `stacks/${stack}/cdk.tf.json`;
    files[file] = fs.readFileSync(path.join(outdir, file), 'utf8');
  }
  return files;
}

function synth(root: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}) {
  const result = runMain(root, args, env);
  if (result.status !== 0) throw new Error(result.stderr);
  return result;
}

describe('sites as units of synth', () => {
  const root = projectCopy();
  const outdir = path.join(root, 'cdktf.out');
  const stats = path.join(root, 'stats.json');
  synth(root, [], { FLEET_SYNTH_WORKERS: '1' });
  const inProcess = outputFiles(outdir);

  it('writes the same stacks and reports from worker processes as from one process', () => {
    synth(root, [], { FLEET_SYNTH_WORKERS: '2', FLEET_SYNTH_STATS: stats });
    expect(outputFiles(outdir)).toEqual(inProcess);
    const figures = JSON.parse(fs.readFileSync(stats, 'utf8'));
    expect(figures.sites).toBe(7);
    expect(figures.stacks).toBe(16);
    expect(figures.processes.map((p: { role: string }) => p.role)).toEqual([
      'main',
      'worker',
      'worker',
    ]);
    const synthesized = figures.processes.flatMap((p: { sites: string[] }) => p.sites).sort();
    expect(synthesized).toEqual([
      'local/dev',
      'prod/denver-edge',
      'prod/eu-west',
      'prod/nebraska',
      'prod/nebraska-warm',
      'prod/us-east',
      'staging/eu',
    ]);
    for (const process of figures.processes) expect(process.maxRssBytes).toBeGreaterThan(2 ** 20);
  });

  it('synthesizes one site as a whole synth does, keeping the other sites and environments', () => {
    const result = synth(root, ['prod/us-east']);
    expect(outputFiles(outdir)).toEqual(inProcess);
    expect(checkOutputConsistency(outdir)).toBeUndefined();
    expect(result.stdout).toContain(
      'Environment prod\n  stacks: prod-us-east-infra, prod-us-east-platform, prod-us-east-agents\n',
    );
    expect(result.stdout).toContain(
      'Kept from the previous output: prod sites nebraska, denver-edge, eu-west, nebraska-warm',
    );
  });

  it("leaves the other sites' stacks as they were, changed files or not", () => {
    // A new image of an agent type that runs on every site of prod.
    const file = path.join(root, 'fleet/agent-types.yaml');
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(
      file,
      text.replace('chimera-data-ingest@sha256:d8a6', 'chimera-data-ingest@sha256:e8a6'),
    );
    try {
      const before = outputFiles(outdir);
      synth(root, ['prod/denver-edge']);
      const after = outputFiles(outdir);
      const changed = Object.keys(after).filter((name) => after[name] !== before[name]);
      expect(changed.filter((name) => name.startsWith('stacks/'))).toEqual([
        'stacks/prod-denver-edge-agents/cdk.tf.json',
      ]);
      synth(root, ['prod']);
      const whole = outputFiles(outdir);
      const sites = Object.keys(whole).filter((name) => whole[name] !== after[name]);
      expect(sites).toEqual(expect.arrayContaining(['stacks/prod-nebraska-agents/cdk.tf.json']));
      expect(sites).not.toContain('stacks/prod-denver-edge-agents/cdk.tf.json');
    } finally {
      fs.writeFileSync(file, text);
    }
  });

  it('refuses a site its environment does not have, and writes nothing', () => {
    const before = fs.readlinkSync(outdir);
    const result = runMain(root, ['prod/us-eats']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      "prod/us-eats: environments/prod.yaml has no site 'us-eats' (its sites: nebraska, denver-edge, us-east, eu-west, nebraska-warm)\n\n1 unknown site(s); nothing was written.\n",
    );
    expect(fs.readlinkSync(outdir)).toBe(before);
  });
});

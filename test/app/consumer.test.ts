import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/temp-dir';
import { REPO } from '../support/typescript-process';

/*
 * The library as a TypeScript user gets it: packed with `npm pack` (which
 * builds it), installed into a fresh project with only its declared
 * dependencies, and used by the README's "From TypeScript" app, which is
 * type-checked against the package's declarations and synthesized with the
 * guardrails running. Installing may use the npm cache and the registry the
 * machine reaches; without either it skips with a message, except under
 * CI=true, where that fails.
 */

const PACKAGE = 'agent-fleet';
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');

/** The README's app: its first TypeScript block that imports the package. */
function readmeApp(): string {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
  const app = blocks.find((code) => code.includes(`from '${PACKAGE}'`));
  if (!app) throw new Error(`README.md has no TypeScript block importing '${PACKAGE}'`);
  return app;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

function failure(what: string, result: SpawnSyncReturns<string>): Error {
  return new Error(`${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/**
 * What the README tells a project to install: the tarball `npm pack` writes and
 * the libraries the package shares with its app, at the versions given there.
 */
function readmeInstall(): { tarball: string; shared: Record<string, string> } {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const line = /^npm install (\S+\.tgz)((?: \S+@\S+)+)$/m.exec(readme);
  if (!line) throw new Error('README.md has no `npm install <tarball> <package>@<version>…` line');
  const shared = Object.fromEntries(
    line[2]
      .trim()
      .split(' ')
      .map((spec) => spec.split('@') as [string, string]),
  );
  return { tarball: path.basename(line[1]), shared };
}

/** A fresh project depending on the packed library, or why none could be made. */
function consumerProject(): { dir: string } | { unavailable: string } {
  const root = tempDir('fleet-consumer');
  const install = readmeInstall();
  const packed = run('npm', ['pack', '--pack-destination', root, '--silent'], REPO);
  if (packed.status !== 0) throw failure('npm pack', packed);
  const tarball = packed.stdout.trim().split('\n').pop() as string;
  if (tarball !== install.tarball) {
    throw new Error(`npm pack wrote ${tarball}; the README installs ${install.tarball}`);
  }
  const dir = path.join(root, 'app');
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'consumer',
        version: '1.0.0',
        private: true,
        dependencies: { [PACKAGE]: `file:${path.join(root, tarball)}`, ...install.shared },
      },
      null,
      2,
    ),
  );
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        types: [],
        skipLibCheck: true,
        outDir: 'dist',
      },
      files: ['app.ts'],
    }),
  );
  const installed = run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    dir,
  );
  if (installed.status !== 0) {
    const reason = `npm install reached neither the npm cache nor the registry:\n${installed.stderr}`;
    if (process.env.CI === 'true') throw new Error(reason);
    return { unavailable: reason };
  }
  return { dir };
}

/** Compiles the app with the package's declarations, then runs it into a fresh `cdktf.out`. */
function buildAndRun(dir: string, source: string) {
  fs.writeFileSync(path.join(dir, 'app.ts'), source);
  fs.rmSync(path.join(dir, 'cdktf.out'), { recursive: true, force: true });
  const compiled = run(process.execPath, [TSC, '-p', '.'], dir);
  const synth = compiled.status === 0 ? run(process.execPath, ['dist/app.js'], dir) : undefined;
  return { compiled, synth };
}

const project = consumerProject();
const describeInstalled = 'dir' in project ? describe : describe.skip;
if ('unavailable' in project) {
  console.warn(`Skipping the packed-library test: ${project.unavailable}`);
}

describeInstalled('the packed library in a fresh project', () => {
  const dir = 'dir' in project ? project.dir : '';
  const app = readmeApp();

  it('holds only the built package and the declared dependencies', () => {
    const installed = path.join(dir, 'node_modules', PACKAGE);
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(fs.existsSync(path.join(installed, manifest.types))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'test'))).toBe(false);
    expect(fs.readdirSync(installed).filter((entry) => entry.endsWith('.ts'))).toEqual([]);
  });

  it("type-checks and synthesizes the README's app, with the guardrails running", () => {
    const { compiled, synth } = buildAndRun(dir, app);
    if (compiled.status !== 0) throw failure('tsc', compiled);
    if (synth?.status !== 0) throw failure('the app', synth!);
    const outdir = path.join(dir, 'cdktf.out');
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['demo-dc1-agents', 'demo-dc1-platform']);
    const agents = JSON.parse(
      fs.readFileSync(path.join(outdir, 'stacks/demo-dc1-agents/cdk.tf.json'), 'utf8'),
    );
    const deployments = Object.values<{ metadata: { name: string } }>(
      agents.resource.kubernetes_deployment_v1,
    );
    expect(deployments.map((deployment) => deployment.metadata.name).sort()).toEqual([
      'indexer',
      'thumbnailer',
    ]);
    // The app prints the fleet's summary, then the guardrails' findings: the local state.
    expect(synth!.stdout).toMatch(
      /^ {2}thumbnailer +dc1 +general +2–8 +keda: queue depth 50\/replica$/m,
    );
    expect(synth!.stdout).toMatch(
      /^ {2}indexer +dc1 +general +2–4 +keda: queue depth 50\/replica$/m,
    );
    expect(synth!.stdout.match(/^\[GR-[A-Z]+-\d+\] .*$/gm)).toEqual([
      expect.stringMatching(/^\[GR-ST-07\] warning demo-dc1-platform\/backend: /),
      expect.stringMatching(/^\[GR-ST-07\] warning demo-dc1-agents\/backend: /),
    ]);
  });

  it('refuses the same app with a mistake, naming the construct path and the field', () => {
    const thumbnailer = "'registry.example.com/agent-fleet/thumbnailer:1.4.2',\n        8,";
    expect(app).toContain(thumbnailer);
    const broken = app.replace(thumbnailer, thumbnailer.replace('8,', '1,'));
    const { compiled, synth } = buildAndRun(dir, broken);
    if (compiled.status !== 0) throw failure('tsc', compiled);
    expect(synth?.status).not.toBe(0);
    expect(synth?.stderr).toContain(
      "ValidationError: demo: 1 problem(s)\n  - 'deployments.thumbnailer@dc1.scaling.minReplicas': (2) must be <= 'scaling.maxReplicas' (1)\n",
    );
    // cdktf's App makes the output directories; no file is written into them.
    const written = fs
      .readdirSync(path.join(dir, 'cdktf.out'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile());
    expect(written).toEqual([]);
  });
});

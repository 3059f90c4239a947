import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { copyProjectConfig, runMain, snapshotTree } from '../support/project';
import { tempDir } from '../support/temp-dir';
import { REPO } from '../support/typescript-process';

const LAUNCHER = path.join(REPO, 'scripts', 'launch.cjs');

/** Every file of an output directory but the stamp and manifest, which carry times and paths. */
function outputFiles(outdir: string): Record<string, string> {
  const files = snapshotTree(outdir);
  delete files['stamp.json'];
  delete files['manifest.json'];
  return files;
}

describe('npm run synth through the bundle launcher', () => {
  const root = tempDir('fleet-launch');
  copyProjectConfig(root);
  const viaTsx = path.join(root, 'tsx.out');
  const tsx = runMain(root, [], { CDKTF_OUTDIR: viaTsx, FLEET_SYNTH_WORKERS: '1' });

  it('writes what main.ts run through tsx writes, from worker processes too', () => {
    expect(tsx.status).toBe(0);
    const bundled = path.join(root, 'bundled.out');
    const run = spawnSync(process.execPath, ['--max-semi-space-size=64', LAUNCHER, 'main.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        FLEET_ROOT: root,
        CDKTF_OUTDIR: bundled,
        FLEET_SYNTH_WORKERS: '2',
        FLEET_SYNTH_STATS: path.join(root, 'stats.json'),
      },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const stats = JSON.parse(fs.readFileSync(path.join(root, 'stats.json'), 'utf8'));
    expect(stats.processes.filter((p: { role: string }) => p.role === 'worker')).toHaveLength(2);
    expect(outputFiles(bundled)).toEqual(outputFiles(viaTsx));
  });

  it('is what npm run synth and cdktf.json run', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const cdktf = JSON.parse(fs.readFileSync(path.join(REPO, 'cdktf.json'), 'utf8'));
    expect(manifest.scripts.synth).toBe(
      'node --max-semi-space-size=64 --min-semi-space-size=64 scripts/launch.cjs main.ts',
    );
    expect(cdktf.app).toBe(manifest.scripts.synth);
  });
});

/**
 * A project with the launcher and the entry points it bundles: its main prints a message from
 * a module of its own, its arguments and `FLEET_ROOT`, and what its worker
 * (forked from beside it, as the synth forks its workers) answers.
 */
function toyProject(): string {
  const root = tempDir('fleet-launch-toy');
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.mkdirSync(path.join(root, 'app'));
  fs.mkdirSync(path.join(root, 'node_modules'));
  fs.copyFileSync(LAUNCHER, path.join(root, 'scripts', 'launch.cjs'));
  fs.symlinkSync(
    path.join(REPO, 'node_modules', 'esbuild'),
    path.join(root, 'node_modules', 'esbuild'),
  );
  setMessage(root, 'first');
  fs.writeFileSync(
    path.join(root, 'main.ts'),
    [
      "import { fork } from 'child_process';",
      "import * as path from 'path';",
      "import { message } from './app/message';",
      "const worker = fork(path.join(__dirname, 'synth-worker.js'), [], { stdio: 'pipe' });",
      "let answer = '';",
      "worker.stdout!.on('data', (chunk) => (answer += chunk));",
      "worker.on('close', () => console.log(`${message} ${process.argv.slice(2).join(',')} ${process.env.FLEET_ROOT} ${answer.trim()}`));",
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(root, 'app', 'synth-worker.ts'),
    "import { message } from './message';\nconsole.log(`worker ${message}`);\n",
  );
  return root;
}

function setMessage(root: string, message: string): void {
  fs.writeFileSync(
    path.join(root, 'app', 'message.ts'),
    `export const message: string = '${message}';\n`,
  );
}

function launch(root: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== 'FLEET_ROOT'),
  );
  return spawnSync(process.execPath, [path.join(root, 'scripts', 'launch.cjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...inherited, ...env },
  });
}

const cacheOf = (root: string) => path.join(root, 'node_modules', '.cache', 'agent-fleet');
const bundlesOf = (root: string) =>
  fs
    .readdirSync(cacheOf(root))
    .filter((name) => name.startsWith('bundle-'))
    .sort();

describe('the bundle launcher', () => {
  it('bundles the app and its worker, and passes the arguments and the project as FLEET_ROOT', () => {
    const root = toyProject();
    const run = launch(root, ['main.ts', 'a', 'b']);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(`first a,b ${root} worker first`);
    expect(bundlesOf(root)).toHaveLength(1);
    expect(launch(root, ['main.ts'], { FLEET_ROOT: '/elsewhere' }).stdout).toContain(
      'first  /elsewhere worker first',
    );
  });

  it('reuses the bundle and its code cache while the sources are unchanged, and rebuilds it when one changes', () => {
    const root = toyProject();
    launch(root, ['main.ts']);
    const current = path.join(cacheOf(root), 'current.json');
    const written = fs.statSync(current).mtimeMs;
    const bundle = path.join(cacheOf(root), bundlesOf(root)[0]);
    const codeCaches = () =>
      fs
        .readdirSync(bundle)
        .filter((file) => file.endsWith('.v8-cache'))
        .map((file) => [file, fs.statSync(path.join(bundle, file)).mtimeMs]);
    // One for main, one for its worker, each written once.
    expect(codeCaches()).toHaveLength(2);
    const cachesWritten = codeCaches();
    expect(launch(root, ['main.ts']).stdout).toMatch(/^first /);
    expect(fs.statSync(current).mtimeMs).toBe(written);
    expect(codeCaches()).toEqual(cachesWritten);

    setMessage(root, 'second');
    expect(launch(root, ['main.ts']).stdout).toMatch(/^second .* worker second$/m);
    expect(bundlesOf(root)).toHaveLength(2);
  });

  it('keeps the current bundle and the three newest others', () => {
    const root = toyProject();
    for (const message of ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']) {
      setMessage(root, message);
      expect(launch(root, ['main.ts']).stdout).toMatch(new RegExp(`^${message} `));
    }
    expect(bundlesOf(root)).toHaveLength(4);
  });

  it('names the place of a source that does not compile and runs nothing', () => {
    const root = toyProject();
    fs.writeFileSync(path.join(root, 'app', 'message.ts'), 'export const message = ;\n');
    const run = launch(root, ['main.ts']);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^app\/message\.ts:1:24: Unexpected ";"/);
    expect(run.stderr).toContain('The sources could not be bundled; nothing was written.');
    expect(fs.readdirSync(cacheOf(root)).filter((name) => name.startsWith('building-'))).toEqual(
      [],
    );
  });

  it('names positions in the TypeScript sources of a crash under FLEET_DEBUG=1', () => {
    const root = toyProject();
    fs.writeFileSync(
      path.join(root, 'app', 'message.ts'),
      "export const message: string = (() => {\n  throw new Error('no message');\n})();\n",
    );
    expect(launch(root, ['main.ts'], { FLEET_DEBUG: '1' }).stderr).toContain(
      `${path.join(root, 'app', 'message.ts')}:2:9`,
    );
    expect(launch(root, ['main.ts']).stderr).toMatch(/main\.bundle\.js:\d+:\d+/);
  });

  it('refuses an entry point other than main.ts', () => {
    const run = launch(toyProject(), ['scripts/review.ts']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('usage: node scripts/launch.cjs main.ts [args...]');
  });
});

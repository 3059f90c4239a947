import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './temp-dir';
import { REPO } from './typescript-process';

/** The package's name, as a consumer imports it. */
export const PACKAGE = 'agent-fleet';
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');

/** Runs a command to its end, capturing its output. */
export function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** An error with a failed command's status and output. */
export function failure(what: string, result: SpawnSyncReturns<string>): Error {
  return new Error(`${what} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

/** The README's app: its first TypeScript block that imports the package. */
export function readmeApp(): string {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
  const app = blocks.find((code) => code.includes(`from '${PACKAGE}'`));
  if (!app) throw new Error(`README.md has no TypeScript block importing '${PACKAGE}'`);
  return app;
}

/**
 * What the README tells a project to install: the tarball `npm pack` writes and
 * the libraries the package shares with its app, at the versions given there.
 */
export function readmeInstall(): { tarball: string; shared: Record<string, string> } {
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

/** The tarball `npm pack` wrote (it builds the package first), and its folder. */
export interface PackedLibrary {
  /** The folder holding the tarball. */
  readonly root: string;
  /** Path of the tarball. */
  readonly tarball: string;
}

/** Packs the library as `npm pack` does for a user, into a temporary folder. */
export function packLibrary(): PackedLibrary {
  const root = tempDir('fleet-package');
  const packed = run('npm', ['pack', '--pack-destination', root, '--silent'], REPO);
  if (packed.status !== 0) throw failure('npm pack', packed);
  const tarball = path.join(root, packed.stdout.trim().split('\n').pop() as string);
  return { root, tarball };
}

/** The tarball's contents, unpacked beside it: `<root>/package`. */
export function unpack(packed: PackedLibrary): string {
  const extracted = run('tar', ['-xzf', packed.tarball, '-C', packed.root], packed.root);
  if (extracted.status !== 0) throw failure('tar', extracted);
  return path.join(packed.root, 'package');
}

/** A fresh project depending on the packed library, or why none could be made. */
export function consumerProject(packed: PackedLibrary): { dir: string } | { unavailable: string } {
  const install = readmeInstall();
  const tarball = path.basename(packed.tarball);
  if (tarball !== install.tarball) {
    throw new Error(`npm pack wrote ${tarball}; the README installs ${install.tarball}`);
  }
  const dir = path.join(packed.root, 'app');
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'consumer',
        version: '1.0.0',
        private: true,
        dependencies: { [PACKAGE]: `file:${packed.tarball}`, ...install.shared },
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
export function buildAndRun(dir: string, source: string) {
  fs.writeFileSync(path.join(dir, 'app.ts'), source);
  fs.rmSync(path.join(dir, 'cdktf.out'), { recursive: true, force: true });
  const compiled = run(process.execPath, [TSC, '-p', '.'], dir);
  const synth = compiled.status === 0 ? run(process.execPath, ['dist/app.js'], dir) : undefined;
  return { compiled, synth };
}

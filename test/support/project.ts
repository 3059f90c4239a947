import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO, runTypeScript, startTypeScript, typeScriptArgs } from './typescript-process';

/** The project's configuration: the catalogue and the environment files. */
const CONFIG_DIRS = ['fleet', 'environments'];

/** Copies a project's `fleet/` and `environments/` (this one's by default) into `root`. */
export function copyProjectConfig(root: string, from: string = REPO): void {
  for (const dir of CONFIG_DIRS) {
    fs.cpSync(path.join(from, dir), path.join(root, dir), { recursive: true });
  }
}

/** The environment of a `main.ts` run on the project at `root`, writing into `root/cdktf.out`. */
function mainOptions(root: string, env: NodeJS.ProcessEnv = {}) {
  return {
    cwd: root,
    env: { ...process.env, FLEET_ROOT: root, CDKTF_OUTDIR: path.join(root, 'cdktf.out'), ...env },
  };
}

/** `npm run synth [-- <environment> ...]` on the project at `root`, to completion, with `env` added. */
export function runMain(root: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}) {
  return runTypeScript(path.join(REPO, 'main.ts'), args, mainOptions(root, env));
}

/** A `main.ts` run in the background that a test signals. */
export interface MainProcess {
  readonly child: ChildProcess;
  /** Its standard error so far. */
  readonly stderr: () => string;
  /** Resolves when it has exited: its status, or the signal that ended it. */
  readonly done: Promise<{
    status: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

/** {@link runMain} in the background, with `env` added to its environment and its process to signal. */
export function spawnMain(
  root: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): MainProcess {
  const child = spawn(process.execPath, typeScriptArgs(path.join(REPO, 'main.ts'), args), {
    ...mainOptions(root, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<Awaited<MainProcess['done']>>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

/** {@link runMain} in the background. */
export function startMain(root: string, args: readonly string[] = []) {
  return startTypeScript(path.join(REPO, 'main.ts'), args, mainOptions(root));
}

/** Every file under a directory with its content (base64), to prove nothing changed. */
export function snapshotTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files[path.relative(dir, file)] = fs.readFileSync(file, 'base64');
  }
  return files;
}

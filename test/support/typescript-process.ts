import { spawn, spawnSync, SpawnSyncOptionsWithStringEncoding } from 'child_process';
import * as path from 'path';
import { pathToFileURL } from 'url';

/** The repository's root directory. */
export const REPO = path.resolve(__dirname, '../..');

/**
 * Node's arguments to run a TypeScript file the way the npm scripts do
 * (`node --import tsx`), from any working directory: tsx's loader is named
 * by its path, since a bare `tsx` resolves from the working directory.
 */
export function typeScriptArgs(file: string, args: readonly string[] = []): string[] {
  const loader = pathToFileURL(path.join(REPO, 'node_modules/tsx/dist/loader.mjs')).href;
  return ['--import', loader, file, ...args];
}

/** Runs a TypeScript file to completion. */
export function runTypeScript(
  file: string,
  args: readonly string[],
  options: Omit<SpawnSyncOptionsWithStringEncoding, 'encoding'>,
) {
  return spawnSync(process.execPath, typeScriptArgs(file, args), { ...options, encoding: 'utf8' });
}

/** Runs a TypeScript file in the background, resolving with its exit status and output. */
export function startTypeScript(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, typeScriptArgs(file, args), {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

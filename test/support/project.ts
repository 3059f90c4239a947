import * as fs from 'fs';
import * as path from 'path';
import { REPO, runTypeScript, startTypeScript } from './typescript-process';

/** The project's configuration: the catalogue and the environment files. */
const CONFIG_DIRS = ['fleet', 'environments'];

/** Copies a project's `fleet/` and `environments/` (this one's by default) into `root`. */
export function copyProjectConfig(root: string, from: string = REPO): void {
  for (const dir of CONFIG_DIRS) {
    fs.cpSync(path.join(from, dir), path.join(root, dir), { recursive: true });
  }
}

/** The environment of a `main.ts` run on the project at `root`, writing into `root/cdktf.out`. */
function mainOptions(root: string) {
  return {
    cwd: root,
    env: { ...process.env, FLEET_ROOT: root, CDKTF_OUTDIR: path.join(root, 'cdktf.out') },
  };
}

/** `npm run synth [-- <environment> ...]` on the project at `root`, to completion. */
export function runMain(root: string, args: readonly string[] = []) {
  return runTypeScript(path.join(REPO, 'main.ts'), args, mainOptions(root));
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

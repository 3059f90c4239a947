import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { checkOutputConsistency, OUTPUT_STAMP } from '../../app/output-dir';
import { copyProjectConfig, snapshotTree, spawnMain } from '../support/project';
import { tempDir } from '../support/temp-dir';

/** The two configurations a synth moves between: as shipped, and one bound raised. */
export type Config = 'A' | 'B';

/** Environments of the outputs the tests start from; synths name `local` only. */
export const ENVIRONMENTS = ['local', 'staging'];

const LOCAL = 'environments/local.yaml';

/** Writes configuration `config` of `local` into the project at `root`. */
export function setConfig(root: string, config: Config): void {
  const file = path.join(root, LOCAL);
  const text = fs.readFileSync(file, 'utf8');
  const [from, to] =
    config === 'B' ? ['maxReplicas: 4', 'maxReplicas: 5'] : ['maxReplicas: 5', 'maxReplicas: 4'];
  fs.writeFileSync(file, text.replace(`      ${from}\n`, `      ${to}\n`));
}

/** A copy of the project's config files, in configuration `config`. */
export function projectCopy(config: Config = 'A'): string {
  const root = tempDir('fleet-output');
  copyProjectConfig(root);
  setConfig(root, config);
  return root;
}

/** A copy of a project with its output, links kept as they are. */
export function cloneProject(from: string): string {
  const root = tempDir('fleet-output');
  fs.cpSync(from, root, { recursive: true, verbatimSymlinks: true });
  return root;
}

/** The files of `root/cdktf.out` but its stamp, which names the synth; `undefined` when absent. */
export function outputTree(root: string): Record<string, string> | undefined {
  const outdir = path.join(root, 'cdktf.out');
  if (!fs.existsSync(outdir)) return undefined;
  const files = snapshotTree(outdir);
  delete files[OUTPUT_STAMP];
  return files;
}

/** The entries beside `cdktf.out` that its link does not name. */
export function leftovers(root: string): string[] {
  let target: string | undefined;
  try {
    target = fs.readlinkSync(path.join(root, 'cdktf.out'));
  } catch {
    target = undefined;
  }
  return fs
    .readdirSync(root)
    .filter((name) => name.startsWith('.cdktf.out.') && name !== target)
    .sort();
}

/** The outputs of configurations A and B, whole, as complete synths write them. */
export interface Outputs {
  /** A project in configuration A with its output of {@link ENVIRONMENTS}. */
  readonly template: string;
  readonly trees: Readonly<Record<Config, Record<string, string>>>;
  /** How long a synth of `local` took, in milliseconds. */
  readonly durationMs: number;
  /** How long it ran after its staging directory appeared, in milliseconds. */
  readonly stagedMs: number;
}

/**
 * Resolves when a synth's staging directory appears beside `root/cdktf.out`
 * (the synth has begun), or when `done` settles first; says which.
 */
export async function begun(root: string, done: Promise<unknown>): Promise<boolean> {
  let finished = false;
  void done.then(() => (finished = true));
  const before = new Set(leftovers(root));
  for (;;) {
    if (leftovers(root).some((name) => !before.has(name))) return true;
    if (finished) return false;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Synthesizes configurations A and B (in parallel) and times a synth of `local`. */
export async function synthesizeOutputs(): Promise<Outputs> {
  const roots = { A: projectCopy('A'), B: projectCopy('B') };
  const runs = await Promise.all(
    (['A', 'B'] as const).map((config) => spawnMain(roots[config], ENVIRONMENTS).done),
  );
  for (const run of runs) {
    if (run.status !== 0) throw new Error(`synth failed: ${run.stderr}`);
  }
  const root = cloneProject(roots.B);
  const started = Date.now();
  const run = spawnMain(root, ['local']);
  await begun(root, run.done);
  const staged = Date.now();
  const timed = await run.done;
  if (timed.status !== 0) throw new Error(`synth failed: ${timed.stderr}`);
  return {
    template: roots.A,
    trees: { A: outputTree(roots.A)!, B: outputTree(roots.B)! },
    durationMs: Date.now() - started,
    stagedMs: Date.now() - staged,
  };
}

/**
 * Which output `root/cdktf.out` is, A or B, whole; throws, with `context`,
 * when it is inconsistent or neither.
 */
export function wholeOutput(
  outputs: Outputs,
  root: string,
  context: string,
  options: { allowUnstamped?: boolean } = {},
): Config {
  const problem = checkOutputConsistency(path.join(root, 'cdktf.out'), options);
  if (problem) throw new Error(`${context}: cdktf.out is not whole: ${problem}`);
  const tree = outputTree(root);
  for (const config of ['A', 'B'] as const) {
    if (isDeepStrictEqual(tree, outputs.trees[config])) return config;
  }
  const files = Object.keys(tree ?? {});
  const differing = files.filter(
    (file) => tree![file] !== outputs.trees.A[file] && tree![file] !== outputs.trees.B[file],
  );
  throw new Error(
    `${context}: cdktf.out is neither the old output nor the new one (files of neither: ${differing.join(', ') || 'none'}; files: ${files.length})`,
  );
}

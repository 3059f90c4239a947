import * as fs from 'fs';
import * as path from 'path';
import { formatProblem, loadFleet, LoadResult } from '../../config';
import { FleetEnvironment, overrideAgent } from '../../model';
import { copyProjectConfig, runMain } from './project';
import { tempDir } from './temp-dir';

/** Edits of a copy of the project: file path (relative to the root) → new text from the old. */
export type ProjectEdits = Readonly<Record<string, (text: string) => string>>;

/**
 * A copy of the project's `fleet/` and `environments/` with edits applied, as a
 * user would make them; returns its root directory.
 */
export function editedProject(edits: ProjectEdits): string {
  const root = tempDir('fleet-edited');
  copyProjectConfig(root);
  for (const [file, edit] of Object.entries(edits)) {
    const at = path.join(root, file);
    const before = fs.existsSync(at) ? fs.readFileSync(at, 'utf8') : '';
    const after = edit(before);
    if (after === before) throw new Error(`the edit of ${file} changed nothing`);
    fs.writeFileSync(at, after);
  }
  return root;
}

/**
 * An edited copy of the project synthesized by main.ts into `<root>/cdktf.out`,
 * of `environments` or all; throws with main's standard error when it fails.
 * Returns the output directory.
 */
export function synthesizedProject(
  edits: ProjectEdits = {},
  environments: readonly string[] = [],
): string {
  const root = editedProject(edits);
  const result = runMain(root, environments);
  if (result.status !== 0) throw new Error(`synth failed:\n${result.stderr}`);
  return path.join(root, 'cdktf.out');
}

/** Replaces text that must occur exactly once. */
export function replaceOnce(text: string, from: string, to: string): string {
  if (text.split(from).length !== 2) throw new Error(`not found exactly once: ${from}`);
  return text.replace(from, to);
}

/**
 * Loads environments of an edited copy of the project.
 * @param environments their names; every environment file when undefined
 */
export function loadEdited(
  environments: readonly string[] | undefined,
  edits: ProjectEdits,
): LoadResult {
  return loadFleet({ rootDir: editedProject(edits), ...(environments ? { environments } : {}) });
}

/** The formatted problems of a load, empty when it succeeded. */
export function problemsOf(loaded: LoadResult): string[] {
  return loaded.ok ? [] : loaded.problems.map(formatProblem);
}

/** The environment with agents given a stack (a group, and where they move from). */
export function grouped(
  environment: FleetEnvironment,
  stacks: Record<string, { group?: string; movedFrom?: string }>,
): FleetEnvironment {
  return Object.entries(stacks).reduce(
    (env, [name, stack]) => overrideAgent(env, name, { stack }),
    environment,
  );
}

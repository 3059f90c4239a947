import * as fs from 'fs';
import * as path from 'path';
import { formatProblem, loadFleet, LoadResult } from '../../config';
import { tempDir } from './temp-dir';

const REPO = path.resolve(__dirname, '../..');

/** Edits of a copy of the project: file path (relative to the root) → new text from the old. */
export type ProjectEdits = Readonly<Record<string, (text: string) => string>>;

/**
 * A copy of the project's `fleet/` and `environments/` with edits applied, as a
 * user would make them; returns its root directory.
 */
export function editedProject(edits: ProjectEdits): string {
  const root = tempDir('fleet-edited');
  for (const dir of ['fleet', 'environments']) {
    fs.cpSync(path.join(REPO, dir), path.join(root, dir), { recursive: true });
  }
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

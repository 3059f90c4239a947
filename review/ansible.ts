import { AnsibleFiles, serverOf, ansibleOrder, serversOf } from '../output/ansible-files';
import { LineDiff, lineDiff } from './line-diff';

/** One generated file that differs from the base. */
export interface AnsibleFileChange {
  readonly path: string;
  /** The server it configures. @default - a shared file */
  readonly server?: string;
  readonly action: 'added' | 'removed' | 'changed';
  /** Its lines against the base's (all added, or all removed, for a new or gone file). */
  readonly diff: LineDiff;
}

/** What changes in one hosts stack's Ansible files. */
export interface AnsibleDiff {
  readonly stack: string;
  readonly site: string;
  /** Whether the stack runs Ansible only in this branch, or only in the base. @default - in both */
  readonly status?: 'added' | 'removed';
  /** The playbook command, when it changes: before, after. @default - unchanged */
  readonly command?: readonly [string, string];
  /** Per server first, then the shared files; identical files are left out. */
  readonly changes: readonly AnsibleFileChange[];
  /** Servers of the branch's files (of the base's, when the stack is removed). */
  readonly servers: readonly string[];
  /** How many files the branch's stack has (the base's, when removed). */
  readonly files: number;
}

/**
 * Compares the Ansible files of two outputs' hosts stacks, file by file:
 * added, removed and changed files, each with its line diff.
 */
export function diffAnsible(
  base: ReadonlyMap<string, AnsibleFiles>,
  current: ReadonlyMap<string, AnsibleFiles>,
  stackIds: readonly string[],
): AnsibleDiff[] {
  const diffs: AnsibleDiff[] = [];
  for (const stack of stackIds) {
    const before = base.get(stack);
    const after = current.get(stack);
    const shown = after ?? before;
    if (!shown) continue;
    const paths = [
      ...new Set([...(before?.files.keys() ?? []), ...(after?.files.keys() ?? [])]),
    ].sort(ansibleOrder);
    const changes: AnsibleFileChange[] = [];
    for (const file of paths) {
      const old = before?.files.get(file);
      const now = after?.files.get(file);
      if (old === now) continue;
      const action = old === undefined ? 'added' : now === undefined ? 'removed' : 'changed';
      const server = serverOf(file);
      changes.push({
        path: file,
        ...(server !== undefined ? { server } : {}),
        action,
        diff: lineDiff(old ?? '', now ?? ''),
      });
    }
    const status = !before ? 'added' : !after ? 'removed' : undefined;
    const command =
      before && after && before.command !== after.command
        ? ([before.command, after.command] as const)
        : undefined;
    diffs.push({
      stack,
      site: shown.site,
      ...(status ? { status } : {}),
      ...(command ? { command } : {}),
      changes,
      servers: serversOf(shown),
      files: shown.files.size,
    });
  }
  return diffs;
}

import { Problem } from '../model';
import { Origin, ProblemList } from './problems';
import { FieldPath, isUnder } from './schema-check';
import { locate, SourceNode } from './yaml-source';

/** One environment file being read: its tree, what failed its schema, and where problems go. */
export interface EnvironmentFile {
  /** Name of the environment (the file's name). */
  readonly name: string;
  /** The file's first line, where problems without a place of their own go. */
  readonly start: Origin;
  /** The parsed file, with the position of every node. */
  readonly tree: SourceNode;
  /** The fields that failed the schema. */
  readonly failed: readonly FieldPath[];
  /** Where every problem found is recorded. */
  readonly problems: ProblemList;
  /**
   * Whether a site's agents are checked on it, and it against them (capacity,
   * derived names): every site's, unless a synth of some sites says.
   */
  readonly checks: (site: string) => boolean;
}

/** Whether a field at or below `prefix` failed the file's schema. */
export function isBroken(file: EnvironmentFile, prefix: FieldPath): boolean {
  return file.failed.some((path) => isUnder(path, prefix));
}

/**
 * Records model problems at the nodes their paths lead to under `node` (or at
 * the nearest node that exists); returns whether there were none.
 */
export function reportUnder(
  problems: ProblemList,
  node: SourceNode,
  found: readonly Problem[],
): boolean {
  for (const problem of found) {
    const { node: at, rest } = locate(node, problem.path);
    problems.at(at.origin, problem.message, rest);
  }
  return found.length === 0;
}

/** The entries of a mapping node; none for anything else. */
export function entriesOf(node: SourceNode | undefined): [string, SourceNode][] {
  return node?.kind === 'map' ? [...node.entries] : [];
}

/** The value of a scalar node; `undefined` for anything else. */
export function scalarOf(
  node: SourceNode | undefined,
): string | number | boolean | null | undefined {
  return node?.kind === 'scalar' ? node.value : undefined;
}

/** The keys of a mapping node, in the file's order. */
export function keysOf(node: SourceNode | undefined): string[] {
  return entriesOf(node).map(([key]) => key);
}

import * as fs from 'fs';
import * as path from 'path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseDocument } from 'yaml';
import { Origin, ProblemList } from './problems';

/** A YAML value with the position of every node, so problems can name a line. */
export type SourceNode = SourceMap | SourceSeq | SourceScalar | SourceRemoved;

export interface SourceMap {
  readonly kind: 'map';
  /** Position of the key that holds this mapping (of the first key for the document root). */
  readonly origin: Origin;
  /** In file order. */
  readonly entries: ReadonlyMap<string, SourceNode>;
}

export interface SourceSeq {
  readonly kind: 'seq';
  readonly origin: Origin;
  readonly items: readonly SourceNode[];
}

export interface SourceScalar {
  readonly kind: 'scalar';
  readonly origin: Origin;
  readonly value: string | number | boolean | null;
}

/** A key removed by an explicit `null` in an override; absent from plain values. */
export interface SourceRemoved {
  readonly kind: 'removed';
  readonly origin: Origin;
}

/**
 * Reads and parses one YAML file of the root directory. YAML errors (syntax,
 * duplicate keys, unknown aliases) become problems and give `undefined`; so
 * does a file that is missing, empty or not a mapping.
 * @param file path relative to `rootDir`, with `/` separators
 * @param expected what the file should hold, for the message about an empty file
 */
export function readYamlMap(
  rootDir: string,
  file: string,
  expected: string,
  problems: ProblemList,
): SourceMap | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(rootDir, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.at(
      { file, line: 1, column: 1, path: [] },
      code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? error})`,
    );
    return undefined;
  }
  return parseYamlMap(text, file, expected, problems);
}

/** Parses YAML text that should hold a mapping; see {@link readYamlMap}. */
export function parseYamlMap(
  text: string,
  file: string,
  expected: string,
  problems: ProblemList,
): SourceMap | undefined {
  const start: Origin = { file, line: 1, column: 1, path: [] };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const yamlProblems = [...doc.errors, ...doc.warnings];
  for (const error of yamlProblems) {
    const { line, column } = error.linePos
      ? { line: error.linePos[0].line, column: error.linePos[0].col }
      : position(error.pos[0]);
    const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    problems.at({ file, line, column, path: [] }, `YAML: ${message}`);
  }
  if (yamlProblems.length > 0) return undefined;
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    problems.at(start, `is empty: expected ${expected}`);
    return undefined;
  }
  const builder = new TreeBuilder(file, position, problems);
  const root = builder.build(contents, { file, ...position(contents.range?.[0] ?? 0), path: [] });
  if (builder.failed) return undefined;
  if (root.kind !== 'map') {
    problems.at(start, `must be a mapping: expected ${expected}`);
    return undefined;
  }
  return root;
}

class TreeBuilder {
  failed = false;
  private readonly resolving = new Set<Node>();
  /**
   * The latest anchor of each name met so far in document order, which is
   * what an alias refers to. The `yaml` package's own `Alias.resolve` walks
   * the document from its start for every alias: quadratic in large files.
   */
  private readonly anchors = new Map<string, Node>();
  /** What each alias refers to, fixed where it stands in the document (not where it is expanded). */
  private readonly targets = new Map<Node, Node | undefined>();

  constructor(
    private readonly file: string,
    private readonly position: (offset: number) => { line: number; column: number },
    private readonly problems: ProblemList,
  ) {}

  build(node: unknown, origin: Origin): SourceNode {
    if (isAlias(node)) {
      if (!this.targets.has(node)) this.targets.set(node, this.anchors.get(node.source));
      return this.alias(node.source, this.targets.get(node), origin);
    }
    this.meet(node);
    if (isMap(node)) {
      const entries = new Map<string, SourceNode>();
      for (const pair of node.items) {
        const key = pair.key;
        this.meet(key);
        const keyOrigin = this.originOf(key, origin.path, origin);
        if (!isScalar(key) || (typeof key.value === 'object' && key.value !== null)) {
          this.fail(keyOrigin, 'keys must be plain names, not mappings or lists');
          continue;
        }
        if (key.value === null) {
          this.fail(keyOrigin, `keys must be plain names, not empty or null`);
          continue;
        }
        const name = String(key.value);
        const at = { ...keyOrigin, path: [...origin.path, name] };
        entries.set(name, this.build(pair.value, at));
      }
      return { kind: 'map', origin, entries };
    }
    if (isSeq(node)) {
      const items = node.items.map((item, index) =>
        this.build(item, this.originOf(item, [...origin.path, index], origin)),
      );
      return { kind: 'seq', origin, items };
    }
    const value = isScalar(node) ? node.value : null;
    return {
      kind: 'scalar',
      origin,
      value:
        value === null || ['string', 'number', 'boolean'].includes(typeof value)
          ? (value as string | number | boolean | null)
          : String(value),
    };
  }

  /** Notes a node's anchor, in document order. */
  private meet(node: unknown): void {
    const anchor = (node as { anchor?: string } | null)?.anchor;
    // Expanding an alias meets its target's anchors a second time, out of order.
    if (anchor && this.resolving.size === 0) this.anchors.set(anchor, node as Node);
  }

  private alias(name: string, target: Node | undefined, origin: Origin): SourceNode {
    if (!target) {
      this.fail(origin, `YAML: unknown alias '*${name}'`);
      return { kind: 'scalar', origin, value: null };
    }
    if (this.resolving.has(target)) {
      this.fail(origin, `YAML: alias '*${name}' refers to itself`);
      return { kind: 'scalar', origin, value: null };
    }
    this.resolving.add(target);
    const built = this.build(target, origin);
    this.resolving.delete(target);
    return built;
  }

  private originOf(node: unknown, nodePath: Origin['path'], fallback: Origin): Origin {
    const offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
    if (offset === undefined) return { ...fallback, path: nodePath };
    return { file: this.file, ...this.position(offset), path: nodePath };
  }

  private fail(origin: Origin, message: string): void {
    this.failed = true;
    this.problems.at(origin, message);
  }
}

/** The value as plain JSON-like data, without removed keys. */
export function toPlain(node: SourceNode): unknown {
  switch (node.kind) {
    case 'map': {
      const result: Record<string, unknown> = {};
      for (const [key, value] of node.entries) {
        // defineProperty, not assignment: a key `__proto__` must stay a key
        // (and be refused as unknown), not replace the object's prototype.
        if (value.kind !== 'removed') {
          Object.defineProperty(result, key, {
            value: toPlain(value),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
      }
      return result;
    }
    case 'seq':
      return node.items.map(toPlain);
    case 'scalar':
      return node.value;
    case 'removed':
      return undefined;
  }
}

/** The child at a key of a mapping or an index of a sequence. */
export function childOf(
  node: SourceNode | undefined,
  key: string | number,
): SourceNode | undefined {
  if (node?.kind === 'map') return node.entries.get(String(key));
  if (node?.kind === 'seq') return node.items[Number(key)];
  return undefined;
}

/**
 * The deepest node along `fieldPath` and the part of the path below it that
 * does not exist, so a problem about an absent field points at its parent.
 */
export function locate(
  root: SourceNode,
  fieldPath: readonly (string | number)[],
): { node: SourceNode; rest: (string | number)[] } {
  let node = root;
  for (let index = 0; index < fieldPath.length; index++) {
    const next = childOf(node, fieldPath[index]);
    if (!next) return { node, rest: fieldPath.slice(index) };
    node = next;
  }
  return { node, rest: [] };
}

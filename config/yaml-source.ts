import * as fs from 'fs';
import * as path from 'path';
import {
  Composer,
  CST,
  Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Node,
  Parser,
  YAMLParseError,
} from 'yaml';
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
 * What one configuration file may hold, so that no file can make loading
 * exhaust memory or time; docs/configuration.md ("Input limits") says why
 * each number is what it is. A file beyond one is reported, never loaded.
 */
export const INPUT_LIMITS = {
  /** Bytes of one file. */
  fileBytes: 8 * 1024 * 1024,
  /**
   * Characters of one key or scalar value: Linux refuses a longer argument or
   * environment variable at exec (`MAX_ARG_STRLEN`, 32 pages of 4 KiB).
   */
  valueCharacters: 128 * 1024,
  /** Mappings and lists inside one another. */
  depth: 64,
  /** Keys and values (mappings, lists and scalars) of one file, each alias counted as what it stands for. */
  nodes: 1_000_000,
  /** Characters of the keys and string values of one file, each alias counted as what it stands for. */
  characters: 8 * 1024 * 1024,
  /** Aliases one file expands, each use counted, nested ones included. */
  aliases: 100_000,
} as const;

/**
 * Reads and parses one YAML file of the root directory. YAML errors (syntax,
 * duplicate keys, unknown aliases) and files beyond {@link INPUT_LIMITS}
 * become problems and give `undefined`; so does a file that is missing,
 * empty, not a regular file or not a mapping.
 * @param file path relative to `rootDir`, with `/` separators
 * @param expected what the file should hold, for the message about an empty file
 */
export function readYamlMap(
  rootDir: string,
  file: string,
  expected: string,
  problems: ProblemList,
): SourceMap | undefined {
  const start: Origin = { file, line: 1, column: 1, path: [] };
  let text: string;
  let descriptor: number | undefined;
  try {
    // Opened without blocking and checked before reading: a FIFO or a device
    // would block or never end, and a huge file would be read whole.
    descriptor = fs.openSync(path.join(rootDir, file), fs.constants.O_RDONLY | O_NONBLOCK);
    const stats = fs.fstatSync(descriptor);
    if (!stats.isFile()) {
      problems.at(
        start,
        stats.isDirectory()
          ? 'is a directory, not a file'
          : 'is not a regular file: a FIFO, socket or device is never read',
      );
      return undefined;
    }
    if (stats.size > INPUT_LIMITS.fileBytes) {
      problems.at(start, fileTooLarge(stats.size));
      return undefined;
    }
    const bytes = fs.readFileSync(descriptor);
    if (bytes.length > INPUT_LIMITS.fileBytes) {
      problems.at(start, fileTooLarge(bytes.length));
      return undefined;
    }
    text = bytes.toString('utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.at(start, code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? error})`);
    return undefined;
  } finally {
    if (descriptor !== undefined) fs.closeSync(descriptor);
  }
  return parseYamlMap(text, file, expected, problems);
}

/** `O_NONBLOCK` where the platform has it (not on Windows). */
const O_NONBLOCK = (fs.constants as { O_NONBLOCK?: number }).O_NONBLOCK ?? 0;

/** Parses YAML text that should hold a mapping; see {@link readYamlMap}. */
export function parseYamlMap(
  text: string,
  file: string,
  expected: string,
  problems: ProblemList,
): SourceMap | undefined {
  const start: Origin = { file, line: 1, column: 1, path: [] };
  if (Buffer.byteLength(text, 'utf8') > INPUT_LIMITS.fileBytes) {
    problems.at(start, fileTooLarge(Buffer.byteLength(text, 'utf8')));
    return undefined;
  }
  const lineCounter = new LineCounter();
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const doc = parseLimited(text, lineCounter, (offset, fieldPath, message) =>
    problems.at({ file, ...position(offset), path: fieldPath }, message),
  );
  if (!doc) return undefined;
  const yamlProblems = [...doc.errors, ...doc.warnings];
  for (const error of yamlProblems) {
    const { line, column } = position(error.pos[0]);
    const message = error.message.split('\n')[0];
    problems.at({ file, line, column, path: [] }, `YAML: ${message}`);
  }
  if (yamlProblems.length > 0) return undefined;
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    problems.at(start, `is empty: expected ${expected}`);
    return undefined;
  }
  const builder = new TreeBuilder(file, lineCounter, problems, contents);
  const root = builder.build(
    contents,
    { file, ...position(contents.range?.[0] ?? 0), path: [] },
    0,
  );
  if (builder.failed) return undefined;
  if (root.kind !== 'map') {
    problems.at(start, `must be a mapping: expected ${expected}`);
    return undefined;
  }
  return root;
}

/**
 * Parses one YAML document as `parseDocument` does, but stops at the first
 * mapping or list nested deeper than {@link INPUT_LIMITS} allows, or once the
 * file holds more keys and values than it allows: the parser keeps its
 * nesting on a stack of its own, while composing recurses once per level (and
 * overflows the call stack a few hundred levels down) and takes far more
 * memory per node. Duplicate keys are left to the tree builder: the `yaml`
 * package compares each key with every earlier key of its mapping, which is
 * quadratic in the size of a mapping.
 */
function parseLimited(
  text: string,
  lineCounter: LineCounter,
  onLimit: (offset: number, fieldPath: (string | number)[], message: string) => void,
): Document.Parsed | undefined {
  let stopped = false;
  function* tokens(): Generator<CST.Token> {
    const parser = new Parser(lineCounter.addNewLine);
    lineCounter.addNewLine(0);
    let nodes = 0;
    let inScalar = false;
    for (const lexeme of new Lexer().lex(text)) {
      const offset = parser.offset;
      // A plain or block scalar comes as a marker, then its source.
      if (inScalar) inScalar = false;
      else {
        const type = CST.tokenType(lexeme);
        if (type === 'scalar') inScalar = true;
        if (type && COUNTED_TOKENS.has(type)) nodes++;
      }
      yield* parser.next(lexeme);
      // The stack holds the document and the scalar being read besides the collections.
      const deep =
        parser.stack.length > INPUT_LIMITS.depth + 1 &&
        collections(parser.stack).length > INPUT_LIMITS.depth;
      if (deep || nodes > INPUT_LIMITS.nodes) {
        stopped = true;
        const open = collections(parser.stack);
        if (deep) {
          // At the first collection too deep, with the path of the collections around it.
          const first = open[INPUT_LIMITS.depth];
          onLimit(first.offset, stackPath(open.slice(0, INPUT_LIMITS.depth)), tooDeep());
        } else {
          onLimit(offset, stackPath(open), BUDGETS.nodes());
        }
        return;
      }
    }
    yield* parser.end();
  }
  const composer = new Composer({ uniqueKeys: false });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens(), true, text.length)) {
    if (!doc) {
      doc = next;
    } else {
      doc.errors.push(
        new YAMLParseError(
          [next.range[0], next.range[1]],
          'MULTIPLE_DOCS',
          'Source contains multiple documents; please use YAML.parseAllDocuments()',
        ),
      );
      break;
    }
  }
  return stopped ? undefined : doc;
}

/**
 * Tokens that become a key or value of the tree: never more than the tree
 * builder counts, which also counts block collections and each alias as what
 * it stands for.
 */
const COUNTED_TOKENS: ReadonlySet<string> = new Set([
  'scalar',
  'single-quoted-scalar',
  'double-quoted-scalar',
  'alias',
  'flow-map-start',
  'flow-seq-start',
]);

type Collection = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

function collections(stack: readonly CST.Token[]): Collection[] {
  return stack.filter(
    (token): token is Collection =>
      token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection',
  );
}

/** The field path inside open collections, from the last key or index of each. */
function stackPath(open: readonly Collection[]): (string | number)[] {
  return open.map((token) => {
    const items = token.items as readonly CST.CollectionItem[];
    const isMapping =
      token.type === 'block-map' ||
      (token.type === 'flow-collection' && token.start.source === '{');
    return isMapping
      ? (CST.resolveAsScalar(items[items.length - 1]?.key)?.value ?? '?')
      : Math.max(0, items.length - 1);
  });
}

function tooDeep(): string {
  return `nests mappings and lists more than ${INPUT_LIMITS.depth} levels deep: a configuration file may nest at most ${INPUT_LIMITS.depth}`;
}

function tooLong(what: 'key' | 'value', length: number): string {
  const subject = what === 'key' ? 'has a key of' : 'is';
  const unit = what === 'key' ? 'characters' : 'characters long';
  return `${subject} ${count(length)} ${unit}: a key or value may be at most ${count(INPUT_LIMITS.valueCharacters)} (${size(INPUT_LIMITS.valueCharacters)}), the longest argument or environment variable Linux passes to a program`;
}

function fileTooLarge(bytes: number): string {
  return `is ${size(bytes)} (${count(bytes)} bytes): a configuration file may be at most ${size(INPUT_LIMITS.fileBytes)}`;
}

/**
 * The budgets of a whole file, each as its problem: where expanding an alias
 * spends it, the problem names the alias; otherwise the file.
 */
const BUDGETS = {
  nodes: (alias?: string) =>
    `${alias ? `expanding alias '*${alias}' here makes the file hold` : 'the file holds'} more than ${count(INPUT_LIMITS.nodes)} keys and values: a configuration file may hold at most ${count(INPUT_LIMITS.nodes)}, each alias counted as the keys and values it stands for`,
  characters: (alias?: string) =>
    `${alias ? `expanding alias '*${alias}' here makes the file hold` : 'the file holds'} more than ${size(INPUT_LIMITS.characters)} of text in keys and values: a configuration file may hold at most ${size(INPUT_LIMITS.characters)}, each alias counted as the text it stands for`,
  aliases: (alias?: string) =>
    `${alias ? `expanding alias '*${alias}' here makes the file expand` : 'the file expands'} more than ${count(INPUT_LIMITS.aliases)} aliases: a configuration file may expand at most ${count(INPUT_LIMITS.aliases)}, nested ones included`,
} as const;

/** `1,048,576` */
function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** `8 MiB`, `9.5 MiB`, `128 KiB` */
function size(bytes: number): string {
  const [amount, unit] =
    bytes >= 1024 * 1024 ? [bytes / 1024 / 1024, 'MiB'] : [bytes / 1024, 'KiB'];
  return `${Number.isInteger(amount) ? amount : amount.toFixed(1)} ${unit}`;
}

/** What a node adds to the budgets of its file, its aliases expanded. */
interface Cost {
  readonly nodes: number;
  readonly characters: number;
  readonly aliases: number;
}

const FREE: Cost = { nodes: 0, characters: 0, aliases: 0 };

/**
 * Builds the source tree of a composed document: resolves aliases, refuses
 * keys that are not plain names or repeat, and holds the file to
 * {@link INPUT_LIMITS}, each alias counted as what it stands for.
 *
 * What each anchored node costs, its aliases expanded, is summed over the
 * document before anything is expanded, in time linear in the document. A
 * file within its budgets is built whole; a file beyond one is not built at
 * all: the builder walks down to the first alias (or node) whose cost no
 * longer fits and reports it there, so an alias bomb is refused in
 * milliseconds, without expanding it.
 */
class TreeBuilder {
  failed = false;
  /** Set once a budget is spent: nothing more is built. */
  private spent = false;
  /** Set when the file exceeds a budget: subtrees that fit are counted, not built. */
  private readonly overBudget: boolean;
  private nodes = 0;
  private characters = 0;
  private aliases = 0;
  /** Costs of anchored nodes (of every node once over budget), each computed once. */
  private readonly costs = new Map<unknown, Cost>();
  private readonly costing = new Set<unknown>();
  /** The alias being expanded that stands outside every other expansion: where a spent budget is reported. */
  private expanding: { name: string; origin: Origin } | undefined;
  /** Values reported as too long, so that an alias does not report them again. */
  private readonly tooLong = new Set<unknown>();
  /** Nesting too deep is reported once: every level below repeats it. */
  private tooDeep = false;
  private readonly resolving = new Set<Node>();
  /**
   * The latest anchor of each name met so far in document order, which is
   * what an alias refers to. The `yaml` package's own `Alias.resolve` walks
   * the document from its start for every alias: quadratic in large files.
   */
  private readonly anchors = new Map<string, Node>();
  /** What each alias refers to, fixed where it stands in the document (not where it is expanded). */
  private readonly targets = new Map<unknown, Node | undefined>();

  constructor(
    private readonly file: string,
    private readonly lineCounter: LineCounter,
    private readonly problems: ProblemList,
    root: unknown,
  ) {
    this.resolve(root);
    this.overBudget = !this.fits(this.costOf(root));
  }

  /** @param depth how many mappings and lists hold the node */
  build(node: unknown, origin: Origin, depth: number): SourceNode {
    const nothing: SourceScalar = { kind: 'scalar', origin, value: null };
    if (this.spent) return nothing;
    if (this.overBudget) {
      const cost = this.costOf(node);
      if (this.fits(cost)) {
        this.add(cost);
        return nothing;
      }
      if (isAlias(node)) {
        this.exhaust(origin, this.exceeded(cost), { name: node.source, origin });
        return nothing;
      }
    }
    if (isAlias(node)) return this.alias(node.source, this.targets.get(node), origin, depth);
    const text = isScalar(node) && typeof node.value === 'string' ? node.value : '';
    if (!this.spend(origin, text.length)) return nothing;
    if ((isMap(node) || isSeq(node)) && depth >= INPUT_LIMITS.depth) {
      if (!this.tooDeep) this.fail(origin, tooDeep());
      this.tooDeep = true;
      this.failed = true;
      return nothing;
    }
    if (isMap(node)) {
      const entries = new Map<string, SourceNode>();
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key) || (typeof key.value === 'object' && key.value !== null)) {
          this.fail(this.originOf(key, origin), 'keys must be plain names, not mappings or lists');
          continue;
        }
        if (key.value === null) {
          this.fail(this.originOf(key, origin), `keys must be plain names, not empty or null`);
          continue;
        }
        const name = String(key.value);
        const at = this.originOf(key, origin, name);
        if (entries.has(name)) {
          this.fail({ ...at, path: [] }, 'YAML: Map keys must be unique');
          continue;
        }
        // At the mapping's field: the key itself is too long to repeat.
        this.checkLength(key, name, { ...at, path: origin.path }, 'key');
        if (!this.spend(at, name.length)) break;
        entries.set(name, this.build(pair.value, at, depth + 1));
      }
      return { kind: 'map', origin, entries };
    }
    if (isSeq(node)) {
      const items: SourceNode[] = [];
      for (let index = 0; index < node.items.length && !this.spent; index++) {
        const item = node.items[index];
        items.push(this.build(item, this.originOf(item, origin, index), depth + 1));
      }
      return { kind: 'seq', origin, items };
    }
    const value = isScalar(node) ? node.value : null;
    const plain =
      value === null || ['string', 'number', 'boolean'].includes(typeof value)
        ? (value as string | number | boolean | null)
        : String(value);
    if (typeof plain === 'string') this.checkLength(node, plain, origin, 'value');
    return { kind: 'scalar', origin, value: plain };
  }

  /**
   * Finds what each alias refers to: the latest anchor of its name before it
   * in document order (keys before their values), as YAML says.
   */
  private resolve(node: unknown): void {
    if (isAlias(node)) {
      this.targets.set(node, this.anchors.get(node.source));
      return;
    }
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) this.anchors.set(anchor, node as Node);
    if (isMap(node)) {
      for (const pair of node.items) {
        this.resolve(pair.key);
        this.resolve(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) this.resolve(item);
    }
  }

  /** What building a node would spend, its aliases expanded; an alias inside its own target costs nothing more. */
  private costOf(node: unknown): Cost {
    const known = this.costs.get(node);
    if (known) return known;
    if (this.costing.has(node)) return FREE;
    this.costing.add(node);
    let nodes = 1;
    let characters = 0;
    let aliases = 0;
    const addCost = (cost: Cost) => {
      nodes += cost.nodes;
      characters += cost.characters;
      aliases += cost.aliases;
    };
    if (isAlias(node)) {
      const target = this.targets.get(node);
      const expanded = target ? this.costOf(target) : FREE;
      nodes = expanded.nodes;
      characters = expanded.characters;
      aliases = expanded.aliases + 1;
    } else if (isMap(node)) {
      for (const pair of node.items) {
        nodes += 1;
        if (isScalar(pair.key)) characters += String(pair.key.value).length;
        addCost(this.costOf(pair.value));
      }
    } else if (isSeq(node)) {
      for (const item of node.items) addCost(this.costOf(item));
    } else if (isScalar(node) && typeof node.value === 'string') {
      characters = node.value.length;
    }
    this.costing.delete(node);
    const cost = { nodes, characters, aliases };
    const anchored = (node as { anchor?: string } | null)?.anchor !== undefined;
    if (anchored || this.overBudget) this.costs.set(node, cost);
    return cost;
  }

  private fits(cost: Cost): boolean {
    return this.exceeded(cost) === undefined;
  }

  /** The budget that spending `cost` now would exceed, if any. */
  private exceeded(cost: Cost): keyof typeof BUDGETS | undefined {
    if (this.aliases + cost.aliases > INPUT_LIMITS.aliases) return 'aliases';
    if (this.nodes + cost.nodes > INPUT_LIMITS.nodes) return 'nodes';
    if (this.characters + cost.characters > INPUT_LIMITS.characters) return 'characters';
    return undefined;
  }

  private add(cost: Cost): void {
    this.nodes += cost.nodes;
    this.characters += cost.characters;
    this.aliases += cost.aliases;
  }

  private alias(name: string, target: Node | undefined, origin: Origin, depth: number): SourceNode {
    const nothing: SourceScalar = { kind: 'scalar', origin, value: null };
    if (!target) {
      this.fail(origin, `YAML: unknown alias '*${name}'`);
      return nothing;
    }
    if (this.resolving.has(target)) {
      this.fail(origin, `YAML: alias '*${name}' refers to itself`);
      return nothing;
    }
    const outermost = this.expanding === undefined;
    if (outermost) this.expanding = { name, origin };
    this.aliases++;
    if (this.aliases > INPUT_LIMITS.aliases) this.exhaust(origin, 'aliases');
    this.resolving.add(target);
    const built = this.build(target, origin, depth);
    this.resolving.delete(target);
    if (outermost) this.expanding = undefined;
    return built;
  }

  private checkLength(node: unknown, text: string, origin: Origin, what: 'key' | 'value'): void {
    if (text.length <= INPUT_LIMITS.valueCharacters) return;
    this.failed = true;
    if (this.tooLong.has(node)) return;
    this.tooLong.add(node);
    this.fail(origin, tooLong(what, text.length));
  }

  /** Counts one key or value of `characters`; false once a budget is spent. */
  private spend(origin: Origin, characters: number): boolean {
    if (this.spent) return false;
    const budget = this.exceeded({ nodes: 1, characters, aliases: 0 });
    if (budget) this.exhaust(origin, budget);
    else this.add({ nodes: 1, characters, aliases: 0 });
    return !this.spent;
  }

  /** Reports a spent budget at the alias whose expansion spends it, or where the file spends it. */
  private exhaust(
    origin: Origin,
    budget: keyof typeof BUDGETS | undefined,
    alias = this.expanding,
  ): void {
    if (!budget || this.spent) return;
    this.spent = true;
    this.fail(alias?.origin ?? origin, BUDGETS[budget](alias?.name));
  }

  /** Where a node stands, with the field path of its parent and, when given, its own key or index. */
  private originOf(node: unknown, parent: Origin, key?: string | number): Origin {
    const fieldPath = key === undefined ? parent.path : [...parent.path, key];
    const offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
    if (offset === undefined) return { ...parent, path: fieldPath };
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col, path: fieldPath };
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
        if (value.kind === 'removed') continue;
        // A key `__proto__` must stay a key (and be refused as unknown), not
        // replace the object's prototype; assignment is far faster otherwise.
        if (key === '__proto__') {
          Object.defineProperty(result, key, {
            value: toPlain(value),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else result[key] = toPlain(value);
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

/**
 * Generators of broken configuration files for the property tests of the
 * loader (test/fuzz/config-fuzz.test.ts) and the long run (`npm run fuzz`).
 *
 * Every case starts from one of the project's own files (an environment or the
 * catalogue) and breaks it in a way that must be reported: a structural edit
 * guided by the JSON Schemas (unknown key, wrong type, missing required field,
 * number out of range, bad unit or format, reference to nothing), or an edit of
 * the text (duplicate key, YAML syntax error, empty or huge file), or a shape
 * beyond the loader's input limits (test/fuzz/over-limit.ts: alias bombs, deep
 * nesting, long values, oversized files). Junk cases
 * edit the text at random and need not be invalid: they only check that the
 * loader never throws and reports well-formed problems.
 */
import * as fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { JsonSchema } from '../../config/json-schema';
import { agentTypesSchema, environmentSchema } from '../../config/schema';
import {
  BaseFiles,
  CATALOGUE_FILE,
  Category,
  describeCase,
  environmentFile,
  FuzzCase,
} from './cases';
import { overLimitArb } from './over-limit';

export { CATALOGUE_FILE, describeCase, environmentFile, readBaseFiles } from './cases';
export type { BaseFiles, Category, FuzzCase } from './cases';

/** A case as fast-check prints it: what was done, and the start of the text. */
function described(fuzzCase: Omit<FuzzCase, typeof fc.toStringMethod>): FuzzCase {
  return {
    ...fuzzCase,
    [fc.toStringMethod]: () => describeCase(fuzzCase),
  } as FuzzCase;
}

// ---------------------------------------------------------------------------
// Schema-guided edits of the parsed document

type Data = unknown;
type DataPath = readonly (string | number)[];

/** A node of a document with the schema that applies to it. */
interface SchemaNode {
  readonly path: DataPath;
  readonly value: Data;
  readonly schema: JsonSchema;
}

function resolve(schema: JsonSchema, root: JsonSchema, data: Data): JsonSchema {
  let current = schema;
  for (let guard = 0; guard < 20; guard++) {
    if (current.$ref) {
      const name = current.$ref.replace('#/definitions/', '');
      const target = root.definitions?.[name];
      if (!target) throw new Error(`no definition ${current.$ref}`);
      current = target;
    } else if (current.if) {
      const { if: condition, then: yes, else: no, ...base } = current;
      const branch = matches(condition, data) ? yes : no;
      current = branch ? { ...base, ...resolve(branch, root, data) } : base;
    } else {
      return current;
    }
  }
  throw new Error('schema references nest too deeply');
}

/** The subset of `if` conditions the schemas use: required keys and constant values. */
function matches(condition: JsonSchema, data: Data): boolean {
  if (!isObject(data)) return false;
  if (condition.required?.some((key) => !(key in data))) return false;
  for (const [key, property] of Object.entries(condition.properties ?? {})) {
    if (!(key in data)) continue;
    if (property.const !== undefined && data[key] !== property.const) return false;
    if (property.enum && !property.enum.includes(data[key] as string)) return false;
  }
  return true;
}

function isObject(data: Data): data is Record<string, Data> {
  return typeof data === 'object' && data !== null && !Array.isArray(data);
}

/** Every node of a document whose schema is known, parents before children. */
function schemaNodes(data: Data, root: JsonSchema): SchemaNode[] {
  const nodes: SchemaNode[] = [];
  const walk = (value: Data, schema: JsonSchema, at: DataPath): void => {
    const resolved = resolve(schema, root, value);
    nodes.push({ path: at, value, schema: resolved });
    if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        const childSchema =
          resolved.properties?.[key] ??
          (typeof resolved.additionalProperties === 'object'
            ? resolved.additionalProperties
            : undefined);
        if (childSchema) walk(child, childSchema, [...at, key]);
      }
    } else if (Array.isArray(value) && resolved.items) {
      value.forEach((item, index) => walk(item, resolved.items as JsonSchema, [...at, index]));
    }
  };
  walk(data, root, []);
  return nodes;
}

function getAt(data: Data, at: DataPath): Data {
  let node = data;
  for (const part of at) node = (node as Record<string | number, Data>)[part];
  return node;
}

/** Sets a value, as an own property even for names such as `__proto__`. */
function setAt(data: Data, at: DataPath, value: Data): void {
  const parent = getAt(data, at.slice(0, -1)) as Record<string | number, Data>;
  Object.defineProperty(parent, at[at.length - 1], {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function deleteAt(data: Data, at: DataPath): void {
  const parent = getAt(data, at.slice(0, -1)) as Record<string | number, Data>;
  delete parent[at[at.length - 1]];
}

function pathText(at: DataPath): string {
  return at.length === 0 ? '(root)' : at.map((part) => JSON.stringify(part)).join('.');
}

type JsonKind = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

function kindOf(value: Data): JsonKind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonKind;
}

function allows(schema: JsonSchema, value: Data): boolean {
  const types = schema.type === undefined ? [] : [schema.type].flat();
  const kind = kindOf(value);
  return types.includes(kind) || (kind === 'integer' && types.includes('number'));
}

/** A fresh name that is none of `taken`. */
function freshName(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let fresh = name;
  while (used.has(fresh)) fresh = `${fresh}-x`;
  return fresh;
}

/** A string that neither matches `pattern` nor is one of `allowed`. */
function nonMatching(
  value: string,
  pattern: string | undefined,
  allowed: readonly unknown[] = [],
): string {
  const regex = pattern ? new RegExp(pattern, 'u') : undefined;
  const bad = (text: string) => !regex?.test(text) && !allowed.includes(text);
  const candidate = [value, ` ${value}`, `${value}x`, ' ', '!!'].find(
    (text) => bad(text) && (regex || text !== ''),
  );
  if (candidate === undefined) throw new Error(`no string breaks ${pattern}`);
  return candidate;
}

const SIZE = '^[0-9]+(Ki|Mi|Gi|Ti|k|M|G|T)$';
const CPU = '^([0-9]+m|[0-9]+(\\.[0-9]{1,3})?)$';
const DURATION = '^([0-9]+(ms|s|m|h|d))+$';
const UNIT_PATTERNS = [SIZE, CPU, DURATION];

/** An edit of the parsed document; returns what it did, or undefined when it found no place. */
type Edit = (document: Data, context: EditContext) => string | undefined;

interface EditContext {
  readonly file: string;
  readonly schema: JsonSchema;
  readonly base: BaseFiles;
  /** The environment loaded; an edit may choose another one. */
  environment: string;
}

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

const keyArb = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,14}$/) },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'minReplica',
      'maxReplica',
      'Sites',
      'agent',
      'broker ',
      '',
    ),
  },
);

const smallValueArb: fc.Arbitrary<Data> = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 10 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
  fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.integer(), { maxKeys: 3 }),
  fc.array(fc.integer(), { maxLength: 3 }),
);

/** Values of every JSON type but null; the edit takes the first its field does not allow. */
const wrongValuesArb = fc.record({
  start: fc.nat(),
  object: fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.integer(), {
    minKeys: 1,
    maxKeys: 3,
  }),
  array: fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
  string: fc.string({ minLength: 1, maxLength: 12 }),
  integer: fc.integer({ min: -1000, max: 100000 }),
  number: fc.double({ min: -1000, max: 1000, noNaN: true }).filter((n) => !Number.isInteger(n)),
  boolean: fc.boolean(),
});

const dnsLabelArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/);

/** Unit strings that are wrong: '512Mb', '1.5x', '2GB', '-1Gi', '10 s'… */
export const badUnitArb = fc.oneof(
  fc.constantFrom('512Mb', '1.5x', '2Gb', '256MB', '1.5Gi', '-1Gi', '10 s', '1h30', '0.0001', 'm'),
  fc
    .tuple(
      fc.oneof(
        fc.nat({ max: 65536 }).map(String),
        fc.constantFrom('1.5', '0.25', '-1', '-512', '1e3', '.5', '2.', '1,5', '', ' 1'),
      ),
      fc.constantFrom(
        ...['Mb', 'MB', 'mb', 'Gb', 'GB', 'gb', 'KB', 'kb', 'Kib', 'MiB', 'GiB', 'mi', 'gi'],
        ...['x', 'X', 'cores', 'core', '%', 'b', 'B', 'bytes', 'min', 'sec', 'secs', 'hrs'],
        ...['hr', 'h30', 'ms5', ' Mi', ' s', 'Mi ', 'mm', 'Mm', 's2', 'ns', 'us', 'µs', 'w'],
        ...['y', 'Ei', 'Pi', 'E', 'P', 'kB', 'm.5', '', '.0m', 'Mi1'],
      ),
    )
    .map(([number, unit]) => `${number}${unit}`),
);

interface StepInput {
  readonly category: Exclude<
    Category,
    'duplicateKey' | 'syntaxError' | 'empty' | 'huge' | 'overLimit' | 'junk'
  >;
  readonly edit: Edit;
}

function unknownKeyStep(): fc.Arbitrary<StepInput> {
  return fc
    .record({ index: fc.nat(), key: keyArb, value: smallValueArb })
    .map(({ index, key, value }) => ({
      category: 'unknownKey' as const,
      edit: (document, { schema }) => {
        const closed = schemaNodes(document, schema).filter(
          (node) =>
            isObject(node.value) && node.schema.properties && !node.schema.additionalProperties,
        );
        const node = pick(closed, index);
        if (!node) return undefined;
        const name = freshName(key, [
          ...Object.keys(node.schema.properties ?? {}),
          ...Object.keys(node.value as object),
        ]);
        setAt(document, [...node.path, name], value);
        return `unknown key ${JSON.stringify(name)} in ${pathText(node.path)}`;
      },
    }));
}

function wrongTypeStep(): fc.Arbitrary<StepInput> {
  return fc.record({ index: fc.nat(), values: wrongValuesArb }).map(({ index, values }) => ({
    category: 'wrongType' as const,
    edit: (document, { schema }) => {
      const typed = schemaNodes(document, schema).filter(
        (node) => node.path.length > 0 && node.schema.type !== undefined,
      );
      const node = pick(typed, index);
      if (!node) return undefined;
      const options: Data[] = [
        values.object,
        values.array,
        values.string,
        values.integer,
        values.number,
        values.boolean,
      ];
      const rotated = [...options.slice(values.start % 6), ...options.slice(0, values.start % 6)];
      const value = rotated.find((option) => !allows(node.schema, option));
      if (value === undefined) return undefined;
      setAt(document, node.path, value);
      return `${pathText(node.path)} (${JSON.stringify(node.schema.type)}) = ${JSON.stringify(value)}`;
    },
  }));
}

function missingRequiredStep(): fc.Arbitrary<StepInput> {
  return fc.nat().map((index) => ({
    category: 'missingRequired' as const,
    edit: (document, { schema }) => {
      const required = schemaNodes(document, schema).flatMap((node) =>
        isObject(node.value)
          ? (node.schema.required ?? [])
              .filter((key) => key in (node.value as object))
              .map((key) => [...node.path, key])
          : [],
      );
      const at = pick(required, index);
      if (!at) return undefined;
      deleteAt(document, at);
      return `removed required ${pathText(at)}`;
    },
  }));
}

function outOfRangeStep(): fc.Arbitrary<StepInput> {
  return fc
    .record({
      index: fc.nat(),
      by: fc.nat({ max: 1_000_000 }),
      above: fc.boolean(),
      replicas: fc.integer({ min: 1, max: 50 }),
    })
    .map(({ index, by, above, replicas }) => ({
      category: 'outOfRange' as const,
      edit: (document, context) => {
        const nodes = schemaNodes(document, context.schema);
        const bounded = nodes.filter(
          (node) =>
            typeof node.value === 'number' &&
            (node.schema.minimum !== undefined ||
              node.schema.maximum !== undefined ||
              node.schema.exclusiveMinimum !== undefined),
        );
        const short = nodes.filter(
          (node) =>
            typeof node.value === 'string' &&
            (node.schema.minLength ?? 0) > 1 &&
            !node.schema.pattern,
        );
        // Also the rule across fields, minReplicas above maxReplicas, which
        // holds for agent types placed in the environment loaded.
        const placed = context.base.placements.get(context.environment) ?? [];
        const scaled = nodes.filter(
          (node) =>
            node.path.length === 2 &&
            (node.path[0] === 'agents' ||
              (node.path[0] === 'agentTypes' && placed.includes(String(node.path[1])))) &&
            isObject(node.value),
        );
        const choices = bounded.length + short.length + scaled.length;
        if (choices === 0) return undefined;
        const choice = index % choices;
        if (choice < bounded.length) {
          const node = bounded[choice];
          const { minimum, maximum, exclusiveMinimum } = node.schema;
          const low =
            minimum !== undefined
              ? minimum - 1 - by
              : exclusiveMinimum !== undefined
                ? exclusiveMinimum - by
                : undefined;
          const high = maximum !== undefined ? maximum + 1 + by : undefined;
          const value = (above && high !== undefined) || low === undefined ? high : low;
          setAt(document, node.path, value);
          return `${pathText(node.path)} = ${value} (minimum ${minimum}, maximum ${maximum}, exclusiveMinimum ${exclusiveMinimum})`;
        }
        if (choice < bounded.length + short.length) {
          const node = short[choice - bounded.length];
          const value = 'x'.repeat(by % (node.schema.minLength ?? 1));
          setAt(document, node.path, value);
          return `${pathText(node.path)} = '${value}' (minLength ${node.schema.minLength})`;
        }
        const node = scaled[choice - bounded.length - short.length];
        setAt(document, [...node.path, 'scaling'], {
          minReplicas: replicas + 1 + (by % 10),
          maxReplicas: replicas,
        });
        return `${pathText(node.path)}.scaling: minReplicas above maxReplicas ${replicas}`;
      },
    }));
}

function badUnitStep(): fc.Arbitrary<StepInput> {
  return fc.record({ index: fc.nat(), unit: badUnitArb }).map(({ index, unit }) => ({
    category: 'badUnit' as const,
    edit: (document, { schema }) => {
      const units = schemaNodes(document, schema).filter(
        (node) =>
          node.path.length > 0 &&
          node.value !== null &&
          UNIT_PATTERNS.includes(node.schema.pattern ?? ''),
      );
      const node = pick(units, index);
      if (!node) return undefined;
      const value = nonMatching(unit, node.schema.pattern);
      setAt(document, node.path, value);
      return `${pathText(node.path)} = ${JSON.stringify(value)} (pattern ${node.schema.pattern})`;
    },
  }));
}

function badFormatStep(): fc.Arbitrary<StepInput> {
  return fc
    .record({
      index: fc.nat(),
      text: fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 8 })),
    })
    .map(({ index, text }) => ({
      category: 'badFormat' as const,
      edit: (document, { schema }) => {
        const formatted = schemaNodes(document, schema).filter(
          (node) =>
            typeof node.value === 'string' &&
            (node.schema.pattern !== undefined || node.schema.enum !== undefined),
        );
        const node = pick(formatted, index);
        if (!node) return undefined;
        const value = nonMatching(text, node.schema.pattern, node.schema.enum ?? []);
        setAt(document, node.path, value);
        return `${pathText(node.path)} = ${JSON.stringify(value)} (pattern ${node.schema.pattern}, enum ${JSON.stringify(node.schema.enum)})`;
      },
    }));
}

/** References to sites, brokers and agent types that do not exist. */
function badReferenceStep(): fc.Arbitrary<StepInput> {
  return fc.record({ index: fc.nat(), name: dnsLabelArb }).map(({ index, name }) => ({
    category: 'badReference' as const,
    edit: (document, context) => {
      const doc = document as Record<string, Record<string, Record<string, Data>>>;
      const edits: (() => string)[] = [];
      if (context.file === CATALOGUE_FILE) {
        const placed = context.base.placements.get(context.environment) ?? [];
        for (const type of placed) {
          const spec = doc.agentTypes?.[type] as Record<string, Record<string, Data>> | undefined;
          for (const field of ['queue', 'topic'] as const) {
            if (!isObject(spec?.[field])) continue;
            edits.push(() => {
              const broker = freshName(name, brokersOf(context));
              spec[field].broker = broker;
              return `agentTypes.${type}.${field}.broker = ${broker} (no such broker)`;
            });
          }
        }
      } else {
        const sites = Object.keys(doc.sites ?? {});
        const brokers = doc.brokers ?? {};
        const agents = doc.agents ?? {};
        for (const [broker, spec] of Object.entries(brokers)) {
          const inCluster = isObject(spec) ? spec.inCluster : undefined;
          if (!isObject(inCluster)) continue;
          edits.push(() => {
            const site = freshName(name, sites);
            inCluster.site = site;
            return `brokers.${broker}.inCluster.site = ${site} (no such site)`;
          });
        }
        const catalogue = parse(context.base.texts.get(CATALOGUE_FILE) ?? '') as {
          agentTypes: Record<string, Record<string, Data>>;
        };
        for (const [agent, placement] of Object.entries(agents)) {
          if (!isObject(placement) || !isObject(placement.sites)) continue;
          const onSites = placement.sites;
          edits.push(() => {
            const site = freshName(name, sites);
            setAt(onSites, [site], {});
            return `agents.${agent}.sites.${site} (no such site)`;
          });
          const type = catalogue.agentTypes[agent];
          for (const field of ['queue', 'topic'] as const) {
            if (!isObject(type?.[field])) continue;
            edits.push(() => {
              const broker = freshName(name, Object.keys(brokers));
              placement[field] = {
                ...(isObject(placement[field]) ? placement[field] : {}),
                broker,
              };
              return `agents.${agent}.${field}.broker = ${broker} (no such broker)`;
            });
          }
        }
        if (sites.length > 0) {
          edits.push(() => {
            const agent = freshName(name, Object.keys(catalogue.agentTypes));
            doc.agents = { ...agents };
            setAt(doc.agents, [agent], { sites: { [sites[index % sites.length]]: {} } });
            return `agents.${agent} (no such agent type)`;
          });
        }
      }
      return pick(edits, index)?.();
    },
  }));
}

function brokersOf(context: EditContext): string[] {
  const text = context.base.texts.get(environmentFile(context.environment)) ?? '';
  return Object.keys((parse(text) as { brokers?: object }).brokers ?? {});
}

const STEPS: Record<StepInput['category'], () => fc.Arbitrary<StepInput>> = {
  unknownKey: unknownKeyStep,
  wrongType: wrongTypeStep,
  missingRequired: missingRequiredStep,
  outOfRange: outOfRangeStep,
  badUnit: badUnitStep,
  badFormat: badFormatStep,
  badReference: badReferenceStep,
};

/** A file of the project and the environment loaded with it. */
function targetArb(base: BaseFiles): fc.Arbitrary<{ file: string; environment: string }> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...base.environments)
        .map((environment) => ({ file: environmentFile(environment), environment })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...base.environments)
        .map((environment) => ({ file: CATALOGUE_FILE, environment })),
    },
  );
}

/**
 * One to three schema-guided edits of one file; the case takes the category of
 * its first edit. An edit that finds no place in the file falls back to an
 * unknown key at the top.
 */
function structuralArb(base: BaseFiles, category: StepInput['category']): fc.Arbitrary<FuzzCase> {
  const anyStep = fc.oneof(...Object.values(STEPS).map((step) => step()));
  return fc
    .tuple(targetArb(base), STEPS[category](), fc.array(anyStep, { maxLength: 2 }), keyArb)
    .map(([target, first, more, fallbackKey]) => {
      const schema = target.file === CATALOGUE_FILE ? agentTypesSchema : environmentSchema;
      const document = parse(base.texts.get(target.file) ?? '') as Data;
      const context: EditContext = { ...target, schema, base };
      const steps: string[] = [];
      for (const step of [first, ...more]) {
        const done = step.edit(document, context);
        if (done) steps.push(`${step.category}: ${done}`);
      }
      if (steps.length === 0) {
        const name = freshName(fallbackKey, Object.keys(schema.properties ?? {}));
        setAt(document, [name], 1);
        steps.push(`unknownKey: unknown key ${JSON.stringify(name)} at the top`);
      }
      return described({
        category,
        environment: context.environment,
        file: target.file,
        text: stringify(document),
        steps,
      });
    });
}

// ---------------------------------------------------------------------------
// Edits of the text

/** Lines that hold YAML structure: not blank, not comments, not inside a block scalar. */
function structuralLines(lines: readonly string[]): number[] {
  const result: number[] = [];
  let blockIndent: number | undefined;
  lines.forEach((line, index) => {
    const indent = line.length - line.trimStart().length;
    const blank = line.trim() === '';
    if (blockIndent !== undefined) {
      if (blank || indent > blockIndent) return;
      blockIndent = undefined;
    }
    if (blank || line.trimStart().startsWith('#')) return;
    result.push(index);
    if (/:\s*[|>][-+0-9]*\s*(#.*)?$/.test(line)) blockIndent = indent;
  });
  return result;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

function duplicateKeyArb(base: BaseFiles): fc.Arbitrary<FuzzCase> {
  return fc.tuple(targetArb(base), fc.nat()).map(([target, index]) => {
    const lines = (base.texts.get(target.file) ?? '').split('\n');
    const keys = structuralLines(lines).filter((at) => /^\s*[A-Za-z0-9_-]+\s*:/.test(lines[at]));
    const at = keys[index % keys.length];
    const indent = indentOf(lines[at]);
    let end = at + 1;
    while (
      end < lines.length &&
      (lines[end].trim() === '' ||
        indentOf(lines[end]) > indent ||
        (indentOf(lines[end]) === indent && lines[end].trimStart().startsWith('- ')))
    ) {
      end++;
    }
    const block = lines.slice(at, end);
    const text = [...lines.slice(0, end), ...block, ...lines.slice(end)].join('\n');
    return described({
      category: 'duplicateKey',
      ...target,
      text,
      steps: [`repeated lines ${at + 1}–${end} (key ${lines[at].trim().split(':')[0]})`],
    });
  });
}

/** Lines that YAML must refuse wherever they stand in a block mapping. */
const SYNTAX_ERRORS = [
  'broken: [unclosed, list',
  'broken: { unclosed: map',
  'broken: "unterminated',
  "broken: 'unterminated",
  'broken: bad: nesting',
  'broken: }',
  'broken: ]',
  'broken: *undefinedAlias',
  '\tbroken: tab-indented',
  'broken: value\n\t- tab',
  ': no key',
  '%YAML 1.2',
  'broken: @reserved',
  'broken: `reserved',
  'broken: &a [*a]',
  '? [complex, key]\n: value',
];

function syntaxErrorArb(base: BaseFiles): fc.Arbitrary<FuzzCase> {
  return fc
    .tuple(targetArb(base), fc.nat(), fc.constantFrom(...SYNTAX_ERRORS), fc.boolean())
    .map(([target, index, fragment, replace]) => {
      const lines = (base.texts.get(target.file) ?? '').split('\n');
      const candidates = structuralLines(lines);
      const at = candidates[index % candidates.length];
      const inserted = fragment
        .split('\n')
        .map((line) => ' '.repeat(indentOf(lines[at])) + line)
        .join('\n');
      const text = [...lines.slice(0, at), inserted, ...lines.slice(at + (replace ? 1 : 0))].join(
        '\n',
      );
      return described({
        category: 'syntaxError',
        ...target,
        text,
        steps: [
          `${replace ? 'replaced' : 'inserted before'} line ${at + 1}: ${JSON.stringify(fragment)}`,
        ],
      });
    });
}

function emptyArb(base: BaseFiles): fc.Arbitrary<FuzzCase> {
  const blank = fc
    .array(fc.constantFrom(' ', '\n', '\r\n', '# a comment\n', '   # indented comment\n'), {
      maxLength: 20,
    })
    .map((parts) => parts.join(''));
  const text = fc.oneof(
    blank,
    fc.constantFrom('', '---\n', '---\n...\n', 'null\n', '~\n', '{}\n', '[]\n', '\uFEFF'),
    fc.constantFrom('just a string\n', '42\n', 'true\n', '- sites\n- agents\n', '"quoted"\n'),
  );
  return fc.tuple(targetArb(base), text).map(([target, content]) =>
    described({
      category: 'empty',
      ...target,
      text: content,
      steps: [`whole file ${JSON.stringify(content)}`],
    }),
  );
}

function hugeArb(base: BaseFiles): fc.Arbitrary<FuzzCase> {
  const huge = fc.oneof(
    fc.integer({ min: 2, max: 30 }).map((times) => ({
      kind: `the file ${times} times over (duplicate keys)`,
      build: (text: string) => text.repeat(times),
    })),
    fc.integer({ min: 100_000, max: 3_000_000 }).map((size) => ({
      kind: `an unknown key with a string of ${size} characters`,
      build: (text: string) => `${text}\nhugeUnknownKey: ${'a'.repeat(size)}\n`,
    })),
    fc.integer({ min: 1_000, max: 50_000 }).map((count) => ({
      kind: `${count} comment lines, then an unknown key`,
      build: (text: string) => `${text}${'# filler\n'.repeat(count)}hugeUnknownKey: 1\n`,
    })),
    fc.integer({ min: 10, max: 800 }).map((depth) => ({
      kind: `an unknown key nested ${depth} levels deep`,
      build: (text: string) =>
        `${text}\nhugeUnknownKey:\n${Array.from({ length: depth }, (_, level) => `${'  '.repeat(level + 1)}a:`).join('\n')} 1\n`,
    })),
    fc.integer({ min: 10, max: 2_000 }).map((depth) => ({
      kind: `an unknown key with a flow mapping nested ${depth} levels deep`,
      build: (text: string) =>
        `${text}\nhugeUnknownKey: ${'{a: '.repeat(depth)}1${'}'.repeat(depth)}\n`,
    })),
    fc.integer({ min: 100, max: 3_000 }).map((count) => ({
      kind: `${count} entries under an unknown key`,
      build: (text: string) =>
        `${text}\nhugeUnknownKey:\n${Array.from({ length: count }, (_, i) => `  k${i}: ${i}`).join('\n')}\n`,
    })),
  );
  return fc.tuple(targetArb(base), huge).map(([target, { kind, build }]) =>
    described({
      category: 'huge',
      ...target,
      text: build(base.texts.get(target.file) ?? ''),
      steps: [kind],
    }),
  );
}

/** The cases that must be reported, by category. */
export function invalidCaseArbs(
  base: BaseFiles,
): Record<Exclude<Category, 'junk'>, fc.Arbitrary<FuzzCase>> {
  return {
    unknownKey: structuralArb(base, 'unknownKey'),
    wrongType: structuralArb(base, 'wrongType'),
    missingRequired: structuralArb(base, 'missingRequired'),
    outOfRange: structuralArb(base, 'outOfRange'),
    badUnit: structuralArb(base, 'badUnit'),
    badFormat: structuralArb(base, 'badFormat'),
    badReference: structuralArb(base, 'badReference'),
    duplicateKey: duplicateKeyArb(base),
    syntaxError: syntaxErrorArb(base),
    empty: emptyArb(base),
    huge: hugeArb(base),
    overLimit: overLimitArb(base),
  };
}

/** Any case that must be reported; huge files and files over the limits are rarer, as each costs more. */
export function invalidCaseArb(base: BaseFiles): fc.Arbitrary<FuzzCase> {
  const { huge, overLimit, ...others } = invalidCaseArbs(base);
  return fc.oneof(
    ...Object.values(others).map((arbitrary) => ({ weight: 10, arbitrary })),
    { weight: 2, arbitrary: huge },
    { weight: 4, arbitrary: overLimit },
  );
}

/** Random edits of the text (insertions, deletions, swapped lines) that may or may not break it. */
export function junkCaseArb(base: BaseFiles): fc.Arbitrary<FuzzCase> {
  const edit = fc.oneof(
    fc
      .record({
        at: fc.nat(),
        text: fc.oneof(
          fc.string({ maxLength: 10 }),
          fc.string({ unit: 'grapheme', maxLength: 5 }),
          fc.constantFrom(':', '-', '{', '}', '[', ']', '&', '*', '!', '|', '>', '#', "'", '"'),
          fc.constantFrom('\t', '\n', ' ', '\u0000', '\uFEFF', '\r', ': ', '- ', '? '),
        ),
      })
      .map(({ at, text }) => ({
        describe: (length: number) => `insert ${JSON.stringify(text)} at ${at % (length + 1)}`,
        apply: (input: string) => {
          const offset = at % (input.length + 1);
          return input.slice(0, offset) + text + input.slice(offset);
        },
      })),
    fc.record({ at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }).map(({ at, length }) => ({
      describe: (size: number) => `delete ${length} characters at ${at % (size + 1)}`,
      apply: (input: string) => {
        const offset = at % (input.length + 1);
        return input.slice(0, offset) + input.slice(offset + length);
      },
    })),
    fc.record({ a: fc.nat(), b: fc.nat() }).map(({ a, b }) => ({
      describe: () => `swap lines ${a} and ${b} (modulo the line count)`,
      apply: (input: string) => {
        const lines = input.split('\n');
        const [i, j] = [a % lines.length, b % lines.length];
        [lines[i], lines[j]] = [lines[j], lines[i]];
        return lines.join('\n');
      },
    })),
  );
  return fc
    .tuple(targetArb(base), fc.array(edit, { minLength: 1, maxLength: 4 }))
    .map(([target, edits]) => {
      let text = base.texts.get(target.file) ?? '';
      const steps: string[] = [];
      for (const step of edits) {
        steps.push(step.describe(text.length));
        text = step.apply(text);
      }
      return described({ category: 'junk', ...target, text, steps });
    });
}

/**
 * Files beyond the loader's input limits (config/yaml-source.ts,
 * `INPUT_LIMITS`): alias bombs, one anchor used too often, long values used
 * too often, aliases nesting too deep, deep nesting, long values and keys,
 * too many keys and values, oversized files. Each starts from one of the
 * project's files and puts the shape under a key the schema knows (replacing
 * its value) or under an unknown key, and says which problem must come back.
 */
import * as fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { INPUT_LIMITS } from '../../config/yaml-source';
import type { BaseFiles, FuzzCase } from './cases';
import { CATALOGUE_FILE, describeCase, environmentFile } from './cases';

/** The problems that name each limit. */
export const LIMIT_PROBLEMS = {
  alias: /expanding alias '\*[^']+' here makes the file (hold|expand) more than/,
  depth: new RegExp(`nests mappings and lists more than ${INPUT_LIMITS.depth} levels deep`),
  long: /characters( long)?: a key or value may be at most/,
  nodes: /holds? more than [\d,]+ keys and values/,
  file: /a configuration file may be at most/,
};

/** Text standing for the value the shape replaces, in the written file. */
const MARKER = 'FUZZ_LIMIT_MARKER';

/** A shape: the YAML that goes where the marker stands, and the problem it must cause. */
interface Shape {
  readonly describe: string;
  /** Flow YAML on one line, for the marker's place. */
  readonly value: string;
  readonly expected: RegExp;
}

const names = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix}${index}`);

/** The classic "billion laughs": `levels` lists, each of `width` aliases of the one before. */
const aliasBombArb: fc.Arbitrary<Shape> = fc
  .record({ width: fc.integer({ min: 2, max: 12 }), levels: fc.integer({ min: 3, max: 14 }) })
  .map(({ width, levels }) => {
    // Enough levels that the last one alone exceeds the keys and values a file may hold.
    let depth = levels;
    while (width ** depth < 2 * INPUT_LIMITS.nodes) depth++;
    const anchors = names('fzl', depth);
    const lists = anchors.map((anchor, level) =>
      level === 0
        ? `&${anchor} [${Array(width).fill('lol').join(', ')}]`
        : `&${anchor} [${Array(width)
            .fill(`*${anchors[level - 1]}`)
            .join(', ')}]`,
    );
    return {
      describe: `alias bomb: ${depth} levels of ${width} aliases`,
      value: `[${lists.join(', ')}]`,
      expected: LIMIT_PROBLEMS.alias,
    };
  });

/** One anchored list of `width` items used `uses` times: more keys and values than allowed. */
const fanOutArb: fc.Arbitrary<Shape> = fc.integer({ min: 200, max: 5_000 }).map((width) => {
  const uses = Math.ceil((INPUT_LIMITS.nodes * 1.05) / (width + 1));
  return {
    describe: `an anchored list of ${width} items used ${uses} times`,
    value: `[&fzw [${Array(width).fill('x').join(', ')}], ${Array(uses).fill('*fzw').join(', ')}]`,
    expected: LIMIT_PROBLEMS.alias,
  };
});

/** A list of `width` aliases of one scalar, used `uses` times: more aliases than allowed. */
const aliasCountArb: fc.Arbitrary<Shape> = fc.integer({ min: 100, max: 2_000 }).map((width) => {
  const uses = Math.ceil((INPUT_LIMITS.aliases * 1.02) / (width + 1));
  return {
    describe: `a list of ${width} aliases used ${uses} times`,
    value: `[&fza 1, &fzb [${Array(width).fill('*fza').join(', ')}], ${Array(uses).fill('*fzb').join(', ')}]`,
    expected: LIMIT_PROBLEMS.alias,
  };
});

/** A long string used often enough to exceed the text a file may hold. */
const textFanOutArb: fc.Arbitrary<Shape> = fc
  .integer({ min: 10_000, max: INPUT_LIMITS.valueCharacters })
  .map((length) => {
    const uses = Math.ceil((INPUT_LIMITS.characters * 1.05) / length);
    return {
      describe: `a string of ${length} characters used ${uses} times`,
      value: `[&fzs ${'t'.repeat(length)}, ${Array(uses).fill('*fzs').join(', ')}]`,
      expected: LIMIT_PROBLEMS.alias,
    };
  });

/** Aliases of aliases that nest lists deeper than allowed, though the text is shallow. */
const aliasDepthArb: fc.Arbitrary<Shape> = fc
  .integer({ min: INPUT_LIMITS.depth / 2 + 1, max: INPUT_LIMITS.depth * 2 })
  .map((links) => {
    const anchors = names('fzd', links);
    const lists = anchors.map((anchor, index) =>
      index === 0 ? `&${anchor} [[1]]` : `&${anchor} [[*${anchors[index - 1]}]]`,
    );
    return {
      describe: `a chain of ${links} aliases, each two lists deeper`,
      value: `[${lists.join(', ')}]`,
      expected: LIMIT_PROBLEMS.depth,
    };
  });

/** Flow lists or mappings nested deeper than allowed. */
const deepArb: fc.Arbitrary<Shape> = fc
  .record({
    depth: fc.oneof(
      fc.integer({ min: INPUT_LIMITS.depth + 1, max: INPUT_LIMITS.depth * 4 }),
      fc.integer({ min: 1_000, max: 200_000 }),
    ),
    mapping: fc.boolean(),
  })
  .map(({ depth, mapping }) => ({
    describe: `${mapping ? 'mappings' : 'lists'} nested ${depth} levels deep`,
    value: mapping
      ? `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`
      : `${'['.repeat(depth)}1${']'.repeat(depth)}`,
    expected: LIMIT_PROBLEMS.depth,
  }));

/** One value longer than allowed. */
const longValueArb: fc.Arbitrary<Shape> = fc
  .integer({ min: INPUT_LIMITS.valueCharacters + 1, max: INPUT_LIMITS.valueCharacters * 8 })
  .map((length) => ({
    describe: `a value of ${length} characters`,
    value: 'v'.repeat(length),
    expected: LIMIT_PROBLEMS.long,
  }));

/** Shapes that go in place of a value. */
const valueShapeArb: fc.Arbitrary<Shape> = fc.oneof(
  { weight: 3, arbitrary: aliasBombArb },
  { weight: 2, arbitrary: fanOutArb },
  { weight: 1, arbitrary: aliasCountArb },
  { weight: 1, arbitrary: textFanOutArb },
  { weight: 2, arbitrary: aliasDepthArb },
  { weight: 3, arbitrary: deepArb },
  { weight: 2, arbitrary: longValueArb },
);

/** Every path of the document below its root, parents first. */
function pathsOf(data: unknown, at: readonly (string | number)[] = []): (string | number)[][] {
  if (data === null || typeof data !== 'object') return [];
  return Object.entries(data).flatMap(([key, child]) => {
    const next = [...at, Array.isArray(data) ? Number(key) : key];
    return [next, ...pathsOf(child, next)];
  });
}

/** Sets a value, as an own property even for names such as `__proto__`. */
function setAt(data: unknown, at: readonly (string | number)[], value: unknown): void {
  let parent = data as Record<string | number, unknown>;
  for (const part of at.slice(0, -1)) parent = parent[part] as Record<string | number, unknown>;
  Object.defineProperty(parent, at[at.length - 1], {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function pathText(at: readonly (string | number)[]): string {
  return at.map((part) => JSON.stringify(part)).join('.');
}

/** A file of the project, with a shape in place of a known value or under a new key. */
function placedArb(base: BaseFiles): fc.Arbitrary<FuzzCase> {
  return fc
    .record({
      environment: fc.constantFrom(...base.environments),
      catalogue: fc.boolean(),
      index: fc.nat(),
      known: fc.boolean(),
      shape: valueShapeArb,
    })
    .map(({ environment, catalogue, index, known, shape }) => {
      const file = catalogue ? CATALOGUE_FILE : environmentFile(environment);
      const document = parse(base.texts.get(file) ?? '') as Record<string, unknown>;
      const paths = pathsOf(document);
      let where: string;
      if (known && paths.length > 0) {
        const at = paths[index % paths.length];
        setAt(document, at, MARKER);
        where = `in place of ${pathText(at)}`;
      } else {
        const mappings = [[], ...paths].filter((at) => {
          let node: unknown = document;
          for (const part of at) node = (node as Record<string | number, unknown>)[part];
          return node !== null && typeof node === 'object' && !Array.isArray(node);
        });
        const at = [...mappings[index % mappings.length], 'fuzzLimitKey'];
        setAt(document, at, MARKER);
        where = `under the unknown key ${pathText(at)}`;
      }
      const text = stringify(document).replace(MARKER, () => shape.value);
      return described({
        category: 'overLimit',
        environment,
        file,
        text,
        steps: [`${shape.describe}, ${where}`],
        expected: shape.expected,
      });
    });
}

/** Whole-file shapes: a long key, too many keys and values, a file over the size limit. */
function fileShapeArb(base: BaseFiles): fc.Arbitrary<FuzzCase> {
  const shapes = fc.oneof(
    {
      weight: 2,
      arbitrary: fc
        .integer({ min: INPUT_LIMITS.valueCharacters + 1, max: INPUT_LIMITS.valueCharacters * 4 })
        .map((length) => ({
          describe: `an explicit key of ${length} characters at the top`,
          build: (text: string) => `${text}\n? ${'k'.repeat(length)}\n: 1\n`,
          expected: LIMIT_PROBLEMS.long,
        })),
    },
    {
      weight: 2,
      arbitrary: fc.integer({ min: 1, max: 100_000 }).map((extra) => ({
        describe: `comments up to ${extra} byte(s) over the file size limit`,
        build: (text: string) => {
          const missing = INPUT_LIMITS.fileBytes + extra - Buffer.byteLength(text) - 1;
          return `${text}\n${'#'.repeat(Math.max(missing, 1))}`;
        },
        expected: LIMIT_PROBLEMS.file,
      })),
    },
    {
      // Costs seconds: the parser reads a million tokens before refusing.
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 50_000 }).map((extra) => ({
        describe: `a list of ${INPUT_LIMITS.nodes + extra} numbers under an unknown key`,
        build: (text: string) =>
          `${text}\nfuzzLimitKey: [${Array(INPUT_LIMITS.nodes + extra)
            .fill('1')
            .join(',')}]\n`,
        expected: LIMIT_PROBLEMS.nodes,
      })),
    },
    {
      weight: 2,
      arbitrary: fc.integer({ min: INPUT_LIMITS.depth + 1, max: 2_000 }).map((depth) => ({
        describe: `block mappings nested ${depth} levels deep under an unknown key`,
        build: (text: string) =>
          `${text}\nfuzzLimitKey:\n${Array.from({ length: depth }, (_, level) => `${'  '.repeat(level + 1)}k${level}:`).join('\n')} 1\n`,
        expected: LIMIT_PROBLEMS.depth,
      })),
    },
  );
  return fc
    .record({
      environment: fc.constantFrom(...base.environments),
      catalogue: fc.boolean(),
      shape: shapes,
    })
    .map(({ environment, catalogue, shape }) => {
      const file = catalogue ? CATALOGUE_FILE : environmentFile(environment);
      return described({
        category: 'overLimit',
        environment,
        file,
        text: shape.build(base.texts.get(file) ?? ''),
        steps: [shape.describe],
        expected: shape.expected,
      });
    });
}

/** A file beyond one of the input limits. */
export function overLimitArb(base: BaseFiles): fc.Arbitrary<FuzzCase> {
  return fc.oneof(
    { weight: 4, arbitrary: placedArb(base) },
    { weight: 1, arbitrary: fileShapeArb(base) },
  );
}

/** A case as fast-check prints it: what was done, and the start of the text. */
function described(fuzzCase: Omit<FuzzCase, typeof fc.toStringMethod>): FuzzCase {
  return { ...fuzzCase, [fc.toStringMethod]: () => describeCase(fuzzCase) } as FuzzCase;
}

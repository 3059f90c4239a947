import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { loadFleet } from '../../config';
import { formatProblem, ProblemList } from '../../config/problems';
import { INPUT_LIMITS, parseYamlMap } from '../../config/yaml-source';
import { tempDir } from '../support/temp-dir';
import { writeEstate } from './estate';
import { CATALOGUE, environment, fixture, problemLines } from './support';

/** Problems of an environment `dev` with the standard catalogue (none when it loads), and the CPU time loading took. */
function load(text: string): { lines: string[]; cpuMs: number } {
  const rootDir = fixture({ catalogue: CATALOGUE, environments: { dev: text } });
  const started = process.cpuUsage();
  const result = loadFleet({ rootDir });
  const used = process.cpuUsage(started);
  const lines = result.ok ? [] : problemLines(result);
  return { lines, cpuMs: (used.user + used.system) / 1000 };
}

/** Problems of YAML text read on its own, as a file `x.yaml`. */
function parseProblems(text: string): string[] {
  const problems = new ProblemList();
  parseYamlMap(text, 'x.yaml', 'a mapping', problems);
  return problems.sorted().map(formatProblem);
}

/** The classic "billion laughs": ten levels, each ten aliases of the level below. */
function laughs(): string {
  const levels = ['&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let level = 1; level < 10; level++) {
    levels.push(
      `&l${level} [${Array(10)
        .fill(`*l${level - 1}`)
        .join(', ')}]`,
    );
  }
  return `[${levels.join(', ')}]`;
}

/** A worker placed on `dev` whose container sets `field` to `value` (flow YAML on one line, line 23). */
function workerWith(field: string, value: string): string {
  return environment(`
  worker:
    container:
      ${field}: ${value}
    sites:
      dev: {}
`);
}

/** `depth` flow lists inside one another around a 1. */
function nestedLists(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

beforeAll(() => {
  // Compiles the schemas, so that CPU times below measure reading the files.
  loadFleet({
    rootDir: fixture({ catalogue: CATALOGUE, environments: { dev: workerWith('args', '[a]') } }),
  });
});

describe('alias bombs', () => {
  test('nested aliases under an unknown key are refused at once, where they expand', () => {
    const { lines, cpuMs } = load(`${workerWith('args', '[a]')}laughs: ${laughs()}\n`);
    expect(lines).toEqual([
      "environments/dev.yaml:26:330 laughs[5][7]: expanding alias '*l4' here makes the file expand more than 100,000 aliases: a configuration file may expand at most 100,000, nested ones included",
    ]);
    expect(cpuMs).toBeLessThan(2000);
  });

  test('nested aliases under a known key are refused at once, at the field', () => {
    const { lines, cpuMs } = load(workerWith('args', laughs()));
    expect(lines).toEqual([
      "environments/dev.yaml:23:334 agents.worker.container.args[5][7]: expanding alias '*l4' here makes the file expand more than 100,000 aliases: a configuration file may expand at most 100,000, nested ones included",
    ]);
    expect(cpuMs).toBeLessThan(2000);
  });

  test('one wide anchor used many times is refused at the use that exceeds the keys and values', () => {
    const wide = `&wide [${Array(1000).fill('x').join(', ')}]`;
    const uses = Array(1100).fill('*wide').join(', ');
    const { lines } = load(workerWith('env', `{ A: ${wide}, B: [${uses}] }`));
    expect(lines).toEqual([
      // 997 uses of 1,001 keys and values each, after the rest of the file.
      "environments/dev.yaml:23:10008 agents.worker.container.env.B[997]: expanding alias '*wide' here makes the file hold more than 1,000,000 keys and values: a configuration file may hold at most 1,000,000, each alias counted as the keys and values it stands for",
    ]);
  });

  test('a long value used many times is refused at the use that exceeds the text', () => {
    const long = `&long ${'x'.repeat(100_000)}`;
    const uses = Array(100).fill('*long').join(', ');
    const { lines } = load(workerWith('args', `[${long}, ${uses}]`));
    expect(lines).toEqual([
      // The anchor and 83 uses of 100,000 characters each, after the rest of the file.
      "environments/dev.yaml:23:100596 agents.worker.container.args[83]: expanding alias '*long' here makes the file hold more than 8 MiB of text in keys and values: a configuration file may hold at most 8 MiB, each alias counted as the text it stands for",
    ]);
  });

  test('aliases that nest lists deeper than the limit are refused once', () => {
    const chain = ['k0: &k0 [[1]]'];
    for (let i = 1; i < 40; i++) chain.push(`k${i}: &k${i} [[*k${i - 1}]]`);
    const lines = parseProblems(chain.join('\n'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^x\.yaml:1:10 k31(\[0\]){63}: nests mappings and lists more than 64 levels deep: a configuration file may nest at most 64$/,
    );
  });

  test('aliases within the budgets expand as before', () => {
    const { lines } = load(
      environment(`
  worker:
    container:
      env: &env { A: '1', B: '2' }
    sites:
      dev: {}
  gpu-worker:
    container:
      env: *env
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual([]);
  });
});

describe('one value', () => {
  test(`a value longer than ${INPUT_LIMITS.valueCharacters} characters is reported at its field`, () => {
    const { lines } = load(
      workerWith('env', `{ BIG: ${'x'.repeat(INPUT_LIMITS.valueCharacters + 1)} }`),
    );
    expect(lines).toEqual([
      'environments/dev.yaml:23:14 agents.worker.container.env.BIG: is 131,073 characters long: a key or value may be at most 131,072 (128 KiB), the longest argument or environment variable Linux passes to a program',
    ]);
  });

  test('a value of exactly the limit is read; a longer key is reported at its mapping, not repeated', () => {
    expect(parseProblems(`a: ${'x'.repeat(INPUT_LIMITS.valueCharacters)}\n`)).toEqual([]);
    const key = 'k'.repeat(INPUT_LIMITS.valueCharacters + 1);
    expect(parseProblems(`top:\n  ? ${key}\n  : 1\n`)).toEqual([
      'x.yaml:2:5 top: has a key of 131,073 characters: a key or value may be at most 131,072 (128 KiB), the longest argument or environment variable Linux passes to a program',
    ]);
  });
});

describe('nesting', () => {
  test('lists nested deeper than the limit are reported at the list, with its field', () => {
    const { lines } = load(workerWith('args', nestedLists(INPUT_LIMITS.depth)));
    expect(lines).toEqual([
      `environments/dev.yaml:23:${13 + INPUT_LIMITS.depth - 4} agents.worker.container.args${'[0]'.repeat(INPUT_LIMITS.depth - 4)}: nests mappings and lists more than 64 levels deep: a configuration file may nest at most 64`,
    ]);
  });

  test('mappings nested deeper than the limit, in block style, are reported at the key', () => {
    const keys = Array.from({ length: 70 }, (_, level) => `${'  '.repeat(level + 1)}k${level}:`);
    const lines = parseProblems(`top:\n${keys.join('\n')} 1\n`);
    expect(lines).toEqual([
      `x.yaml:65:129 top.${Array.from({ length: 63 }, (_, level) => `k${level}`).join('.')}: nests mappings and lists more than 64 levels deep: a configuration file may nest at most 64`,
    ]);
  });

  test('nesting of exactly the limit is read; a hundred thousand levels are refused without overflowing the stack', () => {
    expect(parseProblems(`a: ${nestedLists(INPUT_LIMITS.depth - 1)}\n`)).toEqual([]);
    const lines = parseProblems(`a: ${nestedLists(100_000)}\n`);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^x\.yaml:1:67 a(\[0\]){63}: nests mappings and lists more than 64/);
  });
});

describe('files', () => {
  test('a file over the size limit is refused before it is parsed; one of exactly the limit loads', () => {
    const text = workerWith('args', '[a]');
    const padding = INPUT_LIMITS.fileBytes - Buffer.byteLength(text);
    const line = `# ${'-'.repeat(77)}\n`;
    const comments = line.repeat(Math.floor(padding / line.length));
    const atLimit = comments + '#'.repeat(padding - comments.length - 1) + '\n' + text;
    expect(Buffer.byteLength(atLimit)).toBe(INPUT_LIMITS.fileBytes);
    expect(load(atLimit).lines).toEqual([]);
    expect(load(`#${atLimit}`).lines).toEqual([
      'environments/dev.yaml:1:1 is 8.0 MiB (8,388,609 bytes): a configuration file may be at most 8 MiB',
    ]);
  });

  test('a FIFO or a device is not read', () => {
    const rootDir = fixture({ catalogue: CATALOGUE });
    execFileSync('mkfifo', [path.join(rootDir, 'environments', 'fifo.yaml')]);
    fs.symlinkSync('/dev/zero', path.join(rootDir, 'environments', 'zero.yaml'));
    expect(problemLines(loadFleet({ rootDir }))).toEqual([
      'environments/fifo.yaml:1:1 is not a regular file: a FIFO, socket or device is never read',
      'environments/zero.yaml:1:1 is not a regular file: a FIFO, socket or device is never read',
    ]);
  });

  test('a large mapping is read in time linear in its size', () => {
    // The yaml package compares each key with every earlier key of its
    // mapping: 60,000 keys took about a minute there.
    const entries = Array.from({ length: 60_000 }, (_, i) => `  VAR_${i}: value-${i}`);
    const started = process.cpuUsage();
    expect(parseProblems(`env:\n${entries.join('\n')}\n`)).toEqual([]);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(8000);
    expect(parseProblems('a: 1\nb: 2\na: 3\n')).toEqual([
      'x.yaml:3:1 YAML: Map keys must be unique',
    ]);
  });
});

describe('a large estate', () => {
  test('50 sites running 200 agent types each load, well within every limit', () => {
    const rootDir = tempDir('fleet-estate');
    const estate = writeEstate(rootDir, { sites: 50, agentTypes: 200 });
    for (const [file, bytes] of [
      ['fleet/agent-types.yaml', estate.catalogueBytes],
      ['environments/estate.yaml', estate.environmentBytes],
    ] as const) {
      expect(bytes).toBeLessThan(INPUT_LIMITS.fileBytes / 4);
      const size = measure(parse(fs.readFileSync(path.join(rootDir, file), 'utf8')));
      expect(size.nodes).toBeLessThan(INPUT_LIMITS.nodes / 4);
      expect(size.characters).toBeLessThan(INPUT_LIMITS.characters / 4);
      expect(size.depth).toBeLessThan(INPUT_LIMITS.depth / 4);
      expect(size.longest).toBeLessThan(INPUT_LIMITS.valueCharacters / 100);
    }
    const result = loadFleet({ rootDir, environments: [estate.environment] });
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    expect(result.ok && result.environments[0].deployments).toHaveLength(50 * 200);
  }, 180_000);
});

/** Keys and values, characters, depth and the longest key or value of plain YAML data. */
function measure(value: unknown): {
  nodes: number;
  characters: number;
  depth: number;
  longest: number;
} {
  const size = { nodes: 0, characters: 0, depth: 0, longest: 0 };
  const walk = (node: unknown, depth: number): void => {
    size.nodes++;
    const text = (item: string) => {
      size.characters += item.length;
      size.longest = Math.max(size.longest, item.length);
    };
    if (typeof node === 'string') text(node);
    if (node === null || typeof node !== 'object') return;
    size.depth = Math.max(size.depth, depth + 1);
    for (const [key, child] of Object.entries(node)) {
      if (!Array.isArray(node)) {
        size.nodes++;
        text(key);
      }
      walk(child, depth + 1);
    }
  };
  walk(value, 0);
  return size;
}

import * as fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { formatProblem, ProblemList } from '../../config/problems';
import { parseYamlMap, toPlain } from '../../config/yaml-source';

function parse(text: string): { value: unknown; problems: string[] } {
  const problems = new ProblemList();
  const map = parseYamlMap(text, 'agents.yaml', 'a mapping', problems);
  return {
    value: map ? toPlain(map) : undefined,
    problems: problems.sorted().map(formatProblem),
  };
}

describe('YAML anchors and aliases', () => {
  it('expands an alias to the latest anchor of its name before it', () => {
    const { value, problems } = parse(
      [
        'probes: &probe { path: /healthz }',
        'first: *probe',
        'shadow: &probe { path: /ready }',
        'second: *probe',
        'nested: &outer { inner: &probe { path: /live } }',
        'third: *probe',
        'again: *outer',
        'fourth: *probe',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(value).toMatchObject({
      first: { path: '/healthz' },
      second: { path: '/ready' },
      third: { path: '/live' },
      again: { inner: { path: '/live' } },
      fourth: { path: '/live' },
    });
  });

  it('expands an alias inside an expanded one to the anchor before where it stands', () => {
    const { value, problems } = parse(
      ['base: &p 1', 'outer: &o { x: *p }', 'shadow: &p 2', 'use: *o', 'later: *p'].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(value).toMatchObject({ outer: { x: 1 }, use: { x: 1 }, later: 2 });
  });

  it('finds anchors on keys, as YAML allows', () => {
    const { value, problems } = parse(['&k name: 1', 'other: *k'].join('\n'));
    expect(problems).toEqual([]);
    expect(value).toEqual({ name: 1, other: 'name' });
  });

  it('names an alias that refers to itself, with its line', () => {
    expect(parse('a: &loop [1, *loop]\n').problems).toEqual([
      "agents.yaml:1:14 a[1][1]: YAML: alias '*loop' refers to itself",
    ]);
  });
});

describe('YAML aliases against the yaml package', () => {
  /** Lines `k<i>: <value>`, each value a scalar or flow map, maybe anchored, maybe an alias. */
  const documents = fc
    .array(
      fc.record({
        anchor: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
        value: fc.oneof(
          fc.integer({ min: 0, max: 9 }).map(String),
          fc.constantFrom('*a', '*b', '*c'),
          fc
            .array(fc.oneof(fc.constantFrom('*a', '*b', '*c'), fc.constant('1')), {
              minLength: 1,
              maxLength: 3,
            })
            .map((items) => `{ ${items.map((item, i) => `n${i}: ${item}`).join(', ')} }`),
        ),
      }),
      { minLength: 1, maxLength: 12 },
    )
    .map((lines) =>
      lines
        .map(({ anchor, value }, i) =>
          anchor && !value.startsWith('*') ? `k${i}: &${anchor} ${value}` : `k${i}: ${value}`,
        )
        .join('\n'),
    );

  it('expands every alias to what yaml.parse gives, or reports the unknown or cyclic one', () => {
    fc.assert(
      fc.property(documents, (text) => {
        const ours = parse(text);
        let theirs: unknown;
        try {
          theirs = parseYaml(text);
        } catch {
          // An alias before any anchor of its name: the yaml package throws.
          expect(ours.problems.join('\n')).toMatch(/unknown alias/);
          return;
        }
        if (ours.problems.some((problem) => problem.includes('refers to itself'))) {
          // The yaml package builds a cyclic object; a configuration refuses it.
          expect(() => JSON.stringify(theirs)).toThrow(/circular/);
          return;
        }
        expect(ours.problems).toEqual([]);
        expect(ours.value).toEqual(theirs);
      }),
      { seed: 20261125, numRuns: 300 },
    );
  });
});

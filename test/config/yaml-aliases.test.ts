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

  it('names an alias that refers to itself, with its line', () => {
    expect(parse('a: &loop [1, *loop]\n').problems).toEqual([
      "agents.yaml:1:14 a[1][1]: YAML: alias '*loop' refers to itself",
    ]);
  });
});

import { mergeOverride } from '../../config/merge';
import { ProblemList } from '../../config/problems';
import { locate, parseYamlMap, SourceMap, SourceNode, toPlain } from '../../config/yaml-source';

function yaml(file: string, text: string): SourceMap {
  const problems = new ProblemList();
  const map = parseYamlMap(text, file, 'a mapping', problems);
  if (!map) throw new Error(JSON.stringify(problems.sorted()));
  return map;
}

function originOf(node: SourceNode, path: (string | number)[]): string {
  const { node: found, rest } = locate(node, path);
  return `${found.origin.file}:${found.origin.line}:${found.origin.column}${rest.length ? ` +${rest.join('.')}` : ''}`;
}

describe('mergeOverride', () => {
  const base = yaml(
    'base.yaml',
    [
      'scaling:',
      '  minReplicas: 1',
      '  maxReplicas: 10',
      '  cpu: { targetUtilization: 70 }',
      '  cron:',
      '    - { start: 0 8 * * *, end: 0 18 * * *, replicas: 3 }',
      'env: { A: a, B: b }',
    ].join('\n'),
  );
  const override = yaml(
    'override.yaml',
    [
      'scaling:',
      '  maxReplicas: 4',
      '  cpu: null',
      '  cron:',
      '    - { start: 0 9 * * *, end: 0 17 * * *, replicas: 2 }',
      'env: { B: null, C: c }',
    ].join('\n'),
  );
  const merged = mergeOverride(base, override);

  test('merges mappings key by key, replaces sequences and scalars, and removes null keys', () => {
    expect(toPlain(merged)).toEqual({
      scaling: {
        minReplicas: 1,
        maxReplicas: 4,
        cron: [{ start: '0 9 * * *', end: '0 17 * * *', replicas: 2 }],
      },
      env: { A: 'a', C: 'c' },
    });
  });

  test('remembers where each value came from', () => {
    expect(originOf(merged, ['scaling', 'minReplicas'])).toBe('base.yaml:2:3');
    expect(originOf(merged, ['scaling', 'maxReplicas'])).toBe('override.yaml:2:3');
    expect(originOf(merged, ['scaling', 'cron', 0, 'replicas'])).toBe('override.yaml:5:44');
    expect(originOf(merged, ['scaling'])).toBe('override.yaml:1:1');
    expect(originOf(merged, ['env', 'A'])).toBe('base.yaml:7:8');
  });

  test('keeps a removed key at the position of its null', () => {
    expect(locate(merged, ['scaling', 'cpu']).node.kind).toBe('removed');
    expect(originOf(merged, ['scaling', 'cpu', 'targetUtilization'])).toBe(
      'override.yaml:3:3 +targetUtilization',
    );
  });

  test('does not change its inputs', () => {
    expect(toPlain(base)).toEqual({
      scaling: {
        minReplicas: 1,
        maxReplicas: 10,
        cpu: { targetUtilization: 70 },
        cron: [{ start: '0 8 * * *', end: '0 18 * * *', replicas: 3 }],
      },
      env: { A: 'a', B: 'b' },
    });
  });
});

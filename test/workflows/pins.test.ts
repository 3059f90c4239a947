import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

/**
 * Every action the workflows run is pinned by content: a tag can be moved by
 * whoever controls the action's repository, a commit SHA cannot. The version
 * the SHA was taken from stays beside it as a comment, for readers and for
 * tools that update pins (Dependabot, pinact).
 */

const WORKFLOW_DIR = path.resolve(__dirname, '../../.github/workflows');
const FILES = fs
  .readdirSync(WORKFLOW_DIR)
  .filter((file) => /\.ya?ml$/.test(file))
  .sort();

/** Why a `uses:` value is not pinned by content, or undefined when it is. */
function pinProblem(uses: string): string | undefined {
  if (uses.startsWith('./')) return undefined;
  if (uses.startsWith('docker://')) {
    return /^docker:\/\/[^@\s]+@sha256:[0-9a-f]{64}$/.test(uses)
      ? undefined
      : `'${uses}' names an image by tag: pin it by digest (docker://<image>@sha256:<digest>)`;
  }
  const match = /^([\w.-]+\/[\w.-]+(?:\/[\w./-]+)?)@(.+)$/.exec(uses);
  if (!match) return `'${uses}' is not <owner>/<repo>[/<path>]@<ref>`;
  return /^[0-9a-f]{40}$/.test(match[2])
    ? undefined
    : `'${uses}' is pinned by '${match[2]}', which can be moved: pin the full 40-character commit SHA with the version in a comment`;
}

/** Each `uses:` line of a workflow file, as written: value and trailing comment. */
function usesLines(file: string): { line: number; uses: string; comment?: string }[] {
  const text = fs.readFileSync(path.join(WORKFLOW_DIR, file), 'utf8');
  return text.split('\n').flatMap((line, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*(['"]?)([^'"\s#]+)\1\s*(?:#\s*(.*?))?\s*$/.exec(line);
    return match ? [{ line: index + 1, uses: match[2], comment: match[3] }] : [];
  });
}

/** Each `uses:` of a parsed workflow: steps' actions and jobs' reusable workflows. */
function parsedUses(file: string): string[] {
  const workflow = parse(fs.readFileSync(path.join(WORKFLOW_DIR, file), 'utf8')) as {
    jobs: Record<string, { uses?: string; steps?: { uses?: string }[] }>;
  };
  return Object.values(workflow.jobs).flatMap((job) => [
    ...(job.uses ? [job.uses] : []),
    ...(job.steps ?? []).flatMap((step) => (step.uses ? [step.uses] : [])),
  ]);
}

describe('pinning actions by content', () => {
  it.each([
    'actions/checkout@v4.2.2',
    'actions/checkout@v4',
    'actions/checkout@main',
    'actions/checkout@11bd719',
    'actions/checkout@11BD71901BBE5B1630CEEA73D27597364C9AF683',
    'github/codeql-action/init@v3',
    'docker://alpine:3.20',
    'docker://alpine@sha256:1234',
    'actions/checkout',
  ])('refuses %s', (uses) => {
    expect(pinProblem(uses)).toBeDefined();
  });

  it.each([
    'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683',
    'github/codeql-action/init@11bd71901bbe5b1630ceea73d27597364c9af683',
    './.github/actions/setup',
    `docker://alpine@sha256:${'a'.repeat(64)}`,
  ])('accepts %s', (uses) => {
    expect(pinProblem(uses)).toBeUndefined();
  });

  it('reads the same uses: lines as the YAML parser', () => {
    for (const file of FILES) {
      expect({ file, uses: usesLines(file).map((u) => u.uses) }).toEqual({
        file,
        uses: parsedUses(file),
      });
    }
  });

  it.each(FILES)('%s pins every action by its commit SHA, with the version', (file) => {
    const lines = usesLines(file);
    expect(lines.length).toBeGreaterThan(0);
    const problems = lines.flatMap(({ line, uses, comment }) => {
      const problem = pinProblem(uses);
      if (problem) return [`${file}:${line}: ${problem}`];
      if (/^[\w.-]+\/.+@[0-9a-f]{40}$/.test(uses) && !/^v\d+(\.\d+){0,2}$/.test(comment ?? '')) {
        return [`${file}:${line}: '${uses}' needs the version it was taken from: '# vX.Y.Z'`];
      }
      return [];
    });
    expect(problems).toEqual([]);
  });

  it('gives one version of an action one SHA, and one SHA one version, in every file', () => {
    const byAction = new Map<string, Set<string>>();
    for (const file of FILES) {
      for (const { uses, comment } of usesLines(file)) {
        const [action, sha] = uses.split('@');
        if (!sha || !comment) continue;
        const pins = byAction.get(action) ?? new Set<string>();
        pins.add(`${comment} ${sha}`);
        byAction.set(action, pins);
      }
    }
    for (const [action, pins] of byAction) {
      const versions = [...pins].map((pin) => pin.split(' ')[0]);
      const shas = [...pins].map((pin) => pin.split(' ')[1]);
      expect({ action, versions: new Set(versions).size, shas: new Set(shas).size }).toEqual({
        action,
        versions: pins.size,
        shas: pins.size,
      });
    }
  });
});

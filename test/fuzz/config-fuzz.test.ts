import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { copyProjectConfig, snapshotTree, startMain } from '../support/project';
import { tempDir } from '../support/temp-dir';
import { REPO } from '../support/typescript-process';
import {
  describeCase,
  environmentFile,
  FuzzCase,
  invalidCaseArb,
  invalidCaseArbs,
  junkCaseArb,
  readBaseFiles,
} from './generators';
import { PROBLEM_LINE, STACK_TRACE, violations, Workspace } from './harness';

const SEED = 20261125;

const base = readBaseFiles(REPO);
const workspace = new Workspace(REPO);
afterAll(() => workspace.dispose());

/** Fails with the violations of a case, or passes. */
function check(fuzzCase: FuzzCase, mayLoad: boolean): void {
  const found = violations(
    fuzzCase,
    workspace.load(fuzzCase),
    (file) => workspace.text(file),
    mayLoad,
  );
  if (found.length > 0) throw new Error(found.join('\n'));
}

/**
 * A few cases through `main.ts` in child processes, started before the
 * in-process properties so that they run alongside them.
 */
function startSynthRuns() {
  const arbitraries = invalidCaseArbs(base);
  const cases = (['badUnit', 'syntaxError', 'badReference'] as const).map(
    (category) => fc.sample(arbitraries[category], { seed: SEED, numRuns: 1 })[0],
  );
  return Promise.all(
    cases.map(async (fuzzCase) => {
      const root = tempDir('fleet-fuzz-main');
      copyProjectConfig(root);
      fs.writeFileSync(path.join(root, fuzzCase.file), fuzzCase.text);
      fs.mkdirSync(path.join(root, 'cdktf.out/stacks/old'), { recursive: true });
      fs.writeFileSync(path.join(root, 'cdktf.out/previous.txt'), 'output of an earlier synth\n');
      fs.writeFileSync(path.join(root, 'cdktf.out/stacks/old/cdk.tf.json'), '{"resource":{}}\n');
      const before = snapshotTree(path.join(root, 'cdktf.out'));
      const result = await startMain(root, [fuzzCase.environment]);
      return { fuzzCase, result, unchanged: snapshotTree(path.join(root, 'cdktf.out')), before };
    }),
  );
}

let synthRuns: ReturnType<typeof startSynthRuns>;
beforeAll(() => {
  synthRuns = startSynthRuns();
});

describe('loading generated environment and catalogue files', () => {
  it('starts from files that load once parsed and written back, so every problem is an edit', () => {
    for (const [file, text] of base.texts) {
      for (const environment of base.environments) {
        if (file !== 'fleet/agent-types.yaml' && file !== environmentFile(environment)) continue;
        const fuzzCase = {
          category: 'junk',
          environment,
          file,
          text: stringify(parse(text)),
          steps: ['none'],
        } as const;
        expect(
          violations(fuzzCase, workspace.load(fuzzCase), (f) => workspace.text(f), true),
        ).toEqual([]);
        expect(workspace.load(fuzzCase).result?.ok).toBe(true);
      }
    }
  });

  it('reports every broken file with file, line, column and field, without throwing or a stack trace', () => {
    fc.assert(
      fc.property(invalidCaseArb(base), (fuzzCase) => check(fuzzCase, false)),
      { seed: SEED, numRuns: 300 },
    );
  }, 60_000);

  it("refuses files beyond the input limits with the limit's own problem, in bounded time", () => {
    fc.assert(
      fc.property(invalidCaseArbs(base).overLimit, (fuzzCase) => check(fuzzCase, false)),
      { seed: SEED, numRuns: 60 },
    );
  }, 120_000);

  it('never throws on random edits of the text, and reports what it refuses well-formed', () => {
    fc.assert(
      fc.property(junkCaseArb(base), (fuzzCase) => check(fuzzCase, true)),
      { seed: SEED, numRuns: 100 },
    );
  }, 60_000);
});

describe('npm run synth on generated broken files', () => {
  it('exits non-zero, prints one well-formed line per problem and leaves cdktf.out as it was', async () => {
    for (const { fuzzCase, result, unchanged, before } of await synthRuns) {
      const context = describeCase(fuzzCase);
      expect({ context, status: result.status }).toEqual({ context, status: 1 });
      expect(result.stdout).toBe('');
      const [problems, summary] = result.stderr.trimEnd().split('\n\n');
      expect(summary).toMatch(/^\d+ problem\(s\) in the environment files; nothing was written\.$/);
      for (const line of problems.split('\n')) expect(line).toMatch(PROBLEM_LINE);
      expect(result.stderr).not.toMatch(STACK_TRACE);
      expect(unchanged).toEqual(before);
    }
  }, 60_000);
});

/**
 * `npm run fuzz [-- --runs N] [--seed S]`: the long run of the loader's
 * property tests (test/fuzz/config-fuzz.test.ts), with the same generators.
 * Generates N broken environment and catalogue files (default 10,000, plus a
 * tenth as many random edits that need not be invalid), loads each in a
 * scratch copy of the project, and checks that loading reports problems, each
 * naming the file, line, column and field, with no stack trace and nothing
 * thrown, within a bound of CPU time per case; files beyond the input limits
 * (alias bombs, deep nesting, long values, oversized files) must be refused
 * with the limit's own problem. Then plants as many made-up credentials of
 * each common family at random places of a stack's strings and checks that the
 * secret scanner synth runs (GR-SEC-05) finds each. Prints the seed (random unless given), the case
 * count, the slowest case and any counterexample, shrunk; exits 1 when one is
 * found.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as fc from 'fast-check';
import { startProgress } from '../app/progress';
import {
  describeCase,
  FuzzCase,
  invalidCaseArb,
  junkCaseArb,
  readBaseFiles,
} from '../test/fuzz/generators';
import { violations, Workspace } from '../test/fuzz/harness';
import { missedSecret, PlantedSecret, plantedSecretArb } from '../test/fuzz/secret-values';

const ROOT = path.resolve(__dirname, '..');

function option(args: readonly string[], name: string): number | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = Number(args[index + 1]);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} needs a whole number`);
  return value;
}

function run(args: readonly string[]): number {
  const runs = option(args, '--runs') ?? 10_000;
  const seed = option(args, '--seed') ?? Math.floor(Math.random() * 2 ** 31);
  const base = readBaseFiles(ROOT);
  const workspace = new Workspace(ROOT);
  let failed: { fuzzCase: FuzzCase; found: string[] } | undefined;
  let slowest: { cpuMs: number; fuzzCase?: FuzzCase } = { cpuMs: 0 };
  let overLimit = 0;
  const brokenRuns = runs;
  const editRuns = Math.ceil(runs / 10);
  const progress = startProgress({
    label: 'fuzz',
    total: brokenRuns + editRuns + runs,
    unit: 'cases',
  });
  // Shrinking a counterexample runs more cases than planned: the count stops at the suite's end.
  let suiteStart = 0;
  let suiteRuns = 0;
  let suiteDone = 0;
  let suiteName = '';
  const counted = () => {
    suiteDone = Math.min(suiteDone + 1, suiteRuns);
    progress.update(suiteStart + suiteDone, suiteName);
  };
  const beginSuite = (name: string, count: number) => {
    suiteStart += suiteRuns;
    suiteRuns = count;
    suiteDone = 0;
    suiteName = name;
  };
  const report = (line: string) => progress.log(line, process.stdout);
  const property = (mayLoad: boolean) => (fuzzCase: FuzzCase) => {
    counted();
    const outcome = workspace.load(fuzzCase);
    if ((outcome.cpuMs ?? 0) > slowest.cpuMs) slowest = { cpuMs: outcome.cpuMs ?? 0, fuzzCase };
    if (fuzzCase.category === 'overLimit') overLimit++;
    const found = violations(fuzzCase, outcome, (f) => workspace.text(f), mayLoad);
    if (found.length > 0) failed = { fuzzCase, found };
    return found.length === 0;
  };
  console.log(`fuzzing the configuration loader: seed ${seed}, ${runs} case(s)`);
  const started = Date.now();
  try {
    const suites = [
      { name: 'broken files', arbitrary: invalidCaseArb(base), runs: brokenRuns, mayLoad: false },
      { name: 'random edits', arbitrary: junkCaseArb(base), runs: editRuns, mayLoad: true },
    ];
    for (const suite of suites) {
      beginSuite(suite.name, suite.runs);
      const details = fc.check(fc.property(suite.arbitrary, property(suite.mayLoad)), {
        seed,
        numRuns: suite.runs,
      });
      report(
        `${suite.name}: ${details.numRuns} case(s) run, ${details.numShrinks} shrink(s), ${
          details.failed ? 'FAILED' : 'passed'
        }`,
      );
      if (details.failed) {
        const counterexample = details.counterexample?.[0] as FuzzCase | undefined;
        const shown = counterexample ?? failed?.fuzzCase;
        if (shown) {
          const found = violations(
            shown,
            workspace.load(shown),
            (f) => workspace.text(f),
            suite.mayLoad,
          );
          const saved = path.join(os.tmpdir(), `fuzz-counterexample-${seed}.yaml`);
          fs.writeFileSync(saved, shown.text);
          report(`\ncounterexample (after ${details.numRuns} case(s)):\n${describeCase(shown)}`);
          report(`\n${(found.length > 0 ? found : (failed?.found ?? [])).join('\n')}`);
          report(`\nfull text written to ${saved}; replay with --seed ${seed}`);
        }
        if (details.errorInstance) report(String(details.errorInstance));
        return 1;
      }
    }
    beginSuite('secret-bearing values', runs);
    const secrets = fc.check(
      fc.property(plantedSecretArb, (planted) => {
        counted();
        return missedSecret(planted).length === 0;
      }),
      { seed, numRuns: runs },
    );
    report(
      `secret-bearing values: ${secrets.numRuns} case(s) run, ${secrets.numShrinks} shrink(s), ${
        secrets.failed ? 'FAILED' : 'passed'
      }`,
    );
    if (secrets.failed) {
      const planted = secrets.counterexample?.[0] as PlantedSecret | undefined;
      if (planted) report(`\n${missedSecret(planted).join('\n')}\nreplay with --seed ${seed}`);
      return 1;
    }
  } finally {
    workspace.dispose();
    progress.finish(
      `${suiteStart + suiteDone} case(s) run in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const slowestCase = slowest.fuzzCase;
  console.log(
    `${overLimit} case(s) beyond the input limits; slowest case ${(slowest.cpuMs / 1000).toFixed(1)} s of CPU${
      slowestCase ? ` (${slowestCase.category}: ${slowestCase.steps.join('; ')})` : ''
    }`,
  );
  console.log(`all cases passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}

process.exitCode = run(process.argv.slice(2));

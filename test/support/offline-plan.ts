import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { findProviderMirror } from '../../scripts/terraform/cli-config';
import { planStacks, StackPlan, terraformVersion } from '../../scripts/terraform/offline-plan';
import { tempDir } from './temp-dir';

/**
 * The AWS provider mirror to plan with, when terraform and the mirror are here.
 * Outside CI their absence skips the plan of `what`, saying so; under `CI=true`
 * it fails.
 */
export function offlinePlanMirror(what: string): string | undefined {
  let mirror: string | undefined;
  let reason: string | undefined;
  try {
    mirror = findProviderMirror();
    if (!mirror) reason = 'no AWS provider mirror: set TF_PROVIDER_MIRROR';
  } catch (error) {
    reason = (error as Error).message;
  }
  if (!terraformVersion()) reason = 'terraform is not on the PATH';
  if (!reason && mirror) return mirror;
  if (process.env.CI === 'true')
    throw new Error(`The offline plan of ${what} cannot run: ${reason}`);
  console.warn(`Skipping the offline terraform plan of ${what}. ${reason}`);
  return undefined;
}

/** Synthesizes a fixture app into `<dir>/cdktf.out` and returns that folder. */
function synthFixture(dir: string, build: (app: App) => void): string {
  const outdir = path.join(dir, 'cdktf.out');
  const app = new App({ outdir });
  build(app);
  app.synth();
  return outdir;
}

/** Resources a synthesized stack declares, counted by type. */
function declaredCounts(config: Record<string, any>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(config.resource).map(([type, byName]) => [
      type,
      Object.keys(byName as object).length,
    ]),
  );
}

/** Plans the single stack of `outdir` offline and prints its timings. */
async function planFixture(
  outdir: string,
  options: { mirror: string; workDir: string; env?: NodeJS.ProcessEnv },
): Promise<StackPlan> {
  const [result] = await planStacks({ outdir, ...options });
  console.log(
    `offline plan of ${result.stack}: ${result.seconds.toFixed(1)} s ` +
      `(init ${result.phases.init?.toFixed(1)} s, plan ${result.phases.plan?.toFixed(1)} s, ` +
      `show ${result.phases.show?.toFixed(1)} s), ${result.counts.add} to add`,
  );
  return result;
}

/** Asserts a plan has no error or warning and adds exactly `expected`, by type, nothing else. */
function expectOnlyAdditions(result: StackPlan, expected: Readonly<Record<string, number>>): void {
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
  expect(result.ok).toBe(true);
  const total = Object.values(expected).reduce((sum, count) => sum + count, 0);
  expect(result.counts).toEqual({ add: total, change: 0, destroy: 0 });
  expect(result.byType).toEqual(
    Object.fromEntries(
      Object.entries(expected).map(([type, add]) => [type, { add, change: 0, destroy: 0 }]),
    ),
  );
}

/** The planned values of every resource of a type, in plan order. */
export function plannedValues(result: StackPlan, type: string): Record<string, any>[] {
  return (result.plan?.resource_changes ?? [])
    .filter((change) => change.type === type)
    .map((change) => change.change.after as Record<string, any>);
}

/** A fixture stack for an offline plan. */
export interface PlanFixture {
  /** What the suites are about, e.g. `the EKS fixture`. */
  readonly fixture: string;
  /** Title of the planning suite, e.g. `a real terraform plan of an EKS site, offline`. */
  readonly title: string;
  /** Id of the fixture's one stack. */
  readonly stack: string;
  /** Adds the stack to an app. */
  readonly build: (app: App) => void;
  /** Resources the stack declares and the plan adds, by type. */
  readonly expected: Readonly<Record<string, number>>;
  /** Environment the Terraform environment is derived from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** What the tests of a fixture read; `plan()` only in the planning suite. */
export interface FixtureResults {
  /** The stack's `cdk.tf.json` as written. */
  text(): string;
  config(): Record<string, any>;
  plan(): StackPlan;
}

/**
 * The two suites of a plan fixture, synthesized once:
 * - `<fixture>`: the stack declares exactly the expected resources and no data
 *   source (always runs), plus the tests `declared` adds;
 * - `<title>`: a real plan offline adds exactly those, without error or warning,
 *   plus the tests `planned` adds. Skipped, saying why, where terraform or the
 *   provider mirror is missing, except under `CI=true`.
 */
export function describePlanFixture(
  fixture: PlanFixture,
  tests: {
    readonly declared?: (results: FixtureResults) => void;
    readonly planned?: (results: FixtureResults) => void;
  } = {},
): void {
  const dir = tempDir(`fleet-${fixture.stack}`);
  let outdir: string | undefined;
  let text: string | undefined;
  let plan: StackPlan | undefined;
  const synthesized = () => (outdir ??= synthFixture(dir, fixture.build));
  const results: FixtureResults = {
    text: () =>
      (text ??= fs.readFileSync(
        path.join(synthesized(), 'stacks', fixture.stack, 'cdk.tf.json'),
        'utf8',
      )),
    config: () => JSON.parse(results.text()),
    plan: () => {
      if (!plan) throw new Error(`${fixture.fixture} has not been planned`);
      return plan;
    },
  };

  describe(fixture.fixture, () => {
    it('declares exactly the resources the plan is expected to add', () => {
      const config = results.config();
      expect(declaredCounts(config)).toEqual(fixture.expected);
      expect(config.data).toBeUndefined();
    });
    tests.declared?.(results);
  });

  const mirror = offlinePlanMirror(fixture.fixture);
  (mirror ? describe : describe.skip)(fixture.title, () => {
    beforeAll(async () => {
      plan = await planFixture(synthesized(), { mirror: mirror!, workDir: dir, env: fixture.env });
    }, 180_000);

    it('plans without errors or warnings, adding exactly the expected resources', () => {
      expectOnlyAdditions(results.plan(), fixture.expected);
    });
    tests.planned?.(results);
  });
}

import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { findProviderMirror } from '../../scripts/terraform/cli-config';
import { planStacks, StackPlan, terraformVersion } from '../../scripts/terraform/offline-plan';

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
export function synthFixture(dir: string, build: (app: App) => void): string {
  const outdir = path.join(dir, 'cdktf.out');
  const app = new App({ outdir });
  build(app);
  app.synth();
  return outdir;
}

/** The synthesized configuration of one stack. */
export function stackConfig(outdir: string, stack: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

/** Resources a synthesized stack declares, counted by type. */
export function declaredCounts(config: Record<string, any>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(config.resource).map(([type, byName]) => [
      type,
      Object.keys(byName as object).length,
    ]),
  );
}

/** Plans the single stack of `outdir` offline and prints its timings. */
export async function planFixture(
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
export function expectOnlyAdditions(
  result: StackPlan,
  expected: Readonly<Record<string, number>>,
): void {
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

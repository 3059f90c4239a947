import * as fs from 'fs';
import { App } from 'cdktf';
import { Finding } from '../guardrails';
import { FleetEnvironment, GuardrailSuppression, Problem, ValidationError } from '../model';
import { AgentFleet } from '../stacks/agent-fleet';
import { EnvironmentSummary } from '../stacks/summary';

/** Why the sites of a synthesis could not be written. */
export type SiteSynthesisFailure =
  | { readonly kind: 'validation'; readonly scope: string; readonly problems: readonly Problem[] }
  | {
      readonly kind: 'guardrails';
      readonly errors: readonly Finding[];
      /** Error annotations besides the guardrails', one line each. */
      readonly others: readonly string[];
    };

/**
 * What synthesizing some sites of an environment gave, as plain data that
 * crosses between processes: their stacks are in the directory synthesized
 * into, with cdktf's `manifest.json` of those stacks.
 */
export interface SiteSynthesis {
  readonly environment: string;
  readonly sites: readonly string[];
  /** What the sites deploy, as the synth summary prints it. */
  readonly summary?: EnvironmentSummary;
  /** Guardrail findings, suppressed ones included. */
  readonly findings: readonly Finding[];
  /** Suppressions offered to these sites' checks that matched no finding. */
  readonly unusedSuppressions: readonly GuardrailSuppression[];
  /** Set when nothing of these sites may be written. */
  readonly failure?: SiteSynthesisFailure;
}

/**
 * Synthesizes some sites of an environment (all, by default) into `outdir`,
 * an app of their own: the stacks `AgentFleet` builds for them, checked by
 * the guardrails. A construct's validation error or a guardrail error is
 * returned as the failure, not thrown.
 */
export function synthesizeSites(
  environment: FleetEnvironment,
  sites: readonly string[] | undefined,
  outdir: string,
  offline: boolean,
): SiteSynthesis {
  fs.mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  const empty = { environment: environment.name, sites: sites ?? [], findings: [] };
  let fleet: AgentFleet;
  try {
    fleet = new AgentFleet(app, environment.name, { environment, offline, sites });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const failure = { kind: 'validation', scope: error.scope, problems: error.problems } as const;
    return { ...empty, unusedSuppressions: [], failure };
  }
  const done = { ...empty, sites: fleet.summary.sites, summary: fleet.summary };
  try {
    app.synth();
  } catch (error) {
    const errors = fleet.guardrails.errors;
    if (errors.length === 0) throw error;
    const others = (error as Error).message
      .split('\n')
      .filter((line) => line.includes('[ERROR]') && !line.includes('[GR-'))
      .map((line) => line.trim());
    return { ...done, unusedSuppressions: [], failure: { kind: 'guardrails', errors, others } };
  }
  return {
    ...done,
    findings: fleet.guardrails.findings,
    unusedSuppressions: fleet.guardrails.unusedSuppressions,
  };
}

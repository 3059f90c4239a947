import * as fs from 'fs';
import * as path from 'path';
import { Finding, GuardrailLog } from '../guardrails';
import { FleetEnvironment, GuardrailSuppression } from '../model';
import { EnvironmentSummary } from '../stacks/summary';
import { FLEET_FILE, fleetDocument, FleetReport, fleetReport } from './fleet-report';

/** File, under the output directory, of every environment's guardrail findings. */
export const GUARDRAIL_REPORT = 'guardrails.json';

/** What an `AgentFleet` reports: the summary of one environment and its guardrail log. */
export type SynthesizedEnvironment = EnvironmentSummary & { readonly guardrails: GuardrailLog };

/** An environment's entry in `guardrails.json`. */
export interface GuardrailReport {
  /** Every finding, suppressed ones included. */
  readonly findings: readonly Finding[];
  /** Suppressions that matched no finding. */
  readonly unusedSuppressions: readonly GuardrailSuppression[];
}

/** An environment's entries in `fleet.json` and `guardrails.json`. */
export interface EnvironmentReports {
  readonly fleet: FleetReport;
  readonly guardrails: GuardrailReport;
}

/**
 * Writes beside the stacks in `outdir` what `npm run review` reads besides
 * them: every environment's guardrail findings, suppressed ones included
 * (`guardrails.json`), and what each environment runs (`fleet.json`).
 * `summaries[i]` is the synthesis of `environments[i]`.
 */
export function writeSynthReports(
  outdir: string,
  environments: readonly FleetEnvironment[],
  summaries: readonly SynthesizedEnvironment[],
): void {
  writeReports(
    outdir,
    environments.map((environment, i) => ({
      fleet: fleetReport(environment, summaries[i]),
      guardrails: {
        findings: summaries[i].guardrails.findings,
        unusedSuppressions: summaries[i].guardrails.unusedSuppressions,
      },
    })),
  );
}

/** The documents `guardrails.json` and `fleet.json` hold for environments' reports. */
export function reportDocuments(reports: readonly EnvironmentReports[]): {
  readonly fleet: ReturnType<typeof fleetDocument>;
  readonly guardrails: { environments: Record<string, GuardrailReport> };
} {
  const guardrails = {
    environments: Object.fromEntries(
      reports.map(({ fleet, guardrails: { findings, unusedSuppressions } }) => [
        fleet.environment,
        { findings, unusedSuppressions },
      ]),
    ),
  };
  return { fleet: fleetDocument(reports.map((report) => report.fleet)), guardrails };
}

/** Writes `guardrails.json` and `fleet.json` of environments' reports into `outdir`. */
export function writeReports(outdir: string, reports: readonly EnvironmentReports[]): void {
  const { fleet, guardrails } = reportDocuments(reports);
  fs.writeFileSync(path.join(outdir, GUARDRAIL_REPORT), `${JSON.stringify(guardrails, null, 2)}\n`);
  fs.writeFileSync(path.join(outdir, FLEET_FILE), `${JSON.stringify(fleet, null, 2)}\n`);
}

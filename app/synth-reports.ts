import * as fs from 'fs';
import * as path from 'path';
import { GuardrailLog } from '../guardrails';
import { FleetEnvironment } from '../model';
import { EnvironmentSummary } from '../stacks/summary';
import { FLEET_FILE, fleetDocument, fleetReport } from './fleet-report';

/** File, under the output directory, of every environment's guardrail findings. */
export const GUARDRAIL_REPORT = 'guardrails.json';

/** What an `AgentFleet` reports: the summary of one environment and its guardrail log. */
export type SynthesizedEnvironment = EnvironmentSummary & { readonly guardrails: GuardrailLog };

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
  const guardrails = {
    environments: Object.fromEntries(
      summaries.map((summary) => [
        summary.environment,
        {
          findings: summary.guardrails.findings,
          unusedSuppressions: summary.guardrails.unusedSuppressions,
        },
      ]),
    ),
  };
  fs.writeFileSync(path.join(outdir, GUARDRAIL_REPORT), `${JSON.stringify(guardrails, null, 2)}\n`);
  const fleet = fleetDocument(
    environments.map((environment, i) => fleetReport(environment, summaries[i])),
  );
  fs.writeFileSync(path.join(outdir, FLEET_FILE), `${JSON.stringify(fleet, null, 2)}\n`);
}

import { FleetEnvironment, GuardrailSuppression } from '../model';
import { EnvironmentSummary, mergeSummaries } from '../stacks/summary';
import { fleetReport } from './fleet-report';
import { OutputSwap } from './output-dir';
import { mergeSites, readEnvironmentReports } from './site-merge';
import { SiteSynthesis } from './site-synthesis';
import { EnvironmentReports } from './synth-reports';

/** An environment's sites as a synth built them, joined into its summary and reports. */
export interface JoinedEnvironment {
  /** What the sites built deploy, as the synth summary prints it. */
  readonly summary: EnvironmentSummary;
  /** Its `fleet.json` and `guardrails.json` entries, the kept sites' included. */
  readonly reports: EnvironmentReports;
  /** Stacks of its other sites to keep from the current output. */
  readonly keptStacks: readonly string[];
  /** Its sites kept from the current output, by name. */
  readonly keptSites: readonly string[];
  /** Why some of its sites are neither built nor kept, if any are not. */
  readonly missing?: string;
  /** Suppressions offered to the sites built that matched no finding. */
  readonly unusedSuppressions: readonly GuardrailSuppression[];
}

/**
 * Joins the syntheses of an environment's sites (`parts`, in its site order):
 * their summaries and reports, and for a synth of some of its sites
 * (`partial`), the other sites' reports and stacks from the output `output`
 * replaces.
 */
export function joinEnvironment(
  environment: FleetEnvironment,
  parts: readonly SiteSynthesis[],
  partial: boolean,
  output: OutputSwap,
): JoinedEnvironment {
  const summary = mergeSummaries(parts.map((part) => part.summary as EnvironmentSummary));
  const unusedSuppressions = distinct(parts.flatMap((part) => part.unusedSuppressions));
  const own: EnvironmentReports = {
    fleet: fleetReport(environment, summary),
    guardrails: { findings: parts.flatMap((part) => part.findings), unusedSuppressions },
  };
  const joined = { summary, unusedSuppressions, keptStacks: [], keptSites: [] };
  if (!partial) return { ...joined, reports: own };
  const built = new Set(summary.sites);
  const previous = readEnvironmentReports(output, environment.name);
  const merged = mergeSites(environment, built, own, 'missing' in previous ? undefined : previous);
  const why = 'missing' in previous ? ` (${previous.missing})` : '';
  return {
    ...joined,
    reports: merged,
    keptStacks: merged.keptStacks,
    keptSites: merged.fleet.sites.map((site) => site.name).filter((site) => !built.has(site)),
    ...(merged.missingSites.length > 0
      ? {
          missing: `${environment.name}: the output has no stacks of site(s) ${merged.missingSites.join(', ')}${why}: synthesize them with npm run synth -- ${environment.name}`,
        }
      : {}),
  };
}

/** Suppressions without repeats: sites offered the same one each. */
function distinct(suppressions: readonly GuardrailSuppression[]): GuardrailSuppression[] {
  const seen = new Set<string>();
  return suppressions.filter((s) => {
    const key = JSON.stringify([s.rule, s.resource, s.field]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

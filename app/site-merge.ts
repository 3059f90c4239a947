import * as fs from 'fs';
import * as path from 'path';
import { deploymentKey, FleetEnvironment, GuardrailSuppression } from '../model';
import { siteStackIds } from '../stacks/agent-fleet';
import { FleetReport } from './fleet-report';
import { OutputSwap } from './output-dir';
import { EnvironmentReports, GuardrailReport } from './synth-reports';

/**
 * An environment's reports in the output a synth replaces, when the output is
 * whole (`OutputSwap.checkCurrent`) and holds the environment; otherwise why not.
 */
export function readEnvironmentReports(
  output: OutputSwap,
  environment: string,
): EnvironmentReports | { readonly missing: string } {
  const { outdir } = output;
  if (!fs.existsSync(outdir)) return { missing: `there is no ${path.basename(outdir)}` };
  const problem = output.checkCurrent();
  if (problem) return { missing: `${path.basename(outdir)}: ${problem}` };
  const current = output.readCurrent();
  const fleet = current.fleet.environments[environment] as FleetReport | undefined;
  const guardrails = current.guardrails.environments[environment] as GuardrailReport | undefined;
  if (!fleet || !guardrails) {
    return { missing: `${path.basename(outdir)} holds no environment '${environment}'` };
  }
  return { fleet, guardrails };
}

/** {@link mergeSites}' result. */
export interface MergedSites extends EnvironmentReports {
  /** The stacks of the sites taken from `previous`, to keep from its output. */
  readonly keptStacks: readonly string[];
  /** Sites neither built nor in `previous` (or recorded there without their stacks). */
  readonly missingSites: readonly string[];
}

/**
 * The reports of an environment of which some sites were synthesized (`built`,
 * whose reports are `partial`): theirs, and every other site's from
 * `previous`, a synth's of the same environment. Sites, stacks and agents come
 * in the environment's order; a broker's users and nodes from the synth of
 * the site that runs it; guardrail findings and unused suppressions by the
 * stack they name.
 */
export function mergeSites(
  environment: FleetEnvironment,
  built: ReadonlySet<string>,
  partial: EnvironmentReports,
  previous: EnvironmentReports | undefined,
): MergedSites {
  const stacksOfSite = siteStackIds(environment);
  const order = [...stacksOfSite.keys()];
  // Findings in the order of their sites, as a synth of every site lists them.
  const siteIndex = new Map(
    [...stacksOfSite.values()].flatMap((stacks, i) => stacks.map((stack) => [stack, i] as const)),
  );
  const bySite = (finding: { stack: string }) => siteIndex.get(finding.stack) ?? order.length;
  const fromPrevious = new Map(
    (previous?.fleet.sites ?? [])
      .filter((site) => !built.has(site.name) && Array.isArray(site.stacks))
      .map((site) => [site.name, site]),
  );
  const fromPartial = new Map(partial.fleet.sites.map((site) => [site.name, site]));
  const sites = order.flatMap((name) => {
    const site = built.has(name) ? fromPartial.get(name) : fromPrevious.get(name);
    return site ? [site] : [];
  });
  const keptStacks = [...fromPrevious.values()]
    .filter((site) => order.includes(site.name))
    .flatMap((site) => site.stacks);
  const kept = new Set(keptStacks);
  const agents = new Map(
    [
      ...(previous?.fleet.agents ?? []).filter((agent) => fromPrevious.has(agent.site)),
      ...partial.fleet.agents,
    ].map((agent) => [deploymentKey(agent.agent, agent.site), agent]),
  );
  const previousBrokers = new Map((previous?.fleet.brokers ?? []).map((b) => [b.name, b]));
  const stackOf = (resource: string) => resource.split('/')[0];
  const unused = [
    ...(previous?.guardrails.unusedSuppressions ?? []).filter((s) => kept.has(stackOf(s.resource))),
    ...partial.guardrails.unusedSuppressions,
  ];
  return {
    fleet: {
      ...partial.fleet,
      stacks: sites.flatMap((site) => site.stacks),
      sites,
      brokers: partial.fleet.brokers.map((broker) => {
        const before = previousBrokers.get(broker.name);
        if (!broker.site || built.has(broker.site) || !before) return broker;
        const { credentials, nodes } = before;
        return { ...broker, ...(credentials ? { credentials } : {}), ...(nodes ? { nodes } : {}) };
      }),
      agents: environment.deployments.flatMap(({ agent, site }) => {
        const report = agents.get(deploymentKey(agent.name, site));
        return report ? [report] : [];
      }),
    },
    guardrails: {
      findings: [
        ...(previous?.guardrails.findings ?? []).filter((f) => kept.has(f.stack)),
        ...partial.guardrails.findings,
      ].sort((a, b) => bySite(a) - bySite(b)),
      unusedSuppressions: unused.filter(
        (s, i) => unused.findIndex((other) => sameSuppression(s, other)) === i,
      ),
    },
    keptStacks,
    missingSites: order.filter((name) => !built.has(name) && !fromPrevious.has(name)),
  };
}

function sameSuppression(a: GuardrailSuppression, b: GuardrailSuppression): boolean {
  return a.rule === b.rule && a.resource === b.resource && a.field === b.field;
}

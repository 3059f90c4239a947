import { chartsOnSite, chartSupportProblems } from '../constructs/kubernetes/platform/charts';
import { siteCapacity } from '../constructs/kubernetes/platform/site-capacity';
import {
  bindingConflicts,
  derivedNameProblems,
  KubernetesSiteSpec,
  planHostsSite,
  planSite,
  rabbitMqBrokers,
  SitePlan,
  validateBrokerPlacement,
} from '../model';
import { Catalogue } from './catalogue';
import { deploymentKey, EnvironmentAgents } from './environment-agents';
import { EnvironmentBrokers } from './environment-brokers';
import { EnvironmentFile, reportUnder } from './environment-file';
import { allClusters, clusterOf, EnvironmentSites } from './environment-sites';
import { childOf, SourceNode } from './yaml-source';

/** What an environment file holds, read, for the checks across its sections. */
export interface EnvironmentParts {
  readonly sites: EnvironmentSites;
  readonly brokers: EnvironmentBrokers;
  readonly agents: EnvironmentAgents;
  /** Whether every section read well: the capacity check needs whole sites. */
  readonly ok: boolean;
}

/**
 * The checks that span an environment's sections, each problem recorded at the
 * entry to change: bindings against each other, each in-cluster broker's site
 * and topology, the charts each cloud cluster's version supports, the names
 * derived from the environment, site, agent and broker names, and (when all
 * else holds) whether each site's pools hold its agents at their minima.
 * Returns whether there was no problem.
 */
export function checkAcrossSections(
  file: EnvironmentFile,
  catalogue: Catalogue | undefined,
  parts: EnvironmentParts,
): boolean {
  const { sites, brokers, agents } = parts;
  // The plan of each site: its agents resolved once, for every check below.
  const plans = new Map<string, SitePlan>(
    allClusters(sites)
      .filter((site) => file.checks(site.name))
      .map((site) => [
        site.name,
        planSite({
          environment: file.name,
          site,
          brokers: brokers.brokers,
          agents: agents.deployments.filter((d) => d.site === site.name).map((d) => d.agent),
        }),
      ]),
  );
  let ok = true;
  const atEntry = (agent: string, site: string, message: string) => {
    const entry = agents.siteEntries.get(deploymentKey(agent, site)) as SourceNode;
    file.problems.at(entry.origin, message);
    ok = false;
  };
  for (const conflict of bindingConflicts(agents.deployments, brokers.brokers, parts.ok)) {
    atEntry(conflict.agent, conflict.site, conflict.message);
  }
  for (const broker of rabbitMqBrokers(brokers.brokers)) {
    const site = broker.inCluster && clusterOf(sites, broker.inCluster.site);
    if (!site) continue;
    const node = brokers.nodes.get(broker.name) as SourceNode;
    if (!reportUnder(file.problems, node, validateBrokerPlacement(site))) ok = false;
    const planned = plans.get(site.name)?.rabbitMq.find((entry) => entry.broker === broker);
    for (const conflict of planned?.problems ?? []) {
      atEntry(conflict.agent, site.name, conflict.message);
    }
  }
  for (const spec of [...sites.awsSites, ...sites.azureSites]) {
    const view = sites.clusterViews.get(spec.name) as KubernetesSiteSpec;
    const charts = chartSupportProblems(spec.cluster.version, chartsOnSite(view, brokers.brokers));
    if (!reportUnder(file.problems, siteNode(file, spec.name), charts)) ok = false;
  }
  for (const plan of plans.values()) {
    if (!reportDerivedNames(file, catalogue, brokers, plan)) ok = false;
  }
  if (ok && parts.ok) {
    for (const site of [...sites.hostsSites.values()].filter((s) => file.checks(s.name))) {
      const agentsThere = agents.deployments.filter((d) => d.site === site.name);
      const hosts = planHostsSite(
        file.name,
        site,
        agentsThere.map((d) => d.agent),
      );
      for (const error of hosts.errors) {
        atEntry(error.agent, site.name, error.message);
      }
    }
    for (const plan of plans.values()) {
      const { site } = plan;
      const maxField = site.cloud === 'azure' ? 'maxCount' : 'maxSize';
      for (const error of siteCapacity(site, plan.allAgents, brokers.brokers).errors) {
        reportUnder(file.problems, siteNode(file, site.name), [
          {
            path: ['nodePools', error.pool, ...(site.cloud ? [maxField] : [])],
            message: error.message,
          },
        ]);
        ok = false;
      }
    }
  }
  return ok;
}

/**
 * Records each name derived from the environment, the site, its agents and
 * brokers that is too long for its resource, at the name to shorten.
 */
function reportDerivedNames(
  file: EnvironmentFile,
  catalogue: Catalogue | undefined,
  brokers: EnvironmentBrokers,
  plan: SitePlan,
): boolean {
  const found = derivedNameProblems({
    environment: file.name,
    site: plan.site,
    agents: plan.allAgents.map((agent) => agent.spec),
    brokers: brokers.brokers,
  });
  for (const problem of found) {
    const at =
      problem.part === 'site'
        ? siteNode(file, problem.value)
        : problem.part === 'agent'
          ? (catalogue?.valid.get(problem.value) ??
            childOf(childOf(file.tree, 'agents'), problem.value))
          : problem.part === 'broker'
            ? brokers.nodes.get(problem.value)
            : undefined;
    file.problems.at(at?.origin ?? file.start, problem.message);
  }
  return found.length === 0;
}

function siteNode(file: EnvironmentFile, site: string): SourceNode {
  return childOf(childOf(file.tree, 'sites'), site) as SourceNode;
}

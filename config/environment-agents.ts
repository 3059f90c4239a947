import { AgentDeployment, deploymentKey } from '../model';
import { Catalogue } from './catalogue';
import { buildDeployment } from './deployment';
import { EnvironmentBrokers } from './environment-brokers';
import { EnvironmentFile, entriesOf } from './environment-file';
import { clusterOf, EnvironmentSites } from './environment-sites';
import { FieldPath, isUnder } from './schema-check';
import { childOf, SourceNode } from './yaml-source';

/** The agents of an environment file, per site they are placed on. */
export interface EnvironmentAgents {
  /** One per agent and site, with the catalogue's entry and the overrides merged. */
  readonly deployments: readonly AgentDeployment[];
  /** The node of each `agents.<agent>.sites.<site>` entry, by `<agent>@<site>`. */
  readonly siteEntries: ReadonlyMap<string, SourceNode>;
  /** The merged source of each deployment (catalogue, environment, site), by `<agent>@<site>`. */
  readonly merged: ReadonlyMap<string, SourceNode>;
  /** Whether every agent was built on every site it names. */
  readonly ok: boolean;
}

/** The key of an agent on a site in {@link EnvironmentAgents}' maps, as in the model's paths. */
export { deploymentKey };

/**
 * Reads the `agents` of an environment file: each agent of the catalogue on
 * each site it names, merged and validated on that site. An agent is built only
 * when its catalogue entry, its site, the brokers and its own entries are well
 * formed, so that one mistake is reported once.
 */
export function readAgents(
  file: EnvironmentFile,
  catalogue: Catalogue | undefined,
  sites: EnvironmentSites,
  brokers: EnvironmentBrokers,
): EnvironmentAgents {
  const deployments: AgentDeployment[] = [];
  const siteEntries = new Map<string, SourceNode>();
  const merged = new Map<string, SourceNode>();
  let ok = true;
  for (const [agent, entry] of entriesOf(childOf(file.tree, 'agents'))) {
    if (catalogue && !catalogue.names.includes(agent)) {
      file.problems.at(
        entry.origin,
        `unknown agent type '${agent}' (catalogue has: ${catalogue.names.join(', ') || 'none'})`,
      );
      ok = false;
      continue;
    }
    for (const [siteName, siteEntry] of entriesOf(childOf(entry, 'sites'))) {
      if (!sites.names.includes(siteName)) {
        file.problems.at(
          siteEntry.origin,
          `unknown site '${siteName}' (declared sites: ${sites.names.join(', ') || 'none'})`,
        );
        ok = false;
        continue;
      }
      const catalogueEntry = catalogue?.valid.get(agent);
      const site = clusterOf(sites, siteName) ?? sites.hostsSites.get(siteName);
      const wellFormed =
        entry.kind === 'map' &&
        !file.failed.some(
          (path) => isUnder(path, ['agents', agent]) && !isOtherSite(path, siteName),
        );
      if (!catalogueEntry || !site || !brokers.ok || !wellFormed) {
        ok = false;
        continue;
      }
      const key = deploymentKey(agent, siteName);
      siteEntries.set(key, siteEntry);
      const built = buildDeployment(
        {
          agent,
          catalogueEntry,
          environmentEntry: entry,
          siteEntry,
          site,
          brokers: brokers.brokers,
          check: file.checks(siteName),
        },
        file.problems,
      );
      if (built) {
        deployments.push(built.deployment);
        merged.set(key, built.merged);
      } else ok = false;
    }
  }
  return { deployments, siteEntries, merged, ok };
}

/** A path below `agents.<agent>.sites.<other site>`. */
function isOtherSite(path: FieldPath, site: string): boolean {
  return path[2] === 'sites' && path.length > 3 && path[3] !== site;
}

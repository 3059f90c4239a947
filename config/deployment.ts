import {
  AgentDeployment,
  BrokerSpec,
  KubernetesSiteSpec,
  formatPath,
  HostsSiteSpec,
  Problem,
  validateAgent,
  validateAgentOnHosts,
  validateAgentOnSite,
} from '../model';
import { mergeAll } from './merge';
import { ProblemList } from './problems';
import { checkSchema } from './schema-check';
import { RawAgent, toAgentSpec } from './to-model';
import { locate, SourceMap, SourceNode, toPlain } from './yaml-source';

/** The sources of one agent on one site, all well formed on their own. */
export interface DeploymentSources {
  readonly agent: string;
  /** `agentTypes.<agent>` of the catalogue. */
  readonly catalogueEntry: SourceMap;
  /** `agents.<agent>` of the environment; its `sites` key is not an override. */
  readonly environmentEntry: SourceMap;
  /** `agents.<agent>.sites.<site>`: a mapping, or null for no overrides. */
  readonly siteEntry: SourceNode;
  /** The site: a Kubernetes cluster (a cloud site's view of its own) or warm servers. */
  readonly site: KubernetesSiteSpec | HostsSiteSpec;
  readonly brokers: readonly BrokerSpec[];
  /**
   * Check the merged agent against the schema, the model's rules and the
   * site; without, it is only merged and converted (a synth of other sites).
   * @default true
   */
  readonly check?: boolean;
}

/**
 * Merges the catalogue entry with the environment's overrides and checks the
 * result: required fields, units, then the model's own rules. Every problem
 * points at the line that set the value concerned.
 */
export function buildDeployment(
  sources: DeploymentSources,
  problems: ProblemList,
): { deployment: AgentDeployment; merged: SourceNode } | undefined {
  const { environmentEntry, siteEntry } = sources;
  const environmentWide: SourceMap = {
    kind: 'map',
    origin: environmentEntry.origin,
    entries: new Map([...environmentEntry.entries].filter(([key]) => key !== 'sites')),
  };
  const site: SourceMap =
    siteEntry.kind === 'map'
      ? siteEntry
      : { kind: 'map', origin: siteEntry.origin, entries: new Map() };
  const merged = mergeAll(sources.catalogueEntry, [environmentWide, site]);
  const check = sources.check ?? true;
  if (
    check &&
    checkSchema('agentTypes', merged, problems, ['agentTypes', sources.agent]).length > 0
  ) {
    return undefined;
  }

  const report = (found: readonly Problem[]): boolean => {
    for (const problem of found) {
      // The name is the catalogue entry's key.
      if (problem.path.length === 1 && problem.path[0] === 'name') {
        problems.at(sources.catalogueEntry.origin, problem.message);
        continue;
      }
      const { node, rest } = locate(merged, problem.path);
      problems.at(node.origin, problem.message, rest);
    }
    return found.length > 0;
  };
  try {
    const { spec, problems: unitProblems } = toAgentSpec(
      sources.agent,
      toPlain(merged) as RawAgent,
    );
    if (!spec) {
      report(unitProblems);
      return undefined;
    }
    // A problem between the agent and this site (its pools, a broker elsewhere) is
    // not the catalogue's fault: unless the environment set the value, point at the
    // site entry. A name that refers to nothing is the fault of the line that set it.
    if (!check) return { deployment: { site: sources.site.name, agent: spec }, merged };
    const onSite =
      'kind' in sources.site
        ? validateAgentOnHosts(spec, sources.site)
        : validateAgentOnSite(spec, sources.site, sources.brokers);
    for (const problem of onSite) {
      const { node, rest } = locate(merged, problem.path);
      const inCatalogue = node.origin.file === sources.catalogueEntry.origin.file;
      if (rest.length === 0 && problem.reference && inCatalogue) {
        problems.at(
          node.origin,
          `${problem.message}, in ${site.origin.file} (site '${sources.site.name}')`,
        );
      } else if (rest.length === 0 && !inCatalogue) {
        problems.at(node.origin, problem.message);
      } else {
        // "fits no node pool" names the agent and the site: the field adds nothing.
        const field =
          problem.path.length === 1 && problem.path[0] === 'placement'
            ? ''
            : `${formatPath(problem.path)}: `;
        problems.at(site.origin, `${field}${problem.message}`);
      }
    }
    return report(validateAgent(spec)) || onSite.length > 0
      ? undefined
      : { deployment: { site: sources.site.name, agent: spec }, merged };
  } catch (error) {
    problems.at(site.origin, `could not be checked: ${(error as Error).message}`);
    return undefined;
  }
}

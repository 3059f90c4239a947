import { GUARDRAIL_RULES } from '../guardrails/rules';
import {
  AgentStacksSpec,
  BackendSpec,
  environmentNameProblem,
  FleetEnvironment,
  GuardrailSuppression,
  LoadProfileSpec,
} from '../model';
import { Catalogue } from './catalogue';
import { ConstructSources } from './construct-sources';
import { EnvironmentAgents, readAgents } from './environment-agents';
import { readBrokers } from './environment-brokers';
import { checkAcrossSections } from './environment-checks';
import { EnvironmentFile, entriesOf, reportUnder, scalarOf } from './environment-file';
import { readSites } from './environment-sites';
import { Origin, ProblemList } from './problems';
import { checkSchema } from './schema-check';
import { LoadProfile } from './schema-load-profile';
import { toLoadProfileSpec } from './to-model';
import { childOf, locate, readYamlMap, SourceNode, toPlain } from './yaml-source';

/** Folder of the environment files, relative to the root directory. */
export const ENVIRONMENTS_DIR = 'environments';

/** The file of an environment, relative to the root directory. */
function environmentFile(name: string): string {
  return `${ENVIRONMENTS_DIR}/${name}.yaml`;
}

/**
 * Reads one environment file and builds the environment. Returns `undefined`
 * when anything is wrong; every problem found is recorded.
 *
 * The file is read in sections, each well-formed part kept and each problem
 * recorded at its place: the sites, the brokers, the agents on their sites,
 * then the checks across sections, then the suppressions. A section is read
 * even when an earlier one failed, so that one run reports every problem.
 */
export function loadEnvironment(
  rootDir: string,
  name: string,
  catalogue: Catalogue | undefined,
  problems: ProblemList,
  sources: ConstructSources,
  checks: (site: string) => boolean = () => true,
): FleetEnvironment | undefined {
  const path = environmentFile(name);
  const start: Origin = { file: path, line: 1, column: 1, path: [] };
  if (/[/\\]/.test(name)) {
    problems.at(start, `'${name}' is not an environment name: name a file of ${ENVIRONMENTS_DIR}/`);
    return undefined;
  }
  const badName = environmentNameProblem(name);
  if (badName) problems.at(start, `${badName} (it is the file name)`);
  const tree = readYamlMap(rootDir, path, "a mapping with the keys 'sites' and 'agents'", problems);
  if (!tree) return undefined;
  const file: EnvironmentFile = {
    name,
    start,
    tree,
    failed: checkSchema('environment', tree, problems),
    problems,
    checks,
  };

  const production = scalarOf(childOf(tree, 'production'));
  const sites = readSites(file);
  const brokers = readBrokers(file, sites, production === true);
  const agents = readAgents(file, catalogue, sites, brokers);
  const read = !badName && sites.ok && agents.ok;
  const consistent = checkAcrossSections(file, catalogue, { sites, brokers, agents, ok: read });
  if (!read || !consistent || file.failed.length > 0) return undefined;
  if (!checkSuppressions(file)) return undefined;

  const brokerNodes = brokers.nodes;
  for (const [siteName, node] of entriesOf(childOf(tree, 'sites'))) {
    sources.addSite(name, siteName, { site: node, file: tree, brokers: brokerNodes });
  }
  addAgentSources(sources, name, agents);
  const backend = childOf(tree, 'backend');
  const suppressions = childOf(tree, 'suppressions');
  const agentStacks = childOf(tree, 'agentStacks');
  const loadProfile = readLoadProfile(file);
  if (loadProfile === false) return undefined;
  return {
    name,
    ...(childOf(tree, 'production') ? { production: production === true } : {}),
    ...(backend ? { backend: toPlain(backend) as BackendSpec } : {}),
    ...(suppressions ? { suppressions: toPlain(suppressions) as GuardrailSuppression[] } : {}),
    sites: [...sites.clusters.values()],
    awsSites: [...sites.awsSites],
    azureSites: [...sites.azureSites],
    ...(sites.hostsSites.size > 0 ? { hostsSites: [...sites.hostsSites.values()] } : {}),
    brokers: [...brokers.brokers],
    deployments: [...agents.deployments],
    ...(loadProfile ? { loadProfile } : {}),
    ...(agentStacks ? { agentStacks: toPlain(agentStacks) as AgentStacksSpec } : {}),
  };
}

/** The environment's load profile, undefined when it has none, false when it is refused. */
function readLoadProfile(file: EnvironmentFile): LoadProfileSpec | undefined | false {
  const node = childOf(file.tree, 'loadProfile');
  if (!node) return undefined;
  const { spec, problems } = toLoadProfileSpec(toPlain(node) as LoadProfile);
  reportUnder(file.problems, node, problems);
  return spec ?? false;
}

/** Records an unknown rule of each suppression; returns whether every rule exists. */
function checkSuppressions(file: EnvironmentFile): boolean {
  const suppressions = childOf(file.tree, 'suppressions');
  const ruleIds = new Set(GUARDRAIL_RULES.map((rule) => rule.id));
  let ok = true;
  for (const entry of suppressions?.kind === 'seq' ? suppressions.items : []) {
    const rule = scalarOf(childOf(entry, 'rule'));
    if (typeof rule === 'string' && !ruleIds.has(rule)) {
      const { node: at } = locate(entry, ['rule']);
      file.problems.at(
        at.origin,
        `unknown guardrail '${rule}' (the rules are listed in docs/guardrails.md)`,
      );
      ok = false;
    }
  }
  return ok;
}

/** Where each deployment's agent came from, for problems found after loading. */
function addAgentSources(
  sources: ConstructSources,
  environment: string,
  agents: EnvironmentAgents,
): void {
  for (const { agent, site } of agents.deployments) {
    const source: SourceNode | undefined = agents.merged.get(`${agent.name}@${site}`);
    if (source) sources.addAgent(environment, site, agent.name, source);
  }
}

import {
  chartsOnSite,
  chartSupportProblems,
  clusterAutoscalerProblems,
} from '../constructs/kubernetes/platform/charts';
import { siteCapacity } from '../constructs/kubernetes/platform/site-capacity';
import { brokerTopology } from '../generators/rabbitmq';
import { GUARDRAIL_RULES } from '../guardrails/rules';
import {
  rabbitMqBrokers,
  AgentDeployment,
  awsNodePoolProblems,
  AwsSiteSpec,
  azureNodePoolProblems,
  AzureSiteSpec,
  cloudClusterProblems,
  clusterSiteOf,
  clusterSiteOfAzure,
  derivedNameProblems,
  environmentNameProblem,
  BackendSpec,
  BrokerSpec,
  brokerSite,
  FleetEnvironment,
  GuardrailSuppression,
  KubernetesSiteSpec,
  Problem,
  resolveAgent,
  validateBroker,
  validateBrokerPlacement,
  validateKubernetesSite,
} from '../model';
import { Catalogue } from './catalogue';
import { bindingConflicts, managedBrokerProblems } from './cloud-checks';
import { ConstructSources } from './construct-sources';
import { buildDeployment } from './deployment';
import { Origin, ProblemList } from './problems';
import { checkSchema, FieldPath, isUnder } from './schema-check';
import {
  RawAwsSite,
  RawAzureSite,
  RawBroker,
  RawSite,
  toAwsSiteSpec,
  toAzureSiteSpec,
  toBrokerSpec,
  toSiteSpec,
} from './to-model';
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
 */
export function loadEnvironment(
  rootDir: string,
  name: string,
  catalogue: Catalogue | undefined,
  problems: ProblemList,
  sources: ConstructSources,
): FleetEnvironment | undefined {
  const file = environmentFile(name);
  const start: Origin = { file, line: 1, column: 1, path: [] };
  if (/[/\\]/.test(name)) {
    problems.at(start, `'${name}' is not an environment name: name a file of ${ENVIRONMENTS_DIR}/`);
    return undefined;
  }
  let ok = true;
  const badName = environmentNameProblem(name);
  if (badName) {
    problems.at(start, `${badName} (it is the file name)`);
    ok = false;
  }
  const tree = readYamlMap(rootDir, file, "a mapping with the keys 'sites' and 'agents'", problems);
  if (!tree) return undefined;
  const failed = checkSchema('environment', tree, problems);
  const broken = (prefix: FieldPath): boolean => failed.some((path) => isUnder(path, prefix));

  const sites = new Map<string, KubernetesSiteSpec>();
  const awsSites: AwsSiteSpec[] = [];
  const azureSites: AzureSiteSpec[] = [];
  const clusterViews = new Map<string, KubernetesSiteSpec>();
  for (const [siteName, node] of entriesOf(childOf(tree, 'sites'))) {
    if (broken(['sites', siteName])) continue;
    const raw = toPlain(node) as { kind: string };
    const { spec, problems: found } =
      raw.kind === 'aws'
        ? toAwsSiteSpec(siteName, raw as RawAwsSite)
        : raw.kind === 'azure'
          ? toAzureSiteSpec(siteName, raw as RawAzureSite)
          : toSiteSpec(siteName, raw as RawSite);
    const services = spec ? siteProblems(spec) : [];
    for (const problem of [...found, ...services]) {
      const { node: at, rest } = locate(node, problem.path);
      problems.at(at.origin, problem.message, rest);
    }
    if (!spec || services.length > 0) {
      ok = false;
    } else if ('kind' in spec && spec.kind === 'aws') {
      awsSites.push(spec);
      // Agents and in-cluster brokers run on its EKS cluster.
      clusterViews.set(siteName, clusterSiteOf(spec));
    } else if ('kind' in spec && spec.kind === 'azure') {
      azureSites.push(spec);
      clusterViews.set(siteName, clusterSiteOfAzure(spec));
    } else {
      sites.set(siteName, spec as KubernetesSiteSpec);
    }
  }
  const siteNames = keysOf(childOf(tree, 'sites'));
  // Declared cloud sites, well formed or not, so that a broken site does not
  // also make every broker on it "not an AWS site".
  const sitesOfKind = (kind: string) =>
    entriesOf(childOf(tree, 'sites'))
      .filter(([, node]) => node.kind === 'map' && scalarOf(childOf(node, 'kind')) === kind)
      .map(([siteName]) => siteName);
  const siteKinds = { aws: sitesOfKind('aws'), azure: sitesOfKind('azure') };
  const productionNode = childOf(tree, 'production');
  const production = productionNode ? scalarOf(productionNode) === true : undefined;
  const brokers: BrokerSpec[] = [];
  const brokerNodes = new Map<string, SourceNode>();
  let brokersWellFormed = !broken(['brokers']);
  for (const [brokerName, node] of entriesOf(childOf(tree, 'brokers'))) {
    brokerNodes.set(brokerName, node);
    if (broken(['brokers', brokerName])) continue;
    const { spec, problems: found } = toBrokerSpec(brokerName, toPlain(node) as RawBroker);
    const home = spec && brokerSite(spec);
    const awsSite = awsSites.find((candidate) => candidate.name === home);
    const all = spec
      ? [
          ...validateBroker(spec, siteNames, siteKinds),
          ...(awsSite
            ? managedBrokerProblems({ name, production: production ?? false }, spec, awsSite)
            : []),
        ]
      : found;
    for (const problem of all) {
      const { node: at, rest } = locate(node, problem.path);
      problems.at(at.origin, problem.message, rest);
    }
    if (spec && all.length === 0) brokers.push(spec);
    else brokersWellFormed = false;
  }

  const deployments: AgentDeployment[] = [];
  const siteEntries = new Map<string, SourceNode>();
  const merged = new Map<string, SourceNode>();
  for (const [agent, entry] of entriesOf(childOf(tree, 'agents'))) {
    if (catalogue && !catalogue.names.includes(agent)) {
      problems.at(
        entry.origin,
        `unknown agent type '${agent}' (catalogue has: ${catalogue.names.join(', ') || 'none'})`,
      );
      ok = false;
      continue;
    }
    for (const [siteName, siteEntry] of entriesOf(childOf(entry, 'sites'))) {
      if (!siteNames.includes(siteName)) {
        problems.at(
          siteEntry.origin,
          `unknown site '${siteName}' (declared sites: ${siteNames.join(', ') || 'none'})`,
        );
        ok = false;
        continue;
      }
      const catalogueEntry = catalogue?.valid.get(agent);
      const site = sites.get(siteName) ?? clusterViews.get(siteName);
      const wellFormed =
        entry.kind === 'map' &&
        !failed.some((path) => isUnder(path, ['agents', agent]) && !isOtherSite(path, siteName));
      if (!catalogueEntry || !site || !brokersWellFormed || !wellFormed) {
        ok = false;
        continue;
      }
      siteEntries.set(`${agent}@${siteName}`, siteEntry);
      const built = buildDeployment(
        { agent, catalogueEntry, environmentEntry: entry, siteEntry, site, brokers },
        problems,
      );
      if (built) {
        deployments.push(built.deployment);
        merged.set(`${agent}@${siteName}`, built.merged);
      } else ok = false;
    }
  }
  const conflicts = bindingConflicts(deployments, brokers, ok);
  for (const conflict of conflicts) {
    const entry = siteEntries.get(`${conflict.agent}@${conflict.site}`) as SourceNode;
    problems.at(entry.origin, conflict.message);
    ok = false;
  }
  for (const broker of rabbitMqBrokers(brokers)) {
    const site =
      broker.inCluster &&
      (sites.get(broker.inCluster.site) ?? clusterViews.get(broker.inCluster.site));
    if (!site) continue;
    const node = brokerNodes.get(broker.name) as SourceNode;
    for (const problem of validateBrokerPlacement(site)) {
      const { node: at, rest } = locate(node, problem.path);
      problems.at(at.origin, problem.message, rest);
      ok = false;
    }
    const onSite = deployments.filter((deployment) => deployment.site === site.name);
    for (const conflict of brokerTopology(
      broker,
      onSite.map((d) => resolveAgent(d.agent)),
    ).problems) {
      const entry = siteEntries.get(`${conflict.agent}@${site.name}`) as SourceNode;
      problems.at(entry.origin, conflict.message);
      ok = false;
    }
  }
  for (const spec of [...awsSites, ...azureSites]) {
    const view = clusterViews.get(spec.name) as KubernetesSiteSpec;
    const siteNode = childOf(childOf(tree, 'sites'), spec.name) as SourceNode;
    for (const problem of chartSupportProblems(spec.cluster.version, chartsOnSite(view, brokers))) {
      const { node: at, rest } = locate(siteNode, problem.path);
      problems.at(at.origin, problem.message, rest);
      ok = false;
    }
  }
  const agentEntries = childOf(tree, 'agents');
  for (const site of [...sites.values(), ...clusterViews.values()]) {
    const found = derivedNameProblems({
      environment: name,
      site,
      agents: deployments.filter((d) => d.site === site.name).map((d) => d.agent),
      brokers,
    });
    for (const problem of found) {
      const at =
        problem.part === 'site'
          ? childOf(childOf(tree, 'sites'), problem.value)
          : problem.part === 'agent'
            ? (catalogue?.valid.get(problem.value) ?? childOf(agentEntries, problem.value))
            : problem.part === 'broker'
              ? brokerNodes.get(problem.value)
              : undefined;
      problems.at(at?.origin ?? start, problem.message);
      ok = false;
    }
  }
  if (ok) {
    const views = [...sites.values(), ...clusterViews.values()];
    for (const site of views) {
      const agents = deployments.filter((d) => d.site === site.name).map((d) => d.agent);
      const siteNode = childOf(childOf(tree, 'sites'), site.name) as SourceNode;
      const maxField = site.cloud === 'azure' ? 'maxCount' : 'maxSize';
      for (const error of siteCapacity(site, agents.map(resolveAgent), brokers).errors) {
        const path = ['nodePools', error.pool, ...(site.cloud ? [maxField] : [])];
        const { node: at, rest } = locate(siteNode, path);
        problems.at(at.origin, error.message, rest);
        ok = false;
      }
    }
  }
  if (!ok || failed.length > 0) return undefined;
  const backend = childOf(tree, 'backend');
  const suppressions = childOf(tree, 'suppressions');
  const ruleIds = new Set(GUARDRAIL_RULES.map((rule) => rule.id));
  for (const entry of suppressions?.kind === 'seq' ? suppressions.items : []) {
    const rule = scalarOf(childOf(entry, 'rule'));
    if (typeof rule === 'string' && !ruleIds.has(rule)) {
      const { node: at } = locate(entry, ['rule']);
      problems.at(
        at.origin,
        `unknown guardrail '${rule}' (the rules are listed in docs/guardrails.md)`,
      );
      ok = false;
    }
  }
  for (const [siteName, node] of entriesOf(childOf(tree, 'sites'))) {
    sources.addSite(name, siteName, { site: node, file: tree, brokers: brokerNodes });
  }
  for (const { agent, site } of deployments) {
    const source = merged.get(`${agent.name}@${site}`);
    if (source) sources.addAgent(name, site, agent.name, source);
  }
  return {
    name,
    ...(production !== undefined ? { production } : {}),
    ...(backend ? { backend: toPlain(backend) as BackendSpec } : {}),
    ...(suppressions ? { suppressions: toPlain(suppressions) as GuardrailSuppression[] } : {}),
    sites: [...sites.values()],
    awsSites,
    azureSites,
    brokers,
    deployments,
  };
}

/**
 * Problems of a site beyond the schema, by the rules the stacks and constructs
 * that build it apply: its pools (machine types, labels, taints), its cluster's
 * version and exposure, its cluster autoscaler, its services.
 */
function siteProblems(spec: KubernetesSiteSpec | AwsSiteSpec | AzureSiteSpec): Problem[] {
  if (!('kind' in spec)) return validateKubernetesSite(spec);
  const underPool = (pool: string, problems: Problem[]) =>
    problems.map((problem) => ({ ...problem, path: ['nodePools', pool, ...problem.path] }));
  if (spec.kind === 'aws') {
    return [
      ...cloudClusterProblems(spec),
      ...clusterAutoscalerProblems(spec.cluster.version),
      ...spec.nodePools.flatMap((pool) => underPool(pool.name, awsNodePoolProblems(pool))),
    ];
  }
  const zones = spec.network.zones;
  return [
    ...cloudClusterProblems(spec),
    ...spec.nodePools.flatMap((pool) =>
      underPool(pool.name, azureNodePoolProblems({ ...pool, zones })),
    ),
  ];
}

/** A path below `agents.<agent>.sites.<other site>`. */
function isOtherSite(path: FieldPath, site: string): boolean {
  return path[2] === 'sites' && path.length > 3 && path[3] !== site;
}

function entriesOf(node: SourceNode | undefined): [string, SourceNode][] {
  return node?.kind === 'map' ? [...node.entries] : [];
}

function scalarOf(node: SourceNode | undefined): string | number | boolean | null | undefined {
  return node?.kind === 'scalar' ? node.value : undefined;
}

function keysOf(node: SourceNode | undefined): string[] {
  return entriesOf(node).map(([key]) => key);
}

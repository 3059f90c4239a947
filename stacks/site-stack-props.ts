import { Construct } from 'constructs';
import {
  chartsOnSite,
  chartSupportProblems,
  type ClusterAutoscalerReleaseProps,
} from '../constructs/kubernetes/platform';
import {
  InClusterAgentStore,
  AgentSpec,
  AwsSiteSpec,
  AzureSiteSpec,
  BackendSpec,
  BrokerSpec,
  ClusterAccess,
  cloudClusterProblems,
  clusterSiteOf,
  clusterSiteOfAzure,
  derivedNameProblems,
  environmentNameProblem,
  KubernetesSiteSpec,
  NamePart,
  Path,
  Problem,
  SiteCloudBindings,
  SitePlan,
  validateBroker,
  validateKubernetesSite,
  ValidationError,
} from '../model';

/** What a site's platform stack runs for its agents, which its agents stack binds them to. */
export interface SitePlatform {
  /** The databases of the site's stateful agents on its in-cluster engines, by agent name. */
  readonly databases: ReadonlyMap<string, InClusterAgentStore>;
}

/** What every stack of a site is built from. */
export interface SiteStackProps {
  /**
   * The site's plan (see `planSite`): the site, its agents resolved once, the
   * brokers reachable there, and its namespaces and priority tiers. The
   * platform and agents stacks of a site share one plan.
   */
  readonly plan: SitePlan;
  /** Where Terraform keeps the stack's state. @default - local state under `terraform-state/` */
  readonly backend?: BackendSpec;
  /**
   * Synthesize for the offline plan (`npm run plan:offline`) only: local state
   * whatever the environment's backend.
   * @default false
   */
  readonly offline?: boolean;
  /**
   * What the infra stack of a cloud site built for the cluster's agents and KEDA.
   * @default - none: a cluster the user runs
   */
  readonly cloud?: SiteCloudBindings;
  /**
   * Declares in the stack what reaching a cluster the fleet builds needs (a
   * provider, a data source) and returns that access.
   * @default - the site's kubeconfig
   */
  readonly clusterAccess?: (stack: Construct) => ClusterAccess;
  /**
   * The cluster autoscaler of an EKS cluster the fleet builds.
   * @default - none: the cluster's own node scaling, if any
   */
  readonly nodeAutoscaler?: ClusterAutoscalerReleaseProps;
}

/** What the infra stack of a cloud site (`<env>-<site>-infra`) is built from. */
export interface CloudInfraStackProps<Site> {
  /** The cloud site: its network, cluster, pools and account. */
  readonly site: Site;
  /**
   * The site's plan (see `planSite`), shared with its platform and agents
   * stacks: the environment's name, which names the cluster and the site's
   * resources, every agent placed on the site and the brokers reachable there.
   */
  readonly plan: SitePlan;
  /** Run managed services highly available (and keep longer backups). @default false */
  readonly production?: boolean;
  /** Where Terraform keeps the stack's state. @default - local state under `terraform-state/` */
  readonly backend?: BackendSpec;
  /** Synthesize for the offline plan only. @default false */
  readonly offline?: boolean;
}

/**
 * Throws, listing every problem, when a site stack's site, brokers or the names
 * derived from them break a rule the environment files enforce: the same
 * checks, so that a stack built from TypeScript cannot synthesize what a file
 * would be refused for.
 */
export function assertValidSiteProps(stack: Construct, props: SiteStackProps): void {
  const { site, brokers, environment } = props.plan;
  const problems: Problem[] = [
    ...validateKubernetesSite(site).map((problem) => ({
      ...problem,
      path: ['site', ...problem.path],
    })),
    ...brokers.flatMap((broker) =>
      validateBroker(broker).map((problem) => ({
        ...problem,
        path: ['brokers', broker.name, ...problem.path],
      })),
    ),
    ...namesTooLong(environment, site, {
      agents: props.plan.agents.map((agent) => agent.spec),
      brokers,
    }),
  ];
  if (problems.length > 0) throw new ValidationError(stack.node.path, problems);
}

/**
 * Throws, listing every problem, when a cloud site's cluster or the names
 * derived for its resources break a rule the environment files enforce (its
 * version's support, its public exposure, the resources' name limits).
 */
export function assertValidCloudSite(
  stack: Construct,
  props: CloudInfraStackProps<AwsSiteSpec | AzureSiteSpec>,
): void {
  const { site } = props;
  const view = site.kind === 'aws' ? clusterSiteOf(site) : clusterSiteOfAzure(site);
  const { environment, brokers, allAgents } = props.plan;
  const charts = chartSupportProblems(site.cluster.version, chartsOnSite(view, brokers));
  const problems = [
    ...[...cloudClusterProblems(site), ...charts].map((problem) => ({
      ...problem,
      path: ['site', ...problem.path],
    })),
    ...namesTooLong(
      environment,
      { name: site.name, cloud: site.kind },
      { agents: allAgents.map((agent) => agent.spec), brokers },
    ),
  ];
  if (problems.length > 0) throw new ValidationError(stack.node.path, problems);
}

/** The names derived for a site's resources that are too long, at the name to shorten. */
function namesTooLong(
  environment: string,
  site: Pick<KubernetesSiteSpec, 'name' | 'cloud' | 'database' | 'consul'>,
  props: { readonly agents?: readonly AgentSpec[]; readonly brokers?: readonly BrokerSpec[] },
): Problem[] {
  const found = derivedNameProblems({
    environment,
    site,
    agents: props.agents ?? [],
    brokers: props.brokers ?? [],
  });
  const badName = environmentNameProblem(environment);
  const pathOf = (part: NamePart, value: string): Path =>
    part === 'environment'
      ? ['environment']
      : part === 'site'
        ? ['site', 'name']
        : [`${part}s`, value];
  return [
    ...(badName ? [{ path: ['environment'], message: badName }] : []),
    ...found.map(({ part, value, message }) => ({ path: pathOf(part, value), message })),
  ];
}

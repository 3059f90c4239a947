import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { clusterAutoscalerRoleName } from '../constructs/aws';
import { aksClusterAccess, azureProvider } from '../constructs/azure';
import { applyGuardrails, GUARDRAIL_RULES, GuardrailLog } from '../guardrails';
import {
  AgentSpec,
  agentStackId,
  aksClusterName,
  AzureSiteSpec,
  BackendSpec,
  ClusterAccess,
  DEFAULT_AGENT_GROUP,
  clusterSiteOf,
  clusterSiteOfAzure,
  deploymentKey,
  otherAgentGroups,
  eksClusterName,
  FleetEnvironment,
  GuardrailSuppression,
  KubernetesSiteSpec,
  planHostsSite,
  planSite,
  Problem,
  SiteCloudBindings,
  SitePlan,
  validateEnvironment,
  ValidationError,
} from '../model';
import { buildAgentStacks } from './agent-groups';
import { AgentsStack } from './agents-stack';
import { AwsInfraStack } from './aws-infra-stack';
import { AzureInfraStack } from './azure-infra-stack';
import { HostsStack } from './hosts-stack';
import { PlatformStack } from './platform-stack';
import { SiteStackProps } from './site-stack-props';
import { EnvironmentSummary, summarize } from './summary';

/** Stack ids of a site: config names are therefore stable API. */
export function stackIds(
  environment: string,
  site: string,
): { infra: string; platform: string; agents: string; hosts: string } {
  const prefix = `${environment}-${site}`;
  return {
    infra: `${prefix}-infra`,
    platform: `${prefix}-platform`,
    agents: agentStackId(environment, site, DEFAULT_AGENT_GROUP),
    hosts: `${prefix}-hosts`,
  };
}

/**
 * Every site's stack ids, in the order they deploy: the infra stack of an AWS
 * or Azure site, the platform stack, the default agents stack, then one per
 * other group of its agents by name; or a hosts site's one stack. Derived
 * from the environment alone, as {@link AgentFleet} names the stacks it builds.
 */
export function siteStackIds(environment: FleetEnvironment): Map<string, string[]> {
  const ids = new Map<string, string[]>();
  // The agents a site's agents stacks hold: not those of a VM scaling group.
  const agentsBySite = new Map<string, AgentSpec[]>();
  for (const { site, agent } of environment.deployments) {
    if (agent.placement?.scalingGroup) continue;
    const agents = agentsBySite.get(site) ?? agentsBySite.set(site, []).get(site)!;
    agents.push(agent);
  }
  const groups = (site: string) =>
    otherAgentGroups(agentsBySite.get(site) ?? []).map((group) =>
      agentStackId(environment.name, site, group),
    );
  const cluster = (site: string, cloud: boolean) => {
    const { infra, platform, agents } = stackIds(environment.name, site);
    ids.set(site, [...(cloud ? [infra] : []), platform, agents, ...groups(site)]);
  };
  for (const site of environment.sites) cluster(site.name, false);
  for (const site of environment.awsSites ?? []) cluster(site.name, true);
  for (const site of environment.azureSites ?? []) cluster(site.name, true);
  for (const site of environment.hostsSites ?? []) {
    ids.set(site.name, [stackIds(environment.name, site.name).hosts]);
  }
  return ids;
}

/**
 * The suppressions each site's guardrails are given: those naming one of its
 * stacks, and those naming no stack of the environment (so that they are
 * reported unused).
 */
function suppressionsBySite(
  environment: FleetEnvironment,
): (site: string) => readonly GuardrailSuppression[] {
  const siteOfStack = new Map<string, string>();
  for (const [site, stacks] of siteStackIds(environment)) {
    for (const stack of stacks) siteOfStack.set(stack, site);
  }
  return (site) =>
    (environment.suppressions ?? []).filter((suppression) => {
      const owner = siteOfStack.get(suppression.resource.split('/')[0]);
      return owner === undefined || owner === site;
    });
}

/** How a site's cluster is reached and what its cloud built, for its later stacks. */
interface ClusterStackInputs {
  readonly plan: SitePlan;
  readonly infra?: TerraformStack;
  readonly clusterAccess?: SiteStackProps['clusterAccess'];
  readonly nodeAutoscaler?: SiteStackProps['nodeAutoscaler'];
  readonly cloud?: SiteCloudBindings;
  readonly backend?: BackendSpec;
}

/** What an {@link AgentFleet} is built from. */
export interface AgentFleetProps {
  /**
   * The environment: from the files (`loadFleet`), declared in code, or the
   * files' with changes made in code (`withSites`, `withDeployments`,
   * `overrideAgent` in `model/`). An environment declared in code gets the
   * checks the loader applies across an environment (`validateEnvironment`).
   */
  readonly environment: FleetEnvironment;
  /**
   * Synthesize for the offline plan (`npm run plan:offline`) only: local state
   * whatever the environment's backend, no cloud lookups.
   * @default false
   */
  readonly offline?: boolean;
  /**
   * Build the stacks of these sites only (any kind, by name), for a synth of
   * one site or a few: their stacks are the same as in a synth of the whole
   * environment, which is still checked whole. A suppression naming a stack of
   * another site is left for that site's synth.
   * @default - every site of the environment
   */
  readonly sites?: readonly string[];
}

/** The stacks of one site of an {@link AgentFleet}. */
export interface FleetSiteStacks {
  /** The site's name. */
  readonly site: string;
  /**
   * `<env>-<site>-infra`: the cloud infrastructure of an AWS or Azure site.
   * @default - none: a cluster the user runs
   */
  readonly infra?: TerraformStack;
  /** `<env>-<site>-platform`, depending on the infra stack if any. */
  readonly platform: PlatformStack;
  /**
   * `<env>-<site>-agents`, depending on the platform stack: the agents of the
   * default group and what the site's agents share.
   */
  readonly agents: AgentsStack;
  /** `<env>-<site>-agents-<group>` per other group of agents, depending on `agents`. */
  readonly agentGroups: readonly AgentsStack[];
}

/**
 * A whole environment, built exactly as `npm run synth` builds it: per site a
 * plan (`planSite`), the infra stack of an AWS or Azure site, the platform
 * stack and the default group's agents stack, each depending on the one before
 * (`cdktf deploy '*'` keeps that order), then one agents stack per other group
 * of its agents (`buildAgentStacks`), and the guardrails over each site's stacks.
 *
 * The stacks are children of the App, beside the fleet construct, with the ids
 * of {@link siteStackIds}: a stack nested under another construct would carry
 * that construct's id in its output, so the scope must be the App itself.
 *
 * Before building anything, the environment is checked as the loader checks
 * the files (`validateEnvironment` in `model/`, then each in-cluster RabbitMQ
 * broker's topology): every problem is thrown at once in one
 * `ValidationError` naming this construct's path, with fields as
 * `name`, `brokers.<broker>.<field>` and `deployments.<agent>@<site>.<field>`.
 */
export class AgentFleet extends Construct {
  /** The environment built. */
  readonly environment: FleetEnvironment;
  /** The stacks of each site: Kubernetes sites first, then AWS, then Azure sites. */
  readonly sites: readonly FleetSiteStacks[];
  /** The stack of each hosts site (`<env>-<site>-hosts`), in the environment's order. */
  readonly hostsSites: readonly HostsStack[];
  /** What the environment deploys, as `npm run synth` prints it. */
  readonly summary: EnvironmentSummary;
  /** The guardrail findings, filled when the app synthesizes. */
  readonly guardrails: GuardrailLog = new GuardrailLog();

  constructor(scope: Construct, id: string, props: AgentFleetProps) {
    if (!App.isApp(scope)) {
      throw new Error(
        `AgentFleet '${id}' must be added to the App itself, not under '${scope.node.path}': its stacks are the App's children, since a stack nested under another construct changes its synthesized output`,
      );
    }
    super(scope, id);
    const { environment } = props;
    this.environment = environment;
    const built = (site: string) => props.sites === undefined || props.sites.includes(site);
    const plans = planEnvironment(this, environment, built, props.sites);
    const suppressionsOf = suppressionsBySite(environment);
    // One plan per site, shared by all its stacks: its agents are resolved once.
    const planOf = (site: KubernetesSiteSpec) => plans.get(site.name) as SitePlan;
    const clusterStacks = (inputs: ClusterStackInputs): FleetSiteStacks => {
      const { plan } = inputs;
      const { site } = plan;
      const ids = stackIds(environment.name, site.name);
      const common = {
        plan,
        backend: inputs.backend ?? environment.backend,
        offline: props.offline,
        clusterAccess: inputs.clusterAccess,
      };
      const platform = new PlatformStack(scope, ids.platform, {
        ...common,
        nodeAutoscaler: inputs.nodeAutoscaler,
        cloud: inputs.cloud,
      });
      const [workloads, ...groups] = buildAgentStacks(scope, {
        ...common,
        cloud: inputs.cloud,
        platform,
        maxResources: environment.agentStacks?.maxResources,
      });
      if (inputs.infra) platform.addDependency(inputs.infra);
      workloads.addDependency(platform);
      const agentStacks = [workloads, ...groups];
      applyGuardrails([...(inputs.infra ? [inputs.infra] : []), platform, ...agentStacks], {
        rules: GUARDRAIL_RULES,
        suppressions: [
          ...suppressionsOf(site.name),
          ...agentStacks.flatMap((stack) => stack.guardrailExceptions),
        ],
        log: this.guardrails,
      });
      return {
        site: site.name,
        infra: inputs.infra,
        platform,
        agents: workloads,
        agentGroups: groups,
      };
    };

    const sites = environment.sites
      .filter((site) => built(site.name))
      .map((site) => clusterStacks({ plan: planOf(site) }));
    for (const awsSite of (environment.awsSites ?? []).filter((site) => built(site.name))) {
      const plan = planOf(clusterSiteOf(awsSite));
      const stack = new AwsInfraStack(scope, stackIds(environment.name, awsSite.name).infra, {
        site: awsSite,
        plan,
        production: environment.production,
        backend: environment.backend,
        offline: props.offline,
      });
      const clusterName = eksClusterName(environment.name, awsSite);
      // The cluster's endpoint and CA come from the infra stack's state; a token from the AWS CLI.
      const clusterAccess = (): ClusterAccess => ({
        host: stack.cluster.endpoint,
        clusterCaCertificate: stack.cluster.certificateAuthorityData,
        exec: {
          command: 'aws',
          args: ['eks', 'get-token', '--cluster-name', clusterName, '--region', awsSite.region],
        },
      });
      sites.push(
        clusterStacks({
          plan,
          infra: stack,
          clusterAccess,
          nodeAutoscaler: {
            clusterName,
            region: awsSite.region,
            kubernetesVersion: awsSite.cluster.version,
            roleArn: `arn:aws:iam::${awsSite.accountId}:role/${clusterAutoscalerRoleName(clusterName)}`,
          },
          cloud: stack.bindings,
        }),
      );
    }
    for (const azureSite of (environment.azureSites ?? []).filter((site) => built(site.name))) {
      const backend = azureSite.backend ?? environment.backend;
      const plan = planOf(clusterSiteOfAzure(azureSite));
      const stack = new AzureInfraStack(scope, stackIds(environment.name, azureSite.name).infra, {
        site: azureSite,
        plan,
        production: environment.production,
        backend,
        offline: props.offline,
      });
      sites.push(
        clusterStacks({
          plan,
          infra: stack,
          clusterAccess: aksAccess(environment.name, azureSite),
          cloud: stack.bindings,
          backend,
        }),
      );
    }
    this.sites = sites;
    const hostsSites = (environment.hostsSites ?? []).filter((site) => built(site.name));
    this.hostsSites = hostsSites.map((site) => {
      const agents = environment.deployments
        .filter((d) => d.site === site.name)
        .map((d) => d.agent);
      const stack = new HostsStack(scope, stackIds(environment.name, site.name).hosts, {
        plan: planHostsSite(environment.name, site, agents),
        backend: environment.backend,
        offline: props.offline,
      });
      applyGuardrails([stack], {
        rules: GUARDRAIL_RULES,
        suppressions: suppressionsOf(site.name),
        log: this.guardrails,
      });
      return stack;
    });
    this.summary = summarize(environment, sites, this.hostsSites, built);
  }
}

/**
 * Plans each site built once, after the checks across the
 * environment; throws every problem found, at the fleet's path.
 */
function planEnvironment(
  fleet: AgentFleet,
  environment: FleetEnvironment,
  built: (site: string) => boolean,
  sites: readonly string[] | undefined,
): Map<string, SitePlan> {
  const problems: Problem[] = validateEnvironment(environment, sites);
  if (problems.length > 0) throw new ValidationError(fleet.node.path, problems);
  const clusters = [
    ...environment.sites,
    ...(environment.awsSites ?? []).map(clusterSiteOf),
    ...(environment.azureSites ?? []).map(clusterSiteOfAzure),
  ].filter((site) => built(site.name));
  const plans = new Map<string, SitePlan>();
  for (const site of clusters) {
    const plan = planSite({
      environment: environment.name,
      site,
      brokers: environment.brokers,
      agents: environment.deployments.filter((d) => d.site === site.name).map((d) => d.agent),
    });
    plans.set(site.name, plan);
    for (const { problems: found } of plan.rabbitMq) {
      for (const conflict of found) {
        problems.push({
          path: ['deployments', deploymentKey(conflict.agent, site.name), ...conflict.path],
          message: conflict.message,
        });
      }
    }
  }
  if (problems.length > 0) throw new ValidationError(fleet.node.path, problems);
  return plans;
}

/**
 * Later stacks read the AKS cluster by name through their own azurerm
 * provider, and take a token from kubelogin: no credential is stored and no
 * sensitive output crosses stacks.
 */
function aksAccess(environment: string, site: AzureSiteSpec): (scope: Construct) => ClusterAccess {
  return (scope) => {
    azureProvider(scope, { subscriptionId: site.subscriptionId, tenantId: site.tenantId });
    const name = aksClusterName(environment, site);
    return aksClusterAccess(scope, { clusterName: name, resourceGroupName: name });
  };
}

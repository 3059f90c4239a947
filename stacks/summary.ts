import { TerraformStack } from 'cdktf';
import { SiteCapacity } from '../constructs/kubernetes/platform';
import { RabbitMqNodes } from '../constructs/kubernetes/services';
import { BrokerCredentials } from '../generators/rabbitmq';
import {
  BrokerSpec,
  brokerReplicas,
  describeSignals,
  FleetEnvironment,
  HostPoolSpec,
  hostPoolView,
  PlannedHostsAgent,
} from '../model';
import { AgentsStack } from './agents-stack';
import { HostsStack } from './hosts-stack';
import { PlatformStack } from './platform-stack';

/** Rows of the synth summary of one environment. */
export interface EnvironmentSummary {
  /** Name of the environment. */
  readonly environment: string;
  /** The sites summarized, by name: every site, or those a synth of some built. */
  readonly sites: readonly string[];
  /** Ids of the environment's stacks, site by site, each site's in deploy order. */
  readonly stacks: readonly string[];
  /** One line per cloud site: region, cluster and node pools. */
  readonly cloudSites: readonly string[];
  /** One line per hosts site: its servers, runtime and scaling. */
  readonly hostsSites: readonly string[];
  /** One line per broker: where it runs and how many nodes. */
  readonly brokers: readonly string[];
  /** Per Kubernetes site, its agents and platform against its pools at their minima and maxima; per hosts site, its agents against its servers. */
  readonly capacity: readonly SiteCapacity[];
  /** Per in-cluster RabbitMQ broker, its users revision and what it is derived from. */
  readonly brokerCredentials: readonly (BrokerCredentials & { readonly site: string })[];
  /** Per in-cluster RabbitMQ broker, what its nodes are started from besides their users. */
  readonly brokerNodes: readonly {
    readonly broker: string;
    readonly site: string;
    readonly nodes: RabbitMqNodes;
  }[];
  /**
   * One row per agent deployment: its site, pools, replicas (`<min>–<max>`, or `1 per run`) and how it
   * scales; agents on EC2 Auto Scaling groups or VM scale sets included.
   */
  readonly agents: readonly {
    readonly agent: string;
    readonly site: string;
    readonly pools: string;
    readonly replicas: string;
    readonly scaling: string;
  }[];
}

/** A Kubernetes site's stacks, as a summary reads them. */
interface ClusterSiteStacks {
  readonly site: string;
  readonly infra?: TerraformStack;
  readonly platform: PlatformStack;
  readonly agents: AgentsStack;
  readonly agentGroups: readonly AgentsStack[];
}

/**
 * Summarizes what an environment's stacks deploy: those of the sites built,
 * all of them unless `built` says otherwise. The stacks are listed site by
 * site, each site's in the order they deploy.
 */
export function summarize(
  environment: FleetEnvironment,
  sites: readonly ClusterSiteStacks[],
  hosts: readonly HostsStack[] = [],
  built: (site: string) => boolean = () => true,
): EnvironmentSummary {
  return {
    environment: environment.name,
    sites: [...sites.map(({ site }) => site), ...hosts.map(({ plan }) => plan.site.name)],
    stacks: [
      ...sites.flatMap(({ infra, platform, agents, agentGroups }) =>
        [...(infra ? [infra] : []), platform, agents, ...agentGroups].map((stack) => stack.node.id),
      ),
      ...hosts.map((stack) => stack.node.id),
    ],
    hostsSites: hosts.map(({ plan }) => {
      const servers = plan.site.pools.reduce((sum, pool) => sum + pool.servers.length, 0);
      const pools = plan.site.pools.map((pool) => pool.name).join(', ');
      return `hosts site ${plan.site.name}: ${servers} server(s) in ${pools}, ${plan.site.runtime ?? 'podman'}, deployed by Ansible, scaled by the reconcile playbook every ${plan.site.scaling.interval ?? '1m'}`;
    }),
    cloudSites: [
      ...(environment.awsSites ?? [])
        .filter((site) => built(site.name))
        .map((site) => {
          const pools = site.nodePools
            .map(
              (pool) =>
                `${pool.name} ${pool.instanceTypes.join('/')} ${pool.minSize}–${pool.maxSize}`,
            )
            .join(', ');
          return `aws site ${site.name}: ${site.region}, EKS ${site.cluster.version}, node groups ${pools}`;
        }),
      ...(environment.azureSites ?? [])
        .filter((site) => built(site.name))
        .map((site) => {
          const pools = site.nodePools
            .map((pool) => `${pool.name} ${pool.vmSize} ${pool.minCount}–${pool.maxCount}`)
            .join(', ');
          return `azure site ${site.name}: ${site.location}, AKS ${site.cluster.version}, node pools ${pools}`;
        }),
    ],
    brokers: environment.brokers.map(describeBroker),
    capacity: [...sites.map(({ agents }) => agents.capacity), ...hosts.map(hostsCapacity)],
    brokerCredentials: sites.flatMap(({ site, platform }) =>
      [...platform.brokers.values()].map((cluster) => ({ ...cluster.credentials, site })),
    ),
    brokerNodes: sites.flatMap(({ site, platform }) =>
      [...platform.brokers.entries()].map(([broker, cluster]) => ({
        broker,
        site,
        nodes: cluster.nodes,
      })),
    ),
    agents: [...clusterRows(sites), ...scalingGroupRows(environment, built), ...hostsRows(hosts)],
  };
}

/**
 * A hosts site's agents against its servers: per pool the servers their
 * instances use at the minima and at the maxima (as far as the slots go),
 * and the agents whose maximum the servers cannot hold.
 */
function hostsCapacity({ plan }: HostsStack): SiteCapacity {
  const used = (pool: HostPoolSpec, upTo: (planned: PlannedHostsAgent) => number) => {
    const names = new Set(pool.servers.map((server) => server.name));
    return new Set(
      plan.agents.flatMap((planned) =>
        planned.slots
          .slice(0, upTo(planned))
          .map((slot) => slot.server)
          .filter((server) => names.has(server)),
      ),
    ).size;
  };
  const bounds = (planned: PlannedHostsAgent) => planned.agent.spec.scaling;
  return {
    site: plan.site.name,
    pools: plan.site.pools.map((pool) => {
      const view = hostPoolView(pool);
      return {
        pool: pool.name,
        node: {
          cpuMillis: view.allocatable?.cpu?.millicores ?? 0,
          memoryMiB: Math.floor((view.allocatable?.memory?.bytes ?? 0) / 2 ** 20),
          basis: view.allocatable?.basis,
        },
        maxNodes: pool.servers.length,
        nodesAtMin: used(pool, (planned) => bounds(planned)?.minReplicas ?? 1),
        nodesAtMax: used(pool, (planned) => planned.slots.length),
      };
    }),
    shortfalls: plan.agents
      .filter((planned) => planned.slots.length < (bounds(planned)?.maxReplicas ?? 1))
      .map((planned) => ({
        agent: planned.agent.spec.name,
        maxReplicas: bounds(planned)?.maxReplicas ?? 1,
        reachableReplicas: planned.slots.length,
      })),
    errors: [],
    warnings: plan.warnings.map((warning) => ({
      pool: plan.agents.find((p) => p.agent.spec.name === warning.agent)?.pools[0] ?? '',
      message: warning.message,
    })),
  };
}

/** Agents on warm servers: their pools, bounds (the maximum held to the slots) and signal. */
function hostsRows(hosts: readonly HostsStack[]): EnvironmentSummary['agents'] {
  return hosts.flatMap(({ plan }) =>
    plan.agents.map(({ agent, pools, slots }) => {
      const scaling = agent.spec.scaling;
      const min = scaling?.minReplicas ?? 1;
      const max = Math.min(scaling?.maxReplicas ?? 1, slots.length);
      return {
        agent: agent.spec.name,
        site: plan.site.name,
        pools: pools.join(', '),
        replicas: `${min}–${max}`,
        scaling: scaling?.prometheus ? `reconcile: ${describeSignals(scaling)}` : 'fixed count',
      };
    }),
  );
}

function capacityLines(capacity: SiteCapacity): string[] {
  if (capacity.pools.length === 0) return [];
  const { site } = capacity;
  const pools = capacity.pools.map(
    (pool) =>
      `${pool.pool} ${pool.nodesAtMin}–${pool.nodesAtMax}${pool.maxNodes !== undefined ? ` of ${pool.maxNodes}` : ''}`,
  );
  return [
    `capacity ${site}: nodes needed at the minima–maxima ${pools.join(', ')}`,
    ...capacity.warnings.map((warning) => `warning: capacity ${site}: ${warning.message}`),
  ];
}

function clusterRows(sites: readonly ClusterSiteStacks[]): EnvironmentSummary['agents'] {
  return sites.flatMap(({ site, agents, agentGroups }) =>
    [agents, ...agentGroups]
      .flatMap((stack) => [...stack.agents.values()])
      .map((agent) => {
        const { spec, scalingMode } = agent.resolved;
        const scaling = spec.scaling;
        return {
          agent: spec.name,
          site,
          pools: agent.pools.join(', '),
          replicas: scaling ? `${scaling.minReplicas}–${scaling.maxReplicas}` : '1 per run',
          scaling: scaling
            ? scalingMode === 'fixed'
              ? 'fixed count'
              : `${scalingMode}: ${describeSignals(scaling)}`
            : `cron-job: ${spec.schedule?.cron ?? ''}`,
        };
      }),
  );
}

/** Agents on their own EC2 Auto Scaling groups or VM scale sets, built by the infra stacks. */
function scalingGroupRows(
  environment: FleetEnvironment,
  built: (site: string) => boolean,
): EnvironmentSummary['agents'] {
  const azure = new Set((environment.azureSites ?? []).map((site) => site.name));
  return environment.deployments.flatMap(({ site, agent }) => {
    const group = agent.placement?.scalingGroup;
    if (!group || !agent.scaling || !built(site)) return [];
    const [kind, label] = azure.has(site) ? ['VM scale set', 'vmss'] : ['EC2 group', 'asg'];
    return [
      {
        agent: agent.name,
        site,
        pools: `${kind} ${group.instanceType}`,
        replicas: `${agent.scaling.minReplicas}–${agent.scaling.maxReplicas}`,
        scaling: `${label}: backlog ${agent.scaling.queueDepth?.perReplica ?? '?'}/instance`,
      },
    ];
  });
}

/**
 * One summary of an environment from summaries of some of its sites each
 * (synthesized apart, e.g. in worker processes), given in the environment's
 * site order: every list in that order, the brokers once.
 */
export function mergeSummaries(parts: readonly EnvironmentSummary[]): EnvironmentSummary {
  const all = <K extends keyof EnvironmentSummary>(key: K) =>
    parts.flatMap((part) => part[key] as readonly unknown[]) as never;
  return {
    environment: parts[0].environment,
    sites: all('sites'),
    stacks: all('stacks'),
    cloudSites: all('cloudSites'),
    hostsSites: all('hostsSites'),
    brokers: parts[0].brokers,
    capacity: all('capacity'),
    brokerCredentials: all('brokerCredentials'),
    brokerNodes: all('brokerNodes'),
    agents: all('agents'),
  };
}

/** Renders a summary as a plain-text table. */
export function formatSummary(summary: EnvironmentSummary): string {
  const header = {
    agent: 'agent type',
    site: 'site',
    pools: 'pools',
    replicas: 'replicas',
    scaling: 'scaling',
  };
  const rows = [header, ...summary.agents];
  const columns = Object.keys(header) as (keyof typeof header)[];
  const widths = columns.map((column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: typeof header) =>
    columns
      .map((column, i) => row[column].padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    `Environment ${summary.environment}`,
    `  stacks: ${summary.stacks.join(', ')}`,
    ...summary.cloudSites.map((site) => `  ${site}`),
    ...summary.hostsSites.map((line) => `  ${line}`),
    ...summary.brokers.map((broker) => `  broker ${broker}`),
    ...summary.capacity.flatMap(capacityLines).map((line) => `  ${line}`),
    ...(summary.agents.length > 0 ? rows.map((row) => `  ${line(row)}`) : ['  no agents']),
  ].join('\n');
}

function describeBroker(broker: BrokerSpec): string {
  return `${broker.name}: ${brokerWhere(broker)}`;
}

/** Where a broker runs and on how many nodes, in words. */
export function brokerWhere(broker: BrokerSpec): string {
  switch (broker.kind) {
    case 'kafka':
      if (broker.msk) {
        return `Amazon MSK on ${broker.msk.site}, Kafka ${broker.msk.kafkaVersion}`;
      }
      if (broker.eventHubs) return `Event Hubs on ${broker.eventHubs.site}`;
      return `Kafka (Strimzi) in-cluster on ${broker.inCluster?.site}, ${broker.inCluster?.replicas ?? 3} node(s)`;
    case 'sqs':
      return `SQS on ${broker.site}`;
    case 'servicebus':
      return `Service Bus on ${broker.site}`;
    case 'rabbitmq': {
      if (broker.amazonMq) return `Amazon MQ for RabbitMQ on ${broker.amazonMq.site}`;
      if (!broker.inCluster) return `external (${broker.external?.host})`;
      const nodes = brokerReplicas(broker);
      const note = nodes < 3 ? ', below the default of 3: no node may fail' : '';
      return `in-cluster on ${broker.inCluster.site}, ${nodes} node(s)${note}`;
    }
  }
}

import { PoolCapacity, SiteCapacity } from '../constructs/kubernetes/platform/site-capacity';
import type { RabbitMqNodes } from '../constructs/kubernetes/services';
import type { BrokerCredentialCopy, BrokerCredentials } from '../generators/rabbitmq';
import {
  agentGroupOf,
  AgentSpec,
  agentStackId,
  deploymentKey,
  brokerSite,
  BrokerSpec,
  clusterSiteOf,
  clusterSiteOfAzure,
  describeBrokerKind,
  dsqlRoleName,
  signalParts,
  FleetEnvironment,
  hostPoolView,
  inClusterKafkaOn,
  keyspaceName,
  KubernetesSiteSpec,
  NodePoolSpec,
  rabbitMqBrokers,
  resolveAgent,
  resolveQueueBinding,
  resolveTopicBinding,
  sqsDeadLetterQueue,
  stateEngineFor,
  stateIdentifier,
  stateModelOf,
  LoadProfileSpec,
} from '../model';
import { siteStackIds, stackIds } from '../stacks/agent-fleet';
import { brokerWhere, EnvironmentSummary } from '../stacks/summary';

/** File, under the output directory, of every environment's fleet report. */
export const FLEET_FILE = 'fleet.json';

/** Where a site runs: a cloud region, or a Kubernetes cluster the user runs. */
export type SiteKind = 'aws' | 'azure' | 'kubernetes' | 'hosts';

/** A node pool of a site, as the review prices and draws it. */
export interface PoolReport {
  readonly name: string;
  /** EC2 instance types or the Azure VM size; empty on clusters the user runs. */
  readonly instanceTypes: readonly string[];
  /** Fewest nodes, on cloud pools. */
  readonly minNodes?: number;
  /** Most nodes, on cloud pools. */
  readonly maxNodes?: number;
  readonly spot: boolean;
  readonly arch: 'amd64' | 'arm64';
  /** GPUs per node and their model. @default - none */
  readonly gpu?: { readonly count: number; readonly model: string };
  readonly labels: Readonly<Record<string, string>>;
}

/** A site: its cluster, pools, databases and the add-ons its platform stack installs. */
export interface SiteReport {
  readonly name: string;
  readonly kind: SiteKind;
  /** AWS region or Azure location. @default - none (a cluster the user runs) */
  readonly region?: string;
  /** The cluster, e.g. `EKS 1.35` or `kubeconfig context nebraska-prod`. */
  readonly cluster: string;
  readonly nodePools: readonly PoolReport[];
  /** One line per database, e.g. `CockroachDB, 3 node(s), 100Gi each`. */
  readonly databases: readonly string[];
  /** One line per add-on, e.g. `KEDA`, `Consul (datacenter nebraska, 3 server(s))`. */
  readonly addOns: readonly string[];
  /**
   * The site's stacks, in the order they deploy: the infra stack of a cloud
   * site, the platform stack, the agents stacks (the default group's first),
   * or a hosts site's one stack. A site is deployed, planned and synthesized
   * as one unit.
   */
  readonly stacks: readonly string[];
  /**
   * The site's agents and platform packed onto the pools whose node capacity
   * is known: nodes needed at the minima and maxima, and why a maximum cannot
   * be reached. @default - none (agents on scaling groups only)
   */
  readonly capacity?: {
    readonly pools: readonly PoolCapacity[];
    readonly warnings: readonly string[];
  };
}

/** A broker of the environment. */
export interface BrokerReport {
  readonly name: string;
  /** RabbitMQ, Amazon MQ, Kafka, MSK, Event Hubs, SQS or Service Bus. */
  readonly kind: string;
  /** Site that runs it. @default - none (external) */
  readonly site?: string;
  /** Where and how it runs, e.g. `in-cluster on us-east, 3 node(s)`. */
  readonly where: string;
  /**
   * Its users and where copies of their passwords live: what its users
   * revision is derived from. @default - none (not a RabbitMQ broker the fleet runs)
   */
  readonly credentials?: BrokerCredentialsReport;
  /**
   * What its nodes are started from besides their users: a change to any of
   * it restarts them one by one. @default - none (not a RabbitMQ broker the fleet runs)
   */
  readonly nodes?: BrokerNodesReport;
}

/** What the nodes of an in-cluster RabbitMQ broker are started from, besides their users. */
export type BrokerNodesReport = RabbitMqNodes;

/**
 * The users of an in-cluster RabbitMQ broker. Every Secret that holds one of
 * the broker's passwords and the restart annotation of its nodes carry
 * `revision`; a new revision means the apply writes every password of the
 * broker anew and its nodes restart to import them, before the agents' copies
 * are used. It changes exactly when something listed here changes.
 */
export interface BrokerCredentialsReport {
  /** The users revision (`data_wo_revision` of the Secrets, the nodes' annotation). */
  readonly revision: number;
  /** The broker's own Secret of every user and password, e.g. `Kubernetes Secret rabbitmq/rabbitmq-users`. */
  readonly usersSecret: string;
  readonly users: readonly BrokerUserReport[];
}

/** One user of a broker, as its users revision reads it. */
export interface BrokerUserReport {
  readonly name: string;
  /** RabbitMQ tags, e.g. `monitoring`. */
  readonly tags: readonly string[];
  /** Per vhost, e.g. `/: configure ^$, write ^amq\.default$, read ^(q)$`. */
  readonly permissions: readonly string[];
  /**
   * Where copies of its password are written outside the broker, e.g.
   * `Kubernetes Secret media/metadata-extraction-rabbitmq-credentials`. Moving
   * one replaces it with a new password, so it is part of the revision.
   */
  readonly copies: readonly string[];
}

/** Where one agent type runs on one site. */
export type AgentPlacementReport =
  | {
      readonly kind: 'pools';
      /** Pools whose nodes meet the agent's needs. */
      readonly pools: readonly string[];
      /** GPUs per replica. */
      readonly gpu: number;
      readonly spot: 'never' | 'allowed' | 'required';
    }
  | {
      readonly kind: 'scaling-group';
      /** EC2 Auto Scaling group or Azure VM scale set. */
      readonly group: 'ec2' | 'vmss';
      readonly instanceType: string;
    };

/** The queue or topic an agent consumes, and where failures go. */
export interface AgentSourceReport {
  readonly kind: 'queue' | 'topic';
  readonly broker: string;
  readonly name: string;
  /** Dead-letter queue or topic, or why there is none. */
  readonly deadLetter: string;
}

/** One agent type on one site. */
export interface AgentReport {
  readonly agent: string;
  readonly site: string;
  /**
   * The stack that deploys it: its group's agents stack on a Kubernetes site,
   * the infra stack for a scaling group, the hosts stack on warm servers.
   */
  readonly stack: string;
  /** consumer, scheduled or per-message. */
  readonly workload: string;
  readonly placement: AgentPlacementReport;
  /** Replica bounds; a scheduled agent runs 0 to 1 at a time. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** fixed, hpa, keda, keda-job, cron-job, asg, vmss or reconcile (warm servers). */
  readonly autoscaler: string;
  /** Signals and targets, e.g. `queue depth 20/replica`; empty for a fixed count. */
  readonly signals: readonly string[];
  /** The PromQL query of its `prometheus` signal, as written. @default - none (no such signal) */
  readonly prometheusQuery?: string;
  /** Cron schedule of scheduled work. @default - none */
  readonly schedule?: string;
  /** @default - none (a producer or scheduled job) */
  readonly source?: AgentSourceReport;
  /** Queues it publishes to, as `<broker>/<queue>`. */
  readonly publishes: readonly string[];
  /** Where it keeps state, e.g. `DynamoDB table prod-us-east-inventory-update`. @default - stateless */
  readonly stateStore?: string;
  /**
   * Replicas that fit the pools' maximum node counts when every workload of
   * the site is at its maximum. @default - maxReplicas
   */
  readonly reachableMaxReplicas?: number;
  /**
   * What one replica processes per second and how long a new one takes to be
   * ready, as the agent type declares them for the scaling simulator.
   * @default - not declared
   */
  readonly processing?: {
    readonly perReplicaPerSecond: number;
    readonly readySeconds: number;
  };
  /** What one replica requests. */
  readonly requests: {
    readonly cpuMillis: number;
    readonly memoryMiB: number;
    readonly gpu: number;
  };
}

/** What an environment runs, in the terms a reviewer reads: `fleet.json` per environment. */
export interface FleetReport {
  readonly environment: string;
  readonly production: boolean;
  readonly stacks: readonly string[];
  readonly sites: readonly SiteReport[];
  readonly brokers: readonly BrokerReport[];
  readonly agents: readonly AgentReport[];
  /**
   * The load the scaling simulator replays by default: a shape, durations in
   * seconds, or a trace's path. @default - none declared
   */
  readonly loadProfile?: LoadProfileSpec;
}

/** The content of `fleet.json`: every synthesized environment's report, by name. */
export interface FleetDocument {
  /** The project the output belongs to, so a review compares outputs of one project only. */
  readonly project: string;
  readonly environments: Readonly<Record<string, FleetReport>>;
}

/** The project's id, as `cdktf.json` names it (`projectId`). */
export const PROJECT_ID = 'agent-fleet';

/**
 * Describes an environment for the plan review: sites with their pools,
 * databases and add-ons, brokers, and each agent type per site with its
 * placement, bounds, signals, queue or topic and state store. Pure: the pools
 * an agent landed on come from the synth summary, the rest from the model.
 */
export function fleetReport(
  environment: FleetEnvironment,
  summary: EnvironmentSummary,
): FleetReport {
  const built = new Set(summary.sites);
  const rows = summaryRows(summary);
  const stacks = siteStackIds(environment);
  return {
    environment: environment.name,
    production: environment.production ?? false,
    stacks: summary.stacks,
    sites: siteReports(environment)
      .filter((site) => built.has(site.name))
      .map((site) => withCapacity({ ...site, stacks: stacks.get(site.name) ?? [] }, summary)),
    brokers: environment.brokers.map((broker) =>
      withNodes(
        withCredentials(
          brokerReport(broker),
          summary.brokerCredentials.find((candidate) => candidate.broker === broker.name),
        ),
        summary.brokerNodes.find((candidate) => candidate.broker === broker.name)?.nodes,
      ),
    ),
    agents: environment.deployments
      .filter(({ site }) => built.has(site))
      .map(({ site, agent }) => agentReport(environment, site, agent, rows)),
    ...(environment.loadProfile ? { loadProfile: environment.loadProfile } : {}),
  };
}

function withCapacity(site: SiteReport, summary: EnvironmentSummary): SiteReport {
  const capacity = summary.capacity.find((candidate) => candidate.site === site.name);
  if (!capacity || capacity.pools.length === 0) return site;
  return {
    ...site,
    capacity: {
      pools: capacity.pools,
      warnings: capacity.warnings.map((warning) => warning.message),
    },
  };
}

/** Collects reports into the document written as `fleet.json`. */
export function fleetDocument(reports: readonly FleetReport[]): FleetDocument {
  return {
    project: PROJECT_ID,
    environments: Object.fromEntries(reports.map((r) => [r.environment, r])),
  };
}

function siteReports(environment: FleetEnvironment): Omit<SiteReport, 'stacks'>[] {
  const stateful = (site: string) =>
    environment.deployments.filter((d) => d.site === site && d.agent.state).map((d) => d.agent);
  const sites: Omit<SiteReport, 'stacks'>[] = [];
  for (const site of environment.sites) {
    const databases = site.database
      ? [
          `CockroachDB, ${site.database.replicas ?? 3} node(s), ${site.database.storage?.toKubernetes() ?? '100Gi'} each`,
        ]
      : [];
    sites.push({
      name: site.name,
      kind: 'kubernetes',
      cluster: site.kubeconfig ? `kubeconfig context ${site.kubeconfig.context}` : 'cluster',
      nodePools: site.nodePools.map((pool) => poolReport(pool, { instanceTypes: [] })),
      databases,
      addOns: addOns(environment, site.name, {
        gpu: site.nodePools.some((pool) => pool.gpu),
        database: site.database !== undefined,
        consul:
          site.consul &&
          `datacenter ${site.consul.datacenter}, ${site.consul.replicas ?? 3} server(s)`,
        vault: site.vault?.address,
      }),
    });
  }
  for (const site of environment.awsSites ?? []) {
    const tables = stateful(site.name).length;
    sites.push({
      name: site.name,
      kind: 'aws',
      region: site.region,
      cluster: `EKS ${site.cluster.version}`,
      nodePools: site.nodePools.map((pool) =>
        poolReport(pool, {
          instanceTypes: [...pool.instanceTypes],
          minNodes: pool.minSize,
          maxNodes: pool.maxSize,
        }),
      ),
      databases: tables > 0 ? [`DynamoDB, ${tables} table(s), one per stateful agent`] : [],
      addOns: addOns(environment, site.name, {
        gpu: site.nodePools.some((pool) => pool.gpu),
        clusterAutoscaler: 'cluster-autoscaler chart',
      }),
    });
  }
  for (const site of environment.azureSites ?? []) {
    const containers = stateful(site.name).length;
    sites.push({
      name: site.name,
      kind: 'azure',
      region: site.location,
      cluster: `AKS ${site.cluster.version}`,
      nodePools: site.nodePools.map((pool) =>
        poolReport(pool, {
          instanceTypes: [pool.vmSize],
          minNodes: pool.minCount,
          maxNodes: pool.maxCount,
        }),
      ),
      databases:
        containers > 0
          ? [
              `Cosmos DB account, database fleet, ${containers} container(s), one per stateful agent`,
            ]
          : [],
      addOns: addOns(environment, site.name, {
        gpu: site.nodePools.some((pool) => pool.gpu),
        clusterAutoscaler: 'AKS built-in',
      }),
    });
  }
  for (const site of environment.hostsSites ?? []) {
    const servers = site.pools.reduce((sum, pool) => sum + pool.servers.length, 0);
    sites.push({
      name: site.name,
      kind: 'hosts',
      cluster: `${servers} server(s), ${site.runtime ?? 'podman'}, deployed by Ansible`,
      nodePools: site.pools.map((pool) =>
        poolReport(hostPoolView(pool), { instanceTypes: [], maxNodes: pool.servers.length }),
      ),
      databases: [],
      addOns: [
        `reconcile playbook every ${site.scaling.interval ?? '1m'} on ${site.scaling.controller}, Prometheus ${site.scaling.prometheusUrl}`,
      ],
    });
  }
  return sites;
}

/** What a site's platform stack installs besides the agents. */
function addOns(
  environment: FleetEnvironment,
  site: string,
  options: {
    readonly gpu: boolean;
    readonly database?: boolean;
    readonly clusterAutoscaler?: string;
    readonly consul?: string;
    readonly vault?: string;
  },
): string[] {
  return [
    'KEDA',
    'monitoring (kube-prometheus-stack)',
    ...(options.clusterAutoscaler ? [`cluster autoscaler (${options.clusterAutoscaler})`] : []),
    ...(options.gpu ? ['NVIDIA device plugin'] : []),
    ...rabbitMqBrokers(environment.brokers)
      .filter((broker) => broker.inCluster?.site === site)
      .map((broker) => `RabbitMQ '${broker.name}' (${broker.inCluster?.replicas ?? 3} node(s))`),
    ...(inClusterKafkaOn(environment.brokers, site).length > 0
      ? [
          `Strimzi (Kafka ${inClusterKafkaOn(environment.brokers, site)
            .map((broker) => `'${broker.name}'`)
            .join(', ')})`,
        ]
      : []),
    ...(options.database ? ['CockroachDB'] : []),
    ...(options.consul ? [`Consul (${options.consul})`] : []),
    ...(options.vault ? [`Vault injector (${options.vault})`] : []),
  ];
}

/** A node pool of any site kind, with what its cloud adds (machine types, size bounds). */
function poolReport(
  pool: NodePoolSpec,
  sized: Pick<PoolReport, 'instanceTypes' | 'minNodes' | 'maxNodes'>,
): PoolReport {
  return {
    name: pool.name,
    ...sized,
    spot: pool.capacity === 'spot',
    arch: pool.arch ?? 'amd64',
    ...(pool.gpu ? { gpu: { count: pool.gpu.count, model: pool.gpu.model } } : {}),
    labels: { ...pool.labels },
  };
}

function brokerReport(broker: BrokerSpec): BrokerReport {
  const site = brokerSite(broker);
  return {
    name: broker.name,
    kind: describeBrokerKind(broker),
    ...(site ? { site } : {}),
    where: brokerWhere(broker),
  };
}

function withCredentials(
  report: BrokerReport,
  credentials: BrokerCredentials | undefined,
): BrokerReport {
  if (!credentials) return report;
  return {
    ...report,
    credentials: {
      revision: credentials.revision,
      usersSecret: describeCopy({
        store: 'kubernetes-secret',
        ...credentials.usersSecret,
      }),
      users: credentials.users.map((user) => ({
        name: user.name,
        tags: [...user.tags],
        permissions: user.permissions.map(
          (p) => `${p.vhost}: configure ${p.configure}, write ${p.write}, read ${p.read}`,
        ),
        copies: user.copies.map(describeCopy),
      })),
    },
  };
}

function withNodes(report: BrokerReport, nodes: RabbitMqNodes | undefined): BrokerReport {
  return nodes ? { ...report, nodes } : report;
}

/** Where a password is written, in words: `Kubernetes Secret <namespace>/<name>` or `Vault <mount>/<name>`. */
function describeCopy(copy: Omit<BrokerCredentialCopy, 'user'>): string {
  return `${copy.store === 'vault-kv' ? 'Vault' : 'Kubernetes Secret'} ${copy.namespace}/${copy.name}`;
}

/**
 * Why each broker of `current` re-imports its users compared with `base`, in
 * plain words, e.g. `broker 'rabbitmq' (site dev) writes every password anew
 * and restarts its nodes to import them: metadata-extraction's password moves
 * from Kubernetes Secret metadata-extraction/… to Kubernetes Secret media/…`.
 * Empty when no broker's users revision changed; brokers new in `current`, or
 * without a recorded revision in `base`, are not compared.
 */
export function credentialRotations(base: FleetReport, current: FleetReport): string[] {
  const lines: string[] = [];
  for (const broker of current.brokers) {
    const now = broker.credentials;
    const before = base.brokers.find((candidate) => candidate.name === broker.name)?.credentials;
    if (!now || !before || now.revision === before.revision) continue;
    const reasons: string[] = [];
    if (now.usersSecret !== before.usersSecret) {
      reasons.push(`its users move from ${before.usersSecret} to ${now.usersSecret}`);
    }
    const names = new Set([...before.users, ...now.users].map((user) => user.name));
    for (const name of names) {
      const was = before.users.find((user) => user.name === name);
      const is = now.users.find((user) => user.name === name);
      if (!was) reasons.push(`user '${name}' is added`);
      else if (!is) reasons.push(`user '${name}' is removed`);
      else {
        const gone = was.copies.filter((copy) => !is.copies.includes(copy));
        const added = is.copies.filter((copy) => !was.copies.includes(copy));
        if (gone.length > 0 || added.length > 0) {
          reasons.push(
            `${name}'s password moves from ${gone.join(', ') || 'nowhere else'} to ${added.join(', ') || 'nowhere else'}`,
          );
        }
        if (
          JSON.stringify([was.tags, was.permissions]) !== JSON.stringify([is.tags, is.permissions])
        ) {
          reasons.push(`user '${name}' changes permissions`);
        }
      }
    }
    lines.push(
      `broker '${broker.name}'${broker.site ? ` (site ${broker.site})` : ''} writes every password anew and restarts its nodes to import them: ${reasons.join('; ') || 'its users revision is derived differently'}`,
    );
  }
  return lines;
}

/** A summary's agent rows and capacity shortfalls, by `<agent>@<site>`. */
interface SummaryRows {
  readonly rows: ReadonlyMap<string, EnvironmentSummary['agents'][number]>;
  readonly shortfalls: ReadonlyMap<string, SiteCapacity['shortfalls'][number]>;
}

function summaryRows(summary: EnvironmentSummary): SummaryRows {
  return {
    rows: new Map(summary.agents.map((row) => [deploymentKey(row.agent, row.site), row])),
    shortfalls: new Map(
      summary.capacity.flatMap(({ site, shortfalls }) =>
        shortfalls.map((shortfall) => [deploymentKey(shortfall.agent, site), shortfall] as const),
      ),
    ),
  };
}

function agentReport(
  environment: FleetEnvironment,
  site: string,
  agent: AgentSpec,
  summary: SummaryRows,
): AgentReport {
  const resolved = resolveAgent(agent);
  const azure = (environment.azureSites ?? []).some((candidate) => candidate.name === site);
  const hosts = (environment.hostsSites ?? []).some((candidate) => candidate.name === site);
  const group = agent.placement?.scalingGroup;
  const row = summary.rows.get(deploymentKey(agent.name, site));
  const shortfall = summary.shortfalls.get(deploymentKey(agent.name, site));
  const scaling = agent.scaling;
  const signals = group
    ? [
        `${azure ? 'active messages' : 'backlog'} ${scaling?.queueDepth?.perReplica ?? '?'}/instance`,
      ]
    : scaling && resolved.scalingMode !== 'fixed'
      ? [
          ...signalParts({ ...scaling, cron: undefined }),
          ...(scaling.cron ?? []).map(
            (window) => `cron ${window.start} to ${window.end}: at least ${window.replicas}`,
          ),
        ]
      : [];
  const ids = stackIds(environment.name, site);
  return {
    agent: agent.name,
    site,
    stack: hosts
      ? ids.hosts
      : group
        ? ids.infra
        : agentStackId(environment.name, site, agentGroupOf(agent)),
    workload: resolved.workload,
    placement: group
      ? { kind: 'scaling-group', group: azure ? 'vmss' : 'ec2', instanceType: group.instanceType }
      : {
          kind: 'pools',
          pools: row ? row.pools.split(', ').filter(Boolean) : [],
          gpu: resolved.resources.gpu,
          spot: agent.placement?.spot ?? 'never',
        },
    minReplicas: scaling?.minReplicas ?? 0,
    maxReplicas: scaling?.maxReplicas ?? 1,
    ...(shortfall ? { reachableMaxReplicas: shortfall.reachableReplicas } : {}),
    autoscaler: group
      ? azure
        ? 'vmss'
        : 'asg'
      : hosts && resolved.scalingMode !== 'fixed'
        ? 'reconcile'
        : resolved.scalingMode,
    signals,
    ...(signals.length > 0 && scaling?.prometheus
      ? { prometheusQuery: scaling.prometheus.query }
      : {}),
    ...(agent.schedule ? { schedule: agent.schedule.cron } : {}),
    ...source(environment, agent),
    publishes: (agent.publishes ?? []).map((target) => `${target.broker}/${target.queue}`),
    ...stateStore(environment, site, agent),
    ...(agent.processing
      ? {
          processing: {
            perReplicaPerSecond: agent.processing.perReplica,
            readySeconds: (agent.processing.readyAfter?.millis ?? 30_000) / 1000,
          },
        }
      : {}),
    requests: {
      cpuMillis: resolved.resources.requests.cpu.millicores,
      memoryMiB: Math.ceil(resolved.resources.requests.memory.bytes / 2 ** 20),
      gpu: resolved.resources.gpu,
    },
  };
}

function source(environment: FleetEnvironment, agent: AgentSpec): { source?: AgentSourceReport } {
  if (agent.queue) {
    const broker = environment.brokers.find((candidate) => candidate.name === agent.queue?.broker);
    const resolved = resolveQueueBinding(agent.queue);
    const deadLetter =
      broker?.kind === 'sqs'
        ? sqsDeadLetterQueue(agent.queue)
        : broker?.kind === 'servicebus'
          ? `${agent.queue.queue}/$DeadLetterQueue`
          : resolved.deadLetter.enabled
            ? resolved.deadLetter.queue
            : `none (${resolved.deadLetter.reason})`;
    return {
      source: { kind: 'queue', broker: resolved.broker, name: resolved.queue, deadLetter },
    };
  }
  if (agent.topic) {
    const resolved = resolveTopicBinding(agent.topic, agent.name, agent.scaling?.maxReplicas ?? 1);
    return {
      source: {
        kind: 'topic',
        broker: resolved.broker,
        name: resolved.topic,
        deadLetter: resolved.deadLetter.enabled
          ? resolved.deadLetter.topic
          : `none (${resolved.deadLetter.reason})`,
      },
    };
  }
  return {};
}

function stateStore(
  environment: FleetEnvironment,
  site: string,
  agent: AgentSpec,
): { stateStore?: string } {
  const state = agent.state;
  const view = clusterViewOf(environment, site);
  const choice = state && view && stateEngineFor(view, stateModelOf(state));
  if (!state || !choice?.engine) return {};
  const schema = state.model === 'sql' ? state.schema : undefined;
  switch (choice.engine) {
    case 'dynamodb':
      return { stateStore: `DynamoDB table ${environment.name}-${site}-${agent.name}` };
    case 'cosmos-nosql':
      return { stateStore: `Cosmos DB container fleet/${agent.name}` };
    case 'cockroachdb': {
      const owned = state.model === 'sql' ? `, schema ${schema ?? 'public'}` : '';
      return { stateStore: `CockroachDB database ${stateIdentifier(agent.name)}${owned}` };
    }
    case 'yugabytedb': {
      const owned = state.model === 'sql' ? `, schema ${schema ?? 'public'}` : '';
      return { stateStore: `YugabyteDB database ${stateIdentifier(agent.name)}${owned}` };
    }
    case 'cassandra':
      return { stateStore: `Cassandra keyspace ${stateIdentifier(agent.name)}` };
    case 'mongodb':
      return { stateStore: `MongoDB database ${agent.name}` };
    case 'documentdb':
      return { stateStore: `Amazon DocumentDB database ${agent.name} of the site's cluster` };
    case 'keyspaces':
      return {
        stateStore: `Amazon Keyspaces keyspace ${keyspaceName(environment.name, site, agent.name)}`,
      };
    case 'aurora-dsql':
      return {
        stateStore: `Aurora DSQL schema ${schema ?? dsqlRoleName(agent.name)} of the site's cluster`,
      };
  }
}

/** A site of the environment as its cluster's stacks see it, whatever its kind. */
function clusterViewOf(
  environment: FleetEnvironment,
  site: string,
): KubernetesSiteSpec | undefined {
  const aws = environment.awsSites?.find((candidate) => candidate.name === site);
  if (aws) return clusterSiteOf(aws);
  const azure = environment.azureSites?.find((candidate) => candidate.name === site);
  if (azure) return clusterSiteOfAzure(azure);
  return environment.sites.find((candidate) => candidate.name === site);
}

import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import {
  AWS_TRIGGER_AUTHENTICATION,
  AwsTriggerAuthentication,
  AZURE_TRIGGER_AUTHENTICATION,
  AzureTriggerAuthentication,
  BrokerTriggerAuthentication,
  KubernetesAgent,
  priorityClassName,
  siteProvider,
} from '../constructs/kubernetes';
import { VaultTriggerAuthentication } from '../constructs/kubernetes/agent';
import {
  agentSecretName,
  DEFAULT_KV_MOUNT,
  kedaBrokerSecretName,
  kubernetesAuthMount,
  kvDataPath,
  selectorLabels,
  vaultClusterId,
  VaultCredentials,
} from '../constructs/kubernetes/core';
import {
  agentDashboardConfigMap,
  SiteCapacity,
  siteCapacity,
} from '../constructs/kubernetes/platform';
import {
  ConsulRegistration,
  consulTags,
  SiteKafka,
  SiteCassandra,
  SiteMongoDb,
} from '../constructs/kubernetes/services';
import { KEDA_VAULT_ROLE } from '../constructs/kubernetes/vault';
import { applyBackend } from '../constructs/terraform';
import { CheckedStack } from '../guardrails/engine/rendering';
import {
  AgentCloudBindings,
  GuardrailSuppression,
  KafkaEndpoint,
  KubernetesSiteSpec,
  monitoringNamespaceOf,
  rabbitMqBrokers,
  ResolvedAgent,
  SiteCloudBindings,
  SitePlan,
  ValidationError,
  VaultSpec,
} from '../model';
import { monitoredAgent } from './platform-stack';
import { assertValidSiteProps, SitePlatform, SiteStackProps } from './site-stack-props';

/** Where the credentials of a Vault site's agents and KEDA live. */
function siteVault(
  environment: string,
  site: string,
  spec: VaultSpec,
): VaultCredentials & { address: string } {
  return {
    address: spec.address,
    authMount: kubernetesAuthMount(vaultClusterId(environment, site)),
    kvMount: spec.kvMount ?? DEFAULT_KV_MOUNT,
    secretName: (agent, secret) => agentSecretName(environment, site, agent, secret),
    server: { cidrs: spec.cidrs, port: Number(new URL(spec.address).port || 443) },
  };
}

/**
 * An agent's bindings: what the site's cloud built for it, its database on the
 * site's platform, and its in-cluster Kafka cluster.
 */
function bindingsOf(
  agent: ResolvedAgent,
  cloud: SiteCloudBindings | undefined,
  platform: SitePlatform | undefined,
  kafka: ReadonlyMap<string, KafkaEndpoint>,
): AgentCloudBindings | undefined {
  const name = agent.spec.name;
  const database = platform?.databases.get(name);
  const endpoint = agent.topic && kafka.get(agent.topic.broker);
  if (!database && !endpoint) return cloud?.agents[name];
  return {
    ...cloud?.agents[name],
    ...(database ? { store: database } : {}),
    ...(endpoint ? { kafka: endpoint } : {}),
  };
}

/**
 * The Job that creates an agent's collections or keyspace in an engine of the
 * agents stack, as a `dependsOn` list, if it has one.
 */
function provisioningJob(
  mongoDb: SiteMongoDb,
  cassandra: SiteCassandra,
  agent: string,
): ITerraformDependable[] | undefined {
  const job = mongoDb.replicaSet?.provisioning.get(agent) ?? cassandra.provisioning.get(agent);
  return job ? [job] : undefined;
}

/**
 * Registers an agent in the site's Consul catalog, tagged with the location,
 * datacenter and hardware type that every pool it may run on shares.
 */
function registerInConsul(
  scope: Construct,
  site: KubernetesSiteSpec,
  name: string,
  agent: KubernetesAgent,
): void {
  const ports = agent.resolved.spec.container.ports ?? {};
  const portName = agent.resolved.metricsPort?.name ?? Object.keys(ports)[0];
  if (portName === undefined) return;
  new ConsulRegistration(scope, `Consul-${name}`, {
    agent: name,
    namespace: agent.resolved.namespace,
    selector: selectorLabels(name),
    port: { name: portName, port: ports[portName] },
    tags: consulTags(site.nodePools.filter((pool) => agent.pools.includes(pool.name))),
    meta: { workload: agent.resolved.workload },
  });
}

/** Props of {@link AgentsStack}. */
export interface AgentsStackProps extends SiteStackProps {
  /**
   * What the site's platform stack runs for its agents (their databases).
   * @default - none: no agent of the site keeps state in the site's database
   */
  readonly platform?: SitePlatform;
  /**
   * The agents this stack runs: one group of the site's.
   * @default - every agent of the site's plan
   */
  readonly agents?: readonly ResolvedAgent[];
  /**
   * The site's default agents stack, which holds what the site's agents share
   * (KEDA's cluster trigger authentications, in-cluster Kafka clusters and
   * databases, the capacity check); this stack then holds its agents only and
   * must be deployed after that one.
   * @default - this stack is the default one and holds them
   */
  readonly shared?: AgentsStack;
}

/**
 * `<env>-<site>-agents`: the workloads of one Kubernetes site, or of one group
 * of its agents (`<env>-<site>-agents-<group>`, see `agentStackId`). KEDA
 * objects are `kubernetes_manifest` resources, which need their CRDs at plan
 * time, so they live here and not in the platform stack that installs KEDA;
 * the namespaces, priority classes and broker credentials they use come from
 * that stack too. The default stack also holds what the site's agents share;
 * a group's stack holds its agents only ({@link AgentsStackProps.shared}).
 */
export class AgentsStack extends CheckedStack {
  /** The agent constructs, by agent name. */
  readonly agents: ReadonlyMap<string, KubernetesAgent>;
  /** The site's agents and platform packed onto its pools at their minima and maxima. */
  readonly capacity: SiteCapacity;
  /**
   * Written exceptions to the guardrails its agents' specs make (a fallback
   * turned off with a reason), checked with the environment's suppressions.
   */
  readonly guardrailExceptions: readonly GuardrailSuppression[];
  /** The in-cluster Kafka clusters' endpoints, by broker: the default stack's. */
  private readonly kafkaEndpoints: ReadonlyMap<string, KafkaEndpoint>;
  /** Cluster trigger authentications made so far (in the default stack). */
  private readonly authentications = new Set<string>();

  constructor(scope: Construct, id: string, props: AgentsStackProps) {
    super(scope, id);
    assertValidSiteProps(this, props);
    const { site, environment, brokers } = props.plan;
    const resolved = props.agents ?? props.plan.agents;
    applyBackend(this, id, props.backend, { offline: props.offline, environment });
    siteProvider(this, site, props.clusterAccess?.(this));
    const vault = site.vault && siteVault(environment, site.name, site.vault);

    let provisioning: (agent: string) => ITerraformDependable[] | undefined = () => undefined;
    if (props.shared) {
      this.capacity = props.shared.capacity;
      this.kafkaEndpoints = props.shared.kafkaEndpoints;
    } else {
      this.capacity = checkedCapacity(this, props.plan);
      this.addBrokerAuthentications(props.plan, vault);
      // Kafka clusters in the cluster, and the topics their agents read.
      const all = props.plan.agents;
      const kafka = new SiteKafka(this, 'Kafka', { site, brokers, agents: all });
      this.kafkaEndpoints = kafka.endpoints;
      // The site's MongoDB replica set and Cassandra datacenter (custom resources)
      // and their agents' collections and keyspaces.
      const mongoDb = new SiteMongoDb(this, 'MongoDb', { site, agents: all });
      const cassandra = new SiteCassandra(this, 'Cassandra', { site, agents: all });
      provisioning = (agent) => provisioningJob(mongoDb, cassandra, agent);
    }

    const agents = new Map<string, KubernetesAgent>();
    for (const agent of resolved) {
      agents.set(
        agent.spec.name,
        new KubernetesAgent(this, agent.spec.name, {
          agent,
          site,
          brokers,
          namespace: agent.namespace,
          priorityClassName: priorityClassName(agent.priority),
          cloud: bindingsOf(agent, props.cloud, props.platform, this.kafkaEndpoints),
          vault,
          // An agent starts once its collections or keyspace exist; a group's
          // agents do, since their stack is deployed after the default one.
          dependsOn: provisioning(agent.spec.name),
        }),
      );
    }
    this.agents = agents;
    this.guardrailExceptions = [...agents.values()].flatMap((agent) => agent.guardrailExceptions);
    if (site.consul) {
      for (const [name, agent] of agents) registerInConsul(this, site, name, agent);
    }
    if (props.shared) {
      // The default group's dashboards are the platform stack's.
      const namespace = monitoringNamespaceOf(site);
      for (const agent of resolved) agentDashboardConfigMap(this, monitoredAgent(agent), namespace);
    }
    (props.shared ?? this).addClusterTriggerAuthentications(agents.values());
  }

  /**
   * Makes in this stack, once each, the cluster-wide trigger authentications
   * through which KEDA reads cloud queues and topics as its own identity, for
   * the agents given (those of the site's groups, for the default stack).
   */
  addClusterTriggerAuthentications(agents: Iterable<KubernetesAgent>): void {
    for (const agent of agents) {
      for (const name of agent.clusterTriggerAuthentications) {
        if (this.authentications.has(name)) continue;
        if (name === AWS_TRIGGER_AUTHENTICATION) {
          new AwsTriggerAuthentication(this, 'AwsTriggerAuthentication');
        } else if (name === AZURE_TRIGGER_AUTHENTICATION) {
          new AzureTriggerAuthentication(this, 'AzureTriggerAuthentication');
        } else {
          continue;
        }
        this.authentications.add(name);
      }
    }
  }

  /** KEDA reads queue depth through the broker's management API. */
  private addBrokerAuthentications(
    plan: SitePlan,
    vault: ReturnType<typeof siteVault> | undefined,
  ): void {
    const { site, environment, brokers } = plan;
    const kedaBrokers = new Set(
      plan.agents.flatMap((agent) =>
        agent.queue && agent.spec.scaling?.queueDepth ? [agent.queue.broker] : [],
      ),
    );
    for (const broker of rabbitMqBrokers(brokers).filter((b) => kedaBrokers.has(b.name))) {
      if (vault && broker.inCluster) {
        new VaultTriggerAuthentication(this, `TriggerAuthentication-${broker.name}`, {
          broker: broker.name,
          address: vault.address,
          mount: vault.authMount,
          role: KEDA_VAULT_ROLE,
          path: kvDataPath(
            vault.kvMount,
            kedaBrokerSecretName(environment, site.name, broker.name),
          ),
        });
      } else {
        new BrokerTriggerAuthentication(this, `TriggerAuthentication-${broker.name}`, { broker });
      }
    }
  }
}

/** The site's agents and platform packed onto its pools; throws when they cannot fit. */
function checkedCapacity(stack: AgentsStack, plan: SitePlan): SiteCapacity {
  const capacity = siteCapacity(plan.site, plan.agents, plan.brokers);
  if (capacity.errors.length > 0) {
    throw new ValidationError(
      stack.node.path,
      capacity.errors.map((error) => ({
        path: ['site', 'nodePools', error.pool],
        message: error.message,
      })),
    );
  }
  return capacity;
}

import { Construct } from 'constructs';
import {
  AgentPriorityClass,
  ClusterAutoscalerRelease,
  DocumentDbUsers,
  DsqlRoles,
  FleetNamespace,
  GpuDevicePlugin,
  KafkaTopics,
  KedaRelease,
  MonitoringRelease,
  PodSecurityLevel,
  RabbitMqCluster,
  siteHelmProvider,
  siteProvider,
  SiteServices,
  VAULT_CA_CONFIG_MAP,
  WriteOnlySecret,
} from '../constructs/kubernetes';
import {
  agentSecretName,
  kedaBrokerSecretName,
  vaultBrokerSecret,
} from '../constructs/kubernetes/core';
import { VaultFleetAccess, VaultSecret } from '../constructs/kubernetes/vault';
import { applyBackend } from '../constructs/terraform';
import { MonitoredAgent } from '../generators/monitoring';
import { BrokerCredentialCopy } from '../generators/rabbitmq';
import { CheckedStack } from '../guardrails/engine/rendering';
import {
  agentCredentialsSecret,
  agentGroupOf,
  InClusterAgentStore,
  brokerCredentialsSecret,
  brokerNamespace,
  brokerPorts,
  DEFAULT_AGENT_GROUP,
  DEFAULT_KEDA_NAMESPACE,
  monitoringNamespaceOf,
  DEVICE_PLUGIN_NAMESPACE,
  DOCUMENTDB_USERS_ACCOUNT,
  DSQL_ROLES_ACCOUNT,
  KAFKA_TOPICS_NAMESPACE,
  kafkaTopicsAccount,
  KEDA_USER,
  RabbitMqBrokerSpec,
  ResolvedAgent,
  ValidationError,
} from '../model';
import { assertValidSiteProps, SitePlatform, SiteStackProps } from './site-stack-props';

/** Props of {@link PlatformStack}. */
export type PlatformStackProps = SiteStackProps;

/**
 * Where a site's RabbitMQ credentials are written: Kubernetes Secrets, or the
 * site's Vault. `locate` names the place of each copy before it is written:
 * the broker derives its users revision from those places.
 */
interface CredentialStore {
  /** Where KEDA's copy (the management URI) or an agent's copy of a broker password is written. */
  locate(broker: RabbitMqBrokerSpec, agent?: ResolvedAgent): BrokerCredentialCopy;
  forKeda(broker: RabbitMqBrokerSpec, host: string, revision: number): void;
  forAgent(
    agent: ResolvedAgent,
    broker: RabbitMqBrokerSpec,
    password: string,
    revision: number,
  ): void;
}

/**
 * `<env>-<site>-platform`: what a Kubernetes site needs to run its agents
 * besides the agents themselves. KEDA (the only external-metrics provider),
 * kube-prometheus-stack with the fleet's scrape jobs, rules and dashboards,
 * NVIDIA's device plugin on GPU pools, the in-cluster RabbitMQ brokers with
 * the fleet's topology, the agents' namespaces and priority classes, and every
 * broker credential, generated at apply time and kept out of the state.
 */
export class PlatformStack extends CheckedStack implements SitePlatform {
  /** In-cluster brokers installed here, by name. */
  readonly brokers: ReadonlyMap<string, RabbitMqCluster>;
  /** The databases this stack runs for the site's stateful agents, by agent name. */
  readonly databases: ReadonlyMap<string, InClusterAgentStore>;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    assertValidSiteProps(this, props);
    const { site, environment, brokers, agents } = props.plan;
    applyBackend(this, id, props.backend, { offline: props.offline, environment });
    const access = props.clusterAccess?.(this);
    siteProvider(this, site, access);
    siteHelmProvider(this, site, access);

    const namespace = (name: string, role: 'agents' | 'platform', podSecurity?: PodSecurityLevel) =>
      new FleetNamespace(this, `Namespace-${name}`, { name, role, podSecurity }).name;
    const kedaNamespace = namespace(
      site.kedaNamespace ?? DEFAULT_KEDA_NAMESPACE,
      'platform',
      'baseline',
    );
    // node-exporter reads the host: the monitoring namespace cannot be restricted.
    const monitoringNamespace = namespace(monitoringNamespaceOf(site), 'platform', 'privileged');
    const agentNamespaces = new Map<string, string>();
    for (const name of props.plan.agentNamespaces) {
      agentNamespaces.set(name, namespace(name, 'agents'));
    }
    for (const tier of props.plan.priorityTiers) {
      new AgentPriorityClass(this, `PriorityClass-${tier}`, { tier });
    }

    const localBrokers = props.plan.rabbitMq.map((planned) => planned.broker);
    const monitoring = new MonitoringRelease(this, 'Monitoring', {
      namespace: monitoringNamespace,
      brokers: localBrokers.map((broker) => ({
        name: broker.name,
        namespace: brokerNamespace(broker),
      })),
      agents: agents.map(monitoredAgent),
      // A group's agents have theirs in their agents stack, so that the stack grows with the group.
      dashboards: agents
        .filter((agent) => agentGroupOf(agent.spec) === DEFAULT_AGENT_GROUP)
        .map(monitoredAgent),
    });
    const services = new SiteServices(this, 'Services', {
      environment,
      site,
      brokers,
      agents,
      agentNamespaces,
      kedaNamespace,
      monitoringNamespace,
      namespace,
    });
    this.databases = services.databases;
    // KEDA's ServiceMonitors need the Prometheus operator's CRDs first.
    new KedaRelease(this, 'Keda', {
      namespace: kedaNamespace,
      dependsOn: [monitoring.release],
      awsRoleArn: props.cloud?.kedaRoleArn,
      azureIdentity: props.cloud?.kedaAzureIdentity,
      vaultCaConfigMap: services.vault ? VAULT_CA_CONFIG_MAP : undefined,
    });

    if (props.nodeAutoscaler) {
      new ClusterAutoscalerRelease(this, 'ClusterAutoscaler', props.nodeAutoscaler);
    }

    // Topics exist before the agents that read them start: the agents stack follows this one.
    const topicSets = props.cloud?.kafkaTopics ?? [];
    if (topicSets.length > 0) {
      const topicsNamespace = namespace(KAFKA_TOPICS_NAMESPACE, 'platform');
      for (const set of topicSets) {
        new KafkaTopics(this, `KafkaTopics-${set.broker}`, {
          name: kafkaTopicsAccount(set.broker).name,
          namespace: topicsNamespace,
          serviceAccountAnnotations: set.serviceAccountAnnotations,
          bootstrapServers: set.endpoint.bootstrapServers,
          region: set.region,
          brokerCidr: set.endpoint.networkCidr,
          port: set.endpoint.port,
          topics: set.topics,
        });
      }
    }

    // The agents' database roles exist before the agents sign in as them.
    const dsqlRoles = props.cloud?.dsqlRoles;
    if (dsqlRoles) {
      new DsqlRoles(this, 'DsqlRoles', {
        name: DSQL_ROLES_ACCOUNT.name,
        namespace: namespace(DSQL_ROLES_ACCOUNT.namespace, 'platform'),
        roles: dsqlRoles,
      });
    }

    // The agents' DocumentDB users exist before the agents sign in as them.
    const documentDbUsers = props.cloud?.documentDbUsers;
    if (documentDbUsers) {
      new DocumentDbUsers(this, 'DocumentDbUsers', {
        name: DOCUMENTDB_USERS_ACCOUNT.name,
        namespace: namespace(DOCUMENTDB_USERS_ACCOUNT.namespace, 'platform'),
        users: documentDbUsers,
      });
    }

    const gpuPools = site.nodePools.filter((pool) => pool.gpu);
    if (gpuPools.length > 0) {
      new GpuDevicePlugin(this, 'GpuDevicePlugin', {
        namespace: namespace(DEVICE_PLUGIN_NAMESPACE, 'platform', 'privileged'),
        pools: gpuPools,
      });
    }

    const credentials = services.vault
      ? vaultCredentials(this, services.vault, environment, site.name)
      : secretCredentials(
          this,
          { name: site.kedaNamespace ?? DEFAULT_KEDA_NAMESPACE, reference: kedaNamespace },
          agentNamespaces,
        );
    const clusters = new Map<string, RabbitMqCluster>();
    for (const { broker, topology, problems } of props.plan.rabbitMq) {
      if (problems.length > 0) {
        throw new ValidationError(
          `broker '${broker.name}'`,
          problems.map((problem) => ({
            path: [problem.agent, ...problem.path],
            message: problem.message,
          })),
        );
      }
      const users = agents.filter((candidate) => candidate.brokers.includes(broker.name));
      const cluster = new RabbitMqCluster(this, `Broker-${broker.name}`, {
        broker,
        namespace: namespace(brokerNamespace(broker), 'platform'),
        topology,
        site,
        kedaNamespace,
        monitoringNamespace,
        credentialCopies: [
          credentials.locate(broker),
          ...users.map((agent) => credentials.locate(broker, agent)),
        ],
      });
      clusters.set(broker.name, cluster);
      // One revision for the broker's users and every copy: they are written in the same apply.
      const revision = cluster.credentialsRevision;
      credentials.forKeda(
        broker,
        `http://${KEDA_USER}:${cluster.passwordOf(KEDA_USER)}@${cluster.host}:${brokerPorts(broker).management}/`,
        revision,
      );
      for (const agent of users) {
        credentials.forAgent(agent, broker, cluster.passwordOf(agent.spec.name), revision);
      }
    }
    this.brokers = clusters;
  }
}

/**
 * Credentials in write-only Kubernetes Secrets, in KEDA's and each agent's
 * namespace. Namespaces are given by name (what the broker's revision is
 * derived from) and written through the namespace resources' references.
 */
function secretCredentials(
  scope: Construct,
  kedaNamespace: { readonly name: string; readonly reference: string },
  agentNamespaces: ReadonlyMap<string, string>,
): CredentialStore {
  const locate = (broker: RabbitMqBrokerSpec, agent?: ResolvedAgent): BrokerCredentialCopy =>
    agent
      ? {
          user: agent.spec.name,
          store: 'kubernetes-secret',
          namespace: agent.namespace,
          name: agentCredentialsSecret(agent.spec.name, broker.name),
        }
      : {
          user: KEDA_USER,
          store: 'kubernetes-secret',
          namespace: kedaNamespace.name,
          name: brokerCredentialsSecret(broker),
        };
  return {
    locate,
    forKeda(broker, host, revision) {
      new WriteOnlySecret(scope, `KedaCredentials-${broker.name}`, {
        name: locate(broker).name,
        namespace: kedaNamespace.reference,
        revision,
        data: { host },
      });
    },
    forAgent(agent, broker, password, revision) {
      const place = locate(broker, agent);
      new WriteOnlySecret(scope, `AgentCredentials-${broker.name}-${place.user}`, {
        name: place.name,
        namespace: agentNamespaces.get(place.namespace) as string,
        revision,
        data: { username: place.user, password },
      });
    },
  };
}

/**
 * Credentials in the site's Vault (KV version 2, write-only), at the paths the
 * agents' and KEDA's Vault policies allow: nothing in a Kubernetes Secret.
 */
function vaultCredentials(
  scope: Construct,
  vault: VaultFleetAccess,
  environment: string,
  site: string,
): CredentialStore {
  const locate = (broker: RabbitMqBrokerSpec, agent?: ResolvedAgent): BrokerCredentialCopy =>
    agent
      ? {
          user: agent.spec.name,
          store: 'vault-kv',
          namespace: vault.kvMount,
          name: agentSecretName(environment, site, agent.spec.name, vaultBrokerSecret(broker.name)),
        }
      : {
          user: KEDA_USER,
          store: 'vault-kv',
          namespace: vault.kvMount,
          name: kedaBrokerSecretName(environment, site, broker.name),
        };
  return {
    locate,
    forKeda(broker, host, revision) {
      new VaultSecret(scope, `KedaCredentials-${broker.name}`, {
        kvMount: vault.kvMount,
        name: locate(broker).name,
        revision,
        data: { host },
      });
    },
    forAgent(agent, broker, password, revision) {
      const place = locate(broker, agent);
      new VaultSecret(scope, `AgentCredentials-${broker.name}-${place.user}`, {
        kvMount: vault.kvMount,
        name: place.name,
        revision,
        data: { username: place.user, password },
      });
    },
  };
}

/** What the monitoring of a site reads of an agent: its scrape target, bounds and queue. */
export function monitoredAgent(agent: ResolvedAgent): MonitoredAgent {
  const scaling = agent.spec.scaling;
  return {
    name: agent.spec.name,
    namespace: agent.namespace,
    scaling: agent.scalingMode,
    minReplicas: scaling?.minReplicas ?? 1,
    maxReplicas: scaling?.maxReplicas ?? 1,
    queue: agent.queue && {
      broker: agent.queue.broker,
      vhost: agent.queue.vhost,
      queue: agent.queue.queue,
      perReplica: scaling?.queueDepth?.perReplica,
    },
    metricsPort: agent.metricsPort?.name,
  };
}

import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Construct } from 'constructs';
import {
  InClusterAgentStore,
  BrokerSpec,
  brokerPoolMatch,
  consulNamespace,
  databaseNamespace,
  inClusterKafkaOn,
  KEDA_OPERATOR_SERVICE_ACCOUNT,
  kafkaNamespace,
  KubernetesSiteSpec,
  ResolvedAgent,
  stateEngineFor,
  stateModelOf,
  STRIMZI_OPERATOR_NAMESPACE,
  tolerationsFor,
  VAULT_INJECTOR_NAMESPACE,
  VaultSpec,
  stateIdentifier,
} from '../../../model';
import { PodSecurityLevel } from '../core/namespace';
import { VAULT_DATABASE_SECRET } from '../core/pod-plan';
import { agentSecretName, DEFAULT_KV_MOUNT, vaultClusterId } from '../core/vault-annotations';
import {
  fleetVaultProvider,
  VaultAuthDelegation,
  VaultFleetAccess,
  VaultInjectorRelease,
  VaultSecret,
} from '../vault/vault';
import { CASSANDRA_CQL_PORT } from './cassandra-access';
import { CockroachDbRelease, cockroachDbHost } from './cockroachdb';
import { ConsulRelease } from './consul';
import { DatabaseUsers } from './database-users';
import { MONGODB_METRICS_USER, MONGODB_PORT, mongoDbCertificateNames } from './mongodb-access';
import { MongoDbOperatorRelease } from './mongodb-operator';
import { ServerCertificates } from './server-certificates';
import { CassandraPlatform, siteCassandraPlan } from './site-cassandra';
import { siteMongoDbPlan } from './site-mongodb';
import { siteYugabyteDbPlan, YugabyteDbPlatform } from './site-yugabytedb';
import { StrimziOperatorRelease } from './strimzi-operator';
import { YUGABYTEDB_YSQL_PORT } from './yugabytedb-access';

/** Creates a namespace of the platform stack and returns its name (a reference). */
export type NamespaceFactory = (
  name: string,
  role: 'agents' | 'platform',
  podSecurity?: PodSecurityLevel,
) => string;

/** Props of {@link SiteServices}. */
export interface SiteServicesProps {
  /** Name of the environment; with the site's, it scopes Vault paths and roles. */
  readonly environment: string;
  /** The site: its database, Consul and Vault settings and its node pools. */
  readonly site: KubernetesSiteSpec;
  /** The environment's brokers. */
  readonly brokers: readonly BrokerSpec[];
  /** The agent types placed on the site. */
  readonly agents: readonly ResolvedAgent[];
  /** Namespaces of the agents, by the agent's namespace name, as references. */
  readonly agentNamespaces: ReadonlyMap<string, string>;
  /** Namespace of KEDA, which gets the Vault CA and its broker credentials. */
  readonly kedaNamespace: string;
  /** Namespace of Prometheus, admitted to the database's metrics. */
  readonly monitoringNamespace: string;
  /** Creates the namespaces the services run in. */
  readonly namespace: NamespaceFactory;
}

/**
 * Pod Security level of the namespaces the projects' own charts run in
 * (Strimzi and its Kafka pods, CockroachDB, MongoDB, Consul, Vault's injector): their
 * pods meet `baseline` but do not all set what `restricted` demands (a seccomp
 * profile, dropped capabilities), so `restricted` would refuse them.
 */
const THIRD_PARTY_POD_SECURITY: PodSecurityLevel = 'baseline';

/** File name of the Vault server's CA in the ConfigMaps the site writes. */
export const VAULT_CA_KEY = 'ca.crt';
/** ConfigMap holding the Vault server's CA, in the injector's and KEDA's namespaces. */
export const VAULT_CA_CONFIG_MAP = 'vault-ca';

/**
 * The services a Kubernetes site runs for its agents besides brokers and
 * monitoring, each when the site declares it:
 * - the Strimzi operator, watching the namespaces of the site's in-cluster
 *   Kafka clusters (the clusters themselves are custom resources: the agents
 *   stack creates them);
 * - CockroachDB with a database and SQL user per stateful agent;
 * - MongoDB's operator, a password per document-state agent and the
 *   replica set's TLS certificates, when the site declares
 *   `stateEngines.document` (the replica set, a custom resource, is the
 *   agents stack's: see `SiteMongoDb`);
 * - Consul servers, whose catalog sync registers the agents;
 * - Vault's Agent Injector pointed at the site's Vault, Vault's Kubernetes auth
 *   mount for the cluster, and a policy and role per agent and for KEDA.
 * Platform workloads run on the pools an in-cluster broker may use:
 * on-demand, without GPUs.
 */
export class SiteServices extends Construct {
  /** Each stateful agent's database, by agent name. */
  readonly databases: ReadonlyMap<string, InClusterAgentStore>;
  /** The Vault mounts the site's credentials live under. @default - no Vault */
  readonly vault?: VaultFleetAccess;

  constructor(scope: Construct, id: string, props: SiteServicesProps) {
    super(scope, id);
    const { site, agents } = props;
    const platformPools = brokerPoolMatch(site.nodePools).pools;
    const placement = {
      pools: platformPools.map((pool) => pool.name),
      tolerations: tolerationsFor(platformPools),
    };

    const kafkaNamespaces = [
      ...new Set(inClusterKafkaOn(props.brokers, site.name).map(kafkaNamespace)),
    ].map((name) => props.namespace(name, 'platform', THIRD_PARTY_POD_SECURITY));
    if (kafkaNamespaces.length > 0) {
      new StrimziOperatorRelease(this, 'StrimziOperator', {
        namespace: props.namespace(
          STRIMZI_OPERATOR_NAMESPACE,
          'platform',
          THIRD_PARTY_POD_SECURITY,
        ),
        watchNamespaces: kafkaNamespaces,
        ...placement,
      });
    }

    this.vault = site.vault && this.vaultAccess(props, site.vault);
    const databases = new Map<string, InClusterAgentStore>();
    if (site.database) {
      const stateful = agents.filter(
        (agent) =>
          agent.spec.state &&
          stateEngineFor(site, stateModelOf(agent.spec.state)).engine === 'cockroachdb',
      );
      const release = new CockroachDbRelease(this, 'Database', {
        namespace: props.namespace(
          databaseNamespace(site.database),
          'platform',
          THIRD_PARTY_POD_SECURITY,
        ),
        replicas: site.database.replicas,
        reason: site.database.reason,
        storage: site.database.storage,
        storageClass: site.database.storageClass,
        cpu: site.database.resources?.cpu,
        memory: site.database.resources?.memory,
        ...placement,
        monitoringNamespace: props.monitoringNamespace,
        // On a Vault site the credentials go to Vault instead, below.
        agentSecrets: !site.vault,
        databases: stateful.map((agent) => ({
          agent: agent.spec.name,
          namespace: props.agentNamespaces.get(agent.namespace) as string,
          ownedSchema:
            agent.spec.state?.model === 'sql' ? (agent.spec.state.schema ?? 'public') : undefined,
        })),
      });
      for (const agent of stateful) {
        const name = agent.spec.name;
        this.vaultCredentials(props, `DatabaseCredentials-${name}`, name, release);
        const connection = release.connectionOf(name);
        databases.set(name, {
          kind: 'in-cluster-sql',
          host: cockroachDbHost(release.name, databaseNamespace(site.database)),
          port: connection.port,
          database: connection.database,
          ...(agent.spec.state?.model === 'sql'
            ? { schema: agent.spec.state.schema ?? 'public' }
            : {}),
          credentialsSecret: connection.secretName,
          namespace: databaseNamespace(site.database),
          podLabels: release.podLabels,
        });
      }
    }
    this.documentDatabases(props, placement, databases);
    this.engineDatabases(props, placement, databases);
    this.externalDatabases(props, databases);
    this.databases = databases;

    if (site.consul) {
      new ConsulRelease(this, 'Consul', {
        namespace: props.namespace(
          consulNamespace(site.consul),
          'platform',
          THIRD_PARTY_POD_SECURITY,
        ),
        datacenter: site.consul.datacenter,
        replicas: site.consul.replicas,
        syncNamespaces: [...props.agentNamespaces.keys()],
      });
    }
  }

  /**
   * MongoDB's operator, the users' passwords and the TLS certificates of the
   * site's replica set, when it declares one and an agent keeps documents
   * there; the replica set itself is a custom resource of the agents stack.
   */
  private documentDatabases(
    props: SiteServicesProps,
    placement: { pools: string[]; tolerations: ReturnType<typeof tolerationsFor> },
    databases: Map<string, InClusterAgentStore>,
  ): void {
    const { site } = props;
    const plan = siteMongoDbPlan(site, props.agents);
    if (!plan) return;
    const { names } = plan;
    const namespace = props.namespace(names.namespace, 'platform', THIRD_PARTY_POD_SECURITY);
    const operator = new MongoDbOperatorRelease(this, 'MongoDbOperator', {
      namespace,
      ...placement,
    });
    const references = new Map<string, string>([[names.namespace, namespace]]);
    for (const agent of plan.agents) {
      references.set(agent.namespace, props.agentNamespaces.get(agent.namespace) as string);
    }
    const users = new DatabaseUsers(this, 'MongoDbUsers', {
      names,
      namespace,
      // On a Vault site the credentials go to Vault instead, below.
      agentSecrets: !site.vault,
      metrics: { user: MONGODB_METRICS_USER, secret: names.metricsSecret },
      users: plan.agents.map((agent) => ({
        agent: agent.spec.name,
        namespace: references.get(agent.namespace) as string,
      })),
    });
    new ServerCertificates(this, 'MongoDbCertificates', {
      names: mongoDbCertificateNames(names),
      clientNamespaces: plan.agents.map((agent) => agent.namespace),
      namespaceReferences: references,
      dependsOn: [operator.release],
    });
    for (const agent of plan.agents) {
      const name = agent.spec.name;
      this.vaultCredentials(props, `DocumentCredentials-${name}`, name, users);
      databases.set(name, {
        kind: 'in-cluster-mongodb',
        hosts: names.hosts,
        port: MONGODB_PORT,
        replicaSet: names.name,
        database: name,
        credentialsSecret: names.agentSecret(name),
        caSecret: names.caSecret,
        namespace: names.namespace,
        podLabels: names.podLabels,
      });
    }
  }

  /**
   * Cassandra's operator, the roles' passwords and the nodes' certificates
   * (the datacenter is a custom resource of the agents stack), and YugabyteDB
   * from its chart with each agent's database, when the site declares them
   * and an agent keeps its state there.
   */
  private engineDatabases(
    props: SiteServicesProps,
    placement: { pools: string[]; tolerations: ReturnType<typeof tolerationsFor> },
    databases: Map<string, InClusterAgentStore>,
  ): void {
    const { site } = props;
    const cassandraPlan = siteCassandraPlan(site, props.agents);
    if (cassandraPlan) {
      const cassandra = new CassandraPlatform(this, 'Cassandra', {
        site,
        agents: props.agents,
        namespace: props.namespace(
          cassandraPlan.names.namespace,
          'platform',
          THIRD_PARTY_POD_SECURITY,
        ),
        agentNamespaces: props.agentNamespaces,
        agentSecrets: !site.vault,
      });
      for (const [name, binding] of cassandra.bindings) {
        this.vaultCredentials(props, `WideColumnCredentials-${name}`, name, cassandra);
        databases.set(name, binding);
      }
    }
    const yugabytePlan = siteYugabyteDbPlan(site, props.agents);
    if (yugabytePlan) {
      const yugabyte = new YugabyteDbPlatform(this, 'YugabyteDb', {
        plan: yugabytePlan,
        namespace: props.namespace(
          yugabytePlan.names.namespace,
          'platform',
          THIRD_PARTY_POD_SECURITY,
        ),
        agentNamespaces: props.agentNamespaces,
        ...placement,
        monitoringNamespace: props.monitoringNamespace,
        agentSecrets: !site.vault,
      });
      for (const [name, binding] of yugabyte.bindings) {
        this.vaultCredentials(props, `SqlCredentials-${name}`, name, yugabyte);
        databases.set(name, binding);
      }
    }
  }

  /**
   * The agents' bindings to clusters the site names as external: the fleet
   * runs nothing for them and creates no user, so each agent reads its
   * credentials from its folder in the site's Vault (the model requires one),
   * and the clusters' CA certificate from a Secret written into its namespace.
   */
  private externalDatabases(
    props: SiteServicesProps,
    databases: Map<string, InClusterAgentStore>,
  ): void {
    const { site } = props;
    const engines = site.stateEngines ?? {};
    for (const spec of [engines.document, engines.wideColumn, engines.sql]) {
      if (!spec || !('external' in spec) || !spec.external || site.cloud) continue;
      const external = spec.external;
      const kind = spec.kind;
      const caSecret = `${kind}-ca`;
      const served = props.agents.filter(
        (agent) =>
          agent.spec.state && stateEngineFor(site, stateModelOf(agent.spec.state)).engine === kind,
      );
      for (const namespace of new Set(served.map((agent) => agent.namespace))) {
        new SecretV1(this, `ExternalCa-${kind}-${namespace}`, {
          metadata: {
            name: caSecret,
            namespace: props.agentNamespaces.get(namespace) as string,
            labels: { 'app.kubernetes.io/component': `${kind}-tls` },
          },
          data: { 'ca.crt': external.caCertificate },
        });
      }
      for (const agent of served) {
        const name = agent.spec.name;
        const state = agent.spec.state;
        const common = {
          credentialsSecret: `${name}-${kind}`,
          caSecret,
          cidrs: external.cidrs,
        };
        if (kind === 'mongodb') {
          databases.set(name, {
            kind: 'in-cluster-mongodb',
            hosts: external.hosts,
            port: external.port ?? MONGODB_PORT,
            replicaSet: external.replicaSet ?? '',
            database: name,
            ...common,
          });
        } else if (kind === 'cassandra') {
          databases.set(name, {
            kind: 'in-cluster-cassandra',
            host: external.hosts.join(','),
            port: external.port ?? CASSANDRA_CQL_PORT,
            datacenter: external.datacenter ?? '',
            keyspace: stateIdentifier(name),
            ...common,
          });
        } else {
          databases.set(name, {
            kind: 'in-cluster-yugabytedb',
            host: external.hosts.join(','),
            port: external.port ?? YUGABYTEDB_YSQL_PORT,
            database: stateIdentifier(name),
            schema: (state?.model === 'sql' && state.schema) || 'public',
            ...common,
          });
        }
      }
    }
  }

  /** On a Vault site, an agent's database credentials, written to its folder there. */
  private vaultCredentials(
    props: SiteServicesProps,
    id: string,
    agent: string,
    source: {
      credentialsOf(agent: string): { username: string; password: string; revision: number };
    },
  ): void {
    if (!this.vault) return;
    const { username, password, revision } = source.credentialsOf(agent);
    new VaultSecret(this, id, {
      kvMount: this.vault.kvMount,
      name: agentSecretName(props.environment, props.site.name, agent, VAULT_DATABASE_SECRET),
      revision,
      data: { username, password },
    });
  }

  /** Vault's injector, the cluster's auth mount and the agents' and KEDA's roles. */
  private vaultAccess(props: SiteServicesProps, vault: VaultSpec): VaultFleetAccess {
    const { site, agents } = props;
    fleetVaultProvider(this, { address: vault.address });
    const injectorNamespace = props.namespace(
      VAULT_INJECTOR_NAMESPACE,
      'platform',
      THIRD_PARTY_POD_SECURITY,
    );
    const caMaps = [injectorNamespace, props.kedaNamespace].map(
      (namespace, index) =>
        new ConfigMapV1(this, index === 0 ? 'VaultCa' : 'KedaVaultCa', {
          metadata: { name: VAULT_CA_CONFIG_MAP, namespace },
          data: { [VAULT_CA_KEY]: vault.caCertificate },
        }),
    );
    new VaultInjectorRelease(this, 'VaultInjector', {
      namespace: injectorNamespace,
      externalVaultAddr: vault.address,
      clusterId: vaultClusterId(props.environment, site.name),
      vaultCaConfigMap: VAULT_CA_CONFIG_MAP,
      vaultCaKey: VAULT_CA_KEY,
      dependsOn: [caMaps[0]],
    });
    const identities = agents.map((agent) => ({
      name: agent.spec.name,
      namespace: agent.namespace,
      serviceAccount: agent.spec.name,
    }));
    const kedaBrokers = [...new Set(agents.flatMap((agent) => agent.brokers))].filter(
      (broker) => props.brokers.find((candidate) => candidate.name === broker)?.kind === 'rabbitmq',
    );
    const access = new VaultFleetAccess(this, 'VaultAccess', {
      clusterId: vaultClusterId(props.environment, site.name),
      kubernetesHost: vault.kubernetesHost,
      kubernetesCaCertificate: vault.kubernetesCaCertificate,
      environment: props.environment,
      site: site.name,
      kvMount: vault.kvMount ?? DEFAULT_KV_MOUNT,
      agents: identities,
      keda:
        kedaBrokers.length > 0
          ? { namespace: props.kedaNamespace, brokers: kedaBrokers }
          : undefined,
    });
    const reviewers = [
      ...identities.map(({ namespace, serviceAccount }) => ({
        namespace,
        name: serviceAccount,
      })),
      ...(kedaBrokers.length > 0
        ? [{ namespace: props.kedaNamespace, name: KEDA_OPERATOR_SERVICE_ACCOUNT }]
        : []),
    ];
    if (reviewers.length > 0) {
      new VaultAuthDelegation(this, 'VaultAuthDelegation', { serviceAccounts: reviewers });
    }
    return access;
  }
}

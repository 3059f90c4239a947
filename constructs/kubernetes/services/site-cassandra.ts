import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { Construct } from 'constructs';
import {
  AgentWideColumnDatabase,
  brokerPoolMatch,
  cassandraNamespace,
  DEFAULT_MONITORING_NAMESPACE,
  InClusterCassandraSpec,
  KubernetesSiteSpec,
  ResolvedAgent,
  stateEngineFor,
  stateIdentifier,
  stateModelOf,
  tolerationsFor,
  WideColumnStateSpec,
  runsInCluster,
} from '../../../model';
import {
  CASSANDRA_CQL_PORT,
  CASSANDRA_KEYSTORE_KEY,
  cassandraCertificateNames,
  CassandraNames,
  cassandraNames,
} from './cassandra-access';
import { CassandraDatacenter } from './cassandra-datacenter';
import { cassOperatorPodLabels, CassandraOperatorRelease } from './cassandra-operator';
import { DatabaseUsers } from './database-users';
import { ServerCertificates } from './server-certificates';

/** `spec.clusterName` of a site's Cassandra, and the prefix of its Secrets. */
export const SITE_CASSANDRA_CLUSTER = 'cassandra';
/** Name of a site's Cassandra datacenter and of its `CassandraDatacenter` resource. */
export const SITE_CASSANDRA_DATACENTER = 'dc1';

/** A site's in-cluster Cassandra and the agents whose wide rows it keeps. */
export interface SiteCassandraPlan {
  /** What the site declares. */
  readonly spec: InClusterCassandraSpec;
  /** The datacenter's names. */
  readonly names: CassandraNames;
  /** The agents of the site with wide-column state, served by it. */
  readonly agents: readonly ResolvedAgent[];
}

/**
 * The site's Cassandra, when it declares one (`stateEngines.wideColumn` of
 * kind `cassandra`) and some agent of the site keeps wide rows there; the
 * platform stack (operator, users, certificates) and the agents stack (the
 * datacenter, the keyspace Jobs) plan it alike.
 */
export function siteCassandraPlan(
  site: KubernetesSiteSpec,
  agents: readonly ResolvedAgent[],
): SiteCassandraPlan | undefined {
  const spec = site.stateEngines?.wideColumn;
  if (spec?.kind !== 'cassandra' || !runsInCluster(site, 'wideColumn', 'cassandra'))
    return undefined;
  const served = agents.filter(
    (agent) =>
      agent.spec.state &&
      stateEngineFor(site, stateModelOf(agent.spec.state)).engine === 'cassandra',
  );
  if (served.length === 0) return undefined;
  return {
    spec,
    names: cassandraNames(
      SITE_CASSANDRA_CLUSTER,
      SITE_CASSANDRA_DATACENTER,
      cassandraNamespace(spec),
    ),
    agents: served,
  };
}

/** Props of {@link SiteCassandra}. */
export interface SiteCassandraProps {
  /** The site: its pools place the nodes. */
  readonly site: KubernetesSiteSpec;
  /** The agent types placed on the site. */
  readonly agents: readonly ResolvedAgent[];
}

/**
 * The datacenter of a site's in-cluster Cassandra, a custom resource (the
 * operator, the roles' Secrets and the certificates come with the platform
 * stack, see {@link CassandraPlatform}), with a keyspace Job per wide-column
 * agent. Nodes run on the pools an in-cluster broker may use: on-demand,
 * without GPUs.
 */
export class SiteCassandra extends Construct {
  /** The datacenter, when the site runs one for its agents. @default - none */
  readonly datacenter?: CassandraDatacenter;
  /** The Job that creates each agent's keyspace, by agent name: an agent starts after its own. */
  readonly provisioning: ReadonlyMap<string, JobV1>;

  constructor(scope: Construct, id: string, props: SiteCassandraProps) {
    super(scope, id);
    const plan = siteCassandraPlan(props.site, props.agents);
    if (!plan) {
      this.provisioning = new Map();
      return;
    }
    const pools = brokerPoolMatch(props.site.nodePools).pools;
    const { spec, names } = plan;
    this.datacenter = new CassandraDatacenter(this, 'Datacenter', {
      names,
      nodes: spec.replicas,
      reason: spec.reason,
      storage: spec.storage,
      storageClass: spec.storageClass,
      cpu: spec.resources?.cpu,
      memory: spec.resources?.memory,
      pools: pools.map((pool) => pool.name),
      tolerations: tolerationsFor(pools),
      operatorPodLabels: cassOperatorPodLabels(names.namespace),
      monitoringNamespace: props.site.monitoring?.namespace ?? DEFAULT_MONITORING_NAMESPACE,
      keyspaces: plan.agents.map((agent) => {
        const state = agent.spec.state as WideColumnStateSpec;
        return {
          agent: agent.spec.name,
          namespace: agent.namespace,
          tables: state.tables,
          replicationFactor: state.replication?.factor,
        };
      }),
    });
    this.provisioning = this.datacenter.provisioning;
  }
}

/** Props of {@link CassandraPlatform}. */
export interface CassandraPlatformProps {
  /** The site: its pools place the operator. */
  readonly site: KubernetesSiteSpec;
  /** The agent types placed on the site. */
  readonly agents: readonly ResolvedAgent[];
  /**
   * The datacenter's namespace as a reference (the namespace resource's name
   * attribute), created by the caller with the name `cassandraNamespace(spec)`.
   */
  readonly namespace: string;
  /** Namespaces of the agents, by the agent's namespace name, as references. */
  readonly agentNamespaces: ReadonlyMap<string, string>;
  /**
   * Whether each agent's credentials are written as a Secret in its
   * namespace. Turn it off on a Vault site and write them to Vault with
   * {@link CassandraPlatform.credentialsOf}.
   * @default true
   */
  readonly agentSecrets?: boolean;
}

/**
 * The platform-stack part of a site's in-cluster Cassandra, when the site
 * declares one and an agent keeps wide rows there: cass-operator (on the
 * first pool an in-cluster broker may use: the chart takes one
 * `nodeSelector`), a password per agent's role (write-only Secrets in the
 * datacenter's namespace, for `spec.users`, and in the agent's), and the
 * nodes' certificates made in the cluster (with the PKCS#8 keystore
 * Cassandra reads). The datacenter itself is a custom resource of the agents
 * stack ({@link SiteCassandra}).
 */
export class CassandraPlatform extends Construct {
  /** Each served agent's keyspace binding, by agent name; empty when the site runs none. */
  readonly bindings: ReadonlyMap<string, AgentWideColumnDatabase>;
  /** The operator's release, when the site runs one. @default - none */
  readonly operator?: CassandraOperatorRelease;
  private readonly users?: DatabaseUsers;

  constructor(scope: Construct, id: string, props: CassandraPlatformProps) {
    super(scope, id);
    const plan = siteCassandraPlan(props.site, props.agents);
    const bindings = new Map<string, AgentWideColumnDatabase>();
    this.bindings = bindings;
    if (!plan) return;
    const { names } = plan;
    const pools = brokerPoolMatch(props.site.nodePools).pools;
    this.operator = new CassandraOperatorRelease(this, 'Operator', {
      namespace: props.namespace,
      pool: pools[0]?.name,
      tolerations: tolerationsFor(pools.slice(0, 1)),
    });
    const references = new Map<string, string>([[names.namespace, props.namespace]]);
    for (const agent of plan.agents) {
      references.set(agent.namespace, props.agentNamespaces.get(agent.namespace) as string);
    }
    this.users = new DatabaseUsers(this, 'Users', {
      names,
      namespace: props.namespace,
      agentSecrets: props.agentSecrets ?? true,
      users: plan.agents.map((agent) => ({
        agent: agent.spec.name,
        namespace: references.get(agent.namespace) as string,
      })),
    });
    new ServerCertificates(this, 'Certificates', {
      names: cassandraCertificateNames(names),
      clientNamespaces: plan.agents.map((agent) => agent.namespace),
      namespaceReferences: references,
      pkcs8KeystoreKey: CASSANDRA_KEYSTORE_KEY,
      dependsOn: [this.operator.release],
    });
    for (const agent of plan.agents) {
      const name = agent.spec.name;
      bindings.set(name, {
        kind: 'in-cluster-cassandra',
        host: names.host,
        port: CASSANDRA_CQL_PORT,
        datacenter: names.datacenter,
        keyspace: stateIdentifier(name),
        credentialsSecret: names.agentSecret(name),
        caSecret: names.caSecret,
        namespace: names.namespace,
        podLabels: names.podLabels,
      });
    }
  }

  /**
   * An agent's role name and password, for write-only arguments of this stack
   * only (the password is an ephemeral value, e.g. a Vault secret's), and the
   * revision that rewrites them.
   */
  credentialsOf(agent: string): { username: string; password: string; revision: number } {
    if (!this.users) throw new Error(`${this.node.path}: the site runs no Cassandra`);
    return this.users.credentialsOf(agent);
  }
}

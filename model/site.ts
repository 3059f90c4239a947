import { NodePoolSpec } from './placement';
import { SiteStateEngines } from './state-engines';
import { Cpu, Size } from './units';

/**
 * A Kubernetes cluster of the estate (on-prem datacenter, edge, or one the user
 * runs), reached through a kubeconfig context.
 */
export interface KubernetesSiteSpec {
  /** DNS-1123 label; names the site's stacks (`<env>-<site>-agents`). */
  readonly name: string;
  /**
   * The kubeconfig file and context the site's stacks reach the cluster with.
   * @default - none: the stacks are given a {@link ClusterAccess} instead (an EKS cluster)
   */
  readonly kubeconfig?: {
    /** Path to the kubeconfig file; `~` is expanded. */
    readonly path: string;
    readonly context: string;
  };
  /** The cluster's node pools, which agents and brokers are placed on. */
  readonly nodePools: readonly NodePoolSpec[];
  /** Where monitoring runs. @default - namespace `monitoring`, the kube-prometheus-stack Prometheus */
  readonly monitoring?: { readonly namespace?: string; readonly prometheusUrl?: string };
  /** Namespace of KEDA. @default 'keda' */
  readonly kedaNamespace?: string;
  /**
   * The cloud whose infra stack builds the cluster, which then offers that
   * cloud's brokers, tables and scaling groups to the site's agents.
   * @default - none: a cluster the user runs
   */
  readonly cloud?: SiteCloud;
  /**
   * The database of the site's stateful agents, run by the platform stack.
   * Cloud sites keep state in their cloud's table store instead.
   * @default - none: stateful agents are refused on the site
   */
  readonly database?: InClusterDatabaseSpec;
  /**
   * The engines of the shapes of state its `database` does not serve: on a
   * cluster the user runs, `document: { kind: mongodb }` runs a MongoDB
   * replica set in the cluster for the site's document-state agents.
   * @default - none: document and wide-column state are refused on the site
   */
  readonly stateEngines?: SiteStateEngines;
  /**
   * Consul servers in the cluster; each agent type is registered in Consul's
   * catalog with tags taken from the labels of the pools it runs on
   * (`location=`, `datacenter=`, `hardware-type=`).
   * @default - no service registration
   */
  readonly consul?: ConsulSpec;
  /**
   * The Vault the site's agents and KEDA read broker and database credentials
   * from, instead of Kubernetes Secrets.
   * @default - credentials in write-only Kubernetes Secrets
   */
  readonly vault?: VaultSpec;
}

/** Clouds whose infra stacks build clusters. */
export type SiteCloud = 'aws' | 'azure';

/**
 * CockroachDB in the cluster (Postgres wire protocol): each stateful agent
 * gets a database and a SQL user of its own.
 */
export interface InClusterDatabaseSpec {
  /** The database that runs: CockroachDB, the only one offered. */
  readonly kind: 'cockroachdb';
  /** Namespace the database runs in. @default 'cockroachdb' */
  readonly namespace?: string;
  /**
   * Nodes. Ranges keep 3 replicas, so 3 is the smallest count that survives
   * the loss of one; fewer needs a written `reason`. @default 3
   */
  readonly replicas?: number;
  /** Why fewer than 3 nodes are acceptable here (e.g. a laptop). @default - none */
  readonly reason?: string;
  /** Persistent volume of each node. @default 100Gi */
  readonly storage?: Size;
  /** StorageClass of the volumes. @default - the cluster's default */
  readonly storageClass?: string;
  /** CPU and memory of each node, requests equal to limits. @default - 2 CPU, 8Gi */
  readonly resources?: { readonly cpu?: Cpu; readonly memory?: Size };
}

/** Consul servers in a site's cluster. */
export interface ConsulSpec {
  /** Consul datacenter name, e.g. the site's datacenter. */
  readonly datacenter: string;
  /** Namespace the Consul servers run in. @default 'consul' */
  readonly namespace?: string;
  /** Servers; Raft needs 3 to survive the loss of one. Odd counts only. @default 3 */
  readonly replicas?: number;
}

/**
 * A Vault server of the estate (usually the datacenter's own), reached from
 * the cluster. The platform stack installs only Vault's Agent Injector and
 * configures a Kubernetes auth mount, a policy and a role per agent type.
 */
export interface VaultSpec {
  /** `https://` address of the Vault server. */
  readonly address: string;
  /** PEM of the CA that signed the server's certificate (public, not a secret). */
  readonly caCertificate: string;
  /**
   * The cluster's API server as Vault reaches it, e.g.
   * `https://nebraska-api.example.com:6443`: Vault reviews the service
   * account tokens agents log in with there.
   */
  readonly kubernetesHost: string;
  /** PEM of the cluster API server's CA, with which Vault verifies it. */
  readonly kubernetesCaCertificate: string;
  /** KV version 2 mount holding the fleet's credentials. @default 'fleet' */
  readonly kvMount?: string;
  /** Networks the Vault server answers on: the only egress its clients get for it. */
  readonly cidrs: readonly string[];
}

/** Namespace of a site's in-cluster database. */
export function databaseNamespace(database: InClusterDatabaseSpec): string {
  return database.namespace ?? 'cockroachdb';
}

/** Namespace of a site's Consul servers. */
export function consulNamespace(consul: ConsulSpec): string {
  return consul.namespace ?? 'consul';
}

/** Namespace of the Strimzi operator on sites with an in-cluster Kafka. */
export const STRIMZI_OPERATOR_NAMESPACE = 'strimzi';

/** Namespace of Vault's Agent Injector on sites with a Vault. */
export const VAULT_INJECTOR_NAMESPACE = 'vault';

/** Namespace of monitoring (Prometheus) when a site's `monitoring.namespace` does not set one. */
export const DEFAULT_MONITORING_NAMESPACE = 'monitoring';
/** Namespace of KEDA when a site's `kedaNamespace` does not set one. */
export const DEFAULT_KEDA_NAMESPACE = 'keda';

/** Service account of KEDA's operator (the kedacore chart's default). */
export const KEDA_OPERATOR_SERVICE_ACCOUNT = 'keda-operator';

/** Namespace of the Jobs that create a site's Kafka topics. */
export const KAFKA_TOPICS_NAMESPACE = 'kafka-topics';

/** Namespace and service account of the Job that creates one Kafka broker's topics. */
export function kafkaTopicsAccount(broker: string): { namespace: string; name: string } {
  return { namespace: KAFKA_TOPICS_NAMESPACE, name: `kafka-topics-${broker}` };
}

/** Namespace of NVIDIA's device plugin on sites with GPU pools. */
export const DEVICE_PLUGIN_NAMESPACE = 'nvidia-device-plugin';

/** The namespace of a site's monitoring release: its `monitoring.namespace`, else `monitoring`. */
export function monitoringNamespaceOf(site: KubernetesSiteSpec): string {
  return site.monitoring?.namespace ?? DEFAULT_MONITORING_NAMESPACE;
}

/**
 * URL of the site's Prometheus: the site's `monitoring.prometheusUrl`, else the
 * kube-prometheus-stack Service in the monitoring namespace, port 9090.
 */
export function prometheusUrlOf(site: KubernetesSiteSpec): string {
  const namespace = monitoringNamespaceOf(site);
  return (
    site.monitoring?.prometheusUrl ??
    `http://kube-prometheus-stack-prometheus.${namespace}.svc.cluster.local:9090`
  );
}

/**
 * How Terraform reaches a cluster it built itself: its API endpoint and CA,
 * and a command that prints a short-lived token (e.g. `aws eks get-token`).
 * No credential is stored.
 */
export interface ClusterAccess {
  /** `https://` endpoint of the cluster's API server. */
  readonly host: string;
  /** Base64 PEM of the cluster CA. */
  readonly clusterCaCertificate: string;
  /** Command and arguments that print a short-lived token for the API server, e.g. `aws eks get-token`. */
  readonly exec: { readonly command: string; readonly args: readonly string[] };
}

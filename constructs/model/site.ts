import { NodePoolSpec } from './placement';

/**
 * A Kubernetes cluster of the estate (on-prem datacenter, edge, or one the user
 * runs), reached through a kubeconfig context.
 */
export interface KubernetesSiteSpec {
  /** DNS-1123 label; names the site's stacks (`<env>-<site>-agents`). */
  readonly name: string;
  /** @default - none: the stacks are given a {@link ClusterAccess} instead (an EKS cluster) */
  readonly kubeconfig?: {
    /** Path to the kubeconfig file; `~` is expanded. */
    readonly path: string;
    readonly context: string;
  };
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
  readonly cloud?: 'aws';
}

export const DEFAULT_MONITORING_NAMESPACE = 'monitoring';
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

export function prometheusUrlOf(site: KubernetesSiteSpec): string {
  const namespace = site.monitoring?.namespace ?? DEFAULT_MONITORING_NAMESPACE;
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
  readonly host: string;
  /** Base64 PEM of the cluster CA. */
  readonly clusterCaCertificate: string;
  readonly exec: { readonly command: string; readonly args: readonly string[] };
}

import { Cpu, Size } from './units';

/**
 * A RabbitMQ cluster the platform stack of a Kubernetes site runs: the official
 * image as a StatefulSet that loads the fleet's topology at boot.
 */
export interface InClusterRabbitMq {
  /** Site whose platform stack runs the broker; agents on that site reach it in-cluster. */
  readonly site: string;
  /** @default 'rabbitmq' */
  readonly namespace?: string;
  /**
   * Nodes. Quorum queues survive the loss of a minority, so 3 is the smallest
   * count that survives one; lower it only in writing (e.g. a laptop cluster).
   * Odd counts only.
   * @default 3
   */
  readonly replicas?: number;
  /** Persistent volume of each node. @default 10Gi */
  readonly storage?: Size;
  /** StorageClass of the volumes. @default - the cluster's default */
  readonly storageClass?: string;
  /** CPU and memory of each node, requests equal to limits. @default - 1 CPU, 2Gi */
  readonly resources?: { readonly cpu?: Cpu; readonly memory?: Size };
}

/** A RabbitMQ broker outside the cluster, reached on these networks. */
export interface ExternalRabbitMq {
  readonly host: string;
  readonly cidrs: readonly string[];
}

/**
 * A RabbitMQ broker of the environment: exactly one of `inCluster` or
 * `external`. KEDA reads queue depth through the management API with
 * credentials from a Secret in KEDA's namespace (key `host`:
 * `http://<user>:<password>@<host>:<port>/`), referenced by a
 * ClusterTriggerAuthentication: no credential is in the synthesized output.
 * For an in-cluster broker the platform stack writes that Secret.
 */
export interface RabbitMqBrokerSpec {
  readonly name: string;
  readonly kind: 'rabbitmq';
  readonly inCluster?: InClusterRabbitMq;
  readonly external?: ExternalRabbitMq;
  /** @default - amqp 5672, management 15672 */
  readonly ports?: { readonly amqp?: number; readonly management?: number };
  /** @default 'keda-rabbitmq-<name>' */
  readonly credentialsSecret?: string;
}

export type BrokerSpec = RabbitMqBrokerSpec;

/** Where clients reach a broker: pods of the same cluster, or outside addresses. */
export type BrokerEndpoint =
  | {
      readonly kind: 'in-cluster';
      readonly site: string;
      readonly namespace: string;
      readonly podLabels: Readonly<Record<string, string>>;
      readonly host: string;
    }
  | { readonly kind: 'external'; readonly host: string; readonly cidrs: readonly string[] };

export const DEFAULT_BROKER_NAMESPACE = 'rabbitmq';

/** Labels of an in-cluster broker's pods. */
export function brokerPodLabels(broker: BrokerSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': 'rabbitmq', 'app.kubernetes.io/instance': broker.name };
}

/** Namespace of an in-cluster broker. */
export function brokerNamespace(broker: BrokerSpec): string {
  return broker.inCluster?.namespace ?? DEFAULT_BROKER_NAMESPACE;
}

export function brokerEndpoint(broker: BrokerSpec): BrokerEndpoint {
  if (broker.inCluster) {
    const namespace = brokerNamespace(broker);
    return {
      kind: 'in-cluster',
      site: broker.inCluster.site,
      namespace,
      podLabels: brokerPodLabels(broker),
      host: `${broker.name}.${namespace}.svc.cluster.local`,
    };
  }
  return {
    kind: 'external',
    host: broker.external?.host ?? '',
    cidrs: broker.external?.cidrs ?? [],
  };
}

export function brokerPorts(broker: BrokerSpec): { amqp: number; management: number } {
  return { amqp: broker.ports?.amqp ?? 5672, management: broker.ports?.management ?? 15672 };
}

export function brokerCredentialsSecret(broker: BrokerSpec): string {
  return broker.credentialsSecret ?? `keda-rabbitmq-${broker.name}`;
}

export function brokerHost(broker: BrokerSpec): string {
  return brokerEndpoint(broker).host;
}

/** Nodes of an in-cluster broker. */
export function brokerReplicas(broker: BrokerSpec): number {
  return broker.inCluster?.replicas ?? 3;
}

/**
 * Secret, in the agent's namespace, holding the agent's `username` and
 * `password` for an in-cluster broker (written by the platform stack).
 */
export function agentCredentialsSecret(agent: string, broker: string): string {
  return `${agent}-${broker}-credentials`;
}

import { Cpu, Size } from './units';

/**
 * A RabbitMQ cluster the platform stack of a Kubernetes site runs: the official
 * image as a StatefulSet that loads the fleet's topology at boot.
 */
export interface InClusterRabbitMq {
  /** Site whose platform stack runs the broker; agents on that site reach it in-cluster. */
  readonly site: string;
  /** Namespace the broker runs in. @default 'rabbitmq' */
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

/**
 * Amazon MQ for RabbitMQ, built by the infra stack of an AWS site: private,
 * encrypted with a key of its own, its administrator's password a sensitive
 * Terraform variable.
 */
export interface AmazonMqRabbitMq {
  /** AWS site whose infra stack builds the broker. */
  readonly site: string;
  /** RabbitMQ version as Amazon MQ names it. @default '3.13' */
  readonly engineVersion?: string;
  /** Broker instance type; a production cluster needs an `mq.m5` type. @default 'mq.m5.large' */
  readonly instanceType?: string;
}

/** A RabbitMQ broker outside the cluster, reached on these networks. */
export interface ExternalRabbitMq {
  /** DNS name of the broker, e.g. `rabbitmq.example.com`. */
  readonly host: string;
  /** IPv4 CIDRs the broker answers on, at least one: the agents' only egress to it. */
  readonly cidrs: readonly string[];
}

/**
 * A RabbitMQ broker of the environment: exactly one of `inCluster`, `amazonMq`
 * or `external`. KEDA reads queue depth through the management API with
 * credentials from a Secret in KEDA's namespace (key `host`:
 * `http://<user>:<password>@<host>:<port>/`), referenced by a
 * ClusterTriggerAuthentication: no credential is in the synthesized output.
 * For an in-cluster broker the platform stack writes that Secret.
 */
export interface RabbitMqBrokerSpec {
  /** DNS-1123 label, unique in the environment; bindings name the broker by it. */
  readonly name: string;
  /** Marks the broker as RabbitMQ. */
  readonly kind: 'rabbitmq';
  /** Run by the platform stack of a Kubernetes site. @default - not in a cluster */
  readonly inCluster?: InClusterRabbitMq;
  /** Amazon MQ, built by the infra stack of an AWS site. @default - not Amazon MQ */
  readonly amazonMq?: AmazonMqRabbitMq;
  /** A broker the fleet does not run, reached on its networks. @default - not external */
  readonly external?: ExternalRabbitMq;
  /**
   * Ports the broker listens on: AMQP for the agents, the management API for
   * KEDA's queue-depth reads.
   * @default - amqp 5672, management 15672
   */
  readonly ports?: { readonly amqp?: number; readonly management?: number };
  /**
   * Secret in KEDA's namespace holding the management URL (key `host`); the
   * platform stack writes it for an in-cluster broker.
   * @default 'keda-rabbitmq-<name>'
   */
  readonly credentialsSecret?: string;
}

/**
 * Amazon MSK, built by the infra stack of an AWS site: TLS everywhere, IAM
 * client authentication, replication 3 with `min.insync.replicas` 2.
 */
export interface MskKafka {
  /** AWS site whose infra stack builds the cluster; agents on that site's EKS cluster reach it. */
  readonly site: string;
  /** Kafka version as MSK names it, e.g. `3.8.x`. */
  readonly kafkaVersion: string;
  /**
   * Brokers in the cluster, a multiple of the site's availability zones.
   * @default - the smallest multiple of the site's zones that is at least 3
   */
  readonly brokerCount?: number;
  /** Instance type of each broker. @default 'kafka.m7g.large' */
  readonly instanceType?: string;
  /** Storage of each broker. @default 100Gi */
  readonly volumeSize?: Size;
}

/**
 * Kafka in a Kubernetes site's cluster, run by the Strimzi operator: KRaft
 * nodes spread over zones, replication 3 with `min.insync.replicas` 2, and a
 * `KafkaTopic` per bound topic.
 */
export interface InClusterKafka {
  /** Site whose stacks run the cluster; agents on that site reach it in-cluster. */
  readonly site: string;
  /** Namespace of the cluster's `Kafka`, `KafkaNodePool` and `KafkaTopic` objects. @default 'kafka' */
  readonly namespace?: string;
  /**
   * Nodes, each a broker and a controller. Replication 3 needs 3; fewer needs
   * a written `reason`, and topics then replicate to every node.
   * @default 3
   */
  readonly replicas?: number;
  /** Why fewer than 3 nodes are acceptable here (e.g. a laptop). @default - none */
  readonly reason?: string;
  /** Persistent volume of each node. @default 100Gi */
  readonly storage?: Size;
  /** StorageClass of the volumes. @default - the cluster's default */
  readonly storageClass?: string;
  /**
   * Spread replicas over zones (rack awareness on `topology.kubernetes.io/zone`).
   * Nodes must then carry that label, or the pods never schedule.
   * @default - on for the clusters cloud sites build (their nodes carry it), off elsewhere
   */
  readonly zoneAware?: boolean;
}

/**
 * Azure Event Hubs with its Kafka surface, built by the infra stack of an
 * Azure site: an event hub per bound topic, Entra ID authentication only.
 */
export interface EventHubsKafka {
  /** Azure site whose infra stack builds the namespace. */
  readonly site: string;
  /**
   * Tier of the namespace: Premium gives private networking, zone redundancy and
   * retention up to 90 days (Standard: 7).
   * @default 'Premium'
   */
  readonly sku?: 'Standard' | 'Premium';
  /** Throughput units (Standard) or processing units (Premium). @default 1 */
  readonly capacity?: number;
}

/**
 * A Kafka cluster of the environment: exactly one of `msk`, `eventHubs` or
 * `inCluster`. Agents bind to a topic of it; the fleet creates each bound
 * topic with at least as many partitions as its consumer's maximum replicas,
 * so that no replica idles.
 */
export interface KafkaBrokerSpec {
  /** DNS-1123 label, unique in the environment; bindings name the broker by it. */
  readonly name: string;
  /** Marks the broker as Kafka. */
  readonly kind: 'kafka';
  /** Amazon MSK, built by the infra stack of an AWS site. @default - not MSK */
  readonly msk?: MskKafka;
  /** Azure Event Hubs, built by the infra stack of an Azure site. @default - not Event Hubs */
  readonly eventHubs?: EventHubsKafka;
  /** Run by Strimzi in a Kubernetes site's cluster. @default - not in a cluster */
  readonly inCluster?: InClusterKafka;
}

/**
 * Amazon SQS in the region of an AWS site: one queue and dead-letter queue per
 * agent binding, built by that site's infra stack.
 */
export interface SqsBrokerSpec {
  /** DNS-1123 label, unique in the environment; bindings name the broker by it. */
  readonly name: string;
  /** Marks the broker as Amazon SQS. */
  readonly kind: 'sqs';
  /** AWS site whose infra stack builds the queues. */
  readonly site: string;
}

/**
 * Azure Service Bus in the region of an Azure site: one queue per agent
 * binding, dead-lettering on, Entra ID authentication only, built by that
 * site's infra stack.
 */
export interface ServiceBusBrokerSpec {
  /** DNS-1123 label, unique in the environment; bindings name the broker by it. */
  readonly name: string;
  /** Marks the broker as Azure Service Bus. */
  readonly kind: 'servicebus';
  /** Azure site whose infra stack builds the namespace. */
  readonly site: string;
  /** Premium gives private networking and zone redundancy. @default 'Premium' */
  readonly sku?: 'Standard' | 'Premium';
}

/** A broker of the environment, told apart by `kind`: RabbitMQ, Kafka, SQS or Service Bus. */
export type BrokerSpec =
  RabbitMqBrokerSpec | KafkaBrokerSpec | SqsBrokerSpec | ServiceBusBrokerSpec;

/** The kinds of broker, as written in `kind`. */
export type BrokerKind = BrokerSpec['kind'];

/** Whether a broker is RabbitMQ. */
export function isRabbitMq(broker: BrokerSpec): broker is RabbitMqBrokerSpec {
  return broker.kind === 'rabbitmq';
}

/** The RabbitMQ brokers of an environment. */
export function rabbitMqBrokers(brokers: readonly BrokerSpec[]): RabbitMqBrokerSpec[] {
  return brokers.filter(isRabbitMq);
}

/** The site that runs a broker: in its cluster, or in its cloud infrastructure. @default - none (external) */
export function brokerSite(broker: BrokerSpec): string | undefined {
  switch (broker.kind) {
    case 'rabbitmq':
      return broker.inCluster?.site ?? broker.amazonMq?.site;
    case 'kafka':
      return broker.msk?.site ?? broker.eventHubs?.site ?? broker.inCluster?.site;
    case 'sqs':
    case 'servicebus':
      return broker.site;
  }
}

/** Whether a broker is a service of a cloud, built by a cloud site's infra stack. */
export function isCloudBroker(broker: BrokerSpec): boolean {
  switch (broker.kind) {
    case 'rabbitmq':
      return broker.amazonMq !== undefined;
    case 'kafka':
      return broker.msk !== undefined || broker.eventHubs !== undefined;
    default:
      return true;
  }
}

/** Brokers the infra stack of a cloud site builds. */
export function cloudBrokersOf(brokers: readonly BrokerSpec[], site: string): BrokerSpec[] {
  return brokers.filter((broker) => isCloudBroker(broker) && brokerSite(broker) === site);
}

/** How people call a broker in messages, e.g. `MSK broker 'events'`. */
export function describeBrokerKind(broker: BrokerSpec): string {
  switch (broker.kind) {
    case 'rabbitmq':
      return broker.amazonMq ? 'Amazon MQ' : 'RabbitMQ';
    case 'kafka':
      return broker.msk ? 'MSK' : broker.eventHubs ? 'Event Hubs' : 'Kafka';
    case 'sqs':
      return 'SQS';
    case 'servicebus':
      return 'Service Bus';
  }
}

/** The Kafka clusters Strimzi runs in a site's cluster. */
export function inClusterKafkaOn(brokers: readonly BrokerSpec[], site: string): KafkaBrokerSpec[] {
  return brokers.filter(
    (broker): broker is KafkaBrokerSpec =>
      broker.kind === 'kafka' && broker.inCluster?.site === site,
  );
}

/** Namespace of an in-cluster Kafka cluster whose `inCluster.namespace` does not set one. */
export const DEFAULT_KAFKA_NAMESPACE = 'kafka';

/** Namespace of an in-cluster Kafka cluster. */
export function kafkaNamespace(broker: KafkaBrokerSpec): string {
  return broker.inCluster?.namespace ?? DEFAULT_KAFKA_NAMESPACE;
}

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

/** Namespace of an in-cluster RabbitMQ broker whose `inCluster.namespace` does not set one. */
export const DEFAULT_BROKER_NAMESPACE = 'rabbitmq';

/** Labels of an in-cluster broker's pods. */
export function brokerPodLabels(broker: RabbitMqBrokerSpec): Record<string, string> {
  return { 'app.kubernetes.io/name': 'rabbitmq', 'app.kubernetes.io/instance': broker.name };
}

/** Namespace of an in-cluster broker. */
export function brokerNamespace(broker: RabbitMqBrokerSpec): string {
  return broker.inCluster?.namespace ?? DEFAULT_BROKER_NAMESPACE;
}

/**
 * Where agents reach a RabbitMQ broker: the in-cluster Service
 * (`<name>.<namespace>.svc.cluster.local`) with its pods' labels, or the
 * external host and the CIDRs it is reached on.
 */
export function brokerEndpoint(broker: RabbitMqBrokerSpec): BrokerEndpoint {
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

/** AMQP and management API ports of a RabbitMQ broker: 5672 and 15672 unless set. */
export function brokerPorts(broker: RabbitMqBrokerSpec): { amqp: number; management: number } {
  return { amqp: broker.ports?.amqp ?? 5672, management: broker.ports?.management ?? 15672 };
}

/** Secret in KEDA's namespace with the broker's management URL: `keda-rabbitmq-<name>` unless set. */
export function brokerCredentialsSecret(broker: RabbitMqBrokerSpec): string {
  return broker.credentialsSecret ?? `keda-rabbitmq-${broker.name}`;
}

/** Host name agents reach a RabbitMQ broker at (see {@link brokerEndpoint}). */
export function brokerHost(broker: RabbitMqBrokerSpec): string {
  return brokerEndpoint(broker).host;
}

/** Nodes of an in-cluster broker. */
export function brokerReplicas(broker: RabbitMqBrokerSpec): number {
  return broker.inCluster?.replicas ?? 3;
}

/**
 * Secret, in the agent's namespace, holding the agent's `username` and
 * `password` for an in-cluster broker (written by the platform stack).
 */
export function agentCredentialsSecret(agent: string, broker: string): string {
  return `${agent}-${broker}-credentials`;
}

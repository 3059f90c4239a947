import { Static, Type } from '@sinclair/typebox';
import { PATTERNS } from './formats';
import {
  booleanSchema,
  cpuSchema,
  enumSchema,
  integerSchema,
  kindSchema,
  listSchema,
  objectSchema,
  sizeSchema,
  stringSchema,
} from './schema-types';

/** The brokers of the environment files, one schema per kind. */

const rabbitMqBroker = objectSchema(
  "A RabbitMQ broker: exactly one of 'inCluster', 'amazonMq' or 'external'. KEDA reads queue depth through its management API.",
  {
    kind: enumSchema('Kind of broker.', ['rabbitmq']),
    inCluster: objectSchema(
      "Run by the platform stack of a Kubernetes site: the official image as a StatefulSet loading the fleet's topology at boot.",
      {
        site: stringSchema('Site whose cluster runs the broker.'),
        namespace: stringSchema("Namespace of the broker. Default 'rabbitmq'."),
        replicas: integerSchema(
          'Nodes, odd. Default 3, the smallest count that survives the loss of one; lower it only on purpose.',
          1,
          7,
        ),
        storage: sizeSchema('Persistent volume of each node. Default 10Gi.'),
        storageClass: stringSchema("StorageClass of the volumes. Default: the cluster's default."),
        resources: objectSchema('CPU and memory of each node, requests equal to limits.', {
          cpu: cpuSchema('CPU of each node. Default 1.'),
          memory: sizeSchema('Memory of each node. Default 2Gi.'),
        }),
      },
      ['site'],
    ),
    amazonMq: objectSchema(
      "Amazon MQ for RabbitMQ, built by the infra stack of an AWS site (broker '<environment>-<site>-<broker>', at most 50 characters): private, encrypted with a key of its own. A single instance, or a three-node cluster across zones (CLUSTER_MULTI_AZ) in a production environment. Takes no agent bindings yet.",
      {
        site: stringSchema('AWS site whose infra stack builds the broker.'),
        engineVersion: stringSchema("RabbitMQ version as Amazon MQ names it. Default '3.13'.", {
          pattern: PATTERNS.rabbitMqVersion,
        }),
        instanceType: stringSchema(
          "Broker instance type; a production cluster needs an mq.m5 type. Default 'mq.m5.large'.",
          { pattern: PATTERNS.amazonMqInstanceType },
        ),
      },
      ['site'],
    ),
    external: objectSchema(
      'A broker outside the cluster.',
      {
        host: stringSchema('Host name.'),
        cidrs: listSchema(
          'Networks the agents may reach the broker on.',
          stringSchema('IPv4 CIDR.', { pattern: PATTERNS.cidr }),
          1,
        ),
      },
      ['host', 'cidrs'],
    ),
    ports: objectSchema('Broker ports. Default: amqp 5672, management 15672.', {
      amqp: integerSchema('AMQP port.', 1, 65535),
      management: integerSchema('Management API port.', 1, 65535),
    }),
    credentialsSecret: stringSchema(
      "Secret in KEDA's namespace with the management URL (key 'host'). Default 'keda-rabbitmq-<name>'; written by the platform stack for an in-cluster broker.",
    ),
  },
  ['kind'],
);

const kafkaBroker = objectSchema(
  "A Kafka cluster. Agents bind to its topics with 'topic'; the fleet creates each bound topic (replication 3, min.insync.replicas 2) with at least as many partitions as its consumer's maxReplicas.",
  {
    kind: enumSchema('Kind of broker.', ['kafka']),
    msk: objectSchema(
      "Amazon MSK, built by the infra stack of an AWS site (cluster '<environment>-<site>-<broker>', at most 64 characters): TLS everywhere, IAM client authentication. Agents of that site's EKS cluster reach it.",
      {
        site: stringSchema('AWS site whose infra stack builds the cluster.'),
        kafkaVersion: stringSchema("Kafka version as MSK names it, e.g. '3.8.x' or '3.6.0'.", {
          pattern: PATTERNS.kafkaVersion,
        }),
        brokerCount: integerSchema(
          "Brokers, a multiple of the site's availability zones. Default: the smallest such multiple that is at least 3.",
          3,
          30,
        ),
        instanceType: stringSchema("Broker instance type. Default 'kafka.m7g.large'.", {
          pattern: PATTERNS.mskInstanceType,
        }),
        volumeSize: sizeSchema('Storage of each broker, whole GiB up to 16384Gi. Default 100Gi.'),
      },
      ['site', 'kafkaVersion'],
    ),
    eventHubs: objectSchema(
      "Azure Event Hubs with its Kafka surface, built by the infra stack of an Azure site: an event hub per bound topic, Entra ID authentication only (local auth off), TLS 1.2, no public network access. KEDA's kafka scaler cannot authenticate to it with workload identity, so its consumers scale on Prometheus or CPU, not 'consumerLag'.",
      {
        site: stringSchema('Azure site whose infra stack builds the namespace.', {}),
        sku: enumSchema("Default 'Premium' (private networking, zone redundancy).", [
          'Standard',
          'Premium',
        ]),
        capacity: integerSchema('Throughput or processing units. Default 1.', 1, 40),
      },
      ['site'],
    ),
    inCluster: objectSchema(
      'Kafka in the cluster of a Kubernetes site, run by the Strimzi operator: KRaft nodes spread over zones, a KafkaTopic per bound topic.',
      {
        site: stringSchema('Site whose cluster runs Kafka.'),
        namespace: stringSchema("Namespace of the cluster. Default 'kafka'.", {
          pattern: PATTERNS.dnsLabel,
        }),
        replicas: integerSchema(
          'Nodes, each broker and controller. Default 3 (replication 3); fewer needs a reason.',
          1,
          9,
        ),
        reason: stringSchema('Why fewer than 3 nodes are acceptable here.'),
        storage: sizeSchema('Persistent volume of each node. Default 100Gi.'),
        storageClass: stringSchema("StorageClass of the volumes. Default: the cluster's default."),
        zoneAware: booleanSchema(
          'Spread replicas over zones (nodes must carry topology.kubernetes.io/zone). Default: on for cloud sites, off for clusters you run.',
        ),
      },
      ['site'],
    ),
  },
  ['kind'],
);

const sqsBroker = objectSchema(
  "Amazon SQS in the region of an AWS site: each agent binding ('queue') gets a queue and a dead-letter queue of its own, built by that site's infra stack. Only agents of that site bind to it.",
  {
    kind: enumSchema('Kind of broker.', ['sqs']),
    site: stringSchema('AWS site whose infra stack builds the queues.'),
  },
  ['kind', 'site'],
);

const serviceBusBroker = objectSchema(
  "Azure Service Bus in the region of an Azure site: each agent binding ('queue') gets a queue with dead-lettering, built by that site's infra stack; Entra ID authentication only. Only agents of that site bind to it.",
  {
    kind: enumSchema('Kind of broker.', ['servicebus']),
    site: stringSchema('Azure site whose infra stack builds the namespace.'),
    sku: enumSchema("Default 'Premium' (private networking, zone redundancy).", [
      'Standard',
      'Premium',
    ]),
  },
  ['kind', 'site'],
);

/** A broker as an environment file writes it (its name is its key). */
export type RawBroker =
  | Static<typeof rabbitMqBroker>
  | Static<typeof kafkaBroker>
  | Static<typeof sqsBroker>
  | Static<typeof serviceBusBroker>;

/** The schema of each kind of broker. */
export const brokerSchemas = {
  rabbitmq: rabbitMqBroker,
  kafka: kafkaBroker,
  sqs: sqsBroker,
  servicebus: serviceBusBroker,
} as const;

/**
 * A broker: its `kind` picks the schema that applies, so each kind accepts its
 * own keys only. Without a known kind, only `kind` itself is checked.
 */
export const broker = kindSchema<RawBroker>(
  Object.entries(brokerSchemas),
  // Open, unlike the kinds: an unknown kind is one problem, not one per key.
  Type.Object(
    {
      kind: enumSchema('Kind of broker.', Object.keys(brokerSchemas)),
    },
    { description: 'A broker; its kind picks the keys that apply.' },
  ),
);

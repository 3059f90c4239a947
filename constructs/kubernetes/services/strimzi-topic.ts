import { createHash } from 'crypto';
import { Manifest as ManifestResource } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { checkRange } from '../../../model/checks';
import { KafkaTopicSpec } from '../../../model/cloud-bindings';
import { Problem, ValidationError } from '../../../model/problems';
import { STRIMZI_API_VERSION, StrimziKafkaClusterRef } from './strimzi-kafka';

const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const CONFIG_KEY = /^[a-z0-9]+([._-][a-z0-9]+)*$/;
/** Longest Kubernetes object name (a DNS subdomain). */
const MAX_NAME = 253;

/** Props of {@link StrimziKafkaTopic}. */
export interface StrimziKafkaTopicProps {
  /** The cluster the topic lives on; the KafkaTopic goes in its namespace. */
  readonly cluster: StrimziKafkaClusterRef;
  /** The topic: name, partitions, replication factor and topic configuration. */
  readonly topic: KafkaTopicSpec;
  /**
   * Fewest partitions the topic may have: the maximum replicas of the agent
   * that consumes it, since a consumer group gives each partition to one
   * member and members beyond the partition count sit idle.
   * @default 1
   */
  readonly minPartitions?: number;
}

/**
 * A Kafka topic on a {@link StrimziKafkaCluster}, as a `KafkaTopic` object
 * (`kafka.strimzi.io/v1`) labelled `strimzi.io/cluster` that the cluster's
 * topic operator reconciles: it creates the topic, grows its partitions and
 * keeps its configuration in step. Goes in the same stack as the cluster.
 *
 * The Kafka name is `spec.topicName`, so any valid topic name works. The
 * object's name is derived from it: unchanged when the topic name already is
 * a valid Kubernetes name without dots (`orders`), otherwise lowercased, with
 * every character other than a letter, digit or `-` turned into `-`, and a
 * hash of the topic name appended so that `sensor.readings` and
 * `sensor_readings` stay distinct (`sensor-readings-<8 hex digits>`).
 *
 * Validated eagerly: partitions at least `minPartitions`, the replication
 * factor at most the cluster's brokers, and `min.insync.replicas` (the
 * topic's own or the cluster's) below the replication factor, so that one
 * replica can be lost without stopping writes.
 * @see https://strimzi.io/docs/operators/latest/configuring.html#type-KafkaTopic-reference
 */
export class StrimziKafkaTopic extends Construct {
  /** The KafkaTopic object's `metadata.name`. */
  readonly resourceName: string;
  /** The topic's name in Kafka. */
  readonly topicName: string;
  /** The `kubernetes_manifest` of the KafkaTopic object. */
  readonly resource: ManifestResource;

  constructor(scope: Construct, id: string, props: StrimziKafkaTopicProps) {
    super(scope, id);
    const problems = validateTopic(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const { cluster, topic } = props;
    this.topicName = topic.name;
    this.resourceName = kafkaTopicResourceName(topic.name);
    this.resource = new ManifestResource(this, 'Resource', {
      manifest: {
        apiVersion: STRIMZI_API_VERSION,
        kind: 'KafkaTopic',
        metadata: {
          name: this.resourceName,
          namespace: cluster.namespace,
          labels: {
            'app.kubernetes.io/part-of': 'agent-fleet',
            'strimzi.io/cluster': cluster.name,
          },
        },
        spec: {
          topicName: topic.name,
          partitions: topic.partitions,
          replicas: topic.replicationFactor,
          config: { ...topic.config },
        },
      },
    });
  }
}

/** The DNS-safe, deterministic `metadata.name` of a topic's KafkaTopic object. */
export function kafkaTopicResourceName(topicName: string): string {
  const base = topicName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (base === topicName) return base;
  const hash = createHash('sha256').update(topicName).digest('hex').slice(0, 8);
  const head = (base === '' ? 'topic' : base)
    .slice(0, MAX_NAME - hash.length - 1)
    .replace(/-+$/, '');
  return `${head}-${hash}`;
}

function validateTopic(props: StrimziKafkaTopicProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: readonly (string | number)[], message: string) =>
    problems.push({ path, message });
  const { topic, cluster } = props;
  const minPartitions = props.minPartitions ?? 1;

  if (!KAFKA_TOPIC.test(topic.name) || topic.name === '.' || topic.name === '..') {
    add(
      ['topic', 'name'],
      `'${topic.name}' must be 1 to 249 letters, digits, '.', '_' or '-', and not '.' or '..'`,
    );
  }
  checkRange(topic.partitions, 1, 10_000, ['topic', 'partitions'], add);
  checkRange(minPartitions, 1, 10_000, ['minPartitions'], add);
  if (Number.isInteger(topic.partitions) && topic.partitions < minPartitions) {
    add(
      ['topic', 'partitions'],
      `(${topic.partitions}) must be >= 'minPartitions' (${minPartitions}), the consuming agent's maximum replicas: replicas beyond the partition count get no partition`,
    );
  }
  checkRange(topic.replicationFactor, 1, 7, ['topic', 'replicationFactor'], add);
  if (topic.replicationFactor > cluster.brokers) {
    add(
      ['topic', 'replicationFactor'],
      `(${topic.replicationFactor}) must be <= the brokers of cluster '${cluster.name}' (${cluster.brokers})`,
    );
  }
  for (const [key, value] of Object.entries(topic.config)) {
    if (!CONFIG_KEY.test(key)) {
      add(['topic', 'config', key], 'is not a Kafka topic configuration key, e.g. retention.ms');
    }
    if (value.trim() === '') add(['topic', 'config', key], 'must not be empty');
  }
  const own = topic.config['min.insync.replicas'];
  if (own !== undefined && !/^\d+$/.test(own)) {
    add(['topic', 'config', 'min.insync.replicas'], `('${own}') must be a whole number`);
  } else {
    const minInsync = own !== undefined ? Number(own) : cluster.minInsyncReplicas;
    const source =
      own !== undefined ? 'min.insync.replicas' : `cluster '${cluster.name}' min.insync.replicas`;
    if (topic.replicationFactor > 1 && minInsync >= topic.replicationFactor) {
      add(
        ['topic', 'config', 'min.insync.replicas'],
        `'${source}' (${minInsync}) must be < 'replicationFactor' (${topic.replicationFactor}), or losing one replica stops every acknowledged write`,
      );
    }
    if (minInsync < 1) {
      add(['topic', 'config', 'min.insync.replicas'], `(${minInsync}) must be at least 1`);
    }
  }
  return problems;
}

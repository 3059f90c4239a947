import type { KafkaTopicSpec } from './cloud-bindings';
import type { ResolvedAgent } from './resolve';
import { Duration } from './units';

/**
 * The Kafka topic an agent consumes, on a Kafka broker of the environment.
 * The fleet creates the topic (replication 3, `min.insync.replicas` 2, from
 * the cluster's configuration) and its dead-letter topic; KEDA's `kafka`
 * trigger scales the agent on its consumer group's lag.
 * @see https://keda.sh/docs/latest/scalers/apache-kafka/
 */
export interface TopicBinding {
  /** Name of a Kafka broker of the environment. */
  readonly broker: string;
  /** 1 to 249 letters, digits, `.`, `_` or `-`. */
  readonly topic: string;
  /** Consumer group of the agent's replicas. @default - the agent's name */
  readonly consumerGroup?: string;
  /**
   * Partitions of the topic, at least the agent's maximum replicas: a partition
   * is read by one consumer of a group, so replicas beyond the partition count idle.
   * Partitions can grow later, never shrink.
   * @default - the agent's maximum replicas, at least 3
   */
  readonly partitions?: number;
  /** How long records are kept. @default 7d */
  readonly retention?: Duration;
  /**
   * Records the agent cannot process go to a dead-letter topic, which the fleet
   * creates beside the topic. Turning it off needs a written `reason`.
   * @default - on, topic `<topic>.dlq`
   */
  readonly deadLetter?: {
    readonly enabled?: boolean;
    readonly reason?: string;
    /** @default '<topic>.dlq' */
    readonly topic?: string;
  };
  /** @default - 30 s processing time */
  readonly consumer?: {
    /** Longest time one record may take; sizes the graceful shutdown. @default 30s */
    readonly maxProcessingTime?: Duration;
  };
}

/** Topic binding with every default applied. */
export interface ResolvedTopicBinding {
  readonly broker: string;
  readonly topic: string;
  readonly consumerGroup: string;
  readonly partitions: number;
  readonly retention: Duration;
  readonly deadLetter:
    | { readonly enabled: true; readonly topic: string }
    | { readonly enabled: false; readonly reason: string };
  readonly maxProcessingTime: Duration;
}

/** Fewest partitions a topic gets. */
export const MIN_TOPIC_PARTITIONS = 3;

/** Applies the defaults documented on {@link TopicBinding}. */
export function resolveTopicBinding(
  binding: TopicBinding,
  agent: string,
  maxReplicas: number,
): ResolvedTopicBinding {
  const dead = binding.deadLetter ?? {};
  return {
    broker: binding.broker,
    topic: binding.topic,
    consumerGroup: binding.consumerGroup ?? agent,
    partitions: binding.partitions ?? Math.max(maxReplicas, MIN_TOPIC_PARTITIONS),
    retention: binding.retention ?? Duration.days(7),
    deadLetter:
      dead.enabled === false
        ? { enabled: false, reason: dead.reason ?? '' }
        : { enabled: true, topic: dead.topic ?? `${binding.topic}.dlq` },
    maxProcessingTime: binding.consumer?.maxProcessingTime ?? Duration.seconds(30),
  };
}

/** How the fleet replicates the topics it creates. */
export interface TopicReplication {
  /** @default 3 */
  readonly factor?: number;
  /** Stated per topic too, so the topic keeps it whatever the cluster's default. @default 2 */
  readonly minInsyncReplicas?: number;
}

/** How long dead-letter topics keep records: 14 days. */
const DEAD_LETTER_TOPIC_RETENTION_MS = 14 * 86_400_000;

/**
 * The topics a Kafka cluster needs for the agents bound to it: each bound
 * topic with at least as many partitions as its consumers' maximum replicas
 * and the longest retention asked for, and a dead-letter topic beside it
 * (14 days), sorted by name.
 */
export function kafkaTopicsOf(
  agents: readonly ResolvedAgent[],
  replication: TopicReplication = {},
): KafkaTopicSpec[] {
  const topics = new Map<string, KafkaTopicSpec>();
  const add = (name: string, partitions: number, retentionMs: number) => {
    const known = topics.get(name);
    topics.set(name, {
      name,
      partitions: Math.max(partitions, known?.partitions ?? 0),
      replicationFactor: replication.factor ?? 3,
      config: {
        'retention.ms': String(Math.max(retentionMs, Number(known?.config['retention.ms'] ?? 0))),
        'min.insync.replicas': String(replication.minInsyncReplicas ?? 2),
      },
    });
  };
  for (const agent of agents) {
    const topic = agent.topic;
    if (!topic) continue;
    add(topic.topic, topic.partitions, topic.retention.millis);
    if (topic.deadLetter.enabled) {
      add(topic.deadLetter.topic, topic.partitions, DEAD_LETTER_TOPIC_RETENTION_MS);
    }
  }
  return [...topics.values()].sort((a, b) => a.name.localeCompare(b.name));
}

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
  /** Name of the topic: 1 to 249 letters, digits, `.`, `_` or `-`. */
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
    /** Dead-letter topic, created beside the topic. @default '<topic>.dlq' */
    readonly topic?: string;
  };
  /** How the agent consumes: its longest processing time. @default - 30 s processing time */
  readonly consumer?: {
    /** Longest time one record may take; sizes the graceful shutdown. @default 30s */
    readonly maxProcessingTime?: Duration;
  };
}

/** Topic binding with every default applied. */
export interface ResolvedTopicBinding {
  /** Name of a Kafka broker of the environment. */
  readonly broker: string;
  /** Name of the topic. */
  readonly topic: string;
  /** Consumer group of the agent's replicas (the agent's name unless set). */
  readonly consumerGroup: string;
  /** Partitions of the topic (the agent's maximum replicas, at least 3, unless set). */
  readonly partitions: number;
  /** How long records are kept (7 days unless set). */
  readonly retention: Duration;
  /** The dead-letter topic, or the reason dead-lettering is off. */
  readonly deadLetter:
    | { readonly enabled: true; readonly topic: string }
    | { readonly enabled: false; readonly reason: string };
  /** Longest time one record may take to process (30 s unless set). */
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

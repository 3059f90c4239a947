import type { KafkaTopicSpec } from './cloud-bindings';
import type { ResolvedAgent } from './resolve';

/** How the fleet replicates the topics it creates. */
export interface TopicReplication {
  /** Replication factor of each topic: how many brokers hold a copy of each partition. @default 3 */
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

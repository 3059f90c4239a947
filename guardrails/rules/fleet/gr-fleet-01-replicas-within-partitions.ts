import { COMPLIANT, GuardrailRule, RuleScope, violation } from '../../engine/types';
import {
  containersOf,
  envOf,
  field,
  int,
  manifestOf,
  manifests,
  many,
  topicJobs,
  workloadOf,
} from './support';

/** A topic's partitions as the site declares it, with where. */
interface DeclaredTopic {
  readonly partitions: number;
  readonly where: string;
  /**
   * Strimzi cluster name, to tell two clusters' topics apart.
   * @default - none: an event hub, a topic a Job creates, or a KafkaTopic without `strimzi.io/cluster`
   */
  readonly cluster?: string;
}

/** Every topic (Kafka topic or event hub) the site declares, by name. */
function declaredTopicsUncached(scope: RuleScope): Map<string, DeclaredTopic[]> {
  const topics = new Map<string, DeclaredTopic[]>();
  const add = (name: unknown, topic: DeclaredTopic) => {
    if (typeof name !== 'string') return;
    topics.set(name, [...(topics.get(name) ?? []), topic]);
  };
  for (const { resource, manifest } of manifests(scope, 'KafkaTopic')) {
    const partitions = int(manifest.spec?.partitions);
    if (partitions === undefined) continue;
    add(manifest.spec?.topicName ?? manifest.metadata?.name, {
      partitions,
      where: resource.path,
      cluster: manifest.metadata?.labels?.['strimzi.io/cluster'],
    });
  }
  for (const { job, topics: created } of topicJobs(scope)) {
    for (const topic of created) {
      if (topic.partitions !== undefined) {
        add(topic.name, { partitions: topic.partitions, where: job.path });
      }
    }
  }
  for (const hub of scope.ofType('azurerm_eventhub')) {
    const partitions = int(field(hub.attributes, 'partition_count'));
    if (partitions !== undefined) add(hub.attributes.name, { partitions, where: hub.path });
  }
  return topics;
}

/** {@link declaredTopicsUncached}, computed once per scope. */
function declaredTopics(scope: RuleScope): Map<string, DeclaredTopic[]> {
  return scope.memo('fleet:declaredTopics', () => declaredTopicsUncached(scope));
}

/** The topic a trigger consumes, and the bootstrap servers it reads, for kafka and Event Hubs triggers. */
function triggerTopic(trigger: any): { topic: string; bootstrap: string } | undefined {
  const metadata = trigger?.metadata ?? {};
  if (trigger?.type === 'kafka' && typeof metadata.topic === 'string' && metadata.topic !== '') {
    return { topic: metadata.topic, bootstrap: String(metadata.bootstrapServers ?? '') };
  }
  if (trigger?.type === 'azure-eventhub' && typeof metadata.eventHubName === 'string') {
    return { topic: metadata.eventHubName, bootstrap: '' };
  }
  return undefined;
}

/**
 * The topic the scaled workload itself reads (`FLEET_KAFKA_TOPIC`), for agents
 * that scale on another signal than lag (e.g. Prometheus on Event Hubs).
 */
function workloadTopic(
  scaledObject: any,
  scope: RuleScope,
): { topic: string; bootstrap: string } | undefined {
  const topics = scope.memo('fleet:workloadTopics', () => {
    const byWorkload = new Map<string, { topic: string; bootstrap: string }>();
    for (const resource of scope.resources) {
      const workload = workloadOf(resource);
      if (!workload) continue;
      for (const container of containersOf(workload.pod)) {
        const env = envOf(container);
        if (env.FLEET_KAFKA_TOPIC) {
          byWorkload.set(`${workload.namespace}/${workload.name}`, {
            topic: env.FLEET_KAFKA_TOPIC,
            bootstrap: env.FLEET_KAFKA_BOOTSTRAP_SERVERS ?? '',
          });
        }
      }
    }
    return byWorkload;
  });
  return topics.get(
    `${scaledObject.metadata?.namespace}/${scaledObject.spec?.scaleTargetRef?.name}`,
  );
}

/**
 * GR-FLEET-01: an agent's maximum replicas is at most its topic's partitions.
 * A consumer group gives each partition to one member, so replicas beyond the
 * partition count sit idle while still holding nodes, and KEDA's kafka scaler
 * caps its own target at the partition count (unless `allowIdleConsumers`)
 * while the ScaledObject's `maxReplicaCount`, fallback and other triggers do
 * not: the cap the operator reads is not the one that holds. Event Hubs assign
 * partitions the same way. The ScaledObject and the topic live in different
 * stacks (agents, platform, infra), so only the site-wide view sees both:
 * Strimzi `KafkaTopic` `spec.partitions`, the MSK topic Job's
 * `kafka-topics.sh --create --partitions`, and `azurerm_eventhub`
 * `partition_count`. The topic is the one its kafka trigger reads or, for an
 * agent scaled on another signal, the one its workload reads
 * (`FLEET_KAFKA_TOPIC`). A topic the site does not declare is not checked.
 * @see https://keda.sh/docs/latest/scalers/apache-kafka/ (allowIdleConsumers)
 * @see https://kafka.apache.org/documentation/#intro_concepts_and_terms (consumer groups)
 * @see https://learn.microsoft.com/azure/event-hubs/event-hubs-scalability#partitions
 */
export const replicasWithinPartitions: GuardrailRule = {
  id: 'GR-FLEET-01',
  level: 'error',
  summary: "A Kafka or Event Hubs consumer's maxReplicaCount is at most its topic's partitions",
  fix: "lower `agents.<agent>.scaling.maxReplicas` to the topic's partitions, or raise `agents.<agent>.topic.partitions` (partitions only grow)",
  appliesTo: ['kubernetes_manifest'],
  evaluate(resource, scope) {
    const manifest = manifestOf(resource);
    if (manifest?.kind !== 'ScaledObject') return 'not-applicable';
    const fromTriggers = many(manifest.spec?.triggers)
      .map(triggerTopic)
      .filter((topic) => topic !== undefined);
    const read = workloadTopic(manifest, scope);
    const consumed = fromTriggers.length > 0 ? fromTriggers : read ? [read] : [];
    if (consumed.length === 0) return 'not-applicable';
    const max = int(manifest.spec?.maxReplicaCount) ?? 100;
    const declared = declaredTopics(scope);
    const problems: string[] = [];
    let checked = false;
    for (const { topic, bootstrap } of consumed) {
      const candidates = declared.get(topic) ?? [];
      const sameCluster = candidates.filter(
        (candidate) => candidate.cluster && bootstrap.startsWith(`${candidate.cluster}-kafka-`),
      );
      const matches = sameCluster.length > 0 ? sameCluster : candidates;
      if (matches.length === 0) continue;
      checked = true;
      const fewest = matches.reduce((a, b) => (b.partitions < a.partitions ? b : a));
      if (max > fewest.partitions) {
        problems.push(
          `maxReplicaCount ${max} > ${fewest.partitions} partitions of topic '${topic}' (${fewest.where})`,
        );
      }
    }
    if (!checked) return 'not-applicable';
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

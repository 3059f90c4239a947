import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../../engine/types';
import { booleanOf, many, namespaceName, numberOf } from '../support/kubernetes';

const STRIMZI = 'kafka.strimzi.io/';

/** A Strimzi Kafka cluster's broker count and topic defaults, as the brokers apply them. */
interface ClusterView {
  readonly name: string;
  /** Broker count; 0 when it cannot be read. */
  readonly brokers: number;
  readonly config: Readonly<Record<string, unknown>>;
  readonly replicationFactor: number;
  readonly minInsync: number;
}

function strimzi(resource: ResourceView, kind: string): any {
  const manifest = resource.attributes.manifest;
  return manifest?.kind === kind && String(manifest.apiVersion).startsWith(STRIMZI)
    ? manifest
    : undefined;
}

function clusterOf(kafka: any, scope: RuleScope): ClusterView {
  const namespace = namespaceName(kafka.metadata?.namespace, scope);
  const pools = scope
    .ofType('kubernetes_manifest')
    .map((resource) => strimzi(resource, 'KafkaNodePool'))
    .filter(
      (pool) =>
        pool &&
        pool.metadata?.labels?.['strimzi.io/cluster'] === kafka.metadata?.name &&
        namespaceName(pool.metadata?.namespace, scope) === namespace &&
        many(pool.spec?.roles).includes('broker'),
    );
  const brokers =
    pools.length > 0
      ? pools.reduce((sum, pool) => sum + (numberOf(pool.spec?.replicas) ?? 0), 0)
      : (numberOf(kafka.spec?.kafka?.replicas) ?? 0);
  const config = kafka.spec?.kafka?.config ?? {};
  return {
    name: kafka.metadata?.name,
    brokers,
    config,
    // Kafka's own defaults.
    replicationFactor: numberOf(config['default.replication.factor']) ?? 1,
    minInsync: numberOf(config['min.insync.replicas']) ?? 1,
  };
}

/**
 * What a replica count and a min.insync.replicas get wrong: with acks=all, a
 * min ISR equal to the replica count stops producers on one broker's loss,
 * and a min ISR of 1 with three or more replicas acknowledges writes one
 * broker holds.
 */
function insyncProblems(what: string, replicas: number, minInsync: number): string[] {
  const problems: string[] = [];
  if (minInsync > Math.max(1, replicas - 1))
    problems.push(`${what} min.insync.replicas ${minInsync} with ${replicas} replica(s)`);
  if (replicas >= 3 && minInsync < 2)
    problems.push(`${what} min.insync.replicas ${minInsync} with ${replicas} replicas`);
  return problems;
}

function checkCluster(cluster: ClusterView): string[] {
  const { config, brokers, replicationFactor, minInsync } = cluster;
  const problems: string[] = [];
  if (brokers >= 3) {
    if (replicationFactor < 3)
      problems.push(`default.replication.factor ${replicationFactor} with ${brokers} brokers`);
    for (const key of [
      'offsets.topic.replication.factor',
      'transaction.state.log.replication.factor',
    ]) {
      const value = numberOf(config[key]) ?? 3;
      if (value < 3) problems.push(`${key} ${value} with ${brokers} brokers`);
    }
  }
  problems.push(...insyncProblems('default', replicationFactor, minInsync));
  const transactionRf = numberOf(config['transaction.state.log.replication.factor']) ?? 3;
  const transactionIsr = numberOf(config['transaction.state.log.min.isr']) ?? 2;
  if (brokers >= 3)
    problems.push(...insyncProblems('transaction log', transactionRf, transactionIsr));
  if (booleanOf(config['unclean.leader.election.enable']) === true)
    problems.push('unclean.leader.election.enable true');
  return problems;
}

/**
 * GR-DUR-04: Strimzi Kafka keeps acknowledged writes through one broker
 * loss. On a `Kafka` with three or more brokers (its broker KafkaNodePools'
 * replicas), `default.replication.factor` and the internal topics' factors
 * are ≥ 3; everywhere, `min.insync.replicas` is at most RF−1 (so one broker
 * loss does not stop producers) and ≥ 2 once RF ≥ 3; unclean leader election
 * stays off. A `KafkaTopic` is checked the same way, with its replicas (≥ 3
 * on three or more brokers) and its min.insync.replicas, falling back to its
 * cluster's defaults. A one-broker development cluster with RF 1 passes.
 * Producer `acks=all` is the client's and cannot be seen here.
 * @see Kafka design docs (replication, unclean leader election); Strimzi `kafka-persistent.yaml`;
 *   Kafka 3.0 notes (acks=all default); custom
 */
export const kafkaReplication: GuardrailRule = {
  id: 'GR-DUR-04',
  level: 'error',
  summary:
    'Strimzi Kafka and topics replicate to survive a broker loss without losing acked writes',
  fix: "no environment-file field: the fleet's Kafka with 3 or more brokers (`brokers.<broker>.inCluster.replicas`, MSK) replicates 3 ways with min.insync.replicas 2 and no unclean leader election; set the same on a Kafka of your own",
  appliesTo: ['kubernetes_manifest'],
  evaluate(resource, scope) {
    const kafka = strimzi(resource, 'Kafka');
    if (kafka) {
      const problems = checkCluster(clusterOf(kafka, scope));
      return problems.length === 0
        ? COMPLIANT
        : violation(`Kafka ${kafka.metadata?.name}: ${problems.join(', ')}`);
    }
    const topic = strimzi(resource, 'KafkaTopic');
    if (!topic) return 'not-applicable';
    const namespace = namespaceName(topic.metadata?.namespace, scope);
    const clusterName = topic.metadata?.labels?.['strimzi.io/cluster'];
    const clusterKafka = scope
      .ofType('kubernetes_manifest')
      .map((candidate) => strimzi(candidate, 'Kafka'))
      .find(
        (candidate) =>
          candidate &&
          candidate.metadata?.name === clusterName &&
          namespaceName(candidate.metadata?.namespace, scope) === namespace,
      );
    const cluster = clusterKafka ? clusterOf(clusterKafka, scope) : undefined;
    const replicas = numberOf(topic.spec?.replicas) ?? cluster?.replicationFactor;
    if (replicas === undefined) return 'not-applicable';
    const config = topic.spec?.config ?? {};
    const minInsync = numberOf(config['min.insync.replicas']) ?? cluster?.minInsync ?? 1;
    const problems = insyncProblems('topic', replicas, minInsync);
    if (cluster && cluster.brokers >= 3 && replicas < 3)
      problems.push(`${replicas} replica(s) with ${cluster.brokers} brokers`);
    if (booleanOf(config['unclean.leader.election.enable']) === true)
      problems.push('unclean.leader.election.enable true');
    return problems.length === 0
      ? COMPLIANT
      : violation(
          `KafkaTopic ${topic.spec?.topicName ?? topic.metadata?.name}: ${problems.join(', ')}`,
        );
  },
};

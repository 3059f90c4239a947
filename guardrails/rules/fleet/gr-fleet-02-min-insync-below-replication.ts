import { COMPLIANT, GuardrailRule, RuleScope, violation } from '../../engine/types';
import { field, int, manifestOf, manifests, properties, topicJobs } from './support';

/** Kafka's own default of `min.insync.replicas`. */
const KAFKA_DEFAULT_MIN_INSYNC = 1;

/**
 * A replication factor and the `min.insync.replicas` that goes with it: with
 * more than one replica, min ISR must be below it so one replica can be lost
 * without refusing `acks=all` writes; with one replica, min ISR must be 1.
 */
function problem(what: string, replication?: number, minInsync?: number): string | undefined {
  if (replication === undefined || minInsync === undefined) return undefined;
  if (minInsync < 1) return `${what}: min.insync.replicas ${minInsync} must be at least 1`;
  if (replication === 1) {
    return minInsync > 1
      ? `${what}: min.insync.replicas ${minInsync} > replication factor 1: every acks=all write fails`
      : undefined;
  }
  return minInsync >= replication
    ? `${what}: min.insync.replicas ${minInsync} >= replication factor ${replication}`
    : undefined;
}

/** Pairs of (replication factor, min ISR) keys of broker configuration. */
const BROKER_PAIRS: readonly (readonly [string, string])[] = [
  ['default.replication.factor', 'min.insync.replicas'],
  ['transaction.state.log.replication.factor', 'transaction.state.log.min.isr'],
];

function brokerProblems(config: Record<string, unknown>, what: string): string[] {
  return BROKER_PAIRS.map(([replication, minInsync]) =>
    problem(
      `${what} ${replication}/${minInsync}`,
      int(config[replication]),
      int(config[minInsync]),
    ),
  ).filter((found): found is string => found !== undefined);
}

/** `min.insync.replicas` of the MSK configurations in scope (the brokers' default). */
function mskMinInsync(scope: RuleScope): number | undefined {
  const values = scope
    .ofType('aws_msk_configuration')
    .map((configuration) =>
      int(properties(field(configuration.attributes, 'server_properties'))['min.insync.replicas']),
    )
    .filter((value): value is number => value !== undefined);
  return values.length > 0 ? Math.max(...values) : undefined;
}

/**
 * GR-FLEET-02: `min.insync.replicas` is below the replication factor, for
 * every topic and for the brokers' defaults. With `acks=all` (the producer
 * default since Kafka 3.0) a write needs min ISR replicas in sync: equal to
 * the replication factor, losing any one broker (a rolling upgrade, a node
 * drain) stops every acknowledged write to the topic. The topic's effective
 * value may come from the broker (a Strimzi `Kafka` CR in another stack, an
 * `aws_msk_configuration` in the infra stack), hence a site-wide check over
 * Strimzi `KafkaTopic`/`Kafka`, the MSK topic Job and MSK configurations.
 * A single-replica topic (a one-broker dev cluster) is held to min ISR 1;
 * its durability is GR-DUR-04's concern.
 * @see https://kafka.apache.org/documentation/#topicconfigs_min.insync.replicas
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-default-configuration.html
 * @see https://strimzi.io/docs/operators/latest/configuring.html#type-KafkaTopic-reference
 */
export const minInsyncBelowReplication: GuardrailRule = {
  id: 'GR-FLEET-02',
  level: 'error',
  summary:
    'Kafka min.insync.replicas is below the replication factor of every topic and broker default',
  fix: 'no environment-file field: the fleet sets min.insync.replicas to 2 with replication 3 on its Kafka clusters and topics; set it to the replication factor minus one on a Kafka of your own',
  appliesTo: [
    'kubernetes_manifest',
    'kubernetes_job_v1',
    'kubernetes_job',
    'aws_msk_configuration',
  ],
  evaluate(resource, scope) {
    if (resource.type === 'aws_msk_configuration') {
      const found = brokerProblems(
        properties(field(resource.attributes, 'server_properties')),
        'server_properties',
      );
      return found.length === 0 ? COMPLIANT : violation(found.join('; '));
    }
    const manifest = manifestOf(resource);
    if (manifest?.kind === 'Kafka') {
      const found = brokerProblems(manifest.spec?.kafka?.config ?? {}, 'spec.kafka.config');
      return found.length === 0 ? COMPLIANT : violation(found.join('; '));
    }
    if (manifest?.kind === 'KafkaTopic') {
      const clusterName = manifest.metadata?.labels?.['strimzi.io/cluster'];
      const cluster = manifests(scope, 'Kafka').find(
        ({ manifest: candidate }) =>
          candidate.metadata?.name === clusterName &&
          (candidate.metadata?.namespace ?? '') === (manifest.metadata?.namespace ?? ''),
      )?.manifest;
      const brokerConfig = cluster?.spec?.kafka?.config ?? {};
      const replication =
        int(manifest.spec?.replicas) ?? int(brokerConfig['default.replication.factor']);
      const minInsync =
        int(manifest.spec?.config?.['min.insync.replicas']) ??
        int(brokerConfig['min.insync.replicas']) ??
        KAFKA_DEFAULT_MIN_INSYNC;
      const name = manifest.spec?.topicName ?? manifest.metadata?.name;
      const found = problem(`topic '${name}'`, replication, minInsync);
      if (replication === undefined) return 'not-applicable';
      return found ? violation(found) : COMPLIANT;
    }
    const topics = topicJobs(scope).find(({ job }) => job === resource)?.topics;
    if (!topics) return 'not-applicable';
    const brokerDefault = mskMinInsync(scope) ?? KAFKA_DEFAULT_MIN_INSYNC;
    const found = topics
      .map((topic) =>
        problem(
          `topic '${topic.name}'`,
          topic.replicationFactor,
          int(topic.config['min.insync.replicas']) ?? brokerDefault,
        ),
      )
      .filter((entry): entry is string => entry !== undefined);
    return found.length === 0 ? COMPLIANT : violation(found.join('; '));
  },
};

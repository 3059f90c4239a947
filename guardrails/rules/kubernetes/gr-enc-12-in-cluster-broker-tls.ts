import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { booleanOf, helmValues, isChart, many } from '../support/kubernetes';

/**
 * GR-ENC-12: the in-cluster brokers and stores speak TLS. For the CockroachDB
 * Helm chart, `tls.enabled` is not overridden to false (the chart's default
 * is true); for a Strimzi `Kafka`, every listener has `tls: true`.
 *
 * A warning, not an error: the project's in-cluster Kafka deliberately uses a
 * plain internal listener, reachable only from the namespaces its
 * `networkPolicyPeers` name (the consumers and KEDA), so every site with
 * in-cluster Kafka would fail synth over a documented design choice. The
 * finding keeps the gap visible; a rule has one level, so CockroachDB's
 * check shares it. (RabbitMQ is a StatefulSet the project renders itself,
 * not a chart, and is not checked here.)
 * @see cockroachdb/helm-charts values.yaml (`tls.enabled: true`);
 *   Strimzi examples (`tls: true` listener); custom
 */
export const inClusterBrokerTls: GuardrailRule = {
  id: 'GR-ENC-12',
  level: 'warning',
  summary: 'In-cluster brokers use TLS: CockroachDB tls.enabled, Strimzi listeners tls',
  fix: "no environment-file field: the fleet's in-cluster Kafka listens in plain text inside the cluster, admitting only its consumers' and KEDA's namespaces, and CockroachDB keeps tls.enabled; suppress the finding for the Kafka with a written reason in `suppressions`",
  appliesTo: ['helm_release', 'kubernetes_manifest'],
  evaluate(resource) {
    if (resource.type === 'helm_release') {
      if (!isChart(resource, 'cockroachdb')) return 'not-applicable';
      const enabled = booleanOf(helmValues(resource).tls?.enabled);
      return enabled === false
        ? violation(`CockroachDB release ${resource.attributes.name} sets tls.enabled false`)
        : COMPLIANT;
    }
    const manifest = resource.attributes.manifest;
    if (manifest?.kind !== 'Kafka' || !String(manifest.apiVersion).startsWith('kafka.strimzi.io/'))
      return 'not-applicable';
    const plain = many(manifest.spec?.kafka?.listeners)
      .filter((listener) => booleanOf(listener?.tls) !== true)
      .map((listener) => `${listener?.name} (port ${listener?.port})`);
    if (plain.length === 0) return COMPLIANT;
    return violation(`Kafka ${manifest.metadata?.name} has plain listeners: ${plain.join(', ')}`);
  },
};

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { many, numberOf, scaledObjectOf } from '../support/kubernetes';

/** Trigger types KEDA refuses a fallback next to. */
const RESOURCE_TRIGGERS = ['cpu', 'memory'];

/**
 * GR-AS-06: a ScaledObject whose triggers read a broker or a metrics system
 * has a `fallback` (failureThreshold and replicas ≥ 1), so an outage of the
 * broker or of the metrics source holds the consumers at a safe count
 * instead of dropping them to the floor. KEDA refuses a fallback on a
 * ScaledObject with a cpu or memory trigger, so such ScaledObjects are not
 * applicable; it also requires every trigger to use `metricType:
 * AverageValue` (the default), which this rule checks. ScaledJobs have no
 * fallback.
 * @see keda-docs scaledobject-spec §fallback; KEDA `CheckFallbackValid`; KEDA e2e fallback tests
 */
export const kedaFallback: GuardrailRule = {
  id: 'GR-AS-06',
  level: 'error',
  summary: 'ScaledObjects on external triggers have a fallback',
  fix: 'leave `agents.<agent>.scaling.fallback` unset (half-way between the bounds) or set its replicas, or turn it off in writing with `agents.<agent>.scaling.fallback.enabled` false and a written `agents.<agent>.scaling.fallback.reason`; a ScaledObject of your own needs spec.fallback {failureThreshold, replicas, behavior: currentReplicasIfHigher} with AverageValue triggers',
  appliesTo: ['kubernetes_manifest'],
  evaluate(resource) {
    const scaledObject = scaledObjectOf(resource);
    if (!scaledObject) return 'not-applicable';
    const triggers = many(scaledObject.spec?.triggers);
    if (
      triggers.length === 0 ||
      triggers.some((trigger) => RESOURCE_TRIGGERS.includes(trigger?.type))
    )
      return 'not-applicable';
    const name = `ScaledObject ${scaledObject.metadata?.name}`;
    const problems: string[] = [];
    const fallback = scaledObject.spec?.fallback;
    if (!fallback) problems.push('no fallback');
    else {
      if (!((numberOf(fallback.failureThreshold) ?? 0) > 0))
        problems.push('no fallback.failureThreshold');
      if (!((numberOf(fallback.replicas) ?? 0) > 0)) problems.push('no fallback.replicas');
    }
    const notAverage = triggers
      .filter((trigger) => (trigger?.metricType ?? 'AverageValue') !== 'AverageValue')
      .map((trigger) => `${trigger.name ?? trigger.type} uses ${trigger.metricType}`);
    if (notAverage.length > 0)
      problems.push(`fallback needs AverageValue (${notAverage.join(', ')})`);
    if (problems.length === 0) return COMPLIANT;
    return violation(`${name}: ${problems.join(', ')}`);
  },
};

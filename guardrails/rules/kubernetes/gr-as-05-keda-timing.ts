import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { scaledObjectOf } from '../support/kubernetes';

/**
 * GR-AS-05: a ScaledObject states its `pollingInterval` and `cooldownPeriod`
 * rather than inheriting KEDA's defaults (30 s, 300 s), so the reaction time
 * of every agent is reviewable. (`cooldownPeriod` only governs scaling to
 * zero; 1↔N damping is GR-AS-04's `behavior`.) A warning: KEDA's defaults are
 * safe, an unstated value is a review gap rather than a hazard.
 * @see keda-docs scaledobject-spec (pollingInterval, cooldownPeriod); KEDA code defaults
 */
export const kedaTiming: GuardrailRule = {
  id: 'GR-AS-05',
  level: 'warning',
  summary: 'ScaledObjects set pollingInterval and cooldownPeriod explicitly',
  fix: 'no environment-file field: the fleet sets spec.pollingInterval and spec.cooldownPeriod on every ScaledObject (`agents.<agent>.scaling.pollingInterval` and `agents.<agent>.scaling.cooldownPeriod` change their values); set both on a ScaledObject of your own',
  appliesTo: ['kubernetes_manifest'],
  evaluate(resource) {
    const scaledObject = scaledObjectOf(resource);
    if (!scaledObject) return 'not-applicable';
    const missing = ['pollingInterval', 'cooldownPeriod'].filter(
      (field) => scaledObject.spec?.[field] === undefined,
    );
    if (missing.length === 0) return COMPLIANT;
    return violation(
      `ScaledObject ${scaledObject.metadata?.name} leaves ${missing.join(' and ')} to defaults`,
    );
  },
};

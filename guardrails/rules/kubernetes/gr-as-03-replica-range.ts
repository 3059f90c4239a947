import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { autoscalersOf } from '../support/kubernetes';

/**
 * GR-AS-03: an HPA or ScaledObject has room to scale (max > min), and an
 * always-on consumer keeps at least two replicas so one pod's loss or
 * eviction does not stop consumption. A minimum of 0 is scale-to-zero by
 * design and not flagged for the floor. A warning: the fleet legitimately
 * runs 1–2 replica agents and single-GPU sites (e.g. a local cluster capped
 * at one replica), and the API server itself rejects max < min.
 * @see kube-score `horizontalpodautoscaler-replicas`, Polaris hpaMinAvailability / hpaMaxAvailability
 */
export const replicaRange: GuardrailRule = {
  id: 'GR-AS-03',
  level: 'warning',
  summary: 'Autoscalers have max > min, and always-on consumers a minimum of 2',
  fix: 'set `agents.<agent>.scaling.maxReplicas` above `agents.<agent>.scaling.minReplicas`, and the minimum to 2 or more for an always-on consumer (0 scales to zero)',
  appliesTo: ['kubernetes_horizontal_pod_autoscaler_v2', 'kubernetes_manifest'],
  evaluate(resource, scope) {
    const autoscaler = autoscalersOf(scope).find((candidate) => candidate.resource === resource);
    if (!autoscaler) return 'not-applicable';
    const { minReplicas, maxReplicas } = autoscaler;
    const problems: string[] = [];
    if (maxReplicas <= minReplicas)
      problems.push(`max ${maxReplicas} is not above min ${minReplicas}`);
    if (minReplicas === 1) problems.push('a single always-on replica');
    if (problems.length === 0) return COMPLIANT;
    return violation(
      `${autoscaler.kind} ${autoscaler.namespace}/${autoscaler.targetName}: ${problems.join(', ')}`,
    );
  },
};

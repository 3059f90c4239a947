import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import {
  autoscalersOfWorkload,
  workloadLabel,
  workloadOf,
  WORKLOAD_TYPES,
} from '../support/kubernetes';

/**
 * GR-AS-01: a Deployment or StatefulSet that an HPA or a KEDA ScaledObject of
 * the site scales does not set `spec.replicas`; otherwise every apply resets
 * the autoscaler's count and the workload flaps.
 * @see kube-score `deployment-targeted-by-hpa-does-not-have-replicas-configured`;
 *   Kubernetes HPA docs (§Migrating Deployments and StatefulSets to horizontal autoscaling)
 */
export const noReplicasWhenAutoscaled: GuardrailRule = {
  id: 'GR-AS-01',
  level: 'error',
  summary: 'Autoscaled workloads do not set spec.replicas',
  fix: 'no environment-file field: the fleet never sets spec.replicas on a workload its HPA or ScaledObject scales; on a workload of your own, leave spec.replicas unset',
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource, scope) {
    const workload = workloadOf(resource);
    if (!workload?.longRunning) return 'not-applicable';
    const autoscalers = autoscalersOfWorkload(workload, scope);
    if (autoscalers.length === 0) return 'not-applicable';
    if (workload.replicas === undefined || workload.replicas === null) return COMPLIANT;
    return violation(
      `${workloadLabel(workload)} sets replicas ${workload.replicas} and is scaled by ${autoscalers
        .map((autoscaler) => autoscaler.resource.path)
        .join(', ')}`,
    );
  },
};

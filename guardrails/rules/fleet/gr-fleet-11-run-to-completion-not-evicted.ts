import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { POD_RESOURCE_TYPES, workloadOf } from './support';

/** The pod annotations each node autoscaler honours, with the value that keeps the pod. */
const KEEP: Readonly<Record<string, string>> = {
  'karpenter.sh/do-not-disrupt': 'true',
  'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
};

/**
 * GR-FLEET-11: run-to-completion work is not evicted by node consolidation.
 * A Job's pod that is evicted loses its work and starts over (or fails once
 * `backoffLimit` is spent); consolidation evicts exactly the pods of
 * half-empty nodes, which is where batch work lands at night. Karpenter skips
 * nodes running a pod annotated `karpenter.sh/do-not-disrupt: "true"`, the
 * cluster autoscaler one annotated
 * `cluster-autoscaler.kubernetes.io/safe-to-evict: "false"`. Both are
 * required on every CronJob and KEDA ScaledJob pod template, whichever node
 * autoscaler the site runs, so that moving an agent between sites (EKS with
 * either, AKS with the cluster autoscaler) does not change its safety.
 * @see https://karpenter.sh/docs/concepts/disruption/#pod-level-controls
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/FAQ.md#what-types-of-pods-can-prevent-ca-from-removing-a-node
 * @see https://keda.sh/docs/latest/concepts/scaling-jobs/
 */
export const runToCompletionNotEvicted: GuardrailRule = {
  id: 'GR-FLEET-11',
  level: 'error',
  summary:
    'CronJob and ScaledJob pods are annotated so neither Karpenter nor the cluster autoscaler evicts them',
  fix: 'no environment-file field: the fleet annotates the pods of scheduled and per-message agents so neither Karpenter nor the cluster autoscaler evicts them; annotate pods of your own karpenter.sh/do-not-disrupt: "true" and cluster-autoscaler.kubernetes.io/safe-to-evict: "false"',
  appliesTo: POD_RESOURCE_TYPES,
  evaluate(resource) {
    const workload = workloadOf(resource);
    if (!workload || !['CronJob', 'ScaledJob'].includes(workload.kind)) return 'not-applicable';
    const missing = Object.entries(KEEP)
      .filter(([key, value]) => String(workload.podAnnotations[key]) !== value)
      .map(([key, value]) => `${key}: "${value}"`);
    return missing.length === 0
      ? COMPLIANT
      : violation(`${workload.kind} ${workload.name} pod template lacks ${missing.join(', ')}`);
  },
};

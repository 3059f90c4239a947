import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import {
  autoscalersOfWorkload,
  isToken,
  namespaceName,
  numberOf,
  objectsOf,
  selectorMatches,
  workloadLabel,
  workloadOf,
  WORKLOAD_TYPES,
} from '../support/kubernetes';

/** How many pods a PDB value means out of `replicas`, rounding as the disruption controller does. */
function count(value: unknown, replicas: number, roundUp: boolean): number | undefined {
  if (typeof value === 'string' && value.endsWith('%')) {
    const share = (Number(value.slice(0, -1)) / 100) * replicas;
    return roundUp ? Math.ceil(share) : Math.floor(share);
  }
  return numberOf(value);
}

/**
 * Why a PDB allows no voluntary disruption at a replica floor, or undefined
 * when it allows at least one.
 */
function blocksDrains(spec: any, manifest: boolean, floor: number | undefined): string | undefined {
  const maxUnavailable = manifest ? spec.maxUnavailable : spec.max_unavailable;
  const minAvailable = manifest ? spec.minAvailable : spec.min_available;
  if (isToken(maxUnavailable) || isToken(minAvailable)) return undefined;
  if (maxUnavailable !== undefined) {
    // maxUnavailable percentages round up: any share above zero allows one pod.
    const allowed = count(maxUnavailable, floor ?? 1, true);
    return allowed !== undefined && allowed > 0 ? undefined : `maxUnavailable ${maxUnavailable}`;
  }
  if (minAvailable !== undefined) {
    // An autoscaled workload's minAvailable is GR-FLEET-07's: it compares it with the autoscaler's minimum.
    if (floor === undefined) return undefined;
    const kept = count(minAvailable, floor, true);
    return kept !== undefined && kept < floor
      ? undefined
      : `minAvailable ${minAvailable} with at least ${floor} replica(s)`;
  }
  return 'neither minAvailable nor maxUnavailable';
}

/**
 * GR-WL-08: every Deployment and StatefulSet has a PodDisruptionBudget of its
 * namespace selecting its pods, which allows at least one disruption: a
 * budget of zero, or `minAvailable` equal to the workload's replicas, blocks
 * every node drain. For an autoscaled workload, `minAvailable` against the
 * autoscaler's minimum is GR-FLEET-07's, so one defect is one finding.
 * @see kube-score `deployment-has-poddisruptionbudget`, `statefulset-has-poddisruptionbudget`,
 *   `poddisruptionbudget-has-policy`; Polaris missingPodDisruptionBudget,
 *   pdbDisruptionsIsZero, pdbMinAvailableGreaterThanHPAMinReplicas
 */
export const disruptionBudget: GuardrailRule = {
  id: 'GR-WL-08',
  level: 'error',
  summary: 'Every Deployment and StatefulSet has a PodDisruptionBudget allowing a disruption',
  fix: "no environment-file field: the fleet gives every agent's workload a PodDisruptionBudget of maxUnavailable: 1; add one to a workload of your own",
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource, scope) {
    const workload = workloadOf(resource);
    if (!workload?.longRunning) return 'not-applicable';
    const namespace = namespaceName(workload.namespace, scope);
    const budgets = objectsOf(
      scope,
      'kubernetes_pod_disruption_budget_v1',
      'PodDisruptionBudget',
    ).filter(
      (budget) =>
        budget.namespace === namespace && selectorMatchesBudget(budget, workload.podLabels),
    );
    if (budgets.length === 0)
      return violation(`no PodDisruptionBudget selects the pods of ${workloadLabel(workload)}`);
    const autoscaled = autoscalersOfWorkload(workload, scope).length > 0;
    const floor = autoscaled ? undefined : Math.max(1, numberOf(workload.replicas) ?? 1);
    const blocking = budgets
      .map((budget) => blocksDrains(budget.spec, budget.manifest, floor))
      .filter((reason): reason is string => reason !== undefined);
    if (blocking.length === 0) return COMPLIANT;
    return violation(
      `the PodDisruptionBudget of ${workloadLabel(workload)} allows no disruption (${blocking.join('; ')})`,
    );
  },
};

function selectorMatchesBudget(
  budget: ReturnType<typeof objectsOf>[number],
  labels: Readonly<Record<string, string>>,
): boolean {
  // A PDB without a selector selects nothing (policy/v1).
  if (budget.spec.selector === undefined) return false;
  return selectorMatches(budget.spec.selector, labels);
}

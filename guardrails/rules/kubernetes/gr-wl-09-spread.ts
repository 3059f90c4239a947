import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import {
  autoscalersOfWorkload,
  numberOf,
  workloadLabel,
  workloadOf,
  WORKLOAD_TYPES,
} from '../support/kubernetes';

const SPREAD_KEYS = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'];

/**
 * GR-WL-09: a Deployment or StatefulSet that can run more than one replica
 * (its replicas, or its autoscaler's maximum) spreads them over nodes or
 * zones, with a topology spread constraint or pod anti-affinity on
 * `kubernetes.io/hostname` or `topology.kubernetes.io/zone`, so one node or
 * zone loss does not take every replica. A warning: the fleet legitimately
 * runs one- and two-replica agents (and small edge sites), where spreading
 * buys little; the catalogue's "replicas ≥ 2" is GR-AS-03's warning.
 * @see kube-score `deployment-has-host-podantiaffinity`, `pod-topology-spread-constraints`;
 *   Polaris deploymentMissingReplicas, topologySpreadConstraint
 */
export const spread: GuardrailRule = {
  id: 'GR-WL-09',
  level: 'warning',
  summary: 'Workloads with more than one replica spread over nodes or zones',
  fix: "no environment-file field: the fleet spreads every agent's replicas softly over zones and nodes; add a topology spread constraint on topology.kubernetes.io/zone or kubernetes.io/hostname to a workload of your own",
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource, scope) {
    const workload = workloadOf(resource);
    if (!workload?.longRunning) return 'not-applicable';
    const autoscalers = autoscalersOfWorkload(workload, scope);
    const most =
      autoscalers.length > 0
        ? Math.max(...autoscalers.map((autoscaler) => autoscaler.maxReplicas))
        : (numberOf(workload.replicas) ?? 1);
    if (most <= 1) return 'not-applicable';
    if (workload.spreadKeys.some((key) => SPREAD_KEYS.includes(key))) return COMPLIANT;
    return violation(
      `${workloadLabel(workload)} runs up to ${most} replicas without spreading them`,
    );
  },
};

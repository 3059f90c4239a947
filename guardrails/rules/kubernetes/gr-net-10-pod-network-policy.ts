import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import {
  many,
  namespaceName,
  objectsOf,
  selectorMatches,
  workloadLabel,
  workloadOf,
  WORKLOAD_TYPES,
} from '../support/kubernetes';

/**
 * GR-NET-10: every pod is selected by NetworkPolicies of its namespace that
 * isolate it for both ingress and egress, so agents and brokers reach only
 * what their policies allow. Policies without `policy_types` count as the API
 * server defaults them: Ingress, plus Egress when they have egress rules.
 * @see Checkov CKV2_K8S_6, kube-score `pod-networkpolicy` / `networkpolicy-targets-pod`,
 *   Polaris missingNetworkPolicy, Trivy KSV-0038
 */
export const podNetworkPolicy: GuardrailRule = {
  id: 'GR-NET-10',
  level: 'error',
  summary: 'Every pod is selected by a NetworkPolicy with Ingress and Egress policy types',
  fix: "no environment-file field: the fleet selects every agent's pods with a NetworkPolicy of Ingress and Egress types; select the pods of a workload of your own the same way",
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource, scope) {
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    const namespace = namespaceName(workload.namespace, scope);
    const selecting = objectsOf(scope, 'kubernetes_network_policy_v1', 'NetworkPolicy').filter(
      (policy) =>
        policy.namespace === namespace &&
        selectorMatches(
          policy.manifest ? policy.spec.podSelector : policy.spec.pod_selector,
          workload.podLabels,
        ),
    );
    if (selecting.length === 0)
      return violation(`no NetworkPolicy selects the pods of ${workloadLabel(workload)}`);
    const types = new Set<string>();
    for (const policy of selecting) {
      const declared = many(policy.manifest ? policy.spec.policyTypes : policy.spec.policy_types);
      if (declared.length > 0) declared.forEach((type) => types.add(String(type)));
      else {
        types.add('Ingress');
        if (many(policy.spec.egress).length > 0) types.add('Egress');
      }
    }
    const missing = ['Ingress', 'Egress'].filter((type) => !types.has(type));
    if (missing.length === 0) return COMPLIANT;
    return violation(
      `the policies selecting ${workloadLabel(workload)} do not isolate ${missing.join(' or ')}`,
    );
  },
};

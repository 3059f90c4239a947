import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { namespaceName, workloadLabel, workloadOf, WORKLOAD_TYPES } from '../support/kubernetes';

/**
 * GR-WL-10: no workload runs in the `default` namespace (named, or by leaving
 * the namespace out), where network policies, quotas and RBAC are not scoped
 * to it. A namespace given as a reference to a `kubernetes_namespace_v1` of
 * the site is resolved to that namespace's name.
 * @see Checkov CKV_K8S_21, Trivy KSV-0110
 */
export const noDefaultNamespace: GuardrailRule = {
  id: 'GR-WL-10',
  level: 'error',
  summary: 'No workload runs in the default namespace',
  fix: "set `agents.<agent>.isolation.namespace` to a namespace of the agents, or leave it unset for one of the agent's own; render a workload of your own outside the default namespace",
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource, scope) {
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    if (namespaceName(workload.namespace, scope) !== 'default') return COMPLIANT;
    return violation(`${workloadLabel(workload)} is in the default namespace`);
  },
};

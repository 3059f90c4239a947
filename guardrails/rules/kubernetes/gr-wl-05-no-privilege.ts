import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { workloadLabel, workloadOf, WORKLOAD_TYPES } from '../support/kubernetes';

/** Capabilities that amount to host control when added back. */
const DANGEROUS = ['ALL', 'SYS_ADMIN', 'NET_ADMIN', 'NET_RAW', 'SYS_PTRACE', 'SYS_MODULE'];

/**
 * GR-WL-05: no container is privileged or may escalate privileges
 * (`allowPrivilegeEscalation: false` stated, since the API's default is
 * true), and every container drops ALL capabilities without adding back a
 * dangerous one.
 * @see Checkov CKV_K8S_16/20/28/37, Polaris privilegeEscalationAllowed /
 *   runAsPrivileged / dangerousCapabilities, Trivy KSV-0001/0003/0017
 */
export const noPrivilege: GuardrailRule = {
  id: 'GR-WL-05',
  level: 'error',
  summary: 'Containers are not privileged, cannot escalate privileges and drop ALL capabilities',
  fix: "no environment-file field: the fleet's containers are unprivileged, cannot escalate and drop ALL capabilities; set privileged: false, allowPrivilegeEscalation: false and capabilities.drop: [ALL] on a container of your own",
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource) {
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    const problems = workload.containers.flatMap((container) => {
      const security = container.security;
      const gaps: string[] = [];
      if (security.privileged === true) gaps.push('privileged');
      if (security.allowPrivilegeEscalation !== false) gaps.push('privilege escalation allowed');
      if (!security.drop.includes('ALL')) gaps.push('does not drop ALL capabilities');
      const added = security.add.filter((cap) => DANGEROUS.includes(cap.replace(/^CAP_/, '')));
      if (added.length > 0) gaps.push(`adds ${added.join(', ')}`);
      return gaps.length > 0 ? [`${container.name}: ${gaps.join(', ')}`] : [];
    });
    if (problems.length === 0) return COMPLIANT;
    return violation(`${workloadLabel(workload)}: ${problems.join('; ')}`);
  },
};

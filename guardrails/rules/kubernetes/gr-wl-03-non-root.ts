import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import {
  effectiveSecurity,
  workloadLabel,
  workloadOf,
  WORKLOAD_TYPES,
} from '../support/kubernetes';

const MIN_ID = 10000;

/**
 * GR-WL-03: every container runs with `runAsNonRoot: true` and a UID (and GID,
 * when set) of at least 10000, above the IDs a node's own users have, with
 * the pod's security context as the default for its containers.
 * @see Checkov CKV_K8S_23/40, kube-score `container-security-context-user-group-id`,
 *   Polaris runAsRootAllowed, Trivy KSV-0012/0020/0021
 */
export const nonRoot: GuardrailRule = {
  id: 'GR-WL-03',
  level: 'error',
  summary: 'Containers run as non-root with a UID and GID of at least 10000',
  fix: 'no environment-file field: the fleet runs every container non-root as UID 10001; set runAsNonRoot: true and runAsUser/runAsGroup >= 10000 on a pod of your own',
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource) {
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    const problems = workload.containers.flatMap((container) => {
      const security = effectiveSecurity(workload, container);
      const gaps: string[] = [];
      if (security.runAsNonRoot !== true) gaps.push('runAsNonRoot not true');
      if (security.runAsUser === undefined) gaps.push('no runAsUser');
      else if (security.runAsUser < MIN_ID) gaps.push(`runAsUser ${security.runAsUser}`);
      if (security.runAsGroup !== undefined && security.runAsGroup < MIN_ID)
        gaps.push(`runAsGroup ${security.runAsGroup}`);
      return gaps.length > 0 ? [`${container.name}: ${gaps.join(', ')}`] : [];
    });
    if (problems.length === 0) return COMPLIANT;
    return violation(`${workloadLabel(workload)}: ${problems.join('; ')}`);
  },
};

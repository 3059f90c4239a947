import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { workloadLabel, workloadOf, WORKLOAD_TYPES } from '../support/kubernetes';

/**
 * GR-WL-04: every container's root filesystem is read-only; scratch space is
 * an emptyDir volume with a size limit.
 * @see Checkov CKV_K8S_22, kube-score `container-security-context-readonlyrootfilesystem`,
 *   Polaris notReadOnlyRootFilesystem, Trivy KSV-0014
 */
export const readOnlyRoot: GuardrailRule = {
  id: 'GR-WL-04',
  level: 'error',
  summary: 'Containers have a read-only root filesystem',
  fix: "no environment-file field: the fleet's containers have a read-only root filesystem with an emptyDir at /tmp; set readOnlyRootFilesystem: true and mount an emptyDir for scratch on a container of your own",
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource) {
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    const writable = workload.containers
      .filter((container) => container.security.readOnlyRootFilesystem !== true)
      .map((container) => container.name);
    if (writable.length === 0) return COMPLIANT;
    return violation(
      `${workloadLabel(workload)}: writable root filesystem in ${writable.join(', ')}`,
    );
  },
};

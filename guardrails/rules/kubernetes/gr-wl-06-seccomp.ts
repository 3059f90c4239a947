import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import {
  effectiveSecurity,
  workloadLabel,
  workloadOf,
  WORKLOAD_TYPES,
} from '../support/kubernetes';

/** Profiles that filter syscalls; `Unconfined` (or none) does not. */
const FILTERING = ['RuntimeDefault', 'Localhost'];

/**
 * GR-WL-06: every container runs under a seccomp profile, RuntimeDefault (or
 * a stricter Localhost profile), set on the pod or the container.
 * @see Checkov CKV_K8S_31, kube-score `container-seccomp-profile`,
 *   Polaris linuxHardening, Trivy KSV-0030
 */
export const seccomp: GuardrailRule = {
  id: 'GR-WL-06',
  level: 'error',
  summary: 'Containers run under the RuntimeDefault seccomp profile',
  fix: "no environment-file field: the fleet's pods run under the RuntimeDefault seccomp profile; set securityContext.seccompProfile.type: RuntimeDefault on a pod of your own",
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource) {
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    const unfiltered = workload.containers
      .filter(
        (container) =>
          !FILTERING.includes(effectiveSecurity(workload, container).seccompType ?? ''),
      )
      .map((container) => container.name);
    if (unfiltered.length === 0) return COMPLIANT;
    return violation(`${workloadLabel(workload)}: no seccomp profile on ${unfiltered.join(', ')}`);
  },
};

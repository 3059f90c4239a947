import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { workloadLabel, workloadOf, WORKLOAD_TYPES } from '../support/kubernetes';

/**
 * GR-WL-02: every container of a long-running workload (Deployment,
 * StatefulSet) has a readiness and a liveness probe, and they differ: an
 * identical pair restarts a pod that is merely busy instead of taking it out
 * of rotation. Jobs, CronJobs and ScaledJobs run to completion and are not
 * applicable; init containers are not probed. Whether a probe depends on a
 * downstream system cannot be seen at synth.
 * @see Checkov CKV_K8S_8/9, kube-score `pod-probes` / `pod-probes-identical`,
 *   Polaris readinessProbeMissing / livenessProbeMissing
 */
export const probes: GuardrailRule = {
  id: 'GR-WL-02',
  level: 'error',
  summary: 'Long-running containers have distinct readiness and liveness probes',
  fix: 'give `agents.<agent>.container.probes` a readiness probe and a different liveness probe; a container of your own needs both as well',
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource) {
    const workload = workloadOf(resource);
    if (!workload?.longRunning) return 'not-applicable';
    const problems = workload.containers
      .filter((container) => !container.init)
      .flatMap((container) => {
        if (!container.readinessProbe) return [`${container.name} has no readiness probe`];
        if (!container.livenessProbe) return [`${container.name} has no liveness probe`];
        return JSON.stringify(container.readinessProbe) === JSON.stringify(container.livenessProbe)
          ? [`${container.name} has identical readiness and liveness probes`]
          : [];
      });
    if (problems.length === 0) return COMPLIANT;
    return violation(`${workloadLabel(workload)}: ${problems.join('; ')}`);
  },
};

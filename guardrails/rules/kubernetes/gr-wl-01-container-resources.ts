import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { workloadLabel, workloadOf, WORKLOAD_TYPES } from '../support/kubernetes';

const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/**
 * GR-WL-01: every container, init containers included, requests and limits
 * cpu, memory and ephemeral-storage: the HPA and KEDA's cpu/memory triggers
 * need requests, the scheduler packs by them, and limits keep a noisy agent
 * from starving or evicting its neighbours.
 * @see Checkov CKV_K8S_10–13, kube-score `container-resources` /
 *   `container-ephemeral-storage-request-and-limit`, Polaris cpu/memory
 *   Requests/LimitsMissing, Trivy KSV-0011/0015/0016/0018
 */
export const containerResources: GuardrailRule = {
  id: 'GR-WL-01',
  level: 'error',
  summary: 'Every container requests and limits cpu, memory and ephemeral-storage',
  fix: 'no environment-file field: the fleet sets requests and limits for cpu, memory and ephemeral storage on every container (`agents.<agent>.resources` changes their values); set all three on a container of your own',
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource) {
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    const missing = workload.containers.flatMap((container) => {
      const gaps = [
        ...RESOURCES.filter((name) => container.requests[name] === undefined).map(
          (name) => `requests.${name}`,
        ),
        ...RESOURCES.filter((name) => container.limits[name] === undefined).map(
          (name) => `limits.${name}`,
        ),
      ];
      return gaps.length > 0 ? [`${container.name}: ${gaps.join(', ')}`] : [];
    });
    if (missing.length === 0) return COMPLIANT;
    return violation(`${workloadLabel(workload)} misses ${missing.join('; ')}`);
  },
};

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { one, workloadLabel, workloadOf, WORKLOAD_TYPES } from '../support/kubernetes';

const EXPOSED_SERVICE_TYPES = ['NodePort', 'LoadBalancer'];

/**
 * GR-NET-11: nothing is exposed at node level: pods use neither the host's
 * network, PID or IPC namespaces nor host ports, and Services are neither
 * NodePort nor LoadBalancer (the fleet's brokers and agents are reached
 * inside the cluster only).
 * @see Checkov CKV_K8S_17/18/19/26, kube-score `service-type`,
 *   Polaris hostNetworkSet / hostPIDSet / hostIPCSet / hostPortSet,
 *   Trivy KSV-0008/0009/0010/0024
 */
export const noHostExposure: GuardrailRule = {
  id: 'GR-NET-11',
  level: 'error',
  summary: 'No hostNetwork, hostPID, hostIPC or hostPort; no NodePort or LoadBalancer Service',
  fix: "no environment-file field: the fleet's pods use no host namespace or port and its Services are ClusterIP; do the same on a workload or Service of your own",
  appliesTo: [...WORKLOAD_TYPES, 'kubernetes_service_v1'],
  evaluate(resource) {
    if (
      resource.type === 'kubernetes_service_v1' ||
      resource.attributes.manifest?.kind === 'Service'
    ) {
      const spec = one(resource.attributes.manifest?.spec ?? resource.attributes.spec) ?? {};
      const type = spec.type ?? 'ClusterIP';
      return EXPOSED_SERVICE_TYPES.includes(type) ? violation(`Service type ${type}`) : COMPLIANT;
    }
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    const problems = [
      ...(workload.hostNetwork ? ['hostNetwork'] : []),
      ...(workload.hostPID ? ['hostPID'] : []),
      ...(workload.hostIPC ? ['hostIPC'] : []),
      ...workload.containers
        .filter((container) => container.hostPorts.length > 0)
        .map((container) => `hostPort ${container.hostPorts.join(', ')} on ${container.name}`),
    ];
    if (problems.length === 0) return COMPLIANT;
    return violation(`${workloadLabel(workload)} uses ${problems.join(', ')}`);
  },
};

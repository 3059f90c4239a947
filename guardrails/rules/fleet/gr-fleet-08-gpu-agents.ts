import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import {
  GPU_TAINT_KEY,
  gpuPools,
  hasCloudPools,
  POD_RESOURCE_TYPES,
  podPools,
  requestedUnits,
  tolerates,
  tolerationsOf,
  workloadOf,
} from './support';

/**
 * GR-FLEET-08: GPU agents request GPUs and tolerate the pool's taint. A pod
 * placed on a GPU pool (required affinity on `agent-fleet.dev/pool`) that
 * does not tolerate the pool's `nvidia.com/gpu` taint never schedules (and,
 * with pools that scale from zero, the cluster autoscaler does not scale the
 * pool up for it); one that tolerates it but requests no `nvidia.com/gpu`
 * schedules there without a device, the NVIDIA runtime exposes no GPU to it,
 * and it holds an expensive node a GPU agent needs. A pod that requests GPUs
 * must be placed on a GPU pool and tolerate it. The taint is declared on the
 * node group or AKS pool in the infra stack, the pod in the agents stack, so
 * this is a site-wide check; on clusters the user runs (no pool resources in
 * scope) a pool counts as a GPU pool when a pod placed there tolerates the
 * GPU taint, and GPU agents must then request GPUs.
 * @see https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/
 * @see https://docs.aws.amazon.com/eks/latest/userguide/node-taints-managed-node-groups.html
 * @see https://learn.microsoft.com/azure/aks/gpu-cluster#use-kubernetes-taints-and-tolerations
 */
export const gpuAgents: GuardrailRule = {
  id: 'GR-FLEET-08',
  level: 'error',
  summary: "Pods placed on GPU pools request nvidia.com/gpu and tolerate the pools' GPU taint",
  fix: 'no environment-file field: the fleet gives an agent with `agents.<agent>.resources.gpu` the nvidia.com/gpu request and toleration, and keeps GPU pools for such agents; a pod of your own on GPU pools must request nvidia.com/gpu, tolerate the taint and avoid other pools',
  appliesTo: POD_RESOURCE_TYPES,
  evaluate(resource, scope) {
    const workload = workloadOf(resource);
    if (!workload || workload.kind === 'DaemonSet') return 'not-applicable';
    const gpus = requestedUnits(workload.pod, GPU_TAINT_KEY);
    const placed = podPools(workload.pod);
    const gpuByName = new Map(gpuPools(scope).map((pool) => [pool.name, pool]));
    const onGpu = (placed ?? []).filter((name) => gpuByName.has(name));
    if (onGpu.length === 0 && gpus === 0) return 'not-applicable';
    const tolerations = tolerationsOf(workload.pod);
    const problems: string[] = [];
    if (onGpu.length > 0 && gpus === 0) {
      problems.push(`placed on GPU pool(s) ${onGpu.join(', ')} without requesting nvidia.com/gpu`);
    }
    for (const name of onGpu) {
      const { taint } = gpuByName.get(name)!;
      if (!tolerations.some((toleration) => tolerates(toleration, taint))) {
        problems.push(
          `does not tolerate ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect} of pool ${name}`,
        );
      }
    }
    if (gpus > 0 && onGpu.length === 0 && hasCloudPools(scope)) {
      problems.push(
        `requests ${gpus} nvidia.com/gpu but is placed on no GPU pool (${placed ? placed.join(', ') : 'any pool'})`,
      );
    }
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

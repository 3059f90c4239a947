import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import {
  chartOf,
  gpuPools,
  helmValues,
  podPools,
  POOL_LABEL,
  tolerates,
  tolerationsOf,
} from './support';

/** GPU charts and where their DaemonSets' scheduling values live. */
const GPU_CHARTS: Readonly<Record<string, (values: any) => any>> = {
  'nvidia-device-plugin': (values) => values,
  'gpu-operator': (values) => values.daemonsets,
};

/**
 * GR-FLEET-09: GPU daemon sets tolerate the GPU taint too. The NVIDIA device
 * plugin is what advertises `nvidia.com/gpu` on a node; if its DaemonSet does
 * not tolerate the pools' `nvidia.com/gpu` taint it never runs on GPU nodes,
 * the nodes show no allocatable GPU and every GPU agent stays Pending (and a
 * scale-from-zero pool is scaled up and down again for nothing). The chart's
 * own default tolerates the taint, but values that set `tolerations` replace
 * the list, and an affinity that leaves out a GPU pool has the same effect.
 * The taint is declared on the node groups (infra stack), the release in the
 * platform stack: a site-wide check, applied when the site has GPU pools.
 * @see https://github.com/NVIDIA/k8s-device-plugin/blob/main/deployments/helm/nvidia-device-plugin/values.yaml
 * @see https://docs.nvidia.com/datacenter/cloud-native/gpu-operator/latest/getting-started.html
 */
export const gpuDaemonSets: GuardrailRule = {
  id: 'GR-FLEET-09',
  level: 'error',
  summary: "The NVIDIA device plugin's DaemonSet tolerates and reaches every GPU pool of the site",
  fix: "no environment-file field: the fleet runs NVIDIA's device plugin on every GPU pool of `sites.<site>.nodePools`, tolerating their taints; add a toleration of nvidia.com/gpu (operator Exists) and every GPU pool to a release of your own",
  appliesTo: ['helm_release'],
  evaluate(release, scope) {
    const chart = chartOf(release);
    const select = GPU_CHARTS[chart];
    if (!select) return 'not-applicable';
    const pools = gpuPools(scope);
    if (pools.length === 0) return 'not-applicable';
    const values = select(helmValues(release)) ?? {};
    const problems: string[] = [];
    // Unset tolerations keep the chart's default, which tolerates nvidia.com/gpu.
    if (values.tolerations !== undefined) {
      const tolerations = tolerationsOf(values);
      for (const pool of pools) {
        if (!tolerations.some((toleration) => tolerates(toleration, pool.taint))) {
          problems.push(
            `tolerations do not tolerate ${pool.taint.key}:${pool.taint.effect} of pool ${pool.name}`,
          );
        }
      }
    }
    const admitted = podPools(values);
    if (admitted) {
      const left = pools.filter((pool) => !admitted.includes(pool.name)).map((pool) => pool.name);
      if (left.length > 0)
        problems.push(`affinity on ${POOL_LABEL} leaves out GPU pool(s) ${left.join(', ')}`);
    }
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

import { Release } from '@cdktf/provider-helm/lib/release';
import { Construct } from 'constructs';
import { NodePoolSpec, tolerationsFor } from '../../../model';
import { poolNodeAffinity, tolerationsOf } from '../core/pod-plan';
import { CHARTS } from './charts';

/** Props of {@link GpuDevicePlugin}. */
export interface GpuDevicePluginProps {
  /** Namespace of the device plugin's release. */
  readonly namespace: string;
  /** The site's pools with GPUs; the daemon runs there only and tolerates their taints. */
  readonly pools: readonly NodePoolSpec[];
}

/**
 * NVIDIA's device plugin on the GPU pools, so their nodes advertise
 * `nvidia.com/gpu`. It tolerates exactly the taints of those pools and is kept
 * off every other node by the pool label.
 * @see https://github.com/NVIDIA/k8s-device-plugin
 */
export class GpuDevicePlugin extends Construct {
  constructor(scope: Construct, id: string, props: GpuDevicePluginProps) {
    super(scope, id);
    const tolerations = tolerationsOf(tolerationsFor(props.pools));
    new Release(this, 'Resource', {
      name: 'nvidia-device-plugin',
      namespace: props.namespace,
      ...CHARTS.nvidiaDevicePlugin,
      atomic: true,
      values: [
        JSON.stringify({
          tolerations,
          affinity: { nodeAffinity: poolNodeAffinity(props.pools.map((pool) => pool.name)) },
        }),
      ],
    });
  }
}

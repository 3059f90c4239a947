import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import { Construct } from 'constructs';
import {
  azureNodePoolProblems,
  azurePoolTaints,
  DEFAULT_AZURE_ZONES,
  DEFAULT_OS_DISK_SIZE,
  NodePoolSpec,
  POOL_LABEL,
  Size,
  Taint,
  ValidationError,
} from '../../model';
import { IAksCluster } from './aks-cluster';
import { AZURE_MANAGED_BY_TAG } from './provider';

/** The label AKS puts on every node of a spot pool. */
export const AKS_SPOT_LABEL = { 'kubernetes.azure.com/scalesetpriority': 'spot' } as const;

/** A node pool on AKS: what its nodes offer plus the machines and bounds that make it. */
export interface AksNodePoolSpec extends NodePoolSpec {
  /**
   * Pool name: 1 to 12 lowercase letters or digits, starting with a letter (AKS's
   * rule for Linux pools), e.g. `general`.
   */
  readonly name: string;
  /** VM size, e.g. `Standard_D4ds_v5`, `Standard_NC4as_T4_v3` for a GPU pool. */
  readonly vmSize: string;
  /** Fewest nodes; 0 lets the cluster autoscaler empty the pool. */
  readonly minCount: number;
  /** Most nodes, 1 to 1000. */
  readonly maxCount: number;
  /** Zones the pool spreads over. @default ['1', '2', '3'] */
  readonly zones?: readonly string[];
  /** OS disk of a node, a whole number of GiB, 30 to 2048. @default 128 GiB */
  readonly diskSize?: Size;
}

/** Props of {@link AksNodePool}. */
export interface AksNodePoolProps {
  /** The cluster the pool joins. */
  readonly cluster: IAksCluster;
  /** Subnet of the nodes, usually the cluster's node subnet. */
  readonly subnetId: string;
  /** What the pool's nodes offer, their VM size and bounds. */
  readonly pool: AksNodePoolSpec;
  /**
   * Tags of the pool's scale set; the fleet's `managed-by` tag is added.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A taint as AKS writes it: `key=value:Effect`, or `key:Effect` without a value. */
export function formatAksTaint(taint: Taint): string {
  return `${taint.key}${taint.value === undefined ? '' : `=${taint.value}`}:${taint.effect}`;
}

/**
 * An AKS user node pool for one pool of a site, autoscaled by AKS's cluster
 * autoscaler:
 * - Azure Linux nodes with host encryption (GR-ENC-08) and no public IPs (GR-NET-07);
 * - labels: the pool's plus {@link POOL_LABEL}; taints: {@link azurePoolTaints};
 * - spot pools: `Spot` priority, evicted nodes deleted, paying at most the on-demand
 *   price (`spot_max_price = -1`). AKS gives their nodes {@link AKS_SPOT_LABEL} and
 *   {@link AKS_SPOT_TAINT} on its own; both are declared here too, as the azurerm
 *   documentation asks, since a pool whose declared taints and labels differ from
 *   what AKS reports shows a difference on every plan (hashicorp/terraform-provider-azurerm#25615),
 *   and a change of them replaces the pool;
 * - Terraform ignores the node count once the pool exists.
 * @see https://learn.microsoft.com/azure/aks/create-node-pools
 * @see https://learn.microsoft.com/azure/aks/spot-node-pool
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs/resources/kubernetes_cluster_node_pool
 */
export class AksNodePool extends Construct {
  /** The resource id of the node pool. */
  readonly id: string;
  /** The name of the node pool: the pool's name. */
  readonly poolName: string;
  /** Labels every node carries, including those AKS sets on spot nodes. */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints every node carries. */
  readonly taints: readonly Taint[];

  constructor(scope: Construct, id: string, props: AksNodePoolProps) {
    super(scope, id);
    const { pool } = props;
    const problems = azureNodePoolProblems(pool);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const spot = (pool.capacity ?? 'on-demand') === 'spot';
    this.labels = { ...pool.labels, [POOL_LABEL]: pool.name, ...(spot ? AKS_SPOT_LABEL : {}) };
    this.taints = azurePoolTaints(pool);

    const resource = new KubernetesClusterNodePool(this, 'Resource', {
      name: pool.name,
      kubernetesClusterId: props.cluster.id,
      mode: 'User',
      vmSize: pool.vmSize,
      // Changing host encryption, size or zones cycles the pool through this one.
      temporaryNameForRotation: `${pool.name.slice(0, 9)}tmp`,
      osType: 'Linux',
      osSku: 'AzureLinux',
      osDiskSizeGb: (pool.diskSize ?? DEFAULT_OS_DISK_SIZE).toMebibytes() / 1024,
      hostEncryptionEnabled: true,
      nodePublicIpEnabled: false,
      autoScalingEnabled: true,
      minCount: pool.minCount,
      maxCount: pool.maxCount,
      nodeCount: pool.minCount,
      zones: [...(pool.zones ?? DEFAULT_AZURE_ZONES)],
      vnetSubnetId: props.subnetId,
      nodeLabels: { ...this.labels },
      nodeTaints: this.taints.length > 0 ? this.taints.map(formatAksTaint) : undefined,
      priority: spot ? 'Spot' : 'Regular',
      evictionPolicy: spot ? 'Delete' : undefined,
      spotMaxPrice: spot ? -1 : undefined,
      tags: { ...props.tags, ...AZURE_MANAGED_BY_TAG },
      // The cluster autoscaler owns the node count.
      lifecycle: { ignoreChanges: ['node_count'] },
    });
    this.id = resource.id;
    this.poolName = resource.name;
  }
}

import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import { Construct } from 'constructs';
import {
  azurePoolTaints,
  NodePoolSpec,
  POOL_LABEL,
  Problem,
  Size,
  Taint,
  ValidationError,
  nodePoolProblems,
  azurePoolMachineProblems,
} from '../model';
import { IAksCluster, validateOsDisk } from './aks-cluster';
import { azureZoneProblems, DEFAULT_AZURE_ZONES } from './zones';
import { AZURE_MANAGED_BY_TAG } from './provider';

/** The label AKS puts on every node of a spot pool. */
export const AKS_SPOT_LABEL = { 'kubernetes.azure.com/scalesetpriority': 'spot' } as const;

/** OS disk of a node when the pool does not say: AKS's own default. */
export const DEFAULT_OS_DISK_SIZE = Size.gibibytes(128);

/** Label prefix AKS keeps for itself. */
const AKS_LABEL_PREFIX = 'kubernetes.azure.com/';

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
  readonly id: string;
  readonly poolName: string;
  /** Labels every node carries, including those AKS sets on spot nodes. */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints every node carries. */
  readonly taints: readonly Taint[];

  constructor(scope: Construct, id: string, props: AksNodePoolProps) {
    super(scope, id);
    const { pool } = props;
    const problems = aksNodePoolProblems(pool);
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

/**
 * Every problem of an AKS node pool's declaration, with paths relative to the
 * pool: its name, VM size against the machine catalogue, bounds, zones, disk,
 * and labels and taints as Kubernetes, the kubelet and AKS accept them. The
 * environment loader runs it on each pool of an Azure site.
 */
export function aksNodePoolProblems(pool: AksNodePoolSpec): Problem[] {
  const problems: Problem[] = [];
  if (!/^[a-z][a-z0-9]{0,11}$/.test(pool.name)) {
    problems.push({
      path: ['name'],
      message: `'${pool.name}' is not an AKS node pool name: 1 to 12 lowercase letters or digits, starting with a letter`,
    });
  }
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(pool.vmSize)) {
    problems.push({
      path: ['vmSize'],
      message: `'${pool.vmSize}' is not an Azure VM size such as 'Standard_D4ds_v5'`,
    });
  }
  const bounds = (field: 'minCount' | 'maxCount', value: number, min: number) => {
    if (!Number.isInteger(value) || value < min || value > 1000) {
      problems.push({
        path: [field],
        message: `${value} must be a whole number from ${min} to 1000`,
      });
      return false;
    }
    return true;
  };
  const minOk = bounds('minCount', pool.minCount, 0);
  const maxOk = bounds('maxCount', pool.maxCount, 1);
  if (minOk && maxOk && pool.minCount > pool.maxCount) {
    problems.push({
      path: ['minCount'],
      message: `'minCount' (${pool.minCount}) must be <= 'maxCount' (${pool.maxCount})`,
    });
  }
  problems.push(...azureZoneProblems(pool.zones ?? DEFAULT_AZURE_ZONES));
  problems.push(...validateOsDisk(pool.diskSize ?? DEFAULT_OS_DISK_SIZE));
  problems.push(...nodePoolProblems(pool, true));
  problems.push(...azurePoolMachineProblems(pool));
  for (const key of Object.keys(pool.labels ?? {})) {
    if (key.startsWith(AKS_LABEL_PREFIX)) {
      problems.push({
        path: ['labels', key],
        message: `'${key}' is not allowed: AKS keeps labels under '${AKS_LABEL_PREFIX}' for itself`,
      });
    }
  }
  return problems;
}

import { GPU_TAINT } from './aws-site';
import { azureZoneProblems, DEFAULT_AZURE_ZONES } from './azure-zones';
import { BackendSpec } from './backend';
import { ExtendedSupport } from './kubernetes-versions';
import { cloudPoolAllocatable, machinePoolProblems } from './machine-pools';
import { aksNodeAllocatable } from './node-allocatable';
import { nodePoolProblems, NodePoolSpec, PoolAllocatable, Taint } from './placement';
import { Problem } from './problems';
import { KubernetesSiteSpec } from './site';
import { Size } from './units';

/** A node pool on AKS: what its nodes offer plus the VM size and bounds that make it. */
export interface AzureNodePoolSpec extends NodePoolSpec {
  /** VM size, e.g. `Standard_D4s_v5`. */
  readonly vmSize: string;
  /** Fewest nodes; 0 lets the cluster autoscaler empty the pool. */
  readonly minCount: number;
  /** Most nodes, at least 1. */
  readonly maxCount: number;
  /** OS disk, a whole number of GiB, at least 30 GiB. @default 128 GiB */
  readonly diskSize?: Size;
}

/**
 * An Azure region of the estate: a resource group, a private network, an AKS
 * cluster with workload identity and node pools, built by the site's
 * `<env>-<site>-infra` stack.
 */
export interface AzureSiteSpec {
  /** DNS-1123 label; names the site's stacks. */
  readonly name: string;
  /** Marks the site as an Azure region. */
  readonly kind: 'azure';
  /** The subscription (a GUID) the site lives in. */
  readonly subscriptionId: string;
  /** The Microsoft Entra tenant (a GUID) of the subscription. */
  readonly tenantId: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** The site's VNet: its CIDR and the zones its pools spread over. */
  readonly network: {
    /** VNet CIDR, /16 to /20. */
    readonly cidr: string;
    /** Availability zones of the region the pools spread over, e.g. `['1', '2', '3']`. */
    readonly zones: readonly string[];
  };
  /** The AKS cluster: its Kubernetes version, support, API access and admins. */
  readonly cluster: {
    /**
     * Kubernetes version of AKS, e.g. `1.35`: one in support on the date of
     * {@link KUBERNETES_SUPPORT}.
     */
    readonly version: string;
    /**
     * A written opt-in to AKS long-term support (on the Premium tier), which
     * keeps a version past its end of life at a higher price.
     * @default - community support only
     */
    readonly extendedSupport?: ExtendedSupport;
    /** CIDRs allowed to reach the API publicly. @default - private API server only */
    readonly authorizedIpRanges?: readonly string[];
    /**
     * Entra groups (object ids) with cluster-admin access, by entry name; at
     * least one. Local accounts are off, so these (and the identity that runs
     * the platform and agents stacks, which must belong to one) are the only
     * way in.
     */
    readonly admins: Readonly<Record<string, string>>;
  };
  /** The cluster's AKS node pools, at least one. */
  readonly nodePools: readonly AzureNodePoolSpec[];
  /**
   * The administrator of the site's VM scale sets: SSH public keys only,
   * password login is off.
   * @default - none: agents on scale sets are refused on the site
   */
  readonly vmAdmin?: { readonly username?: string; readonly sshPublicKey: string };
  /**
   * Where the state of the site's stacks lives, e.g. `azurerm` in the site's
   * own subscription.
   * @default - the environment's backend
   */
  readonly backend?: BackendSpec;
}

/**
 * The taint AKS gives spot nodes; agents that allow spot tolerate it.
 * @see https://learn.microsoft.com/azure/aks/spot-node-pool
 */
export const AKS_SPOT_TAINT: Taint = {
  key: 'kubernetes.azure.com/scalesetpriority',
  value: 'spot',
  effect: 'NoSchedule',
};

/**
 * The taints an AKS pool's nodes carry, so agents can tolerate them: the
 * declared ones, {@link GPU_TAINT} on a GPU pool and {@link AKS_SPOT_TAINT} on
 * a spot pool, each unless a taint with its key is declared.
 */
export function azurePoolTaints(pool: NodePoolSpec): Taint[] {
  const taints = [...(pool.taints ?? [])];
  const add = (taint: Taint) => {
    if (!taints.some((existing) => existing.key === taint.key)) taints.push(taint);
  };
  if (pool.gpu) add(GPU_TAINT);
  if (pool.capacity === 'spot') add(AKS_SPOT_TAINT);
  return taints;
}

/**
 * The cluster of an Azure site, as the platform and agents stacks see it: the
 * node pools with the taints AKS gives their nodes, so agents tolerate them,
 * and what one node offers ({@link azurePoolAllocatable}) unless declared.
 */
export function clusterSiteOfAzure(site: AzureSiteSpec): KubernetesSiteSpec {
  return {
    name: site.name,
    cloud: 'azure',
    nodePools: site.nodePools.map((pool) => {
      const allocatable = pool.allocatable ?? azurePoolAllocatable(pool, site.cluster.version);
      const maxNodes = pool.maxCount;
      return {
        ...pool,
        maxNodes,
        taints: azurePoolTaints(pool),
        ...(allocatable ? { allocatable } : {}),
      };
    }),
  };
}

/**
 * What one node of an AKS pool offers, by AKS's reservations for the
 * cluster's Kubernetes version.
 * @default - undefined when the VM size is not in the machine catalogue
 */
export function azurePoolAllocatable(
  pool: AzureNodePoolSpec,
  kubernetesVersion: string,
): PoolAllocatable | undefined {
  return cloudPoolAllocatable([pool.vmSize], 'azure', (type, machine) =>
    aksNodeAllocatable(type, machine, kubernetesVersion),
  );
}

/** Problems of an AKS pool's VM size against the machine catalogue. */
export function azurePoolMachineProblems(pool: AzureNodePoolSpec): Problem[] {
  return machinePoolProblems(pool, [{ name: pool.vmSize, path: ['vmSize'] }], 'azure');
}

/** Name of an Azure site's resource group and AKS cluster. */
export function aksClusterName(environment: string, site: AzureSiteSpec): string {
  return `${environment}-${site.name}`;
}

/** OS disk of an AKS node when the pool does not say: AKS's own default. */
export const DEFAULT_OS_DISK_SIZE = Size.gibibytes(128);

/** The label prefix AKS keeps for itself. */
const AKS_LABEL_PREFIX = 'kubernetes.azure.com/';

/** OS disk sizes AKS accepts, in GiB. */
export const OS_DISK_GIB_RANGE = { min: 30, max: 2048 } as const;

/** Problems of an OS disk size: whole GiB within {@link OS_DISK_GIB_RANGE}. */
export function validateOsDisk(size: Size): Problem[] {
  const gib = size.bytes / Size.gibibytes(1).bytes;
  if (!Number.isInteger(gib) || gib < OS_DISK_GIB_RANGE.min || gib > OS_DISK_GIB_RANGE.max) {
    return [
      {
        path: ['diskSize'],
        message: `${size.toKubernetes()} is not allowed: use a whole number of GiB from ${OS_DISK_GIB_RANGE.min}Gi to ${OS_DISK_GIB_RANGE.max}Gi`,
      },
    ];
  }
  return [];
}

/**
 * Every problem of an AKS node pool's declaration, with paths relative to the
 * pool: its name, VM size against the machine catalogue, bounds, zones, disk,
 * and labels and taints as Kubernetes, the kubelet and AKS accept them. The
 * environment loader runs it on each pool of an Azure site.
 */
export function azureNodePoolProblems(
  pool: AzureNodePoolSpec & { readonly zones?: readonly string[] },
): Problem[] {
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

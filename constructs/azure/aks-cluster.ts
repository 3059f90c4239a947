import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  azureZoneProblems,
  clusterVersionProblems,
  DEFAULT_AZURE_ZONES,
  ExtendedSupport,
  formatAddress,
  parseCidr,
  POOL_LABEL,
  Problem,
  publicExposure,
  Size,
  ValidationError,
  validateOsDisk,
} from '../../model';
import { AZURE_MANAGED_BY_TAG } from './provider';

/** Name of the system node pool. */
export const SYSTEM_POOL_NAME = 'system';

/** The built-in role the control-plane identity holds on the node subnet. */
export const NETWORK_CONTRIBUTOR_ROLE = 'Network Contributor';

/** The system pool when {@link AksClusterProps.systemPool} does not say. */
export const DEFAULT_SYSTEM_POOL = {
  vmSize: 'Standard_D4ds_v5',
  minCount: 3,
  maxCount: 5,
  diskSize: Size.gibibytes(128),
} as const;

/** Pod address range (overlay, never routed outside the cluster) when none is given. */
export const DEFAULT_POD_CIDR = '10.244.0.0/16';
/** Service address range when none is given; it must not overlap the VNet. */
export const DEFAULT_SERVICE_CIDR = '172.16.0.0/16';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a node pool needs from its cluster. */
export interface IAksCluster {
  /** The cluster's resource id (a reference: using it orders work after the cluster). */
  readonly id: string;
}

/** The system node pool of {@link AksCluster}. */
export interface AksSystemPoolProps {
  /** VM size of the system pool's nodes. @default 'Standard_D4ds_v5' */
  readonly vmSize?: string;
  /** Fewest nodes, at least 1. @default 3 - one per zone */
  readonly minCount?: number;
  /** Most nodes. @default 5 */
  readonly maxCount?: number;
  /** OS disk of a node, a whole number of GiB, 30 to 2048. @default 128 GiB */
  readonly diskSize?: Size;
}

/** Props of {@link AksCluster}. */
export interface AksClusterProps {
  /**
   * Cluster name and DNS prefix: 1 to 54 letters, digits or `-`, starting and
   * ending with a letter or digit.
   */
  readonly name: string;
  /** The resource group of the cluster; the caller creates it. */
  readonly resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** Kubernetes minor version, e.g. `'1.35'`; patches come from the `patch` upgrade channel. */
  readonly kubernetesVersion: string;
  /**
   * AKS long-term support, with the written reason: two more years of patches
   * for the version, on the Premium tier that it requires (billed per cluster
   * hour). The version must be supported, or in long-term support with this.
   * @default - community support only
   * @see https://learn.microsoft.com/azure/aks/long-term-support
   */
  readonly longTermSupport?: ExtendedSupport;
  /**
   * Subnet of the nodes. Its NAT gateway must be attached before the cluster is
   * created: pass {@link PrivateVirtualNetwork.nodeSubnetId}, which references the
   * association.
   */
  readonly nodeSubnetId: string;
  /** The Microsoft Entra tenant whose users and groups sign in to the cluster. */
  readonly tenantId: string;
  /**
   * Object ids of Entra groups given cluster-admin. With local accounts disabled,
   * nobody else reaches the API until Azure RBAC roles are assigned, so the
   * platform and agents stacks' identity belongs in one of them.
   */
  readonly adminGroupObjectIds: readonly string[];
  /**
   * Zones the system pool spreads over.
   * @default ['1', '2', '3']
   */
  readonly zones?: readonly string[];
  /**
   * IPv4 CIDRs allowed to reach a public API server. Empty keeps the API server
   * private (a private endpoint in the node subnet, resolved through an AKS-managed
   * private DNS zone); a /0 is refused (GR-NET-07).
   * @default [] - private cluster
   */
  readonly authorizedIpRanges?: readonly string[];
  /**
   * A production cluster gets the `Standard` tier with the uptime SLA; others the
   * `Free` tier.
   * @default false
   */
  readonly production?: boolean;
  /** Size and node count of the system pool. @default - see {@link DEFAULT_SYSTEM_POOL} */
  readonly systemPool?: AksSystemPoolProps;
  /**
   * Overlay address range of the pods; must not overlap the VNet or anything it reaches.
   * @default '10.244.0.0/16'
   */
  readonly podCidr?: string;
  /**
   * Address range of Services, smaller than /12; kube-dns takes its tenth address.
   * Must not overlap the VNet or anything it reaches.
   * @default '172.16.0.0/16'
   */
  readonly serviceCidr?: string;
  /**
   * Disk encryption set whose customer-managed key encrypts node OS disks (GR-ENC-08).
   * @default - platform-managed keys
   */
  readonly diskEncryptionSetId?: string;
  /**
   * Tags of every resource; the fleet's `managed-by` tag is added.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An AKS cluster for agent fleets:
 * - sign-in through Microsoft Entra ID only, authorized by Azure RBAC for
 *   Kubernetes, with {@link AksClusterProps.adminGroupObjectIds} as cluster admins
 *   and local accounts disabled (GR-IAM-05);
 * - Azure CNI in overlay mode with the Cilium dataplane enforcing NetworkPolicies
 *   (GR-NET-08). Cilium rather than Calico: it is Azure's eBPF dataplane, upgraded
 *   and supported with the cluster instead of as a separate component, and node
 *   auto-provisioning supports it where it does not support Calico. Overlay keeps
 *   pod addresses out of the VNet;
 * - a private API server, or a public one limited to
 *   {@link AksClusterProps.authorizedIpRanges}; never public without ranges
 *   (GR-NET-07); nodes without public IPs;
 * - the OIDC issuer and Workload Identity, so agents reach Azure without keys
 *   (GR-IAM-03);
 * - a system pool of Azure Linux nodes with host encryption (GR-ENC-08), reserved
 *   for critical add-ons (`CriticalAddonsOnly=true:NoSchedule`), autoscaled over the
 *   zones; Terraform ignores its node count;
 * - patch upgrades of Kubernetes and weekly node images (`patch`, `NodeImage`);
 * - egress through the subnet's NAT gateway (`userAssignedNATGateway`), for which a
 *   user-assigned control-plane identity holds Network Contributor on the node
 *   subnet, granted before the cluster is created;
 * - the `Standard` tier in production, `Free` otherwise.
 * @see https://learn.microsoft.com/azure/aks/manage-azure-rbac
 * @see https://learn.microsoft.com/azure/aks/azure-cni-powered-by-cilium
 * @see https://learn.microsoft.com/azure/aks/private-clusters
 * @see https://learn.microsoft.com/azure/aks/nat-gateway
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs/resources/kubernetes_cluster
 */
export class AksCluster extends Construct implements IAksCluster {
  /** The cluster's resource id (a reference: using it orders work after the cluster). */
  readonly id: string;
  /** The cluster's name, also its DNS prefix. */
  readonly name: string;
  /** The OIDC issuer URL that federated credentials of workload identities trust. */
  readonly oidcIssuerUrl: string;
  /** Object id of the kubelet identity, e.g. for `AcrPull` on a registry. */
  readonly kubeletIdentityObjectId: string;
  /** The resource group AKS creates for the nodes and their load balancers. */
  readonly nodeResourceGroup: string;
  /** FQDN of a public API server (empty for a private cluster). */
  readonly fqdn: string;
  /** FQDN of a private API server (empty for a public cluster). */
  readonly privateFqdn: string;
  /** Principal id of the control-plane identity. */
  readonly controlPlanePrincipalId: string;

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    const problems = validateCluster(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const tags = { ...props.tags, ...AZURE_MANAGED_BY_TAG };
    const ranges = [...(props.authorizedIpRanges ?? [])];
    const system = { ...DEFAULT_SYSTEM_POOL, ...props.systemPool };
    const serviceCidr = props.serviceCidr ?? DEFAULT_SERVICE_CIDR;

    const identity = new UserAssignedIdentity(this, 'ControlPlaneIdentity', {
      name: `${props.name}-control-plane`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags,
    });
    this.controlPlanePrincipalId = identity.principalId;
    const subnetRole = new RoleAssignment(this, 'NodeSubnetNetworkContributor', {
      scope: props.nodeSubnetId,
      roleDefinitionName: NETWORK_CONTRIBUTOR_ROLE,
      principalId: identity.principalId,
      // A new identity may not have replicated in Entra ID yet; this skips the lookup.
      principalType: 'ServicePrincipal',
    });

    const cluster = new KubernetesCluster(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      dnsPrefix: props.name,
      kubernetesVersion: props.kubernetesVersion,
      skuTier: props.longTermSupport ? 'Premium' : props.production ? 'Standard' : 'Free',
      supportPlan: props.longTermSupport ? 'AKSLongTermSupport' : 'KubernetesOfficial',
      automaticUpgradeChannel: 'patch',
      nodeOsUpgradeChannel: 'NodeImage',
      identity: { type: 'UserAssigned', identityIds: [identity.id] },
      roleBasedAccessControlEnabled: true,
      azureActiveDirectoryRoleBasedAccessControl: {
        azureRbacEnabled: true,
        tenantId: props.tenantId,
        adminGroupObjectIds: [...props.adminGroupObjectIds],
      },
      localAccountDisabled: true,
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      privateClusterEnabled: ranges.length === 0,
      apiServerAccessProfile: ranges.length > 0 ? { authorizedIpRanges: ranges } : undefined,
      diskEncryptionSetId: props.diskEncryptionSetId,
      networkProfile: {
        networkPlugin: 'azure',
        networkPluginMode: 'overlay',
        networkDataPlane: 'cilium',
        networkPolicy: 'cilium',
        outboundType: 'userAssignedNATGateway',
        loadBalancerSku: 'standard',
        podCidr: props.podCidr ?? DEFAULT_POD_CIDR,
        serviceCidr,
        dnsServiceIp: dnsServiceIp(serviceCidr),
      },
      defaultNodePool: {
        name: SYSTEM_POOL_NAME,
        // Changing host encryption, size or zones cycles the pool through this one.
        temporaryNameForRotation: `${SYSTEM_POOL_NAME}tmp`,
        vmSize: system.vmSize,
        osSku: 'AzureLinux',
        osDiskSizeGb: system.diskSize.toMebibytes() / 1024,
        hostEncryptionEnabled: true,
        nodePublicIpEnabled: false,
        onlyCriticalAddonsEnabled: true,
        autoScalingEnabled: true,
        minCount: system.minCount,
        maxCount: system.maxCount,
        nodeCount: system.minCount,
        zones: [...(props.zones ?? DEFAULT_AZURE_ZONES)],
        vnetSubnetId: props.nodeSubnetId,
        nodeLabels: { [POOL_LABEL]: SYSTEM_POOL_NAME },
        upgradeSettings: { maxSurge: '10%' },
        tags,
      },
      tags,
      // The cluster autoscaler owns the node count.
      lifecycle: { ignoreChanges: ['default_node_pool[0].node_count'] },
      dependsOn: [subnetRole],
    });
    this.id = cluster.id;
    this.name = cluster.name;
    this.oidcIssuerUrl = cluster.oidcIssuerUrl;
    this.kubeletIdentityObjectId = cluster.kubeletIdentity.objectId;
    this.nodeResourceGroup = cluster.nodeResourceGroup;
    this.fqdn = cluster.fqdn;
    this.privateFqdn = cluster.privateFqdn;
  }
}

/** The tenth address of the service range, which AKS gives kube-dns by convention. */
function dnsServiceIp(serviceCidr: string): string {
  const parsed = parseCidr(serviceCidr);
  return parsed ? formatAddress(parsed.address + 10) : serviceCidr;
}

function validateCluster(props: AksClusterProps): Problem[] {
  const problems: Problem[] = [];
  if (!/^[0-9A-Za-z]([A-Za-z0-9-]{0,52}[0-9A-Za-z])?$/.test(props.name)) {
    problems.push({
      path: ['name'],
      message: `'${props.name}' is not an AKS cluster name and DNS prefix: 1 to 54 letters, digits or '-', starting and ending with a letter or digit`,
    });
  }
  if (!/^1\.\d{1,2}$/.test(props.kubernetesVersion)) {
    problems.push({
      path: ['kubernetesVersion'],
      message: `'${props.kubernetesVersion}' is not a Kubernetes minor version: use '<major>.<minor>', e.g. '1.35'`,
    });
  } else {
    const support = clusterVersionProblems('azure', props.kubernetesVersion, props.longTermSupport);
    problems.push(
      ...support.map((p) => ({
        ...p,
        path: p.path[1] === 'version' ? ['kubernetesVersion'] : ['longTermSupport', 'reason'],
      })),
    );
  }
  if (!Token.isUnresolved(props.tenantId) && !UUID.test(props.tenantId)) {
    problems.push({
      path: ['tenantId'],
      message: `'${props.tenantId}' is not a tenant id: a GUID such as '00000000-0000-0000-0000-000000000000'`,
    });
  }
  props.adminGroupObjectIds.forEach((objectId, i) => {
    if (!Token.isUnresolved(objectId) && !UUID.test(objectId)) {
      problems.push({
        path: ['adminGroupObjectIds', i],
        message: `'${objectId}' is not an Entra group object id: a GUID such as '00000000-0000-0000-0000-000000000000'`,
      });
    }
  });
  const ranges = (props.authorizedIpRanges ?? []).filter((cidr) => !Token.isUnresolved(cidr));
  ranges.forEach((cidr, i) => {
    if (!parseCidr(cidr)) {
      problems.push({
        path: ['authorizedIpRanges', i],
        message: `'${cidr}' is not an IPv4 CIDR such as '203.0.113.0/24'`,
      });
    }
  });
  const exposure = publicExposure(ranges);
  if (exposure) {
    problems.push({
      path: ['authorizedIpRanges'],
      message: `${exposure}: the API server would be open to the Internet (GR-NET-07); list the CIDRs of operators and CI runners, or leave authorizedIpRanges empty for a private cluster`,
    });
  }
  problems.push(...azureZoneProblems(props.zones ?? DEFAULT_AZURE_ZONES));
  const system = { ...DEFAULT_SYSTEM_POOL, ...props.systemPool };
  const count = (field: 'minCount' | 'maxCount', value: number) => {
    if (!Number.isInteger(value) || value < 1 || value > 1000) {
      problems.push({
        path: ['systemPool', field],
        message: `${value} must be a whole number from 1 to 1000`,
      });
      return false;
    }
    return true;
  };
  const minOk = count('minCount', system.minCount);
  const maxOk = count('maxCount', system.maxCount);
  if (minOk && maxOk && system.minCount > system.maxCount) {
    problems.push({
      path: ['systemPool', 'minCount'],
      message: `'minCount' (${system.minCount}) must be <= 'maxCount' (${system.maxCount})`,
    });
  }
  problems.push(
    ...validateOsDisk(system.diskSize).map((p) => ({ ...p, path: ['systemPool', ...p.path] })),
  );
  for (const [field, cidr] of [
    ['podCidr', props.podCidr],
    ['serviceCidr', props.serviceCidr],
  ] as const) {
    if (cidr === undefined) continue;
    const parsed = parseCidr(cidr);
    if (!parsed || parsed.prefix < 12 || parsed.prefix > 24) {
      problems.push({
        path: [field],
        message: `'${cidr}' is not allowed: use a private IPv4 CIDR from /12 to /24, e.g. '${field === 'podCidr' ? DEFAULT_POD_CIDR : DEFAULT_SERVICE_CIDR}'`,
      });
    }
  }
  return problems;
}

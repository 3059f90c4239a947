import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import {
  azureZoneProblems,
  DEFAULT_AZURE_ZONES,
  formatAddress,
  networkCidrProblems,
  parseCidr,
  Problem,
  ValidationError,
} from '../../model';
import { AZURE_MANAGED_BY_TAG } from './provider';

/** Smallest and largest VNet prefix lengths {@link PrivateVirtualNetwork} accepts. */
export const VNET_PREFIX_RANGE = { min: 16, max: 20 } as const;

/** Priority of the rule that denies inbound traffic from the Internet: the last custom one. */
export const DENY_INTERNET_PRIORITY = 4096;

/** Props of {@link PrivateVirtualNetwork}. */
export interface PrivateVirtualNetworkProps {
  /**
   * Base of the Azure resource names (`<name>-vnet`, `<name>-nat`, ...): 1 to 60
   * letters, digits, `-` or `_`, starting with a letter or digit, e.g. `prod-westeurope`.
   */
  readonly name: string;
  /** The resource group the network lives in; the caller creates it. */
  readonly resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /**
   * IPv4 address space of the VNet, a network address with a prefix length from /16
   * to /20, e.g. `10.50.0.0/16`. Pods take no VNet addresses (Azure CNI overlay), so
   * a /16 leaves room for many nodes and scale-set machines.
   */
  readonly cidr: string;
  /**
   * Zones of the egress public IP; several make it zone-redundant. Empty for a region
   * without availability zones.
   * @default ['1', '2', '3']
   */
  readonly zones?: readonly string[];
  /**
   * Tags of every resource; the fleet's `managed-by` tag is added.
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The CIDRs {@link PrivateVirtualNetwork} carves from its address space. */
export interface VirtualNetworkPlan {
  /** AKS nodes: the first half of the VNet. */
  readonly nodes: string;
  /** VM scale sets of agents: the third quarter. */
  readonly agents: string;
  /** Private endpoints: the first sixteenth of the last quarter. */
  readonly privateEndpoints: string;
}

/**
 * A private VNet for an Azure site, in a resource group the caller owns:
 * - three subnets carved from the address space by {@link planVirtualNetwork}: AKS
 *   nodes, VM scale sets of agents, private endpoints; none gives machines Azure's
 *   implicit default outbound access;
 * - egress through one NAT gateway with a static Standard public IP, zone-redundant
 *   over {@link PrivateVirtualNetworkProps.zones} (a Standard NAT gateway is itself
 *   zonal: Azure places it, and it serves every zone), associated with the nodes' and
 *   agents' subnets; private endpoints only receive traffic;
 * - a network security group per subnet whose last custom rule denies every inbound
 *   flow from the `Internet` service tag; traffic inside the VNet and from Azure's
 *   load balancer probes is allowed by the default rules.
 *
 * Subnet ids reference the subnet's associations, so whatever uses them (AKS with
 * `outbound_type = userAssignedNATGateway` needs the NAT gateway on its subnet when it
 * is created) waits for the subnet to be complete.
 * @see https://learn.microsoft.com/azure/nat-gateway/nat-overview
 * @see https://learn.microsoft.com/azure/virtual-network/network-security-groups-overview
 * @see https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access
 */
export class PrivateVirtualNetwork extends Construct {
  /** The resource id of the VNet. */
  readonly vnetId: string;
  /** The name of the VNet, `<name>-vnet`. */
  readonly vnetName: string;
  /** Subnet of the AKS node pools, once its NAT gateway and security group are attached. */
  readonly nodeSubnetId: string;
  /** Subnet of the agents' VM scale sets, once its NAT gateway and security group are attached. */
  readonly agentSubnetId: string;
  /** Subnet of private endpoints, once its security group is attached. */
  readonly privateEndpointSubnetId: string;
  /** The resource id of the NAT gateway the nodes' and agents' subnets send their egress through. */
  readonly natGatewayId: string;
  /** The static public IPv4 address every outbound flow leaves from. */
  readonly egressIpAddress: string;
  /** The CIDRs chosen. */
  readonly plan: VirtualNetworkPlan;

  constructor(scope: Construct, id: string, props: PrivateVirtualNetworkProps) {
    super(scope, id);
    const problems = validateNetwork(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.plan = planVirtualNetwork(props.cidr);
    const { name, resourceGroupName, location } = props;
    const tags = { ...props.tags, ...AZURE_MANAGED_BY_TAG };
    const zones = [...(props.zones ?? DEFAULT_AZURE_ZONES)];

    const vnet = new VirtualNetwork(this, 'Resource', {
      name: `${name}-vnet`,
      resourceGroupName,
      location,
      addressSpace: [props.cidr],
      tags,
    });
    this.vnetId = vnet.id;
    this.vnetName = vnet.name;

    const ip = new PublicIp(this, 'EgressIp', {
      name: `${name}-nat-ip`,
      resourceGroupName,
      location,
      sku: 'Standard',
      allocationMethod: 'Static',
      zones: zones.length > 0 ? zones : undefined,
      tags,
    });
    this.egressIpAddress = ip.ipAddress;
    const nat = new NatGateway(this, 'NatGateway', {
      name: `${name}-nat`,
      resourceGroupName,
      location,
      skuName: 'Standard',
      idleTimeoutInMinutes: 4,
      tags,
    });
    this.natGatewayId = nat.id;
    new NatGatewayPublicIpAssociation(this, 'NatGatewayEgressIp', {
      natGatewayId: nat.id,
      publicIpAddressId: ip.id,
    });

    const subnet = (subnetId: string, subnetName: string, cidr: string, egress: boolean) => {
      const scope = new Construct(this, subnetId);
      const resource = new Subnet(scope, 'Resource', {
        name: subnetName,
        resourceGroupName,
        virtualNetworkName: vnet.name,
        addressPrefixes: [cidr],
        defaultOutboundAccessEnabled: false,
        // Security groups and route tables then apply to private endpoints as well.
        privateEndpointNetworkPolicies: subnetName === 'private-endpoints' ? 'Enabled' : undefined,
      });
      const nsg = new NetworkSecurityGroup(scope, 'SecurityGroup', {
        name: `${name}-${subnetName}-nsg`,
        resourceGroupName,
        location,
        tags,
      });
      new NetworkSecurityRule(scope, 'DenyInternetInbound', {
        name: 'DenyInternetInbound',
        description: 'Nothing in this subnet is reachable from the Internet',
        networkSecurityGroupName: nsg.name,
        resourceGroupName,
        priority: DENY_INTERNET_PRIORITY,
        direction: 'Inbound',
        access: 'Deny',
        protocol: '*',
        sourceAddressPrefix: 'Internet',
        sourcePortRange: '*',
        destinationAddressPrefix: '*',
        destinationPortRange: '*',
      });
      const nsgAssociation = new SubnetNetworkSecurityGroupAssociation(
        scope,
        'SecurityGroupAssociation',
        { subnetId: resource.id, networkSecurityGroupId: nsg.id },
      );
      if (!egress) return nsgAssociation.subnetId;
      // Chained through the first association: Azure refuses concurrent updates of one subnet.
      const natAssociation = new SubnetNatGatewayAssociation(scope, 'NatGatewayAssociation', {
        subnetId: nsgAssociation.subnetId,
        natGatewayId: nat.id,
      });
      return natAssociation.subnetId;
    };
    this.nodeSubnetId = subnet('Nodes', 'nodes', this.plan.nodes, true);
    this.agentSubnetId = subnet('Agents', 'agents', this.plan.agents, true);
    this.privateEndpointSubnetId = subnet(
      'PrivateEndpoints',
      'private-endpoints',
      this.plan.privateEndpoints,
      false,
    );
  }
}

/**
 * Splits a VNet CIDR: the first half for AKS nodes, the third quarter for agents'
 * scale sets, a sixteenth of the VNet from the last quarter for private endpoints
 * (a /16 gives a /17, a /18 and a /20). The rest of the last quarter stays free.
 */
export function planVirtualNetwork(cidr: string): VirtualNetworkPlan {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`'${cidr}' is not an IPv4 CIDR`);
  const { address, prefix } = parsed;
  const quarter = 2 ** (32 - prefix - 2);
  return {
    nodes: `${formatAddress(address)}/${prefix + 1}`,
    agents: `${formatAddress(address + 2 * quarter)}/${prefix + 2}`,
    privateEndpoints: `${formatAddress(address + 3 * quarter)}/${prefix + 4}`,
  };
}

function validateNetwork(props: PrivateVirtualNetworkProps): Problem[] {
  const problems: Problem[] = [];
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,59}$/.test(props.name)) {
    problems.push({
      path: ['name'],
      message: `'${props.name}' is not allowed: 1 to 60 letters, digits, '-' or '_', starting with a letter or digit`,
    });
  }
  problems.push(...networkCidrProblems(props.cidr, VNET_PREFIX_RANGE, '10.50.0.0/16'));
  problems.push(...azureZoneProblems(props.zones ?? DEFAULT_AZURE_ZONES));
  return problems;
}

import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { Construct } from 'constructs';
import {
  formatAddress,
  networkCidrProblems,
  parseCidr,
  Problem,
  ValidationError,
} from '../../model';

/** Smallest and largest VPC prefix lengths {@link PrivateNetwork} accepts. */
export const VPC_PREFIX_RANGE = { min: 16, max: 20 } as const;

/** How many availability zones {@link PrivateNetwork} spreads over. */
export const AZ_COUNT_RANGE = { min: 2, max: 3 } as const;

/** Props of {@link PrivateNetwork}. */
export interface PrivateNetworkProps {
  /**
   * IPv4 CIDR of the VPC, a network address with a prefix length from /16 to /20,
   * e.g. `10.40.0.0/16`. Pods take their IPs from the private subnets (VPC CNI), so
   * prefer a large range.
   */
  readonly cidr: string;
  /**
   * Availability zones by name, e.g. `['eu-west-1a', 'eu-west-1b']`: 2 or 3, distinct.
   * Named explicitly so that synthesizing and planning never ask AWS which zones exist.
   */
  readonly availabilityZones: readonly string[];
  /**
   * Name of the EKS cluster that uses the subnets: they are tagged
   * `kubernetes.io/cluster/<name>=shared` for its load balancers.
   */
  readonly clusterName: string;
}

/** The CIDRs of one availability zone's subnets. */
export interface ZoneSubnets {
  /** Name of the availability zone, e.g. `eu-west-1a`. */
  readonly availabilityZone: string;
  /** CIDR of the zone's private subnet, for the nodes: a quarter of the VPC. */
  readonly privateCidr: string;
  /** CIDR of the zone's public subnet, for its NAT gateway and load balancers: a sixteenth of the VPC. */
  readonly publicCidr: string;
}

/**
 * A VPC for an EKS site: per availability zone a private subnet for the nodes and a
 * public one for the NAT gateway and internet-facing load balancers, an internet
 * gateway, and a NAT gateway with an Elastic IP per zone (a zone's private subnet
 * sends `0.0.0.0/0` to its own NAT, so losing a zone does not cut the others off).
 * No subnet gives instances a public IP; the VPC's default security group is left
 * without rules.
 *
 * Subnet CIDRs derive from the VPC CIDR (see {@link planSubnets}), so adding a zone
 * later keeps the existing subnets.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html
 */
export class PrivateNetwork extends Construct {
  /** The ID of the VPC. */
  readonly vpcId: string;
  /** Private subnets, in the order of {@link PrivateNetworkProps.availabilityZones}. */
  readonly privateSubnetIds: string[];
  /** Public subnets, in the order of {@link PrivateNetworkProps.availabilityZones}. */
  readonly publicSubnetIds: string[];
  /** The CIDRs chosen per zone. */
  readonly zones: readonly ZoneSubnets[];

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    const problems = validateNetwork(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.zones = planSubnets(props.cidr, props.availabilityZones);
    const clusterTag = { [`kubernetes.io/cluster/${props.clusterName}`]: 'shared' };

    const vpc = new Vpc(this, 'Resource', {
      cidrBlock: props.cidr,
      // EKS needs both for private endpoint resolution and node registration.
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Name: props.clusterName },
    });
    this.vpcId = vpc.id;
    new DefaultSecurityGroup(this, 'DefaultSecurityGroup', {
      vpcId: vpc.id,
      tags: { Name: `${props.clusterName}-default-unused` },
    });

    const gateway = new InternetGateway(this, 'InternetGateway', {
      vpcId: vpc.id,
      tags: { Name: props.clusterName },
    });
    const publicRoutes = new RouteTable(this, 'PublicRouteTable', {
      vpcId: vpc.id,
      tags: { Name: `${props.clusterName}-public` },
    });
    new Route(this, 'PublicDefaultRoute', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: gateway.id,
    });

    this.privateSubnetIds = [];
    this.publicSubnetIds = [];
    for (const zone of this.zones) {
      const az = new Construct(this, zone.availabilityZone);
      const publicSubnet = new Subnet(az, 'PublicSubnet', {
        vpcId: vpc.id,
        availabilityZone: zone.availabilityZone,
        cidrBlock: zone.publicCidr,
        mapPublicIpOnLaunch: false,
        tags: {
          Name: `${props.clusterName}-public-${zone.availabilityZone}`,
          'kubernetes.io/role/elb': '1',
          ...clusterTag,
        },
      });
      new RouteTableAssociation(az, 'PublicRouteTableAssociation', {
        subnetId: publicSubnet.id,
        routeTableId: publicRoutes.id,
      });
      const eip = new Eip(az, 'NatEip', {
        domain: 'vpc',
        tags: { Name: `${props.clusterName}-nat-${zone.availabilityZone}` },
      });
      const nat = new NatGateway(az, 'NatGateway', {
        allocationId: eip.allocationId,
        subnetId: publicSubnet.id,
        tags: { Name: `${props.clusterName}-${zone.availabilityZone}` },
        // A NAT gateway is of no use before the VPC reaches the internet.
        dependsOn: [gateway],
      });

      const privateSubnet = new Subnet(az, 'PrivateSubnet', {
        vpcId: vpc.id,
        availabilityZone: zone.availabilityZone,
        cidrBlock: zone.privateCidr,
        mapPublicIpOnLaunch: false,
        tags: {
          Name: `${props.clusterName}-private-${zone.availabilityZone}`,
          'kubernetes.io/role/internal-elb': '1',
          ...clusterTag,
        },
      });
      const privateRoutes = new RouteTable(az, 'PrivateRouteTable', {
        vpcId: vpc.id,
        tags: { Name: `${props.clusterName}-private-${zone.availabilityZone}` },
      });
      new Route(az, 'PrivateDefaultRoute', {
        routeTableId: privateRoutes.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: nat.id,
      });
      new RouteTableAssociation(az, 'PrivateRouteTableAssociation', {
        subnetId: privateSubnet.id,
        routeTableId: privateRoutes.id,
      });
      this.privateSubnetIds.push(privateSubnet.id);
      this.publicSubnetIds.push(publicSubnet.id);
    }
  }
}

/**
 * Splits the VPC CIDR: zone `i` gets quarter `i` as its private subnet, and a
 * sixteenth of the VPC from the last quarter as its public subnet (a /16 gives
 * /18 private and /20 public subnets). Zone order decides the CIDRs.
 */
export function planSubnets(cidr: string, availabilityZones: readonly string[]): ZoneSubnets[] {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`'${cidr}' is not an IPv4 CIDR`);
  const { address, prefix } = parsed;
  const quarter = 2 ** (32 - prefix - 2);
  const sixteenth = quarter / 4;
  return availabilityZones.map((availabilityZone, i) => ({
    availabilityZone,
    privateCidr: `${formatAddress(address + i * quarter)}/${prefix + 2}`,
    publicCidr: `${formatAddress(address + 3 * quarter + i * sixteenth)}/${prefix + 4}`,
  }));
}

function validateNetwork(props: PrivateNetworkProps): Problem[] {
  const problems: Problem[] = [];
  problems.push(...networkCidrProblems(props.cidr, VPC_PREFIX_RANGE, '10.40.0.0/16'));
  const zones = props.availabilityZones;
  if (zones.length < AZ_COUNT_RANGE.min || zones.length > AZ_COUNT_RANGE.max) {
    problems.push({
      path: ['availabilityZones'],
      message: `${zones.length} zone(s) given: use ${AZ_COUNT_RANGE.min} to ${AZ_COUNT_RANGE.max} availability zones (EKS needs subnets in at least two)`,
    });
  }
  zones.forEach((zone, i) => {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/.test(zone)) {
      problems.push({
        path: ['availabilityZones', i],
        message: `'${zone}' is not an availability zone name such as 'eu-west-1a'`,
      });
    } else if (zones.indexOf(zone) !== i) {
      problems.push({
        path: ['availabilityZones', i],
        message: `'${zone}' is listed twice: each zone once`,
      });
    }
  });
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(props.clusterName)) {
    problems.push({
      path: ['clusterName'],
      message: `'${props.clusterName}' is not an EKS cluster name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit`,
    });
  }
  return problems;
}

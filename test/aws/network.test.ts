import { planSubnets, PrivateNetwork, PrivateNetworkProps } from '../../constructs/aws';
import { ValidationError } from '../../model';
import { Block, Synthesized, resourcesOf, resourceOf } from '../support/synthesized';
import { CLUSTER, synthAws, ZONES } from './support';

function synthNetwork(overrides: Partial<PrivateNetworkProps> = {}): Synthesized {
  return synthAws((stack) => {
    new PrivateNetwork(stack, 'network', {
      cidr: '10.40.0.0/16',
      availabilityZones: ZONES,
      clusterName: CLUSTER,
      ...overrides,
    });
  });
}

function subnetsByTag(json: Synthesized, tag: string): Block[] {
  return resourcesOf(json, 'aws_subnet').filter((subnet) => subnet.tags[tag] === '1');
}

describe('defaults of a private network over three zones', () => {
  const json = synthNetwork();

  it('creates a DNS-enabled VPC, an internet gateway and a NAT gateway with an EIP per zone', () => {
    expect(resourceOf(json, 'aws_vpc')).toMatchObject({
      cidr_block: '10.40.0.0/16',
      enable_dns_hostnames: true,
      enable_dns_support: true,
    });
    expect(resourcesOf(json, 'aws_internet_gateway')).toHaveLength(1);
    expect(resourcesOf(json, 'aws_eip')).toHaveLength(3);
    expect(resourcesOf(json, 'aws_eip').every((eip) => eip.domain === 'vpc')).toBe(true);
    expect(resourcesOf(json, 'aws_nat_gateway')).toHaveLength(3);
    expect(resourceOf(json, 'aws_default_security_group')).not.toHaveProperty('ingress');
  });

  it('puts one private and one public subnet in each zone, none giving public IPs', () => {
    const privates = subnetsByTag(json, 'kubernetes.io/role/internal-elb');
    const publics = subnetsByTag(json, 'kubernetes.io/role/elb');
    expect(privates.map((subnet) => subnet.availability_zone)).toEqual(ZONES);
    expect(publics.map((subnet) => subnet.availability_zone)).toEqual(ZONES);
    expect(privates.map((subnet) => subnet.cidr_block)).toEqual([
      '10.40.0.0/18',
      '10.40.64.0/18',
      '10.40.128.0/18',
    ]);
    expect(publics.map((subnet) => subnet.cidr_block)).toEqual([
      '10.40.192.0/20',
      '10.40.208.0/20',
      '10.40.224.0/20',
    ]);
    for (const subnet of [...privates, ...publics]) {
      expect(subnet.map_public_ip_on_launch).toBe(false);
      expect(subnet.tags[`kubernetes.io/cluster/${CLUSTER}`]).toBe('shared');
    }
    expect(privates.some((subnet) => 'kubernetes.io/role/elb' in subnet.tags)).toBe(false);
  });

  it("routes each private subnet's internet traffic to the NAT gateway of its own zone", () => {
    const routes = resourcesOf(json, 'aws_route');
    const viaNat = routes.filter((route) => route.nat_gateway_id);
    expect(viaNat.map((route) => route.nat_gateway_id)).toEqual(
      ['a', 'b', 'c'].map((az) =>
        expect.stringMatching(new RegExp(`^\\$\\{aws_nat_gateway\\.network_eu-west-1${az}_`)),
      ),
    );
    expect(viaNat.map((route) => route.route_table_id)).toEqual(
      ['a', 'b', 'c'].map((az) =>
        expect.stringMatching(new RegExp(`^\\$\\{aws_route_table\\.network_eu-west-1${az}_`)),
      ),
    );
    const viaGateway = routes.filter((route) => route.gateway_id);
    expect(viaGateway).toHaveLength(1);
    expect(viaGateway[0].destination_cidr_block).toBe('0.0.0.0/0');
    expect(resourcesOf(json, 'aws_route_table_association')).toHaveLength(6);
  });
});

describe('subnet CIDRs', () => {
  it('derive from the VPC CIDR and the zone order', () => {
    expect(planSubnets('172.20.16.0/20', ['us-east-1a', 'us-east-1b'])).toEqual([
      {
        availabilityZone: 'us-east-1a',
        privateCidr: '172.20.16.0/22',
        publicCidr: '172.20.28.0/24',
      },
      {
        availabilityZone: 'us-east-1b',
        privateCidr: '172.20.20.0/22',
        publicCidr: '172.20.29.0/24',
      },
    ]);
  });
});

describe('validation', () => {
  it('names the field and the allowed values, every problem at once', () => {
    const attempt = () =>
      synthNetwork({
        cidr: '10.40.0.0/24',
        availabilityZones: ['eu-west-1a', 'eu-west-1a', 'eu-west-1b', 'west'],
      });
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(
      [
        'test/network: 4 problem(s)',
        "  - 'cidr': prefix length /24 of '10.40.0.0/24' is not allowed: use /16 to /20",
        "  - 'availabilityZones': 4 zone(s) given: use 2 to 3 availability zones (EKS needs subnets in at least two)",
        "  - 'availabilityZones[1]': 'eu-west-1a' is listed twice: each zone once",
        "  - 'availabilityZones[3]': 'west' is not an availability zone name such as 'eu-west-1a'",
      ].join('\n'),
    );
  });

  it('refuses a CIDR that does not parse or has host bits set', () => {
    expect(() => synthNetwork({ cidr: '10.40.0.0' })).toThrow(
      "'cidr': '10.40.0.0' is not an IPv4 CIDR: use a network address with a prefix length, e.g. '10.40.0.0/16'",
    );
    expect(() => synthNetwork({ cidr: '10.40.1.0/16' })).toThrow(
      "'cidr': '10.40.1.0/16' has host bits set: the network address is '10.40.0.0/16'",
    );
  });

  it('refuses a single zone', () => {
    expect(() => synthNetwork({ availabilityZones: ['eu-west-1a'] })).toThrow(
      "'availabilityZones': 1 zone(s) given: use 2 to 3 availability zones",
    );
  });
});

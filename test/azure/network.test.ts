import { TerraformOutput } from 'cdktf';
import {
  planVirtualNetwork,
  PrivateVirtualNetwork,
  PrivateVirtualNetworkProps,
} from '../../constructs/azure/network';
import { Block, Synthesized, resourcesOf, resourceOf } from '../support/synthesized';
import { LOCATION, synthAzure } from './support';

const PROPS: PrivateVirtualNetworkProps = {
  name: 'prod-weu',
  resourceGroupName: 'prod-weu-rg',
  location: LOCATION,
  cidr: '10.50.0.0/16',
};

function synthNetwork(overrides: Partial<PrivateVirtualNetworkProps> = {}): Synthesized {
  return synthAzure(
    (stack) => new PrivateVirtualNetwork(stack, 'network', { ...PROPS, ...overrides }),
  );
}

function subnetNamed(json: Synthesized, name: string): Block {
  return resourcesOf(json, 'azurerm_subnet').find((subnet) => subnet.name === name)!;
}

describe('defaults of a private virtual network', () => {
  const json = synthNetwork();

  it('creates the VNet in the given resource group, tagged', () => {
    expect(resourceOf(json, 'azurerm_virtual_network')).toMatchObject({
      name: 'prod-weu-vnet',
      resource_group_name: 'prod-weu-rg',
      location: LOCATION,
      address_space: ['10.50.0.0/16'],
      tags: { 'managed-by': 'agent-fleet' },
    });
    expect(json.resource.azurerm_resource_group).toBeUndefined();
  });

  it('carves nodes, agents and private-endpoint subnets without default outbound access', () => {
    expect(subnetNamed(json, 'nodes')).toMatchObject({
      address_prefixes: ['10.50.0.0/17'],
      default_outbound_access_enabled: false,
    });
    expect(subnetNamed(json, 'agents')).toMatchObject({
      address_prefixes: ['10.50.128.0/18'],
      default_outbound_access_enabled: false,
    });
    expect(subnetNamed(json, 'private-endpoints')).toMatchObject({
      address_prefixes: ['10.50.192.0/20'],
      default_outbound_access_enabled: false,
      private_endpoint_network_policies: 'Enabled',
    });
    for (const subnet of resourcesOf(json, 'azurerm_subnet')) {
      expect(subnet.virtual_network_name).toMatch(
        /^\$\{azurerm_virtual_network\.network_\w+\.name\}$/,
      );
    }
  });

  it('leaves through a NAT gateway with a static, zone-redundant Standard public IP', () => {
    expect(resourceOf(json, 'azurerm_public_ip')).toMatchObject({
      name: 'prod-weu-nat-ip',
      sku: 'Standard',
      allocation_method: 'Static',
      zones: ['1', '2', '3'],
    });
    expect(resourceOf(json, 'azurerm_nat_gateway')).toMatchObject({
      name: 'prod-weu-nat',
      sku_name: 'Standard',
    });
    expect(resourceOf(json, 'azurerm_nat_gateway_public_ip_association')).toEqual({
      nat_gateway_id: expect.stringMatching(/^\$\{azurerm_nat_gateway\.\w+\.id\}$/),
      public_ip_address_id: expect.stringMatching(/^\$\{azurerm_public_ip\.\w+\.id\}$/),
    });
    const associated = resourcesOf(json, 'azurerm_subnet_nat_gateway_association');
    expect(associated).toHaveLength(2);
    expect(associated.map((association) => association.subnet_id).sort()).toEqual([
      expect.stringMatching(/network_Agents_SecurityGroupAssociation_\w+\.subnet_id\}$/),
      expect.stringMatching(/network_Nodes_SecurityGroupAssociation_\w+\.subnet_id\}$/),
    ]);
  });

  it('gives every subnet a security group that denies inbound from the Internet', () => {
    const groups = resourcesOf(json, 'azurerm_network_security_group');
    expect(groups.map((group) => group.name).sort()).toEqual([
      'prod-weu-agents-nsg',
      'prod-weu-nodes-nsg',
      'prod-weu-private-endpoints-nsg',
    ]);
    const rules = resourcesOf(json, 'azurerm_network_security_rule');
    expect(rules).toHaveLength(3);
    for (const rule of rules) {
      expect(rule).toMatchObject({
        direction: 'Inbound',
        access: 'Deny',
        priority: 4096,
        protocol: '*',
        source_address_prefix: 'Internet',
        destination_address_prefix: '*',
        destination_port_range: '*',
      });
    }
    expect(resourcesOf(json, 'azurerm_subnet_network_security_group_association')).toHaveLength(3);
  });
});

describe('outputs', () => {
  it('hands out subnet ids that wait for the subnet associations', () => {
    let network: PrivateVirtualNetwork | undefined;
    const json = synthAzure((stack) => {
      network = new PrivateVirtualNetwork(stack, 'network', PROPS);
      new TerraformOutput(stack, 'nodes', { value: network.nodeSubnetId });
      new TerraformOutput(stack, 'agents', { value: network.agentSubnetId });
      new TerraformOutput(stack, 'endpoints', { value: network.privateEndpointSubnetId });
    });
    expect(network!.plan).toEqual({
      nodes: '10.50.0.0/17',
      agents: '10.50.128.0/18',
      privateEndpoints: '10.50.192.0/20',
    });
    expect(json.output.nodes.value).toMatch(
      /^\$\{azurerm_subnet_nat_gateway_association\.network_Nodes_\w+\.subnet_id\}$/,
    );
    expect(json.output.agents.value).toMatch(
      /^\$\{azurerm_subnet_nat_gateway_association\.network_Agents_\w+\.subnet_id\}$/,
    );
    expect(json.output.endpoints.value).toMatch(
      /^\$\{azurerm_subnet_network_security_group_association\.network_PrivateEndpoints_\w+\.subnet_id\}$/,
    );
  });
});

describe('address plan', () => {
  it('scales with the prefix length', () => {
    expect(planVirtualNetwork('172.20.16.0/20')).toEqual({
      nodes: '172.20.16.0/21',
      agents: '172.20.24.0/22',
      privateEndpoints: '172.20.28.0/24',
    });
  });
});

describe('zones', () => {
  it('makes a non-zonal public IP in a region without zones', () => {
    expect(resourceOf(synthNetwork({ zones: [] }), 'azurerm_public_ip')).not.toHaveProperty(
      'zones',
    );
  });
});

describe('validation', () => {
  it('refuses prefix lengths outside /16 to /20', () => {
    expect(() => synthNetwork({ cidr: '10.0.0.0/8' })).toThrow(
      "'cidr': prefix length /8 of '10.0.0.0/8' is not allowed: use /16 to /20",
    );
    expect(() => synthNetwork({ cidr: '10.0.0.0/24' })).toThrow(/use \/16 to \/20/);
  });

  it('refuses a CIDR with host bits set, naming the network address', () => {
    expect(() => synthNetwork({ cidr: '10.50.1.0/16' })).toThrow(
      "'cidr': '10.50.1.0/16' has host bits set: the network address is '10.50.0.0/16'",
    );
  });

  it('refuses text that is no CIDR, bad zones and bad names, all at once', () => {
    expect(() => synthNetwork({ name: '-x', cidr: '10.50/16', zones: ['1', '4', '1'] })).toThrow(
      new RegExp(
        [
          "'name': '-x' is not allowed",
          "'cidr': '10.50/16' is not an IPv4 CIDR",
          "'zones\\[1\\]': '4' is not an Azure availability zone",
          "'zones\\[2\\]': '1' is listed twice",
        ].join('[\\s\\S]*'),
      ),
    );
  });
});

import { TerraformOutput, TerraformStack } from 'cdktf';
import { AksCluster, AksClusterProps } from '../../constructs/azure/aks-cluster';
import { AksNodePool } from '../../constructs/azure/aks-node-pool';
import { PrivateVirtualNetwork } from '../../constructs/azure/network';
import { Size } from '../../model';
import { Block, Synthesized, resourceOf } from '../support/synthesized';
import { LOCATION, synthAzure, TENANT_ID } from './support';

const ADMIN_GROUP = '11111111-2222-4333-8444-555555555555';

/** A network and a cluster in it, as an Azure site's infra stack builds them. */
function addAksSite(
  stack: TerraformStack,
  overrides: Partial<AksClusterProps> = {},
): { network: PrivateVirtualNetwork; cluster: AksCluster } {
  const network = new PrivateVirtualNetwork(stack, 'network', {
    name: 'prod-weu',
    resourceGroupName: 'prod-weu-rg',
    location: LOCATION,
    cidr: '10.50.0.0/16',
  });
  const cluster = new AksCluster(stack, 'cluster', {
    name: 'prod-weu',
    resourceGroupName: 'prod-weu-rg',
    location: LOCATION,
    kubernetesVersion: '1.35',
    nodeSubnetId: network.nodeSubnetId,
    tenantId: TENANT_ID,
    adminGroupObjectIds: [ADMIN_GROUP],
    ...overrides,
  });
  return { network, cluster };
}

function synthCluster(overrides: Partial<AksClusterProps> = {}): Synthesized {
  return synthAzure((stack) => addAksSite(stack, overrides));
}

function cluster(json: Synthesized): Block {
  return resourceOf(json, 'azurerm_kubernetes_cluster');
}

describe('defaults of an AKS cluster', () => {
  const json = synthCluster();
  const aks = cluster(json);

  it('names the cluster and its DNS prefix, in the given resource group, tagged', () => {
    expect(aks).toMatchObject({
      name: 'prod-weu',
      dns_prefix: 'prod-weu',
      resource_group_name: 'prod-weu-rg',
      location: LOCATION,
      kubernetes_version: '1.35',
      sku_tier: 'Free',
      tags: { 'managed-by': 'agent-fleet' },
    });
  });

  it('authorizes through Entra ID and Azure RBAC, without local accounts (GR-IAM-05)', () => {
    expect(aks).toMatchObject({
      role_based_access_control_enabled: true,
      local_account_disabled: true,
      azure_active_directory_role_based_access_control: {
        azure_rbac_enabled: true,
        tenant_id: TENANT_ID,
        admin_group_object_ids: [ADMIN_GROUP],
      },
    });
  });

  it('keeps the API server private (GR-NET-07)', () => {
    expect(aks.private_cluster_enabled).toBe(true);
    expect(aks).not.toHaveProperty('api_server_access_profile');
  });

  it('enables the OIDC issuer and Workload Identity (GR-IAM-03)', () => {
    expect(aks).toMatchObject({ oidc_issuer_enabled: true, workload_identity_enabled: true });
  });

  it('runs Azure CNI overlay with Cilium enforcing network policies (GR-NET-08)', () => {
    expect(aks.network_profile).toEqual({
      network_plugin: 'azure',
      network_plugin_mode: 'overlay',
      network_data_plane: 'cilium',
      network_policy: 'cilium',
      outbound_type: 'userAssignedNATGateway',
      load_balancer_sku: 'standard',
      pod_cidr: '10.244.0.0/16',
      service_cidr: '172.16.0.0/16',
      dns_service_ip: '172.16.0.10',
    });
  });

  it('upgrades Kubernetes patches and node images automatically', () => {
    expect(aks).toMatchObject({
      automatic_upgrade_channel: 'patch',
      node_os_upgrade_channel: 'NodeImage',
    });
  });

  it('runs a system pool of encrypted Azure Linux hosts for critical add-ons, over three zones', () => {
    expect(aks.default_node_pool).toMatchObject({
      name: 'system',
      temporary_name_for_rotation: 'systemtmp',
      vm_size: 'Standard_D4ds_v5',
      os_sku: 'AzureLinux',
      os_disk_size_gb: 128,
      host_encryption_enabled: true,
      node_public_ip_enabled: false,
      only_critical_addons_enabled: true,
      auto_scaling_enabled: true,
      min_count: 3,
      max_count: 5,
      node_count: 3,
      zones: ['1', '2', '3'],
      node_labels: { 'agent-fleet.dev/pool': 'system' },
    });
    expect(aks.default_node_pool.vnet_subnet_id).toMatch(
      /^\$\{azurerm_subnet_nat_gateway_association\.network_Nodes_\w+\.subnet_id\}$/,
    );
  });

  it('leaves the system node count to the cluster autoscaler', () => {
    expect(aks.lifecycle).toEqual({ ignore_changes: ['default_node_pool[0].node_count'] });
  });

  it('gives a user-assigned control-plane identity Network Contributor on the node subnet, first', () => {
    expect(aks.identity).toEqual({
      type: 'UserAssigned',
      identity_ids: [expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.\w+\.id\}$/)],
    });
    expect(resourceOf(json, 'azurerm_user_assigned_identity').name).toBe('prod-weu-control-plane');
    const role = resourceOf(json, 'azurerm_role_assignment');
    expect(role).toMatchObject({
      role_definition_name: 'Network Contributor',
      principal_type: 'ServicePrincipal',
      scope: aks.default_node_pool.vnet_subnet_id,
      principal_id: expect.stringMatching(
        /^\$\{azurerm_user_assigned_identity\.\w+\.principal_id\}$/,
      ),
    });
    expect(aks.depends_on).toEqual([
      expect.stringMatching(/^azurerm_role_assignment\.cluster_NodeSubnetNetworkContributor_\w+$/),
    ]);
  });
});

describe('outputs', () => {
  const json = synthAzure((stack) => {
    const { network, cluster } = addAksSite(stack);
    new AksNodePool(stack, 'general', {
      cluster,
      subnetId: network.nodeSubnetId,
      pool: { name: 'general', vmSize: 'Standard_D4s_v5', minCount: 1, maxCount: 3 },
    });
    const outputs: Record<string, string> = {
      id: cluster.id,
      name: cluster.name,
      oidcIssuerUrl: cluster.oidcIssuerUrl,
      kubeletIdentityObjectId: cluster.kubeletIdentityObjectId,
      nodeResourceGroup: cluster.nodeResourceGroup,
      fqdn: cluster.fqdn,
      privateFqdn: cluster.privateFqdn,
    };
    for (const [name, value] of Object.entries(outputs))
      new TerraformOutput(stack, name, { value });
  });

  it('references the cluster attributes later stacks need', () => {
    const values = Object.fromEntries(
      Object.entries(json.output).map(([name, output]) => [name, output.value]),
    );
    const ref = (attribute: string) =>
      expect.stringMatching(
        new RegExp(`^\\$\\{azurerm_kubernetes_cluster\\.cluster_\\w+\\.${attribute}\\}$`),
      );
    expect(values).toEqual({
      id: ref('id'),
      name: ref('name'),
      oidcIssuerUrl: ref('oidc_issuer_url'),
      kubeletIdentityObjectId: ref('kubelet_identity\\[0\\]\\.object_id'),
      nodeResourceGroup: ref('node_resource_group'),
      fqdn: ref('fqdn'),
      privateFqdn: ref('private_fqdn'),
    });
  });

  it('attaches node pools by the cluster id', () => {
    expect(resourceOf(json, 'azurerm_kubernetes_cluster_node_pool').kubernetes_cluster_id).toMatch(
      /^\$\{azurerm_kubernetes_cluster\.cluster_\w+\.id\}$/,
    );
  });
});

describe('public API server', () => {
  it('is public only for the listed ranges', () => {
    const aks = cluster(
      synthCluster({ authorizedIpRanges: ['203.0.113.0/24', '198.51.100.7/32'] }),
    );
    expect(aks.private_cluster_enabled).toBe(false);
    expect(aks.api_server_access_profile).toEqual({
      authorized_ip_ranges: ['203.0.113.0/24', '198.51.100.7/32'],
    });
  });

  it('refuses 0.0.0.0/0 (GR-NET-07)', () => {
    expect(() => synthCluster({ authorizedIpRanges: ['0.0.0.0/0'] })).toThrow(
      "'authorizedIpRanges': '0.0.0.0/0' covers 3,702,390,784 public IPv4 addresses (the whole Internet), more than the 16,777,216 (a /8) allowed: the API server would be open to the Internet (GR-NET-07)",
    );
  });

  it('refuses a split of 0.0.0.0/0, judged by what the ranges cover together', () => {
    expect(() => synthCluster({ authorizedIpRanges: ['0.0.0.0/1', '128.0.0.0/1'] })).toThrow(
      "'authorizedIpRanges': '0.0.0.0/1', '128.0.0.0/1' together cover 3,702,390,784 public IPv4 addresses (the whole Internet)",
    );
  });
});

describe('production', () => {
  it('takes the Standard tier', () => {
    expect(cluster(synthCluster({ production: true })).sku_tier).toBe('Standard');
  });
});

describe('options', () => {
  it('sizes the system pool, its zones, the address ranges and the disk key', () => {
    const aks = cluster(
      synthCluster({
        zones: ['1', '2'],
        systemPool: {
          vmSize: 'Standard_D2ds_v5',
          minCount: 2,
          maxCount: 4,
          diskSize: Size.gibibytes(64),
        },
        podCidr: '100.64.0.0/16',
        serviceCidr: '172.20.0.0/16',
        diskEncryptionSetId:
          '/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/diskEncryptionSets/z',
      }),
    );
    expect(aks.default_node_pool).toMatchObject({
      vm_size: 'Standard_D2ds_v5',
      min_count: 2,
      max_count: 4,
      node_count: 2,
      os_disk_size_gb: 64,
      zones: ['1', '2'],
    });
    expect(aks.network_profile).toMatchObject({
      pod_cidr: '100.64.0.0/16',
      service_cidr: '172.20.0.0/16',
      dns_service_ip: '172.20.0.10',
    });
    expect(aks.disk_encryption_set_id).toMatch(/diskEncryptionSets\/z$/);
  });
});

describe('validation', () => {
  it('lists every problem with its field', () => {
    expect(() =>
      synthCluster({
        name: 'prod_weu',
        kubernetesVersion: 'latest',
        tenantId: 'contoso',
        adminGroupObjectIds: ['admins'],
        zones: ['4'],
        systemPool: { minCount: 0, diskSize: Size.mebibytes(1536) },
        serviceCidr: '172.16.0.0/8',
      }),
    ).toThrow(
      new RegExp(
        [
          "'name': 'prod_weu' is not an AKS cluster name",
          "'kubernetesVersion': 'latest' is not a Kubernetes minor version",
          "'tenantId': 'contoso' is not a tenant id",
          "'adminGroupObjectIds\\[0\\]': 'admins' is not an Entra group object id",
          "'zones\\[0\\]': '4' is not an Azure availability zone",
          "'systemPool.minCount': 0 must be a whole number from 1 to 1000",
          "'systemPool.diskSize': 1536Mi is not allowed: use a whole number of GiB from 30Gi to 2048Gi",
          "'serviceCidr': '172.16.0.0/8' is not allowed",
        ].join('[\\s\\S]*'),
      ),
    );
  });

  it('refuses a system pool whose minimum exceeds its maximum', () => {
    expect(() => synthCluster({ systemPool: { minCount: 6, maxCount: 4 } })).toThrow(
      "'systemPool.minCount': 'minCount' (6) must be <= 'maxCount' (4)",
    );
  });
});

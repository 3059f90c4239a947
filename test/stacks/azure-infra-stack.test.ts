import { Testing } from 'cdktf';
import {
  COSMOS_PRIVATE_DNS_ZONE,
  SERVICE_BUS_PRIVATE_DNS_ZONE,
} from '../../constructs/azure/site-brokers';
import {
  AgentSpec,
  AzureSiteSpec,
  BrokerSpec,
  clusterSiteOfAzure,
  Duration,
  planSite,
} from '../../model';
import { AzureInfraStack, AzureInfraStackProps } from '../../stacks/azure-infra-stack';
import { SUBSCRIPTION_ID, TENANT_ID } from '../azure/support';
import { agent } from '../support/fixtures';
import {
  Synthesized,
  synthesized,
  resourcesById,
  resourcesOf,
  resourceOf,
} from '../support/synthesized';

const ADMINS = '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9';

const SITE: AzureSiteSpec = {
  name: 'eu-west',
  kind: 'azure',
  subscriptionId: SUBSCRIPTION_ID,
  tenantId: TENANT_ID,
  location: 'westeurope',
  network: { cidr: '10.70.0.0/16', zones: ['1', '2', '3'] },
  cluster: { version: '1.35', admins: { platform: ADMINS } },
  nodePools: [
    { name: 'general', vmSize: 'Standard_D4s_v5', minCount: 3, maxCount: 12 },
    {
      name: 'gpu',
      vmSize: 'Standard_NC4as_T4_v3',
      minCount: 0,
      maxCount: 4,
      gpu: { count: 1, model: 'nvidia-tesla-t4' },
    },
  ],
  vmAdmin: { sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFleetExampleKey platform@fleet' },
};

const BROKERS: BrokerSpec[] = [
  { name: 'azure-tasks', kind: 'servicebus', site: 'eu-west' },
  { name: 'azure-events', kind: 'kafka', eventHubs: { site: 'eu-west' } },
  { name: 'other-tasks', kind: 'servicebus', site: 'elsewhere' },
];

const AGENTS: AgentSpec[] = [
  agent({
    name: 'inventory-update',
    queue: { broker: 'azure-tasks', queue: 'inventory-updates' },
    state: { partitionKey: { name: 'sku', type: 'string' } },
    scaling: { minReplicas: 1, maxReplicas: 4, queueDepth: { perReplica: 50 } },
  }),
  agent({
    name: 'sensor-ingest',
    topic: { broker: 'azure-events', topic: 'sensor-readings', retention: Duration.days(3) },
    scaling: { minReplicas: 1, maxReplicas: 12, cpu: { targetUtilization: 70 } },
  }),
  agent({
    name: 'chimera-data-ingest',
    queue: {
      broker: 'azure-tasks',
      queue: 'chimera-telemetry',
      consumer: { maxProcessingTime: Duration.minutes(1) },
    },
    placement: { scalingGroup: { instanceType: 'Standard_D2s_v5' } },
    scaling: { minReplicas: 2, maxReplicas: 20, queueDepth: { perReplica: 1000 } },
  }),
];

/** What a test changes of the production stack: its props, or what its site's plan is made of. */
interface BuildOptions extends Partial<Omit<AzureInfraStackProps, 'plan'>> {
  readonly environment?: string;
  readonly brokers?: BrokerSpec[];
  readonly agents?: AgentSpec[];
}

function build({
  environment = 'prod',
  brokers = BROKERS,
  agents = AGENTS,
  ...props
}: BuildOptions = {}) {
  const site = props.site ?? SITE;
  const stack = new AzureInfraStack(Testing.app(), 'prod-eu-west-infra', {
    site,
    plan: planSite({ environment, site: clusterSiteOfAzure(site), brokers, agents }),
    production: true,
    ...props,
  });
  return { stack, json: synthesized(stack) };
}

/** `${<type>.<key>.<attribute>}` of the only resource of a type with this name. */
function refOf(json: Synthesized, type: string, name: string, attribute: string): string {
  const entries = Object.entries(resourcesById(json, type)).filter(
    ([, resource]) => resource.name === name,
  );
  if (entries.length !== 1) throw new Error(`${entries.length} ${type} named '${name}'`);
  return `\${${type}.${entries[0][0]}.${attribute}}`;
}

describe('AzureInfraStack', () => {
  const { stack, json } = build();

  it('puts the site in its own resource group, pinned to its subscription and tenant', () => {
    expect(resourceOf(json, 'azurerm_resource_group')).toMatchObject({
      name: 'prod-eu-west',
      location: 'westeurope',
      tags: { 'managed-by': 'agent-fleet' },
    });
    expect(json.provider.azurerm[0]).toMatchObject({
      subscription_id: SUBSCRIPTION_ID,
      tenant_id: TENANT_ID,
    });
    const group = refOf(json, 'azurerm_resource_group', 'prod-eu-west', 'name');
    for (const type of [
      'azurerm_virtual_network',
      'azurerm_kubernetes_cluster',
      'azurerm_servicebus_namespace',
      'azurerm_private_endpoint',
      'azurerm_user_assigned_identity',
    ]) {
      for (const resource of resourcesOf(json, type)) {
        expect(resource.resource_group_name).toBe(group);
      }
    }
    expect(stack.resourceGroupName).toBe('prod-eu-west');
  });

  it('builds the VNet and the AKS cluster with the site’s admins, version and zones', () => {
    expect(resourceOf(json, 'azurerm_virtual_network')).toMatchObject({
      name: 'prod-eu-west-vnet',
      address_space: ['10.70.0.0/16'],
    });
    const cluster = resourceOf(json, 'azurerm_kubernetes_cluster');
    expect(cluster).toMatchObject({
      name: 'prod-eu-west',
      kubernetes_version: '1.35',
      sku_tier: 'Standard',
      private_cluster_enabled: true,
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      azure_active_directory_role_based_access_control: {
        admin_group_object_ids: [ADMINS],
        tenant_id: TENANT_ID,
      },
    });
    expect(cluster.default_node_pool.zones).toEqual(['1', '2', '3']);
    expect(stack.clusterName).toBe('prod-eu-west');
    expect(stack.cluster.oidcIssuerUrl).toMatch(/TfToken/);
  });

  it('adds a node pool per declared pool, on the cluster and the node subnet', () => {
    const pools = resourcesOf(json, 'azurerm_kubernetes_cluster_node_pool');
    expect(pools.map((pool) => pool.name)).toEqual(['general', 'gpu']);
    const cluster = refOf(json, 'azurerm_kubernetes_cluster', 'prod-eu-west', 'id');
    const nodeSubnet = resourceOf(json, 'azurerm_kubernetes_cluster').default_node_pool
      .vnet_subnet_id;
    expect(nodeSubnet).toMatch(/Network_Nodes_/);
    for (const pool of pools) {
      expect(pool.kubernetes_cluster_id).toBe(cluster);
      expect(pool.vnet_subnet_id).toBe(nodeSubnet);
      expect(pool.zones).toEqual(['1', '2', '3']);
    }
  });

  it('builds the site’s brokers and database, and none of another site', () => {
    expect(resourceOf(json, 'azurerm_servicebus_namespace')).toMatchObject({
      name: 'prod-eu-west-azure-tasks',
      sku: 'Premium',
      public_network_access_enabled: false,
    });
    expect(resourceOf(json, 'azurerm_eventhub_namespace')).toMatchObject({
      name: 'prod-eu-west-azure-events',
      sku: 'Premium',
      public_network_access_enabled: false,
    });
    expect(resourceOf(json, 'azurerm_cosmosdb_account')).toMatchObject({
      name: 'prod-eu-west-state',
      public_network_access_enabled: false,
      backup: { type: 'Continuous', tier: 'Continuous30Days' },
    });
  });

  it('hands the platform and agents stacks the bindings of the cluster’s agents', () => {
    expect(Object.keys(stack.bindings.agents).sort()).toEqual([
      'inventory-update',
      'sensor-ingest',
    ]);
    expect(stack.bindings.kedaAzureIdentity?.tenantId).toBe(TENANT_ID);
    expect(resourcesOf(json, 'azurerm_linux_virtual_machine_scale_set')).toMatchObject([
      { name: 'chimera-data-ingest' },
    ]);
  });

  it('keeps state in the site’s own backend', () => {
    const azurerm = {
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroupName: 'state',
      storageAccountName: 'fleetstate',
      containerName: 'tfstate',
    };
    const { json: withBackend } = build({
      site: { ...SITE, backend: { azurerm } },
      backend: { local: { dir: 'elsewhere' } },
    });
    expect(withBackend.terraform.backend.azurerm).toMatchObject({
      storage_account_name: 'fleetstate',
      key: 'prod/prod-eu-west-infra.tfstate',
      use_azuread_auth: true,
    });
  });
});

describe('AzureInfraStack private endpoints', () => {
  const { json } = build();
  const endpoints = resourcesOf(json, 'azurerm_private_endpoint').sort((a, b) =>
    a.name.localeCompare(b.name),
  );

  it('reaches each namespace and the account through an endpoint in the private-endpoint subnet', () => {
    expect(endpoints.map((endpoint) => endpoint.name)).toEqual([
      'prod-eu-west-azure-events-pe',
      'prod-eu-west-azure-tasks-pe',
      'prod-eu-west-state-pe',
    ]);
    for (const endpoint of endpoints) {
      expect(endpoint.subnet_id).toMatch(
        /^\$\{azurerm_subnet_network_security_group_association\.Network_PrivateEndpoints_/,
      );
      expect(endpoint.private_service_connection.is_manual_connection).toBe(false);
    }
    const [events, tasks, state] = endpoints.map((endpoint) => endpoint.private_service_connection);
    expect(events).toMatchObject({
      private_connection_resource_id: refOf(
        json,
        'azurerm_eventhub_namespace',
        'prod-eu-west-azure-events',
        'id',
      ),
      subresource_names: ['namespace'],
    });
    expect(tasks).toMatchObject({
      private_connection_resource_id: refOf(
        json,
        'azurerm_servicebus_namespace',
        'prod-eu-west-azure-tasks',
        'id',
      ),
      subresource_names: ['namespace'],
    });
    expect(state).toMatchObject({
      private_connection_resource_id: refOf(
        json,
        'azurerm_cosmosdb_account',
        'prod-eu-west-state',
        'id',
      ),
      subresource_names: ['Sql'],
    });
  });

  it('registers them in private DNS zones linked to the VNet, one zone shared by Service Bus and Event Hubs', () => {
    expect(
      resourcesOf(json, 'azurerm_private_dns_zone')
        .map((zone) => zone.name)
        .sort(),
    ).toEqual([COSMOS_PRIVATE_DNS_ZONE, SERVICE_BUS_PRIVATE_DNS_ZONE]);
    expect(SERVICE_BUS_PRIVATE_DNS_ZONE).toBe('privatelink.servicebus.windows.net');
    expect(COSMOS_PRIVATE_DNS_ZONE).toBe('privatelink.documents.azure.com');
    const busZone = refOf(json, 'azurerm_private_dns_zone', SERVICE_BUS_PRIVATE_DNS_ZONE, 'id');
    const cosmosZone = refOf(json, 'azurerm_private_dns_zone', COSMOS_PRIVATE_DNS_ZONE, 'id');
    expect(
      endpoints.map((endpoint) => endpoint.private_dns_zone_group.private_dns_zone_ids),
    ).toEqual([[busZone], [busZone], [cosmosZone]]);
    const vnet = refOf(json, 'azurerm_virtual_network', 'prod-eu-west-vnet', 'id');
    const links = resourcesOf(json, 'azurerm_private_dns_zone_virtual_network_link');
    expect(links.map((link) => link.private_dns_zone_name).sort()).toEqual(
      [
        refOf(json, 'azurerm_private_dns_zone', COSMOS_PRIVATE_DNS_ZONE, 'name'),
        refOf(json, 'azurerm_private_dns_zone', SERVICE_BUS_PRIVATE_DNS_ZONE, 'name'),
      ].sort(),
    );
    for (const link of links) {
      expect(link).toMatchObject({ virtual_network_id: vnet, registration_enabled: false });
    }
  });

  it('gives a Standard Service Bus namespace no endpoint: Private Link is Premium-only there', () => {
    const { json: standard } = build({
      brokers: [{ name: 'azure-tasks', kind: 'servicebus', site: 'eu-west', sku: 'Standard' }],
      agents: [AGENTS[0]],
    });
    expect(resourceOf(standard, 'azurerm_servicebus_namespace').public_network_access_enabled).toBe(
      true,
    );
    expect(resourcesOf(standard, 'azurerm_private_endpoint').map((e) => e.name)).toEqual([
      'prod-eu-west-state-pe',
    ]);
    expect(resourcesOf(standard, 'azurerm_private_dns_zone').map((z) => z.name)).toEqual([
      COSMOS_PRIVATE_DNS_ZONE,
    ]);
  });
});

describe('AzureInfraStack errors', () => {
  it('refuses every broker whose namespace name Azure would refuse, at once', () => {
    const long = 'b'.repeat(40);
    expect(() =>
      build({
        brokers: [
          { name: long, kind: 'servicebus', site: 'eu-west' },
          { name: `${long}-k`, kind: 'kafka', eventHubs: { site: 'eu-west' } },
          { name: 'x', kind: 'servicebus', site: 'eu-west' },
        ],
        agents: [],
      }),
    ).toThrow(
      new RegExp(
        [
          'prod-eu-west-infra: 2 problem\\(s\\)',
          `'brokers\\.${long}': the broker name '${long}' makes a name longer than its resource allows: the azurerm_servicebus_namespace\\.name 'prod-eu-west-${long}' \\(53 > 50`,
          `'brokers\\.${long}-k': the broker name '${long}-k' makes a name longer than its resource allows: the azurerm_eventhub_namespace\\.name 'prod-eu-west-${long}-k' \\(55 > 50`,
        ].join('[\\s\\S]*'),
      ),
    );
  });

  it('refuses a Cosmos DB account name longer than 44 characters', () => {
    expect(() => build({ environment: 'a-very-long-environment-name-for-cosmos' })).toThrow(
      "the azurerm_cosmosdb_account.name 'a-very-long-environment-name-for-cosmos-eu-west-state' (53 > 44",
    );
  });
});

describe('AzureInfraStack defaults', () => {
  const site = { ...SITE, vmAdmin: undefined };
  const stack = new AzureInfraStack(Testing.app(), 'test-eu-west-infra', {
    site,
    plan: planSite({
      environment: 'test',
      site: clusterSiteOfAzure(site),
      brokers: [],
      agents: [],
    }),
  });
  const json = synthesized(stack);

  it('builds network, cluster and pools, and no brokers, database or endpoints', () => {
    expect(resourceOf(json, 'azurerm_kubernetes_cluster')).toMatchObject({
      name: 'test-eu-west',
      sku_tier: 'Free',
      azure_active_directory_role_based_access_control: { admin_group_object_ids: [ADMINS] },
    });
    for (const type of [
      'azurerm_servicebus_namespace',
      'azurerm_eventhub_namespace',
      'azurerm_cosmosdb_account',
      'azurerm_private_endpoint',
      'azurerm_private_dns_zone',
      'azurerm_cosmosdb_sql_role_assignment',
    ]) {
      expect(resourcesOf(json, type)).toEqual([]);
    }
    // The cluster's control-plane identity only: no agent or KEDA identity.
    expect(resourcesOf(json, 'azurerm_user_assigned_identity').map((i) => i.name)).toEqual([
      'test-eu-west-control-plane',
    ]);
    expect(stack.bindings).toEqual({ agents: {} });
  });

  it('keeps state locally', () => {
    expect(json.terraform.backend.local.path).toMatch(
      /terraform-state\/test-eu-west-infra\.tfstate$/,
    );
  });
});

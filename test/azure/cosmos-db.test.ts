import { AgentIdentity } from '../../constructs/azure/agent-identity';
import {
  CosmosDbAccount,
  CosmosDbAccountProps,
  CosmosDbContainer,
  CosmosDbContainerProps,
} from '../../constructs/azure/cosmos-db';
import { Duration, ValidationError } from '../../model';
import { Synthesized, resourceOf } from '../support/synthesized';
import { LOCATION, synthAzure } from './support';

const ACCOUNT: CosmosDbAccountProps = {
  name: 'fleet-state-weu',
  resourceGroupName: 'fleet-westeurope',
  location: LOCATION,
};
const CONTAINER: Omit<CosmosDbContainerProps, 'account'> = {
  name: 'inventory-update',
  partitionKey: { name: 'sku', type: 'string' },
};

function synth(
  accountProps: Partial<CosmosDbAccountProps> = {},
  containerProps: Partial<Omit<CosmosDbContainerProps, 'account'>> = {},
): { json: Synthesized; account: CosmosDbAccount; container: CosmosDbContainer } {
  let account!: CosmosDbAccount;
  let container!: CosmosDbContainer;
  const json = synthAzure((stack) => {
    account = new CosmosDbAccount(stack, 'state', { ...ACCOUNT, ...accountProps });
    container = account.addContainer({ ...CONTAINER, ...containerProps });
    container.grantReadWrite(
      new AgentIdentity(stack, 'agent', {
        name: 'inventory-update',
        resourceGroupName: 'fleet-westeurope',
        location: LOCATION,
        oidcIssuerUrl: 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/',
      }),
    );
  });
  return { json, account, container };
}

describe('CosmosDbAccount defaults', () => {
  const { json, account } = synth();
  const resource = resourceOf(json, 'azurerm_cosmosdb_account');

  it('is a NoSQL account with session consistency', () => {
    expect(resource).toMatchObject({
      name: 'fleet-state-weu',
      resource_group_name: 'fleet-westeurope',
      location: LOCATION,
      offer_type: 'Standard',
      kind: 'GlobalDocumentDB',
      consistency_policy: { consistency_level: 'Session' },
    });
    expect(account.endpoint).toMatch(/TfToken/);
  });

  it('turns key authentication and key metadata writes off (GR-IAM-06)', () => {
    expect(resource.local_authentication_disabled).toBe(true);
    expect(resource.access_key_metadata_writes_enabled).toBe(false);
  });

  it('closes the public endpoint and requires TLS 1.2 (GR-NET-09)', () => {
    expect(resource.public_network_access_enabled).toBe(false);
    expect(resource.minimal_tls_version).toBe('Tls12');
  });

  it('backs up continuously for 30 days (GR-DUR-03)', () => {
    expect(resource.backup).toEqual({ type: 'Continuous', tier: 'Continuous30Days' });
  });

  it('has one zone-redundant location and automatic failover off', () => {
    expect(resource.geo_location).toEqual([
      { location: LOCATION, failover_priority: 0, zone_redundant: true },
    ]);
    expect(resource.automatic_failover_enabled).toBe(false);
  });

  it('is protected from destroy, as its database (GR-DUR-09)', () => {
    expect(resource.lifecycle).toEqual({ prevent_destroy: true });
    expect(resource.tags).toEqual({ 'managed-by': 'agent-fleet' });
    expect(resourceOf(json, 'azurerm_cosmosdb_sql_database')).toMatchObject({
      name: 'fleet',
      resource_group_name: 'fleet-westeurope',
      lifecycle: { prevent_destroy: true },
    });
  });

  it('puts no key or connection string in the output', () => {
    expect(JSON.stringify(json)).not.toMatch(/primary_key|connection_string|AccountKey/i);
  });
});

describe('failover locations', () => {
  it('adds zone-redundant read locations in order and turns automatic failover on', () => {
    const { json } = synth({
      failoverLocations: ['northeurope', 'swedencentral'],
      backupRetention: Duration.days(7),
    });
    const resource = resourceOf(json, 'azurerm_cosmosdb_account');
    expect(resource.geo_location).toEqual([
      { location: LOCATION, failover_priority: 0, zone_redundant: true },
      { location: 'northeurope', failover_priority: 1, zone_redundant: true },
      { location: 'swedencentral', failover_priority: 2, zone_redundant: true },
    ]);
    expect(resource.automatic_failover_enabled).toBe(true);
    expect(resource.backup.tier).toBe('Continuous7Days');
  });
});

describe('containers', () => {
  const { json, container } = synth();
  const resource = resourceOf(json, 'azurerm_cosmosdb_sql_container');

  it('partitions on /<partition key>, autoscales to 1000 RU/s, is protected', () => {
    expect(resource).toMatchObject({
      name: 'inventory-update',
      resource_group_name: 'fleet-westeurope',
      partition_key_paths: ['/sku'],
      partition_key_kind: 'Hash',
      partition_key_version: 2,
      autoscale_settings: { max_throughput: 1000 },
      lifecycle: { prevent_destroy: true },
    });
    expect(resource.database_name).toMatch(/azurerm_cosmosdb_sql_database\.\w+\.name/);
    expect(container.partitionKeyPath).toBe('/sku');
  });

  it('takes a higher autoscale maximum', () => {
    const { json: busy } = synth({}, { maxThroughput: 4000 });
    expect(resourceOf(busy, 'azurerm_cosmosdb_sql_container').autoscale_settings).toEqual({
      max_throughput: 4000,
    });
  });
});

describe('grants', () => {
  const { json } = synth();
  const assignment = resourceOf(json, 'azurerm_cosmosdb_sql_role_assignment');

  it('assigns the built-in Data Contributor role', () => {
    expect(assignment.role_definition_id).toMatch(
      /^\$\{azurerm_cosmosdb_account\.\w+\.id\}\/sqlRoleDefinitions\/00000000-0000-0000-0000-000000000002$/,
    );
    expect(assignment.principal_id).toMatch(
      /azurerm_user_assigned_identity\.agent_\w+\.principal_id/,
    );
    expect(assignment.resource_group_name).toBe('fleet-westeurope');
  });

  it('scopes it to the one container', () => {
    expect(assignment.scope).toMatch(
      /^\$\{azurerm_cosmosdb_account\.\w+\.id\}\/dbs\/\$\{azurerm_cosmosdb_sql_database\.\w+\.name\}\/colls\/\$\{azurerm_cosmosdb_sql_container\.state_inventory-update_\w+\.name\}$/,
    );
  });

  it('makes no Azure RBAC role assignment on the account', () => {
    expect(json.resource.azurerm_role_assignment).toBeUndefined();
  });
});

describe('validation', () => {
  it('refuses a bad account name, backup tier and repeated location', () => {
    const build = () =>
      synth({
        name: 'Fleet_State',
        backupRetention: Duration.days(14),
        failoverLocations: ['northeurope', LOCATION],
      });
    expect(build).toThrow(ValidationError);
    expect(build).toThrow(/test\/state: 3 problem\(s\)/);
    expect(build).toThrow("'name': 'Fleet_State' is not a Cosmos DB account name");
    expect(build).toThrow("'backupRetention': 14d is not a continuous backup tier: 7d or 30d");
    expect(build).toThrow(
      "'failoverLocations[1]': 'westeurope' is already a location of the account",
    );
  });

  it('refuses a bad container name, partition key and throughput', () => {
    const build = () =>
      synth(
        {},
        { name: 'a#b', partitionKey: { name: 'a/b', type: 'string' }, maxThroughput: 1500 },
      );
    expect(build).toThrow("'name': 'a#b' is not a Cosmos DB container name");
    expect(build).toThrow("'partitionKey.name': 'a/b' is not a partition key property here");
    expect(build).toThrow(
      "'maxThroughput': 1500 is not an autoscale maximum: 1000 request units or more, in steps of 1000",
    );
  });
});

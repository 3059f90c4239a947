import { TerraformStack } from 'cdktf';
import { AzureSiteAgents, AzureSiteAgentsProps } from '../../constructs/azure/site-agents';
import { AzureSiteBrokers } from '../../constructs/azure/site-brokers';
import { AgentSpec, AzureSiteSpec, BrokerSpec, Duration, resolveAgent } from '../../model';
import { agent } from '../support/fixtures';
import { Block, Synthesized, resourcesById, resourcesOf } from '../support/synthesized';
import { LOCATION, SUBSCRIPTION_ID, synthAzure, TENANT_ID } from './support';

const ISSUER = 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFleetExampleKeyOnlyForTests fleet@ops';
const NETWORK = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/test-weu/providers/Microsoft.Network/virtualNetworks/test-weu-vnet`;

const SITE: AzureSiteSpec = {
  name: 'weu',
  kind: 'azure',
  subscriptionId: SUBSCRIPTION_ID,
  tenantId: TENANT_ID,
  location: LOCATION,
  network: { cidr: '10.70.0.0/16', zones: ['1', '2', '3'] },
  cluster: { version: '1.35', admins: { platform: '00000000-0000-4000-8000-0000000000ad' } },
  nodePools: [{ name: 'general', vmSize: 'Standard_D4s_v5', minCount: 3, maxCount: 6 }],
  vmAdmin: { sshPublicKey: SSH_KEY },
};

const BROKERS: BrokerSpec[] = [
  { name: 'tasks', kind: 'servicebus', site: 'weu' },
  { name: 'events', kind: 'kafka', eventHubs: { site: 'weu' } },
  { name: 'rabbitmq', kind: 'rabbitmq', inCluster: { site: 'weu' } },
];

const inventoryUpdate = agent({
  name: 'inventory-update',
  queue: { broker: 'tasks', queue: 'inventory-updates' },
  state: { partitionKey: { name: 'sku', type: 'string' } },
  scaling: { minReplicas: 1, maxReplicas: 4, queueDepth: { perReplica: 50 } },
});
const imageProcessing = agent({
  name: 'image-processing',
  queue: { broker: 'tasks', queue: 'image-processing-tasks' },
  scaling: { minReplicas: 2, maxReplicas: 10, cpu: { targetUtilization: 70 } },
});
const sensorIngest = agent({
  name: 'sensor-ingest',
  topic: { broker: 'events', topic: 'sensor-readings', retention: Duration.days(3) },
  scaling: {
    minReplicas: 1,
    maxReplicas: 12,
    prometheus: { query: 'sum(sensor_ingest_consumer_lag)', threshold: 1000 },
  },
});
const dispatcher = agent({
  name: 'dispatcher',
  publishes: [
    { broker: 'tasks', queue: 'inventory-updates' },
    { broker: 'rabbitmq', queue: 'image_processing_tasks' },
  ],
  scaling: { minReplicas: 1, maxReplicas: 1 },
});
const chimera = agent({
  name: 'chimera-data-ingest',
  queue: {
    broker: 'tasks',
    queue: 'chimera-telemetry',
    consumer: { maxProcessingTime: Duration.minutes(1) },
  },
  placement: { scalingGroup: { instanceType: 'Standard_D2s_v5' } },
  scaling: { minReplicas: 2, maxReplicas: 20, queueDepth: { perReplica: 1000 } },
});
const rabbitOnly = agent({
  name: 'rabbit-only',
  queue: { broker: 'rabbitmq', queue: 'rabbit_tasks' },
  scaling: { minReplicas: 1, maxReplicas: 4 },
});
const ALL = [inventoryUpdate, imageProcessing, sensorIngest, dispatcher, chimera, rabbitOnly];

type Options = Partial<Omit<AzureSiteAgentsProps, 'serviceBus' | 'eventHubs' | 'cosmos'>>;

function build(agents: AgentSpec[] = ALL, options: Options = {}) {
  let construct!: AzureSiteAgents;
  const json = synthAzure((stack: TerraformStack) => {
    const brokers = new AzureSiteBrokers(stack, 'Brokers', {
      environment: 'test',
      site: options.site ?? SITE,
      brokers: BROKERS,
      agents,
      resourceGroupName: 'test-weu',
      vnetId: NETWORK,
      privateEndpointSubnetId: `${NETWORK}/subnets/private-endpoints`,
    });
    construct = new AzureSiteAgents(stack, 'Agents', {
      environment: 'test',
      site: SITE,
      agents: agents.map(resolveAgent),
      brokers: BROKERS,
      resourceGroupName: 'test-weu',
      cluster: { oidcIssuerUrl: ISSUER },
      serviceBus: brokers.serviceBus,
      eventHubs: brokers.eventHubs,
      cosmos: brokers.cosmos,
      agentSubnetId: `${NETWORK}/subnets/agents`,
      ...options,
    });
  });
  return { json, agents: construct };
}

/** Terraform address `<type>.<key>` of the only resource of a type with this name. */
function addressOf(json: Synthesized, type: string, name: string): string {
  const entries = Object.entries(resourcesById(json, type)).filter(
    ([, resource]) => resource.name === name,
  );
  if (entries.length !== 1) throw new Error(`${entries.length} ${type} named '${name}'`);
  return `${type}.${entries[0][0]}`;
}

/** Role assignments and Cosmos DB data-plane assignments of one identity, as `role on scope`. */
function grantsOf(json: Synthesized, identityName: string): string[] {
  const identity = addressOf(json, 'azurerm_user_assigned_identity', identityName);
  const mine = (assignment: Block) =>
    String(assignment.principal_id) === `\${${identity}.principal_id}`;
  const describe = (scope: string) => {
    for (const [type, label] of [
      ['azurerm_servicebus_queue', 'queue'],
      ['azurerm_eventhub', 'hub'],
      ['azurerm_cosmosdb_sql_container', 'container'],
    ]) {
      for (const [key, resource] of Object.entries(resourcesById(json, type))) {
        if (scope.includes(`${type}.${key}.`)) return `${label} ${resource.name}`;
      }
    }
    return scope;
  };
  return [
    ...resourcesOf(json, 'azurerm_role_assignment')
      .filter(mine)
      .map((a) => `${a.role_definition_name} on ${describe(String(a.scope))}`),
    ...resourcesOf(json, 'azurerm_cosmosdb_sql_role_assignment')
      .filter(mine)
      .map((a) => `Cosmos DB Built-in Data Contributor on ${describe(String(a.scope))}`),
  ].sort();
}

function subjectsOf(json: Synthesized, identityName: string): string[] {
  const identity = addressOf(json, 'azurerm_user_assigned_identity', identityName);
  return resourcesOf(json, 'azurerm_federated_identity_credential')
    .filter((credential) => credential.parent_id === `\${${identity}.id}`)
    .map((credential) => credential.subject);
}

describe('AzureSiteAgents identities', () => {
  const { json } = build();

  it('names an identity per agent that needs Azure, and one for KEDA', () => {
    expect(
      resourcesOf(json, 'azurerm_user_assigned_identity')
        .map((identity) => identity.name)
        .sort(),
    ).toEqual([
      'test-weu-chimera-data-ingest',
      'test-weu-dispatcher',
      'test-weu-image-processing',
      'test-weu-inventory-update',
      'test-weu-keda',
      'test-weu-sensor-ingest',
    ]);
  });

  it('federates each cluster agent’s identity with its own service account only', () => {
    expect(subjectsOf(json, 'test-weu-inventory-update')).toEqual([
      'system:serviceaccount:inventory-update:inventory-update',
    ]);
    expect(subjectsOf(json, 'test-weu-sensor-ingest')).toEqual([
      'system:serviceaccount:sensor-ingest:sensor-ingest',
    ]);
    expect(subjectsOf(json, 'test-weu-keda')).toEqual(['system:serviceaccount:keda:keda-operator']);
    expect(subjectsOf(json, 'test-weu-chimera-data-ingest')).toEqual([]);
    const [credential] = resourcesOf(json, 'azurerm_federated_identity_credential');
    expect(credential).toMatchObject({ issuer: ISSUER, audience: ['api://AzureADTokenExchange'] });
  });
});

describe('AzureSiteAgents grants', () => {
  const { json } = build();

  it('lets a queue consumer receive its queue and read and write its container', () => {
    expect(grantsOf(json, 'test-weu-inventory-update')).toEqual([
      'Azure Service Bus Data Receiver on queue inventory-updates',
      'Cosmos DB Built-in Data Contributor on container inventory-update',
    ]);
    expect(grantsOf(json, 'test-weu-image-processing')).toEqual([
      'Azure Service Bus Data Receiver on queue image-processing-tasks',
    ]);
  });

  it('lets a publisher send to the Service Bus queue it publishes to, and nothing else', () => {
    expect(grantsOf(json, 'test-weu-dispatcher')).toEqual([
      'Azure Service Bus Data Sender on queue inventory-updates',
    ]);
  });

  it('lets a topic reader receive its event hub and send to its dead-letter hub', () => {
    expect(grantsOf(json, 'test-weu-sensor-ingest')).toEqual([
      'Azure Event Hubs Data Receiver on hub sensor-readings',
      'Azure Event Hubs Data Sender on hub sensor-readings.dlq',
    ]);
  });

  it('gives KEDA Data Owner on the queues of cluster agents scaling on queue depth only', () => {
    expect(grantsOf(json, 'test-weu-keda')).toEqual([
      'Azure Service Bus Data Owner on queue inventory-updates',
    ]);
  });

  it('gives a scale-set agent’s identity the grants of its bindings', () => {
    expect(grantsOf(json, 'test-weu-chimera-data-ingest')).toEqual([
      'Azure Service Bus Data Receiver on queue chimera-telemetry',
    ]);
  });
});

describe('AzureSiteAgents queues, hubs and containers', () => {
  const { json, agents } = build();

  it('builds a Service Bus queue per Service Bus binding, in the broker’s namespace', () => {
    expect(
      resourcesOf(json, 'azurerm_servicebus_queue')
        .map((queue) => queue.name)
        .sort(),
    ).toEqual(['chimera-telemetry', 'image-processing-tasks', 'inventory-updates']);
    expect([...agents.queues.keys()].sort()).toEqual([
      'chimera-data-ingest',
      'image-processing',
      'inventory-update',
    ]);
    const namespace = addressOf(json, 'azurerm_servicebus_namespace', 'test-weu-tasks');
    for (const queue of resourcesOf(json, 'azurerm_servicebus_queue')) {
      expect(queue.namespace_id).toBe(`\${${namespace}.id}`);
    }
  });

  it('builds the event hub with the reader’s partitions and consumer group, and its dead-letter hub', () => {
    const hubs = resourcesOf(json, 'azurerm_eventhub').sort((a, b) => a.name.localeCompare(b.name));
    expect(hubs).toMatchObject([
      { name: 'sensor-readings', partition_count: 12, message_retention: 3 },
      { name: 'sensor-readings.dlq', partition_count: 12, message_retention: 14 },
    ]);
    expect(resourcesOf(json, 'azurerm_eventhub_consumer_group')).toMatchObject([
      { name: 'sensor-ingest' },
    ]);
    expect([...agents.hubs.keys()].sort()).toEqual([
      'events/sensor-readings',
      'events/sensor-readings.dlq',
    ]);
  });

  it('builds a Cosmos DB container per stateful agent, named after it', () => {
    expect(resourcesOf(json, 'azurerm_cosmosdb_sql_container')).toMatchObject([
      { name: 'inventory-update', partition_key_paths: ['/sku'] },
    ]);
    expect([...agents.containers.keys()]).toEqual(['inventory-update']);
  });
});

describe('AzureSiteAgents scale sets', () => {
  const { json, agents } = build();

  it('runs a scale-set agent in the agents’ subnet, as its identity, with the site’s admin key', () => {
    const [scaleSet] = resourcesOf(json, 'azurerm_linux_virtual_machine_scale_set');
    const identity = addressOf(
      json,
      'azurerm_user_assigned_identity',
      'test-weu-chimera-data-ingest',
    );
    expect(scaleSet).toMatchObject({
      name: 'chimera-data-ingest',
      sku: 'Standard_D2s_v5',
      location: LOCATION,
      zones: ['1', '2', '3'],
      disable_password_authentication: true,
      admin_ssh_key: [{ username: 'fleetadmin', public_key: SSH_KEY }],
      identity: { type: 'UserAssigned', identity_ids: [`\${${identity}.id}`] },
    });
    expect(scaleSet.network_interface[0].ip_configuration[0].subnet_id).toBe(
      `${NETWORK}/subnets/agents`,
    );
    const cloudInit = JSON.stringify(scaleSet.custom_data);
    expect(cloudInit).toContain('FLEET_QUEUE_KIND=servicebus');
    expect(cloudInit).toContain('FLEET_SERVICEBUS_NAMESPACE=test-weu-tasks.servicebus.windows.net');
    expect(cloudInit).toContain('FLEET_QUEUE_NAME=chimera-telemetry');
    expect(cloudInit).toContain('FLEET_MAX_PROCESSING_SECONDS=60');
    expect([...agents.scaleSets.keys()]).toEqual(['chimera-data-ingest']);
  });

  it('scales it between its bounds on its queue’s active messages per instance', () => {
    const [autoscale] = resourcesOf(json, 'azurerm_monitor_autoscale_setting');
    const namespace = addressOf(json, 'azurerm_servicebus_namespace', 'test-weu-tasks');
    expect(autoscale.profile[0].capacity).toEqual({ minimum: 2, maximum: 20, default: 2 });
    expect(autoscale.profile[0].rule[0].metric_trigger).toMatchObject({
      metric_name: 'ActiveMessages',
      metric_namespace: 'Microsoft.ServiceBus/namespaces',
      metric_resource_id: `\${${namespace}.id}`,
      dimensions: [{ name: 'EntityName', operator: 'Equals', values: ['chimera-telemetry'] }],
      divide_by_instance_count: true,
      threshold: 1000,
    });
  });

  it('passes the Cosmos DB container of a stateful scale-set agent in its environment', () => {
    const stateful = agent({
      ...chimera,
      state: { partitionKey: { name: 'device', type: 'string' } },
    });
    const { json: withState } = build([stateful]);
    const [scaleSet] = resourcesOf(withState, 'azurerm_linux_virtual_machine_scale_set');
    const cloudInit = JSON.stringify(scaleSet.custom_data);
    expect(cloudInit).toContain('FLEET_COSMOS_CONTAINER=chimera-data-ingest');
    expect(cloudInit).toContain('FLEET_COSMOS_DATABASE=fleet');
    expect(cloudInit).toMatch(/FLEET_COSMOS_ENDPOINT=.*azurerm_cosmosdb_account\./);
    expect(grantsOf(withState, 'test-weu-chimera-data-ingest')).toEqual([
      'Azure Service Bus Data Receiver on queue chimera-telemetry',
      'Cosmos DB Built-in Data Contributor on container chimera-data-ingest',
    ]);
  });
});

describe('AzureSiteAgents bindings', () => {
  const { agents } = build();
  const { bindings } = agents;

  it('holds the cluster agents that need Azure, not scale-set or in-cluster-only ones', () => {
    expect(Object.keys(bindings.agents).sort()).toEqual([
      'dispatcher',
      'image-processing',
      'inventory-update',
      'sensor-ingest',
    ]);
  });

  it('gives each its workload identity, queue, Kafka endpoint and container', () => {
    const inventory = bindings.agents['inventory-update'];
    expect(inventory).toMatchObject({
      identity: {
        cloud: 'azure',
        region: LOCATION,
        podLabels: { 'azure.workload.identity/use': 'true' },
      },
      queue: {
        kind: 'servicebus',
        fullyQualifiedNamespace: 'test-weu-tasks.servicebus.windows.net',
        queue: 'inventory-updates',
      },
      store: { kind: 'cosmos', database: 'fleet', container: 'inventory-update' },
    });
    expect(inventory.identity?.serviceAccountAnnotations).toEqual({
      'azure.workload.identity/client-id': agents.identities.get('inventory-update')!.clientId,
    });
    expect(inventory.queue).toMatchObject({
      namespace: agents.queues.get('inventory-update')!.namespaceName,
    });
    expect(inventory.store).toMatchObject({ endpoint: expect.stringMatching(/TfToken/) });
    expect(inventory.kafka).toBeUndefined();
    expect(bindings.agents['sensor-ingest'].kafka).toEqual({
      bootstrapServers: 'test-weu-events.servicebus.windows.net:9093',
      port: 9093,
      auth: 'azure-entra-id',
      networkCidr: '10.70.0.0/16',
    });
    expect(bindings.agents['sensor-ingest'].queue).toBeUndefined();
    expect(bindings.agents.dispatcher.queue).toBeUndefined();
  });

  it('names KEDA’s identity and the site’s tenant', () => {
    expect(bindings.kedaAzureIdentity).toEqual({
      clientId: agents.kedaIdentity!.clientId,
      tenantId: TENANT_ID,
    });
    expect(bindings.kafkaTopics).toBeUndefined();
    expect(bindings.kedaRoleArn).toBeUndefined();
  });
});

describe('AzureSiteAgents errors', () => {
  it('refuses a scale-set agent on a site without vmAdmin', () => {
    const site = { ...SITE, vmAdmin: undefined };
    expect(() => build([chimera], { site })).toThrow(
      "'chimera-data-ingest.placement.scalingGroup': site 'weu' declares no 'vmAdmin': a scale set needs its administrator's SSH public key (password login is off)",
    );
  });

  it('refuses to publish to a Service Bus queue no agent of the site consumes', () => {
    const lonely = agent({
      name: 'lonely',
      publishes: [{ broker: 'tasks', queue: 'nobody-reads' }],
      scaling: { minReplicas: 1, maxReplicas: 4 },
    });
    expect(() => build([lonely])).toThrow(
      "'lonely.publishes[0].queue': no agent of site 'weu' consumes Service Bus queue 'nobody-reads', so the fleet does not create it",
    );
  });

  it('reports every problem at once', () => {
    const site = { ...SITE, vmAdmin: undefined };
    const lonely = agent({
      name: 'lonely',
      publishes: [{ broker: 'tasks', queue: 'nobody-reads' }],
      scaling: { minReplicas: 1, maxReplicas: 4 },
    });
    const twin = agent({ ...imageProcessing, name: 'image-processing-twin' });
    expect(() => build([chimera, lonely, imageProcessing, twin], { site })).toThrow(
      /Agents: 3 problem\(s\)[\s\S]*vmAdmin[\s\S]*already consumed by agent 'image-processing'[\s\S]*nobody-reads/,
    );
  });

  it('refuses a stateful agent when the site has no Cosmos DB account', () => {
    const stateful = agent({
      name: 'stateful',
      state: { partitionKey: { name: 'id', type: 'string' } },
      scaling: { minReplicas: 1, maxReplicas: 4 },
    });
    expect(() =>
      synthAzure((stack) => {
        new AzureSiteAgents(stack, 'Agents', {
          environment: 'test',
          site: SITE,
          agents: [resolveAgent(stateful)],
          brokers: BROKERS,
          resourceGroupName: 'test-weu',
          cluster: { oidcIssuerUrl: ISSUER },
          agentSubnetId: `${NETWORK}/subnets/agents`,
        });
      }),
    ).toThrow("'stateful.state': site 'weu' was given no Cosmos DB account");
  });

  it("refuses an agent named after KEDA's identity", () => {
    const keda = { ...imageProcessing, name: 'keda' };
    expect(() => build([keda])).toThrow(
      "'keda' names the identity of KEDA on site 'weu': rename the agent",
    );
  });
});

describe('AzureSiteAgents defaults', () => {
  it('builds nothing for agents that need nothing from Azure', () => {
    const { json, agents } = build([rabbitOnly]);
    expect(agents.bindings).toEqual({ agents: {} });
    expect(agents.kedaIdentity).toBeUndefined();
    expect(resourcesOf(json, 'azurerm_user_assigned_identity')).toEqual([]);
    expect(resourcesOf(json, 'azurerm_role_assignment')).toEqual([]);
  });

  it('federates KEDA in the keda namespace and places everything in the site’s location', () => {
    const { json } = build([inventoryUpdate]);
    expect(subjectsOf(json, 'test-weu-keda')).toEqual(['system:serviceaccount:keda:keda-operator']);
    for (const identity of resourcesOf(json, 'azurerm_user_assigned_identity')) {
      expect(identity).toMatchObject({ location: LOCATION, resource_group_name: 'test-weu' });
    }
  });

  it('takes another KEDA namespace and location when given', () => {
    const { json } = build([inventoryUpdate], {
      kedaNamespace: 'autoscaling',
      location: 'northeurope',
    });
    expect(subjectsOf(json, 'test-weu-keda')).toEqual([
      'system:serviceaccount:autoscaling:keda-operator',
    ]);
    const identity = resourcesOf(json, 'azurerm_user_assigned_identity').find(
      (candidate) => candidate.name === 'test-weu-keda',
    );
    expect(identity!.location).toBe('northeurope');
  });

  it('creates no KEDA identity when no cluster agent scales on a Service Bus queue', () => {
    const { agents } = build([imageProcessing, chimera]);
    expect(agents.kedaIdentity).toBeUndefined();
    expect(agents.bindings.kedaAzureIdentity).toBeUndefined();
  });
});

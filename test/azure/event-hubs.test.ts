import { AgentIdentity } from '../../constructs/azure/agent-identity';
import {
  EventHubsNamespace,
  EventHubsNamespaceProps,
  EventHubTopic,
  EventHubTopicProps,
} from '../../constructs/azure/event-hubs';
import { Duration, ValidationError } from '../../model';
import { Synthesized, resourcesOf, resourceOf } from '../support/synthesized';
import { invalid } from '../support/types';
import { LOCATION, synthAzure } from './support';

const NAMESPACE: EventHubsNamespaceProps = {
  name: 'fleet-stream-weu',
  resourceGroupName: 'fleet-westeurope',
  location: LOCATION,
};
const TOPIC: Omit<EventHubTopicProps, 'namespace'> = {
  name: 'sensor-readings',
  partitions: 12,
  consumerGroups: ['sensor-ingest'],
};

function synth(
  namespaceProps: Partial<EventHubsNamespaceProps> = {},
  topicProps: Partial<Omit<EventHubTopicProps, 'namespace'>> = {},
): { json: Synthesized; namespace: EventHubsNamespace; topic: EventHubTopic } {
  let namespace!: EventHubsNamespace;
  let topic!: EventHubTopic;
  const json = synthAzure((stack) => {
    namespace = new EventHubsNamespace(stack, 'hubs', { ...NAMESPACE, ...namespaceProps });
    topic = namespace.addTopic({ ...TOPIC, ...topicProps });
    const identity = (name: string) =>
      new AgentIdentity(stack, name, {
        name,
        resourceGroupName: 'fleet-westeurope',
        location: LOCATION,
        oidcIssuerUrl: 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/',
      });
    topic.grantReceive(identity('sensor-ingest'));
    topic.grantSend(identity('gateway'));
  });
  return { json, namespace, topic };
}

describe('EventHubsNamespace defaults', () => {
  const { json, namespace } = synth();
  const resource = resourceOf(json, 'azurerm_eventhub_namespace');

  it('is Standard (Kafka endpoint) with one throughput unit', () => {
    expect(resource).toMatchObject({
      name: 'fleet-stream-weu',
      resource_group_name: 'fleet-westeurope',
      location: LOCATION,
      sku: 'Standard',
      capacity: 1,
    });
    expect(resource).not.toHaveProperty('auto_inflate_enabled');
    expect(namespace.sku).toBe('Standard');
  });

  it('turns SAS keys off, requires TLS 1.2 and closes the public endpoint (GR-ENC-11, GR-NET-09)', () => {
    expect(resource.local_authentication_enabled).toBe(false);
    expect(resource.minimum_tls_version).toBe('1.2');
    expect(resource.public_network_access_enabled).toBe(false);
  });

  it('has no zone_redundant argument in azurerm 4.x: the region decides', () => {
    expect(resource).not.toHaveProperty('zone_redundant');
  });

  it('is protected from destroy and tagged', () => {
    expect(resource.lifecycle).toEqual({ prevent_destroy: true });
    expect(resource.tags).toEqual({ 'managed-by': 'agent-fleet' });
  });

  it('exposes the Kafka bootstrap address', () => {
    expect(namespace.kafkaBootstrapServers).toBe('fleet-stream-weu.servicebus.windows.net:9093');
  });

  it('creates no authorization rule, so no key exists', () => {
    expect(json.resource.azurerm_eventhub_namespace_authorization_rule).toBeUndefined();
    expect(json.resource.azurerm_eventhub_authorization_rule).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/SharedAccessKey|connection_string|primary_key/i);
  });
});

describe('topics', () => {
  const { json, topic } = synth();

  it('makes an event hub with its partitions and a day of retention, protected', () => {
    const hub = resourceOf(json, 'azurerm_eventhub');
    expect(hub).toMatchObject({
      name: 'sensor-readings',
      partition_count: 12,
      message_retention: 1,
      lifecycle: { prevent_destroy: true },
    });
    expect(hub.namespace_id).toMatch(/^\$\{azurerm_eventhub_namespace\.\w+\.id\}$/);
    expect(topic.partitions).toBe(12);
  });

  it('makes one consumer group per declared group', () => {
    const group = resourceOf(json, 'azurerm_eventhub_consumer_group');
    expect(group).toMatchObject({
      name: 'sensor-ingest',
      resource_group_name: 'fleet-westeurope',
    });
    expect(group.eventhub_name).toMatch(/^\$\{azurerm_eventhub\.hubs_sensor-readings_\w+\.name\}$/);
    expect(group.namespace_name).toMatch(/^\$\{azurerm_eventhub_namespace\.\w+\.name\}$/);
    expect(topic.consumerGroups).toEqual(['sensor-ingest']);
  });

  it('takes the retention in days; Premium allows 100 partitions and 90 days', () => {
    const { json: premium } = synth(
      { sku: 'Premium', capacity: 2 },
      { partitions: 100, retention: Duration.days(90), consumerGroups: ['a', 'b'] },
    );
    expect(resourceOf(premium, 'azurerm_eventhub_namespace')).toMatchObject({
      sku: 'Premium',
      capacity: 2,
    });
    expect(resourceOf(premium, 'azurerm_eventhub')).toMatchObject({
      partition_count: 100,
      message_retention: 90,
    });
    expect(resourcesOf(premium, 'azurerm_eventhub_consumer_group')).toHaveLength(2);
  });

  it('turns auto-inflate on with a maximum', () => {
    const { json: inflating } = synth({ capacity: 2, maximumThroughputUnits: 10 });
    expect(resourceOf(inflating, 'azurerm_eventhub_namespace')).toMatchObject({
      auto_inflate_enabled: true,
      maximum_throughput_units: 10,
    });
  });
});

describe('grants', () => {
  const { json } = synth();
  const assignments = resourcesOf(json, 'azurerm_role_assignment');
  const hubId = /^\$\{azurerm_eventhub\.hubs_sensor-readings_\w+\.id\}$/;

  it('receive and send, each on the one hub, for service principals', () => {
    expect(assignments).toHaveLength(2);
    const receive = assignments.find(
      (a) => a.role_definition_name === 'Azure Event Hubs Data Receiver',
    )!;
    const send = assignments.find(
      (a) => a.role_definition_name === 'Azure Event Hubs Data Sender',
    )!;
    expect(receive.scope).toMatch(hubId);
    expect(send.scope).toMatch(hubId);
    expect(receive.principal_id).toMatch(/user_assigned_identity\.sensor-ingest_\w+\.principal_id/);
    expect(send.principal_id).toMatch(/user_assigned_identity\.gateway_\w+\.principal_id/);
    for (const assignment of assignments)
      expect(assignment.principal_type).toBe('ServicePrincipal');
  });
});

describe('validation', () => {
  it('refuses a bad name, capacity and auto-inflate maximum', () => {
    const build = () => synth({ name: '1stream', capacity: 41, maximumThroughputUnits: 20 });
    expect(build).toThrow(ValidationError);
    expect(build).toThrow("'name': '1stream' is not an Event Hubs namespace name");
    expect(build).toThrow("'capacity': 41 is not a number of throughput units: 1 to 40");
    expect(build).toThrow(
      "'maximumThroughputUnits': 20 must be a whole number from 'capacity' (41) to 40",
    );
  });

  it('refuses the Basic tier, which has no Kafka endpoint', () => {
    expect(() => synth({ sku: invalid<'Standard'>('Basic') })).toThrow(
      "'Basic' is not an Event Hubs tier here: 'Standard' or 'Premium' (Basic has no Kafka endpoint)",
    );
  });

  it('refuses processing units Premium does not sell and auto-inflate on Premium', () => {
    const build = () => synth({ sku: 'Premium', capacity: 3, maximumThroughputUnits: 4 });
    expect(build).toThrow("'capacity': 3 is not a number of processing units: 1, 2, 4, 8 or 16");
    expect(build).toThrow(
      "'maximumThroughputUnits': 4: auto-inflate applies to Standard namespaces only",
    );
  });

  it('refuses 33 partitions and 8 days on Standard, partial days, bad and default groups', () => {
    const build = () =>
      synth(
        {},
        {
          partitions: 33,
          retention: Duration.days(8),
          consumerGroups: ['$Default', '-x', 'ok', 'ok'],
        },
      );
    expect(build).toThrow(/test\/hubs\/sensor-readings: 5 problem\(s\)/);
    expect(build).toThrow(
      "'partitions': 33 is not a partition count on Standard: a whole number from 1 to 32",
    );
    expect(build).toThrow(
      "'retention': 8d is not a retention on Standard: whole days from 1d to 7d",
    );
    expect(build).toThrow("'consumerGroups[0]': '$Default' always exists: leave it out");
    expect(build).toThrow("'consumerGroups[1]': '-x' is not a consumer group name");
    expect(build).toThrow("'consumerGroups[3]': 'ok' is listed twice");
    expect(() => synth({}, { retention: Duration.hours(36) })).toThrow(
      "'retention': 36h is not a retention on Standard",
    );
  });
});

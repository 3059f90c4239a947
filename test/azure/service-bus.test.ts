import { AgentIdentity } from '../../constructs/azure/agent-identity';
import {
  AgentServiceBusQueue,
  AgentServiceBusQueueProps,
  isoDuration,
  ServiceBusNamespace,
  ServiceBusNamespaceProps,
} from '../../constructs/azure/service-bus';
import { Duration, ValidationError } from '../../model';
import { Synthesized, resourcesOf, resourceOf } from '../support/synthesized';
import { LOCATION, synthAzure } from './support';

const NAMESPACE: ServiceBusNamespaceProps = {
  name: 'fleet-prod-weu',
  resourceGroupName: 'fleet-westeurope',
  location: LOCATION,
};
const ISSUER = 'https://westeurope.oic.prod-aks.azure.com/tenant/cluster/';

type QueueOptions = Omit<AgentServiceBusQueueProps, 'namespace'>;

function synth(
  namespaceProps: Partial<ServiceBusNamespaceProps> = {},
  queueProps: QueueOptions = { binding: { queue: 'chimera-tasks' } },
): { json: Synthesized; queue: AgentServiceBusQueue; namespace: ServiceBusNamespace } {
  let queue!: AgentServiceBusQueue;
  let namespace!: ServiceBusNamespace;
  const json = synthAzure((stack) => {
    namespace = new ServiceBusNamespace(stack, 'bus', { ...NAMESPACE, ...namespaceProps });
    queue = namespace.addQueue(queueProps);
    const agent = new AgentIdentity(stack, 'agent', {
      name: 'chimera-data-ingest',
      resourceGroupName: 'fleet-westeurope',
      location: LOCATION,
      oidcIssuerUrl: ISSUER,
    });
    const dispatcher = new AgentIdentity(stack, 'dispatcher', {
      name: 'dispatcher',
      resourceGroupName: 'fleet-westeurope',
      location: LOCATION,
      oidcIssuerUrl: ISSUER,
    });
    const keda = new AgentIdentity(stack, 'keda', {
      name: 'keda-operator',
      resourceGroupName: 'fleet-westeurope',
      location: LOCATION,
      oidcIssuerUrl: ISSUER,
    });
    queue.grantReceive(agent);
    queue.grantSend(dispatcher);
    queue.grantScaleReader(keda);
  });
  return { json, queue, namespace };
}

describe('ServiceBusNamespace defaults', () => {
  const { json, namespace } = synth();
  const resource = resourceOf(json, 'azurerm_servicebus_namespace');

  it('is Premium with one messaging unit and one partition', () => {
    expect(resource).toMatchObject({
      name: 'fleet-prod-weu',
      resource_group_name: 'fleet-westeurope',
      location: LOCATION,
      sku: 'Premium',
      capacity: 1,
      premium_messaging_partitions: 1,
    });
    expect(namespace.sku).toBe('Premium');
    expect(namespace.fullyQualifiedName).toBe('fleet-prod-weu.servicebus.windows.net');
  });

  it('turns SAS keys off, requires TLS 1.2 and closes the public endpoint', () => {
    expect(resource.local_auth_enabled).toBe(false);
    expect(resource.minimum_tls_version).toBe('1.2');
    expect(resource.public_network_access_enabled).toBe(false);
  });

  it('is protected from destroy and tagged', () => {
    expect(resource.lifecycle).toEqual({ prevent_destroy: true });
    expect(resource.tags).toEqual({ 'managed-by': 'agent-fleet' });
  });

  it('creates no authorization rule, so no key exists', () => {
    expect(json.resource.azurerm_servicebus_namespace_authorization_rule).toBeUndefined();
    expect(json.resource.azurerm_servicebus_queue_authorization_rule).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/SharedAccessKey|connection_string|primary_key/i);
  });
});

describe('Standard tier', () => {
  it('keeps the public endpoint (no private endpoints on Standard) and sets no capacity', () => {
    const { json } = synth({ sku: 'Standard' });
    const resource = resourceOf(json, 'azurerm_servicebus_namespace');
    expect(resource.sku).toBe('Standard');
    expect(resource.public_network_access_enabled).toBe(true);
    expect(resource.local_auth_enabled).toBe(false);
    expect(resource).not.toHaveProperty('capacity');
    expect(resource).not.toHaveProperty('premium_messaging_partitions');
  });
});

describe('queue defaults', () => {
  const { json, queue } = synth();
  const resource = resourceOf(json, 'azurerm_servicebus_queue');

  it('dead-letters expired messages and after 5 deliveries (GR-DUR-07)', () => {
    expect(resource.dead_lettering_on_message_expiration).toBe(true);
    expect(resource.max_delivery_count).toBe(5);
    expect(queue.maxDeliveryCount).toBe(5);
    expect(queue.deadLetterPath).toBe('chimera-tasks/$deadletterqueue');
  });

  it('locks a message for the 30 s processing time plus a 30 s margin', () => {
    expect(resource.lock_duration).toBe('PT1M');
    expect(queue.lockDuration.toSeconds()).toBe(60);
  });

  it('keeps messages 14 days, without partitioning, duplicate detection or sessions', () => {
    expect(resource).toMatchObject({
      name: 'chimera-tasks',
      default_message_ttl: 'P14D',
      partitioning_enabled: false,
      requires_duplicate_detection: false,
      requires_session: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(resource.namespace_id).toMatch(/^\$\{azurerm_servicebus_namespace\.\w+\.id\}$/);
  });
});

describe('binding', () => {
  it('takes the delivery limit and sizes the lock from the processing time', () => {
    const { json } = synth(
      {},
      {
        binding: {
          queue: 'chimera-tasks',
          deadLetter: { deliveryLimit: 3 },
          consumer: { maxProcessingTime: Duration.parse('2m500ms') },
        },
        lockMargin: Duration.seconds(10),
        messageTimeToLive: Duration.parse('1d12h'),
      },
    );
    const resource = resourceOf(json, 'azurerm_servicebus_queue');
    expect(resource.max_delivery_count).toBe(3);
    // 120.5 s rounds up to 121 s, plus 10 s.
    expect(resource.lock_duration).toBe('PT2M11S');
    expect(resource.default_message_ttl).toBe('P1DT12H');
  });

  it('accepts exactly 5 minutes of lock', () => {
    const { json } = synth(
      {},
      { binding: { queue: 'q', consumer: { maxProcessingTime: Duration.parse('4m30s') } } },
    );
    expect(resourceOf(json, 'azurerm_servicebus_queue').lock_duration).toBe('PT5M');
  });
});

describe('grants', () => {
  const { json } = synth();
  const assignments = resourcesOf(json, 'azurerm_role_assignment');
  const queueId = /^\$\{azurerm_servicebus_queue\.bus_chimera-tasks_\w+\.id\}$/;
  const byRole = (role: string) => assignments.filter((a) => a.role_definition_name === role);

  it('scopes every role assignment to the one queue, for service principals', () => {
    expect(assignments).toHaveLength(3);
    for (const assignment of assignments) {
      expect(assignment.scope).toMatch(queueId);
      expect(assignment.principal_type).toBe('ServicePrincipal');
    }
  });

  it('receive: Data Receiver for the agent', () => {
    const [receive] = byRole('Azure Service Bus Data Receiver');
    expect(receive.principal_id).toMatch(/azurerm_user_assigned_identity\.agent_\w+\.principal_id/);
  });

  it('send: Data Sender for the publisher', () => {
    const [send] = byRole('Azure Service Bus Data Sender');
    expect(send.principal_id).toMatch(
      /azurerm_user_assigned_identity\.dispatcher_\w+\.principal_id/,
    );
  });

  it("KEDA's scaler: Data Owner (the Manage claim reads runtime properties), on the queue only", () => {
    const [owner] = byRole('Azure Service Bus Data Owner');
    expect(owner.principal_id).toMatch(/azurerm_user_assigned_identity\.keda_\w+\.principal_id/);
    expect(owner.scope).toMatch(queueId);
  });
});

describe('isoDuration', () => {
  it.each([
    [Duration.seconds(45), 'PT45S'],
    [Duration.seconds(90), 'PT1M30S'],
    [Duration.minutes(5), 'PT5M'],
    [Duration.hours(25), 'P1DT1H'],
    [Duration.days(14), 'P14D'],
    [Duration.seconds(0), 'PT0S'],
  ])('%s renders as %s', (duration, iso) => {
    expect(isoDuration(duration)).toBe(iso);
  });
});

describe('validation', () => {
  it('refuses a bad namespace name and messaging units on Standard', () => {
    const build = () => synth({ name: 'fleet-sb', sku: 'Standard', messagingUnits: 2 });
    expect(build).toThrow(ValidationError);
    expect(build).toThrow("'name': 'fleet-sb' is not a Service Bus namespace name");
    expect(build).toThrow("'messagingUnits': 2: messaging units apply to Premium namespaces only");
  });

  it('refuses 3 messaging units and a name ending in -mgmt', () => {
    const build = () => synth({ name: 'fleet-prod-mgmt', messagingUnits: 3 });
    expect(build).toThrow("'name': 'fleet-prod-mgmt' is not a Service Bus namespace name");
    expect(build).toThrow(
      "'messagingUnits': 3 is not a number of messaging units: 1, 2, 4, 8 or 16",
    );
  });

  it('refuses dead-lettering off, a bad delivery limit and a bad queue name, all at once', () => {
    const build = () =>
      synth(
        {},
        {
          binding: {
            queue: '-tasks',
            deadLetter: { enabled: false, reason: 'not wanted', deliveryLimit: 0 },
          },
        },
      );
    expect(build).toThrow(/test\/bus\/-tasks: 3 problem\(s\)/);
    expect(build).toThrow("'binding.queue': '-tasks' is not a Service Bus queue name");
    expect(build).toThrow(
      "'binding.deadLetter.enabled': false is not possible on Service Bus (GR-DUR-07)",
    );
    expect(build).toThrow(
      "'binding.deadLetter.deliveryLimit': 0 is not a Service Bus max delivery count",
    );
  });

  it('refuses a lock over 5 minutes, naming the processing time allowed', () => {
    const build = () =>
      synth({}, { binding: { queue: 'q', consumer: { maxProcessingTime: Duration.minutes(5) } } });
    expect(build).toThrow(
      "'binding.consumer.maxProcessingTime': 5m plus the lock margin 30s is 330s: a Service Bus lock lasts at most 5m, so the processing time must be at most 270s",
    );
  });

  it('refuses a zero margin and a too short time to live', () => {
    const build = () =>
      synth(
        {},
        {
          binding: { queue: 'q' },
          lockMargin: Duration.seconds(0),
          messageTimeToLive: Duration.seconds(30),
        },
      );
    expect(build).toThrow("'lockMargin': 0ms is not a lock margin");
    expect(build).toThrow("'messageTimeToLive': 30s is not a message time to live");
  });
});

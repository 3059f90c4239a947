import { Eventhub } from '@cdktf/provider-azurerm/lib/eventhub';
import { EventhubConsumerGroup } from '@cdktf/provider-azurerm/lib/eventhub-consumer-group';
import { EventhubNamespace } from '@cdktf/provider-azurerm/lib/eventhub-namespace';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Duration, Problem, ValidationError } from '../../model';
import { assignRole, AzureGrantee } from './agent-identity';
import { AZURE_MANAGED_BY_TAG } from './provider';

/** Port of the Kafka endpoint of every Event Hubs namespace (SASL over TLS). */
export const EVENT_HUBS_KAFKA_PORT = 9093;

/** Built-in role that reads events (and Kafka consumer offsets) of a hub. */
export const EVENT_HUBS_DATA_RECEIVER = 'Azure Event Hubs Data Receiver';
/** Built-in role that writes events to a hub. */
export const EVENT_HUBS_DATA_SENDER = 'Azure Event Hubs Data Sender';

/**
 * Tier of a namespace. Both have the Kafka endpoint (Basic has none, hence not offered):
 * - `Standard`: throughput units (1 to 40), 1 to 32 partitions and 1 to 7 days of
 *   retention per hub;
 * - `Premium`: processing units (1, 2, 4, 8 or 16), up to 100 partitions and 90 days.
 * @see https://learn.microsoft.com/azure/event-hubs/event-hubs-quotas
 */
export type EventHubsSku = 'Standard' | 'Premium';

/** Props of {@link EventHubsNamespace}. */
export interface EventHubsNamespaceProps {
  /**
   * Namespace name, global: 6 to 50 letters, digits or `-`, starting with a letter,
   * ending with a letter or digit.
   */
  readonly name: string;
  /** Resource group of the namespace; the caller creates it. */
  readonly resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** Tier of the namespace, which sets its units, partitions and retention. @default 'Standard' */
  readonly sku?: EventHubsSku;
  /**
   * Throughput units (Standard, 1 to 40) or processing units (Premium: 1, 2, 4, 8 or 16).
   * @default 1
   */
  readonly capacity?: number;
  /**
   * Standard only: let Azure raise the throughput units up to this many under load
   * (auto-inflate), `capacity` to 40.
   * @default - no auto-inflate
   */
  readonly maximumThroughputUnits?: number;
  /** Tags besides {@link AZURE_MANAGED_BY_TAG}. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An Event Hubs namespace as the fleet's managed Kafka:
 * - Kafka endpoint at {@link kafkaBootstrapServers} (Standard and Premium have it);
 * - local (SAS) authentication off: clients use Microsoft Entra ID (Kafka
 *   `SASL_SSL` with `OAUTHBEARER`) and role assignments, so no key exists;
 * - minimum TLS 1.2 (GR-ENC-11), public network access off (reach it through a
 *   private endpoint, GR-NET-09), `prevent_destroy` (GR-DUR-09);
 * - zone redundancy (GR-DUR-10): azurerm 4.x removed `zone_redundant` from this
 *   resource; Azure makes namespaces zone redundant by itself in regions with
 *   availability zones, so choose such a region.
 *
 * Topics come from {@link addTopic}: an event hub each, with its consumer groups.
 * @see https://learn.microsoft.com/azure/event-hubs/azure-event-hubs-apache-kafka-overview
 * @see https://learn.microsoft.com/azure/reliability/reliability-event-hubs
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/eventhub_namespace
 */
export class EventHubsNamespace extends Construct {
  /** The resource id of the namespace. */
  readonly namespaceId: string;
  /** The name of the namespace. */
  readonly namespaceName: string;
  /** The tier of the namespace, `Standard` unless the props say otherwise. */
  readonly sku: EventHubsSku;
  /** `<name>.servicebus.windows.net:9093`: the Kafka clients' `bootstrap.servers`. */
  readonly kafkaBootstrapServers: string;
  /** Resource group of the namespace and its consumer groups. */
  readonly resourceGroupName: string;

  constructor(scope: Construct, id: string, props: EventHubsNamespaceProps) {
    super(scope, id);
    const problems = validateNamespace(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.sku = props.sku ?? 'Standard';
    const namespace = new EventhubNamespace(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: this.sku,
      capacity: props.capacity ?? 1,
      autoInflateEnabled: props.maximumThroughputUnits !== undefined ? true : undefined,
      maximumThroughputUnits: props.maximumThroughputUnits,
      localAuthenticationEnabled: false,
      minimumTlsVersion: '1.2',
      publicNetworkAccessEnabled: false,
      tags: { ...props.tags, ...AZURE_MANAGED_BY_TAG },
      lifecycle: { preventDestroy: true },
    });
    this.namespaceId = namespace.id;
    this.namespaceName = namespace.name;
    this.resourceGroupName = props.resourceGroupName;
    this.kafkaBootstrapServers = `${props.name}.servicebus.windows.net:${EVENT_HUBS_KAFKA_PORT}`;
  }

  /** An event hub (Kafka topic) with its consumer groups; the topic name is the construct id. */
  addTopic(props: Omit<EventHubTopicProps, 'namespace'>): EventHubTopic {
    return new EventHubTopic(this, props.name, { ...props, namespace: this });
  }
}

/** Props of {@link EventHubTopic}. */
export interface EventHubTopicProps {
  /** The namespace the event hub lives in. */
  readonly namespace: EventHubsNamespace;
  /**
   * Event hub (Kafka topic) name: 1 to 256 letters, digits, `.`, `-` or `_`, starting
   * and ending with a letter or digit.
   */
  readonly name: string;
  /**
   * Partitions: 1 to 32 on Standard, 1 to 100 on Premium. Kafka consumers of one group
   * beyond this count sit idle. Only Premium can add partitions later; Azure never
   * removes any.
   */
  readonly partitions: number;
  /**
   * How long events are kept: whole days, 1 to 7 on Standard, 1 to 90 on Premium.
   * @default 1 day
   */
  readonly retention?: Duration;
  /**
   * Consumer groups (Kafka `group.id`s) to create: 1 to 50 letters, digits, `.`, `-`
   * or `_`, starting and ending with a letter or digit; not `$Default`, which always
   * exists. With Kafka clients Event Hubs also creates groups on first use; declaring
   * them keeps them visible and owned.
   * @default - none
   */
  readonly consumerGroups?: readonly string[];
}

/**
 * An event hub, which Kafka clients see as a topic, with one
 * `azurerm_eventhub_consumer_group` per consumer group, and `prevent_destroy`.
 * Access is given with {@link grantReceive} and {@link grantSend}: role assignments
 * on this hub only.
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/eventhub
 * @see https://learn.microsoft.com/azure/event-hubs/authorize-access-azure-active-directory
 */
export class EventHubTopic extends Construct {
  /** Resource id: the scope of the grants. */
  readonly eventHubId: string;
  /** The name of the event hub, which Kafka clients use as the topic name. */
  readonly eventHubName: string;
  /** The number of partitions of the event hub. */
  readonly partitions: number;
  /** The consumer groups created, by name. */
  readonly consumerGroups: readonly string[];

  constructor(scope: Construct, id: string, props: EventHubTopicProps) {
    super(scope, id);
    const problems = validateTopic(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const { namespace } = props;
    const hub = new Eventhub(this, 'Resource', {
      name: props.name,
      namespaceId: namespace.namespaceId,
      partitionCount: props.partitions,
      messageRetention: (props.retention ?? Duration.days(1)).millis / 86_400_000,
      lifecycle: { preventDestroy: true },
    });
    for (const group of props.consumerGroups ?? []) {
      new EventhubConsumerGroup(this, group, {
        name: group,
        namespaceName: namespace.namespaceName,
        eventhubName: hub.name,
        resourceGroupName: namespace.resourceGroupName,
      });
    }
    this.eventHubId = hub.id;
    this.eventHubName = hub.name;
    this.partitions = props.partitions;
    this.consumerGroups = [...(props.consumerGroups ?? [])];
  }

  /** Lets the grantee read this hub (Kafka consume and commit offsets): {@link EVENT_HUBS_DATA_RECEIVER}. */
  grantReceive(grantee: AzureGrantee): RoleAssignment {
    return this.grant(grantee, 'Receive', EVENT_HUBS_DATA_RECEIVER);
  }

  /** Lets the grantee write to this hub (Kafka produce): {@link EVENT_HUBS_DATA_SENDER}. */
  grantSend(grantee: AzureGrantee): RoleAssignment {
    return this.grant(grantee, 'Send', EVENT_HUBS_DATA_SENDER);
  }

  private grant(grantee: AzureGrantee, id: string, role: string): RoleAssignment {
    return assignRole(this, grantee, id, role, this.eventHubId, `event hub ${this.node.id}`);
  }
}

const NAMESPACE_NAME = /^[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]$/;

/** Whether Azure accepts an Event Hubs namespace name. */
export function isEventHubsNamespaceName(name: string): boolean {
  return NAMESPACE_NAME.test(name);
}
const HUB_NAME = /^(?=.{1,256}$)[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const GROUP_NAME = /^(?=.{1,50}$)[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const PROCESSING_UNITS = [1, 2, 4, 8, 16];

/** Per-tier limits of one event hub. */
const LIMITS: Readonly<Record<EventHubsSku, { partitions: number; retentionDays: number }>> = {
  Standard: { partitions: 32, retentionDays: 7 },
  Premium: { partitions: 100, retentionDays: 90 },
};

function validateNamespace(props: EventHubsNamespaceProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (!Token.isUnresolved(props.name) && !isEventHubsNamespaceName(props.name)) {
    add(
      ['name'],
      `'${props.name}' is not an Event Hubs namespace name: 6 to 50 letters, digits or '-', starting with a letter, ending with a letter or digit`,
    );
  }
  const sku = props.sku ?? 'Standard';
  if (!(sku in LIMITS)) {
    add(
      ['sku'],
      `'${String(sku)}' is not an Event Hubs tier here: 'Standard' or 'Premium' (Basic has no Kafka endpoint)`,
    );
  }
  const capacity = props.capacity ?? 1;
  if (sku === 'Premium' && !PROCESSING_UNITS.includes(capacity)) {
    add(['capacity'], `${capacity} is not a number of processing units: 1, 2, 4, 8 or 16`);
  }
  if (sku === 'Standard' && !(Number.isInteger(capacity) && capacity >= 1 && capacity <= 40)) {
    add(['capacity'], `${capacity} is not a number of throughput units: 1 to 40`);
  }
  const max = props.maximumThroughputUnits;
  if (max !== undefined) {
    if (sku !== 'Standard') {
      add(['maximumThroughputUnits'], `${max}: auto-inflate applies to Standard namespaces only`);
    } else if (!(Number.isInteger(max) && max >= capacity && max <= 40)) {
      add(
        ['maximumThroughputUnits'],
        `${max} must be a whole number from 'capacity' (${capacity}) to 40`,
      );
    }
  }
  return problems;
}

function validateTopic(props: EventHubTopicProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  const sku = props.namespace.sku;
  const limits = LIMITS[sku];
  if (!HUB_NAME.test(props.name)) {
    add(
      ['name'],
      `'${props.name}' is not an event hub name: 1 to 256 letters, digits, '.', '-' or '_', starting and ending with a letter or digit`,
    );
  }
  if (
    !Number.isInteger(props.partitions) ||
    props.partitions < 1 ||
    props.partitions > limits.partitions
  ) {
    add(
      ['partitions'],
      `${props.partitions} is not a partition count on ${sku}: a whole number from 1 to ${limits.partitions}`,
    );
  }
  const retention = props.retention ?? Duration.days(1);
  const days = retention.millis / 86_400_000;
  if (!Number.isInteger(days) || days < 1 || days > limits.retentionDays) {
    add(
      ['retention'],
      `${retention} is not a retention on ${sku}: whole days from 1d to ${limits.retentionDays}d`,
    );
  }
  const seen = new Set<string>();
  (props.consumerGroups ?? []).forEach((group, i) => {
    if (group.toLowerCase() === '$default') {
      add(['consumerGroups', i], `'${group}' always exists: leave it out`);
    } else if (!GROUP_NAME.test(group)) {
      add(
        ['consumerGroups', i],
        `'${group}' is not a consumer group name: 1 to 50 letters, digits, '.', '-' or '_', starting and ending with a letter or digit`,
      );
    }
    if (seen.has(group)) add(['consumerGroups', i], `'${group}' is listed twice`);
    seen.add(group);
  });
  return problems;
}

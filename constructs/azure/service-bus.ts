import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ServicebusNamespace } from '@cdktf/provider-azurerm/lib/servicebus-namespace';
import { ServicebusQueue } from '@cdktf/provider-azurerm/lib/servicebus-queue';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  Duration,
  Problem,
  QueueBinding,
  SERVICE_BUS_LOCK_MARGIN,
  ValidationError,
} from '../../model';
import { assignRole, AzureGrantee } from './agent-identity';
import { AZURE_MANAGED_BY_TAG } from './provider';

/** Deliveries before Service Bus dead-letters a message, when the binding does not say. */
export const DEFAULT_MAX_DELIVERY_COUNT = 5;

/** Processing time of one message, when the binding does not say (as the model's default). */
export const DEFAULT_PROCESSING_TIME = Duration.seconds(30);

/** Added to the processing time to make the lock duration, when the props do not say. */
export const DEFAULT_LOCK_MARGIN = SERVICE_BUS_LOCK_MARGIN;

/** How long a queue keeps a message before it expires into the dead-letter queue, by default. */
export const DEFAULT_MESSAGE_TTL = Duration.days(14);

/** Longest peek-lock Service Bus grants: 5 minutes. */
export const MAX_LOCK_DURATION = Duration.minutes(5);
const MIN_LOCK_DURATION = Duration.seconds(5);

/** Built-in role that receives (peek-lock, complete, abandon, dead-letter). */
export const SERVICE_BUS_DATA_RECEIVER = 'Azure Service Bus Data Receiver';
/** Built-in role that sends. */
export const SERVICE_BUS_DATA_SENDER = 'Azure Service Bus Data Sender';
/** Built-in role with the `Manage` claim, which reading an entity's runtime properties needs. */
export const SERVICE_BUS_DATA_OWNER = 'Azure Service Bus Data Owner';

/**
 * Tier of a namespace:
 * - `Premium`: dedicated messaging units, zone redundant in regions with availability
 *   zones, private endpoints, public network access turned off;
 * - `Standard`: shared capacity; private endpoints and virtual network rules are
 *   Premium-only, so a Standard namespace keeps its public endpoint (every request
 *   still needs a Microsoft Entra token, over TLS 1.2).
 * @see https://learn.microsoft.com/azure/service-bus-messaging/service-bus-premium-messaging
 * @see https://learn.microsoft.com/azure/service-bus-messaging/private-link-service
 */
export type ServiceBusSku = 'Standard' | 'Premium';

/** Props of {@link ServiceBusNamespace}. */
export interface ServiceBusNamespaceProps {
  /**
   * Namespace name, global: 6 to 50 letters, digits or `-`, starting with a letter,
   * ending with a letter or digit, not ending in `-sb` or `-mgmt`.
   */
  readonly name: string;
  /** Resource group of the namespace; the caller creates it. */
  readonly resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** Tier of the namespace. @default 'Premium' (zone redundancy and private access) */
  readonly sku?: ServiceBusSku;
  /**
   * Messaging units of a Premium namespace: 1, 2, 4, 8 or 16. Not allowed on Standard.
   * @default 1 on Premium
   */
  readonly messagingUnits?: number;
  /** Tags besides {@link AZURE_MANAGED_BY_TAG}. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A Service Bus namespace for the fleet's queues:
 * - local (SAS) authentication off: Microsoft Entra ID and role assignments only
 *   (GR-IAM-03, GR-SEC-01), so no key or connection string exists to leak;
 * - minimum TLS 1.2;
 * - Premium by default, with public network access off (reach it through a private
 *   endpoint) and one messaging partition; Premium namespaces are zone redundant in
 *   regions with availability zones, which azurerm 4.x no longer sets (its
 *   `zone_redundant` argument was removed);
 * - Standard keeps public network access on: see {@link ServiceBusSku}.
 *
 * Queues come from {@link addQueue}, one per agent binding.
 * @see https://learn.microsoft.com/azure/service-bus-messaging/disable-local-authentication
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/servicebus_namespace
 */
export class ServiceBusNamespace extends Construct {
  /** Resource id: the scope of namespace role assignments and the autoscale metric source. */
  readonly namespaceId: string;
  /** The name of the namespace. */
  readonly namespaceName: string;
  /** The tier of the namespace, `Premium` unless the props say otherwise. */
  readonly sku: ServiceBusSku;
  /** `<name>.servicebus.windows.net`: what clients and KEDA's `namespace` connect to. */
  readonly fullyQualifiedName: string;

  constructor(scope: Construct, id: string, props: ServiceBusNamespaceProps) {
    super(scope, id);
    const problems = validateNamespace(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.sku = props.sku ?? 'Premium';
    const premium = this.sku === 'Premium';
    const namespace = new ServicebusNamespace(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: this.sku,
      capacity: premium ? (props.messagingUnits ?? 1) : undefined,
      premiumMessagingPartitions: premium ? 1 : undefined,
      localAuthEnabled: false,
      minimumTlsVersion: '1.2',
      publicNetworkAccessEnabled: !premium,
      tags: { ...props.tags, ...AZURE_MANAGED_BY_TAG },
      lifecycle: { preventDestroy: true },
    });
    this.namespaceId = namespace.id;
    this.namespaceName = namespace.name;
    this.fullyQualifiedName = `${props.name}.servicebus.windows.net`;
  }

  /** A queue for one agent binding; the binding's queue name is the construct id. */
  addQueue(props: Omit<AgentServiceBusQueueProps, 'namespace'>): AgentServiceBusQueue {
    return new AgentServiceBusQueue(this, props.binding.queue, { ...props, namespace: this });
  }
}

/** Props of {@link AgentServiceBusQueue}. */
export interface AgentServiceBusQueueProps {
  /** The namespace the queue lives in. */
  readonly namespace: ServiceBusNamespace;
  /**
   * The agent's binding: `queue` names the queue (1 to 260 letters, digits, `.`, `-`,
   * `_`, `/` or `~`, starting and ending with a letter or digit);
   * `deadLetter.deliveryLimit` becomes `max_delivery_count` (default
   * {@link DEFAULT_MAX_DELIVERY_COUNT}); `consumer.maxProcessingTime` sizes the lock
   * (default 30 s). Service Bus always dead-letters into the queue's own
   * `$deadletterqueue`, so `deadLetter.enabled: false` is refused and
   * `deadLetter.queue`/`exchange` do not apply. The broker and AMQP-only fields are ignored.
   */
  readonly binding: Pick<QueueBinding, 'queue' | 'deadLetter' | 'consumer'>;
  /**
   * Time added to the processing time to make the peek-lock duration, so the lock
   * does not lapse while a replica still works on the message. Whole seconds, at
   * least 1 s; processing time plus margin at most 5 minutes.
   * @default 30 s
   */
  readonly lockMargin?: Duration;
  /**
   * Time to live of a message: an expired message moves to the dead-letter queue.
   * Whole seconds, at least 1 minute.
   * @default 14 days
   */
  readonly messageTimeToLive?: Duration;
}

/**
 * A Service Bus queue for one agent binding:
 * - expired messages are dead-lettered (`dead_lettering_on_message_expiration`), and
 *   a message delivered `max_delivery_count` times moves to the dead-letter queue
 *   (GR-DUR-07);
 * - the peek-lock outlasts the processing time (at most 5 minutes: longer work must
 *   renew its lock, and is refused here);
 * - partitioning and duplicate detection off (neither can be changed after creation;
 *   consumers are idempotent instead), no sessions;
 * - `prevent_destroy` (GR-DUR-09).
 * Access is given with {@link grantReceive}, {@link grantSend} and
 * {@link grantScaleReader}, each a role assignment on this queue only.
 * @see https://learn.microsoft.com/azure/service-bus-messaging/service-bus-dead-letter-queues
 * @see https://learn.microsoft.com/azure/service-bus-messaging/message-transfers-locks-settlement#peeklock
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/servicebus_queue
 */
export class AgentServiceBusQueue extends Construct {
  /** Resource id: the scope of the grants. */
  readonly queueId: string;
  /** The name of the queue: the binding's `queue`. */
  readonly queueName: string;
  /** Name of the namespace, for KEDA's `namespace` and the agent's configuration. */
  readonly namespaceName: string;
  /** Resource id of the namespace: the autoscale metric source. */
  readonly namespaceId: string;
  /** The dead-letter sub-queue as clients address it: `<queue>/$deadletterqueue`. */
  readonly deadLetterPath: string;
  /** Deliveries of a message before it is dead-lettered. */
  readonly maxDeliveryCount: number;
  /** The peek-lock duration: processing time plus margin. */
  readonly lockDuration: Duration;

  constructor(scope: Construct, id: string, props: AgentServiceBusQueueProps) {
    super(scope, id);
    const problems = validateQueue(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const { binding, namespace } = props;
    this.maxDeliveryCount = binding.deadLetter?.deliveryLimit ?? DEFAULT_MAX_DELIVERY_COUNT;
    this.lockDuration = lockDuration(props);
    const queue = new ServicebusQueue(this, 'Resource', {
      name: binding.queue,
      namespaceId: namespace.namespaceId,
      lockDuration: isoDuration(this.lockDuration),
      maxDeliveryCount: this.maxDeliveryCount,
      deadLetteringOnMessageExpiration: true,
      defaultMessageTtl: isoDuration(props.messageTimeToLive ?? DEFAULT_MESSAGE_TTL),
      partitioningEnabled: false,
      requiresDuplicateDetection: false,
      requiresSession: false,
      lifecycle: { preventDestroy: true },
    });
    this.queueId = queue.id;
    this.queueName = queue.name;
    this.namespaceName = namespace.namespaceName;
    this.namespaceId = namespace.namespaceId;
    this.deadLetterPath = `${binding.queue}/$deadletterqueue`;
  }

  /** Lets the grantee receive and settle messages of this queue: {@link SERVICE_BUS_DATA_RECEIVER}. */
  grantReceive(grantee: AzureGrantee): RoleAssignment {
    return this.grant(grantee, 'Receive', SERVICE_BUS_DATA_RECEIVER);
  }

  /** Lets the grantee send to this queue: {@link SERVICE_BUS_DATA_SENDER}. */
  grantSend(grantee: AzureGrantee): RoleAssignment {
    return this.grant(grantee, 'Send', SERVICE_BUS_DATA_SENDER);
  }

  /**
   * What KEDA's `azure-servicebus` scaler needs to read the queue's active message
   * count with workload identity: {@link SERVICE_BUS_DATA_OWNER}, on this queue only.
   * The scaler reads the queue's runtime properties through the management
   * (ATOM) API, which needs the `Manage` claim; Data Receiver carries only `Listen`.
   * KEDA documents `Manage` for SAS policies and assigns Data Owner to its own
   * identity in its workload identity sample. Give it to KEDA's identity, never to
   * the agent's.
   * @see https://keda.sh/docs/latest/scalers/azure-service-bus/
   * @see https://github.com/kedacore/sample-dotnet-worker-servicebus-queue/blob/main/workload-identity.md
   * @see https://github.com/kedacore/keda/issues/806
   */
  grantScaleReader(grantee: AzureGrantee): RoleAssignment {
    return this.grant(grantee, 'ScaleReader', SERVICE_BUS_DATA_OWNER);
  }

  private grant(grantee: AzureGrantee, id: string, role: string): RoleAssignment {
    return assignRole(this, grantee, id, role, this.queueId, `Service Bus queue ${this.node.id}`);
  }
}

/** Processing time rounded up to whole seconds, plus the margin. */
function lockDuration(props: AgentServiceBusQueueProps): Duration {
  const processing = props.binding.consumer?.maxProcessingTime ?? DEFAULT_PROCESSING_TIME;
  const margin = props.lockMargin ?? DEFAULT_LOCK_MARGIN;
  return Duration.seconds(processing.toSecondsCeil()).plus(margin);
}

/** ISO 8601 duration in days, hours, minutes and seconds, as Azure returns it: `PT1M30S`, `P14D`. */
export function isoDuration(duration: Duration): string {
  let seconds = duration.toSeconds();
  const days = Math.floor(seconds / 86_400);
  seconds -= days * 86_400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  const date = days ? `${days}D` : '';
  if (!date && !time) return 'PT0S';
  return `P${date}${time ? `T${time}` : ''}`;
}

const NAMESPACE_NAME = /^[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]$/;

/** Whether Azure accepts a Service Bus namespace name (it must not end in `-sb` or `-mgmt`). */
export function isServiceBusNamespaceName(name: string): boolean {
  return NAMESPACE_NAME.test(name) && !/-(sb|mgmt)$/.test(name);
}
const QUEUE_NAME = /^(?=.{1,260}$)[A-Za-z0-9]([A-Za-z0-9._/~-]*[A-Za-z0-9])?$/;
const MESSAGING_UNITS = [1, 2, 4, 8, 16];

function validateNamespace(props: ServiceBusNamespaceProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (!Token.isUnresolved(props.name) && !isServiceBusNamespaceName(props.name)) {
    add(
      ['name'],
      `'${props.name}' is not a Service Bus namespace name: 6 to 50 letters, digits or '-', starting with a letter, ending with a letter or digit, not ending in '-sb' or '-mgmt'`,
    );
  }
  const sku = props.sku ?? 'Premium';
  if (sku !== 'Premium' && sku !== 'Standard') {
    add(['sku'], `'${String(sku)}' is not a Service Bus tier here: 'Premium' or 'Standard'`);
  }
  const units = props.messagingUnits;
  if (units !== undefined) {
    if (sku !== 'Premium') {
      add(['messagingUnits'], `${units}: messaging units apply to Premium namespaces only`);
    } else if (!MESSAGING_UNITS.includes(units)) {
      add(['messagingUnits'], `${units} is not a number of messaging units: 1, 2, 4, 8 or 16`);
    }
  }
  return problems;
}

function validateQueue(props: AgentServiceBusQueueProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  const { binding } = props;
  if (!QUEUE_NAME.test(binding.queue)) {
    add(
      ['binding', 'queue'],
      `'${binding.queue}' is not a Service Bus queue name: 1 to 260 letters, digits, '.', '-', '_', '/' or '~', starting and ending with a letter or digit`,
    );
  }
  const dead = binding.deadLetter;
  if (dead?.enabled === false) {
    add(
      ['binding', 'deadLetter', 'enabled'],
      'false is not possible on Service Bus (GR-DUR-07): every queue dead-letters into its own $deadletterqueue after max_delivery_count deliveries',
    );
  }
  const limit = dead?.deliveryLimit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    add(
      ['binding', 'deadLetter', 'deliveryLimit'],
      `${limit} is not a Service Bus max delivery count: a whole number, at least 1`,
    );
  }
  const processing = binding.consumer?.maxProcessingTime ?? DEFAULT_PROCESSING_TIME;
  const margin = props.lockMargin ?? DEFAULT_LOCK_MARGIN;
  if (margin.millis < 1000 || margin.millis % 1000 !== 0) {
    add(
      ['lockMargin'],
      `${margin} is not a lock margin: whole seconds, at least 1s, so the lock outlasts the processing time`,
    );
  } else if (processing.millis === 0) {
    add(['binding', 'consumer', 'maxProcessingTime'], '0s is not a processing time');
  } else {
    const lock = lockDuration(props);
    if (lock.isLongerThan(MAX_LOCK_DURATION)) {
      add(
        ['binding', 'consumer', 'maxProcessingTime'],
        `${processing} plus the lock margin ${margin} is ${lock}: a Service Bus lock lasts at most 5m, so the processing time must be at most ${Duration.millis(MAX_LOCK_DURATION.millis - margin.millis)} (longer work must renew its lock, or use another broker)`,
      );
    } else if (MIN_LOCK_DURATION.isLongerThan(lock)) {
      add(['lockMargin'], `the lock duration ${lock} is below the Service Bus minimum of 5s`);
    }
  }
  const ttl = props.messageTimeToLive;
  if (ttl !== undefined && (ttl.millis % 1000 !== 0 || Duration.minutes(1).isLongerThan(ttl))) {
    add(['messageTimeToLive'], `${ttl} is not a message time to live: whole seconds, at least 1m`);
  }
  return problems;
}

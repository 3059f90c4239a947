import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../../engine/types';
import { containersOf, envOf, field, int, many, workloadOf } from './support';

/** A policy of a definitions document, its pattern compiled once. */
interface Policy {
  readonly vhost: string;
  readonly appliesTo: (type: string) => boolean;
  /** Undefined when the pattern is not a valid regular expression (RabbitMQ refuses it). */
  readonly pattern: RegExp | undefined;
  readonly priority: number;
  readonly deadLetterExchange: unknown;
}

/** A RabbitMQ topology (definitions file) found in a ConfigMap or Secret of the site, indexed. */
interface Definitions {
  readonly where: string;
  /** Queues by vhost and name ({@link inVhost}). */
  readonly queues: ReadonlyMap<string, any>;
  /** Vhost and name ({@link inVhost}) of each declared exchange. */
  readonly exchanges: ReadonlySet<string>;
  /** Vhost and name ({@link inVhost}) of each exchange bound to a queue. */
  readonly boundToQueues: ReadonlySet<string>;
  /** Highest priority first, as RabbitMQ picks the one policy it applies. */
  readonly policies: readonly Policy[];
}

const POLICY_TARGETS: Readonly<Record<string, (type: string) => boolean>> = {
  all: () => true,
  queues: () => true,
  classic_queues: (type) => type === 'classic',
  quorum_queues: (type) => type === 'quorum',
  streams: (type) => type === 'stream',
};

/** A key for a name in a vhost; JSON keeps names with spaces apart. */
const inVhost = (vhost: unknown, name: unknown) => JSON.stringify([vhost ?? '/', name]);

function compiled(pattern: unknown): RegExp | undefined {
  try {
    return new RegExp(String(pattern));
  } catch {
    return undefined;
  }
}

/** Items by key; the first of several with one key, as a linear search would find. */
function firstByKey<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  const index = new Map<string, T>();
  for (const item of items) if (!index.has(key(item))) index.set(key(item), item);
  return index;
}

function indexed(where: string, parsed: any): Definitions {
  return {
    where,
    queues: firstByKey(parsed.queues, (queue: any) => inVhost(queue.vhost, queue.name)),
    exchanges: new Set(many(parsed.exchanges).map((e: any) => inVhost(e.vhost, e.name))),
    boundToQueues: new Set(
      many(parsed.bindings)
        .filter((binding: any) => (binding.destination_type ?? 'queue') === 'queue')
        .map((binding: any) => inVhost(binding.vhost, binding.source)),
    ),
    policies: many(parsed.policies)
      .map((policy: any) => ({
        vhost: policy.vhost ?? '/',
        appliesTo: POLICY_TARGETS[policy['apply-to'] ?? 'all'] ?? (() => false),
        pattern: compiled(policy.pattern),
        priority: int(policy.priority) ?? 0,
        deadLetterExchange: policy.definition?.['dead-letter-exchange'],
      }))
      .sort((a: Policy, b: Policy) => b.priority - a.priority),
  };
}

/** Every RabbitMQ definitions document of the site: JSON data with a `queues` list. */
function definitionsInUncached(scope: RuleScope): Definitions[] {
  const found: Definitions[] = [];
  for (const type of ['kubernetes_config_map_v1', 'kubernetes_config_map']) {
    for (const configMap of scope.ofType(type)) {
      for (const text of Object.values(field(configMap.attributes, 'data') ?? {})) {
        if (typeof text !== 'string' || !text.includes('"queues"')) continue;
        let parsed: any;
        try {
          parsed = JSON.parse(text);
        } catch {
          continue; // Not a definitions document.
        }
        if (Array.isArray(parsed?.queues)) found.push(indexed(configMap.path, parsed));
      }
    }
  }
  return found;
}

/** {@link definitionsInUncached}, computed once per scope. */
function definitionsIn(scope: RuleScope): Definitions[] {
  return scope.memo('fleet:definitions', () => definitionsInUncached(scope));
}

/**
 * The dead-letter exchange of a queue: its `x-dead-letter-exchange` argument,
 * else the `dead-letter-exchange` of the one policy RabbitMQ applies (the
 * matching policy of highest priority).
 */
function deadLetterExchange(queue: any, definitions: Definitions): string | undefined {
  const own = queue.arguments?.['x-dead-letter-exchange'];
  if (typeof own === 'string') return own;
  const type = String(queue.arguments?.['x-queue-type'] ?? 'classic');
  const vhost = queue.vhost ?? '/';
  const applying = definitions.policies.find(
    (policy) =>
      policy.vhost === vhost && policy.appliesTo(type) && policy.pattern?.test(queue.name),
  );
  const exchange = applying?.deadLetterExchange;
  return typeof exchange === 'string' ? exchange : undefined;
}

function rabbitMqVerdict(queueName: string, vhost: string, all: Definitions[]): string | undefined {
  for (const definitions of all) {
    const queue = definitions.queues.get(inVhost(vhost, queueName));
    if (!queue) continue;
    const exchange = deadLetterExchange(queue, definitions);
    if (exchange === undefined) {
      return `RabbitMQ queue '${queueName}' (${definitions.where}) has no dead-letter exchange`;
    }
    // The default exchange ('') routes by queue name; any other must exist and route somewhere.
    if (exchange === '') return undefined;
    const declared = definitions.exchanges.has(inVhost(vhost, exchange));
    const bound = definitions.boundToQueues.has(inVhost(vhost, exchange));
    if (!declared || !bound) {
      return `dead-letter exchange '${exchange}' of queue '${queueName}' is ${declared ? 'bound to no queue' : 'not declared'}: dead-lettered messages are dropped`;
    }
    return undefined;
  }
  return all.length > 0
    ? `RabbitMQ queue '${queueName}' (vhost ${vhost}) is declared in no broker topology of the site`
    : undefined;
}

/** Resources of a type by name, once per scope. */
function byName(scope: RuleScope, type: string): Map<string, ResourceView> {
  return scope.memo(`fleet:by-name:${type}`, () =>
    firstByKey(scope.ofType(type), (resource) => String(resource.attributes.name)),
  );
}

/** Separate SQS redrive policies by the address of the queue their `queue_url` refers to. */
function redrivePolicies(scope: RuleScope): Map<string, ResourceView> {
  return scope.memo('fleet:sqs-redrive-policies', () =>
    firstByKey(
      scope.ofType('aws_sqs_queue_redrive_policy'),
      (policy) =>
        /\$\{(aws_sqs_queue\.[^.}]+)\./.exec(String(policy.attributes.queue_url))?.[1] ?? '',
    ),
  );
}

function sqsVerdict(queueName: string, scope: RuleScope): string | undefined {
  const queue = byName(scope, 'aws_sqs_queue').get(queueName);
  if (!queue) return `no SQS queue '${queueName}' in the site`;
  const separate = redrivePolicies(scope).get(queue.address);
  const text = separate ? separate.attributes.redrive_policy : queue.attributes.redrive_policy;
  let redrive: any;
  try {
    redrive = typeof text === 'string' ? JSON.parse(text) : text;
  } catch {
    redrive = undefined;
  }
  if (!redrive?.deadLetterTargetArn) return `SQS queue '${queueName}' has no redrive policy`;
  if (int(redrive.maxReceiveCount) === undefined) {
    return `SQS queue '${queueName}' redrive policy has no maxReceiveCount`;
  }
  return undefined;
}

function serviceBusVerdict(queueName: string, scope: RuleScope): string | undefined {
  const queue = byName(scope, 'azurerm_servicebus_queue').get(queueName);
  if (!queue) return `no Service Bus queue '${queueName}' in the site`;
  const missing: string[] = [];
  if (int(queue.attributes.max_delivery_count) === undefined) missing.push('max_delivery_count');
  if (queue.attributes.dead_lettering_on_message_expiration !== true) {
    missing.push('dead_lettering_on_message_expiration');
  }
  return missing.length === 0
    ? undefined
    : `Service Bus queue '${queueName}' does not set ${missing.join(' and ')}`;
}

/** What an agent's containers say about their queue binding. */
function bindingOf(resource: ResourceView): Record<string, string> | undefined {
  const workload = workloadOf(resource);
  if (!workload) return undefined;
  for (const container of containersOf(workload.pod)) {
    const env = envOf(container);
    if (env.FLEET_QUEUE_NAME) return env;
  }
  return undefined;
}

/**
 * GR-FLEET-03: every queue binding has a dead-letter destination. A message
 * an agent cannot process must be parked after a bounded number of attempts,
 * not redelivered for ever (a poison message stalls a quorum queue's
 * consumers) nor dropped. The agent names its queue (`FLEET_QUEUE_NAME`) in
 * the agents stack; the queue is declared elsewhere on the site, so the check
 * follows the binding to its broker:
 * - RabbitMQ: the queue in the broker's definitions, dead-lettered by its
 *   `x-dead-letter-exchange` argument or by the policy RabbitMQ applies (the
 *   matching one of highest priority: policies do not combine), and that
 *   exchange declared and bound to a queue (else dead-lettered messages vanish);
 * - SQS (`FLEET_QUEUE_URL`): a redrive policy with a target and `maxReceiveCount`;
 * - Service Bus (`FLEET_SERVICEBUS_NAMESPACE`): `max_delivery_count` stated and
 *   `dead_lettering_on_message_expiration` on (expired messages are otherwise
 *   deleted, not dead-lettered).
 * @see https://www.rabbitmq.com/docs/dlx
 * @see https://www.rabbitmq.com/docs/policies (one policy per queue)
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 * @see https://learn.microsoft.com/azure/service-bus-messaging/service-bus-dead-letter-queues
 * @see AwsSolutions-SQS3 (the SQS part alone)
 */
export const queueDeadLetter: GuardrailRule = {
  id: 'GR-FLEET-03',
  level: 'error',
  summary:
    "Every agent's queue dead-letters what it cannot process (RabbitMQ DLX, SQS redrive, Service Bus)",
  fix: 'keep `agents.<agent>.queue.deadLetter.enabled` true (the default); a queue whose dead-lettering is off in writing needs a suppression with the same reason; a queue of your own needs a DLX bound to a queue, SQS redrive or Service Bus dead-lettering',
  appliesTo: [
    'kubernetes_deployment_v1',
    'kubernetes_deployment',
    'kubernetes_stateful_set_v1',
    'kubernetes_stateful_set',
    'kubernetes_manifest',
  ],
  evaluate(resource, scope) {
    const env = bindingOf(resource);
    if (!env) return 'not-applicable';
    const queueName = env.FLEET_QUEUE_NAME;
    let problem: string | undefined;
    if (env.FLEET_QUEUE_URL !== undefined) problem = sqsVerdict(queueName, scope);
    else if (env.FLEET_SERVICEBUS_NAMESPACE !== undefined) {
      problem = serviceBusVerdict(queueName, scope);
    } else {
      const all = definitionsIn(scope);
      if (all.length === 0) return 'not-applicable';
      problem = rabbitMqVerdict(queueName, env.FLEET_QUEUE_VHOST ?? '/', all);
    }
    return problem ? violation(problem) : COMPLIANT;
  },
};

import { BrokerTopology, BrokerUser, escapeRegex } from '../../model';

/**
 * RabbitMQ definitions (the format of `rabbitmqctl export_definitions`),
 * imported by every node at boot and loadable into any broker with
 * `rabbitmqctl import_definitions` or `POST /api/definitions`.
 * @see https://www.rabbitmq.com/docs/definitions
 */
export interface Definitions {
  vhosts: { name: string }[];
  queues: {
    name: string;
    vhost: string;
    durable: boolean;
    auto_delete: boolean;
    arguments: Record<string, unknown>;
  }[];
  exchanges: {
    name: string;
    vhost: string;
    type: string;
    durable: boolean;
    auto_delete: boolean;
    internal: boolean;
    arguments: Record<string, unknown>;
  }[];
  bindings: {
    source: string;
    vhost: string;
    destination: string;
    destination_type: 'queue';
    routing_key: string;
    arguments: Record<string, unknown>;
  }[];
  policies: {
    vhost: string;
    name: string;
    pattern: string;
    'apply-to': 'queues';
    priority: number;
    definition: Record<string, unknown>;
  }[];
}

/**
 * The topology as definitions, without users: quorum queues; per queue a
 * policy with an explicit delivery limit, `reject-publish` overflow at its
 * maximum length and at-least-once dead-lettering into a fanout exchange bound
 * to a quorum dead-letter queue. Limits live in policies, not queue arguments,
 * so they can change without redeclaring the queue.
 * @see https://www.rabbitmq.com/docs/quorum-queues#dead-lettering
 */
export function topologyDefinitions(topology: BrokerTopology): Definitions {
  const definitions: Definitions = {
    vhosts: topology.vhosts.map((name) => ({ name })),
    queues: [],
    exchanges: [],
    bindings: [],
    policies: [],
  };
  const quorum = (vhost: string, name: string) => ({
    name,
    vhost,
    durable: true,
    auto_delete: false,
    arguments: { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': topology.quorumSize },
  });
  for (const { vhost, name, binding } of topology.queues) {
    definitions.queues.push(quorum(vhost, name));
    const limits: Record<string, unknown> = {
      'max-length': binding.maxLength,
      overflow: 'reject-publish',
    };
    if (binding.deadLetter.enabled) {
      const { exchange, queue, deliveryLimit } = binding.deadLetter;
      definitions.queues.push(quorum(vhost, queue));
      definitions.exchanges.push({
        name: exchange,
        vhost,
        type: 'fanout',
        durable: true,
        auto_delete: false,
        internal: false,
        arguments: {},
      });
      definitions.bindings.push({
        source: exchange,
        vhost,
        destination: queue,
        destination_type: 'queue',
        routing_key: '',
        arguments: {},
      });
      definitions.policies.push(policy(vhost, queue, { ...limits }));
      limits['dead-letter-exchange'] = exchange;
      limits['dead-letter-strategy'] = 'at-least-once';
      limits['delivery-limit'] = deliveryLimit;
    }
    definitions.policies.push(policy(vhost, name, limits));
  }
  return definitions;
}

function policy(vhost: string, queue: string, definition: Record<string, unknown>) {
  return {
    vhost,
    name: `agent-fleet.${queue}`,
    pattern: `^${escapeRegex(queue)}$`,
    'apply-to': 'queues' as const,
    priority: 10,
    definition,
  };
}

/** Users and permissions in definitions form, with their plain passwords (hashed by the broker on import). */
export function userDefinitions(
  users: readonly BrokerUser[],
  passwordOf: (user: string) => string,
): { users: object[]; permissions: object[] } {
  return {
    users: users.map((user) => ({
      name: user.name,
      password: passwordOf(user.name),
      tags: user.tags.join(','),
    })),
    permissions: users.flatMap((user) =>
      user.permissions.map((permission) => ({ user: user.name, ...permission })),
    ),
  };
}

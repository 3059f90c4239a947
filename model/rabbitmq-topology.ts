import { brokerReplicas, RabbitMqBrokerSpec } from './broker';
import { Problem } from './problems';
import { ResolvedQueueBinding, resolveQueueBinding } from './queue-binding';
import { ResolvedAgent } from './resolve';

/** A quorum queue and the policy that gives it its limits and dead-lettering. */
export interface QueueDeclaration {
  /** Virtual host the queue is in. */
  readonly vhost: string;
  /** Name of the queue. */
  readonly name: string;
  /** The binding that declares it: its first consumer's, or the defaults for a queue only published to. */
  readonly binding: ResolvedQueueBinding;
  /** Agents that consume it. */
  readonly consumers: readonly string[];
}

/** A broker user the fleet declares, with least-privilege permissions per vhost. */
export interface BrokerUser {
  /** User name: the agent's name, or `admin` or `keda`. */
  readonly name: string;
  /** RabbitMQ user tags, e.g. `monitoring`. */
  readonly tags: readonly string[];
  /** The user's permissions on each vhost it needs, as RabbitMQ regular expressions over resource names. */
  readonly permissions: readonly {
    /** The vhost the permissions apply to. */
    readonly vhost: string;
    /** Resources the user may declare and delete, e.g. `^$` for none. */
    readonly configure: string;
    /** Exchanges the user may publish to, e.g. `^amq\.default$` for the default exchange. */
    readonly write: string;
    /** Queues the user may consume from. */
    readonly read: string;
  }[];
}

/**
 * Everything one broker must hold for the agents bound to it: vhosts, a quorum
 * queue per binding with its dead-letter exchange and queue, and the users of
 * the agents (read their queue, write the default exchange when they publish)
 * and of KEDA (monitoring, no access to messages).
 */
export interface BrokerTopology {
  /** Name of the RabbitMQ broker. */
  readonly broker: string;
  /** Replicas of each quorum queue: the broker's node count. */
  readonly quorumSize: number;
  /** Every vhost a queue is declared in, sorted. */
  readonly vhosts: readonly string[];
  /** The queues to declare: those agents consume, then those only published to. */
  readonly queues: readonly QueueDeclaration[];
  /** The users to declare: the administrator, KEDA's, then one per agent bound to the broker. */
  readonly users: readonly BrokerUser[];
}

/** A binding that contradicts another on one broker, at the agent whose spec it is in. */
export type TopologyProblem = Problem & {
  /** The agent whose binding contradicts an earlier one. */
  readonly agent: string;
};

/** User KEDA reads queue depth as. */
export const KEDA_USER = 'keda';

/** User operators administer the broker as. */
export const ADMIN_USER = 'admin';

/**
 * Derives a broker's topology from the agents that consume from or publish to
 * it. Two agents that bind one queue with different settings are a problem
 * (paths are relative to the second agent's spec).
 */
export function brokerTopology(
  broker: RabbitMqBrokerSpec,
  agents: readonly ResolvedAgent[],
): { topology: BrokerTopology; problems: TopologyProblem[] } {
  const queues = new Map<string, QueueDeclaration>();
  const problems: TopologyProblem[] = [];
  const key = (vhost: string, name: string) => `${vhost}\u0000${name}`;

  for (const agent of agents) {
    const binding = agent.queue;
    if (!binding || binding.broker !== broker.name) continue;
    const existing = queues.get(key(binding.vhost, binding.queue));
    if (existing && existing.consumers.length > 0 && !sameSettings(existing.binding, binding)) {
      problems.push({
        agent: agent.spec.name,
        path: ['queue'],
        message: `binds queue '${binding.queue}' (vhost '${binding.vhost}') with other settings than agent '${existing.consumers[0]}': agents sharing a queue must declare it alike`,
      });
      continue;
    }
    queues.set(key(binding.vhost, binding.queue), {
      vhost: binding.vhost,
      name: binding.queue,
      binding,
      consumers: [...(existing?.consumers ?? []), agent.spec.name],
    });
  }
  for (const agent of agents) {
    for (const target of agent.spec.publishes ?? []) {
      if (target.broker !== broker.name) continue;
      const vhost = target.vhost ?? '/';
      if (queues.has(key(vhost, target.queue))) continue;
      // A queue nobody consumes yet still needs its limits and dead-lettering.
      queues.set(key(vhost, target.queue), {
        vhost,
        name: target.queue,
        binding: resolveQueueBinding({ broker: broker.name, vhost, queue: target.queue }),
        consumers: [],
      });
    }
  }

  const declared = [...queues.values()];
  const vhosts = [...new Set(declared.map((queue) => queue.vhost))].sort();
  return {
    topology: {
      broker: broker.name,
      quorumSize: brokerReplicas(broker),
      vhosts,
      queues: declared,
      users: [adminUser(vhosts), kedaUser(vhosts), ...agentUsers(broker, agents)],
    },
    problems,
  };
}

/** Whether two bindings declare their queue alike (consumer settings may differ). */
function sameSettings(a: ResolvedQueueBinding, b: ResolvedQueueBinding): boolean {
  const declaration = (binding: ResolvedQueueBinding) =>
    JSON.stringify([binding.maxLength, binding.deadLetter]);
  return declaration(a) === declaration(b);
}

function adminUser(vhosts: readonly string[]): BrokerUser {
  return {
    name: ADMIN_USER,
    tags: ['administrator'],
    permissions: vhosts.map((vhost) => ({ vhost, configure: '.*', write: '.*', read: '.*' })),
  };
}

function kedaUser(vhosts: readonly string[]): BrokerUser {
  // The monitoring tag reads queue statistics; empty permissions give vhost
  // access without touching a message.
  return {
    name: KEDA_USER,
    tags: ['monitoring'],
    permissions: vhosts.map((vhost) => ({ vhost, configure: '^$', write: '^$', read: '^$' })),
  };
}

function agentUsers(broker: RabbitMqBrokerSpec, agents: readonly ResolvedAgent[]): BrokerUser[] {
  const users: BrokerUser[] = [];
  for (const agent of agents) {
    const reads = new Map<string, string[]>();
    const writes = new Set<string>();
    if (agent.queue?.broker === broker.name) reads.set(agent.queue.vhost, [agent.queue.queue]);
    for (const target of agent.spec.publishes ?? []) {
      if (target.broker === broker.name) writes.add(target.vhost ?? '/');
    }
    const vhosts = [...new Set([...reads.keys(), ...writes])].sort();
    if (vhosts.length === 0) continue;
    users.push({
      name: agent.spec.name,
      tags: [],
      permissions: vhosts.map((vhost) => ({
        vhost,
        configure: '^$',
        // Publishing to a queue goes through the default exchange.
        write: writes.has(vhost) ? '^amq\\.default$' : '^$',
        read: reads.has(vhost)
          ? `^(${(reads.get(vhost) ?? []).map(escapeRegex).join('|')})$`
          : '^$',
      })),
    });
  }
  return users;
}

/** Escapes a name for a RabbitMQ (PCRE) pattern. */
export function escapeRegex(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { randomInt } from 'crypto';
import type { ChannelModel } from 'amqplib';
import { ADMIN_USER } from '../../model';
import { RabbitMqPorts, RabbitMqServer, startRabbitMq } from '../support/rabbitmq-server';
import { connectAmqp, publishConfirmed } from './amqp';

/**
 * One RabbitMQ node shared by the integration suites of a test file: booted
 * once (the expensive part), then loaded with one broker's definitions after
 * another through the management API.
 */

/** Like Terraform's `random_password` with `special = false`. */
function randomPassword(length = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** Generated passwords by user name, the same for a user on every broker loaded. */
export function passwordBook(): (user: string) => string {
  const passwords = new Map<string, string>();
  return (user) => {
    if (!passwords.has(user)) passwords.set(user, randomPassword());
    return passwords.get(user) as string;
  };
}

/** A booted node and the clients the suites use on it. */
export interface BrokerNode {
  readonly server: RabbitMqServer;
  readonly passwordOf: (user: string) => string;
  /** A management API call as `user` (default: the administrator). */
  api(
    method: string,
    resource: string,
    options?: { readonly user?: string; readonly body?: unknown },
  ): Promise<{ status: number; body: any }>;
  /** An AMQP connection as `user`. */
  amqp(user: string, vhost?: string): Promise<ChannelModel>;
  /**
   * Deletes every queue, exchange, policy and vhost but the defaults, then
   * imports `definitions` (`POST /api/definitions`), so that brokers whose
   * queues share names can be loaded one after another.
   */
  replaceDefinitions(definitions: object): Promise<void>;
  /** Publishes `count` messages to `queue` through the default exchange, as the administrator. */
  publish(vhost: string, queue: string, count: number): Promise<void>;
}

/**
 * Starts the node, importing `definitions` at boot, and returns its handle
 * once it answers. The caller stops `server` when done.
 */
export async function bootBrokerNode(
  definitions: Readonly<Record<string, object>>,
  passwordOf: (user: string) => string,
  ports?: RabbitMqPorts,
): Promise<BrokerNode> {
  // The suites wait for queue statistics: every second rather than every five.
  const server = await startRabbitMq({ definitions, ports, statisticsIntervalMs: 1_000 });
  const api: BrokerNode['api'] = async (method, resource, options = {}) => {
    const user = options.user ?? ADMIN_USER;
    const response = await fetch(`${server.managementUrl}/api/${resource}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${user}:${passwordOf(user)}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const ok = async (method: string, resource: string, body?: unknown) => {
    const response = await api(method, resource, { body });
    if (response.status >= 300) {
      throw new Error(
        `${method} /api/${resource}: ${response.status} ${JSON.stringify(response.body)}`,
      );
    }
    return response.body;
  };
  const amqp = (user: string, vhost = '/') =>
    connectAmqp({ port: server.ports.amqp, vhost, user, password: passwordOf(user) });
  const path = (vhost: string, name: string) =>
    `${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`;

  return {
    server,
    passwordOf,
    api,
    amqp,
    async replaceDefinitions(next) {
      for (const queue of await ok('GET', 'queues')) {
        await ok('DELETE', `queues/${path(queue.vhost, queue.name)}`);
      }
      for (const policy of await ok('GET', 'policies')) {
        await ok('DELETE', `policies/${path(policy.vhost, policy.name)}`);
      }
      for (const exchange of await ok('GET', 'exchanges')) {
        if (exchange.name === '' || exchange.name.startsWith('amq.')) continue;
        await ok('DELETE', `exchanges/${path(exchange.vhost, exchange.name)}`);
      }
      for (const vhost of await ok('GET', 'vhosts')) {
        if (vhost.name !== '/') await ok('DELETE', `vhosts/${encodeURIComponent(vhost.name)}`);
      }
      await ok('POST', 'definitions', next);
    },
    async publish(vhost, queue, count) {
      const connection = await amqp(ADMIN_USER, vhost);
      try {
        await publishConfirmed(
          connection,
          '',
          queue,
          Array.from({ length: count }, (_, i) => JSON.stringify({ task: i })),
        );
      } finally {
        await connection.close();
      }
    },
  };
}

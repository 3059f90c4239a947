import { Testing } from 'cdktf';
import { randomInt } from 'crypto';
import * as path from 'path';
import { loadFleet } from '../../config';
import {
  FleetEnvironment,
  rabbitMqBrokers,
  RabbitMqBrokerSpec,
  resolveAgent,
} from '../../constructs/model';
import {
  ADMIN_USER,
  BrokerTopology,
  brokerTopology,
  KEDA_USER,
  topologyDefinitions,
  userDefinitions,
} from '../../constructs/rabbitmq';
import { addEnvironment } from '../../stacks/fleet';
import { manifestsOf, TerraformJson } from '../support/fixtures';
import { RabbitMqServer, rabbitMqAvailable, startRabbitMq } from '../support/rabbitmq-server';
import { AmqpConnection } from './amqp-client';

/**
 * The `local` environment's broker topology, imported at boot by a real
 * RabbitMQ node configured by the project's own `rabbitmq.conf`, then checked
 * through the management API, AMQP, and the queue depth read the way the
 * generated KEDA trigger reads it.
 */

const ROOT = path.resolve(__dirname, '../..');
const ENVIRONMENT = 'local';
const SITE = 'dev';
const CONSUMER = 'image-processing';
const PUBLISHER = 'dispatcher';
const MESSAGES = 7;

function loadEnvironment(): FleetEnvironment {
  const result = loadFleet({ rootDir: ROOT, environments: [ENVIRONMENT] });
  if (!result.ok) throw new Error(`${ENVIRONMENT}: ${JSON.stringify(result.problems, null, 2)}`);
  return result.environments[0];
}

/** Like Terraform's `random_password` with `special = false`. */
function randomPassword(length = 32): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** Go's `url.QueryEscape`, which KEDA applies to the vhost and queue names. */
function goQueryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * The queue length KEDA's `rabbitmq` scaler reads over HTTP (kedacore/keda,
 * pkg/scalers/rabbitmq_scaler.go: `getVhostAndPathFromURL`,
 * `getQueueInfoViaHTTP`, `getQueueStatus`): the vhost is the last path
 * segment of `host` unless `vhostName` overrides it (query-escaped, `/`
 * becoming `/%2F`), any path before it is kept as a prefix, the URL is
 * `<host>/api/queues/<vhost>/<queue>` with the host's user info as basic auth,
 * and `QueueLength` is the `messages` field (ready + unacknowledged) unless
 * `excludeUnacknowledged` asks for `messages_ready`.
 */
async function kedaQueueLength(host: string, metadata: Record<string, string>): Promise<number> {
  const url = new URL(host);
  const parts = url.pathname.split('/');
  let vhost = `/${parts[parts.length - 1]}`;
  const prefix = parts.slice(0, -1).filter(Boolean).join('/');
  if (metadata.vhostName) vhost = `/${goQueryEscape(metadata.vhostName)}`;
  if (vhost === '/') vhost = '/%2F';
  const endpoint = `${url.protocol}//${url.host}${prefix ? `/${prefix}` : ''}/api/queues${vhost}/${goQueryEscape(metadata.queueName)}`;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  const response = await fetch(endpoint, {
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
  });
  if (response.status !== 200) {
    throw new Error(
      `KEDA would fail: ${response.status} ${await response.text()} from ${endpoint}`,
    );
  }
  const info = (await response.json()) as { messages?: number; messages_ready?: number };
  return (metadata.excludeUnacknowledged === 'true' ? info.messages_ready : info.messages) ?? 0;
}

async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

jest.setTimeout(20_000);

const available = rabbitMqAvailable();

(available ? describe : describe.skip)(`the ${ENVIRONMENT} broker topology on RabbitMQ`, () => {
  const environment = loadEnvironment();
  const broker = rabbitMqBrokers(environment.brokers).find(
    (candidate) => candidate.inCluster?.site === SITE,
  ) as RabbitMqBrokerSpec;
  const agents = environment.deployments
    .filter((deployment) => deployment.site === SITE)
    .map((deployment) => resolveAgent(deployment.agent));
  const { topology, problems } = brokerTopology(broker, agents);
  const passwords = new Map(topology.users.map((user) => [user.name, randomPassword()]));
  const passwordOf = (user: string) => passwords.get(user) as string;
  const definitions = topologyDefinitions(topology);
  const users = userDefinitions(topology.users, passwordOf);

  let starting: Promise<RabbitMqServer> | undefined;
  let server: RabbitMqServer;
  let trigger: Record<string, any>;

  const api = async (
    method: string,
    resource: string,
    options: { user?: string; body?: unknown } = {},
  ): Promise<{ status: number; body: any }> => {
    const user = options.user ?? ADMIN_USER;
    const response = await fetch(`${server.managementUrl}/api/${resource}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${user}:${passwordOf(user)}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const vhostPath = (vhost: string) => encodeURIComponent(vhost);
  // A queue's policy reaches the management API with its statistics, every few seconds.
  const queueWithPolicy = async (vhost: string, name: string) =>
    (
      await eventually(
        () => api('GET', `queues/${vhostPath(vhost)}/${encodeURIComponent(name)}`),
        (response) => response.body?.policy !== undefined,
        15_000,
      )
    ).body;
  const amqp = (user: string, vhost = '/') =>
    AmqpConnection.open({
      port: server.ports.amqp,
      vhost,
      user,
      password: passwordOf(user),
    });

  beforeAll(async () => {
    expect(problems).toEqual([]);
    // The files the cluster mounts into its definitions directory.
    starting = startRabbitMq({
      definitions: { 'topology.json': definitions, 'users.json': users },
      // The KEDA trigger of the consumer, from the synthesized agents stack.
      whileBooting: () => {
        const app = Testing.app();
        addEnvironment(app, environment);
        // Stack ids are `<environment>-<site>-agents`: stable API.
        const stack = app.node.findChild(`${ENVIRONMENT}-${SITE}-agents`);
        const json = JSON.parse(Testing.synth(stack as never, true)) as TerraformJson;
        const scaledObject = manifestsOf(json, 'ScaledObject').find(
          (manifest) => (manifest.metadata as { name: string }).name === CONSUMER,
        ) as Record<string, any>;
        trigger = scaledObject.spec.triggers.find((t: { type: string }) => t.type === 'rabbitmq');
      },
    });
    server = await starting;
    if (server.definitionsLayout === 'single-file') {
      console.warn(
        `RabbitMQ ${server.version?.join('.') ?? '(unknown version)'} cannot import a definitions ` +
          `directory (rabbitmq/rabbitmq-server#7685): topology.json and users.json were merged ` +
          `into ${server.definitionsPath}, which rabbitmq.conf names instead of the directory.`,
      );
    }
  }, 90_000);

  afterAll(async () => {
    // Also when beforeAll failed after the node was spawned.
    await starting?.then(
      (started) => started.stop(),
      () => undefined,
    );
  }, 60_000);

  it('boots from the project rabbitmq.conf, importing the definitions it names', () => {
    expect(server.config).toContain('definitions.import_backend = local_filesystem\n');
    expect(server.config).toContain(`definitions.local.path = ${server.definitionsPath}\n`);
    expect(server.log()).toMatch(/Applying definitions from (file at|directory)/);
    expect(server.log()).not.toMatch(/\[error\]/);
  });

  it('declares every queue as a quorum queue with the declared arguments', async () => {
    for (const queue of definitions.queues) {
      const { status, body } = await api(
        'GET',
        `queues/${vhostPath(queue.vhost)}/${encodeURIComponent(queue.name)}`,
      );
      expect({ queue: queue.name, status }).toEqual({ queue: queue.name, status: 200 });
      expect(body).toMatchObject({
        name: queue.name,
        type: 'quorum',
        durable: true,
        auto_delete: false,
        arguments: queue.arguments,
      });
    }
    const { body } = await api('GET', 'queues');
    expect(body.map((queue: { name: string }) => queue.name).sort()).toEqual(
      definitions.queues.map((queue) => queue.name).sort(),
    );
  });

  it('creates exactly the declared users and permissions, and no guest', async () => {
    const { body: actualUsers } = await api('GET', 'users');
    expect(
      actualUsers
        .map((user: { name: string; tags: string[] }) => ({ name: user.name, tags: user.tags }))
        .sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)),
    ).toEqual(
      topology.users
        .map((user) => ({ name: user.name, tags: [...user.tags] }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    // The plain passwords were hashed by the broker on import.
    for (const user of actualUsers) {
      expect(user).toMatchObject({ hashing_algorithm: 'rabbit_password_hashing_sha256' });
      expect(user.password_hash).toMatch(/^[A-Za-z0-9+/]{40,}={0,2}$/);
    }
    expect((await api('GET', 'users/guest')).status).toBe(404);

    const key = (p: { user: string; vhost: string }) => `${p.user}@${p.vhost}`;
    const { body: actualPermissions } = await api('GET', 'permissions');
    expect(
      actualPermissions
        .map((p: Record<string, string>) => ({
          user: p.user,
          vhost: p.vhost,
          configure: p.configure,
          write: p.write,
          read: p.read,
        }))
        .sort((a: any, b: any) => key(a).localeCompare(key(b))),
    ).toEqual(
      (users.permissions as { user: string; vhost: string }[]).sort((a, b) =>
        key(a).localeCompare(key(b)),
      ),
    );
  });

  it('lets every agent user log in over AMQP with its generated password', async () => {
    const agentUsers = topology.users.filter((user) => user.tags.length === 0);
    expect(agentUsers.map((user) => user.name)).toEqual(
      expect.arrayContaining([CONSUMER, PUBLISHER]),
    );
    for (const user of agentUsers) {
      const connection = await amqp(user.name, user.permissions[0].vhost);
      await connection.close();
    }
    await expect(
      AmqpConnection.open({
        port: server.ports.amqp,
        vhost: '/',
        user: PUBLISHER,
        password: 'not-the-password',
      }),
    ).rejects.toMatchObject({ scope: 'connection', code: 403 });
  });

  it('refuses a publish from a user without write permission', async () => {
    // keda may read queue statistics, not touch messages.
    const connection = await amqp(KEDA_USER);
    try {
      await expect(
        connection.publish('', 'image_processing_tasks', ['refused']),
      ).rejects.toMatchObject({
        scope: 'channel',
        code: 403,
        text: expect.stringContaining(`refused for user '${KEDA_USER}'`),
      });
    } finally {
      await connection.close();
    }
  });

  it("counts the dispatcher's messages in the depth the KEDA trigger reads", async () => {
    expect(trigger.metadata).toMatchObject({
      protocol: 'http',
      mode: 'QueueLength',
      vhostName: '/',
      queueName: 'image_processing_tasks',
    });
    expect(trigger.metadata.excludeUnacknowledged).toBeUndefined();

    // Over AMQP, as the agent does: the management API refuses users without a
    // tag ("Not management user"), and agents have none.
    const connection = await amqp(PUBLISHER);
    try {
      await connection.publish(
        '',
        trigger.metadata.queueName,
        Array.from({ length: MESSAGES }, (_, i) => JSON.stringify({ task: i })),
      );
    } finally {
      await connection.close();
    }

    // What the platform stack writes into KEDA's Secret, pointed at this node.
    const host = `http://${KEDA_USER}:${passwordOf(KEDA_USER)}@127.0.0.1:${server.ports.management}/`;
    // Queue statistics reach the management API every few seconds.
    const depth = await eventually(
      () => kedaQueueLength(host, trigger.metadata),
      (value) => value >= MESSAGES,
      30_000,
    );
    expect(depth).toBe(MESSAGES);
  }, 45_000);

  it('gives each consumed queue its limits and at-least-once dead-lettering by policy', async () => {
    const mains = topology.queues.filter((queue) => queue.binding.deadLetter.enabled);
    expect(mains.map((queue) => queue.name)).toContain('image_processing_tasks');
    for (const queue of mains) {
      const deadLetter = queue.binding.deadLetter as Extract<
        BrokerTopology['queues'][number]['binding']['deadLetter'],
        { enabled: true }
      >;
      const body = await queueWithPolicy(queue.vhost, queue.name);
      expect(body.policy).toBe(`agent-fleet.${queue.name}`);
      expect(body.effective_policy_definition).toEqual({
        'delivery-limit': deadLetter.deliveryLimit,
        'dead-letter-exchange': deadLetter.exchange,
        'dead-letter-strategy': 'at-least-once',
        overflow: 'reject-publish',
        'max-length': queue.binding.maxLength,
      });

      const dlq = await queueWithPolicy(queue.vhost, deadLetter.queue);
      expect(dlq.policy).toBe(`agent-fleet.${deadLetter.queue}`);
      expect(dlq.effective_policy_definition).toEqual({
        overflow: 'reject-publish',
        'max-length': queue.binding.maxLength,
      });

      const exchange = await api(
        'GET',
        `exchanges/${vhostPath(queue.vhost)}/${encodeURIComponent(deadLetter.exchange)}`,
      );
      expect(exchange.body).toMatchObject({ type: 'fanout', durable: true, internal: false });
      const bindings = await api(
        'GET',
        `bindings/${vhostPath(queue.vhost)}/e/${encodeURIComponent(deadLetter.exchange)}/q/${encodeURIComponent(deadLetter.queue)}`,
      );
      expect(bindings.body).toEqual([expect.objectContaining({ routing_key: '' })]);
    }
  }, 30_000);
});

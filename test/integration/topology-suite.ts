import { Definitions, topologyDefinitions, userDefinitions } from '../../generators/rabbitmq';
import {
  BrokerTopology,
  brokerTopology,
  FleetEnvironment,
  KEDA_USER,
  rabbitMqBrokers,
  resolveAgent,
} from '../../model';
import { Trigger } from '../support/example-environments';
import { eventually } from '../support/poll';
import { connectAmqp, publishConfirmed } from './amqp';
import { BrokerNode } from './broker-node';
import { kedaQueueLength } from './keda-readings';

/**
 * The `local` environment's broker topology, imported at boot by a real
 * RabbitMQ node configured by the project's own `rabbitmq.conf`, then checked
 * through the management API, AMQP, and the queue depth read the way the
 * generated KEDA trigger reads it.
 */

/** What the node imports at boot: the files the cluster mounts into its definitions directory. */
export interface BootTopology {
  readonly topology: BrokerTopology;
  readonly definitions: Definitions;
  readonly users: { users: object[]; permissions: object[] };
}

/** The topology and users the platform stack derives for the broker of `site`. */
export function bootTopology(
  environment: FleetEnvironment,
  site: string,
  passwordOf: (user: string) => string,
): BootTopology {
  const broker = rabbitMqBrokers(environment.brokers).find(
    (candidate) => candidate.inCluster?.site === site,
  );
  if (!broker) throw new Error(`${environment.name}: no in-cluster RabbitMQ on ${site}`);
  const agents = environment.deployments
    .filter((deployment) => deployment.site === site)
    .map((deployment) => resolveAgent(deployment.agent));
  const { topology, problems } = brokerTopology(broker, agents);
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return {
    topology,
    definitions: topologyDefinitions(topology),
    users: userDefinitions(topology.users, passwordOf),
  };
}

const CONSUMER = 'image-processing';
const PUBLISHER = 'dispatcher';
const MESSAGES = 7;

/**
 * The tests, on a node booted with `boot`. `trigger` is the consumer's KEDA
 * trigger from the synthesized agents stack. Runs first on the node: it
 * expects exactly the boot definitions.
 */
export function topologySuite(
  node: () => BrokerNode,
  boot: BootTopology,
  trigger: () => Trigger,
): void {
  const { topology, definitions, users } = boot;
  const api: BrokerNode['api'] = (...args) => node().api(...args);
  const vhostPath = (vhost: string) => encodeURIComponent(vhost);
  // A queue's policy reaches the management API with its statistics, every few seconds.
  const queueWithPolicy = async (vhost: string, name: string) =>
    (
      await eventually(
        () => api('GET', `queues/${vhostPath(vhost)}/${encodeURIComponent(name)}`),
        (response) => response.body?.policy !== undefined,
        { what: `policy of queue ${name}`, expected: 'a policy', timeoutMs: 15_000 },
      )
    ).body;

  it('boots from the project rabbitmq.conf, importing the definitions it names', () => {
    const { server } = node();
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
      const connection = await node().amqp(user.name, user.permissions[0].vhost);
      await connection.close();
    }
    await expect(
      connectAmqp({
        port: node().server.ports.amqp,
        vhost: '/',
        user: PUBLISHER,
        password: 'not-the-password',
      }),
    ).rejects.toThrow(/^Handshake terminated by server: 403 \(ACCESS-REFUSED\)/);
  });

  it('refuses a publish from a user without write permission', async () => {
    // keda may read queue statistics, not touch messages.
    const connection = await node().amqp(KEDA_USER);
    try {
      await expect(
        publishConfirmed(connection, '', 'image_processing_tasks', ['refused']),
      ).rejects.toMatchObject({
        code: 403,
        message: expect.stringMatching(
          new RegExp(`^Channel closed by server: 403 .*refused for user '${KEDA_USER}'`),
        ),
      });
    } finally {
      await connection.close();
    }
  });

  it("counts the dispatcher's messages in the depth the KEDA trigger reads", async () => {
    const { metadata } = trigger();
    expect(metadata).toMatchObject({
      protocol: 'http',
      mode: 'QueueLength',
      vhostName: '/',
      queueName: 'image_processing_tasks',
    });
    expect(metadata.excludeUnacknowledged).toBeUndefined();

    // Over AMQP, as the agent does: the management API refuses users without a
    // tag ("Not management user"), and agents have none.
    const connection = await node().amqp(PUBLISHER);
    try {
      await publishConfirmed(
        connection,
        '',
        metadata.queueName,
        Array.from({ length: MESSAGES }, (_, i) => JSON.stringify({ task: i })),
      );
    } finally {
      await connection.close();
    }

    // What the platform stack writes into KEDA's Secret, pointed at this node.
    const { server, passwordOf } = node();
    const host = `http://${KEDA_USER}:${passwordOf(KEDA_USER)}@127.0.0.1:${server.ports.management}/`;
    const depth = await eventually(
      () => kedaQueueLength(host, metadata),
      (value) => value === MESSAGES,
      {
        what: `KEDA's reading of ${metadata.queueName}`,
        expected: `${MESSAGES}`,
        timeoutMs: 30_000,
      },
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
}

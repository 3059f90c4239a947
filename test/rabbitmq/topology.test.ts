import {
  enabledPluginsFile,
  serverConfig,
  topologyDefinitions,
  userDefinitions,
} from '../../generators/rabbitmq';
import { brokerTopology, resolveAgent } from '../../model';
import { BROKER, consumer } from '../support/fixtures';

const imageProcessing = consumer({
  queue: {
    broker: 'rabbitmq',
    queue: 'image_processing_tasks',
    maxLength: 5000,
    deadLetter: { deliveryLimit: 3 },
  },
});
const dispatcher = consumer({
  name: 'dispatcher',
  queue: undefined,
  scaling: { minReplicas: 2, maxReplicas: 2 },
  publishes: [
    { broker: 'rabbitmq', queue: 'image_processing_tasks' },
    { broker: 'rabbitmq', vhost: 'ingest', queue: 'raw.events' },
  ],
});
const { topology, problems } = brokerTopology(
  { ...BROKER, inCluster: { site: 'dc1', replicas: 3 } },
  [imageProcessing, dispatcher].map(resolveAgent),
);
const definitions = topologyDefinitions(topology);

describe('broker topology', () => {
  it('declares every bound and published queue, once, in its vhost', () => {
    expect(problems).toEqual([]);
    expect(topology.vhosts).toEqual(['/', 'ingest']);
    expect(topology.queues.map((q) => `${q.vhost} ${q.name} <- ${q.consumers.join(',')}`)).toEqual([
      '/ image_processing_tasks <- image-processing',
      'ingest raw.events <- ',
    ]);
  });

  it('makes quorum queues replicated on every node, dead-letter queues included', () => {
    expect(definitions.queues).toEqual([
      {
        name: 'image_processing_tasks',
        vhost: '/',
        durable: true,
        auto_delete: false,
        arguments: { 'x-queue-type': 'quorum', 'x-quorum-initial-group-size': 3 },
      },
      expect.objectContaining({ name: 'image_processing_tasks.dlq', vhost: '/' }),
      expect.objectContaining({ name: 'raw.events', vhost: 'ingest' }),
      expect.objectContaining({ name: 'raw.events.dlq', vhost: 'ingest' }),
    ]);
    expect(definitions.queues.every((q) => q.arguments['x-queue-type'] === 'quorum')).toBe(true);
  });

  it('dead-letters at least once through a fanout exchange bound to the dead-letter queue', () => {
    expect(definitions.exchanges[0]).toEqual({
      name: 'image_processing_tasks.dlx',
      vhost: '/',
      type: 'fanout',
      durable: true,
      auto_delete: false,
      internal: false,
      arguments: {},
    });
    expect(definitions.bindings[0]).toEqual({
      source: 'image_processing_tasks.dlx',
      vhost: '/',
      destination: 'image_processing_tasks.dlq',
      destination_type: 'queue',
      routing_key: '',
      arguments: {},
    });
  });

  it('sets explicit limits through policies that match one queue each', () => {
    const main = definitions.policies.find((p) => p.name === 'agent-fleet.image_processing_tasks');
    expect(main).toEqual({
      vhost: '/',
      name: 'agent-fleet.image_processing_tasks',
      pattern: '^image_processing_tasks$',
      'apply-to': 'queues',
      priority: 10,
      definition: {
        'max-length': 5000,
        overflow: 'reject-publish',
        'dead-letter-exchange': 'image_processing_tasks.dlx',
        'dead-letter-strategy': 'at-least-once',
        'delivery-limit': 3,
      },
    });
    const published = definitions.policies.find((p) => p.name === 'agent-fleet.raw.events');
    expect(published?.pattern).toBe('^raw\\.events$');
    expect(published?.definition['delivery-limit']).toBe(5);
  });

  it('gives each agent only what it needs, KEDA only statistics', () => {
    expect(topology.users).toEqual([
      {
        name: 'admin',
        tags: ['administrator'],
        permissions: [
          { vhost: '/', configure: '.*', write: '.*', read: '.*' },
          { vhost: 'ingest', configure: '.*', write: '.*', read: '.*' },
        ],
      },
      {
        name: 'keda',
        tags: ['monitoring'],
        permissions: [
          { vhost: '/', configure: '^$', write: '^$', read: '^$' },
          { vhost: 'ingest', configure: '^$', write: '^$', read: '^$' },
        ],
      },
      {
        name: 'image-processing',
        tags: [],
        permissions: [
          { vhost: '/', configure: '^$', write: '^$', read: '^(image_processing_tasks)$' },
        ],
      },
      {
        name: 'dispatcher',
        tags: [],
        permissions: [
          { vhost: '/', configure: '^$', write: '^amq\\.default$', read: '^$' },
          { vhost: 'ingest', configure: '^$', write: '^amq\\.default$', read: '^$' },
        ],
      },
    ]);
  });

  it('renders users with the passwords it is given, to be hashed by the broker', () => {
    const users = userDefinitions(topology.users.slice(0, 2), (user) => `pw-${user}`);
    expect(users.users).toEqual([
      { name: 'admin', password: 'pw-admin', tags: 'administrator' },
      { name: 'keda', password: 'pw-keda', tags: 'monitoring' },
    ]);
    expect(users.permissions).toContainEqual({
      user: 'keda',
      vhost: 'ingest',
      configure: '^$',
      write: '^$',
      read: '^$',
    });
  });

  it('refuses two consumers that declare one queue differently', () => {
    const other = consumer({
      name: 'thumbnailer',
      queue: {
        broker: 'rabbitmq',
        queue: 'image_processing_tasks',
        deadLetter: { deliveryLimit: 10 },
      },
    });
    const result = brokerTopology(BROKER, [imageProcessing, other].map(resolveAgent));
    expect(result.problems).toEqual([
      {
        agent: 'thumbnailer',
        path: ['queue'],
        message:
          "binds queue 'image_processing_tasks' (vhost '/') with other settings than agent 'image-processing': agents sharing a queue must declare it alike",
      },
    ]);
  });

  it('lets consumers share a queue with their own prefetch', () => {
    const other = consumer({
      name: 'thumbnailer',
      queue: { ...imageProcessing.queue!, consumer: { prefetch: 50 } },
    });
    const result = brokerTopology(BROKER, [imageProcessing, other].map(resolveAgent));
    expect(result.problems).toEqual([]);
    expect(result.topology.queues[0].consumers).toEqual(['image-processing', 'thumbnailer']);
  });

  it('keeps queues without dead-lettering free of a dead-letter exchange', () => {
    const noDlx = consumer({
      queue: {
        broker: 'rabbitmq',
        queue: 'telemetry',
        deadLetter: { enabled: false, reason: 'lossy telemetry, replaced every minute' },
      },
    });
    const defs = topologyDefinitions(brokerTopology(BROKER, [resolveAgent(noDlx)]).topology);
    expect(defs.exchanges).toEqual([]);
    expect(defs.policies).toEqual([
      expect.objectContaining({ definition: { 'max-length': 100000, overflow: 'reject-publish' } }),
    ]);
  });
});

describe('server configuration', () => {
  it('imports the definitions directory at boot and logs to the console', () => {
    const conf = serverConfig({ definitionsDir: '/etc/rabbitmq-definitions' });
    expect(conf.split('\n')).toEqual(
      expect.arrayContaining([
        'listeners.tcp.default = 5672',
        'management.tcp.port = 15672',
        'prometheus.tcp.port = 15692',
        'definitions.import_backend = local_filesystem',
        'definitions.local.path = /etc/rabbitmq-definitions',
        'log.console = true',
        'cluster_partition_handling = pause_minority',
      ]),
    );
    expect(conf).not.toContain('cluster_formation');
  });

  it('forms a cluster through Kubernetes peer discovery when asked', () => {
    const conf = serverConfig({
      definitionsDir: '/d',
      kubernetes: { headlessService: 'rabbitmq-nodes', namespace: 'rabbitmq' },
    });
    expect(conf).toContain('cluster_formation.peer_discovery_backend = rabbit_peer_discovery_k8s');
    expect(conf).toContain(
      'cluster_formation.k8s.hostname_suffix = .rabbitmq-nodes.rabbitmq.svc.cluster.local',
    );
  });

  it('lists the plugins as an Erlang term', () => {
    expect(enabledPluginsFile(['rabbitmq_management', 'rabbitmq_prometheus'])).toBe(
      '[rabbitmq_management,rabbitmq_prometheus].\n',
    );
  });
});

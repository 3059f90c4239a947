import { loadFleet } from '../../config';
import { AgentSpec, Duration, FleetEnvironment, ImageRef, Size, validateAgent } from '../../model';
import { agentType, fixture, problemLines } from './support';

/**
 * A catalogue of agents with cloud bindings: a Kafka consumer scaling on lag,
 * a stateful SQS consumer, and an SQS consumer meant for a scaling group.
 */
const CATALOGUE = `
agentTypes:
${agentType(
  'ingest',
  `
    topic:
      broker: events
      topic: sensor-readings
      retention: 3d
      consumer: { maxProcessingTime: 10s }
    scaling:
      minReplicas: 1
      maxReplicas: 12
      consumerLag: { perReplica: 1000, activation: 10 }
`,
)}${agentType(
  'inventory',
  `
    queue: { broker: sqs, queue: inventory-updates }
    state:
      partitionKey: { name: sku, type: string }
      sortKey: { name: warehouse, type: string }
    scaling:
      minReplicas: 1
      maxReplicas: 4
      queueDepth: { perReplica: 50 }
`,
)}${agentType(
  'telemetry',
  `
    queue: { broker: sqs, queue: telemetry }
    scaling:
      minReplicas: 2
      maxReplicas: 20
      queueDepth: { perReplica: 1000 }
`,
  "{ cpu: '1', memory: 1Gi }",
)}`;

/**
 * The top of an environment: AWS site `eu` (3 zones), Kubernetes site `dev`,
 * brokers `events` (MSK on eu), `sqs` (on eu), `mq` (Amazon MQ on eu) and
 * `rabbitmq` (in the cluster of dev). 39 lines; `agents:` is line 39.
 */
const HEAD = `
production: true
sites:
  eu:
    kind: aws
    accountId: '111122223333'
    region: eu-west-1
    network:
      cidr: 10.40.0.0/16
      availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c]
    cluster: { version: '1.35' }
    nodePools:
      general: { instanceTypes: [m7i.large], minSize: 3, maxSize: 6 }
  dev:
    kind: kubernetes
    kubeconfig: { path: ~/.kube/config, context: kind-dev }
    nodePools:
      general: {}
brokers:
  events:
    kind: kafka
    msk:
      site: eu
      kafkaVersion: 3.8.x
      brokerCount: 6
      volumeSize: 500Gi
  sqs:
    kind: sqs
    site: eu
  mq:
    kind: rabbitmq
    amazonMq:
      site: eu
      instanceType: mq.m5.large
  rabbitmq:
    kind: rabbitmq
    inCluster:
      site: dev
      replicas: 1
agents:
`;

/** An environment: {@link HEAD} followed by the given agents, which start on line 40. */
function environment(agents: string): string {
  return HEAD.replace(/^\n+/, '') + agents.replace(/^\n+/, '');
}

/** The three agents on site eu, the telemetry agent on a scaling group. */
const AGENTS = `
  ingest:
    sites:
      eu: {}
  inventory:
    sites:
      eu: {}
  telemetry:
    sites:
      eu:
        placement:
          scalingGroup:
            instanceType: c7i.large
            image: 'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id'
`;

function load(env: string, catalogue = CATALOGUE): string[] {
  return problemLines(loadFleet({ rootDir: fixture({ catalogue, environments: { prod: env } }) }));
}

function loaded(env: string): FleetEnvironment {
  const result = loadFleet({
    rootDir: fixture({ catalogue: CATALOGUE, environments: { prod: env } }),
  });
  if (!result.ok) throw new Error(problemLines(result).join('\n'));
  return result.environments[0];
}

function agentOn(env: FleetEnvironment, name: string, site: string): AgentSpec {
  const deployment = env.deployments.find((d) => d.agent.name === name && d.site === site);
  if (!deployment) throw new Error(`no deployment of ${name} on ${site}`);
  return deployment.agent;
}

describe('an environment with cloud brokers and bindings', () => {
  const env = loaded(environment(AGENTS));

  test('is a production environment with one AWS site and one Kubernetes site', () => {
    expect(env.production).toBe(true);
    expect(env.awsSites?.map((site) => site.name)).toEqual(['eu']);
    expect(env.sites.map((site) => site.name)).toEqual(['dev']);
  });

  test('has its brokers by kind, units parsed', () => {
    expect(env.brokers).toEqual([
      {
        name: 'events',
        kind: 'kafka',
        msk: { site: 'eu', kafkaVersion: '3.8.x', brokerCount: 6, volumeSize: Size.parse('500Gi') },
      },
      { name: 'sqs', kind: 'sqs', site: 'eu' },
      { name: 'mq', kind: 'rabbitmq', amazonMq: { site: 'eu', instanceType: 'mq.m5.large' } },
      { name: 'rabbitmq', kind: 'rabbitmq', inCluster: { site: 'dev', replicas: 1 } },
    ]);
    const events = env.brokers[0];
    expect(events.kind === 'kafka' && events.msk?.volumeSize?.toKubernetes()).toBe('500Gi');
  });

  test('places the agents on the AWS site, in file order', () => {
    expect(env.deployments.map((d) => `${d.agent.name}@${d.site}`)).toEqual([
      'ingest@eu',
      'inventory@eu',
      'telemetry@eu',
    ]);
  });

  test('binds a topic, with its durations parsed, and scales on consumer lag', () => {
    const ingest = agentOn(env, 'ingest', 'eu');
    expect(ingest.topic).toEqual({
      broker: 'events',
      topic: 'sensor-readings',
      retention: Duration.parse('3d'),
      consumer: { maxProcessingTime: Duration.parse('10s') },
    });
    expect(ingest.topic?.retention?.millis).toBe(3 * 86_400_000);
    expect(ingest.topic?.consumer?.maxProcessingTime?.millis).toBe(10_000);
    expect(ingest.scaling).toEqual({
      minReplicas: 1,
      maxReplicas: 12,
      consumerLag: { perReplica: 1000, activation: 10 },
    });
    expect(ingest.queue).toBeUndefined();
  });

  test('keeps state and an SQS queue', () => {
    const inventory = agentOn(env, 'inventory', 'eu');
    expect(inventory.state).toEqual({
      partitionKey: { name: 'sku', type: 'string' },
      sortKey: { name: 'warehouse', type: 'string' },
    });
    expect(inventory.queue).toEqual({ broker: 'sqs', queue: 'inventory-updates' });
  });

  test('places an agent on a scaling group from its site entry', () => {
    const telemetry = agentOn(env, 'telemetry', 'eu');
    expect(telemetry.placement).toEqual({
      scalingGroup: {
        instanceType: 'c7i.large',
        image: 'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
      },
    });
    expect(telemetry.container.image).toBeInstanceOf(ImageRef);
  });

  test('every agent passes the model rules and the environment is deep-frozen', () => {
    for (const deployment of env.deployments) expect(validateAgent(deployment.agent)).toEqual([]);
    expect(Object.isFrozen(agentOn(env, 'ingest', 'eu').topic?.consumer)).toBe(true);
    expect(Object.isFrozen(env.brokers[0])).toBe(true);
  });

  test('an environment that does not say it is production carries no flag', () => {
    const staging = loaded(environment(AGENTS).replace('production: true\n', ''));
    expect(staging.production).toBeUndefined();
    expect(
      loaded(environment(AGENTS).replace('production: true', 'production: false')).production,
    ).toBe(false);
  });
});

describe('brokers by kind', () => {
  test('a key of another kind of broker is an unknown key listing the keys of its own kind', () => {
    const lines = load(
      environment(AGENTS)
        .replace('    kind: kafka\n', '    kind: kafka\n    external: { host: kafka }\n')
        .replace('    kind: sqs\n', '    kind: sqs\n    credentialsSecret: sqs\n'),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:21:5 brokers.events.external: unknown key 'external' (allowed: kind, msk, eventHubs, inCluster)",
      "environments/prod.yaml:29:5 brokers.sqs.credentialsSecret: unknown key 'credentialsSecret' (allowed: kind, site)",
    ]);
  });

  test('an unknown kind lists the kinds, and a kind needs its own required keys', () => {
    const lines = load(
      environment(AGENTS)
        .replace('    kind: rabbitmq\n    amazonMq:', '    kind: nats\n    amazonMq:')
        .replace('    kind: sqs\n    site: eu\n', '    kind: sqs\n'),
    );
    expect(lines).toEqual([
      'environments/prod.yaml:26:3 brokers.sqs.site: is required',
      "environments/prod.yaml:29:5 brokers.mq.kind: 'nats' is not allowed (allowed: rabbitmq, kafka, sqs, servicebus)",
    ]);
  });

  test('MSK and Amazon MQ values are checked as the managed services name them', () => {
    const lines = load(
      environment(AGENTS)
        .replace('kafkaVersion: 3.8.x', 'kafkaVersion: latest')
        .replace('brokerCount: 6', 'brokerCount: 2')
        .replace('instanceType: mq.m5.large', 'instanceType: m5.large'),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:23:7 brokers.events.msk.kafkaVersion: 'latest' is not an MSK Kafka version such as '3.8.x' or '3.6.0'",
      'environments/prod.yaml:24:7 brokers.events.msk.brokerCount: (2) must be a whole number from 3 to 30',
      "environments/prod.yaml:33:7 brokers.mq.amazonMq.instanceType: 'm5.large' is not an Amazon MQ instance type such as 'mq.m5.large'",
    ]);
  });

  test('managed brokers on a site that is not an AWS site', () => {
    const lines = load(
      environment(AGENTS)
        .replace('      site: eu\n      kafkaVersion', '      site: dev\n      kafkaVersion')
        .replace('    kind: sqs\n    site: eu', '    kind: sqs\n    site: us')
        .replace('      site: eu\n      instanceType', '      site: dev\n      instanceType'),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:22:7 brokers.events.msk.site: 'dev' is not an AWS site of the environment (declared: eu)",
      "environments/prod.yaml:28:5 brokers.sqs.site: 'us' is not an AWS site of the environment (declared: eu)",
      "environments/prod.yaml:32:7 brokers.mq.amazonMq.site: 'dev' is not an AWS site of the environment (declared: eu)",
    ]);
  });

  test('MSK brokers spread evenly over the zones; MSK storage in whole GiB', () => {
    const lines = load(
      environment(AGENTS)
        .replace('brokerCount: 6', 'brokerCount: 4')
        .replace('volumeSize: 500Gi', 'volumeSize: 1500Mi'),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:24:7 brokers.events.msk.brokerCount: (4) must be a multiple of the 3 availability zones of site 'eu': MSK puts as many brokers in each zone",
      'environments/prod.yaml:25:7 brokers.events.msk.volumeSize: (1500Mi) must be a whole number of GiB from 1Gi to 16384Gi',
    ]);
  });

  test("a production environment's Amazon MQ cluster needs an mq.m5 type; a test environment does not", () => {
    const env = environment(AGENTS).replace(
      'instanceType: mq.m5.large',
      'instanceType: mq.t3.micro',
    );
    expect(load(env)).toEqual([
      "environments/prod.yaml:33:7 brokers.mq.amazonMq.instanceType: 'mq.t3.micro' cannot run the three-node cluster (CLUSTER_MULTI_AZ) of a production environment: use an mq.m5 type such as 'mq.m5.large'",
    ]);
    expect(loaded(env.replace('production: true', 'production: false')).production).toBe(false);
  });

  test('a managed broker whose name would be too long for the service', () => {
    const long = 'a'.repeat(60);
    const lines = load(
      environment(AGENTS).replace('  events:', `  ${long}:`),
      CATALOGUE.replace('broker: events', `broker: ${long}`),
    );
    expect(lines).toEqual([
      `environments/prod.yaml:19:3 brokers.${long}: the broker name '${long}' makes 4 names longer than their resources allow: the aws_msk_cluster.cluster_name 'prod-eu-${long}' (68 > 64, https://docs.aws.amazon.com/msk/1.0/apireference/clusters.html#clusters-prop-createclusterrequest-clustername); the aws_msk_configuration.name 'prod-eu-${long}' (68 > 64, https://docs.aws.amazon.com/msk/1.0/apireference/configurations.html); the kubernetes_job_v1.metadata.name 'kafka-topics-${long}-0000000000' (84 > 63, https://kubernetes.io/docs/concepts/workloads/controllers/job/#writing-a-job-spec); the label value 'kafka-topics-${long}' (73 > 63, https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set); shorten it to at most 39 characters`,
    ]);
  });

  test('production must be true or false', () => {
    expect(load(environment(AGENTS).replace('production: true', 'production: yes please'))).toEqual(
      ['environments/prod.yaml:1:1 production: must be true or false'],
    );
  });
});

describe('topic bindings', () => {
  test('a topic with fewer partitions than replicas points at the override that set them', () => {
    const lines = load(
      environment(`
  ingest:
    topic: { partitions: 4 }
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:41:14 agents.ingest.topic.partitions: (4) must be >= 'scaling.maxReplicas' (12): a partition feeds one consumer of a group, so replicas beyond the partition count idle",
    ]);
  });

  test('a retention in an unknown unit gives the unit parser message', () => {
    const lines = load(
      environment(`
  ingest:
    sites:
      eu:
        topic: { retention: 3days }
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:43:18 agents.ingest.sites.eu.topic.retention: '3days' is not a duration: use whole numbers with ms, s, m, h or d, e.g. '30s', '5m', '1h30m'",
    ]);
  });

  test('consumer lag without a topic to read it from', () => {
    const lines = load(
      environment(`
  inventory:
    scaling:
      consumerLag: { perReplica: 100 }
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:42:7 agents.inventory.scaling.consumerLag: needs a 'topic' binding to read the lag of",
    ]);
  });

  test('a queue and a topic on one agent', () => {
    const lines = load(
      environment(`
  inventory:
    topic: { broker: events, topic: stock }
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:41:5 agents.inventory.topic: an agent consumes one source: set 'queue' or 'topic', not both",
    ]);
  });

  test('an unknown key in a topic binding lists the keys of a topic', () => {
    const lines = load(
      environment(`
  ingest:
    topic: { group: readers }
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:41:14 agents.ingest.topic.group: unknown key 'group' (allowed: broker, topic, consumerGroup, partitions, retention, deadLetter, consumer)",
    ]);
  });

  test('a topic on a broker that is not Kafka', () => {
    const lines = load(
      environment(`
  ingest:
    topic: { broker: sqs }
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:41:14 agents.ingest.topic.broker: 'sqs' is a sqs broker: bind to it with 'queue'",
    ]);
  });

  test('two agents reading one topic in one consumer group: the second is reported', () => {
    const catalogue = CATALOGUE.replace(
      '  inventory:\n',
      '  ingest-replay:\n' + ingestCopy() + '  inventory:\n',
    );
    const lines = load(
      environment(`
  ingest:
    topic: { consumerGroup: readers }
    sites:
      eu: {}
  ingest-replay:
    topic: { consumerGroup: readers }
    sites:
      eu: {}
`),
      catalogue,
    );
    expect(lines).toEqual([
      "environments/prod.yaml:47:7 agents.ingest-replay.sites.eu: reads topic 'sensor-readings' of broker 'events' in consumer group 'readers', as agent 'ingest' does: agents in one group split the partitions, so each would miss the records the other reads; set a 'topic.consumerGroup' of its own",
    ]);
  });

  test('two agents reading one topic in groups of their own are fine', () => {
    const catalogue = CATALOGUE.replace(
      '  inventory:\n',
      '  ingest-replay:\n' + ingestCopy() + '  inventory:\n',
    );
    const result = loadFleet({
      rootDir: fixture({
        catalogue,
        environments: {
          prod: environment(`
  ingest: { sites: { eu: {} } }
  ingest-replay: { sites: { eu: {} } }
`),
        },
      }),
    });
    expect(result.ok ? [] : problemLines(result)).toEqual([]);
  });
});

/** The body of the `ingest` catalogue entry, to declare a second agent like it. */
function ingestCopy(): string {
  const start = CATALOGUE.indexOf('  ingest:\n') + '  ingest:\n'.length;
  return CATALOGUE.slice(start, CATALOGUE.indexOf('  inventory:\n'));
}

describe('SQS bindings', () => {
  test('an agent on another site than its SQS broker', () => {
    const lines = load(
      environment(`
  telemetry:
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:42:7 agents.telemetry.sites.dev: queue.broker: SQS broker 'sqs' belongs to site 'eu'; agents on site 'dev' reach only their own site's cloud and in-cluster brokers",
    ]);
  });

  test('a queue name SQS refuses, and dead-lettering turned off', () => {
    const lines = load(
      environment(`
  telemetry:
    queue:
      queue: telemetry.events
      deadLetter: { enabled: false, reason: 'replayed from the devices anyway' }
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:42:7 agents.telemetry.queue.queue: 'telemetry.events' is not an SQS queue name: 1 to 80 letters, digits, '-' or '_' (FIFO queues are not supported)",
      'environments/prod.yaml:43:21 agents.telemetry.queue.deadLetter.enabled: false is not allowed on SQS: every agent queue parks poison messages in a dead-letter queue',
    ]);
  });

  test('two agents binding one SQS queue name on a site: the second is reported', () => {
    const lines = load(
      environment(`
  inventory:
    sites:
      eu: {}
  telemetry:
    queue: { queue: inventory-updates-dlq }
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:46:7 agents.telemetry.sites.eu: binds SQS queue 'inventory-updates-dlq' (dead-letter queue 'inventory-updates-dlq-dlq') on site 'eu', where 'inventory-updates-dlq' is already the dead-letter queue of agent 'inventory': each SQS binding creates queues of its own, named uniquely in the site's region; name another queue",
    ]);
  });

  test('publishing to an SQS queue no agent of its site consumes', () => {
    const lines = load(
      environment(`
  inventory:
    publishes: [{ broker: sqs, queue: telemetry }, { broker: sqs, queue: audit }]
    sites:
      eu: {}
  telemetry:
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:43:7 agents.inventory.sites.eu: publishes to SQS queue 'audit' of broker 'sqs', which no agent of site 'eu' consumes: the fleet creates an SQS queue for its consumer only",
    ]);
  });

  test('publishing to a Kafka broker', () => {
    const lines = load(
      environment(`
  inventory:
    publishes: [{ broker: events, queue: stock }]
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:41:19 agents.inventory.publishes[0].broker: 'events' is a Kafka broker: agents publish to RabbitMQ or SQS queues",
    ]);
  });
});

describe('state', () => {
  test('state on a site that is not an AWS site', () => {
    const lines = load(
      environment(`
  inventory:
    sites:
      dev:
        queue: { broker: rabbitmq }
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:42:7 agents.inventory.sites.dev: state: site 'dev' offers no database: declare 'database' on the site (CockroachDB in its cluster), or place the agent on an AWS or Azure site (DynamoDB, Cosmos DB)",
    ]);
  });

  test('a sort key that repeats the partition key, capacity bounds the wrong way round', () => {
    const lines = load(
      environment(`
  inventory:
    state:
      sortKey: { name: sku }
      capacity: { read: { min: 10, max: 5 }, write: { min: 1, max: 5 } }
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:42:18 agents.inventory.state.sortKey.name: 'sku' is already the partition key",
      "environments/prod.yaml:43:27 agents.inventory.state.capacity.read.min: (10) must be <= 'max' (5)",
    ]);
  });

  test('a key type outside the enum', () => {
    const lines = load(
      environment(`
  inventory:
    state:
      partitionKey: { type: uuid }
    sites:
      eu: {}
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:42:23 agents.inventory.state.partitionKey.type: 'uuid' is not allowed (allowed: string, number, binary)",
    ]);
  });
});

describe('scaling groups', () => {
  test('a scaling group on a Kubernetes site', () => {
    const lines = load(
      environment(`
  telemetry:
    sites:
      dev:
        queue: { broker: rabbitmq }
        placement:
          scalingGroup: { instanceType: c7i.large }
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:45:11 agents.telemetry.sites.dev.placement.scalingGroup: site 'dev' has no scaling groups: they run on AWS and Azure sites",
    ]);
  });

  test('a machine image that is neither an AMI id nor an SSM parameter', () => {
    const lines = load(
      environment(AGENTS).replace(
        "image: 'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id'",
        'image: ubuntu-22.04',
      ),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:52:13 agents.telemetry.sites.eu.placement.scalingGroup.image: 'ubuntu-22.04' must be an AMI id such as 'ami-0123456789abcdef0' or 'resolve:ssm:/<parameter>'",
    ]);
  });

  test('a machine type of neither cloud, once; one of the other cloud, named as such', () => {
    const group = (instanceType: string) =>
      load(
        environment(`
  telemetry:
    sites:
      eu:
        placement:
          scalingGroup: { instanceType: ${instanceType} }
`),
      );
    expect(group('foo')).toEqual([
      "environments/prod.yaml:44:27 agents.telemetry.sites.eu.placement.scalingGroup.instanceType: 'foo' is not a machine type such as 'c7i.large' (EC2) or 'Standard_D2s_v5' (Azure)",
    ]);
    expect(group('Standard_D2s_v5')).toEqual([
      "environments/prod.yaml:44:27 agents.telemetry.sites.eu.placement.scalingGroup.instanceType: 'Standard_D2s_v5' is not an EC2 instance type such as 'c7i.large'",
    ]);
  });

  test('Session Manager on a group, with a written reason, or refused without one', () => {
    const withSessionManager = (reason: string) =>
      environment(AGENTS).replace(
        "image: 'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id'",
        `sessionManager: { reason: '${reason}' }`,
      );
    const reason = 'On-call engineers read the agent journal in incidents';
    const group = loaded(withSessionManager(reason)).deployments.find(
      (d) => d.agent.name === 'telemetry' && d.site === 'eu',
    )!.agent.placement?.scalingGroup;
    expect(group).toEqual({ instanceType: 'c7i.large', sessionManager: { reason } });
    expect(load(withSessionManager('debugging'))).toEqual([
      'environments/prod.yaml:52:31 agents.telemetry.sites.eu.placement.scalingGroup.sessionManager.reason: must be at least 20 characters',
    ]);
  });

  test('a scaling group without the required machine type', () => {
    const lines = load(
      environment(`
  telemetry:
    sites:
      eu:
        placement:
          scalingGroup: { image: ami-0123456789abcdef0 }
`),
    );
    expect(lines).toEqual([
      'environments/prod.yaml:44:11 agents.telemetry.sites.eu.placement.scalingGroup.instanceType: is required',
    ]);
  });
});

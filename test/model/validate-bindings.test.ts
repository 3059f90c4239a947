import {
  BrokerSpec,
  formatPath,
  KubernetesSiteSpec,
  Size,
  validateAgent,
  validateAgentOnSite,
  validateBroker,
} from '../../model';
import { sqsDeadLetterQueue } from '../../model/validate-bindings';
import { consumer } from '../support/fixtures';

/** The cluster of an AWS site `eu`, as `clusterSiteOf` gives it. */
const EU: KubernetesSiteSpec = { name: 'eu', cloud: 'aws', nodePools: [{ name: 'general' }] };
const BROKERS: BrokerSpec[] = [
  { name: 'sqs', kind: 'sqs', site: 'eu' },
  { name: 'sqs-us', kind: 'sqs', site: 'us' },
  { name: 'events', kind: 'kafka', msk: { site: 'eu', kafkaVersion: '3.8.x' } },
  { name: 'mq', kind: 'rabbitmq', amazonMq: { site: 'eu' } },
];

const onSite = (spec: ReturnType<typeof consumer>) =>
  validateAgentOnSite(spec, EU, BROKERS).map((p) => `${formatPath(p.path)}: ${p.message}`);

describe('SQS bindings', () => {
  it('name the dead-letter queue <queue>-dlq unless it is given', () => {
    expect(sqsDeadLetterQueue({ queue: 'work' })).toBe('work-dlq');
    expect(sqsDeadLetterQueue({ queue: 'work', deadLetter: { queue: 'parked' } })).toBe('parked');
  });

  it('accept a queue SQS can name', () => {
    expect(onSite(consumer({ queue: { broker: 'sqs', queue: 'image_processing-tasks' } }))).toEqual(
      [],
    );
  });

  it('refuse a queue whose default dead-letter name is too long, pointing at the queue', () => {
    const queue = 'q'.repeat(78);
    expect(onSite(consumer({ queue: { broker: 'sqs', queue } }))).toEqual([
      `queue.queue: dead-letter queue name '${queue}-dlq' is not an SQS queue name: 1 to 80 letters, digits, '-' or '_'; shorten the queue name or set 'deadLetter.queue'`,
    ]);
  });

  it('refuse a dead-letter queue named like the queue', () => {
    expect(
      onSite(consumer({ queue: { broker: 'sqs', queue: 'work', deadLetter: { queue: 'work' } } })),
    ).toEqual(['queue.deadLetter.queue: must differ from the queue it takes the failures of']);
  });
});

describe('publish targets', () => {
  it.each<[string, string]>([
    [
      'events',
      "publishes[0].broker: 'events' is a Kafka broker: agents publish to RabbitMQ or SQS queues",
    ],
    [
      'mq',
      "publishes[0].broker: Amazon MQ broker 'mq' takes no agent bindings yet: publish to an in-cluster or external RabbitMQ, or to SQS",
    ],
    [
      'sqs-us',
      "publishes[0].broker: SQS broker 'sqs-us' belongs to site 'us'; agents on site 'eu' reach only their own site's cloud and in-cluster brokers",
    ],
  ])('refuse broker %s', (broker, expected) => {
    const spec = consumer({
      queue: { broker: 'sqs', queue: 'work' },
      publishes: [{ broker, queue: 'out' }],
    });
    expect(onSite(spec)).toEqual([expected]);
  });

  it('accept an SQS broker of their own site', () => {
    const spec = consumer({
      queue: { broker: 'sqs', queue: 'work' },
      publishes: [{ broker: 'sqs', queue: 'out' }],
    });
    expect(onSite(spec)).toEqual([]);
  });
});

describe('consumer lag', () => {
  it('takes a fallback like the other event signals', () => {
    const spec = consumer({
      queue: undefined,
      topic: { broker: 'events', topic: 'readings' },
      scaling: {
        minReplicas: 1,
        maxReplicas: 3,
        consumerLag: { perReplica: 100 },
        fallback: { replicas: 2 },
      },
    });
    expect(validateAgent(spec)).toEqual([]);
  });
});

describe('MSK brokers', () => {
  const msk = (extra: object): BrokerSpec => ({
    name: 'events',
    kind: 'kafka',
    msk: { site: 'eu', kafkaVersion: '3.8.x', ...extra },
  });
  const messages = (broker: BrokerSpec) =>
    validateBroker(broker, ['eu'], { aws: ['eu'] }).map(
      (p) => `${formatPath(p.path)}: ${p.message}`,
    );

  it('need three brokers for replication factor 3', () => {
    expect(messages(msk({ brokerCount: 2 }))).toEqual([
      'msk.brokerCount: (2) must be a whole number from 3 to 30',
    ]);
    expect(messages(msk({ brokerCount: 3 }))).toEqual([]);
  });

  it('take storage in whole GiB', () => {
    expect(messages(msk({ volumeSize: Size.parse('1500Mi') }))).toEqual([
      'msk.volumeSize: (1500Mi) must be a whole number of GiB from 1Gi to 16384Gi',
    ]);
    expect(messages(msk({ volumeSize: Size.parse('17Ti') }))).toEqual([
      'msk.volumeSize: (17Ti) must be a whole number of GiB from 1Gi to 16384Gi',
    ]);
    expect(messages(msk({ volumeSize: Size.parse('16Ti') }))).toEqual([]);
  });
});

describe('scaling groups with Session Manager', () => {
  const WEU: KubernetesSiteSpec = { name: 'weu', cloud: 'azure', nodePools: [{ name: 'general' }] };
  const grouped = (reason: string) =>
    consumer({
      queue: { broker: 'sqs', queue: 'telemetry' },
      scaling: { minReplicas: 1, maxReplicas: 4, queueDepth: { perReplica: 100 } },
      placement: { scalingGroup: { instanceType: 'c7i.large', sessionManager: { reason } } },
    });

  it('take a written reason of at least 20 characters', () => {
    expect(validateAgent(grouped('On-call engineers read the agent journal'))).toEqual([]);
    expect(
      validateAgent(grouped('   debugging        ')).map(
        (p) => `${formatPath(p.path)}: ${p.message}`,
      ),
    ).toEqual([
      'placement.scalingGroup.sessionManager.reason: Session Manager lets operators open shells on the machines: give a written reason (at least 20 characters)',
    ]);
  });

  it('are for EC2 groups only', () => {
    const spec = {
      ...grouped('On-call engineers read the agent journal'),
      queue: { broker: 'servicebus', queue: 'telemetry' },
    };
    expect(
      validateAgentOnSite(spec, WEU, [{ name: 'servicebus', kind: 'servicebus', site: 'weu' }])
        .map((p) => `${formatPath(p.path)}: ${p.message}`)
        .filter((line) => line.includes('sessionManager')),
    ).toEqual([
      'placement.scalingGroup.sessionManager: applies to EC2 groups only: it is AWS Systems Manager Session Manager',
    ]);
  });
});

import { Testing } from 'cdktf';
import {
  AgentSpec,
  BrokerSpec,
  clusterSiteOf,
  Duration,
  kafkaTopicsAccount,
  planSite,
} from '../../model';
import { AwsInfraStack } from '../../stacks/aws-infra-stack';
import { consumer } from '../support/fixtures';
import {
  Block,
  Synthesized,
  synthesized,
  resourcesById,
  resourcesOf,
} from '../support/synthesized';
import { AWS_SITE, REGION, SQS_CONSUME_ACTIONS } from './support';

const SITE = AWS_SITE;

const BROKERS: BrokerSpec[] = [
  { name: 'events', kind: 'kafka', msk: { site: 'eu', kafkaVersion: '3.8.x' } },
  { name: 'queues', kind: 'sqs', site: 'eu' },
];

const sensorIngest = consumer({
  name: 'sensor-ingest',
  queue: undefined,
  topic: { broker: 'events', topic: 'sensor-readings', retention: Duration.days(3) },
  scaling: { minReplicas: 1, maxReplicas: 12, consumerLag: { perReplica: 500 } },
});
const inventoryUpdate = consumer({
  name: 'inventory-update',
  queue: { broker: 'queues', queue: 'inventory-updates' },
  state: { partitionKey: { name: 'sku', type: 'string' } },
  scaling: { minReplicas: 1, maxReplicas: 4, queueDepth: { perReplica: 50 } },
});
const dispatcher = consumer({
  name: 'dispatcher',
  queue: undefined,
  publishes: [{ broker: 'queues', queue: 'inventory-updates' }],
  scaling: { minReplicas: 1, maxReplicas: 1 },
});
const chimera = consumer({
  name: 'chimera-data-ingest',
  queue: { broker: 'queues', queue: 'chimera-ingest' },
  placement: { scalingGroup: { instanceType: 'c7i.large' } },
  scaling: { minReplicas: 1, maxReplicas: 8, queueDepth: { perReplica: 100 } },
});

function build(agents: AgentSpec[] = [sensorIngest, inventoryUpdate, dispatcher, chimera]) {
  const stack = new AwsInfraStack(Testing.app(), 'test-eu-infra', {
    site: SITE,
    plan: planSite({ environment: 'test', site: clusterSiteOf(SITE), brokers: BROKERS, agents }),
  });
  return { stack, json: synthesized(stack) };
}

/** The inline policy of the IRSA role whose trust names this service account. */
function policyOf(json: Synthesized, namespace: string, account: string): Block[] {
  const roles = Object.entries(resourcesById(json, 'aws_iam_role'));
  const entry = roles.find(([, role]) =>
    String(role.assume_role_policy).includes(`system:serviceaccount:${namespace}:${account}`),
  );
  if (!entry) throw new Error(`no role for ${namespace}/${account}`);
  const policy = resourcesOf(json, 'aws_iam_role_policy').find((candidate) =>
    String(candidate.role).includes(`aws_iam_role.${entry[0]}.`),
  );
  // Terraform resolves the interpolations before the JSON is read; quotes inside them are theirs.
  const text = String(policy!.policy).replace(/\$\{[^}]*\}/g, (ref) => ref.replace(/"/g, "'"));
  return JSON.parse(text).Statement;
}

describe('the cloud side of a site’s agents', () => {
  const { stack, json } = build();

  it('gives each agent on the cluster a role limited to its own queue, topic and table', () => {
    const inventory = policyOf(json, 'inventory-update', 'inventory-update');
    expect(inventory.map((statement) => statement.Action)).toEqual([
      SQS_CONSUME_ACTIONS,
      ['kms:Decrypt'],
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem']),
      expect.arrayContaining(['kms:Decrypt']),
    ]);
    expect(inventory[0].Resource).toEqual([
      expect.stringMatching(/^\$\{aws_sqs_queue\.Agents_Queue-inventory-update_\w+\.arn\}$/),
    ]);
    expect(JSON.stringify(inventory)).not.toMatch(/"\*"|chimera|sensor/);

    const sensor = policyOf(json, 'sensor-ingest', 'sensor-ingest');
    const resources = sensor.flatMap((statement) => statement.Resource as string[]);
    expect(resources.filter((arn) => arn.includes(':topic/'))).toEqual([
      expect.stringMatching(/:topic\/test-eu-events\/\$\{.+\}\/sensor-readings$/),
      expect.stringMatching(/:topic\/test-eu-events\/\$\{.+\}\/sensor-readings\.dlq$/),
    ]);
    expect(resources.filter((arn) => arn.includes(':group/'))).toEqual([
      expect.stringMatching(/:group\/test-eu-events\/\$\{.+\}\/sensor-ingest$/),
    ]);
    expect(sensor.flatMap((statement) => statement.Action)).not.toContain(
      'kafka-cluster:CreateTopic',
    );
  });

  it('lets a publisher send to the SQS queue it publishes to, and nothing else', () => {
    const statements = policyOf(json, 'dispatcher', 'dispatcher');
    expect(statements.map((statement) => statement.Action)).toEqual([
      ['sqs:SendMessage'],
      ['kms:GenerateDataKey', 'kms:Decrypt'],
    ]);
    expect(statements[0].Resource[0]).toMatch(/Queue-inventory-update/);
  });

  it('lets KEDA read queue depth and consumer lag only', () => {
    const keda = policyOf(json, 'keda', 'keda-operator');
    expect(keda.flatMap((statement) => statement.Action).sort()).toEqual([
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeGroup',
      'kafka-cluster:DescribeTopic',
      'sqs:GetQueueAttributes',
    ]);
  });

  it('lets the topic creator create exactly the bound topics and their dead-letter topics', () => {
    const account = kafkaTopicsAccount('events');
    const admin = policyOf(json, account.namespace, account.name);
    expect(admin[1].Action).toContain('kafka-cluster:CreateTopic');
    expect(admin[1].Resource).toEqual([
      expect.stringMatching(/\/sensor-readings$/),
      expect.stringMatching(/\/sensor-readings\.dlq$/),
    ]);
    expect(stack.bindings.kafkaTopics?.[0].topics).toEqual([
      {
        name: 'sensor-readings',
        partitions: 12,
        replicationFactor: 3,
        config: { 'retention.ms': String(3 * 86_400_000), 'min.insync.replicas': '2' },
      },
      {
        name: 'sensor-readings.dlq',
        partitions: 12,
        replicationFactor: 3,
        config: { 'retention.ms': String(14 * 86_400_000), 'min.insync.replicas': '2' },
      },
    ]);
  });

  it('hands the cluster’s stacks the bindings of its agents, not of those on scaling groups', () => {
    expect(Object.keys(stack.bindings.agents).sort()).toEqual([
      'dispatcher',
      'inventory-update',
      'sensor-ingest',
    ]);
    const inventory = stack.bindings.agents['inventory-update'];
    expect(inventory.identity?.region).toBe(REGION);
    expect(inventory.queue?.kind).toBe('sqs');
    expect(inventory.store?.kind).toBe('dynamodb');
    expect(stack.bindings.agents['sensor-ingest'].kafka).toMatchObject({
      port: 9098,
      networkCidr: '10.40.0.0/16',
    });
    expect(stack.bindings.kedaRoleArn).toBeDefined();
  });

  it('names the table after environment, site and agent, and protects it', () => {
    const [table] = resourcesOf(json, 'aws_dynamodb_table');
    expect(table).toMatchObject({
      name: 'test-eu-inventory-update',
      billing_mode: 'PAY_PER_REQUEST',
      deletion_protection_enabled: true,
      point_in_time_recovery: { enabled: true },
      lifecycle: { prevent_destroy: true },
    });
  });

  it('runs a scaling-group agent on its own group, scaled on its queue’s backlog', () => {
    const [template] = resourcesOf(json, 'aws_launch_template');
    expect(template.image_id).toBe(
      'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id',
    );
    const [group] = resourcesOf(json, 'aws_autoscaling_group');
    expect(group).toMatchObject({ min_size: 1, max_size: 8 });
    const [policy] = resourcesOf(json, 'aws_autoscaling_policy');
    expect(policy.target_tracking_configuration.target_value).toBe(100);
    expect(
      resourcesOf(json, 'aws_sqs_queue')
        .map((queue) => queue.name)
        .sort(),
    ).toEqual([
      'chimera-ingest',
      'chimera-ingest-dlq',
      'inventory-updates',
      'inventory-updates-dlq',
    ]);
  });

  it('gives a scaling group Session Manager only when its placement gives the reason', () => {
    const policies = (json: Synthesized) =>
      resourcesOf(json, 'aws_iam_role_policy').map((policy) => policy.name as string);
    expect(policies(json).filter((name) => name === 'session-manager')).toEqual([]);
    const reason = 'On-call engineers read the agent journal in incidents';
    const { json: opted } = build([
      {
        ...chimera,
        placement: { scalingGroup: { instanceType: 'c7i.large', sessionManager: { reason } } },
      },
    ]);
    expect(policies(opted).filter((name) => name === 'session-manager')).toEqual([
      'session-manager',
    ]);
  });

  it('builds the site’s Kafka cluster and no role for an agent that needs none', () => {
    expect(resourcesOf(json, 'aws_msk_cluster').map((cluster) => cluster.cluster_name)).toEqual([
      'test-eu-events',
    ]);
    const rabbit = consumer({ name: 'rabbit-only' });
    const { stack: plain } = build([rabbit]);
    expect(plain.bindings).toEqual({ agents: {} });
  });

  it('refuses to publish to an SQS queue no agent of the site consumes', () => {
    const lonely = consumer({
      name: 'lonely',
      queue: undefined,
      publishes: [{ broker: 'queues', queue: 'nobody-reads' }],
      scaling: { minReplicas: 1, maxReplicas: 1 },
    });
    expect(() => build([lonely])).toThrow(
      "'lonely.publishes[0].queue': no agent of site 'eu' consumes SQS queue 'nobody-reads', so the fleet does not create it",
    );
  });
});

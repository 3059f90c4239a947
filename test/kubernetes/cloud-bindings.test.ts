import { Lazy, Token } from 'cdktf';
import {
  AgentCloudBindings,
  AgentSpec,
  BrokerSpec,
  Duration,
  KubernetesSiteSpec,
  SiteCloudBindings,
} from '../../model';
import { crdErrors, crdSchemasAvailable } from '../support/crd-schemas';
import { BROKER, consumer, synthAgents, synthPlatform } from '../support/fixtures';
import { DNS_EGRESS, PUBLIC_HTTPS_EGRESS } from '../support/kubernetes-expected';
import { Block, Synthesized, resourceOf, manifestsOf, helmValues } from '../support/synthesized';

/** An EKS cluster the fleet builds, reached here through a kubeconfig for brevity. */
const EKS: KubernetesSiteSpec = {
  name: 'eu',
  cloud: 'aws',
  kubeconfig: { path: '~/.kube/config', context: 'eu' },
  nodePools: [{ name: 'general', labels: { location: 'eu-west-1' } }],
};

const BROKERS: BrokerSpec[] = [
  { name: 'sqs', kind: 'sqs', site: 'eu' },
  { name: 'telemetry', kind: 'kafka', msk: { site: 'eu', kafkaVersion: '3.8.x' } },
];

const ROLE = 'arn:aws:iam::123456789012:role/staging-eu-agent';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/chimera_ingest';
const DLQ_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/chimera_ingest-dlq';
const BOOTSTRAP =
  'b-1.telemetry.kafka.eu-west-1.amazonaws.com:9098,b-2.telemetry.kafka.eu-west-1.amazonaws.com:9098';

const sqsAgent = consumer({
  name: 'chimera-data-ingest',
  queue: {
    broker: 'sqs',
    queue: 'chimera_ingest',
    consumer: { maxProcessingTime: Duration.minutes(2) },
  },
  scaling: { minReplicas: 1, maxReplicas: 8, queueDepth: { perReplica: 50, activation: 5 } },
});

const kafkaAgent = consumer({
  name: 'sensor-ingest',
  queue: undefined,
  topic: { broker: 'telemetry', topic: 'sensor.readings', partitions: 12 },
  scaling: { minReplicas: 0, maxReplicas: 12, consumerLag: { perReplica: 1000, activation: 10 } },
});

const tableAgent = consumer({
  name: 'inventory-update',
  queue: undefined,
  scaling: { minReplicas: 2, maxReplicas: 2 },
  state: { partitionKey: { name: 'sku', type: 'string' } },
});

function identity(region = 'eu-west-1'): AgentCloudBindings {
  return {
    identity: {
      cloud: 'aws',
      region,
      serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': ROLE },
    },
  };
}

const CLOUD: SiteCloudBindings = {
  kedaRoleArn: 'arn:aws:iam::123456789012:role/staging-eu-keda',
  agents: {
    'chimera-data-ingest': {
      ...identity(),
      queue: { kind: 'sqs', queueUrl: QUEUE_URL, deadLetterQueueUrl: DLQ_URL },
    },
    'sensor-ingest': {
      ...identity(),
      kafka: { bootstrapServers: BOOTSTRAP, port: 9098, networkCidr: '10.40.0.0/16' },
    },
    'inventory-update': {
      ...identity(),
      store: { kind: 'dynamodb', tableName: 'staging-eu-inventory-update' },
    },
  },
};

const synth = (agents: AgentSpec[], cloud: SiteCloudBindings = CLOUD): Synthesized =>
  synthAgents(agents, EKS, { brokers: BROKERS, cloud });

const json = synth([sqsAgent, kafkaAgent, tableAgent]);

/** The agent's Deployment's container env as a name → value map. */
function envOf(agent: string, from: Synthesized = json): Record<string, string> {
  const deployment = resourceOf(from, 'kubernetes_deployment_v1', agent);
  const env = deployment.spec.template.spec.container[0].env as { name: string; value: string }[];
  return Object.fromEntries(env.map(({ name, value }) => [name, value]));
}

function egressOf(agent: string, from: Synthesized = json): Block[] {
  return resourceOf(from, 'kubernetes_network_policy_v1', agent).spec.egress;
}

function scaledObjectOf(agent: string, from: Synthesized = json): Block {
  const found = manifestsOf(from, 'ScaledObject').filter(
    (manifest) => manifest.metadata.name === agent,
  );
  expect(found).toHaveLength(1);
  return found[0];
}

const AWS_AUTHENTICATION_REF = { name: 'keda-aws', kind: 'ClusterTriggerAuthentication' };

describe('cloud identity', () => {
  it.each(['chimera-data-ingest', 'sensor-ingest', 'inventory-update'])(
    '%s gets its IRSA role on its service account and no Kubernetes API token',
    (agent) => {
      const account = resourceOf(json, 'kubernetes_service_account_v1', agent);
      expect(account.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': ROLE });
      expect(account.automount_service_account_token).toBe(false);
      const deployment = resourceOf(json, 'kubernetes_deployment_v1', agent);
      expect(deployment.spec.template.spec.automount_service_account_token).toBe(false);
      expect(envOf(agent).AWS_REGION).toBe('eu-west-1');
    },
  );

  it('puts no credential in the pods: no key variables, no broker secrets', () => {
    for (const agent of ['chimera-data-ingest', 'sensor-ingest', 'inventory-update']) {
      const names = Object.keys(envOf(agent));
      expect(names.filter((name) => /KEY|SECRET|PASSWORD|TOKEN|CREDENTIAL/.test(name))).toEqual([]);
      const deployment = resourceOf(json, 'kubernetes_deployment_v1', agent);
      expect(deployment.spec.template.spec.volume).toEqual([
        { name: 'scratch', empty_dir: { size_limit: '256Mi' } },
      ]);
    }
  });

  it('leaves service accounts unannotated and egress closed on a cluster the user runs', () => {
    const local = synthAgents([consumer()]);
    const account = resourceOf(local, 'kubernetes_service_account_v1');
    expect(account.metadata.annotations).toBeUndefined();
    expect(egressOf('image-processing', local)).not.toContainEqual(PUBLIC_HTTPS_EGRESS);
    expect(Object.keys(envOf('image-processing', local))).not.toContain('AWS_REGION');
  });
});

describe('an SQS consumer', () => {
  it('is told its queues through FLEET_ variables, and nothing of RabbitMQ', () => {
    expect(envOf('chimera-data-ingest')).toEqual({
      AWS_REGION: 'eu-west-1',
      FLEET_QUEUE_URL: QUEUE_URL,
      FLEET_DEAD_LETTER_QUEUE_URL: DLQ_URL,
      FLEET_QUEUE_NAME: 'chimera_ingest',
      FLEET_MAX_PROCESSING_SECONDS: '120',
    });
  });

  it('reaches only DNS and the public AWS endpoints on 443', () => {
    expect(egressOf('chimera-data-ingest')).toEqual([DNS_EGRESS, PUBLIC_HTTPS_EGRESS]);
  });

  it('scales on the queue depth per replica with an aws-sqs-queue trigger read as KEDA', () => {
    const scaled = scaledObjectOf('chimera-data-ingest');
    expect(scaled.spec.triggers).toEqual([
      {
        type: 'aws-sqs-queue',
        name: 'queue-depth',
        metricType: 'AverageValue',
        metadata: {
          queueURL: QUEUE_URL,
          queueLength: '50',
          activationQueueLength: '5',
          awsRegion: 'eu-west-1',
        },
        authenticationRef: AWS_AUTHENTICATION_REF,
      },
    ]);
    // AverageValue keeps the fallback: half-way between 1 and 8.
    expect(scaled.spec.fallback).toEqual({
      replicas: 5,
      failureThreshold: 3,
      behavior: 'currentReplicasIfHigher',
    });
  });

  it('renders per-message work on SQS as a ScaledJob with the same trigger and env', () => {
    const jobs = synth([
      {
        ...sqsAgent,
        workload: 'per-message',
        scaling: { minReplicas: 0, maxReplicas: 20, queueDepth: { perReplica: 1 } },
      },
    ]);
    const [job] = manifestsOf(jobs, 'ScaledJob');
    expect(job.spec.triggers[0].type).toBe('aws-sqs-queue');
    expect(job.spec.triggers[0].metadata.queueLength).toBe('1');
    expect(job.spec.triggers[0].authenticationRef).toEqual(AWS_AUTHENTICATION_REF);
    const env = job.spec.jobTargetRef.template.spec.containers[0].env as Block[];
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'AWS_REGION', value: 'eu-west-1' },
        { name: 'FLEET_QUEUE_URL', value: QUEUE_URL },
      ]),
    );
  });
});

describe('a Kafka consumer on MSK', () => {
  it('is told its topic, group, dead-letter topic and IAM authentication', () => {
    expect(envOf('sensor-ingest')).toEqual({
      AWS_REGION: 'eu-west-1',
      FLEET_KAFKA_BOOTSTRAP_SERVERS: BOOTSTRAP,
      FLEET_KAFKA_TOPIC: 'sensor.readings',
      FLEET_KAFKA_CONSUMER_GROUP: 'sensor-ingest',
      FLEET_KAFKA_DEAD_LETTER_TOPIC: 'sensor.readings.dlq',
      FLEET_KAFKA_AUTH: 'aws-msk-iam',
      FLEET_KAFKA_AUTO_OFFSET_RESET: 'earliest',
      FLEET_MAX_PROCESSING_SECONDS: '30',
    });
  });

  it('names no dead-letter topic when dead-lettering is off', () => {
    const off = synth([
      {
        ...kafkaAgent,
        topic: {
          broker: 'telemetry',
          topic: 'sensor.readings',
          partitions: 12,
          deadLetter: { enabled: false, reason: 'readings are replaced by the next one' },
        },
      },
    ]);
    expect(Object.keys(envOf('sensor-ingest', off))).not.toContain('FLEET_KAFKA_DEAD_LETTER_TOPIC');
  });

  it("reaches the brokers' network on the IAM listener port and the AWS endpoints on 443", () => {
    expect(egressOf('sensor-ingest')).toEqual([
      DNS_EGRESS,
      { to: [{ ip_block: { cidr: '10.40.0.0/16' } }], ports: [{ port: '9098', protocol: 'TCP' }] },
      PUBLIC_HTTPS_EGRESS,
    ]);
  });

  it('scales on consumer-group lag per replica with a kafka trigger over MSK IAM', () => {
    const scaled = scaledObjectOf('sensor-ingest');
    expect(scaled.spec.triggers).toEqual([
      {
        type: 'kafka',
        name: 'consumer-lag',
        metricType: 'AverageValue',
        metadata: {
          bootstrapServers: BOOTSTRAP,
          consumerGroup: 'sensor-ingest',
          topic: 'sensor.readings',
          lagThreshold: '1000',
          activationLagThreshold: '10',
          offsetResetPolicy: 'earliest',
          allowIdleConsumers: 'false',
          limitToPartitionsWithLag: 'false',
          sasl: 'oauthbearer',
          saslTokenProvider: 'aws_msk_iam',
          tls: 'enable',
          awsRegion: 'eu-west-1',
        },
        authenticationRef: AWS_AUTHENTICATION_REF,
      },
    ]);
    expect(scaled.spec.minReplicaCount).toBe(0);
    expect(scaled.spec.fallback).toEqual({
      replicas: 6,
      failureThreshold: 3,
      behavior: 'currentReplicasIfHigher',
    });
  });

  it('uses a custom consumer group in the env and the trigger alike', () => {
    const custom = synth([
      { ...kafkaAgent, topic: { ...kafkaAgent.topic!, consumerGroup: 'sensors-v2' } },
    ]);
    expect(envOf('sensor-ingest', custom).FLEET_KAFKA_CONSUMER_GROUP).toBe('sensors-v2');
    expect(scaledObjectOf('sensor-ingest', custom).spec.triggers[0].metadata.consumerGroup).toBe(
      'sensors-v2',
    );
  });
});

describe('an agent with state', () => {
  it('is told its table and reaches DynamoDB through the public endpoints only', () => {
    expect(envOf('inventory-update')).toEqual({
      AWS_REGION: 'eu-west-1',
      FLEET_STATE_MODEL: 'key-value',
      FLEET_STATE_ENGINE: 'dynamodb',
      FLEET_TABLE_NAME: 'staging-eu-inventory-update',
    });
    expect(egressOf('inventory-update')).toEqual([DNS_EGRESS, PUBLIC_HTTPS_EGRESS]);
    expect(manifestsOf(json, 'ScaledObject').map((m) => m.metadata.name)).not.toContain(
      'inventory-update',
    );
  });
});

describe('an agent with wide-column state on Amazon Keyspaces', () => {
  const readings = consumer({
    name: 'sensor-history',
    queue: undefined,
    scaling: { minReplicas: 1, maxReplicas: 1 },
    state: {
      model: 'wide-column',
      tables: [{ name: 'readings', columns: [{ name: 'id', type: 'text' }], partitionKey: ['id'] }],
    },
  });
  const keyspaces = synth([readings], {
    agents: {
      'sensor-history': {
        ...identity(),
        store: {
          kind: 'keyspaces',
          host: 'cassandra.eu-west-1.amazonaws.com',
          port: 9142,
          keyspace: 'staging_eu_sensor_history',
          region: 'eu-west-1',
          auth: 'aws-sigv4',
        },
        privateEgress: [{ cidr: '10.40.0.0/16', ports: [9142] }],
      },
    },
  });

  it('is told its keyspace, host, port and SigV4, and reaches the VPC endpoint on 9142', () => {
    expect(envOf('sensor-history', keyspaces)).toEqual({
      AWS_REGION: 'eu-west-1',
      FLEET_STATE_MODEL: 'wide-column',
      FLEET_STATE_ENGINE: 'keyspaces',
      FLEET_STATE_HOST: 'cassandra.eu-west-1.amazonaws.com',
      FLEET_STATE_PORT: '9142',
      FLEET_STATE_KEYSPACE: 'staging_eu_sensor_history',
      FLEET_STATE_AUTH: 'aws-sigv4',
    });
    expect(egressOf('sensor-history', keyspaces)).toEqual([
      DNS_EGRESS,
      PUBLIC_HTTPS_EGRESS,
      { to: [{ ip_block: { cidr: '10.40.0.0/16' } }], ports: [{ port: '9142', protocol: 'TCP' }] },
    ]);
  });
});

describe('an agent with document state on Amazon DocumentDB', () => {
  const orders = consumer({
    name: 'order-tracking',
    queue: undefined,
    scaling: { minReplicas: 1, maxReplicas: 1 },
    state: { model: 'document', collections: [{ name: 'orders' }] },
  });
  const documents = synth([orders], {
    agents: {
      'order-tracking': {
        ...identity(),
        store: {
          kind: 'documentdb',
          host: 'staging-eu.cluster-abc.eu-west-1.docdb.amazonaws.com',
          port: 27017,
          database: 'order-tracking',
          region: 'eu-west-1',
          auth: 'mongodb-aws',
        },
        privateEgress: [{ cidr: '10.40.0.0/16', ports: [27017] }],
      },
    },
  });

  it("is told its database, host, IAM sign-in and the region's CA bundle, and reaches the VPC on 27017", () => {
    expect(envOf('order-tracking', documents)).toEqual({
      AWS_REGION: 'eu-west-1',
      FLEET_STATE_MODEL: 'document',
      FLEET_STATE_ENGINE: 'documentdb',
      FLEET_STATE_HOSTS: 'staging-eu.cluster-abc.eu-west-1.docdb.amazonaws.com',
      FLEET_STATE_PORT: '27017',
      FLEET_STATE_DATABASE: 'order-tracking',
      FLEET_STATE_AUTH: 'mongodb-aws',
      FLEET_STATE_TLS_CA_URL:
        'https://truststore.pki.rds.amazonaws.com/eu-west-1/eu-west-1-bundle.pem',
    });
    expect(egressOf('order-tracking', documents)).toEqual([
      DNS_EGRESS,
      PUBLIC_HTTPS_EGRESS,
      { to: [{ ip_block: { cidr: '10.40.0.0/16' } }], ports: [{ port: '27017', protocol: 'TCP' }] },
    ]);
  });
});

describe('the keda-aws ClusterTriggerAuthentication', () => {
  it('is created once, using the KEDA operator’s own AWS identity', () => {
    expect(manifestsOf(json, 'ClusterTriggerAuthentication')).toEqual([
      {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ClusterTriggerAuthentication',
        metadata: { name: 'keda-aws', labels: { 'app.kubernetes.io/part-of': 'agent-fleet' } },
        spec: { podIdentity: { provider: 'aws', identityOwner: 'keda' } },
      },
    ]);
  });

  it('is not created when no trigger reads AWS', () => {
    const stateOnly = synth([tableAgent]);
    expect(manifestsOf(stateOnly, 'ClusterTriggerAuthentication')).toEqual([]);
    const local = synthAgents([consumer()]);
    expect(manifestsOf(local, 'ClusterTriggerAuthentication').map((m) => m.metadata.name)).toEqual([
      'rabbitmq-rabbitmq',
    ]);
  });
});

describe('Terraform tokens from the infra stack', () => {
  it('pass through env, egress and triggers as references', () => {
    const servers = '${data.terraform_remote_state.infra.outputs.bootstrap}';
    const port = '${data.terraform_remote_state.infra.outputs.port}';
    const withTokens = synth([kafkaAgent], {
      agents: {
        'sensor-ingest': {
          ...identity(),
          kafka: {
            bootstrapServers: Lazy.stringValue({ produce: () => servers }),
            port: Token.asNumber(Lazy.anyValue({ produce: () => port })),
            networkCidr: '10.40.0.0/16',
          },
        },
      },
    });
    expect(egressOf('sensor-ingest', withTokens)[1].ports).toEqual([{ port, protocol: 'TCP' }]);
    expect(envOf('sensor-ingest', withTokens).FLEET_KAFKA_BOOTSTRAP_SERVERS).toBe(servers);
    expect(
      scaledObjectOf('sensor-ingest', withTokens).spec.triggers[0].metadata.bootstrapServers,
    ).toBe(servers);
  });
});

describe('validation', () => {
  it('refuses a topic binding on a cluster without cloud bindings, naming the agent', () => {
    expect(() => synthAgents([kafkaAgent], EKS, { brokers: BROKERS })).toThrow(
      "test-dc1-agents/sensor-ingest: 1 problem(s)\n  - 'topic.broker': Kafka broker 'telemetry' needs the cluster its site runs, and the site gave no bindings for agent 'sensor-ingest'",
    );
  });

  it('refuses an SQS binding whose bindings hold no queue', () => {
    expect(() => synth([sqsAgent], { agents: { 'chimera-data-ingest': identity() } })).toThrow(
      "'queue.broker': SQS broker 'sqs' needs the queue its site's infra stack builds, and the bindings of agent 'chimera-data-ingest' hold no SQS queue",
    );
  });

  it('refuses state whose bindings hold no table', () => {
    expect(() => synth([tableAgent], { agents: {} })).toThrow(
      "'state': needs the table or database its site provides, and the site gave no bindings for agent 'inventory-update'",
    );
  });

  it('refuses an AWS_REGION of its own next to the bindings', () => {
    const agent = consumer({
      ...tableAgent,
      container: { ...tableAgent.container, env: { AWS_REGION: 'us-east-1' } },
    });
    expect(() => synth([agent])).toThrow(
      "'container.env.AWS_REGION': is set from the site's cloud bindings (eu-west-1)",
    );
  });
});

describe('KEDA operator identity', () => {
  it('annotates the operator service account with its IRSA role through the chart', () => {
    const platform = synthPlatform([], EKS, [BROKER], CLOUD);
    expect(helmValues(platform, 'keda').podIdentity).toEqual({
      aws: {
        irsa: {
          enabled: true,
          roleArn: 'arn:aws:iam::123456789012:role/staging-eu-keda',
          stsRegionalEndpoints: 'true',
        },
      },
    });
  });

  it('sets no pod identity without a role', () => {
    const platform = synthPlatform([consumer()]);
    expect(helmValues(platform, 'keda').podIdentity).toBeUndefined();
  });
});

const describeWithCrds = crdSchemasAvailable() ? describe : describe.skip;

describeWithCrds('cloud KEDA objects against the upstream CRD schemas', () => {
  const perMessage = synth([
    {
      ...sqsAgent,
      workload: 'per-message',
      scaling: { minReplicas: 0, maxReplicas: 20, queueDepth: { perReplica: 1 } },
    },
  ]);
  const manifests = [
    ...manifestsOf(json, 'ScaledObject'),
    ...manifestsOf(json, 'ClusterTriggerAuthentication'),
    ...manifestsOf(perMessage, 'ScaledJob'),
  ] as { apiVersion: string; kind: string; metadata: { name: string } }[];

  it('renders the objects under test', () => {
    expect(manifests.map((m) => `${m.kind} ${m.metadata.name}`)).toEqual([
      'ScaledObject chimera-data-ingest',
      'ScaledObject sensor-ingest',
      'ClusterTriggerAuthentication keda-aws',
      'ScaledJob chimera-data-ingest',
    ]);
  });

  it.each(manifests.map((m) => [`${m.kind} ${m.metadata.name}`, m] as const))(
    '%s is valid',
    (_name, manifest) => {
      expect(crdErrors('keda', manifest)).toEqual([]);
    },
  );

  it('catches a pod identity provider KEDA does not know, so the check can fail', () => {
    const [authentication] = manifestsOf(json, 'ClusterTriggerAuthentication');
    const broken = {
      ...authentication,
      spec: { podIdentity: { provider: 'aws-irsa', identityOwner: 'operator' } },
    };
    expect(crdErrors('keda', broken)).toEqual(
      expect.arrayContaining([
        '/spec/podIdentity/provider must be equal to one of the allowed values',
        '/spec/podIdentity/identityOwner must be equal to one of the allowed values',
      ]),
    );
  });
});

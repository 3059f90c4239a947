import { Testing } from 'cdktf';
import { CHARTS } from '../../constructs/kubernetes/platform/charts';
import {
  STRIMZI_API_VERSION,
  StrimziKafkaCluster,
  StrimziKafkaClusterProps,
} from '../../constructs/kubernetes/services/strimzi-kafka';
import {
  StrimziOperatorRelease,
  StrimziOperatorReleaseProps,
} from '../../constructs/kubernetes/services/strimzi-operator';
import {
  kafkaTopicResourceName,
  StrimziKafkaTopic,
  StrimziKafkaTopicProps,
} from '../../constructs/kubernetes/services/strimzi-topic';
import { Cpu, Size } from '../../model/units';
import { crdErrors, crdSchemasAvailable } from '../support/crd-schemas';
import {
  Synthesized,
  resourcesOf,
  resourceOf,
  manifestsOf,
  manifestOf,
  synthesizedScope,
} from '../support/synthesized';

const CLUSTER: StrimziKafkaClusterProps = {
  name: 'fleet',
  namespace: 'kafka',
  clientNamespaces: ['ingest', 'inventory'],
  kedaNamespace: 'keda',
  pools: ['general'],
  tolerations: [{ key: 'dedicated', value: 'brokers', effect: 'NoSchedule' }],
};

const TOPIC: StrimziKafkaTopicProps['topic'] = {
  name: 'sensor.readings',
  partitions: 12,
  replicationFactor: 3,
  config: { 'retention.ms': '604800000', 'min.insync.replicas': '2' },
};

function synthOperator(overrides: Partial<StrimziOperatorReleaseProps> = {}): Synthesized {
  return synthesizedScope((scope) => {
    new StrimziOperatorRelease(scope, 'Strimzi', {
      namespace: 'strimzi',
      watchNamespaces: ['kafka', 'strimzi'],
      ...overrides,
    });
  });
}

function synthKafka(
  overrides: Partial<StrimziKafkaClusterProps> = {},
  topics: Omit<StrimziKafkaTopicProps, 'cluster'>[] = [{ topic: TOPIC, minPartitions: 10 }],
): Synthesized {
  return synthesizedScope((scope) => {
    const cluster = new StrimziKafkaCluster(scope, 'Kafka', { ...CLUSTER, ...overrides });
    topics.forEach((topic, index) => {
      new StrimziKafkaTopic(scope, `Topic-${index}`, { cluster, ...topic });
    });
  });
}

describe('StrimziOperatorRelease', () => {
  const json = synthOperator();
  const release = resourceOf(json, 'helm_release');
  const values = JSON.parse(release.values[0]);

  it('installs Strimzi 1.2.0 from its own chart, CRDs included', () => {
    expect(release).toMatchObject({
      name: 'strimzi',
      namespace: 'strimzi',
      repository: CHARTS.strimzi.repository,
      chart: 'strimzi-kafka-operator',
      version: '1.2.0',
      skip_crds: false,
    });
  });

  it("watches the Kafka namespaces, leaving out the release's own", () => {
    expect(values.watchNamespaces).toEqual(['kafka']);
    expect(values.watchAnyNamespace).toBe(false);
  });

  it('sets resources and keeps the generated NetworkPolicies and PDBs', () => {
    expect(values.resources).toEqual({
      requests: { cpu: '200m', memory: '384Mi' },
      limits: { cpu: '1', memory: '384Mi' },
    });
    expect(values.generateNetworkPolicy).toBe(true);
    expect(values.generatePodDisruptionBudget).toBe(true);
    expect(values.createGlobalResources).toBe(true);
  });

  it('places the operator on the given pools', () => {
    const placed = JSON.parse(
      resourceOf(
        synthOperator({
          pools: ['system'],
          resources: { cpu: Cpu.cores(2), memory: Size.mebibytes(512) },
        }),
        'helm_release',
      ).values[0],
    );
    expect(placed.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [
        { matchExpressions: [{ key: 'agent-fleet.dev/pool', operator: 'In', values: ['system'] }] },
      ],
    });
    expect(placed.resources.limits).toEqual({ cpu: '2', memory: '512Mi' });
  });
});

describe('StrimziKafkaCluster defaults', () => {
  const json = synthKafka();
  const kafka = manifestOf(json, 'Kafka');
  const pool = manifestOf(json, 'KafkaNodePool');

  it('uses the API version Strimzi 1.2.0 serves', () => {
    expect(STRIMZI_API_VERSION).toBe('kafka.strimzi.io/v1');
    expect(kafka.apiVersion).toBe(STRIMZI_API_VERSION);
    expect(pool.apiVersion).toBe(STRIMZI_API_VERSION);
  });

  it('replicates 3 times with 2 in sync, internal topics included, and creates no topic on demand', () => {
    expect(kafka.spec.kafka.config).toEqual({
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
      'offsets.topic.replication.factor': 3,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
      'unclean.leader.election.enable': false,
      'auto.create.topics.enable': false,
    });
  });

  it('runs 3 dual-role KRaft nodes on persistent claims that outlive the cluster', () => {
    expect(pool.metadata.labels['strimzi.io/cluster']).toBe('fleet');
    expect(pool.spec.replicas).toBe(3);
    expect(pool.spec.roles).toEqual(['controller', 'broker']);
    expect(pool.spec.storage).toEqual({
      type: 'jbod',
      volumes: [
        {
          id: 0,
          type: 'persistent-claim',
          size: '100Gi',
          deleteClaim: false,
          kraftMetadata: 'shared',
        },
      ],
    });
  });

  it('spreads nodes over zones and hosts and is rack aware', () => {
    expect(kafka.spec.kafka.rack).toEqual({ topologyKey: 'topology.kubernetes.io/zone' });
    const pod = pool.spec.template.pod;
    expect(pod.topologySpreadConstraints[0]).toMatchObject({
      topologyKey: 'topology.kubernetes.io/zone',
      maxSkew: 1,
    });
    expect(
      pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0],
    ).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
    });
    expect(pod.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'brokers', effect: 'NoSchedule' },
    ]);
  });

  it('admits only the bound agents and KEDA to the plain internal listener', () => {
    expect(kafka.spec.kafka.listeners).toEqual([
      {
        name: 'plain',
        port: 9092,
        type: 'internal',
        tls: false,
        networkPolicyPeers: ['ingest', 'inventory', 'keda'].map((name) => ({
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
        })),
      },
    ]);
  });

  it('runs the topic operator, and no user operator, so KafkaTopics are reconciled', () => {
    expect(kafka.spec.entityOperator).toEqual({
      topicOperator: {
        resources: {
          requests: { cpu: '100m', memory: '512Mi' },
          limits: { cpu: '500m', memory: '512Mi' },
        },
      },
    });
  });

  it('protects the cluster from destruction', () => {
    for (const resource of resourcesOf(json, 'kubernetes_manifest')) {
      if (resource.manifest.kind === 'KafkaTopic') continue;
      expect(resource.lifecycle).toEqual({ prevent_destroy: true });
    }
  });

  it('exposes the bootstrap address and port', () => {
    Testing.synthScope((scope) => {
      const cluster = new StrimziKafkaCluster(scope, 'Kafka', CLUSTER);
      expect(cluster.bootstrapServers).toBe('fleet-kafka-bootstrap.kafka.svc:9092');
      expect(cluster.port).toBe(9092);
      expect(cluster.podLabels).toEqual({
        'strimzi.io/cluster': 'fleet',
        'strimzi.io/kind': 'Kafka',
      });
    });
  });
});

describe('StrimziKafkaCluster replicas', () => {
  it('refuses fewer than 3 nodes without a reason', () => {
    expect(() => synthKafka({ replicas: 1 }, [])).toThrow(
      /'replicas': \(1\) must be at least 3.*give 'reason'/,
    );
  });

  it('refuses an even count', () => {
    expect(() => synthKafka({ replicas: 4 }, [])).toThrow(/'replicas': \(4\) must be odd/);
  });

  it('runs one node with a written reason, replicating over what it has', () => {
    const json = synthKafka(
      { replicas: 1, reason: 'edge site with one machine; data is replayable' },
      [],
    );
    expect(manifestOf(json, 'KafkaNodePool').spec.replicas).toBe(1);
    expect(manifestOf(json, 'Kafka').spec.kafka.config).toMatchObject({
      'default.replication.factor': 1,
      'min.insync.replicas': 1,
    });
  });

  it('leaves rack awareness out on request', () => {
    expect(
      manifestOf(synthKafka({ zoneAware: false }, []), 'Kafka').spec.kafka.rack,
    ).toBeUndefined();
  });
});

describe('StrimziKafkaTopic', () => {
  const json = synthKafka();
  const topic = manifestOf(json, 'KafkaTopic');

  it('labels the topic with its cluster and names it in Kafka through spec.topicName', () => {
    expect(topic.metadata.namespace).toBe('kafka');
    expect(topic.metadata.labels['strimzi.io/cluster']).toBe('fleet');
    expect(topic.spec).toEqual({
      topicName: 'sensor.readings',
      partitions: 12,
      replicas: 3,
      config: { 'retention.ms': '604800000', 'min.insync.replicas': '2' },
    });
  });

  it('derives a DNS-safe object name, deterministically and without collisions', () => {
    expect(topic.metadata.name).toMatch(/^sensor-readings-[0-9a-f]{8}$/);
    expect(kafkaTopicResourceName('sensor.readings')).toBe(topic.metadata.name);
    expect(kafkaTopicResourceName('sensor_readings')).not.toBe(topic.metadata.name);
    expect(kafkaTopicResourceName('orders')).toBe('orders');
    expect(kafkaTopicResourceName('Orders')).toMatch(/^orders-[0-9a-f]{8}$/);
    expect(kafkaTopicResourceName('__')).toMatch(/^topic-[0-9a-f]{8}$/);
  });

  it('refuses fewer partitions than the consumer has replicas, naming both numbers', () => {
    expect(() =>
      synthKafka({}, [{ topic: { ...TOPIC, partitions: 6 }, minPartitions: 10 }]),
    ).toThrow(/'topic\.partitions': \(6\) must be >= 'minPartitions' \(10\)/);
  });

  it('refuses min.insync.replicas not below the replication factor', () => {
    expect(() =>
      synthKafka({}, [{ topic: { ...TOPIC, config: { 'min.insync.replicas': '3' } } }]),
    ).toThrow(/'min\.insync\.replicas' \(3\) must be < 'replicationFactor' \(3\)/);
  });

  it("checks the cluster's min.insync.replicas when the topic sets none", () => {
    expect(() =>
      synthKafka({}, [{ topic: { ...TOPIC, replicationFactor: 2, config: {} } }]),
    ).toThrow(/cluster 'fleet' min\.insync\.replicas' \(2\) must be < 'replicationFactor' \(2\)/);
  });

  it('refuses a replication factor above the brokers', () => {
    expect(() =>
      synthKafka({}, [{ topic: { ...TOPIC, replicationFactor: 5, config: {} } }]),
    ).toThrow(/must be <= the brokers of cluster 'fleet' \(3\)/);
  });
});

const describeWithCrds = crdSchemasAvailable() ? describe : describe.skip;

describeWithCrds('Strimzi objects against the Strimzi 1.2.0 CRD schemas', () => {
  const json = synthKafka({ storageClass: 'fast-ssd', kafkaVersion: '4.1.0' }, [
    { topic: TOPIC, minPartitions: 10 },
    { topic: { name: 'inventory_updates', partitions: 3, replicationFactor: 3, config: {} } },
  ]);
  const all = ['Kafka', 'KafkaNodePool', 'KafkaTopic'].flatMap((kind) =>
    manifestsOf(json, kind),
  ) as {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
  }[];

  it('renders every Strimzi kind the cluster uses', () => {
    expect(all.map((manifest) => manifest.kind)).toEqual([
      'Kafka',
      'KafkaNodePool',
      'KafkaTopic',
      'KafkaTopic',
    ]);
  });

  it.each(all.map((manifest) => [`${manifest.kind} ${manifest.metadata.name}`, manifest] as const))(
    '%s is valid',
    (_name, manifest) => {
      expect(crdErrors('strimzi', manifest)).toEqual([]);
    },
  );

  it('catches an invalid object, so the check can fail', () => {
    const pool = manifestOf(json, 'KafkaNodePool');
    const broken = { ...pool, spec: { ...pool.spec, roles: ['leader'] } };
    expect(crdErrors('strimzi', broken)).toEqual(
      expect.arrayContaining([expect.stringContaining('/spec/roles/0')]),
    );
  });
});

import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { MskConfiguration } from '@cdktf/provider-aws/lib/msk-configuration';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { Eventhub } from '@cdktf/provider-azurerm/lib/eventhub';
import { ServicebusQueue } from '@cdktf/provider-azurerm/lib/servicebus-queue';
import { Release } from '@cdktf/provider-helm/lib/release';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { CronJobV1 } from '@cdktf/provider-kubernetes/lib/cron-job-v1';
import { DeploymentV1 } from '@cdktf/provider-kubernetes/lib/deployment-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { TerraformStack } from 'cdktf';
import { ManagedNodeGroup, ManagedNodePoolSpec } from '../../constructs/aws';
import { KubernetesAgent } from '../../constructs/kubernetes/agent/kubernetes-agent';
import { GpuDevicePlugin } from '../../constructs/kubernetes/platform/gpu-device-plugin';
import { KafkaTopics } from '../../constructs/kubernetes/services/kafka-topics';
import { StrimziKafkaTopic } from '../../constructs/kubernetes/services/strimzi-topic';
import { Finding, GuardrailRule } from '../../guardrails';
import { replicasWithinPartitions } from '../../guardrails/rules/fleet/gr-fleet-01-replicas-within-partitions';
import { minInsyncBelowReplication } from '../../guardrails/rules/fleet/gr-fleet-02-min-insync-below-replication';
import { queueDeadLetter } from '../../guardrails/rules/fleet/gr-fleet-03-queue-dead-letter';
import { graceCoversProcessing } from '../../guardrails/rules/fleet/gr-fleet-04-grace-covers-processing';
import { zeroWithoutFallback } from '../../guardrails/rules/fleet/gr-fleet-05-zero-without-fallback';
import { oneMetricsProvider } from '../../guardrails/rules/fleet/gr-fleet-06-one-metrics-provider';
import { pdbBelowAutoscalerMin } from '../../guardrails/rules/fleet/gr-fleet-07-pdb-below-autoscaler-min';
import { gpuAgents } from '../../guardrails/rules/fleet/gr-fleet-08-gpu-agents';
import { gpuDaemonSets } from '../../guardrails/rules/fleet/gr-fleet-09-gpu-daemonsets';
import { scaleFromZeroTags } from '../../guardrails/rules/fleet/gr-fleet-10-scale-from-zero-tags';
import { runToCompletionNotEvicted } from '../../guardrails/rules/fleet/gr-fleet-11-run-to-completion-not-evicted';
import { FLEET_RULES } from '../../guardrails/rules/fleet/index';
import { AgentSpec, Duration, resolveAgent } from '../../model';
import { addSite } from '../aws/support';
import { BROKER, consumer, SITE } from '../support/fixtures';
import { findingsOf } from '../support/guardrail-findings';

/** The findings as `[rule, message]`, to match by rule id and detail. */
function found(findings: Finding[]): [string, string][] {
  return findings.map((finding) => [finding.rule, finding.message]);
}

function expectClean(rule: GuardrailRule, build: (stack: TerraformStack) => void): void {
  expect(found(findingsOf(rule, build))).toEqual([]);
}

function expectFinding(
  rule: GuardrailRule,
  detail: string,
  build: (stack: TerraformStack) => void,
): void {
  const findings = findingsOf(rule, build);
  expect(findings.length).toBeGreaterThan(0);
  for (const finding of findings) expect(finding.level).toBe(rule.level);
  expect(found(findings)).toContainEqual([rule.id, expect.stringContaining(detail)]);
}

/** An agent on the fixture site (a general pool and a GPU pool tainted nvidia.com/gpu). */
function agent(stack: TerraformStack, spec: AgentSpec = consumer()): KubernetesAgent {
  return new KubernetesAgent(stack, spec.name, {
    agent: resolveAgent(spec),
    site: SITE,
    brokers: [BROKER],
    namespace: spec.name,
    priorityClassName: 'agent-fleet-standard',
  });
}

const CLUSTER = { name: 'events', namespace: 'kafka', brokers: 3, minInsyncReplicas: 2 };

function kafkaScaledObject(stack: TerraformStack, maxReplicaCount: number, topic = 'readings') {
  new Manifest(stack, 'ScaledObject', {
    manifest: {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'sensor-ingest', namespace: 'sensor-ingest' },
      spec: {
        scaleTargetRef: { name: 'sensor-ingest' },
        minReplicaCount: 1,
        maxReplicaCount,
        triggers: [
          {
            type: 'kafka',
            metadata: {
              bootstrapServers: 'events-kafka-bootstrap.kafka.svc:9092',
              consumerGroup: 'sensor-ingest',
              topic,
              lagThreshold: '100',
            },
          },
        ],
      },
    },
  });
}

function strimziTopic(stack: TerraformStack, partitions: number): void {
  new StrimziKafkaTopic(stack, 'Topic', {
    cluster: CLUSTER,
    topic: { name: 'readings', partitions, replicationFactor: 3, config: {} },
  });
}

function mskTopics(stack: TerraformStack, partitions: number, config = {}): void {
  new KafkaTopics(stack, 'Topics', {
    namespace: 'platform',
    serviceAccountAnnotations: {},
    bootstrapServers: 'b-1.example:9098',
    region: 'eu-west-1',
    brokerCidr: '10.20.0.0/16',
    port: 9098,
    topics: [{ name: 'readings', partitions, replicationFactor: 3, config }],
  });
}

describe('GR-FLEET-01 replicas within partitions', () => {
  it('passes a consumer with no more replicas than its Strimzi topic has partitions', () => {
    expectClean(replicasWithinPartitions, (stack) => {
      strimziTopic(stack, 12);
      kafkaScaledObject(stack, 12);
    });
  });

  it('refuses more replicas than the Strimzi topic has partitions', () => {
    expectFinding(
      replicasWithinPartitions,
      "maxReplicaCount 16 > 12 partitions of topic 'readings'",
      (stack) => {
        strimziTopic(stack, 12);
        kafkaScaledObject(stack, 16);
      },
    );
  });

  it('reads the partitions of MSK topics from the topic Job', () => {
    expectClean(replicasWithinPartitions, (stack) => {
      mskTopics(stack, 6);
      kafkaScaledObject(stack, 6);
    });
    expectFinding(
      replicasWithinPartitions,
      "maxReplicaCount 8 > 6 partitions of topic 'readings'",
      (stack) => {
        mskTopics(stack, 6);
        kafkaScaledObject(stack, 8);
      },
    );
  });

  it('reads the partition count of Event Hubs', () => {
    expectFinding(
      replicasWithinPartitions,
      "maxReplicaCount 8 > 4 partitions of topic 'readings'",
      (stack) => {
        new Eventhub(stack, 'Hub', {
          name: 'readings',
          namespaceId: '/subscriptions/x/namespaces/y',
          partitionCount: 4,
          messageRetention: 1,
        });
        kafkaScaledObject(stack, 8);
      },
    );
  });
});

describe('GR-FLEET-01 for agents scaled on another signal than lag', () => {
  function prometheusConsumer(stack: TerraformStack, maxReplicaCount: number) {
    new Eventhub(stack, 'Hub', {
      name: 'readings',
      namespaceId: '/subscriptions/x/namespaces/y',
      partitionCount: 4,
      messageRetention: 1,
    });
    new DeploymentV1(stack, 'Workload', {
      metadata: { name: 'sensor-ingest', namespace: 'sensor-ingest' },
      spec: {
        selector: { matchLabels: { app: 'sensor-ingest' } },
        template: {
          metadata: { labels: { app: 'sensor-ingest' } },
          spec: {
            container: [
              {
                name: 'agent',
                image: 'sensor-ingest:1.0.0',
                env: [{ name: 'FLEET_KAFKA_TOPIC', value: 'readings' }],
              },
            ],
          },
        },
      },
    });
    new Manifest(stack, 'ScaledObject', {
      manifest: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'sensor-ingest', namespace: 'sensor-ingest' },
        spec: {
          scaleTargetRef: { name: 'sensor-ingest' },
          maxReplicaCount,
          triggers: [{ type: 'prometheus', metadata: { query: 'sum(lag)', threshold: '100' } }],
        },
      },
    });
  }

  it('reads the topic from the workload and checks it', () => {
    expectClean(replicasWithinPartitions, (stack) => prometheusConsumer(stack, 4));
    expectFinding(
      replicasWithinPartitions,
      "maxReplicaCount 12 > 4 partitions of topic 'readings'",
      (stack) => prometheusConsumer(stack, 12),
    );
  });
});

describe('GR-FLEET-02 min.insync.replicas below the replication factor', () => {
  it('passes a Strimzi topic with min ISR 2 of 3 replicas', () => {
    expectClean(
      minInsyncBelowReplication,
      (stack) =>
        new StrimziKafkaTopic(stack, 'Topic', {
          cluster: CLUSTER,
          topic: {
            name: 'readings',
            partitions: 3,
            replicationFactor: 3,
            config: { 'min.insync.replicas': '2' },
          },
        }),
    );
  });

  it('refuses a KafkaTopic whose min ISR, inherited from its Kafka cluster, equals its replicas', () => {
    expectFinding(
      minInsyncBelowReplication,
      "topic 'readings': min.insync.replicas 3 >= replication factor 3",
      (stack) => {
        new Manifest(stack, 'Kafka', {
          manifest: {
            apiVersion: 'kafka.strimzi.io/v1',
            kind: 'Kafka',
            metadata: { name: 'events', namespace: 'kafka' },
            spec: { kafka: { config: { 'min.insync.replicas': 3 } } },
          },
        });
        new Manifest(stack, 'Topic', {
          manifest: {
            apiVersion: 'kafka.strimzi.io/v1',
            kind: 'KafkaTopic',
            metadata: {
              name: 'readings',
              namespace: 'kafka',
              labels: { 'strimzi.io/cluster': 'events' },
            },
            spec: { partitions: 3, replicas: 3 },
          },
        });
      },
    );
  });

  it('checks the MSK topic Job and the MSK configuration', () => {
    expectClean(minInsyncBelowReplication, (stack) =>
      mskTopics(stack, 3, { 'min.insync.replicas': '2' }),
    );
    expectFinding(
      minInsyncBelowReplication,
      'server_properties default.replication.factor/min.insync.replicas: min.insync.replicas 3 >= replication factor 3',
      (stack) =>
        new MskConfiguration(stack, 'Configuration', {
          name: 'events',
          kafkaVersions: ['3.8.x'],
          serverProperties: 'default.replication.factor=3\nmin.insync.replicas=3\n',
        }),
    );
  });
});

/** A RabbitMQ topology ConfigMap, with or without the dead-lettering policy. */
function topology(stack: TerraformStack, deadLetter: boolean): void {
  const queue = 'image_processing_tasks';
  new ConfigMapV1(stack, 'Topology', {
    metadata: { name: 'rabbitmq-topology', namespace: 'rabbitmq' },
    data: {
      'topology.json': JSON.stringify({
        queues: [
          { name: queue, vhost: '/', arguments: { 'x-queue-type': 'quorum' } },
          { name: `${queue}.dlq`, vhost: '/', arguments: { 'x-queue-type': 'quorum' } },
        ],
        exchanges: [{ name: `${queue}.dlx`, vhost: '/', type: 'fanout' }],
        bindings: [
          {
            source: `${queue}.dlx`,
            vhost: '/',
            destination: `${queue}.dlq`,
            destination_type: 'queue',
          },
        ],
        policies: [
          {
            vhost: '/',
            name: 'all',
            pattern: '.*',
            'apply-to': 'queues',
            priority: 0,
            definition: { 'max-length': 1000 },
          },
          ...(deadLetter
            ? [
                {
                  vhost: '/',
                  name: queue,
                  pattern: `^${queue}$`,
                  'apply-to': 'queues',
                  priority: 10,
                  definition: { 'dead-letter-exchange': `${queue}.dlx`, 'delivery-limit': 5 },
                },
              ]
            : []),
        ],
      }),
    },
  });
}

/** A Deployment bound to a queue through the agents' environment variables. */
function boundDeployment(
  stack: TerraformStack,
  env: Record<string, string>,
  pod: Record<string, unknown> = {},
): void {
  new DeploymentV1(stack, 'Deployment', {
    metadata: { name: 'worker', namespace: 'worker' },
    spec: {
      selector: { matchLabels: { app: 'worker' } },
      template: {
        metadata: { labels: { app: 'worker' } },
        spec: {
          container: [
            {
              name: 'agent',
              image: 'registry.example.com/worker:1.0.0',
              env: Object.entries(env).map(([name, value]) => ({ name, value })),
              lifecycle: { preStop: [{ exec: { command: ['sleep', '5'] } }] },
            },
          ],
          ...pod,
        },
      },
    },
  });
}

describe('GR-FLEET-03 every queue binding has a dead-letter destination', () => {
  it("passes an agent whose RabbitMQ queue's policy dead-letters to a bound exchange", () => {
    expectClean(queueDeadLetter, (stack) => {
      topology(stack, true);
      agent(stack);
    });
  });

  it('refuses an agent whose RabbitMQ queue has no dead-letter exchange', () => {
    expectFinding(
      queueDeadLetter,
      "RabbitMQ queue 'image_processing_tasks' (test/Topology) has no dead-letter exchange",
      (stack) => {
        topology(stack, false);
        agent(stack);
      },
    );
  });

  it('follows SQS and Service Bus bindings to their queues', () => {
    const sqs = { FLEET_QUEUE_URL: 'https://sqs.example/telemetry', FLEET_QUEUE_NAME: 'telemetry' };
    expectFinding(queueDeadLetter, "SQS queue 'telemetry' has no redrive policy", (stack) => {
      new SqsQueue(stack, 'Queue', { name: 'telemetry' });
      boundDeployment(stack, sqs);
    });
    expectClean(queueDeadLetter, (stack) => {
      new SqsQueue(stack, 'Queue', {
        name: 'telemetry',
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:dlq', maxReceiveCount: 5 }),
      });
      boundDeployment(stack, sqs);
    });
    expectFinding(
      queueDeadLetter,
      "Service Bus queue 'tasks' does not set dead_lettering_on_message_expiration",
      (stack) => {
        new ServicebusQueue(stack, 'Queue', {
          name: 'tasks',
          namespaceId: '/subscriptions/x/namespaces/y',
          maxDeliveryCount: 5,
        });
        boundDeployment(stack, { FLEET_SERVICEBUS_NAMESPACE: 'ns', FLEET_QUEUE_NAME: 'tasks' });
      },
    );
  });
});

describe("GR-FLEET-04 the consumer's grace period covers its processing time", () => {
  it('passes an agent, whose grace period the construct derives from its binding', () => {
    expectClean(graceCoversProcessing, (stack) => agent(stack));
  });

  it('refuses a grace period shorter than processing plus preStop', () => {
    expectFinding(
      graceCoversProcessing,
      "grace 30s < 60s processing + 5s preStop of container 'agent'",
      (stack) =>
        boundDeployment(stack, { FLEET_QUEUE_NAME: 'q', FLEET_MAX_PROCESSING_SECONDS: '60' }),
    );
  });

  it('reads camelCase manifests too', () => {
    expectFinding(
      graceCoversProcessing,
      "grace 20s < 60s processing + 10s preStop of container 'agent'",
      (stack) =>
        new Manifest(stack, 'ScaledJob', {
          manifest: {
            apiVersion: 'keda.sh/v1alpha1',
            kind: 'ScaledJob',
            metadata: { name: 'worker', namespace: 'worker' },
            spec: {
              jobTargetRef: {
                template: {
                  spec: {
                    terminationGracePeriodSeconds: 20,
                    containers: [
                      {
                        name: 'agent',
                        image: 'registry.example.com/worker:1.0.0',
                        env: [{ name: 'FLEET_MAX_PROCESSING_SECONDS', value: '60' }],
                        lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 10'] } } },
                      },
                    ],
                  },
                },
              },
              triggers: [],
            },
          },
        }),
    );
  });
});

describe('GR-FLEET-05 a scale-to-zero agent counts only on a fallback KEDA applies at zero', () => {
  function scaledObject(
    stack: TerraformStack,
    minReplicaCount: number,
    options: { metricType?: string; behavior?: string; fallback?: boolean } = {},
  ): void {
    new Manifest(stack, 'ScaledObject', {
      manifest: {
        apiVersion: 'keda.sh/v1alpha1',
        kind: 'ScaledObject',
        metadata: { name: 'worker', namespace: 'worker' },
        spec: {
          scaleTargetRef: { name: 'worker' },
          minReplicaCount,
          maxReplicaCount: 10,
          ...(options.fallback === false
            ? {}
            : {
                fallback: {
                  failureThreshold: 3,
                  replicas: 5,
                  behavior: options.behavior ?? 'currentReplicasIfHigher',
                },
              }),
          triggers: [
            {
              type: 'rabbitmq',
              metricType: options.metricType ?? 'AverageValue',
              metadata: { queueName: 'q', value: '10' },
            },
          ],
        },
      },
    });
  }
  function keda(stack: TerraformStack, version: string): void {
    new Release(stack, 'Keda', {
      name: 'keda',
      chart: 'keda',
      repository: 'https://kedacore.github.io/charts',
      version,
      namespace: 'keda',
    });
  }

  it('passes an agent that keeps a replica, or one at zero on KEDA 2.19 and later', () => {
    expectClean(zeroWithoutFallback, (stack) => agent(stack));
    expectClean(zeroWithoutFallback, (stack) => scaledObject(stack, 1));
    expectClean(zeroWithoutFallback, (stack) => {
      keda(stack, '2.20.2');
      scaledObject(stack, 0);
    });
    expectClean(zeroWithoutFallback, (stack) => {
      keda(stack, '2.19.0');
      scaledObject(stack, 0);
    });
  });

  it('does not apply to an agent at zero without a fallback', () => {
    expect(
      findingsOf(zeroWithoutFallback, (stack) => scaledObject(stack, 0, { fallback: false })),
    ).toEqual([]);
  });

  it('warns of a scale-to-zero consumer on a KEDA that applies no fallback at zero', () => {
    expectFinding(
      zeroWithoutFallback,
      'minReplicaCount 0 with rabbitmq trigger(s) and fallback to 5 replicas: KEDA 2.18.3 applies no fallback at zero (2.19+)',
      (stack) => {
        keda(stack, '2.18.3');
        scaledObject(stack, 0);
      },
    );
  });

  it('warns of a Value trigger or a behaviour that holds the current count at zero', () => {
    expectFinding(
      zeroWithoutFallback,
      'metricType Value, which KEDA cannot fall back on with no ready replica',
      (stack) => scaledObject(stack, 0, { metricType: 'Value' }),
    );
    expectFinding(
      zeroWithoutFallback,
      'fallback behavior currentReplicas holds the current count, none',
      (stack) => scaledObject(stack, 0, { behavior: 'currentReplicas' }),
    );
  });
});

function helmRelease(stack: TerraformStack, chart: string, values: object = {}): void {
  new Release(stack, chart, {
    name: chart,
    chart,
    repository: 'https://charts.example.com',
    namespace: chart,
    values: [JSON.stringify(values)],
  });
}

describe('GR-FLEET-06 one external-metrics provider per cluster', () => {
  it('passes a site with KEDA alone', () => {
    expectClean(oneMetricsProvider, (stack) => {
      helmRelease(stack, 'keda');
      helmRelease(stack, 'kube-prometheus-stack');
    });
  });

  it('refuses KEDA next to prometheus-adapter', () => {
    expectFinding(
      oneMetricsProvider,
      '2 external-metrics providers: keda (helm release keda), prometheus-adapter (helm release prometheus-adapter)',
      (stack) => {
        helmRelease(stack, 'keda');
        helmRelease(stack, 'prometheus-adapter');
      },
    );
  });
});

describe("GR-FLEET-07 a PDB's minimum available is below the autoscaler's minimum", () => {
  function budget(stack: TerraformStack, minAvailable: string): void {
    new PodDisruptionBudgetV1(stack, 'Budget', {
      metadata: { name: 'image-processing', namespace: 'image-processing' },
      spec: {
        minAvailable,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'image-processing' } },
      },
    });
  }

  it('passes minAvailable below the ScaledObject minimum of the selected agent', () => {
    expectClean(pdbBelowAutoscalerMin, (stack) => {
      agent(stack);
      budget(stack, '1');
    });
  });

  it('refuses minAvailable equal to the minimum, absolute or as a percentage', () => {
    for (const minAvailable of ['2', '100%']) {
      expectFinding(
        pdbBelowAutoscalerMin,
        `minAvailable ${minAvailable} leaves no disruption at Deployment image-processing's minimum of 2`,
        (stack) => {
          agent(stack);
          budget(stack, minAvailable);
        },
      );
    }
  });
});

const GPU_POOL: ManagedNodePoolSpec = {
  name: 'gpu',
  instanceTypes: ['g5.xlarge'],
  minSize: 0,
  maxSize: 4,
  gpu: { count: 1, model: 'nvidia-a10g' },
  labels: { 'hardware-type': 'gpu' },
};

function gpuNodeGroup(stack: TerraformStack): ManagedNodeGroup {
  const { network, cluster } = addSite(stack);
  return new ManagedNodeGroup(stack, 'NodeGroup-gpu', {
    cluster,
    subnetIds: network.privateSubnetIds,
    pool: GPU_POOL,
  });
}

const GPU_AGENT = consumer({
  name: 'gpu-inference',
  resources: { ...consumer().resources, gpu: 1 },
});

/** A Deployment placed on the GPU pool, with the given tolerations and no GPU request. */
function onGpuPool(stack: TerraformStack, toleration: object[]): void {
  boundDeployment(
    stack,
    {},
    {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerm: [
              {
                matchExpressions: [
                  { key: 'agent-fleet.dev/pool', operator: 'In', values: ['gpu'] },
                ],
              },
            ],
          },
        },
      },
      toleration,
    },
  );
}

const GPU_TOLERATION = {
  key: 'nvidia.com/gpu',
  operator: 'Equal',
  value: 'present',
  effect: 'NoSchedule',
};

describe('GR-FLEET-08 GPU agents request GPUs and tolerate the pool taint', () => {
  it('passes a GPU agent on the EKS GPU node group', () => {
    expectClean(gpuAgents, (stack) => {
      gpuNodeGroup(stack);
      agent(stack, GPU_AGENT);
    });
  });

  it('refuses a pod on the GPU pool that requests no GPU, or does not tolerate the taint', () => {
    expectFinding(
      gpuAgents,
      'placed on GPU pool(s) gpu without requesting nvidia.com/gpu',
      (stack) => {
        gpuNodeGroup(stack);
        onGpuPool(stack, [GPU_TOLERATION]);
      },
    );
    expectFinding(
      gpuAgents,
      'does not tolerate nvidia.com/gpu=present:NoSchedule of pool gpu',
      (stack) => {
        gpuNodeGroup(stack);
        onGpuPool(stack, []);
      },
    );
  });

  it('on a cluster the user runs, takes the GPU pools from the tolerations of GPU agents', () => {
    expectFinding(
      gpuAgents,
      'placed on GPU pool(s) gpu without requesting nvidia.com/gpu',
      (stack) => {
        agent(stack, GPU_AGENT);
        onGpuPool(stack, [GPU_TOLERATION]);
      },
    );
  });
});

describe('GR-FLEET-09 GPU daemon sets tolerate the GPU taint', () => {
  it("passes the project's device plugin release on a site with a GPU pool", () => {
    expectClean(gpuDaemonSets, (stack) => {
      gpuNodeGroup(stack);
      new GpuDevicePlugin(stack, 'GpuDevicePlugin', { namespace: 'nvidia', pools: SITE.nodePools });
    });
  });

  it('refuses device plugin values whose tolerations replace the GPU one', () => {
    expectFinding(
      gpuDaemonSets,
      'tolerations do not tolerate nvidia.com/gpu:NoSchedule of pool gpu',
      (stack) => {
        gpuNodeGroup(stack);
        helmRelease(stack, 'nvidia-device-plugin', {
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
        });
      },
    );
  });
});

describe("GR-FLEET-10 scale-from-zero pools carry the autoscaler's template tags", () => {
  it('passes a ManagedNodeGroup, which tags its Auto Scaling group', () => {
    expectClean(scaleFromZeroTags, (stack) => gpuNodeGroup(stack));
  });

  it('refuses a node group at min_size 0 without the node-template tags', () => {
    expectFinding(
      scaleFromZeroTags,
      'min_size 0 without Auto Scaling group tag(s) label/agent-fleet.dev/pool=gpu, taint/nvidia.com/gpu=present:NoSchedule',
      (stack) =>
        new EksNodeGroup(stack, 'Group', {
          clusterName: 'c',
          nodeGroupName: 'gpu',
          nodeRoleArn: 'arn:aws:iam::123456789012:role/node',
          subnetIds: ['subnet-1'],
          scalingConfig: { minSize: 0, maxSize: 4, desiredSize: 0 },
          labels: { 'agent-fleet.dev/pool': 'gpu' },
          taint: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NO_SCHEDULE' }],
        }),
    );
  });
});

describe('GR-FLEET-11 run-to-completion work is not evicted by node consolidation', () => {
  it('passes scheduled and per-message agents', () => {
    expectClean(runToCompletionNotEvicted, (stack) => {
      agent(
        stack,
        consumer({
          name: 'forecasting',
          workload: 'scheduled',
          queue: undefined,
          scaling: undefined,
          schedule: { cron: '0 2 * * *', deadline: Duration.parse('3h') },
        }),
      );
      agent(
        stack,
        consumer({
          workload: 'per-message',
          scaling: { minReplicas: 0, maxReplicas: 20, queueDepth: { perReplica: 1 } },
        }),
      );
    });
  });

  it('refuses a CronJob whose pods may be evicted', () => {
    expectFinding(
      runToCompletionNotEvicted,
      'CronJob nightly pod template lacks karpenter.sh/do-not-disrupt: "true", cluster-autoscaler.kubernetes.io/safe-to-evict: "false"',
      (stack) =>
        new CronJobV1(stack, 'Nightly', {
          metadata: { name: 'nightly', namespace: 'batch' },
          spec: {
            schedule: '0 2 * * *',
            jobTemplate: {
              metadata: {},
              spec: {
                template: {
                  metadata: {},
                  spec: { container: [{ name: 'job', image: 'registry.example.com/job:1.0.0' }] },
                },
              },
            },
          },
        }),
    );
  });
});

describe('the fleet rule set', () => {
  it('lists GR-FLEET-01 to GR-FLEET-11 in order, each with a level, summary and one-line fix', () => {
    expect(FLEET_RULES.map((rule) => rule.id)).toEqual(
      Array.from({ length: 11 }, (_, i) => `GR-FLEET-${String(i + 1).padStart(2, '0')}`),
    );
    for (const rule of FLEET_RULES) {
      expect(['error', 'warning']).toContain(rule.level);
      expect(rule.fix).not.toContain('\n');
      expect(rule.summary.length).toBeGreaterThan(10);
      expect(rule.appliesTo.length).toBeGreaterThan(0);
    }
  });
});

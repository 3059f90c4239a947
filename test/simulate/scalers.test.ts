import { loadSynthOutput } from '../../output/load';
import type { StackJson } from '../../output/schema';
import { readScalers, type ReadScaler } from '../../simulate/scalers';
import { REPO, synthesize } from '../review/support';

/** The behavior the example agents give their HPAs, as their ScaledObjects and HPAs write it. */
const BEHAVIOR = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 60 },
      { type: 'Percent', value: 100, periodSeconds: 60 },
    ],
  },
  scaleDown: {
    stabilizationWindowSeconds: 300,
    selectPolicy: 'Max',
    policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
  },
};

describe('readScalers on the synthesized prod environment', () => {
  let stacks: ReadonlyMap<string, StackJson>;
  beforeAll(() => {
    stacks = loadSynthOutput(synthesize(REPO, ['prod'])).stacks;
  });
  const scalerOf = (stack: string, agent: string): ReadScaler | undefined => {
    const json = stacks.get(stack);
    if (!json) throw new Error(`no stack ${stack}`);
    return readScalers(json).get(agent);
  };

  it('reads gpu-inference on us-east from its ScaledObject', () => {
    expect(scalerOf('prod-us-east-agents', 'gpu-inference')).toEqual({
      scaler: {
        kind: 'keda',
        pollingSeconds: 15,
        cooldownSeconds: 300,
        minReplicas: 1,
        maxReplicas: 4,
        triggers: [
          {
            kind: 'metric',
            measures: 'backlog',
            metricType: 'AverageValue',
            target: 10,
            activation: 0,
          },
        ],
        behavior: BEHAVIOR,
        fallback: { failureThreshold: 3, replicas: 3, behavior: 'currentReplicasIfHigher' },
      },
    });
  });

  it('reads reporting on us-east: a cron window and cpu utilization', () => {
    expect(scalerOf('prod-us-east-agents', 'reporting')).toEqual({
      scaler: {
        kind: 'keda',
        pollingSeconds: 15,
        cooldownSeconds: 300,
        minReplicas: 1,
        maxReplicas: 6,
        triggers: [
          {
            kind: 'cron',
            start: '0 8 * * 1-5',
            end: '0 18 * * 1-5',
            timezone: 'Europe/Berlin',
            desiredReplicas: 3,
          },
          { kind: 'utilization', resource: 'cpu', target: 60 },
        ],
        behavior: BEHAVIOR,
      },
    });
  });

  it('reads dispatcher on us-east from its native HPA', () => {
    expect(scalerOf('prod-us-east-agents', 'dispatcher')).toEqual({
      scaler: {
        kind: 'hpa',
        minReplicas: 2,
        maxReplicas: 4,
        utilization: [{ resource: 'cpu', target: 70 }],
        behavior: BEHAVIOR,
      },
    });
  });

  it('reads chimera-data-ingest on us-east from its Auto Scaling group and policy', () => {
    expect(scalerOf('prod-us-east-infra', 'chimera-data-ingest')).toEqual({
      scaler: {
        kind: 'asg',
        minReplicas: 2,
        maxReplicas: 20,
        targetPerInstance: 1000,
        warmupSeconds: 180,
      },
    });
  });

  it('reads chimera-data-ingest on eu-west from its scale set autoscale setting', () => {
    expect(scalerOf('prod-eu-west-infra', 'chimera-data-ingest')).toEqual({
      scaler: {
        kind: 'vmss',
        minReplicas: 2,
        maxReplicas: 20,
        defaultReplicas: 2,
        rules: [
          {
            direction: 'Increase',
            operator: 'GreaterThan',
            threshold: 1000,
            perInstance: true,
            windowSeconds: 300,
            cooldownSeconds: 300,
            change: 1,
          },
          {
            direction: 'Decrease',
            operator: 'LessThan',
            threshold: 500,
            perInstance: true,
            windowSeconds: 600,
            cooldownSeconds: 600,
            change: 1,
          },
        ],
      },
    });
  });

  it('reads every agent of the us-east agents stack', () => {
    const json = stacks.get('prod-us-east-agents');
    expect([...readScalers(json!).keys()].sort()).toEqual([
      'dispatcher',
      'gpu-inference',
      'image-processing',
      'inventory-update',
      'ledger',
      'metadata-extraction',
      'order-tracking',
      'reporting',
      'sensor-history',
      'sensor-ingest',
    ]);
  });
});

/** An agents stack with one ScaledObject of the given triggers. */
const scaledObject = (triggers: unknown[], kind = 'ScaledObject'): StackJson => ({
  resource: {
    kubernetes_manifest: {
      worker_Autoscaler: {
        manifest: {
          apiVersion: 'keda.sh/v1alpha1',
          kind,
          metadata: { name: 'worker', labels: { 'app.kubernetes.io/name': 'worker' } },
          spec: { triggers },
        },
      },
    },
  },
});

describe('readScalers on hand-written stacks', () => {
  const read = (stack: StackJson) => readScalers(stack).get('worker');

  it('refuses a trigger type it cannot simulate', () => {
    expect(read(scaledObject([{ type: 'redis', metadata: { listName: 'jobs' } }]))).toEqual({
      unsupported: "its ScaledObject has a trigger type 'redis'",
    });
  });

  it('refuses a cpu trigger on AverageValue: its value is not a percent', () => {
    expect(
      read(
        scaledObject([{ type: 'cpu', metricType: 'AverageValue', metadata: { value: '500m' } }]),
      ),
    ).toEqual({ unsupported: 'its ScaledObject has a cpu trigger on AverageValue' });
  });

  it('refuses RabbitMQ in MessageRate mode: a rate, not a backlog', () => {
    expect(
      read(scaledObject([{ type: 'rabbitmq', metadata: { mode: 'MessageRate', value: '100' } }])),
    ).toEqual({ unsupported: 'its ScaledObject has a rabbitmq trigger in MessageRate mode' });
  });

  it("takes KEDA's defaults for what a ScaledObject leaves out", () => {
    // keda.sh/docs/2.20/reference/scaledobject-spec: pollingInterval 30, cooldownPeriod 300,
    // minReplicaCount 0, maxReplicaCount 100; the Kafka scaler's lagThreshold 10.
    expect(read(scaledObject([{ type: 'kafka', metadata: { topic: 'orders' } }]))).toEqual({
      scaler: {
        kind: 'keda',
        pollingSeconds: 30,
        cooldownSeconds: 300,
        minReplicas: 0,
        maxReplicas: 100,
        triggers: [
          {
            kind: 'metric',
            measures: 'backlog',
            metricType: 'AverageValue',
            target: 10,
            activation: 0,
          },
        ],
      },
    });
  });

  it('reads RabbitMQ’s older queueLength as its target, and 20 when neither is given', () => {
    const target = (metadata: Record<string, string>) => {
      const got = read(scaledObject([{ type: 'rabbitmq', metadata }]));
      return got && 'scaler' in got && got.scaler.kind === 'keda' ? got.scaler.triggers[0] : got;
    };
    expect(target({ queueLength: '7' })).toMatchObject({ target: 7 });
    expect(target({ queueName: 'q' })).toMatchObject({ target: 20 });
  });

  it('reads a ScaledJob, and refuses one without a queue trigger', () => {
    const job = (triggers: unknown[]) => {
      const stack = scaledObject(triggers, 'ScaledJob');
      return read(stack);
    };
    expect(job([{ type: 'aws-sqs-queue', metadata: { queueURL: 'q' } }])).toEqual({
      scaler: {
        kind: 'keda-job',
        pollingSeconds: 30,
        maxReplicas: 100,
        target: 5,
        activation: 0,
        strategy: 'default',
      },
    });
    expect(job([{ type: 'cron', metadata: { start: '0 8 * * *', end: '0 9 * * *' } }])).toEqual({
      unsupported: 'its ScaledJob has no queue trigger',
    });
  });

  it('refuses an HPA on a metric other than utilization', () => {
    const stack: StackJson = {
      resource: {
        kubernetes_horizontal_pod_autoscaler_v2: {
          worker: {
            metadata: { labels: { 'app.kubernetes.io/name': 'worker' } },
            spec: {
              max_replicas: 3,
              metric: [
                { type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue' } } },
              ],
            },
          },
        },
      },
    };
    expect(read(stack)).toEqual({
      unsupported: 'its HorizontalPodAutoscaler has a metric other than utilization',
    });
  });

  it('refuses an Auto Scaling policy other than target tracking', () => {
    const path = (leaf: string) => ({
      '//': { metadata: { path: `prod-x-infra/Agents/ScalingGroup-worker/${leaf}` } },
    });
    const stack: StackJson = {
      resource: {
        aws_autoscaling_group: { group: { ...path('Resource'), min_size: 1, max_size: 3 } },
        aws_autoscaling_policy: { policy: { ...path('Step'), policy_type: 'StepScaling' } },
      },
    };
    expect(read(stack)).toEqual({ unsupported: 'its Auto Scaling policy is StepScaling' });
  });
});

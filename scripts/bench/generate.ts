import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';

/** Kinds of generated agent type, in the order they repeat. */
const KINDS = [
  'queue',
  'queue',
  'queue',
  'cpu',
  'queue',
  'queue',
  'cpu',
  'scheduled',
  'queue',
  'gpu',
];

/** The kind of the `index`-th agent type: mostly queue consumers, a GPU one every 10th. */
export function kindOf(index: number): string {
  return KINDS[index % KINDS.length];
}

/** Name of the `index`-th agent type, e.g. `bench-queue-0001`. */
export const agentName = (index: number) =>
  `bench-${kindOf(index)}-${String(index).padStart(4, '0')}`;

/** A digest that differs per agent type, like real pinned images. */
const digest = (index: number) =>
  (index.toString(16).padStart(8, '0') + 'ab'.repeat(28)).slice(0, 64);

const probes = {
  readiness: { httpGet: { path: '/ready', port: 'http' } },
  liveness: { httpGet: { path: '/healthz', port: 'http' }, period: '20s' },
};

/** The catalogue entry of the `index`-th agent type; queue consumers name the broker `rabbitmq`. */
export function agentType(index: number): Record<string, unknown> {
  const name = agentName(index);
  const container = {
    image: `registry.example.com/agent-fleet/${name}@sha256:${digest(index)}`,
    ports: { http: 8080, metrics: 9102 },
    probes,
  };
  const queue = (perReplica: number) => ({
    queue: {
      broker: 'rabbitmq',
      queue: `${name.replace(/-/g, '_')}_tasks`,
      consumer: { prefetch: 5, maxProcessingTime: '30s' },
    },
    scaling: { minReplicas: 2, maxReplicas: 6, queueDepth: { perReplica } },
  });
  switch (kindOf(index)) {
    case 'queue':
      return {
        description: 'Consumes its RabbitMQ queue; scales on queue depth.',
        container: { ...container, args: ['--queue', `${name}_tasks`] },
        resources: {
          requests: { cpu: '250m', memory: '256Mi' },
          limits: { cpu: '500m', memory: '256Mi' },
        },
        ...queue(20 + (index % 5) * 10),
      };
    case 'cpu':
      return {
        description: 'Serves requests; scales on CPU.',
        container,
        resources: {
          requests: { cpu: '500m', memory: '512Mi' },
          limits: { cpu: '1', memory: '512Mi' },
        },
        scaling: { minReplicas: 2, maxReplicas: 4, cpu: { targetUtilization: 70 } },
      };
    case 'scheduled':
      return {
        description: 'Nightly batch.',
        workload: 'scheduled',
        container: { image: container.image, args: ['--run', 'nightly'] },
        resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } },
        schedule: { cron: `${index % 60} ${index % 6} * * *`, timezone: 'Etc/UTC', deadline: '1h' },
      };
    default:
      return {
        description: 'Runs a model on a GPU; consumes its RabbitMQ queue.',
        container,
        resources: {
          requests: { cpu: '1', memory: '2Gi' },
          limits: { cpu: '2', memory: '2Gi' },
          gpu: 1,
        },
        placement: { gpuModel: 'nvidia-tesla-t4' },
        ...queue(10),
      };
  }
}

/** The stack group of the `index`-th agent type, e.g. `team-03`. */
export const groupOf = (index: number, groupSize: number) =>
  `team-${String(Math.floor(index / groupSize)).padStart(2, '0')}`;

/** Agent types per stack group of the fleet case, as a team would group them. */
const FLEET_GROUP_SIZE = 25;

/** The S3 backend of the bench environments. */
export const BENCH_BACKEND = {
  s3: {
    bucket: 'bench-terraform-state',
    region: 'eu-west-1',
    kmsKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000',
  },
} as const;

/**
 * A Kubernetes site of a bench environment: a general and a GPU node pool
 * labelled with `location`, which is also its kubeconfig context.
 */
export function kubernetesSite(location: string): Record<string, unknown> {
  return {
    kind: 'kubernetes',
    kubeconfig: { path: '~/.kube/config', context: location },
    nodePools: {
      general: {
        arch: 'amd64',
        capacity: 'on-demand',
        labels: { location, 'hardware-type': 'cpu' },
        allocatable: { cpu: '16', memory: '64Gi' },
      },
      gpu: {
        gpu: { count: 1, model: 'nvidia-tesla-t4' },
        labels: { location, 'hardware-type': 'gpu' },
        allocatable: { cpu: '8', memory: '32Gi' },
        taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
      },
    },
    monitoring: { namespace: 'monitoring' },
    kedaNamespace: 'keda',
  };
}

/** A three-node RabbitMQ broker running in `site`'s cluster. */
export function inClusterBroker(site: string): Record<string, unknown> {
  return {
    kind: 'rabbitmq',
    inCluster: { site, replicas: 3, storage: '10Gi', resources: { cpu: '1', memory: '2Gi' } },
  };
}

/**
 * Writes `fleet/agent-types.yaml` with `count` agent types, in stack groups of
 * 25, and `environments/bench.yaml` placing them all on one Kubernetes site
 * with an in-cluster RabbitMQ, under `rootDir`.
 */
export function writeBenchFleet(rootDir: string, count: number): void {
  const names = Array.from({ length: count }, (_, i) => agentName(i));
  const catalogue = {
    agentTypes: Object.fromEntries(
      names.map((name, i) => [
        name,
        { ...agentType(i), stack: { group: groupOf(i, FLEET_GROUP_SIZE) } },
      ]),
    ),
  };
  const environment = {
    description: `Benchmark: ${count} agent types on one cluster.`,
    backend: BENCH_BACKEND,
    sites: { dc: kubernetesSite('bench') },
    brokers: { rabbitmq: inClusterBroker('dc') },
    agents: Object.fromEntries(
      names.map((name, i) => [
        name,
        kindOf(i) === 'queue' || kindOf(i) === 'gpu'
          ? { scaling: { maxReplicas: 3 }, sites: { dc: {} } }
          : { sites: { dc: {} } },
      ]),
    ),
  };
  for (const dir of ['fleet', 'environments'])
    fs.mkdirSync(path.join(rootDir, dir), { recursive: true });
  fs.writeFileSync(path.join(rootDir, 'fleet', 'agent-types.yaml'), stringify(catalogue));
  fs.writeFileSync(path.join(rootDir, 'environments', 'bench.yaml'), stringify(environment));
}

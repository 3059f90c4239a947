import { Testing } from 'cdktf';
import {
  RabbitMqBrokerSpec,
  AgentSpec,
  BrokerSpec,
  Cpu,
  Duration,
  ImageRef,
  KubernetesSiteSpec,
  SiteCloudBindings,
  Size,
  planSite,
} from '../../model';
import { AgentsStack } from '../../stacks/agents-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { Synthesized, synthesized } from './synthesized';

export const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A site with a general pool and a tainted GPU pool. */
export const SITE: KubernetesSiteSpec = {
  name: 'dc1',
  kubeconfig: { path: '~/.kube/config', context: 'dc1' },
  nodePools: [
    { name: 'general', labels: { location: 'dc1', 'hardware-type': 'cpu' } },
    {
      name: 'gpu',
      gpu: { count: 2, model: 'nvidia-tesla-t4' },
      labels: { 'hardware-type': 'gpu' },
      taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
    },
  ],
};

export const BROKER: RabbitMqBrokerSpec = {
  name: 'rabbitmq',
  kind: 'rabbitmq',
  inCluster: { site: 'dc1', namespace: 'rabbitmq' },
};

/** An image of the example registry, pinned by a digest of one repeated hex digit. */
export function imageOf(name: string, digit = 'a'): string {
  return `registry.example.com/agent-fleet/${name}@sha256:${digit.repeat(64)}`;
}

/** Readiness on /ready and liveness on /healthz, both on the `http` port. */
const HTTP_PROBES = {
  readiness: { httpGet: { path: '/ready', port: 'http' } },
  liveness: { httpGet: { path: '/healthz', port: 'http' } },
};

/**
 * An agent running its own image ({@link imageOf} its name) with an `http`
 * port 8080 probed on /ready and /healthz, requesting 500m CPU and 512Mi; the
 * overrides give the rest (queue or topic, scaling, state, placement).
 */
export function agent(overrides: Partial<AgentSpec> & { readonly name: string }): AgentSpec {
  return {
    container: {
      image: ImageRef.parse(imageOf(overrides.name)),
      ports: { http: 8080 },
      probes: HTTP_PROBES,
    },
    resources: { requests: { cpu: Cpu.parse('500m'), memory: Size.parse('512Mi') } },
    ...overrides,
  };
}

/** What sets one queue consumer on machines apart from another. */
interface MachineConsumer {
  readonly name: string;
  readonly image: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly broker: string;
  readonly queue: string;
}

/**
 * A queue consumer as a scaling group or scale set runs it: args and env,
 * limits above its requests, 2 min processing (so a grace period of
 * 5 + 120 + 10 = 135 s), 1–8 instances at 25 messages each.
 */
function machineConsumer(consumer: MachineConsumer, overrides: Partial<AgentSpec>): AgentSpec {
  return {
    name: consumer.name,
    container: {
      image: ImageRef.parse(consumer.image),
      args: consumer.args,
      env: consumer.env,
      ports: { http: 8080 },
      probes: HTTP_PROBES,
    },
    resources: {
      requests: { cpu: Cpu.parse('500m'), memory: Size.parse('512Mi') },
      limits: { cpu: Cpu.parse('1500m'), memory: Size.parse('1Gi') },
    },
    queue: {
      broker: consumer.broker,
      queue: consumer.queue,
      consumer: { maxProcessingTime: Duration.minutes(2) },
    },
    scaling: { minReplicas: 1, maxReplicas: 8, queueDepth: { perReplica: 25 } },
    ...overrides,
  };
}

export const INGEST_IMAGE = imageOf('ingest', 'b');

/** An SQS consumer on an EC2 Auto Scaling group ({@link machineConsumer}). */
export function ingestAgent(overrides: Partial<AgentSpec> = {}): AgentSpec {
  return machineConsumer(
    {
      name: 'ingest',
      image: INGEST_IMAGE,
      args: ['--mode', 'sqs', '--batch=10'],
      env: { LOG_LEVEL: 'info', OUTPUT_BUCKET: 'articles-raw' },
      broker: 'sqs',
      queue: 'ingest-tasks',
    },
    overrides,
  );
}

export const CHIMERA_IMAGE = imageOf('chimera', 'c');

/** A Service Bus consumer on a VM scale set ({@link machineConsumer}). */
export function chimeraAgent(overrides: Partial<AgentSpec> = {}): AgentSpec {
  return machineConsumer(
    {
      name: 'chimera-data-ingest',
      image: CHIMERA_IMAGE,
      args: ['--source', 'servicebus', '--batch=10'],
      env: { LOG_LEVEL: 'info', LOCATION_TAG: 'azure-weu' },
      broker: 'servicebus',
      queue: 'chimera-tasks',
    },
    overrides,
  );
}

/** A queue consumer scaling on queue depth: the common case. */
export function consumer(overrides: Partial<AgentSpec> = {}): AgentSpec {
  return {
    name: 'image-processing',
    container: {
      image: ImageRef.parse(`registry.example.com/agent-fleet/image-processing@${DIGEST}`),
      ports: { http: 8080, metrics: 9102 },
      probes: {
        readiness: { httpGet: { path: '/ready', port: 'http' } },
        liveness: { httpGet: { path: '/healthz', port: 'http' }, period: Duration.seconds(20) },
      },
    },
    resources: { requests: { cpu: Cpu.parse('500m'), memory: Size.parse('512Mi') } },
    queue: {
      broker: 'rabbitmq',
      queue: 'image_processing_tasks',
      consumer: { maxProcessingTime: Duration.minutes(2) },
    },
    scaling: { minReplicas: 2, maxReplicas: 10, queueDepth: { perReplica: 20 } },
    ...overrides,
  };
}

/** What a site's stacks may be given beyond the site and its agents. */
export interface SiteOptions {
  /** @default - [BROKER] */
  readonly brokers?: BrokerSpec[];
  /** @default - none */
  readonly cloud?: SiteCloudBindings;
}

/** Synthesizes one agents stack and returns its parsed Terraform JSON. */
export function synthAgents(
  agents: AgentSpec[],
  site: KubernetesSiteSpec = SITE,
  options: SiteOptions = {},
): Synthesized {
  const app = Testing.app();
  const stack = new AgentsStack(app, 'test-dc1-agents', {
    plan: planSite({ environment: 'test', site, brokers: options.brokers ?? [BROKER], agents }),
    cloud: options.cloud,
  });
  return synthesized(stack);
}

/** Synthesizes one platform stack and returns its parsed Terraform JSON. */
export function synthPlatform(
  agents: AgentSpec[],
  site: KubernetesSiteSpec = SITE,
  brokers: BrokerSpec[] = [BROKER],
  cloud?: SiteCloudBindings,
): Synthesized {
  const app = Testing.app();
  const stack = new PlatformStack(app, 'test-dc1-platform', {
    plan: planSite({ environment: 'test', site, brokers, agents }),
    cloud,
  });
  return synthesized(stack);
}

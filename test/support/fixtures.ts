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

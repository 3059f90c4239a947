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
): TerraformJson {
  const app = Testing.app();
  const stack = new AgentsStack(app, 'test-dc1-agents', {
    plan: planSite({ environment: 'test', site, brokers: options.brokers ?? [BROKER], agents }),
    cloud: options.cloud,
  });
  return JSON.parse(Testing.synth(stack, true)) as TerraformJson;
}

export interface TerraformJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  provider: Record<string, unknown[]>;
  terraform: Record<string, unknown>;
}

/** Every resource of a type, keyed by logical id. */
export function resourcesOf(
  json: TerraformJson,
  type: string,
): Record<string, Record<string, unknown>> {
  return json.resource[type] ?? {};
}

/** The single resource of a type whose logical id contains `hint`. */
export function resourceOf(json: TerraformJson, type: string, hint = ''): Record<string, unknown> {
  const matches = Object.entries(resourcesOf(json, type)).filter(
    ([id]) => id.includes(hint.replace(/-/g, '')) || id.includes(hint),
  );
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type} matching '${hint}', found ${matches.map(([id]) => id).join(', ') || 'none'}`,
    );
  }
  return matches[0][1];
}

/** `kubernetes_manifest` bodies of a kind. */
export function manifestsOf(json: TerraformJson, kind: string): Record<string, unknown>[] {
  return Object.values(resourcesOf(json, 'kubernetes_manifest'))
    .map((resource) => resource.manifest as Record<string, unknown>)
    .filter((manifest) => manifest.kind === kind);
}

/** Synthesizes one platform stack and returns its parsed Terraform JSON. */
export function synthPlatform(
  agents: AgentSpec[],
  site: KubernetesSiteSpec = SITE,
  brokers: BrokerSpec[] = [BROKER],
  cloud?: SiteCloudBindings,
): TerraformJson & { ephemeral: Record<string, Record<string, unknown>> } {
  const app = Testing.app();
  const stack = new PlatformStack(app, 'test-dc1-platform', {
    plan: planSite({ environment: 'test', site, brokers, agents }),
    cloud,
  });
  return JSON.parse(Testing.synth(stack, true));
}

/** The parsed values of a Helm release. */
export function helmValues(json: TerraformJson, release: string): any {
  const found = Object.values(resourcesOf(json, 'helm_release')).find((r) => r.name === release);
  if (!found) throw new Error(`no helm_release named ${release}`);
  return JSON.parse((found.values as string[])[0]);
}

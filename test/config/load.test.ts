import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { loadFleet } from '../../config';
import { loadCatalogue } from '../../config/catalogue';
import { ProblemList } from '../../config/problems';
import { RawAgent, toAgentSpec } from '../../config/to-model';
import { toPlain } from '../../config/yaml-source';
import {
  AgentSpec,
  Cpu,
  Duration,
  FleetEnvironment,
  ImageRef,
  Size,
  validateAgent,
} from '../../model';
import { CATALOGUE, environment, fixture, problemLines, REPO_ROOT } from './support';

function loaded(rootDir: string, environments?: readonly string[]): FleetEnvironment[] {
  const result = loadFleet({ rootDir, environments });
  if (!result.ok) throw new Error(problemLines(result).join('\n'));
  return result.environments;
}

function agentOn(env: FleetEnvironment, name: string, site = 'dev'): AgentSpec {
  const deployment = env.deployments.find((d) => d.agent.name === name && d.site === site);
  if (!deployment) throw new Error(`no deployment of ${name} on ${site}`);
  return deployment.agent;
}

describe('the local environment of the repository', () => {
  const [local] = loaded(REPO_ROOT, ['local']);

  test('has its site, node pools, broker and backend', () => {
    expect(local.name).toBe('local');
    expect(local.backend).toEqual({ local: { dir: 'terraform-state' } });
    expect(local.sites.map((site) => site.name)).toEqual(['dev']);
    const [dev] = local.sites;
    expect(dev.kubeconfig).toEqual({ path: '~/.kube/config', context: 'kind-agent-fleet' });
    expect(dev.nodePools).toEqual([
      {
        name: 'general',
        arch: 'amd64',
        capacity: 'on-demand',
        labels: { location: 'local', 'hardware-type': 'cpu' },
      },
      {
        name: 'gpu',
        gpu: { count: 1, model: 'nvidia-tesla-t4' },
        labels: { location: 'local', 'hardware-type': 'gpu' },
        taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }],
      },
    ]);
    expect(local.brokers).toEqual([
      {
        name: 'rabbitmq',
        kind: 'rabbitmq',
        inCluster: {
          site: 'dev',
          replicas: 1,
          storage: Size.parse('2Gi'),
          resources: { cpu: Cpu.parse('500m'), memory: Size.parse('1Gi') },
        },
      },
      {
        name: 'events',
        kind: 'kafka',
        inCluster: {
          site: 'dev',
          replicas: 1,
          reason: 'one node on a laptop cluster; topics keep a single copy',
          storage: Size.parse('2Gi'),
        },
      },
    ]);
    expect(dev.database).toEqual({
      kind: 'cockroachdb',
      replicas: 1,
      reason: 'one node on a laptop cluster; no node may fail',
      storage: Size.parse('2Gi'),
      resources: { cpu: Cpu.parse('500m'), memory: Size.parse('1Gi') },
    });
  });

  test('places the reference agents on dev, in file order', () => {
    expect(local.deployments.map((d) => `${d.agent.name}@${d.site}`)).toEqual([
      'image-processing@dev',
      'metadata-extraction@dev',
      'dispatcher@dev',
      'reporting@dev',
      'forecasting@dev',
      'gpu-inference@dev',
      'sensor-ingest@dev',
      'inventory-update@dev',
      'order-tracking@dev',
    ]);
  });

  test('parses units into value objects', () => {
    const agent = agentOn(local, 'image-processing');
    expect(agent.container.image).toBeInstanceOf(ImageRef);
    expect(agent.container.image.toString()).toBe(
      'registry.example.com/agent-fleet/image-processing@sha256:10b64fd0118cb59851a14dedd51adfa67d733c1488b3212f7e56c4eabd460154',
    );
    expect(agent.resources.requests.cpu).toBeInstanceOf(Cpu);
    expect(agent.resources.requests.cpu.millicores).toBe(500);
    expect(agent.resources.requests.memory).toBeInstanceOf(Size);
    expect(agent.resources.requests.memory.bytes).toBe(512 * 2 ** 20);
    expect(agent.queue?.consumer?.maxProcessingTime).toBeInstanceOf(Duration);
    expect(agent.queue?.consumer?.maxProcessingTime?.millis).toBe(120_000);
    expect(agent.container.probes?.liveness.initialDelay?.millis).toBe(10_000);
    const forecasting = agentOn(local, 'forecasting');
    expect(forecasting.schedule?.deadline?.millis).toBe(3 * 3_600_000);
  });

  test('applies overrides: catalogue < environment < site', () => {
    const images = agentOn(local, 'image-processing');
    expect(images.scaling?.minReplicas).toBe(2);
    expect(images.scaling?.maxReplicas).toBe(4);
    expect(images.scaling?.queueDepth).toEqual({ perReplica: 20, activation: 1 });
    expect(images.resources.limits?.cpu?.millicores).toBe(1000);
    const gpu = agentOn(local, 'gpu-inference');
    expect(gpu.resources.requests.cpu.millicores).toBe(2000);
    expect(gpu.resources.requests.memory.toKubernetes()).toBe('4Gi');
    expect(gpu.resources.gpu).toBe(1);
    const dispatcher = agentOn(local, 'dispatcher');
    expect(dispatcher.isolation).toEqual({ priority: 'standard' });
    expect(dispatcher.publishes).toEqual([
      { broker: 'rabbitmq', queue: 'image_processing_tasks' },
      { broker: 'rabbitmq', queue: 'metadata_extraction_tasks' },
    ]);
  });

  test('null removes a key: reporting has no cron window locally but keeps its CPU signal', () => {
    const reporting = agentOn(local, 'reporting');
    expect(reporting.scaling).toEqual({
      minReplicas: 1,
      maxReplicas: 2,
      cpu: { targetUtilization: 60 },
    });
    expect(reporting.scaling && 'cron' in reporting.scaling).toBe(false);
  });

  test('is deep-frozen', () => {
    const agent = agentOn(local, 'image-processing');
    expect(Object.isFrozen(local.deployments)).toBe(true);
    expect(Object.isFrozen(agent.scaling)).toBe(true);
    expect(Object.isFrozen(agent.container.probes?.readiness.httpGet)).toBe(true);
  });
});

describe('the repository files', () => {
  test('every environment file loads', () => {
    const names = fs
      .readdirSync(path.join(REPO_ROOT, 'environments'))
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => file.replace(/\.yaml$/, ''));
    expect(loaded(REPO_ROOT).map((env) => env.name)).toEqual(names.sort());
  });

  test('every agent type of the catalogue passes the model rules on its own', () => {
    // Placing each one needs the sites and brokers it binds to (AWS ones for
    // cloud bindings): the environment files do that, and load above.
    const problems = new ProblemList();
    const catalogue = loadCatalogue(REPO_ROOT, problems);
    expect(problems.sorted()).toEqual([]);
    const names = Object.keys(
      parse(fs.readFileSync(path.join(REPO_ROOT, 'fleet/agent-types.yaml'), 'utf8')).agentTypes,
    );
    expect([...(catalogue?.valid.keys() ?? [])]).toEqual(names);
    for (const [name, entry] of catalogue?.valid ?? []) {
      const { spec, problems: unitProblems } = toAgentSpec(name, toPlain(entry) as RawAgent);
      expect([name, unitProblems]).toEqual([name, []]);
      if (spec) expect([name, validateAgent(spec)]).toEqual([name, []]);
    }
  });
});

describe('merging overrides', () => {
  const catalogue = `${CATALOGUE}
  tuned:
    container:
      image: registry.example.com/tuned:2.1.0
      args: [--mode, full, --verbose]
      env: { LOG_LEVEL: info, REGION: eu, FEATURE_X: 'on' }
      ports: { http: 8080 }
      probes:
        readiness: { httpGet: { path: /ready, port: http } }
        liveness: { httpGet: { path: /healthz, port: http } }
    resources:
      requests: { cpu: 1, memory: 1Gi }
    scaling:
      minReplicas: 1
      maxReplicas: 10
      cpu: { targetUtilization: 70 }
      memory: { targetUtilization: 80 }
`;
  const env = environment(`
  tuned:
    container:
      args: [--mode, lite]
      env: { REGION: us, FEATURE_X: null }
    scaling:
      maxReplicas: 6
      memory: null
    sites:
      dev:
        scaling: { maxReplicas: 4 }
        resources: { requests: { cpu: 0.5 } }
      edge:
        placement: { arch: [arm64] }
`);
  const [result] = loaded(fixture({ catalogue, environments: { dev: env } }));

  test('the site override wins over the environment, which wins over the catalogue', () => {
    expect(agentOn(result, 'tuned', 'dev').scaling?.maxReplicas).toBe(4);
    expect(agentOn(result, 'tuned', 'edge').scaling?.maxReplicas).toBe(6);
    expect(agentOn(result, 'tuned', 'edge').scaling?.minReplicas).toBe(1);
  });

  test('mappings merge key by key, sequences replace, null removes', () => {
    const dev = agentOn(result, 'tuned', 'dev');
    expect(dev.container.env).toEqual({ LOG_LEVEL: 'info', REGION: 'us' });
    expect(dev.container.args).toEqual(['--mode', 'lite']);
    expect(dev.scaling).toEqual({ minReplicas: 1, maxReplicas: 4, cpu: { targetUtilization: 70 } });
    expect(dev.resources.requests.memory.toKubernetes()).toBe('1Gi');
  });

  test('CPU accepts YAML numbers as cores', () => {
    expect(agentOn(result, 'tuned', 'dev').resources.requests.cpu.millicores).toBe(500);
    expect(agentOn(result, 'tuned', 'edge').resources.requests.cpu.millicores).toBe(1000);
  });

  test('per-site overrides stay on their site', () => {
    expect(agentOn(result, 'tuned', 'edge').placement).toEqual({ arch: ['arm64'] });
    expect(agentOn(result, 'tuned', 'dev').placement).toBeUndefined();
  });
});

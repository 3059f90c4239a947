import * as fs from 'fs';
import * as path from 'path';
import { loadFleet } from '../../config';
import { CATALOGUE, environment, fixture, problemLines } from './support';

/** Loads a fixture with the standard catalogue (unless given) and one environment `dev`. */
function load(env: string, catalogue: string = CATALOGUE): string[] {
  const rootDir = fixture({ catalogue, environments: { dev: env } });
  return problemLines(loadFleet({ rootDir }));
}

describe('structure problems', () => {
  test('a typo in a key names the allowed keys, at the line of the key', () => {
    const lines = load(
      environment(`
  worker:
    scaling:
      minReplica: 2
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:23:7 agents.worker.scaling.minReplica: unknown key 'minReplica' (allowed: minReplicas, maxReplicas, cpu, memory, queueDepth, consumerLag, prometheus, cron, behavior, fallback, pollingInterval, cooldownPeriod)",
    ]);
  });

  test('a wrong unit gives the unit parser message at the field', () => {
    const lines = load(
      environment(`
  worker:
    sites:
      dev:
        resources:
          requests: { memory: 2Gb }
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:25:23 agents.worker.sites.dev.resources.requests.memory: '2Gb' is not a size: use a whole number with Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), e.g. '512Mi'",
    ]);
  });

  test('a unit that matches the pattern but does not parse is reported once, by the parser', () => {
    const lines = load(
      environment(`
  worker:
    container:
      image: registry.example.com/worker:latest
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:23:7 agents.worker.container.image: 'registry.example.com/worker:latest' is not a pinned image: use 'repository@sha256:<64 hex digits>' or 'repository:<version tag>' (not 'latest')",
    ]);
  });

  test('wrong types and enum values say what is allowed', () => {
    const lines = load(
      environment(`
  worker:
    workload: batch
    scaling: { maxReplicas: many }
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:22:5 agents.worker.workload: 'batch' is not allowed (allowed: consumer, scheduled, per-message)",
      'environments/dev.yaml:23:16 agents.worker.scaling.maxReplicas: must be a whole number',
    ]);
  });

  test('a YAML syntax error gives the parser message at its position', () => {
    const lines = load(`
sites:
  dev:
    kubeconfig: { path: x
    kind: kubernetes
`);
    expect(lines).toEqual([
      'environments/dev.yaml:4:5 YAML: Flow map in block collection must be sufficiently indented and end with a }',
    ]);
  });

  test('a duplicate key is an error', () => {
    const lines = load(
      environment(`
  worker:
    sites:
      dev: {}
  worker:
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual(['environments/dev.yaml:24:3 YAML: Map keys must be unique']);
  });

  test('an empty file and a file that is not a mapping get one clear problem each', () => {
    const rootDir = fixture({
      catalogue: '# nothing yet\n',
      environments: { dev: '- sites\n- agents\n' },
    });
    expect(problemLines(loadFleet({ rootDir }))).toEqual([
      "environments/dev.yaml:1:1 must be a mapping: expected a mapping with the keys 'sites' and 'agents'",
      "fleet/agent-types.yaml:1:1 is empty: expected a mapping with the key 'agentTypes'",
    ]);
  });

  test('a missing required field is reported at its parent', () => {
    const catalogue = CATALOGUE.replace(
      'requests: { cpu: 500m, memory: 512Mi }',
      'requests: { cpu: 500m }',
    );
    const lines = load(
      environment(`
  worker:
    sites:
      dev: {}
`),
      catalogue,
    );
    expect(lines).toEqual([
      'fleet/agent-types.yaml:10:7 agentTypes.worker.resources.requests.memory: is required',
    ]);
  });

  test('a required field removed with null is reported at the null', () => {
    const lines = load(
      environment(`
  worker:
    resources: null
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual([
      'environments/dev.yaml:22:5 agents.worker.resources: is required: it cannot be removed with null',
    ]);
  });

  test('an override that adds a mapping without its required fields points at the override', () => {
    const lines = load(
      environment(`
  gpu-worker:
    sites:
      dev:
        schedule: { timezone: Europe/Berlin }
`),
    );
    expect(lines).toEqual([
      'environments/dev.yaml:24:9 agents.gpu-worker.sites.dev.schedule.cron: is required',
    ]);
  });

  test("site, pool and broker names must be DNS labels, and 'name' cannot be overridden", () => {
    const lines = load(
      environment(`
  worker:
    name: other
    sites:
      dev: {}
`).replace('  edge:', '  Edge_1:'),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:10:3 sites.Edge_1: 'Edge_1' must be a DNS label: lowercase letters, digits and '-', starting and ending with a letter or digit",
      "environments/dev.yaml:22:5 agents.worker.name: unknown key 'name': an agent type's name is its key and cannot be set or overridden (allowed: sites, description, workload, container, resources, queue, topic, publishes, scaling, schedule, state, placement, isolation, processing, stack)",
    ]);
  });
});

describe('references between files', () => {
  test('an agent type missing from the catalogue lists the catalogue', () => {
    const lines = load(
      environment(`
  wroker:
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:21:3 agents.wroker: unknown agent type 'wroker' (catalogue has: worker, gpu-worker)",
    ]);
  });

  test('a site the environment does not declare lists the declared sites', () => {
    const lines = load(
      environment(`
  worker:
    sites:
      prod: {}
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:23:7 agents.worker.sites.prod: unknown site 'prod' (declared sites: dev, edge)",
    ]);
  });

  test('an unknown broker points at the override that names it', () => {
    const lines = load(
      environment(`
  worker:
    queue: { broker: kafka }
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:22:14 agents.worker.queue.broker: 'kafka' is not a broker of the environment (declared: rabbitmq)",
    ]);
  });
  test('an unknown broker in a publish target points at the list item', () => {
    const lines = load(
      environment(`
  worker:
    publishes: [{ broker: kafka, queue: out }]
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:22:19 agents.worker.publishes[0].broker: 'kafka' is not a broker of the environment (declared: rabbitmq)",
    ]);
  });
});

describe('model rules on merged values', () => {
  test('min > max set by two overrides points at the line that set minReplicas', () => {
    const lines = load(
      environment(`
  worker:
    scaling:
      minReplicas: 5
    sites:
      dev:
        scaling:
          maxReplicas: 3
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:23:7 agents.worker.scaling.minReplicas: (5) must be <= 'scaling.maxReplicas' (3)",
    ]);
  });

  test('placement needs that no node pool meets (an unknown label) name every refusal', () => {
    const lines = load(
      environment(`
  worker:
    sites:
      dev:
        placement:
          labels: { hardware-type: fpga }
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:24:9 agents.worker.sites.dev.placement: agent 'worker' fits no node pool of site 'dev' (general: label hardware-type=cpu, agent needs hardware-type=fpga | gpu: GPU nodes are kept for agents that request GPUs; label hardware-type=(none), agent needs hardware-type=fpga)",
    ]);
  });

  test('a GPU agent on a site without GPUs points at the site entry', () => {
    const lines = load(
      environment(`
  gpu-worker:
    sites:
      edge: {}
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:23:7 agents.gpu-worker.sites.edge: agent 'gpu-worker' fits no node pool of site 'edge' (small: arch arm64, agent needs amd64; no GPUs, agent needs 1)",
    ]);
  });

  test("a field the model requires and no file sets points at the agent's site entry", () => {
    const catalogue = CATALOGUE.replace('    scaling: { minReplicas: 1, maxReplicas: 1 }\n', '');
    const lines = load(
      environment(`
  gpu-worker:
    sites:
      dev: {}
`),
      catalogue,
    );
    expect(lines).toEqual([
      "environments/dev.yaml:23:7 agents.gpu-worker.sites.dev.scaling: is required for workload 'consumer'",
    ]);
  });

  test('a problem in the catalogue is reported once, however many sites use the value', () => {
    const catalogue = CATALOGUE.replace(
      'queue: { broker: rabbitmq, queue: work }',
      'queue: { broker: rabbitmq, queue: work, maxPriority: 50 }',
    );
    const rootDir = fixture({
      catalogue,
      environments: {
        dev: environment(`
  worker:
    sites:
      dev: {}
      edge: { placement: { arch: [arm64] } }
`),
        prod: environment(`
  worker:
    sites:
      dev: {}
`),
      },
    });
    expect(problemLines(loadFleet({ rootDir }))).toEqual([
      'fleet/agent-types.yaml:11:45 agentTypes.worker.queue.maxPriority: (50) must be a whole number from 1 to 10',
    ]);
  });
});

describe('environments and files', () => {
  test('several problems in one file are all reported, sorted by file and line', () => {
    const lines = load(
      environment(`
  worker:
    sites:
      dev:
        resources:
          limits: { cpu: 2 cores }
      prod: {}
  wroker:
    sites:
      dev: {}
  gpu-worker:
    scaling: { minReplicas: 2 }
    sites:
      dev: {}
      edge: {}
`).replace('context: kind-dev', 'context: kind-dev, namespace: x'),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:4:60 sites.dev.kubeconfig.namespace: unknown key 'namespace' (allowed: path, context)",
      "environments/dev.yaml:25:21 agents.worker.sites.dev.resources.limits.cpu: '2 cores' is not a CPU quantity: use millicores such as '500m' or cores such as '2' or '0.5'",
      "environments/dev.yaml:26:7 agents.worker.sites.prod: unknown site 'prod' (declared sites: dev, edge)",
      "environments/dev.yaml:27:3 agents.wroker: unknown agent type 'wroker' (catalogue has: worker, gpu-worker)",
      "environments/dev.yaml:31:5 agents.gpu-worker.scaling: has no signal, so the count is fixed: set 'minReplicas' (2) equal to 'maxReplicas' (1) or add a signal",
      "environments/dev.yaml:31:16 agents.gpu-worker.scaling.minReplicas: (2) must be <= 'scaling.maxReplicas' (1)",
      "environments/dev.yaml:34:7 agents.gpu-worker.sites.edge: agent 'gpu-worker' fits no node pool of site 'edge' (small: arch arm64, agent needs amd64; no GPUs, agent needs 1)",
    ]);
  });

  test('model rules are not checked on an agent whose own entries are not well formed', () => {
    const lines = load(
      environment(`
  worker:
    scaling: { minReplicas: 5, maxReplicas: 3 }
    sites:
      dev:
        resources: { requests: { cpu: lots } }
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:25:34 agents.worker.sites.dev.resources.requests.cpu: 'lots' is not a CPU quantity: use millicores such as '500m' or cores such as '2' or '0.5'",
    ]);
  });

  test('the environment name comes from the file name and must be a DNS label', () => {
    const rootDir = fixture({
      catalogue: CATALOGUE,
      environments: { Dev_Env: environment('  worker: { sites: { dev: {} } }\n') },
    });
    expect(problemLines(loadFleet({ rootDir }))).toEqual([
      "environments/Dev_Env.yaml:1:1 the environment name 'Dev_Env' must be a DNS label of at most 30 characters: lowercase letters, digits and '-' (it is the file name)",
    ]);
  });

  test('a requested environment without a file, and a missing catalogue, are problems', () => {
    const rootDir = fixture({});
    expect(problemLines(loadFleet({ rootDir, environments: ['staging'] }))).toEqual([
      'environments/staging.yaml:1:1 file not found',
      'fleet/agent-types.yaml:1:1 file not found',
    ]);
  });

  test('an environments folder without files is a problem', () => {
    const rootDir = fixture({ catalogue: CATALOGUE });
    expect(problemLines(loadFleet({ rootDir }))).toEqual([
      'environments/:1:1 holds no environment file (<name>.yaml)',
    ]);
  });

  test('never throws on unreadable input', () => {
    const rootDir = fixture({ catalogue: CATALOGUE });
    fs.mkdirSync(path.join(rootDir, 'environments', 'odd.yaml'));
    expect(problemLines(loadFleet({ rootDir }))).toEqual([
      'environments/odd.yaml:1:1 is a directory, not a file',
    ]);
    expect(problemLines(loadFleet({ rootDir, environments: ['../fleet/agent-types'] }))).toEqual([
      "environments/../fleet/agent-types.yaml:1:1 '../fleet/agent-types' is not an environment name: name a file of environments/",
    ]);
  });
});

describe('brokers', () => {
  test('a bad unit in an in-cluster broker hides the checks that need it', () => {
    const lines = load(
      environment(`
  worker:
    sites:
      dev: {}
`).replace('      site: dev', '      site: dc9\n      replicas: 2\n      storage: 10GB'),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:21:7 brokers.rabbitmq.inCluster.storage: '10GB' is not a size: use a whole number with Ki, Mi, Gi, Ti (binary) or k, M, G, T (decimal), e.g. '512Mi'",
    ]);
  });

  test('an in-cluster broker on an unknown site with an even node count', () => {
    const lines = load(
      environment(`
  worker:
    sites:
      dev: {}
`).replace('      site: dev', '      site: dc9\n      replicas: 2'),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:19:7 brokers.rabbitmq.inCluster.site: 'dc9' is not a site of the environment (declared: dev, edge)",
      'environments/dev.yaml:20:7 brokers.rabbitmq.inCluster.replicas: (2) must be odd: quorum queues need a majority of nodes',
    ]);
  });

  test('a broker declared neither in-cluster nor external', () => {
    const lines = load(
      environment(`
  worker:
    sites:
      dev: {}
`).replace('    inCluster:\n      site: dev\n', ''),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:16:3 brokers.rabbitmq: needs exactly one of 'inCluster', 'amazonMq' or 'external'",
    ]);
  });
});

describe('broker topology across agents', () => {
  test('two agents declaring one queue differently point at the second one', () => {
    const lines = load(
      environment(`
  worker:
    sites:
      dev: {}
  gpu-worker:
    queue: { broker: rabbitmq, queue: work, deadLetter: { deliveryLimit: 9 } }
    resources: { gpu: 1 }
    sites:
      dev: {}
`),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:28:7 agents.gpu-worker.sites.dev: binds queue 'work' (vhost '/') with other settings than agent 'worker': agents sharing a queue must declare it alike",
    ]);
  });

  test('an in-cluster broker on a site where no pool can run it', () => {
    const lines = load(
      environment(`
  worker:
    sites:
      dev: {}
`)
        .replace('      site: dev', '      site: edge')
        .replace('small: { arch: arm64 }', 'small: { arch: arm64, capacity: spot }'),
    );
    expect(lines).toEqual([
      "environments/dev.yaml:19:7 brokers.rabbitmq.inCluster.site: no node pool of site 'edge' can run the broker (small: spot capacity, broker does not allow spot)",
      "environments/dev.yaml:23:7 agents.worker.sites.dev: queue.broker: broker 'rabbitmq' runs in the cluster of site 'edge', which agents on site 'dev' cannot reach; declare it 'external' or run one on this site",
    ]);
  });
});

import {
  BrokerSpec,
  AgentSpec,
  Cpu,
  Duration,
  formatPath,
  Size,
  validateAgent,
  validateAgentOnSite,
  validateBroker,
} from '../../model';
import { BROKER, consumer, SITE } from '../support/fixtures';

/** `path: message` lines of a spec's problems. */
function problemsOf(spec: AgentSpec): string[] {
  return validateAgent(spec).map((problem) => `${formatPath(problem.path)}: ${problem.message}`);
}

const base = consumer();
const withContainer = (container: Partial<AgentSpec['container']>) =>
  consumer({ container: { ...base.container, ...container } });
const withQueue = (queue: Partial<NonNullable<AgentSpec['queue']>>) =>
  consumer({ queue: { ...base.queue!, ...queue } });
const withScaling = (scaling: Partial<NonNullable<AgentSpec['scaling']>>) =>
  consumer({ scaling: { ...base.scaling!, ...scaling } });
const job = (overrides: Partial<AgentSpec>) =>
  consumer({ workload: 'scheduled', scaling: undefined, ...overrides });

describe('validateAgent', () => {
  it('accepts the reference consumer', () => {
    expect(problemsOf(base)).toEqual([]);
  });

  it('holds what one replica processes to a positive rate and its readiness to an hour', () => {
    expect(
      problemsOf(consumer({ processing: { perReplica: 2.5, readyAfter: Duration.minutes(1) } })),
    ).toEqual([]);
    expect(
      problemsOf(consumer({ processing: { perReplica: 0, readyAfter: Duration.hours(2) } })),
    ).toEqual([
      'processing.perReplica: (0) must be > 0 and <= 1000000',
      'processing.readyAfter: (2h) must be at most 1h',
    ]);
  });

  it('accepts a fallback turned off in writing, and one that sets only its threshold', () => {
    expect(
      problemsOf(
        withScaling({
          minReplicas: 0,
          fallback: { enabled: false, reason: 'woken by the broker, never by an outage' },
        }),
      ),
    ).toEqual([]);
    expect(problemsOf(withScaling({ minReplicas: 0, fallback: { failureThreshold: 5 } }))).toEqual(
      [],
    );
  });

  it.each<[string, AgentSpec, string]>([
    [
      'a name that is no DNS label',
      consumer({ name: 'Image_Processing' }),
      "name: 'Image_Processing' must be a DNS label",
    ],
    [
      'a scheduled agent without schedule',
      job({}),
      "schedule: is required for workload 'scheduled'",
    ],
    [
      'a scheduled agent with scaling',
      job({ schedule: { cron: '0 2 * * *' }, scaling: base.scaling }),
      "scaling: is not allowed for workload 'scheduled'",
    ],
    [
      'a schedule on a consumer',
      consumer({ schedule: { cron: '0 2 * * *' } }),
      "schedule: is only allowed for workload 'scheduled', not 'consumer'",
    ],
    [
      'a consumer without scaling',
      consumer({ scaling: undefined }),
      "scaling: is required for workload 'consumer'",
    ],
    [
      'a consumer without probes',
      withContainer({ probes: undefined }),
      'container.probes: readiness and liveness probes are required',
    ],
    [
      'per-message work on cpu',
      consumer({
        workload: 'per-message',
        scaling: {
          minReplicas: 0,
          maxReplicas: 5,
          queueDepth: { perReplica: 1 },
          cpu: { targetUtilization: 50 },
        },
      }),
      "scaling: workload 'per-message' scales on 'queueDepth' or 'prometheus' only",
    ],
    [
      'per-message work without a queue or Prometheus signal',
      consumer({ workload: 'per-message', scaling: { minReplicas: 1, maxReplicas: 1 } }),
      "scaling: workload 'per-message' needs a 'queueDepth' or 'prometheus' signal",
    ],
    [
      'a long port name',
      withContainer({ ports: { 'http-metrics-port': 8080 } }),
      'container.ports.http-metrics-port: port names must be DNS labels of at most 15 characters',
    ],
    [
      'a port out of range',
      withContainer({ ports: { http: 70000 } }),
      'container.ports.http: 70000 must be a whole number from 1 to 65535',
    ],
    [
      'a bad env name',
      withContainer({ env: { '1X': 'a' } }),
      'container.env.1X: must be a valid environment variable name',
    ],
    [
      'a secret in env',
      withContainer({ env: { API_KEY: 'a' } }),
      'container.env.API_KEY: looks like a secret',
    ],
    [
      'a reserved env name',
      withContainer({ env: { FLEET_X: 'a' } }),
      "container.env.FLEET_X: the 'FLEET_' prefix is reserved",
    ],
    [
      'an undeclared metrics port',
      withContainer({ metricsPort: 'prom' }),
      "container.metricsPort: 'prom' is not a declared port (declared: http, metrics)",
    ],
    [
      'a probe with two handlers',
      withContainer({
        probes: {
          readiness: { httpGet: { path: '/', port: 'http' }, exec: ['true'] },
          liveness: base.container.probes!.liveness,
        },
      }),
      "container.probes.readiness: needs exactly one of 'httpGet', 'tcpSocket' or 'exec'",
    ],
    [
      'a probe on an undeclared port',
      withContainer({
        probes: {
          readiness: { tcpSocket: { port: 'amqp' } },
          liveness: base.container.probes!.liveness,
        },
      }),
      "container.probes.readiness.tcpSocket.port: 'amqp' is not a declared port",
    ],
    [
      'a probe failure threshold of 0',
      withContainer({
        probes: {
          readiness: { exec: ['true'], failureThreshold: 0 },
          liveness: base.container.probes!.liveness,
        },
      }),
      'container.probes.readiness.failureThreshold: (0) must be a whole number from 1 to 100',
    ],
    [
      'an empty drain command',
      withContainer({ shutdown: { drainCommand: [] } }),
      'container.shutdown.drainCommand: must not be empty',
    ],
    [
      'a CPU limit below the request',
      consumer({
        resources: {
          requests: { cpu: Cpu.parse('1'), memory: Size.parse('1Gi') },
          limits: { cpu: Cpu.parse('500m') },
        },
      }),
      "resources.limits.cpu: (500m) must be >= 'resources.requests.cpu' (1)",
    ],
    [
      'a memory limit below the request',
      consumer({
        resources: {
          requests: { cpu: Cpu.parse('1'), memory: Size.parse('1Gi') },
          limits: { memory: Size.parse('512Mi') },
        },
      }),
      "resources.limits.memory: (512Mi) must be >= 'resources.requests.memory' (1Gi)",
    ],
    [
      'an ephemeral-storage limit below the request',
      consumer({
        resources: {
          requests: {
            cpu: Cpu.parse('1'),
            memory: Size.parse('1Gi'),
            ephemeralStorage: Size.parse('2Gi'),
          },
          limits: { ephemeralStorage: Size.parse('1Gi') },
        },
      }),
      "resources.limits.ephemeralStorage: (1Gi) must be >= 'resources.requests.ephemeralStorage' (2Gi)",
    ],
    [
      'too many GPUs',
      consumer({
        resources: { requests: { cpu: Cpu.parse('1'), memory: Size.parse('1Gi') }, gpu: 17 },
      }),
      'resources.gpu: (17) must be a whole number from 0 to 16',
    ],
    ['an empty queue name', withQueue({ queue: '' }), 'queue.queue: must be 1 to 200 characters'],
    [
      'a priority above 10',
      withQueue({ maxPriority: 11 }),
      'queue.maxPriority: (11) must be a whole number from 1 to 10',
    ],
    [
      'dead-lettering off without reason',
      withQueue({ deadLetter: { enabled: false, reason: 'no' } }),
      'queue.deadLetter.reason: turning dead-lettering off needs a written reason',
    ],
    [
      'an endless delivery limit',
      withQueue({ deadLetter: { deliveryLimit: 0 } }),
      'queue.deadLetter.deliveryLimit: (0) must be a whole number from 1 to 1000',
    ],
    [
      'a prefetch of 0',
      withQueue({ consumer: { prefetch: 0 } }),
      'queue.consumer.prefetch: (0) must be a whole number from 1 to 10000',
    ],
    [
      'a processing time over 2h',
      withQueue({ consumer: { maxProcessingTime: Duration.parse('3h') } }),
      "queue.consumer.maxProcessingTime: (3h) must be at most 2h; longer work belongs in workload 'per-message'",
    ],
    [
      'an empty publish target',
      consumer({ publishes: [{ broker: 'rabbitmq', queue: '' }] }),
      'publishes[0].queue: must be 1 to 200 characters',
    ],
    [
      'a maximum of 0',
      withScaling({ minReplicas: 0, maxReplicas: 0 }),
      'scaling.maxReplicas: (0) must be a whole number from 1 to 1000',
    ],
    [
      'min above max',
      withScaling({ minReplicas: 5, maxReplicas: 3 }),
      "scaling.minReplicas: (5) must be <= 'scaling.maxReplicas' (3)",
    ],
    [
      'bounds without a signal',
      consumer({ queue: undefined, scaling: { minReplicas: 1, maxReplicas: 3 } }),
      "scaling: has no signal, so the count is fixed: set 'minReplicas' (1) equal to 'maxReplicas' (3) or add a signal",
    ],
    [
      'zero replicas on an HPA',
      consumer({ scaling: { minReplicas: 0, maxReplicas: 3, cpu: { targetUtilization: 50 } } }),
      'scaling.minReplicas: can be 0 only with a queueDepth, prometheus or cron signal',
    ],
    [
      'queue depth without a queue',
      consumer({ queue: undefined }),
      "scaling.queueDepth: needs a 'queue' binding to read the depth of",
    ],
    [
      'a per-replica depth of 0',
      withScaling({ queueDepth: { perReplica: 0 } }),
      'scaling.queueDepth.perReplica: (0) must be a whole number from 1 to 1000000',
    ],
    [
      'a CPU target above 100',
      withScaling({ cpu: { targetUtilization: 150 } }),
      'scaling.cpu.targetUtilization: (150) must be a whole number from 1 to 100',
    ],
    [
      'a memory target of 0',
      withScaling({ memory: { targetUtilization: 0 } }),
      'scaling.memory.targetUtilization: (0) must be a whole number from 1 to 100',
    ],
    [
      'an empty Prometheus query',
      withScaling({ prometheus: { query: ' ', threshold: 10 } }),
      'scaling.prometheus.query: must not be empty',
    ],
    [
      'a Prometheus threshold of 0',
      withScaling({ prometheus: { query: 'up', threshold: 0 } }),
      'scaling.prometheus.threshold: (0) must be > 0',
    ],
    [
      'a cron window above the maximum',
      withScaling({ cron: [{ start: '0 8 * * *', end: '0 18 * * *', replicas: 11 }] }),
      'scaling.cron[0].replicas: (11) must be a whole number from 1 to 10',
    ],
    [
      'a fallback next to CPU',
      withScaling({ cpu: { targetUtilization: 50 }, fallback: { replicas: 3 } }),
      'scaling.fallback: KEDA refuses a fallback on a ScaledObject with cpu or memory signals',
    ],
    [
      'a fallback without a queue or Prometheus signal',
      consumer({
        queue: undefined,
        scaling: {
          minReplicas: 1,
          maxReplicas: 3,
          cron: [{ start: '0 8 * * *', end: '0 9 * * *', replicas: 2 }],
          fallback: { replicas: 2 },
        },
      }),
      'scaling.fallback: applies only to queueDepth, consumerLag or prometheus signals',
    ],
    [
      'a fallback on per-message work',
      consumer({
        workload: 'per-message',
        scaling: {
          minReplicas: 0,
          maxReplicas: 5,
          queueDepth: { perReplica: 1 },
          fallback: { replicas: 2 },
        },
      }),
      "scaling.fallback: a KEDA ScaledJob has no fallback; remove it for workload 'per-message'",
    ],
    [
      'a fallback above the maximum',
      withScaling({ fallback: { replicas: 20 } }),
      'scaling.fallback.replicas: (20) must be a whole number from 2 to 10',
    ],
    [
      'a fallback turned off without a written reason',
      withScaling({ fallback: { enabled: false, reason: 'cost' } }),
      'scaling.fallback.reason: turning the fallback off needs a written reason (at least 20 characters)',
    ],
    [
      'a fallback turned off that still holds replicas',
      withScaling({
        fallback: {
          enabled: false,
          reason: 'woken by the broker, never by an outage',
          replicas: 3,
        },
      }),
      "scaling.fallback.replicas: (3) has no effect with 'enabled: false': remove it ('replicas: null' in an override)",
    ],
    [
      'a reason for a fallback that is on',
      withScaling({ fallback: { reason: 'woken by the broker, never by an outage' } }),
      "scaling.fallback.reason: is for a fallback turned off: add 'enabled: false' or remove it",
    ],
    [
      'a fallback turned off next to CPU, where there is none',
      withScaling({
        cpu: { targetUtilization: 50 },
        fallback: { enabled: false, reason: 'woken by the broker, never by an outage' },
      }),
      'scaling.fallback: there is no fallback to turn off: KEDA refuses a fallback next to cpu or memory signals',
    ],
    [
      'a stabilization window over an hour',
      withScaling({ behavior: { scaleDown: { stabilizationWindow: Duration.parse('2h') } } }),
      'scaling.behavior.scaleDown.stabilizationWindow: (2h) must be at most 1h',
    ],
    [
      'a policy of 0 pods',
      withScaling({
        behavior: {
          scaleUp: { policies: [{ type: 'pods', value: 0, period: Duration.parse('1m') }] },
        },
      }),
      'scaling.behavior.scaleUp.policies[0].value: (0) must be a whole number from 1 to 1000',
    ],
    [
      'a policy period over 30 minutes',
      withScaling({
        behavior: {
          scaleUp: { policies: [{ type: 'percent', value: 50, period: Duration.parse('1h') }] },
        },
      }),
      'scaling.behavior.scaleUp.policies[0].period: (1h) must be from 1s to 30m',
    ],
    [
      'behaviour without a signal',
      consumer({
        queue: undefined,
        scaling: { minReplicas: 2, maxReplicas: 2, behavior: { scaleUp: {} } },
      }),
      'scaling.behavior: has no effect without a scaling signal',
    ],
    [
      'a namespace that is no DNS label',
      consumer({ isolation: { namespace: 'Agents' } }),
      "isolation.namespace: 'Agents' is not a valid namespace: a DNS-1123 label",
    ],
    [
      "an agent named after Kubernetes' own namespace",
      consumer({ name: 'kube-system' }),
      "name: 'kube-system' is reserved: Kubernetes owns the namespaces 'default' and 'kube-*', and an agent's name is its namespace's by default; choose another name",
    ],
    [
      'an agent named default, even in a namespace of its own',
      consumer({ name: 'default', isolation: { namespace: 'agents' } }),
      "name: 'default' is reserved",
    ],
    [
      'a reserved namespace',
      consumer({ isolation: { namespace: 'kube-system' } }),
      "isolation.namespace: 'kube-system' is reserved: Kubernetes owns 'default' and 'kube-*'; agents run in namespaces of their own",
    ],
    [
      'a malformed CIDR',
      consumer({ isolation: { egress: [{ cidr: '10.0.0.0', ports: [443] }] } }),
      "isolation.egress[0].cidr: '10.0.0.0' must be an IPv4 CIDR such as 10.0.0.0/16",
    ],
    [
      'egress to everything',
      consumer({ isolation: { egress: [{ cidr: '0.0.0.0/0', ports: [443] }] } }),
      "isolation.egress: '0.0.0.0/0' covers 3,702,390,784 public IPv4 addresses (the whole Internet), more than the 16,777,216 (a /8) allowed: this opens egress to the Internet; name the networks the agent needs",
    ],
    [
      'egress to everything, split in two',
      consumer({
        isolation: {
          egress: [
            { cidr: '0.0.0.0/1', ports: [443] },
            { cidr: '128.0.0.0/1', ports: [443] },
          ],
        },
      }),
      "isolation.egress: '0.0.0.0/1', '128.0.0.0/1' together cover 3,702,390,784 public IPv4 addresses (the whole Internet)",
    ],
    [
      'an egress port out of range',
      consumer({ isolation: { egress: [{ cidr: '10.0.0.0/8', ports: [0] }] } }),
      'isolation.egress[0].ports[0]: (0) must be a whole number from 1 to 65535',
    ],
  ])('reports %s', (_case, spec, expected) => {
    const problems = problemsOf(spec);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });
});

describe('validateAgentOnSite', () => {
  it('accepts an agent whose broker and pool exist', () => {
    expect(validateAgentOnSite(base, SITE, [BROKER])).toEqual([]);
  });

  it('names the declared brokers when one is unknown', () => {
    expect(validateAgentOnSite(base, SITE, [])).toEqual([
      {
        path: ['queue', 'broker'],
        message: "'rabbitmq' is not a broker of the environment (none declared)",
        reference: true,
      },
    ]);
  });

  it('says when a site has no node pools at all', () => {
    expect(validateAgentOnSite(base, { ...SITE, nodePools: [] }, [BROKER])).toEqual([
      {
        path: ['placement'],
        message:
          "agent 'image-processing' fits no node pool of site 'dc1' (the site has no node pools)",
      },
    ]);
  });

  it('explains spot and architecture refusals', () => {
    const site = {
      ...SITE,
      nodePools: [{ name: 'spot-arm', arch: 'arm64' as const, capacity: 'spot' as const }],
    };
    expect(validateAgentOnSite(base, site, [BROKER])[0].message).toBe(
      "agent 'image-processing' fits no node pool of site 'dc1' (spot-arm: arch arm64, agent needs amd64; spot capacity, agent does not allow spot)",
    );
    expect(
      validateAgentOnSite(consumer({ placement: { spot: 'required' } }), SITE, [BROKER])[0].message,
    ).toContain('general: on-demand capacity, agent requires spot');
  });

  describe('on small edge nodes', () => {
    const edge = {
      ...SITE,
      nodePools: [
        {
          name: 'edge',
          arch: 'arm64' as const,
          allocatable: { cpu: Cpu.parse('1'), memory: Size.parse('2Gi') },
        },
      ],
    };
    const sized = (cpu: string, memory: string) =>
      consumer({
        placement: { arch: ['amd64', 'arm64'] },
        resources: { requests: { cpu: Cpu.parse(cpu), memory: Size.parse(memory) } },
      });

    it('fits an arm64-ready agent whose requests a node can hold', () => {
      expect(validateAgentOnSite(sized('500m', '1Gi'), edge, [BROKER])).toEqual([]);
    });

    it('says which request does not fit a node', () => {
      expect(validateAgentOnSite(sized('2', '4Gi'), edge, [BROKER])[0].message).toBe(
        "agent 'image-processing' fits no node pool of site 'dc1' (edge: a node offers 1 CPU, one replica requests 2; a node offers 2Gi memory, one replica requests 4Gi)",
      );
    });

    it('refuses an image built for amd64 only', () => {
      expect(validateAgentOnSite(base, edge, [BROKER])[0].message).toContain(
        'edge: arch arm64, agent needs amd64',
      );
    });
  });
});

describe('validateBroker', () => {
  const messages = (broker: Parameters<typeof validateBroker>[0]) =>
    validateBroker(broker, ['dc1']).map((p) => `${formatPath(p.path)}: ${p.message}`);

  it('accepts an in-cluster broker on a declared site', () => {
    expect(messages(BROKER)).toEqual([]);
  });

  it.each<[string, Parameters<typeof validateBroker>[0], string]>([
    [
      'neither place',
      { name: 'b', kind: 'rabbitmq' },
      ": needs exactly one of 'inCluster', 'amazonMq' or 'external'",
    ],
    [
      'both places',
      {
        name: 'b',
        kind: 'rabbitmq',
        inCluster: { site: 'dc1' },
        external: { host: 'h', cidrs: ['10.0.0.0/8'] },
      },
      ": needs exactly one of 'inCluster', 'amazonMq' or 'external'",
    ],
    [
      'an unknown site',
      { name: 'b', kind: 'rabbitmq', inCluster: { site: 'dc9' } },
      "inCluster.site: 'dc9' is not a site of the environment (declared: dc1)",
    ],
    [
      'an even node count',
      { name: 'b', kind: 'rabbitmq', inCluster: { site: 'dc1', replicas: 2 } },
      'inCluster.replicas: (2) must be odd',
    ],
    [
      'too many nodes',
      { name: 'b', kind: 'rabbitmq', inCluster: { site: 'dc1', replicas: 9 } },
      'inCluster.replicas: (9) must be a whole number from 1 to 7',
    ],
    [
      'a bad namespace',
      { name: 'b', kind: 'rabbitmq', inCluster: { site: 'dc1', namespace: 'Rabbit' } },
      "inCluster.namespace: 'Rabbit' is not a valid namespace: a DNS-1123 label",
    ],
    [
      'a bad CIDR',
      { name: 'b', kind: 'rabbitmq', external: { host: 'h', cidrs: ['10.0.0.0'] } },
      "external.cidrs[0]: '10.0.0.0' must be an IPv4 CIDR",
    ],
  ])('reports %s', (_case, broker, expected) => {
    expect(messages(broker)).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it('refuses an agent in a namespace of the platform', () => {
    expect(
      validateAgentOnSite(consumer({ isolation: { namespace: 'rabbitmq' } }), SITE, [BROKER]),
    ).toEqual([
      {
        path: ['isolation', 'namespace'],
        message:
          "namespace 'rabbitmq' belongs to the platform of site 'dc1'; agents run in namespaces of their own",
      },
    ]);
    expect(validateAgentOnSite(consumer({ name: 'monitoring' }), SITE, [BROKER])[0].path).toEqual([
      'name',
    ]);
  });

  it('keeps the topic creators’ namespace for the platform where the site runs MSK', () => {
    const msk = { name: 'events', kind: 'kafka', msk: { site: 'dc1', kafkaVersion: '3.8.x' } };
    const agent = consumer({ isolation: { namespace: 'kafka-topics' } });
    expect(
      validateAgentOnSite(agent, SITE, [BROKER, msk as BrokerSpec]).map((p) => p.message),
    ).toContain(
      "namespace 'kafka-topics' belongs to the platform of site 'dc1'; agents run in namespaces of their own",
    );
    expect(validateAgentOnSite(agent, SITE, [BROKER])).toEqual([]);
  });

  it('refuses an agent on another site than its in-cluster broker', () => {
    const edge = { ...SITE, name: 'edge' };
    expect(validateAgentOnSite(base, edge, [BROKER])).toEqual([
      {
        path: ['queue', 'broker'],
        message:
          "broker 'rabbitmq' runs in the cluster of site 'dc1', which agents on site 'edge' cannot reach; declare it 'external' or run one on this site",
      },
    ]);
  });
});

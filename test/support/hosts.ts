import {
  AgentSpec,
  Cpu,
  Duration,
  HostsPlan,
  HostsSiteSpec,
  ImageRef,
  planHostsSite,
  Size,
} from '../../model';

/** The image of the warm servers' ingest agent. */
export const INGEST_IMAGE =
  'registry.example.com/agent-fleet/chimera-data-ingest@sha256:d8a6170629064a73fc9345886270ea88ae248583be994a753836c4e431e51c0b';

/** A hosts site of two warm servers in one pool, two instances of an agent each. */
export function hostsSite(overrides: Partial<HostsSiteSpec> = {}): HostsSiteSpec {
  const server = (name: string, address: string) => ({
    name,
    address,
    cpu: Cpu.parse('8'),
    memory: Size.parse('32Gi'),
    labels: { rack: 'r1' },
  });
  return {
    kind: 'hosts',
    name: 'nebraska-hosts',
    runtime: 'podman',
    ansible: { user: 'deploy', sshArgs: '-o ProxyJump=bastion.nebraska.example.com' },
    pools: [
      {
        name: 'warm',
        labels: { location: 'nebraska', datacenter: 'nebraska', 'hardware-type': 'cpu' },
        instancesPerAgent: 2,
        servers: [server('ne-warm-01', '10.20.30.11'), server('ne-warm-02', '10.20.30.12')],
      },
    ],
    scaling: {
      prometheusUrl: 'http://prometheus.nebraska.example.com:9090',
      controller: 'ansible.nebraska.example.com',
    },
    ...overrides,
  };
}

/** The ingest agent as it runs on warm servers: 1..4 instances on the pending-message backlog. */
export function ingestAgent(overrides: Partial<AgentSpec> = {}): AgentSpec {
  return {
    name: 'chimera-data-ingest',
    container: {
      image: ImageRef.parse(INGEST_IMAGE),
      ports: { http: 8080, metrics: 9102 },
      env: { LOG_LEVEL: 'info', LOCATION_TAG: 'nebraska-warm' },
      probes: {
        readiness: { httpGet: { path: '/ready', port: 'http' } },
        liveness: { httpGet: { path: '/healthz', port: 'http' }, period: Duration.seconds(20) },
      },
    },
    resources: {
      requests: { cpu: Cpu.parse('1'), memory: Size.parse('1Gi') },
      limits: { cpu: Cpu.parse('2'), memory: Size.parse('1Gi') },
    },
    scaling: {
      minReplicas: 1,
      maxReplicas: 4,
      prometheus: {
        query: 'sum(chimera_pending_messages_total)',
        threshold: 1000,
        sustainedFor: Duration.minutes(5),
      },
    },
    placement: { labels: { datacenter: 'nebraska' } },
    ...overrides,
  };
}

/** The plan of a hosts site running the given agents. */
export function hostsPlan(
  agents: readonly AgentSpec[] = [ingestAgent()],
  site: HostsSiteSpec = hostsSite(),
): HostsPlan {
  return planHostsSite('prod', site, agents);
}

import { loadFleet } from '../../config';
import { agentType, fixture, problemLines } from './support';

/** An agent scaled on a sustained Prometheus query, and a queue consumer. */
const CATALOGUE = `
agentTypes:
${agentType(
  'ingest',
  `
      limits: { cpu: '1', memory: 512Mi }
    scaling:
      minReplicas: 1
      maxReplicas: 4
      prometheus:
        query: sum(chimera_pending_messages_total)
        threshold: 1000
        sustainedFor: 5m
`,
)}${agentType(
  'worker',
  `
    queue: { broker: tasks, queue: work }
    scaling:
      minReplicas: 1
      maxReplicas: 2
      queueDepth: { perReplica: 10 }
`,
)}`;

/** A site of two warm servers, the ingest agent on it. */
const HOSTS = `
sites:
  warm:
    kind: hosts
    ansible: { user: deploy, sshArgs: -o ProxyJump=bastion.example.com }
    pools:
      rack1:
        labels: { datacenter: dc1 }
        instancesPerAgent: 2
        servers:
          warm-01: { address: 10.0.0.11, cpu: '4', memory: 8Gi }
          warm-02: { address: 10.0.0.12, cpu: '4', memory: 8Gi }
    scaling:
      prometheusUrl: http://prometheus.dc1.example.com:9090
      controller: ansible.dc1.example.com
agents:
  ingest:
    sites:
      warm:
        placement: { labels: { datacenter: dc1 } }
`;

function load(environment: string) {
  return loadFleet({
    rootDir: fixture({ catalogue: CATALOGUE, environments: { prod: environment } }),
    environments: ['prod'],
  });
}

describe('a hosts site in an environment file', () => {
  it('loads with its pools, servers and units, and places the agent on it', () => {
    const result = load(HOSTS);
    if (!result.ok) throw new Error(problemLines(result).join('\n'));
    const [environment] = result.environments;
    const [site] = environment.hostsSites ?? [];
    expect(site.name).toBe('warm');
    expect(site.pools[0].servers.map((server) => [server.name, server.cpu.millicores])).toEqual([
      ['warm-01', 4000],
      ['warm-02', 4000],
    ]);
    expect(environment.deployments.map((d) => `${d.agent.name}@${d.site}`)).toEqual([
      'ingest@warm',
    ]);
  });

  it("refuses an agent no pool fits, with the file, the line and each pool's reason", () => {
    const lines = problemLines(
      load(
        HOSTS.replace(
          'placement: { labels: { datacenter: dc1 } }',
          'placement: { labels: { datacenter: dc2 } }',
        ),
      ),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:19:9 agents.ingest.sites.warm.placement: agent 'ingest' fits no pool of hosts site 'warm' (rack1: label datacenter=dc1, agent needs datacenter=dc2)",
    ]);
  });

  it('refuses what a server cannot run: a queue binding, with the reason', () => {
    const lines = problemLines(
      load(`${HOSTS}  worker:
    sites:
      warm: {}
brokers:
  tasks: { kind: rabbitmq, external: { host: rabbit.example.com, cidrs: [10.9.0.0/24] } }
`),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:22:7 agents.worker.sites.warm: queue: a queue binding cannot be served on hosts site 'warm': its servers reach no broker or state store of the fleet yet; bind the agent on a Kubernetes or cloud site, or have it read its work from a service its credentials files name",
    ]);
  });

  it('refuses a key in the SSH arguments and servers of two architectures in a pool', () => {
    const lines = problemLines(
      load(
        HOSTS.replace(
          '-o ProxyJump=bastion.example.com',
          '-i /home/deploy/.ssh/id_ed25519',
        ).replace(
          "warm-02: { address: 10.0.0.12, cpu: '4', memory: 8Gi }",
          "warm-02: { address: 10.0.0.12, arch: arm64, cpu: '4', memory: 8Gi }",
        ),
      ),
    );
    expect(lines).toEqual([
      'environments/prod.yaml:4:30 sites.warm.ansible.sshArgs: names a key or a password: the controller holds keys (its ssh-agent or SSH configuration), never the environment file',
      "environments/prod.yaml:11:42 sites.warm.pools.rack1.servers.warm-02.arch: arm64 differs from warm-01's amd64: the servers of a pool share one architecture; put them in pools of their own",
    ]);
  });

  it('refuses a minimum the servers cannot hold, at the agent entry', () => {
    const lines = problemLines(
      load(
        HOSTS.replace('instancesPerAgent: 2', 'instancesPerAgent: 1').replace(
          'placement: { labels: { datacenter: dc1 } }',
          'scaling: { minReplicas: 3, maxReplicas: 4 }',
        ),
      ),
    );
    expect(lines).toEqual([
      "environments/prod.yaml:18:7 agents.ingest.sites.warm: agent 'ingest' needs 3 instance(s) at its minimum, but the servers of rack1 hold 2 beside the agents before it (warm-01: 3500m CPU, 7680Mi left; warm-02: 3500m CPU, 7680Mi left)",
    ]);
  });
});

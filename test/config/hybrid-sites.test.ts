import { loadFleet } from '../../config';
import { FleetEnvironment, Size } from '../../model';
import { agentType, fixture, problemLines } from './support';

/** A queue consumer and a Kafka consumer, bound to brokers each environment names. */
const CATALOGUE = `
agentTypes:
${agentType(
  'worker',
  `
    queue: { broker: tasks, queue: work }
    scaling:
      minReplicas: 1
      maxReplicas: 6
      queueDepth: { perReplica: 10 }
`,
)}${agentType(
  'ingest',
  `
    topic: { broker: stream, topic: readings }
    scaling:
      minReplicas: 1
      maxReplicas: 6
      consumerLag: { perReplica: 100 }
`,
)}`;

/** An Azure site, a datacenter with in-cluster Kafka, and the agents on them. */
const HYBRID = `
sites:
  weu:
    kind: azure
    subscriptionId: 00000000-0000-4000-8000-000000000001
    tenantId: 00000000-0000-4000-8000-0000000000aa
    location: westeurope
    network: { cidr: 10.70.0.0/16, zones: ['1', '2', '3'] }
    cluster: { version: '1.35', admins: { platform: 00000000-0000-4000-8000-0000000000ad } }
    nodePools:
      general: { vmSize: Standard_D4s_v5, minCount: 1, maxCount: 5 }
  dc1:
    kind: kubernetes
    kubeconfig: { path: ~/.kube/config, context: dc1 }
    nodePools:
      general: { labels: { datacenter: dc1 } }
brokers:
  tasks:
    kind: servicebus
    site: weu
  stream:
    kind: kafka
    inCluster: { site: dc1, storage: 50Gi }
agents:
  worker:
    sites:
      weu: {}
  ingest:
    sites:
      dc1: {}
`;

function load(environment: string) {
  const rootDir = fixture({ catalogue: CATALOGUE, environments: { hybrid: environment } });
  return loadFleet({ rootDir, environments: ['hybrid'] });
}

function loaded(environment: string): FleetEnvironment {
  const result = load(environment);
  if (!result.ok) throw new Error(problemLines(result).join('\n'));
  return result.environments[0];
}

describe('Azure and datacenter sites in an environment file', () => {
  it('loads an Azure site, a Service Bus broker and an in-cluster Kafka cluster', () => {
    const environment = loaded(HYBRID);
    expect(environment.azureSites?.map((site) => site.name)).toEqual(['weu']);
    expect(environment.sites.map((site) => site.name)).toEqual(['dc1']);
    expect(environment.brokers).toContainEqual({
      name: 'stream',
      kind: 'kafka',
      inCluster: { site: 'dc1', storage: Size.parse('50Gi') },
    });
    expect(environment.deployments.map((d) => `${d.agent.name}@${d.site}`)).toEqual([
      'worker@weu',
      'ingest@dc1',
    ]);
  });

  it('checks an Azure site field by field, naming what is allowed', () => {
    expect(
      problemLines(
        load(
          HYBRID.replace('location: westeurope', 'location: West Europe').replace(
            'vmSize: Standard_D4s_v5',
            'vmSize: D4s',
          ),
        ),
      ),
    ).toEqual([
      "environments/hybrid.yaml:6:5 sites.weu.location: 'West Europe' is not an Azure region name such as 'westeurope' (lowercase, no spaces)",
      "environments/hybrid.yaml:10:18 sites.weu.nodePools.general.vmSize: 'D4s' is not an Azure VM size such as 'Standard_D4s_v5'",
    ]);
  });

  it('refuses a queue binding on a Service Bus broker of another site', () => {
    expect(problemLines(load(HYBRID.replace('      weu: {}\n', '      dc1: {}\n')))).toEqual([
      "environments/hybrid.yaml:26:7 agents.worker.sites.dc1: queue.broker: Service Bus broker 'tasks' belongs to site 'weu'; agents on site 'dc1' reach only their own site's cloud and in-cluster brokers",
    ]);
  });

  it('refuses an in-cluster Kafka of fewer than 3 nodes without a written reason', () => {
    expect(
      problemLines(
        load(HYBRID.replace('inCluster: { site: dc1,', 'inCluster: { site: dc1, replicas: 1,')),
      ),
    ).toEqual([
      'environments/hybrid.yaml:22:5 brokers.stream.inCluster.reason: 1 node(s) keep fewer than 3 copies, so losing a node loses data or availability: give a written reason (at least 10 characters) or use 3 or more',
    ]);
  });

  it('refuses consumer-lag scaling on Event Hubs, which KEDA cannot read with workload identity', () => {
    const eventHubs = HYBRID.replace(
      'kind: kafka\n    inCluster: { site: dc1, storage: 50Gi }',
      'kind: kafka\n    eventHubs: { site: weu }',
    ).replace('      dc1: {}\n', '      weu: {}\n');
    expect(problemLines(load(eventHubs))).toEqual([
      "environments/hybrid.yaml:29:7 agents.ingest.sites.weu: scaling.consumerLag: KEDA's kafka scaler cannot sign in to Event Hubs broker 'stream' with workload identity (local auth is off): scale on 'prometheus' (the agent's own lag metric) or 'cpu' instead",
    ]);
  });

  it('keeps a Service Bus consumer within the longest message lock', () => {
    const slow = HYBRID.replace(
      '      weu: {}\n',
      '      weu:\n        queue: { consumer: { maxProcessingTime: 5m } }\n',
    );
    expect(problemLines(load(slow))).toEqual([
      'environments/hybrid.yaml:27:30 agents.worker.sites.weu.queue.consumer.maxProcessingTime: (5m) must be at most 4m30s on Service Bus: the message lock, at most 5m, is the processing time plus 30s',
    ]);
  });

  it('asks for exactly one kind of Kafka cluster, an odd node count and Premium processing units', () => {
    const both = HYBRID.replace(
      'inCluster: { site: dc1, storage: 50Gi }',
      'inCluster: { site: dc1, replicas: 4 }\n    eventHubs: { site: weu, capacity: 3 }',
    );
    expect(problemLines(load(both))).toEqual([
      "environments/hybrid.yaml:20:3 brokers.stream: needs exactly one of 'msk', 'eventHubs' or 'inCluster'",
      'environments/hybrid.yaml:22:29 brokers.stream.inCluster.replicas: (4) must be odd: the KRaft controllers need a majority of nodes',
      'environments/hybrid.yaml:23:29 brokers.stream.eventHubs.capacity: (3) is not a Premium processing-unit count: use 1, 2, 4, 8, 16',
    ]);
  });

  it('refuses cluster agents on a Standard Service Bus namespace, which has no private endpoint', () => {
    expect(
      problemLines(
        load(HYBRID.replace('    kind: servicebus\n', '    kind: servicebus\n    sku: Standard\n')),
      ),
    ).toEqual([
      "environments/hybrid.yaml:27:7 agents.worker.sites.weu: queue.broker: Service Bus broker 'tasks' is Standard, which has no private endpoint, and agents on the cluster reach Service Bus only through one: use sku Premium",
    ]);
  });

  it('needs an admin group on an AKS cluster without local accounts', () => {
    expect(
      problemLines(
        load(
          HYBRID.replace(
            "cluster: { version: '1.35', admins: { platform: 00000000-0000-4000-8000-0000000000ad } }",
            "cluster: { version: '1.35' }",
          ),
        ),
      ),
    ).toEqual(['environments/hybrid.yaml:8:5 sites.weu.cluster.admins: is required']);
  });

  it('refuses two agents on one Service Bus queue', () => {
    const twice = HYBRID.replace(
      '  ingest:\n    sites:\n      dc1: {}\n',
      '  ingest:\n    sites:\n      dc1: {}\n  copy:\n    sites:\n      weu: {}\n',
    );
    const catalogue = `${CATALOGUE}  copy:\n${CATALOGUE.split('  worker:\n')[1].split('  ingest:\n')[0]}`;
    const rootDir = fixture({ catalogue, environments: { hybrid: twice } });
    expect(problemLines(loadFleet({ rootDir, environments: ['hybrid'] }))).toEqual([
      "environments/hybrid.yaml:32:7 agents.copy.sites.weu: binds Service Bus queue 'work' of broker 'tasks', which agent 'worker' already consumes: each binding creates a queue of its own (names are case-insensitive); name another queue",
    ]);
  });

  it('refuses state on a datacenter site without a database', () => {
    const stateful = CATALOGUE.replace(
      '    topic: { broker: stream, topic: readings }',
      '    topic: { broker: stream, topic: readings }\n    state: { partitionKey: { name: id, type: string } }',
    );
    const rootDir = fixture({ catalogue: stateful, environments: { hybrid: HYBRID } });
    expect(problemLines(loadFleet({ rootDir, environments: ['hybrid'] }))).toEqual([
      "environments/hybrid.yaml:29:7 agents.ingest.sites.dc1: state: site 'dc1' offers no database: declare 'database' on the site (CockroachDB in its cluster), or place the agent on an AWS or Azure site (DynamoDB, Cosmos DB)",
    ]);
  });
});

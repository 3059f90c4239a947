import {
  AGENTS_JOB,
  brokerNodeJob,
  brokerQueueJob,
  promQlString,
} from '../../generators/monitoring';
import { topologyDefinitions, userDefinitions } from '../../generators/rabbitmq';
import { rabbitMqBrokers } from '../../model';
import { hpaDesiredReplicas, kedaReplicasOverTime } from '../../model/replica-rule';
import { verdict } from '../monitoring/promtool';
import { ExampleSite, kedaHostTemplate, ScaledAgent } from '../support/example-environments';
import { eventually } from '../support/poll';
import { manifestsOf } from '../support/synthesized';
import { BrokerNode } from './broker-node';
import { kedaPrometheusValue, kedaQueueLength } from './keda-readings';
import { QueryCase, QueueCase, SitePlan } from './scaling-plan';
import { SiteMonitoring } from './site-monitoring';

/**
 * The scaling signal of every queue- and Prometheus-driven agent of the
 * example environments, end to end on real servers, one site at a time:
 * the site's broker topology (as synthesized) loaded into the RabbitMQ node,
 * messages published, the site's Prometheus scraping with the generated jobs
 * and evaluating the generated rules; then each agent's KEDA trigger, taken
 * verbatim from its ScaledObject, read as KEDA reads it, and the replicas the
 * HPA would choose from that reading compared with what the agent's declared
 * per-replica target implies.
 *
 * No agent runs here, so a Prometheus-driven agent's metric is exposed by a
 * small exporter with a value the test sets, scraped through the generated
 * agents job as the agent's pods would be.
 */

/** Trigger types with no server on this machine: cloud queues and Kafka. */
const OUT_OF_SCOPE = new Set(['aws-sqs-queue', 'azure-servicebus', 'kafka']);
/** Trigger types that need no external server at all. */
const RESOURCE_TRIGGERS = new Set(['cpu', 'memory', 'cron']);

const WAIT_MS = 20_000;

const caseKey = (agent: ScaledAgent) => `${agent.site.key} ${agent.name}`;

/** The agents whose environment file asks for a RabbitMQ queue depth or a Prometheus query. */
function declaredChainAgents(sites: readonly ExampleSite[]): string[] {
  return sites.flatMap((site) =>
    site.environment.deployments
      .filter((deployment) => deployment.site === site.site)
      .filter(({ agent }) => {
        if (agent.placement?.scalingGroup) return false;
        if (agent.scaling?.prometheus) return true;
        const broker = agent.queue?.broker;
        return Boolean(
          agent.scaling?.queueDepth &&
          rabbitMqBrokers(site.environment.brokers).some((spec) => spec.name === broker),
        );
      })
      .map(({ agent }) => `${site.key} ${agent.name}`),
  );
}

/**
 * The KEDA `host` of a broker as the platform stack writes it, with the
 * ephemeral password it references filled in and the Service pointed at the
 * loopback node's management port.
 */
export function loopbackHost(template: string, node: BrokerNode, service: string): string {
  const password = /\$\{ephemeral\.random_password\.[^}]*_Password-([^.}]+)\.result\}/;
  const match = password.exec(template);
  if (!match) throw new Error(`no generated password in ${template}`);
  const url = new URL(template.replace(password, encodeURIComponent(node.passwordOf(match[1]))));
  if (url.username !== match[1] || url.hostname !== service) {
    throw new Error(`${template}: expected user ${match[1]} at ${service}`);
  }
  url.hostname = '127.0.0.1';
  url.port = String(node.server.ports.management);
  return url.toString();
}

/**
 * What the chain expects of a steady reading: {@link kedaReplicasOverTime}
 * from `current` replicas, with the trigger's target and activation and the
 * ScaledObject's bounds and scale-up behaviour; `minReplicaCount` may be
 * overridden.
 */
export function chainSteps(
  agent: ScaledAgent,
  reading: number,
  current: number,
  minReplicaCount = agent.minReplicaCount,
): number[] {
  const { metadata } = agent.trigger;
  const rabbit = agent.trigger.type === 'rabbitmq';
  return kedaReplicasOverTime({
    metric: reading,
    targetPerReplica: Number(rabbit ? metadata.value : metadata.threshold),
    activation: Number((rabbit ? metadata.activationValue : metadata.activationThreshold) ?? 0),
    currentReplicas: current,
    minReplicaCount,
    maxReplicas: agent.maxReplicaCount,
    scaleUp: agent.scaleUp,
  });
}

const bounds = (agent: ScaledAgent) => `${agent.minReplicaCount}..${agent.maxReplicaCount}`;

/**
 * The suite, on a running node whose earlier contents it replaces, with each
 * planned site's monitoring running.
 */
export function scalingChainSuite(
  node: () => BrokerNode,
  sites: readonly ExampleSite[],
  plans: readonly SitePlan[],
  monitoring: () => ReadonlyMap<SitePlan, SiteMonitoring>,
): void {
  const cases = plans.flatMap((plan) => [...plan.queues, ...plan.queries]);

  it('follows every agent of the example environments scaled on a RabbitMQ queue or a Prometheus query', () => {
    const followed = cases.map((c) => caseKey(c.agent)).sort();
    expect(followed.length).toBeGreaterThan(0);
    expect(followed).toEqual(declaredChainAgents(sites).sort());
    const environmentsWith = (type: string) =>
      [
        ...new Set(
          cases
            .filter((c) => c.agent.trigger.type === type)
            .map((c) => c.agent.site.environment.name),
        ),
      ].sort();
    expect(environmentsWith('rabbitmq').length).toBeGreaterThan(0);
    expect(environmentsWith('prometheus').length).toBeGreaterThan(0);
    expect([...new Set(cases.map((c) => c.agent.site.environment.name))].sort()).toEqual(
      [...new Set(declaredChainAgents(sites).map((key) => key.split('/')[0]))].sort(),
    );
  });

  it('leaves out only triggers whose servers cannot run here (SQS, Service Bus, Kafka)', () => {
    const others = sites.flatMap((site) =>
      [
        ...manifestsOf(site.agents, 'ScaledObject'),
        ...manifestsOf(site.agents, 'ScaledJob'),
      ].flatMap((manifest: any) =>
        (manifest.spec.triggers as { type: string }[])
          .filter((t) => t.type !== 'rabbitmq' && t.type !== 'prometheus')
          .filter((t) => !RESOURCE_TRIGGERS.has(t.type))
          .map((t) => `${site.key} ${manifest.metadata.name}: ${t.type}`),
      ),
    );
    expect(others.filter((entry) => !OUT_OF_SCOPE.has(entry.split(': ')[1]))).toEqual([]);
  });

  for (const plan of plans) {
    describe(`${plan.site.key}${plan.broker ? `, broker ${plan.broker.spec.name}` : ''}`, () =>
      siteChain(node, plan, () => monitoring().get(plan) as SiteMonitoring));
  }
}

function siteChain(node: () => BrokerNode, plan: SitePlan, running: () => SiteMonitoring): void {
  beforeAll(async () => {
    if (!plan.broker) return;
    const { definitions, topology } = plan.broker;
    await node().replaceDefinitions({
      ...definitions,
      ...userDefinitions(topology.users, node().passwordOf),
    });
    for (const c of plan.queues) await node().publish(c.vhost, c.queue, c.signal.value);
  }, 30_000);

  it('runs Prometheus on the generated scrape jobs and rules, and promtool check config passes on its file', () => {
    expect(verdict(running().checkConfig)).toBe('passed');
    expect(running().checkConfig.output).toContain('SUCCESS: 1 rule files found');
  });

  if (plan.broker) {
    const broker = plan.broker;
    it(`loads the synthesized topology of ${broker.spec.name}: the generated definitions, every queue declared`, async () => {
      expect(broker.definitions).toEqual(
        JSON.parse(JSON.stringify(topologyDefinitions(broker.topology))),
      );
      const { body } = await node().api('GET', 'queues');
      expect(body.map((q: any) => `${q.vhost} ${q.name} ${q.type}`).sort()).toEqual(
        broker.definitions.queues.map((q: any) => `${q.vhost} ${q.name} quorum`).sort(),
      );
    });
  }

  it(
    'scrapes, through the generated relabelling, only the broker prometheus port and each agent metrics port',
    async () => {
      const { brokerPod, agentPods, exporters } = running();
      const brokerJobs = plan.broker
        ? [brokerQueueJob(plan.broker.spec.name), brokerNodeJob(plan.broker.spec.name)]
        : [];
      const expected: string[] = [];
      for (const { job_name: job } of running().jobs) {
        if (brokerPod && brokerJobs.includes(job)) {
          const address = brokerPod.ports.find((port) => port.name === 'prometheus')?.address;
          expected.push(
            `${job} ${address} broker=${plan.broker?.spec.name} namespace=${brokerPod.namespace} pod=${brokerPod.name} up`,
          );
        }
        if (job === AGENTS_JOB) {
          for (const [agent, pod] of agentPods) {
            expected.push(
              `${job} ${exporters.get(agent)?.address} agent=${agent} namespace=${pod.namespace} pod=${pod.name} up`,
            );
          }
        }
      }
      const describeTargets = async () => {
        const data = await running().prometheus.api('targets?state=active');
        return (data.activeTargets as any[])
          .map((t) => {
            const { job, instance, ...labels } = t.labels;
            const rest = Object.entries(labels)
              .map(([k, v]) => `${k}=${v}`)
              .sort()
              .join(' ');
            return `${job} ${instance} ${rest} ${t.health}`;
          })
          .sort();
      };
      await eventually(
        describeTargets,
        (targets) => JSON.stringify(targets) === JSON.stringify(expected.sort()),
        {
          what: `${plan.site.key}: active scrape targets`,
          expected: JSON.stringify(expected),
          timeoutMs: WAIT_MS,
        },
      );
    },
    WAIT_MS + 5_000,
  );

  it(
    'loads every generated rule group and evaluates each rule without error; BrokerDown stays inactive',
    async () => {
      const groups = running().rules.groups;
      const expected = [
        ...groups.map((group: any) => `${group.name}: ${group.rules.length} rules, all ok`),
        // Pending only until the first scrape of the broker: absent(up) held before it.
        ...groups
          .flatMap((group: any) => group.rules)
          .filter((rule: any) => rule.alert === 'BrokerDown')
          .map(() => 'BrokerDown: inactive'),
      ].sort();
      const summarize = async () => {
        const data = await running().prometheus.api('rules');
        return (data.groups as any[])
          .flatMap((group) => {
            const healthy = group.rules.every(
              (rule: any) => rule.health === 'ok' && rule.lastEvaluation > '2000',
            );
            return [
              `${group.name}: ${group.rules.length} rules, ${healthy ? 'all ok' : 'not all evaluated'}`,
              ...group.rules
                .filter((rule: any) => rule.name === 'BrokerDown')
                .map((rule: any) => `BrokerDown: ${rule.state}`),
            ];
          })
          .sort();
      };
      await eventually(
        summarize,
        (summary) => JSON.stringify(summary) === JSON.stringify(expected),
        {
          what: `${plan.site.key}: rule groups`,
          expected: JSON.stringify(expected),
          timeoutMs: WAIT_MS,
        },
      );
    },
    WAIT_MS + 5_000,
  );

  for (const c of plan.queues) queueCase(node, running, c);
  for (const c of plan.queries) queryCase(running, c);
}

function queueCase(node: () => BrokerNode, running: () => SiteMonitoring, c: QueueCase): void {
  const { agent, signal } = c;
  it(
    `${agent.name}: KEDA and Prometheus read the ${signal.value} messages of ${c.queue}; the HPA settles at ${signal.replicas} of ${bounds(agent)}`,
    async () => {
      const authentication = agent.trigger.authenticationRef?.name as string;
      const broker = agent.declared.queue?.broker as string;
      const service = `${broker}.${running().brokerPod?.namespace}.svc.cluster.local`;
      const host = loopbackHost(kedaHostTemplate(agent.site, authentication), node(), service);
      const read = await eventually(
        () => kedaQueueLength(host, agent.trigger.metadata),
        (value) => value === signal.value,
        {
          what: `${caseKey(agent)}: KEDA's reading of ${c.queue}`,
          expected: `${signal.value}`,
          timeoutMs: WAIT_MS,
        },
      );

      const records = running().rules.groups.find(
        (g: any) => g.name === `agent-fleet-records.${agent.name}`,
      );
      const depth = records?.rules.find(
        (r: any) => r.record === 'agent:rabbitmq_detailed_queue_messages:max',
      );
      if (!depth) throw new Error(`${caseKey(agent)}: no depth recording rule`);
      const labels = { broker, vhost: c.vhost, queue: c.queue };
      const scraped = await eventually(
        () => running().prometheus.query(depth.expr),
        (samples) => samples.length === 1 && Number(samples[0].value) === signal.value,
        {
          what: `${caseKey(agent)}: ${depth.expr}`,
          expected: `one sample of ${signal.value}`,
          timeoutMs: WAIT_MS,
        },
      );
      expect(scraped[0].metric).toEqual(labels);
      const recorded = await eventually(
        () => running().prometheus.query(`${depth.record}{agent=${promQlString(agent.name)}}`),
        (samples) => samples.length === 1 && Number(samples[0].value) === signal.value,
        {
          what: `${caseKey(agent)}: ${depth.record}`,
          expected: `one sample of ${signal.value}`,
          timeoutMs: WAIT_MS,
        },
      );
      expect(recorded[0].metric).toEqual({ __name__: depth.record, ...depth.labels, ...labels });

      const steps = chainSteps(agent, read, agent.minReplicaCount);
      expect({ read, replicas: steps[steps.length - 1] }).toEqual({
        read: signal.value,
        replicas: signal.replicas,
      });
    },
    3 * WAIT_MS,
  );
}

function queryCase(running: () => SiteMonitoring, c: QueryCase): void {
  const { agent, signal } = c;
  const { metadata } = agent.trigger;
  const server = () =>
    `${running().prometheus.url}${new URL(metadata.serverAddress).pathname.replace(/\/$/, '')}`;
  const reading = (expected: number) =>
    eventually(
      () => kedaPrometheusValue(server(), metadata),
      (value) => value === expected,
      {
        what: `${caseKey(agent)}: KEDA's reading of ${metadata.query}`,
        expected: `${expected}`,
        timeoutMs: WAIT_MS,
      },
    );

  it(
    `${agent.name}: the trigger's query reads the ${signal.value} its pods expose as ${c.metric}; the HPA settles at ${signal.replicas} of ${bounds(agent)}`,
    async () => {
      const read = await reading(signal.value);
      const steps = chainSteps(agent, read, agent.minReplicaCount);
      expect({ read, replicas: steps[steps.length - 1] }).toEqual({
        read: signal.value,
        replicas: signal.replicas,
      });
    },
    WAIT_MS + 5_000,
  );

  const tolerance = signal.withinTolerance;
  if (tolerance) {
    it(
      `${agent.name}: at ${tolerance.value}, within 10 % of ${tolerance.held} replicas' share, the HPA keeps ${tolerance.held}`,
      async () => {
        running().exporters.get(agent.name)?.set(tolerance.value);
        const read = await reading(tolerance.value);
        const target = Number(metadata.threshold);
        const kept = hpaDesiredReplicas({
          metric: read,
          targetPerReplica: target,
          currentReplicas: tolerance.held,
          minReplicas: agent.minReplicaCount,
          maxReplicas: agent.maxReplicaCount,
          scaleUp: agent.scaleUp,
        });
        expect({ ceil: Math.ceil(read / target), kept }).toEqual({
          ceil: tolerance.held + 1,
          kept: tolerance.held,
        });
      },
      WAIT_MS + 5_000,
    );
  }
}

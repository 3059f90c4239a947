import { userDefinitions } from '../../generators/rabbitmq';
import { scaleUpLimit } from '../../model/replica-rule';
import { promtoolAvailable } from '../monitoring/promtool';
import {
  kedaHostTemplate,
  podShape,
  ScaledAgent,
  synthesizeExamples,
} from '../support/example-environments';
import { eventually } from '../support/poll';
import { prometheusAvailable } from '../support/prometheus-server';
import { freeRabbitMqPorts, rabbitMqAvailable, RabbitMqPorts } from '../support/rabbitmq-server';
import { bootBrokerNode, BrokerNode, passwordBook } from './broker-node';
import { kedaPrometheusValue, kedaQueueLength } from './keda-readings';
import { chainSteps, loopbackHost } from './scaling-chain-suite';
import { planChain, QueryCase, QueueCase, SitePlan } from './scaling-plan';
import {
  countsOf,
  replayReadings,
  ReplicaChange,
  simulatedScaler,
  simulateBacklog,
} from './simulation-agreement';
import { SiteMonitoring, startSiteMonitoring } from './site-monitoring';

/**
 * The scaling simulator against the real scaling chain, at the points the
 * chain measures: a queue of the example environments filled on a real
 * RabbitMQ node and read as KEDA reads it, and a Prometheus query read from a
 * real Prometheus scraping through the generated jobs. Each reading is fed to
 * the simulator's KEDA autoscaler, built from the same synthesized
 * ScaledObject as `npm run simulate` builds it, and the replicas it asks for
 * are compared with what the chain expects of that reading
 * (`kedaReplicasOverTime`): the settled count, each scale-up step within the
 * behaviour's limit, and KEDA's activation between 0 and 1.
 */

const available = rabbitMqAvailable();
const withPrometheus = available && prometheusAvailable() && promtoolAvailable();

const WAIT_MS = 20_000;
/** kube-controller-manager's `--horizontal-pod-autoscaler-sync-period` default. */
const HPA_SYNC = 15;
/** Simulated seconds per point: past every scale-up period and the cooldown. */
const REPLAY_SECONDS = 600;

/** The queue agent: bounds 2..10 leave room for a scale-up the behaviour limits. */
const QUEUE_AGENT = 'prod/us-east image-processing';
/** The query agent: a sum of a gauge, which follows the exporter at once (no `min_over_time`). */
const QUERY_AGENT = 'prod/eu-west sensor-ingest';

const keyOf = (agent: ScaledAgent) => `${agent.site.key} ${agent.name}`;
const distinct = (counts: readonly number[]) =>
  counts.filter((c, i) => i === 0 || c !== counts[i - 1]);

/** The longest period of the agent's scale-up policies, in seconds. */
function scaleUpPeriod(agent: ScaledAgent): number {
  const policies = (agent.scaleUp?.policies ?? []) as { periodSeconds: number }[];
  return Math.max(0, ...policies.map((policy) => policy.periodSeconds));
}

/**
 * Times the simulator's steps are expected at, from a start at the first
 * HPA sync: each step one scale-up period after the last, as the controller
 * counts the replicas added within a policy's period.
 */
const stepTimes = (steps: number, period: number) =>
  Array.from({ length: steps }, (_, i) => HPA_SYNC + i * period);

(available ? describe : describe.skip)(
  'the simulator at the points the real chain measures',
  () => {
    const examples = synthesizeExamples();
    const plans = planChain(examples);
    const find = <T extends QueueCase | QueryCase>(
      pick: (plan: SitePlan) => readonly T[],
      key: string,
    ): [SitePlan, T] => {
      for (const plan of plans) {
        const found = pick(plan).find((c) => keyOf(c.agent) === key);
        if (found) return [plan, found];
      }
      throw new Error(`the scaling chain follows no agent ${key}`);
    };
    const [queuePlan, queueCase] = find((plan) => plan.queues, QUEUE_AGENT);
    const [queryPlan, queryCase] = find((plan) => plan.queries, QUERY_AGENT);
    const broker = queuePlan.broker;
    if (!broker) throw new Error(`${QUEUE_AGENT}: its plan loads no broker`);
    const passwordOf = passwordBook();

    let booting: Promise<BrokerNode> | undefined;
    let node: BrokerNode;
    let starting: Promise<SiteMonitoring> | undefined;
    let monitoring: SiteMonitoring | undefined;
    let ports: RabbitMqPorts;

    beforeAll(async () => {
      ports = await freeRabbitMqPorts();
      booting = bootBrokerNode(
        {
          'topology.json': broker.definitions,
          'users.json': userDefinitions(broker.topology.users, passwordOf),
        },
        passwordOf,
        ports,
      );
      starting = withPrometheus ? startSiteMonitoring(queryPlan, ports) : undefined;
      [node, monitoring] = await Promise.all([booting, starting]);
    }, 90_000);

    afterAll(async () => {
      // Also when beforeAll failed after a server was started.
      await Promise.all([
        booting?.then(
          (started) => started.server.stop(),
          () => undefined,
        ),
        starting?.then(
          (started) => started.stop(),
          () => undefined,
        ),
      ]);
    }, 60_000);

    describe(`${QUEUE_AGENT}: the depth of ${queueCase.queue}, read as KEDA reads it`, () => {
      const agent = queueCase.agent;
      const scaler = simulatedScaler(agent);
      const zeroScaler = { ...scaler, minReplicas: 0 };
      const activation = Number(agent.trigger.metadata.activationValue);
      const target = Number(agent.trigger.metadata.value);
      const host = () => {
        const namespace = podShape(
          queuePlan.site.platform,
          'kubernetes_stateful_set_v1',
          broker.spec.name,
        ).namespace;
        return loopbackHost(
          kedaHostTemplate(agent.site, agent.trigger.authenticationRef?.name as string),
          node,
          `${broker.spec.name}.${namespace}.svc.cluster.local`,
        );
      };
      /** Empties the queue, publishes `count` messages and returns KEDA's reading once it shows them. */
      const holding = async (count: number) => {
        const path = `queues/${encodeURIComponent(queueCase.vhost)}/${encodeURIComponent(queueCase.queue)}/contents`;
        const purged = await node.api('DELETE', path);
        if (purged.status !== 204) throw new Error(`DELETE ${path}: ${purged.status}`);
        if (count > 0) await node.publish(queueCase.vhost, queueCase.queue, count);
        return eventually(
          () => kedaQueueLength(host(), agent.trigger.metadata),
          (value) => value === count,
          {
            what: `KEDA's reading of ${queueCase.queue}`,
            expected: `${count}`,
            timeoutMs: WAIT_MS,
          },
        );
      };

      it('reads the scaler the simulator runs from the same ScaledObject', () => {
        expect(scaler).toMatchObject({
          kind: 'keda',
          minReplicas: agent.minReplicaCount,
          maxReplicas: agent.maxReplicaCount,
          triggers: [{ kind: 'metric', measures: 'backlog', target, activation }],
        });
        expect(scaler.behavior?.scaleUp?.policies).toEqual(agent.scaleUp.policies);
      });

      it(
        `at the chain's planned ${queueCase.signal.value} messages, settles where the chain does, in one sync`,
        async () => {
          const read = await holding(queueCase.signal.value);
          const chain = chainSteps(agent, read, agent.minReplicaCount);
          const simulated = replayReadings(
            scaler,
            () => read,
            agent.minReplicaCount,
            REPLAY_SECONDS,
          );
          expect({ read, chain, simulated }).toEqual({
            read: queueCase.signal.value,
            chain: [agent.minReplicaCount, queueCase.signal.replicas],
            simulated: [
              { t: 0, replicas: agent.minReplicaCount },
              { t: HPA_SYNC, replicas: queueCase.signal.replicas },
            ],
          });
        },
        WAIT_MS + 10_000,
      );

      it(
        'past the maximum, goes through the same steps, each within the scale-up limit of one period',
        async () => {
          const messages = Math.ceil(1.5 * agent.maxReplicaCount * target);
          const read = await holding(messages);
          const chain = chainSteps(agent, read, agent.minReplicaCount);
          // A point that tests the limit: the first sync cannot reach the maximum.
          expect(chain[1]).toBe(scaleUpLimit(agent.minReplicaCount, agent.scaleUp));
          expect(chain.length).toBeGreaterThan(2);
          expect(chain[chain.length - 1]).toBe(agent.maxReplicaCount);

          const simulated = replayReadings(
            scaler,
            () => read,
            agent.minReplicaCount,
            REPLAY_SECONDS,
          );
          expect({ read, counts: countsOf(simulated) }).toEqual({ read: messages, counts: chain });
          expect(simulated.slice(1).map((change) => change.t)).toEqual(
            stepTimes(chain.length - 1, scaleUpPeriod(agent)),
          );
          for (let i = 1; i < simulated.length; i++) {
            expect(simulated[i].replicas).toBeLessThanOrEqual(
              scaleUpLimit(simulated[i - 1].replicas, agent.scaleUp),
            );
          }

          // The whole engine, its queue filled with the same backlog, sampled every sync.
          const run = simulateBacklog(agent, scaler, read, REPLAY_SECONDS);
          expect(run.peakBacklog).toBe(read);
          expect(distinct(run.replicas)).toEqual(chain);
        },
        WAIT_MS + 10_000,
      );

      describe(`at minReplicaCount 0, around its activationValue ${activation}`, () => {
        it(
          'stays at 0 while the queue holds no more than the activation value',
          async () => {
            const readings: number[] = [];
            for (const count of [0, activation]) {
              const read = await holding(count);
              readings.push(read);
              expect(distinct(chainSteps(agent, read, 0, 0))).toEqual([0]);
              expect(replayReadings(zeroScaler, () => read, 0, REPLAY_SECONDS)).toEqual([
                { t: 0, replicas: 0 },
              ]);
            }
            expect(readings).toEqual([0, activation]);
          },
          2 * WAIT_MS + 10_000,
        );

        it(
          'wakes to 1 at the first poll once the queue holds more',
          async () => {
            const read = await holding(activation + 1);
            expect(chainSteps(agent, read, 0, 0)).toEqual([0, 1]);
            expect(replayReadings(zeroScaler, () => read, 0, REPLAY_SECONDS)).toEqual([
              { t: 0, replicas: 0 },
              { t: scaler.pollingSeconds, replicas: 1 },
            ]);
          },
          WAIT_MS + 10_000,
        );

        it(
          `wakes to 1 and then takes the HPA's step, with ${queueCase.signal.value} messages`,
          async () => {
            const read = await holding(queueCase.signal.value);
            const chain = chainSteps(agent, read, 0, 0);
            expect(chain.slice(0, 3)).toEqual([0, 1, scaleUpLimit(1, agent.scaleUp)]);
            // KEDA scales to 1 at its poll; the HPA, disabled at 0, reads that 1 at its next
            // sync, and each further step waits a scale-up period.
            const poll = scaler.pollingSeconds;
            const period = scaleUpPeriod(agent);
            expect(replayReadings(zeroScaler, () => read, 0, REPLAY_SECONDS)).toEqual(
              chain.map((replicas, i) => ({
                t: i === 0 ? 0 : i === 1 ? poll : poll + HPA_SYNC + (i - 2) * period,
                replicas,
              })),
            );
          },
          WAIT_MS + 10_000,
        );

        it(
          'returns to 0 one cooldownPeriod after the last poll that found messages',
          async () => {
            const busy = await holding(activation + 1);
            const idle = await holding(0);
            expect(chainSteps(agent, busy, 0, 0)).toEqual([0, 1]);
            expect(chainSteps(agent, idle, 1, 0)).toEqual([1, 0]);
            const lastActive = 60;
            const simulated = replayReadings(
              zeroScaler,
              (t) => (t <= lastActive ? busy : idle),
              0,
              REPLAY_SECONDS,
            );
            const last: ReplicaChange = simulated[simulated.length - 1];
            expect(last.replicas).toBe(0);
            // KEDA scales to 0 at the first poll past lastActiveTime + cooldownPeriod.
            expect(last.t).toBeGreaterThanOrEqual(lastActive + scaler.cooldownSeconds);
            expect(last.t).toBeLessThanOrEqual(
              lastActive + scaler.cooldownSeconds + scaler.pollingSeconds,
            );
            expect(countsOf(simulated)).toEqual([0, 1, 0]);
          },
          2 * WAIT_MS + 10_000,
        );
      });
    });

    (withPrometheus ? describe : describe.skip)(
      `${QUERY_AGENT}: the trigger's query, read from the site's Prometheus`,
      () => {
        const agent = queryCase.agent;
        const { metadata } = agent.trigger;
        const scaler = simulatedScaler(agent);
        const zeroScaler = { ...scaler, minReplicas: 0 };
        const target = Number(metadata.threshold);
        const reading = async (value: number) => {
          if (!monitoring) throw new Error(`${QUERY_AGENT}: its site's Prometheus did not start`);
          const exporter = monitoring.exporters.get(agent.name);
          if (!exporter) throw new Error(`${QUERY_AGENT}: no exporter of ${queryCase.metric}`);
          exporter.set(value);
          const server = `${monitoring.prometheus.url}${new URL(metadata.serverAddress).pathname.replace(/\/$/, '')}`;
          return eventually(
            () => kedaPrometheusValue(server, metadata),
            (read) => read === value,
            {
              what: `KEDA's reading of ${metadata.query}`,
              expected: `${value}`,
              timeoutMs: WAIT_MS,
            },
          );
        };

        it(
          `at the chain's planned ${queryCase.signal.value}, goes through the chain's steps, each within the scale-up limit of one period`,
          async () => {
            const read = await reading(queryCase.signal.value);
            const chain = chainSteps(agent, read, agent.minReplicaCount);
            expect(chain[chain.length - 1]).toBe(queryCase.signal.replicas);
            expect(chain[1]).toBe(scaleUpLimit(agent.minReplicaCount, agent.scaleUp));
            const simulated = replayReadings(
              scaler,
              () => read,
              agent.minReplicaCount,
              REPLAY_SECONDS,
            );
            expect({ read, counts: countsOf(simulated) }).toEqual({
              read: queryCase.signal.value,
              counts: chain,
            });
            expect(simulated.slice(1).map((change) => change.t)).toEqual(
              stepTimes(chain.length - 1, scaleUpPeriod(agent)),
            );
          },
          WAIT_MS + 10_000,
        );

        const tolerance = queryCase.signal.withinTolerance;
        if (!tolerance)
          throw new Error(`${QUERY_AGENT}: the chain plans no value within the tolerance`);
        it(
          `at ${tolerance.value}, within 10 % of ${tolerance.held} replicas' share, keeps ${tolerance.held}`,
          async () => {
            const read = await reading(tolerance.value);
            expect(Math.ceil(read / target)).toBe(tolerance.held + 1);
            expect(chainSteps(agent, read, tolerance.held)).toEqual([tolerance.held]);
            expect(replayReadings(scaler, () => read, tolerance.held, REPLAY_SECONDS)).toEqual([
              { t: 0, replicas: tolerance.held },
            ]);
          },
          WAIT_MS + 10_000,
        );

        it(
          'at 0, holds minReplicaCount; at minReplicaCount 0, stays at 0 and wakes to 1 above the activation',
          async () => {
            const idle = await reading(0);
            expect(chainSteps(agent, idle, agent.minReplicaCount)).toEqual([agent.minReplicaCount]);
            expect(
              replayReadings(scaler, () => idle, agent.minReplicaCount, REPLAY_SECONDS),
            ).toEqual([{ t: 0, replicas: agent.minReplicaCount }]);
            expect(distinct(chainSteps(agent, idle, 0, 0))).toEqual([0]);
            expect(replayReadings(zeroScaler, () => idle, 0, REPLAY_SECONDS)).toEqual([
              { t: 0, replicas: 0 },
            ]);

            const light = await reading(target / 2);
            expect(chainSteps(agent, light, 0, 0)).toEqual([0, 1]);
            expect(replayReadings(zeroScaler, () => light, 0, REPLAY_SECONDS)).toEqual([
              { t: 0, replicas: 0 },
              { t: scaler.pollingSeconds, replicas: 1 },
            ]);
          },
          2 * WAIT_MS + 10_000,
        );
      },
    );
  },
);

import type { StackJson } from '../../output/schema';
import { KedaAutoscaler } from '../../simulate/autoscalers';
import { SimulatedAgent, SimulatedPool, simulate } from '../../simulate/engine';
import { KedaScaler, readScalers } from '../../simulate/scalers';
import { ScaledAgent } from '../support/example-environments';

/**
 * What the scaling simulator decides for a reading the real scaling chain
 * measured, and what the chain itself expects of that reading, so that a
 * test can put the two side by side.
 */

/** Seconds between the simulator's steps, as `npm run simulate` runs it. */
export const SIMULATION_STEP_SECONDS = 5;

/** The KEDA scaler the simulator reads from an example agent's synthesized ScaledObject. */
export function simulatedScaler(agent: ScaledAgent): KedaScaler {
  const read = readScalers(agent.site.agents as unknown as StackJson).get(agent.name);
  if (!read || 'unsupported' in read) {
    throw new Error(
      `${agent.site.key} ${agent.name}: the simulator reads no scaler (${read ? read.unsupported : 'none'})`,
    );
  }
  if (read.scaler.kind !== 'keda') {
    throw new Error(
      `${agent.site.key} ${agent.name}: expected a KEDA scaler, read ${read.scaler.kind}`,
    );
  }
  return read.scaler;
}

/** A change of the replicas the simulator asks for: when, in seconds from the start, and to what. */
export interface ReplicaChange {
  readonly t: number;
  readonly replicas: number;
}

/**
 * Replays readings through the simulator's {@link KedaAutoscaler} (KEDA's
 * polling, then the ported HPA every 15 s), one engine step at a time for
 * `seconds`, from `from` replicas, every replica ready as soon as it is asked
 * for (readiness is not what the chain measures). Returns the count at 0 and
 * every change after it.
 * @param reading the metric KEDA reads at `t` seconds: a queue's depth, a query's value.
 */
export function replayReadings(
  scaler: KedaScaler,
  reading: (t: number) => number,
  from: number,
  seconds: number,
): ReplicaChange[] {
  const autoscaler = new KedaAutoscaler(scaler, 0, seconds);
  const changes: ReplicaChange[] = [{ t: 0, replicas: from }];
  let desired = from;
  for (let t = SIMULATION_STEP_SECONDS; t <= seconds; t += SIMULATION_STEP_SECONDS) {
    const next = autoscaler.decide({
      t,
      desired,
      ready: desired,
      metric: reading(t),
      busy: 0,
      outage: false,
    }).desired;
    if (next !== desired) changes.push({ t, replicas: next });
    desired = next;
  }
  return changes;
}

/** The counts a list of changes goes through. */
export const countsOf = (changes: readonly ReplicaChange[]) => changes.map((c) => c.replicas);

/**
 * The whole engine ({@link simulate}) on one agent whose queue holds
 * `backlog` messages from the first step on and which nobody consumes (as
 * on the chain's broker: no agent runs), its pods placed and ready at once.
 * Returns the ready replicas sampled every HPA sync and the highest backlog.
 */
export function simulateBacklog(
  agent: ScaledAgent,
  scaler: KedaScaler,
  backlog: number,
  seconds: number,
): { replicas: number[]; peakBacklog: number } {
  const pool: SimulatedPool = {
    key: `${agent.site.key}/loopback`,
    minNodes: 0,
    maxNodes: Infinity,
    fixed: true,
    provisionSeconds: 0,
  };
  const spec: SimulatedAgent = {
    agent: agent.name,
    site: agent.site.site,
    signal: agent.trigger.metadata.queueName,
    scaler,
    measures: 'backlog',
    perReplica: 0,
    readySeconds: 0,
    placement: { kind: 'pool', pool: pool.key, podsPerNode: Infinity },
  };
  const step = SIMULATION_STEP_SECONDS;
  const [run] = simulate([{ spec, load: (t) => (t === step ? backlog / step : 0) }], [pool], {
    durationSeconds: seconds,
    stepSeconds: step,
    sampleSeconds: 15,
    startMs: 0,
  });
  return { replicas: [...run.replicas], peakBacklog: run.summary.peakBacklog };
}

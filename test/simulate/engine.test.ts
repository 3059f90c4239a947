import { simulate, SimulatedAgent, SimulatedPool } from '../../simulate/engine';
import type { KedaScaler } from '../../simulate/scalers';

const keda = (overrides: Partial<KedaScaler> = {}): KedaScaler => ({
  kind: 'keda',
  pollingSeconds: 15,
  cooldownSeconds: 300,
  minReplicas: 1,
  maxReplicas: 10,
  triggers: [
    { kind: 'metric', measures: 'backlog', metricType: 'AverageValue', target: 20, activation: 0 },
  ],
  ...overrides,
});

const pool: SimulatedPool = {
  key: 'dc/general',
  minNodes: 1,
  maxNodes: 10,
  fixed: false,
  provisionSeconds: 180,
  hourly: 0.2,
};

const agent = (overrides: Partial<SimulatedAgent> = {}): SimulatedAgent => ({
  agent: 'worker',
  site: 'dc',
  signal: 'tasks',
  scaler: keda(),
  measures: 'backlog',
  perReplica: 1,
  readySeconds: 30,
  placement: { kind: 'pool', pool: 'dc/general', podsPerNode: 2 },
  ...overrides,
});

const START = Date.UTC(2026, 0, 5);
const burst = (t: number) => (t >= 600 && t < 1500 ? 10 : 0.5);

describe('the scaling simulation', () => {
  const [run] = simulate([{ spec: agent(), load: burst }], [pool], {
    durationSeconds: 3 * 3600,
    startMs: START,
  });

  it('holds the backlog at zero while one replica keeps up', () => {
    expect(Array.from(run.backlog.slice(0, 10))).toEqual(new Array(10).fill(0));
    expect(Array.from(run.replicas.slice(0, 10))).toEqual(new Array(10).fill(1));
  });

  it('scales out on the burst, adds nodes after they are provisioned, then drains and scales in', () => {
    const at = (minute: number) => ({
      backlog: Math.round(run.backlog[minute]),
      replicas: run.replicas[minute],
      nodes: run.nodes[minute],
    });
    // A node holds two replicas: the third replica waits for a node (180 s) and its start (30 s).
    expect(at(11).replicas).toBeLessThanOrEqual(2);
    expect(at(20).replicas).toBe(10);
    expect(at(20).nodes).toBe(5);
    expect(run.summary.peakReplicas).toBe(10);
    expect(run.summary.peakBacklog).toBeGreaterThan(1000);
    expect(run.summary.drainSeconds).toBeGreaterThan(0);
    expect(at(179).backlog).toBe(0);
    expect(at(179).replicas).toBe(1);
    expect(run.summary.heldBack.some((held) => held.limit === 'max')).toBe(true);
  });

  it('waits, first in first out, no longer than the backlog took to clear', () => {
    expect(run.summary.longestWaitSeconds).toBeGreaterThan(60);
    expect(run.summary.longestWaitSeconds).toBeLessThanOrEqual(run.summary.drainSeconds! + 900);
  });

  it('prices the nodes the agent fills', () => {
    expect(run.summary.cost).toBeCloseTo(run.summary.nodeHours * 0.2, 6);
  });

  it('is held back by the pool when its nodes are at their maximum', () => {
    const [small] = simulate([{ spec: agent(), load: burst }], [{ ...pool, maxNodes: 2 }], {
      durationSeconds: 3600,
      startMs: START,
    });
    expect(small.summary.peakReplicas).toBe(4);
    expect(small.summary.peakNodes).toBe(2);
    expect(small.summary.heldBack.some((held) => held.limit === 'pool')).toBe(true);
  });

  it('scales to zero after the cooldown at a minimum of 0, and wakes above the activation', () => {
    const [zero] = simulate(
      [
        {
          spec: agent({ scaler: keda({ minReplicas: 0 }) }),
          load: (t) => (t >= 1800 && t < 1860 ? 5 : 0),
        },
      ],
      [pool],
      { durationSeconds: 3600, startMs: START },
    );
    expect(zero.replicas[4]).toBe(0); // idle from the start, never active: 0 at the first poll
    expect(Math.max(...Array.from(zero.replicas.slice(30, 40)))).toBeGreaterThan(0);
    expect(zero.replicas[59]).toBe(0);
  });

  it('holds the fallback replicas through a metrics outage', () => {
    const [outage] = simulate(
      [
        {
          spec: agent({
            scaler: keda({
              fallback: { failureThreshold: 3, replicas: 5, behavior: 'currentReplicasIfHigher' },
            }),
          }),
          load: () => 0.5,
        },
      ],
      [pool],
      { durationSeconds: 3600, startMs: START, outages: [[600, 1200]] },
    );
    expect(outage.replicas[5]).toBe(1);
    expect(outage.replicas[19]).toBe(5);
  });
});

describe('run-to-completion work', () => {
  it('starts Jobs for the messages waiting and ends them when the messages are done', () => {
    const [jobs] = simulate(
      [
        {
          spec: agent({
            scaler: {
              kind: 'keda-job',
              pollingSeconds: 30,
              maxReplicas: 5,
              target: 10,
              activation: 0,
              strategy: 'default',
            },
          }),
          load: (t) => (t >= 600 && t < 900 ? 2 : 0),
        },
      ],
      [pool],
      { durationSeconds: 3600, startMs: START },
    );
    expect(jobs.replicas[5]).toBe(0);
    expect(jobs.summary.peakReplicas).toBe(5);
    expect(jobs.summary.heldBack.some((held) => held.limit === 'max')).toBe(true);
    expect(jobs.backlog[59]).toBe(0);
    expect(jobs.replicas[59]).toBe(0);
  });
});

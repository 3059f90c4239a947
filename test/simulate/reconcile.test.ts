import { instanceDecision } from '../../model/replica-rule';
import { loadSynthOutput } from '../../output/load';
import { Observation, ReconcileAutoscaler } from '../../simulate/autoscalers';
import { controllerStep } from '../../simulate/engine';
import { simulateEnvironment } from '../../simulate/run';
import {
  ReconcileScaler,
  readReconcileScalers,
  RECONCILE_TIMER_FILE,
  RECONCILE_VARS_FILE,
  spanSeconds,
} from '../../simulate/scalers';
import { REPO, synthesize } from '../review/support';

const output = loadSynthOutput(synthesize(REPO, ['prod']));
const WARM = 'prod-nebraska-warm-hosts';

describe('reading the reconcile vars of a hosts stack', () => {
  it("gives prod's warm agent the scaling its group_vars/all.yml deploys", () => {
    const files = output.ansible.get(WARM)?.files;
    expect(files?.get(RECONCILE_VARS_FILE)).toContain('chimera-data-ingest:');
    const scalers = readReconcileScalers(files ?? new Map());
    expect([...scalers.keys()]).toEqual(['chimera-data-ingest']);
    expect(scalers.get('chimera-data-ingest')).toEqual({
      scaler: {
        kind: 'reconcile',
        minReplicas: 1,
        maxReplicas: 6,
        targetPerInstance: 1000,
        activation: 0,
        tolerance: 0.1,
        sustainedSeconds: 300,
        stabilizationSeconds: 300,
        scaleUp: {
          selectPolicy: 'Max',
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 60 },
            { type: 'Percent', value: 100, periodSeconds: 60 },
          ],
        },
        scaleDown: {
          selectPolicy: 'Max',
          policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
        },
        intervalSeconds: 60,
      },
    });
  });

  it('reads the interval from the timer, no windows from bare queries, and a fixed count', () => {
    const vars = [
      'agent_fleet_agents:',
      '  fast:',
      '    scaling:',
      '      min: 0',
      '      max: 3',
      '      target: 5',
      '      activation: 2',
      '      tolerance: 0.2',
      '      sustained_query: sum(q)',
      '      stabilized_query: sum(q)',
      '      scale_up: { select: Min, policies: [{ type: Pods, value: 1 }] }',
      '      scale_down: { select: Disabled, policies: [] }',
      '  fixed:',
      '    scaling: { min: 2, max: 2, target: null, activation: 0, sustained_query: null, stabilized_query: null }',
      '  odd:',
      '    scaling: { min: 1, max: 2, target: 5, sustained_query: sum(q), stabilized_query: max(q) }',
    ].join('\n');
    const scalers = readReconcileScalers(
      new Map([
        [RECONCILE_VARS_FILE, vars],
        [RECONCILE_TIMER_FILE, '[Timer]\nOnBootSec=1min\nOnUnitInactiveSec=1m30s\n'],
      ]),
    );
    expect(scalers.get('fast')).toEqual({
      scaler: expect.objectContaining({
        minReplicas: 0,
        maxReplicas: 3,
        targetPerInstance: 5,
        activation: 2,
        tolerance: 0.2,
        sustainedSeconds: 0,
        stabilizationSeconds: 0,
        scaleUp: { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 90 }] },
        scaleDown: { selectPolicy: 'Disabled', policies: [] },
        intervalSeconds: 90,
      }),
    });
    expect(scalers.get('fixed')).toEqual({
      scaler: expect.objectContaining({ minReplicas: 2, maxReplicas: 2, targetPerInstance: null }),
    });
    expect(scalers.get('odd')).toEqual({
      unsupported: 'its stabilized_query is not max_over_time of its sustained_query',
    });
  });

  it('reads PromQL and systemd spans', () => {
    expect(spanSeconds('5m')).toBe(300);
    expect(spanSeconds('1h30m')).toBe(5400);
    expect(spanSeconds('90s')).toBe(90);
    expect(spanSeconds('2min')).toBe(120);
    expect(spanSeconds('45')).toBe(45);
    expect(spanSeconds('5 parsecs')).toBeUndefined();
    expect(spanSeconds('m5')).toBeUndefined();
  });
});

const BASE: ReconcileScaler = {
  kind: 'reconcile',
  minReplicas: 1,
  maxReplicas: 6,
  targetPerInstance: 1000,
  activation: 0,
  tolerance: 0.1,
  sustainedSeconds: 300,
  stabilizationSeconds: 300,
  scaleUp: {
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 60 },
      { type: 'Percent', value: 100, periodSeconds: 60 },
    ],
  },
  scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
  intervalSeconds: 60,
};

const STEP = 15;

/** Drives the autoscaler every step over `signal`, starting at `start` instances; the count after each interval. */
function drive(
  spec: ReconcileScaler,
  signal: (t: number) => number,
  seconds: number,
  start: number,
) {
  const autoscaler = new ReconcileAutoscaler(spec);
  let desired = start;
  const decisions: { t: number; desired: number; expected: number }[] = [];
  const seen: { t: number; value: number }[] = [];
  for (let t = STEP; t <= seconds; t += STEP) {
    const metric = signal(t);
    seen.push({ t, value: metric });
    const o: Observation = { t, desired, ready: desired, metric, busy: 0, outage: false };
    const before = desired;
    desired = autoscaler.decide(o).desired;
    if (t % spec.intervalSeconds !== 0) {
      expect(desired).toBe(before);
      continue;
    }
    // The playbook's queries, evaluated naively over every step seen.
    const within = (at: number, window: number) =>
      seen.filter((s) => s.t <= at && (window === 0 ? s.t === at : s.t > at - window));
    const sustainedAt = (at: number) =>
      Math.min(...within(at, spec.sustainedSeconds).map((s) => s.value));
    const stabilized = Math.max(
      ...within(t, spec.stabilizationSeconds).map((s) => sustainedAt(s.t)),
    );
    const expected = instanceDecision({
      sustained: sustainedAt(t),
      stabilized,
      targetPerInstance: spec.targetPerInstance ?? NaN,
      current: before,
      minInstances: spec.minReplicas,
      maxInstances: spec.maxReplicas,
      activation: spec.activation,
      scaleUp: spec.scaleUp,
      scaleDown: spec.scaleDown,
      tolerance: spec.tolerance,
    });
    decisions.push({ t, desired, expected });
  }
  return decisions;
}

describe('ReconcileAutoscaler', () => {
  it('decides every interval as instanceDecision on the windowed signal', () => {
    // Up to 4500 at 10 min, down to 200 at 40 min, a spike of one step at 50 min.
    const signal = (t: number) => (t === 3000 ? 9000 : t < 600 ? 100 : t < 2400 ? 4500 : 200);
    const decisions = drive(BASE, signal, 4200, 1);
    expect(decisions).toHaveLength(70);
    for (const d of decisions) expect(d.desired).toBe(d.expected);
    const at = (minutes: number) => decisions.find((d) => d.t === minutes * 60)?.desired;
    // The rise is followed once it has held for 5 minutes, not before.
    expect(at(14)).toBe(1);
    expect(at(15)).toBe(5);
    expect(at(16)).toBe(5);
    // The fall is followed once the stabilization window has passed, 2 at a time.
    expect(at(44)).toBe(5);
    expect(at(45)).toBe(3);
    expect(at(46)).toBe(1);
    // A spike of one step is not sustained.
    expect(Math.max(...decisions.filter((d) => d.t > 3000).map((d) => d.desired))).toBe(1);
  });

  it('holds the count while the signal is within the tolerance', () => {
    const signal = (t: number) => (t < 600 ? 3000 : t < 1800 ? 3250 : 2750);
    const decisions = drive(
      { ...BASE, sustainedSeconds: 0, stabilizationSeconds: 0 },
      signal,
      3000,
      3,
    );
    for (const d of decisions) expect(d.desired).toBe(d.expected);
    expect(new Set(decisions.map((d) => d.desired))).toEqual(new Set([3]));
    // Past the tolerance, the count follows.
    const beyond = drive(
      { ...BASE, sustainedSeconds: 0, stabilizationSeconds: 0 },
      () => 3400,
      60,
      3,
    );
    expect(beyond).toEqual([{ t: 60, desired: 4, expected: 4 }]);
  });

  it('wakes from 0 once the signal has held above the activation, and returns to 0', () => {
    const spec: ReconcileScaler = { ...BASE, minReplicas: 0, activation: 50 };
    const signal = (t: number) => (t < 600 ? 40 : t < 1800 ? 80 : 0);
    const decisions = drive(spec, signal, 3000, 0);
    for (const d of decisions) expect(d.desired).toBe(d.expected);
    const at = (minutes: number) => decisions.find((d) => d.t === minutes * 60)?.desired;
    expect(at(10)).toBe(0);
    expect(at(14)).toBe(0);
    expect(at(15)).toBe(1);
    // Back to 0 once the stabilization window holds nothing above the activation.
    expect(at(34)).toBe(1);
    expect(at(35)).toBe(0);
  });

  it('keeps the count through an outage, runs a fixed count at its minimum, and steps at the interval', () => {
    const autoscaler = new ReconcileAutoscaler({
      ...BASE,
      sustainedSeconds: 0,
      stabilizationSeconds: 0,
    });
    const o = { t: 60, desired: 2, ready: 2, metric: 6000, busy: 0, outage: true };
    expect(autoscaler.decide(o).desired).toBe(2);
    expect(autoscaler.decide({ ...o, t: 120, outage: false }).desired).toBe(6);
    const fixed = new ReconcileAutoscaler({
      ...BASE,
      minReplicas: 2,
      maxReplicas: 2,
      targetPerInstance: null,
    });
    expect(fixed.decide({ ...o, outage: false, desired: 0 }).desired).toBe(2);
    expect(controllerStep([{ ...BASE, intervalSeconds: 40 }])).toBe(5);
  });
});

describe('simulating prod', () => {
  it('runs the warm agent by its reconcile vars', () => {
    const fleet = output.fleet.environments.prod;
    const result = simulateEnvironment(fleet, output.stacks, undefined, {
      ansible: output.ansible,
    });
    const key = (a: { agent: string; site: string }) => `${a.agent}@${a.site}`;
    expect(result.prepared.skipped.map(key)).not.toContain('chimera-data-ingest@nebraska-warm');
    const agent = result.prepared.agents.find(
      (a) => key(a.spec) === 'chimera-data-ingest@nebraska-warm',
    );
    expect(agent?.spec).toMatchObject({
      measures: 'query',
      placement: { kind: 'machines', provisionSeconds: 0 },
      scaler: { kind: 'reconcile', maxReplicas: 6 },
    });
    expect(agent?.spec.placement).not.toHaveProperty('hourly');
    const run = result.runs.find((r) => key(r) === 'chimera-data-ingest@nebraska-warm');
    expect(run?.summary.peakReplicas).toBeGreaterThan(1);
    expect(run?.summary.peakReplicas).toBeLessThanOrEqual(6);
    expect(run?.summary.peakNodes).toBe(run?.summary.peakReplicas);
    expect(run?.summary).not.toHaveProperty('cost');

    const without = simulateEnvironment(fleet, output.stacks, undefined);
    expect(without.prepared.skipped).toContainEqual({
      agent: 'chimera-data-ingest',
      site: 'nebraska-warm',
      why: "its hosts stack's group_vars/all.yml gives no scaling for it",
    });
  });
});

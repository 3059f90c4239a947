import {
  AsgAutoscaler,
  Autoscaler,
  cronWindows,
  KedaAutoscaler,
  Observation,
  ScaledJobAutoscaler,
  VmssAutoscaler,
} from '../../simulate/autoscalers';
import type { KedaScaler, KedaTrigger, VmssRule } from '../../simulate/scalers';

const MONDAY = Date.UTC(2026, 0, 5);
const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * Runs an autoscaler every `step` seconds up to `until`, its decision applied
 * at once (ready = desired unless `see` says otherwise); the desired count after each step.
 */
function drive(
  autoscaler: Autoscaler,
  initial: number,
  until: number,
  see: (t: number, desired: number) => Partial<Observation>,
  step = 5,
): Map<number, number> {
  const out = new Map<number, number>();
  let desired = initial;
  for (let t = step; t <= until; t += step) {
    desired = autoscaler.decide({
      t,
      desired,
      ready: desired,
      metric: 0,
      busy: 0,
      outage: false,
      ...see(t, desired),
    }).desired;
    out.set(t, desired);
  }
  return out;
}

const at = (run: Map<number, number>, ...times: number[]) => times.map((t) => run.get(t));

describe('cronWindows', () => {
  const trigger: Extract<KedaTrigger, { kind: 'cron' }> = {
    kind: 'cron',
    start: '0 8 * * 1-5',
    end: '0 18 * * 1-5',
    timezone: 'Europe/Berlin',
    desiredReplicas: 3,
  };

  it('opens 08:00 to 18:00 Berlin time on each weekday: 07:00 to 17:00 UTC in January', () => {
    expect(cronWindows(trigger, MONDAY, 7 * DAY)).toEqual(
      [0, 1, 2, 3, 4].map((day) => [day * DAY + 7 * HOUR, day * DAY + 17 * HOUR]),
    );
  });

  it('follows summer time: 06:00 to 16:00 UTC in July', () => {
    expect(cronWindows(trigger, Date.UTC(2026, 6, 6), DAY)).toEqual([[6 * HOUR, 16 * HOUR]]);
  });

  it('counts a window already open at the start from the start, and cuts the last at the end', () => {
    // Monday 12:00 UTC: open until 17:00; Tuesday's opens at 07:00 and is cut at Tuesday 12:00.
    expect(cronWindows(trigger, MONDAY + 12 * HOUR * 1000, DAY)).toEqual([
      [0, 5 * HOUR],
      [19 * HOUR, DAY],
    ]);
  });

  it('counts a window that opens at the very start', () => {
    // KEDA's cron scaler is active at the start's own second (the next end comes before the next start).
    expect(cronWindows(trigger, MONDAY + 7 * HOUR * 1000, 12 * HOUR)).toEqual([[0, 10 * HOUR]]);
  });

  it('has no window over a weekend', () => {
    expect(cronWindows(trigger, Date.UTC(2026, 0, 10), 2 * DAY)).toEqual([]);
  });
});

const backlog = (
  target: number,
  activation = 0,
  metricType: 'AverageValue' | 'Value' = 'AverageValue',
): KedaTrigger => ({
  kind: 'metric',
  measures: 'backlog',
  metricType,
  target,
  activation,
});

const keda = (overrides: Partial<KedaScaler>): KedaAutoscaler =>
  new KedaAutoscaler(
    {
      kind: 'keda',
      pollingSeconds: 30,
      cooldownSeconds: 300,
      minReplicas: 0,
      maxReplicas: 20,
      triggers: [backlog(10, 5)],
      ...overrides,
    },
    MONDAY,
    DAY,
  );

describe('KedaAutoscaler', () => {
  it('wakes from 0 to 1 only at a polling tick, once the metric is above the activation', () => {
    const run = drive(keda({}), 0, 60, () => ({ metric: 6 }));
    // The HPA's sync at 15 s leaves a workload at 0 alone; KEDA's poll at 30 s wakes it.
    expect(at(run, 5, 15, 25, 30)).toEqual([0, 0, 0, 1]);
  });

  it('does not wake at the activation itself', () => {
    const run = drive(keda({}), 0, 120, () => ({ metric: 5 }));
    expect(Math.max(...run.values())).toBe(0);
  });

  it('wakes to the minimum when the minimum is above 1', () => {
    const run = drive(keda({ minReplicas: 3 }), 0, 30, () => ({ metric: 6 }));
    expect(run.get(30)).toBe(3);
  });

  it('returns to 0 only once no trigger has been active for more than the cooldown', () => {
    // Active at the poll at 30 s; the cooldown has passed (lastActiveTime + 300 s is before now) at the poll at 360 s.
    const run = drive(keda({}), 0, 400, (t) => ({ metric: t <= 30 ? 6 : 0 }));
    expect(at(run, 30, 330, 355, 360)).toEqual([1, 1, 1, 0]);
  });

  it('never returns to 0 with only a cpu trigger: KEDA holds such a ScaledObject active', () => {
    const run = drive(
      keda({ triggers: [{ kind: 'utilization', resource: 'cpu', target: 60 }] }),
      1,
      900,
      () => ({
        busy: 0,
      }),
    );
    expect(Math.min(...run.values())).toBe(1);
  });

  it('does not return to 0 while a metric fails and no fallback stands in', () => {
    // RequestScale: an inactive ScaledObject with a failing scaler and no fallback is left as it is.
    const run = drive(keda({}), 1, 1200, () => ({ outage: true }));
    expect(Math.min(...run.values())).toBe(1);
  });

  it('syncs the HPA every 15 s within the scale-up policy: 4 pods per 60 s', () => {
    const run = drive(
      keda({
        pollingSeconds: 15,
        minReplicas: 1,
        triggers: [backlog(10)],
        behavior: { scaleUp: { policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }] } },
      }),
      1,
      200,
      () => ({ metric: 200 }),
    );
    // 15 s: 1 + 4; the 4 added at 15 s count until 75 s, when 5 + 4; then 135 s: 13.
    expect(at(run, 10, 15, 30, 60, 75, 120, 135, 195)).toEqual([1, 5, 5, 5, 9, 9, 13, 17]);
  });

  it('holds the count through the 300 s scale-down stabilization window', () => {
    const run = drive(
      keda({
        pollingSeconds: 15,
        minReplicas: 1,
        triggers: [backlog(10)],
        behavior: {
          scaleDown: {
            stabilizationWindowSeconds: 300,
            policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
          },
        },
      }),
      10,
      400,
      () => ({ metric: 10 }),
    );
    // The first sync (15 s) records 10; it leaves the window once it is 300 s old, at 315 s.
    expect(at(run, 15, 300, 315)).toEqual([10, 10, 1]);
  });

  it('scales a Value target on the ratio times the ready pods', () => {
    const up = {
      scaleUp: { policies: [{ type: 'Pods' as const, value: 100, periodSeconds: 15 }] },
    };
    const value = drive(
      keda({
        pollingSeconds: 15,
        minReplicas: 1,
        triggers: [backlog(100, 0, 'Value')],
        behavior: up,
      }),
      2,
      15,
      () => ({ metric: 250 }),
    );
    const average = drive(
      keda({ pollingSeconds: 15, minReplicas: 1, triggers: [backlog(100)], behavior: up }),
      2,
      15,
      () => ({ metric: 250 }),
    );
    // Value: ceil(250 / 100 × 2 ready) = 5; AverageValue: ceil(250 / 100) = 3.
    expect(value.get(15)).toBe(5);
    expect(average.get(15)).toBe(3);
  });

  describe('fallback', () => {
    const fallback = (behavior: string, pollingSeconds = 15) =>
      keda({
        pollingSeconds,
        minReplicas: 1,
        triggers: [backlog(10)],
        fallback: { failureThreshold: 3, replicas: 5, behavior },
      });

    it('asks for the fallback replicas once the failures pass the threshold', () => {
      // Every read counts a failure, KEDA's poll and the HPA's sync alike (pkg/fallback/fallback.go,
      // NumberOfFailures > FailureThreshold): 2 reads at 30 s, 2 more at 45 s make 4 > 3. The HPA
      // without a behavior goes up to max(2 × 2, 4) = 4 at once, and to the 5 asked for at the next sync.
      const run = drive(fallback('static'), 2, 120, (t) => ({ metric: 20, outage: t >= 30 }));
      expect(at(run, 25, 30, 40, 45, 60)).toEqual([2, 2, 2, 4, 5]);
    });

    it('keeps a higher count with currentReplicasIfHigher', () => {
      const run = drive(fallback('currentReplicasIfHigher', 30), 8, 1200, (t) => ({
        metric: 80,
        outage: t >= 30,
      }));
      expect(Math.min(...run.values())).toBe(8);
    });

    it('comes down to the fallback replicas from a higher count with static, after the stabilization window', () => {
      const run = drive(fallback('static'), 8, 600, (t) => ({ metric: 80, outage: t >= 30 }));
      // Without a behavior the HPA keeps the highest recommendation not older than 300 s: 8 at 15 s
      // still counts at 315 s (horizontal.go's stabilizeRecommendation drops only those before the cutoff).
      expect(at(run, 300, 315, 330, 600)).toEqual([8, 8, 5, 5]);
    });

    it('counts afresh after a good read', () => {
      const run = drive(fallback('static'), 2, 120, (t) => ({
        metric: 20,
        outage: t >= 30 && t !== 45,
      }));
      // Failures at 30 s (2), a good read at 45 s resets, then 60 s (2), 75 s (4 > 3): up to 4, then 5.
      expect(at(run, 60, 75, 90)).toEqual([2, 4, 5]);
    });
  });
});

describe('ScaledJobAutoscaler', () => {
  const jobs = (strategy: string) =>
    new ScaledJobAutoscaler({
      kind: 'keda-job',
      pollingSeconds: 30,
      maxReplicas: 10,
      target: 1,
      activation: 0,
      strategy,
    });
  const once = (strategy: string, running: number, queue: number) =>
    jobs(strategy).decide({
      t: 30,
      desired: running,
      ready: running,
      metric: queue,
      busy: 1,
      outage: false,
    });

  // The cases of KEDA's own TestDefault/Accurate/EagerScalingStrategy (pkg/scaling/executor/scale_jobs_test.go),
  // without pending Jobs: 4 messages of 1 each, 10 Jobs at most.
  it.each([
    ['default', 3, 4],
    ['accurate', 3, 7],
    ['eager', 3, 7],
    ['default', 7, 7],
    ['accurate', 7, 10],
    ['eager', 7, 10],
  ])('%s with %i running creates up to %i running', (strategy, running, total) => {
    expect(once(strategy, running, 4)).toEqual({ desired: total, cappedByMax: false });
  });

  it('creates nothing at or below the activation, and only at a polling tick', () => {
    expect(once('eager', 0, 0).desired).toBe(0);
    expect(
      jobs('default').decide({ t: 15, desired: 0, ready: 0, metric: 4, busy: 0, outage: false }),
    ).toEqual({ desired: 0 });
  });

  it('says it is capped when the queue asks for more than the maximum', () => {
    expect(once('default', 0, 25)).toEqual({ desired: 10, cappedByMax: true });
  });
});

describe('AsgAutoscaler', () => {
  const asg = () =>
    new AsgAutoscaler({
      kind: 'asg',
      minReplicas: 2,
      maxReplicas: 20,
      targetPerInstance: 1000,
      warmupSeconds: 180,
    });

  it('scales out after 3 minutes above the target, to the backlog over the target', () => {
    const run = drive(asg(), 2, 300, () => ({ metric: 5000 }), 60);
    expect(at(run, 60, 120, 180)).toEqual([2, 2, 5]);
  });

  it('starts counting again when a minute falls back to the target', () => {
    const run = drive(asg(), 2, 400, (t) => ({ metric: t === 120 ? 2000 : 5000 }), 60);
    expect(at(run, 180, 240, 300)).toEqual([2, 2, 5]);
  });

  it('scales in after 15 minutes below the target, not before', () => {
    const run = drive(asg(), 5, 1000, () => ({ metric: 2000 }), 60);
    expect(at(run, 840, 900)).toEqual([5, 2]);
  });

  it('holds the group within its bounds', () => {
    const group = asg();
    const decisions = [60, 120, 180].map((t) =>
      group.decide({ t, desired: 2, ready: 2, metric: 50_000, busy: 1, outage: false }),
    );
    expect(decisions).toEqual([
      { desired: 2, cappedByMax: false },
      { desired: 2, cappedByMax: false },
      { desired: 20, cappedByMax: true },
    ]);
    const idle = drive(asg(), 4, 900, () => ({ metric: 0 }), 60);
    expect(idle.get(900)).toBe(2);
  });
});

describe('VmssAutoscaler', () => {
  const rule = (overrides: Partial<VmssRule>): VmssRule => ({
    direction: 'Increase',
    operator: 'GreaterThan',
    threshold: 1000,
    perInstance: true,
    windowSeconds: 300,
    cooldownSeconds: 300,
    change: 1,
    ...overrides,
  });
  const out = rule({});
  const scaleIn = rule({
    direction: 'Decrease',
    operator: 'LessThan',
    threshold: 500,
    windowSeconds: 600,
    cooldownSeconds: 600,
  });
  const vmss = (rules: VmssRule[], defaultReplicas = 2) =>
    new VmssAutoscaler({ kind: 'vmss', minReplicas: 2, maxReplicas: 5, defaultReplicas, rules });

  it('adds an instance when an increase rule holds, then not again within its cooldown', () => {
    const run = drive(vmss([out, scaleIn]), 2, 1200, (_t, n) => ({ metric: 1500 * n }), 60);
    expect(at(run, 60, 120, 300, 360, 660, 960)).toEqual([3, 3, 3, 4, 5, 5]);
  });

  it('increases when any increase rule holds', () => {
    const other = rule({ threshold: 5000, perInstance: false, change: 2 });
    const run = drive(
      vmss([rule({ threshold: 10_000 }), other]),
      2,
      60,
      () => ({ metric: 6000 }),
      60,
    );
    // 3000 per instance is under the first rule's 10 000; 6000 in all is over the second's 5000.
    expect(run.get(60)).toBe(4);
  });

  it('decreases only when every decrease rule holds', () => {
    const strict = rule({
      direction: 'Decrease',
      operator: 'LessThan',
      threshold: 200,
      windowSeconds: 60,
      cooldownSeconds: 60,
    });
    const between = drive(
      vmss([out, scaleIn, strict], 5),
      5,
      600,
      (_t, n) => ({ metric: 300 * n }),
      60,
    );
    expect(Math.min(...between.values())).toBe(5);
    const below = drive(
      vmss([out, scaleIn, strict], 5),
      5,
      1300,
      (_t, n) => ({ metric: 100 * n }),
      60,
    );
    // The first at once (no action yet), the next once the longest cooldown, 600 s, has passed.
    expect(at(below, 60, 600, 660, 1260)).toEqual([4, 4, 3, 2]);
  });

  it('takes the increase rule that asks for the most instances', () => {
    const run = drive(
      vmss([out, rule({ change: 2 })]),
      2,
      60,
      (_t, n) => ({ metric: 1500 * n }),
      60,
    );
    expect(run.get(60)).toBe(4);
  });

  it('decreases by as little as the decrease rules ask for', () => {
    const three = { ...scaleIn, change: 3 };
    const run = drive(vmss([three, scaleIn], 5), 5, 60, (_t, n) => ({ metric: 100 * n }), 60);
    expect(run.get(60)).toBe(4);
  });

  it('waits out the cooldown of the rule that fired last, whichever the direction', () => {
    // In at 60 s (its cooldown 600 s), then the load rises: out not before 660 s, though its own cooldown is 300 s.
    const run = drive(
      vmss([out, scaleIn], 3),
      3,
      800,
      (t, n) => ({ metric: (t < 120 ? 100 : 1500) * n }),
      60,
    );
    expect(at(run, 60, 360, 600, 660)).toEqual([2, 2, 2, 3]);
  });

  it('does not scale in to a count at which it would scale out again', () => {
    // The docs' example: out above 50, in below 30, per instance; 56 over 2 instances is 28, but 56 on 1 is over 50.
    const flapping = new VmssAutoscaler({
      kind: 'vmss',
      minReplicas: 1,
      maxReplicas: 5,
      defaultReplicas: 2,
      rules: [
        rule({ threshold: 50, windowSeconds: 60, cooldownSeconds: 60 }),
        { ...scaleIn, threshold: 30, windowSeconds: 60, cooldownSeconds: 60 },
      ],
    });
    const run = drive(flapping, 2, 600, () => ({ metric: 56 }), 60);
    expect(Math.min(...run.values())).toBe(2);
  });

  it('scales in by less than asked for when the whole step would flap', () => {
    // 40 per instance on 30 is 1200 in all: on 20 it is 60, over the 50 of the increase rule; on 24 it is 50, not over.
    const partial = new VmssAutoscaler({
      kind: 'vmss',
      minReplicas: 1,
      maxReplicas: 40,
      defaultReplicas: 30,
      rules: [rule({ threshold: 50 }), { ...scaleIn, threshold: 50, change: 10 }],
    });
    expect(
      partial.decide({ t: 60, desired: 30, ready: 30, metric: 1200, busy: 1, outage: false }),
    ).toEqual({
      desired: 24,
      cappedByMax: false,
    });
  });

  it('averages each rule over its time window', () => {
    // One minute at 1500 per instance after four at 900: the 5-minute average is 1020, over 1000.
    const run = drive(
      vmss([out]),
      2,
      300,
      (t, n) => ({ metric: (t === 300 ? 1500 : 900) * n }),
      60,
    );
    expect(at(run, 240, 300)).toEqual([2, 3]);
  });

  it('holds the scale set within its bounds', () => {
    const run = drive(vmss([out, scaleIn]), 5, 400, (_t, n) => ({ metric: 5000 * n }), 60);
    expect(Math.max(...run.values())).toBe(5);
    const idle = drive(vmss([out, scaleIn]), 2, 1300, () => ({ metric: 0 }), 60);
    expect(Math.min(...idle.values())).toBe(2);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import {
  calculateScaleDownLimitWithBehaviors,
  calculateScaleUpLimitWithScalingRules,
  combineMetricProposals,
  convertDesiredReplicasWithRules,
  getReplicasChangePerPeriod,
  HpaController,
  type HpaDirectionRules,
  type HpaScalingPolicy,
  type ResolvedScalingRules,
  type TimestampedScaleEvent,
} from '../../model/hpa-controller';
import {
  averageValueReplicas,
  utilizationReplicas,
  valueReplicas,
  type PodGroup,
  type ReadyPods,
} from '../../model/hpa-replica-calculator';
import { hpaDesiredReplicas, scaleDownFloor, scaleUpLimit } from '../../model/replica-rule';

/**
 * Kubernetes' own HPA test tables, transcribed into
 * test/fixtures/kubernetes-hpa/ (see its README), run through the port.
 */

const FIXTURES = path.resolve(__dirname, '../fixtures/kubernetes-hpa');
const load = <T>(file: string): T =>
  JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')) as T;

/** The clock of every case: histories are written as ages before it. */
const NOW = 1_000_000;

/** `generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow)`. */
type GeneratedRules = [number, number, number, number, number];

/** horizontal_test.go's `generateScalingRules`: Max, a Pods and a Percent policy when non-zero. */
function generateScalingRules(args: GeneratedRules | undefined): HpaDirectionRules | undefined {
  if (!args) return undefined;
  const [pods, podsPeriod, percent, percentPeriod, stabilizationWindowSeconds] = args;
  const policies: HpaScalingPolicy[] = [];
  if (pods !== 0) policies.push({ type: 'Pods', value: pods, periodSeconds: podsPeriod });
  if (percent !== 0) {
    policies.push({ type: 'Percent', value: percent, periodSeconds: percentPeriod });
  }
  // Go leaves a nil slice when neither is set, and defaulting then fills the default policies.
  return {
    stabilizationWindowSeconds,
    selectPolicy: 'Max',
    ...(policies.length > 0 ? { policies } : {}),
  };
}

/**
 * horizontal_test.go's `generateEventsUniformDistribution`: the events spread
 * over the last `periodSeconds`, each in the middle of its segment, the age
 * truncated to whole seconds as Go's `time.Duration(float64)` conversion does.
 */
function generateEventsUniformDistribution(
  spec: [number[], number] | undefined,
): TimestampedScaleEvent[] {
  if (!spec) return [];
  const [raw, periodSeconds] = spec;
  const segment = periodSeconds / raw.length;
  return raw.map((replicaChange, i) => ({
    replicaChange,
    timestamp: NOW - Math.trunc(periodSeconds - segment * (i + 1) + segment / 2),
    outdated: false,
  }));
}

const recommendationsAgo = (recs: [number, number][]) =>
  recs.map(([recommendation, age]) => ({ recommendation, timestamp: NOW - age }));

/** One pod of an upstream test, as its fake clients list it. */
interface UpstreamPod {
  readonly request: number | undefined;
  readonly level: number | undefined;
  readonly ready: boolean;
  readonly phase: string;
  readonly hot: boolean;
  readonly deleting: boolean;
}

/**
 * replica_calculator.go's `groupPods` for cpu, on the upstream tests' pods:
 * failed and deleting pods are left out; Pending pods are unready; pods with
 * no sample are missing; pods started within the cpu initialisation period
 * (`hot`) or not Ready are unready. The tests' timestamps make every `hot`
 * pod unready and every other pod unready exactly when not Ready.
 */
function groupPods(pods: readonly UpstreamPod[]): {
  ready: ReadyPods;
  unready: PodGroup;
  missing: PodGroup;
} {
  const ready = { count: 0, requests: 0, usage: 0 };
  const unready = { count: 0, requests: 0 };
  const missing = { count: 0, requests: 0 };
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed') continue;
    const request = pod.request ?? 0;
    if (pod.phase === 'Pending') {
      unready.count++;
      unready.requests += request;
    } else if (pod.level === undefined) {
      missing.count++;
      missing.requests += request;
    } else if (pod.hot || !pod.ready) {
      unready.count++;
      unready.requests += request;
    } else {
      ready.count++;
      ready.requests += request;
      ready.usage += pod.level;
    }
  }
  return { ready, unready, missing };
}

/** `getReadyPodsCount`: Running and Ready, whatever else. */
const readyPods = (pods: readonly UpstreamPod[]) =>
  pods.filter((pod) => pod.phase === 'Running' && pod.ready).length;

interface PodColumns {
  readonly podReadiness?: boolean[];
  readonly podPhase?: string[];
  readonly podStartTime?: ('hot' | 'cool')[];
  readonly podDeletionTimestamp?: boolean[];
}

function podsOf(
  count: number,
  columns: PodColumns,
  request: (i: number) => number | undefined,
  level: (i: number) => number | undefined,
): UpstreamPod[] {
  return Array.from({ length: count }, (_, i) => ({
    request: request(i),
    level: level(i),
    ready: columns.podReadiness?.[i] ?? true,
    phase: columns.podPhase?.[i] ?? 'Running',
    hot: columns.podStartTime?.[i] === 'hot',
    deleting: columns.podDeletionTimestamp?.[i] ?? false,
  }));
}

describe('replica_calculator_test.go', () => {
  interface ReplicaCalcCase extends PodColumns {
    readonly upstream: string;
    readonly currentReplicas: number;
    readonly expectedReplicas: number;
    readonly resource?: {
      readonly requests: number[];
      readonly levels: number[];
      readonly targetUtilization: number;
      readonly expectedUtilization: number;
    };
    readonly metric?: {
      readonly type: 'external' | 'externalPerPod' | 'object' | 'objectPerPod';
      readonly levels: number[];
      readonly targetUtilization?: number;
      readonly perPodTargetUtilization?: number;
    };
  }
  const { cases } = load<{ cases: ReplicaCalcCase[] }>('replica_calculator_test.json');

  it.each(cases.map((c) => [c.upstream, c] as const))('%s', (_name, c) => {
    // Failed pods are listed beyond currentReplicas (`prepareTestClientSet`).
    const count = Math.max(c.currentReplicas, c.podPhase?.length ?? 0);
    if (c.resource) {
      const { requests, levels, targetUtilization } = c.resource;
      const pods = podsOf(
        count,
        c,
        (i) => requests[i],
        (i) => levels[i],
      );
      const result = utilizationReplicas({
        currentReplicas: c.currentReplicas,
        targetUtilization,
        ...groupPods(pods),
      });
      expect(result).toEqual({
        replicas: c.expectedReplicas,
        utilization: c.resource.expectedUtilization,
      });
      return;
    }
    const metric = c.metric!;
    const usage = metric.levels.reduce((a, b) => a + b, 0);
    const pods = podsOf(
      count,
      c,
      () => undefined,
      () => undefined,
    );
    const replicas = metric.type.endsWith('PerPod')
      ? averageValueReplicas({
          usage,
          targetAverageValue: metric.perPodTargetUtilization!,
          statusReplicas: c.currentReplicas,
        })
      : valueReplicas({
          usage,
          targetValue: metric.targetUtilization!,
          currentReplicas: c.currentReplicas,
          readyPods: readyPods(pods),
        });
    expect(replicas).toBe(c.expectedReplicas);
  });

  it('refuses a Resource metric without a sample from a ready pod, as upstream', () => {
    expect(() =>
      utilizationReplicas({
        currentReplicas: 3,
        targetUtilization: 50,
        ready: { count: 0, requests: 0, usage: 0 },
        missing: { count: 3, requests: 3000 },
      }),
    ).toThrow('did not receive metrics for any ready pods');
  });
});

describe('horizontal_test.go', () => {
  interface HorizontalFixture {
    TestConvertDesiredReplicasWithRules: {
      annotation: string;
      currentReplicas: number;
      expectedDesiredReplicas: number;
      hpaMinReplicas: number;
      hpaMaxReplicas: number;
      expectedConvertedDesiredReplicas: number;
      expectedCondition: string;
    }[];
    TestCalculateScaleUpLimitWithScalingRules: LimitCase[];
    TestCalculateScaleDownLimitWithBehaviors: LimitCase[];
    TestNormalizeDesiredReplicas: {
      downscaleStabilisationWindowSeconds: number;
      cases: {
        name: string;
        recommendations: [number, number][];
        prenormalizedDesiredReplicas: number;
        expectedStabilizedReplicas: number;
        expectedLogLength: number;
      }[];
    };
    TestScalingWithRules: {
      name: string;
      scaleUpEvents?: [number[], number];
      scaleDownEvents?: [number[], number];
      specMinReplicas: number;
      specMaxReplicas: number;
      scaleUpRules?: GeneratedRules;
      scaleDownRules?: GeneratedRules;
      currentReplicas: number;
      prenormalizedDesiredReplicas: number;
      expectedReplicas: number;
      expectedCondition: string;
    }[];
    TestStoreScaleEvents: {
      name: string;
      replicaChange: number;
      prevScaleEvents: [number, number, boolean][];
      newScaleEvents: [number, boolean][];
      scalingRules?: GeneratedRules;
      expectedReplicasChange: number;
    }[];
    TestNormalizeDesiredReplicasWithBehavior: {
      name: string;
      recommendations: [number, number][];
      currentReplicas: number;
      prenormalizedDesiredReplicas: number;
      expectedStabilizedReplicas: number;
      expectedRecommendations?: number[];
      scaleUpStabilizationWindowSeconds?: number;
      scaleDownStabilizationWindowSeconds?: number;
    }[];
  }
  interface LimitCase {
    name: string;
    currentReplicas: number;
    rules: ResolvedScalingRules;
    expected: number;
  }
  const fixture = load<HorizontalFixture>('horizontal_test.json');
  const named = <T extends { name: string }>(cases: T[]) => cases.map((c) => [c.name, c] as const);

  it.each(fixture.TestConvertDesiredReplicasWithRules.map((c) => [c.annotation, c] as const))(
    'TestConvertDesiredReplicasWithRules: %s',
    (_name, c) => {
      expect(
        convertDesiredReplicasWithRules(
          c.currentReplicas,
          c.expectedDesiredReplicas,
          c.hpaMinReplicas,
          c.hpaMaxReplicas,
        ),
      ).toEqual({ replicas: c.expectedConvertedDesiredReplicas, reason: c.expectedCondition });
    },
  );

  it.each(named(fixture.TestCalculateScaleUpLimitWithScalingRules))('%s', (_name, c) => {
    expect(calculateScaleUpLimitWithScalingRules(NOW, c.currentReplicas, [], [], c.rules)).toBe(
      c.expected,
    );
  });

  it.each(named(fixture.TestCalculateScaleDownLimitWithBehaviors))('%s', (_name, c) => {
    expect(calculateScaleDownLimitWithBehaviors(NOW, c.currentReplicas, [], [], c.rules)).toBe(
      c.expected,
    );
  });

  const legacy = fixture.TestNormalizeDesiredReplicas;
  it.each(named(legacy.cases))('TestNormalizeDesiredReplicas: %s', (_name, c) => {
    const hpa = new HpaController(
      {
        maxReplicas: 1000,
        downscaleStabilizationSeconds: legacy.downscaleStabilisationWindowSeconds,
      },
      { recommendations: recommendationsAgo(c.recommendations) },
    );
    expect(hpa.stabilizeRecommendation(NOW, c.prenormalizedDesiredReplicas)).toBe(
      c.expectedStabilizedReplicas,
    );
    expect(hpa.state().recommendations).toHaveLength(c.expectedLogLength);
  });

  it.each(named(fixture.TestScalingWithRules))('TestScalingWithRules: %s', (_name, c) => {
    const hpa = new HpaController(
      {
        minReplicas: c.specMinReplicas,
        maxReplicas: c.specMaxReplicas,
        behavior: {
          scaleUp: generateScalingRules(c.scaleUpRules),
          scaleDown: generateScalingRules(c.scaleDownRules),
        },
      },
      {
        scaleUpEvents: generateEventsUniformDistribution(c.scaleUpEvents),
        scaleDownEvents: generateEventsUniformDistribution(c.scaleDownEvents),
      },
    );
    expect(
      hpa.convertDesiredReplicasWithBehaviorRate(
        NOW,
        c.currentReplicas,
        c.prenormalizedDesiredReplicas,
      ),
    ).toEqual({ replicas: c.expectedReplicas, reason: c.expectedCondition });
  });

  describe.each(['up', 'down'] as const)('TestStoreScaleEvents, scaling %s', (direction) => {
    it.each(named(fixture.TestStoreScaleEvents))('%s', (_name, c) => {
      const previous = c.prevScaleEvents.map(([replicaChange, age, outdated]) => ({
        replicaChange,
        timestamp: NOW - age,
        outdated,
      }));
      const rules = generateScalingRules(c.scalingRules);
      const hpa = new HpaController(
        {
          maxReplicas: 1000,
          ...(rules
            ? { behavior: direction === 'up' ? { scaleUp: rules } : { scaleDown: rules } }
            : {}),
        },
        direction === 'up' ? { scaleUpEvents: previous } : { scaleDownEvents: previous },
      );
      expect(getReplicasChangePerPeriod(NOW, 60, previous)).toBe(c.expectedReplicasChange);
      const next = direction === 'up' ? 10 + c.replicaChange : 10 - c.replicaChange;
      hpa.storeScaleEvent(NOW, 10, next);
      const state = hpa.state();
      const stored = (direction === 'up' ? state.scaleUpEvents : state.scaleDownEvents) ?? [];
      expect(stored.map((e) => [e.replicaChange, e.outdated])).toEqual(c.newScaleEvents);
    });
  });

  it.each(named(fixture.TestNormalizeDesiredReplicasWithBehavior))(
    'TestNormalizeDesiredReplicasWithBehavior: %s',
    (_name, c) => {
      // The test builds both directions' rules with only a window, 0 when not set.
      const hpa = new HpaController(
        {
          maxReplicas: 1000,
          behavior: {
            scaleUp: { stabilizationWindowSeconds: c.scaleUpStabilizationWindowSeconds ?? 0 },
            scaleDown: { stabilizationWindowSeconds: c.scaleDownStabilizationWindowSeconds ?? 0 },
          },
        },
        { recommendations: recommendationsAgo(c.recommendations) },
      );
      const { replicas } = hpa.stabilizeRecommendationWithBehaviors(
        NOW,
        c.currentReplicas,
        c.prenormalizedDesiredReplicas,
      );
      expect(replicas).toBe(c.expectedStabilizedReplicas);
      if (c.expectedRecommendations) {
        const stored = hpa.state().recommendations ?? [];
        expect(stored.map((r) => r.recommendation)).toEqual(c.expectedRecommendations);
      }
    },
  );
});

describe('horizontal_test.go, one reconcileAutoscaler per test case', () => {
  interface MetricTarget {
    readonly type: 'External' | 'Object' | 'CheddarCheese';
    readonly value?: number;
    readonly averageValue?: number;
    /** The metrics client answers with an error. */
    readonly failing?: boolean;
  }
  interface ControllerCase {
    readonly upstream: string;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly specReplicas: number;
    readonly statusReplicas: number;
    readonly expectedDesiredReplicas: number;
    readonly CPUTarget?: number;
    readonly metricsTarget?: MetricTarget[];
    readonly reportedLevels: number[];
    readonly reportedCPURequests?: number[];
    readonly reportedPodReadiness?: boolean[];
    readonly reportedPodPhase?: string[];
    readonly reportedPodStartTime?: ('hot' | 'cool')[];
    readonly reportedPodDeletionTimestamp?: boolean[];
    readonly recommendations?: [number, number][];
    readonly scaleUpRules?: GeneratedRules;
    readonly scaleDownRules?: GeneratedRules;
  }
  const { cases } = load<{ cases: ControllerCase[] }>('horizontal_test.controller.json');

  /** What each metric of the case proposes, `undefined` where upstream's computation fails. */
  function proposals(c: ControllerCase): (number | undefined)[] {
    const requests = c.reportedCPURequests;
    const count = requests ? requests.length : c.statusReplicas;
    const columns: PodColumns = {
      podReadiness: c.reportedPodReadiness,
      podPhase: c.reportedPodPhase,
      podStartTime: c.reportedPodStartTime,
      podDeletionTimestamp: c.reportedPodDeletionTimestamp,
    };
    // The fake clients split each pod's cpu and request over two containers, in whole millicores.
    const halves = (value: number | undefined) =>
      value === undefined ? undefined : 2 * Math.trunc(value / 2);
    const pods = podsOf(
      count,
      columns,
      (i) => halves(requests ? requests[i] : 1000),
      (i) => halves(c.reportedLevels[i]),
    );
    const metrics: (MetricTarget | { type: 'Resource'; target: number })[] = [
      ...(c.CPUTarget ? [{ type: 'Resource' as const, target: c.CPUTarget }] : []),
      ...(c.metricsTarget ?? []),
    ];
    const sum = c.reportedLevels.reduce((a, b) => a + b, 0);
    return metrics.map((metric) => {
      if (metric.type === 'Resource') {
        try {
          return utilizationReplicas({
            currentReplicas: c.specReplicas,
            targetUtilization: metric.target,
            ...groupPods(pods),
          }).replicas;
        } catch {
          return undefined;
        }
      }
      if (metric.type === 'CheddarCheese' || metric.failing) return undefined;
      // An External metric sums every series; an Object metric is one value.
      const usage = metric.type === 'External' ? sum : c.reportedLevels[0];
      if (metric.averageValue !== undefined) {
        return averageValueReplicas({
          usage,
          targetAverageValue: metric.averageValue,
          statusReplicas: c.statusReplicas,
        });
      }
      return valueReplicas({
        usage,
        targetValue: metric.value!,
        currentReplicas: c.specReplicas,
        readyPods: readyPods(pods),
      });
    });
  }

  it.each(cases.map((c) => [c.upstream, c] as const))('%s', (_name, c) => {
    const behavior =
      c.scaleUpRules || c.scaleDownRules
        ? {
            scaleUp: generateScalingRules(c.scaleUpRules),
            scaleDown: generateScalingRules(c.scaleDownRules),
          }
        : undefined;
    const hpa = new HpaController(
      { minReplicas: c.minReplicas, maxReplicas: c.maxReplicas, ...(behavior ? { behavior } : {}) },
      c.recommendations ? { recommendations: recommendationsAgo(c.recommendations) } : {},
    );
    const proposal = combineMetricProposals(c.specReplicas, proposals(c));
    expect(hpa.reconcile(NOW, c.specReplicas, proposal)).toBe(c.expectedDesiredReplicas);
  });
});

describe('replica-rule.ts against the port', () => {
  const grid = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);
  const rules: HpaDirectionRules[] = [
    { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
    {
      selectPolicy: 'Min',
      policies: [
        { type: 'Pods', value: 3, periodSeconds: 15 },
        { type: 'Percent', value: 50, periodSeconds: 15 },
      ],
    },
    { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 300, periodSeconds: 30 }] },
    { selectPolicy: 'Disabled', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] },
  ];

  it('hpaDesiredReplicas gives the port’s first scale-up, with and without scale-up rules', () => {
    let compared = 0;
    for (const scaleUp of [undefined, ...rules]) {
      for (const current of grid(1, 12)) {
        for (const metric of grid(0, 80).map((m) => m * 2.5)) {
          const [target, minReplicas, maxReplicas] = [4, 1, 30];
          const proposal = averageValueReplicas({
            usage: metric,
            targetAverageValue: target,
            statusReplicas: current,
          });
          if (proposal <= current) continue;
          const hpa = new HpaController({
            minReplicas,
            maxReplicas,
            ...(scaleUp
              ? { behavior: { scaleUp: { ...scaleUp, stabilizationWindowSeconds: 0 } } }
              : {}),
          });
          const ported = hpa.reconcile(NOW, current, proposal);
          const rule = hpaDesiredReplicas({
            metric,
            targetPerReplica: target,
            currentReplicas: current,
            minReplicas,
            maxReplicas,
            ...(scaleUp ? { scaleUp } : {}),
          });
          expect({ scaleUp, current, metric, replicas: rule }).toEqual({
            scaleUp,
            current,
            metric,
            replicas: ported,
          });
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('scaleUpLimit and scaleDownFloor are the port’s limits when no event is in any period', () => {
    for (const rule of rules) {
      const up = resolved(rule);
      for (const current of grid(0, 40)) {
        expect(calculateScaleUpLimitWithScalingRules(NOW, current, [], [], up)).toBe(
          scaleUpLimit(current, rule),
        );
        const floor = calculateScaleDownLimitWithBehaviors(NOW, current, [], [], up);
        expect(Math.max(0, floor)).toBe(scaleDownFloor(current, rule));
      }
    }
  });

  function resolved(rule: HpaDirectionRules): ResolvedScalingRules {
    return {
      stabilizationWindowSeconds: 0,
      selectPolicy: rule.selectPolicy ?? 'Max',
      policies: rule.policies ?? [],
    };
  }
});

describe('HpaController over successive syncs', () => {
  /** Syncs from t = 0 every `period` s to `until`, each proposing `want(t)`; the counts after each. */
  function run(
    hpa: HpaController,
    start: number,
    period: number,
    until: number,
    want: (t: number) => number,
  ) {
    const counts: [number, number][] = [];
    let replicas = start;
    for (let t = 0; t <= until; t += period) {
      replicas = hpa.reconcile(t, replicas, want(t));
      counts.push([t, replicas]);
    }
    return counts;
  }

  it('with the default behavior, scales up by max(4 pods, 100%) per 15 s period', () => {
    const every15 = run(new HpaController({ maxReplicas: 30, behavior: {} }), 1, 15, 45, () => 20);
    expect(every15).toEqual([
      [0, 5],
      [15, 10],
      [30, 20],
      [45, 20],
    ]);
    // Syncing every 5 s, the events of the last 15 s hold the count at the period's start plus the limit.
    const every5 = run(new HpaController({ maxReplicas: 30, behavior: {} }), 1, 5, 30, () => 20);
    expect(every5.map(([, n]) => n)).toEqual([5, 5, 5, 10, 10, 10, 20]);
  });

  it('holds a scale-down until the last higher recommendation leaves the 300 s window', () => {
    const counts = run(new HpaController({ maxReplicas: 10, behavior: {} }), 8, 15, 420, (t) =>
      t < 60 ? 8 : 2,
    );
    // The last recommendation of 8 was made at t = 45; windows exclude their cutoff instant.
    expect(counts.find(([, n]) => n !== 8)).toEqual([345, 2]);
    expect(counts.at(-1)).toEqual([420, 2]);
  });

  it('without a behavior, limits a scale-up to max(2 × current, 4) per sync, whatever the period', () => {
    const hpa = new HpaController({ maxReplicas: 30 });
    expect(run(hpa, 1, 15, 45, () => 20).map(([, n]) => n)).toEqual([4, 8, 16, 20]);
  });

  it('leaves a workload at 0 replicas alone unless its minimum is 0', () => {
    expect(new HpaController({ maxReplicas: 5 }).reconcile(0, 0, 3)).toBe(0);
    expect(new HpaController({ minReplicas: 0, maxReplicas: 5 }).reconcile(0, 0, 3)).toBe(3);
  });
});

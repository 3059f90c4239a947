/**
 * The Kubernetes HorizontalPodAutoscaler controller's decision for one
 * workload, step by step over time: a stateful port of horizontal.go, keeping
 * the recommendation history it stabilizes with and the scale events its
 * rate limits count. What one metric proposes is ported in
 * hpa-replica-calculator.ts; `combineMetricProposals` folds several into one.
 *
 * Not modelled: status conditions and events (the limiting reason is
 * returned instead), the API calls and their failures, selectors, the
 * per-direction `tolerance` of `behavior` (Kubernetes 1.33 and later; the
 * port takes one tolerance in hpa-replica-calculator.ts), and the
 * HPAScaleToZero gate beyond what `minReplicas: 0` does in this code.
 *
 * @see https://github.com/kubernetes/kubernetes/blob/003e86297d18a8538c9da3619871393f9703bf70/pkg/controller/podautoscaler/horizontal.go
 * @see https://github.com/kubernetes/kubernetes/blob/1adaa75345752d96375fae03334fa9ed3bf535a1/pkg/apis/autoscaling/v2/defaults.go
 */
import { scaleUpLimit, type HpaScalingRules } from './replica-rule';

/** One policy of a scaling direction: at most `value` pods or percent per `periodSeconds`. */
export type HpaScalingPolicy = NonNullable<HpaScalingRules['policies']>[number];

/** One direction of an HPA's `behavior`, as written: every field may be left out. */
export interface HpaDirectionRules extends HpaScalingRules {
  /**
   * Seconds of past recommendations the count is held to: up, the lowest of
   * them; down, the highest.
   * @default - 0 up; down, the controller's `--horizontal-pod-autoscaler-downscale-stabilization`
   */
  readonly stabilizationWindowSeconds?: number;
}

/** An HPA's `spec.behavior`. */
export interface HpaBehavior {
  /** How replicas are added. @default - HPA_SCALE_UP_DEFAULTS */
  readonly scaleUp?: HpaDirectionRules;
  /** How replicas are removed. @default - HPA_SCALE_DOWN_DEFAULTS */
  readonly scaleDown?: HpaDirectionRules;
}

/** What one HPA is told: its spec, and the controller flag it falls back on. */
export interface HpaSpec {
  /** Fewest replicas; 0 needs the HPAScaleToZero gate upstream. @default 1 */
  readonly minReplicas?: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /**
   * The scaling behavior. Left out, the controller takes its older path: a
   * scale-down stabilization of `downscaleStabilizationSeconds` and a
   * scale-up limit of max(2 × current, 4), with no rate limits by period.
   * @default - none: that older path
   */
  readonly behavior?: HpaBehavior;
  /**
   * kube-controller-manager's `--horizontal-pod-autoscaler-downscale-stabilization`, in seconds.
   * @default HPA_DOWNSCALE_STABILIZATION_SECONDS
   */
  readonly downscaleStabilizationSeconds?: number;
}

/** A direction's rules with every default filled in, as the API server stores them. */
export interface ResolvedScalingRules {
  /** Seconds of past recommendations considered. */
  readonly stabilizationWindowSeconds: number;
  /** Which policy wins. */
  readonly selectPolicy: 'Max' | 'Min' | 'Disabled';
  /** The rate limits. */
  readonly policies: readonly HpaScalingPolicy[];
}

/** The default of kube-controller-manager's `--horizontal-pod-autoscaler-downscale-stabilization`: 5 minutes. */
export const HPA_DOWNSCALE_STABILIZATION_SECONDS = 300;

/** `defaultHPAScaleUpRules`: no stabilization; the larger of 4 pods and 100% per 15 s. */
export const HPA_SCALE_UP_DEFAULTS: ResolvedScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};

/** `defaultHPAScaleDownRules`: 100% per 15 s; the window comes from the controller flag. */
export const HPA_SCALE_DOWN_DEFAULTS: Omit<ResolvedScalingRules, 'stabilizationWindowSeconds'> = {
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

/**
 * `GenerateHPAScaleUpRules`: each field left out takes the default
 * (`copyHPAScalingRules`), so `policies` left out means the default
 * policies, not none.
 */
export function resolveScaleUpRules(rules?: HpaDirectionRules): ResolvedScalingRules {
  return {
    stabilizationWindowSeconds:
      rules?.stabilizationWindowSeconds ?? HPA_SCALE_UP_DEFAULTS.stabilizationWindowSeconds,
    selectPolicy: rules?.selectPolicy ?? HPA_SCALE_UP_DEFAULTS.selectPolicy,
    policies: rules?.policies ?? HPA_SCALE_UP_DEFAULTS.policies,
  };
}

/**
 * `GenerateHPAScaleDownRules`, then `maybeInitScaleDownStabilizationWindow`:
 * a window left out is the controller flag's.
 */
export function resolveScaleDownRules(
  rules: HpaDirectionRules | undefined,
  downscaleStabilizationSeconds: number = HPA_DOWNSCALE_STABILIZATION_SECONDS,
): ResolvedScalingRules {
  return {
    stabilizationWindowSeconds: rules?.stabilizationWindowSeconds ?? downscaleStabilizationSeconds,
    selectPolicy: rules?.selectPolicy ?? HPA_SCALE_DOWN_DEFAULTS.selectPolicy,
    policies: rules?.policies ?? HPA_SCALE_DOWN_DEFAULTS.policies,
  };
}

/** A recommendation the controller made, before stabilization. */
export interface TimestampedRecommendation {
  /** The replicas recommended. */
  readonly recommendation: number;
  /** When, in seconds on the caller's clock. */
  readonly timestamp: number;
}

/** A change of replicas the controller made. */
export interface TimestampedScaleEvent {
  /** How many replicas were added (scale-up events) or removed (scale-down events), ≥ 0. */
  readonly replicaChange: number;
  /** When, in seconds on the caller's clock. */
  readonly timestamp: number;
  /** Older than every policy period: the slot may be reused. */
  readonly outdated: boolean;
}

/** The history the controller keeps for one HPA. */
export interface HpaControllerState {
  /** Past recommendations; left out, the first sync records the current count. @default - none yet */
  readonly recommendations?: readonly TimestampedRecommendation[];
  /** Past scale-ups. @default - none */
  readonly scaleUpEvents?: readonly TimestampedScaleEvent[];
  /** Past scale-downs. @default - none */
  readonly scaleDownEvents?: readonly TimestampedScaleEvent[];
}

/** A count and why it was limited: `DesiredWithinRange`, `ScaleUpLimit`, `TooManyReplicas`, … */
export interface LimitedReplicas {
  /** The replicas. */
  readonly replicas: number;
  /** The reason upstream would set on the ScalingLimited (or AbleToScale) condition. */
  readonly reason: string;
}

const MAX_INT32 = 2147483647;
const MIN_INT32 = -2147483648;

/**
 * `computeReplicasForMetrics`: the largest proposal of the metrics that
 * could be computed (`undefined` for one that failed). `undefined` when none
 * could, or when some failed and the rest would scale below `specReplicas`:
 * the HPA then leaves the count alone.
 */
export function combineMetricProposals(
  specReplicas: number,
  proposals: readonly (number | undefined)[],
): number | undefined {
  let replicas = 0;
  let invalid = 0;
  for (const proposal of proposals) {
    if (proposal === undefined) {
      invalid++;
      continue;
    }
    if (replicas === 0 || proposal > replicas) replicas = proposal;
  }
  if (invalid >= proposals.length || (invalid > 0 && replicas < specReplicas)) return undefined;
  return replicas;
}

/** `getReplicasChangePerPeriod`: the replicas changed by events newer than `periodSeconds` ago. */
export function getReplicasChangePerPeriod(
  nowSeconds: number,
  periodSeconds: number,
  events: readonly TimestampedScaleEvent[],
): number {
  const cutoff = nowSeconds - periodSeconds;
  let sum = 0;
  for (const event of events) if (event.timestamp > cutoff) sum += event.replicaChange;
  return sum;
}

/**
 * `calculateScaleUpLimitWithScalingRules`: per policy, the count at the start
 * of its period (now, less what was added and plus what was removed since)
 * plus `value` pods or `ceil(× (1 + value/100))`; the largest (`Max`) or
 * smallest (`Min`) of them. `Disabled` returns `current`.
 */
export function calculateScaleUpLimitWithScalingRules(
  nowSeconds: number,
  current: number,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  rules: ResolvedScalingRules,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMin = rules.selectPolicy === 'Min';
  let result = pickMin ? MAX_INT32 : MIN_INT32;
  for (const policy of rules.policies) {
    const start =
      current -
      getReplicasChangePerPeriod(nowSeconds, policy.periodSeconds, scaleUpEvents) +
      getReplicasChangePerPeriod(nowSeconds, policy.periodSeconds, scaleDownEvents);
    const proposed =
      policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
    result = pickMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/**
 * `calculateScaleDownLimitWithBehaviors`: per policy, the count at the start
 * of its period less `value` pods or `× (1 − value/100)` truncated; the
 * smallest (`Max`, the largest change) or largest (`Min`) of them.
 * `Disabled` returns `current`.
 */
export function calculateScaleDownLimitWithBehaviors(
  nowSeconds: number,
  current: number,
  scaleUpEvents: readonly TimestampedScaleEvent[],
  scaleDownEvents: readonly TimestampedScaleEvent[],
  rules: ResolvedScalingRules,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pickMax = rules.selectPolicy === 'Min';
  let result = pickMax ? MIN_INT32 : MAX_INT32;
  for (const policy of rules.policies) {
    const start =
      current -
      getReplicasChangePerPeriod(nowSeconds, policy.periodSeconds, scaleUpEvents) +
      getReplicasChangePerPeriod(nowSeconds, policy.periodSeconds, scaleDownEvents);
    const proposed =
      policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
    result = pickMax ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/**
 * `convertDesiredReplicasWithRules`, the path without `behavior`: at least
 * `min`; at most `max` and max(2 × current, 4) (`calculateScaleUpLimit`).
 */
export function convertDesiredReplicasWithRules(
  current: number,
  desired: number,
  min: number,
  max: number,
): LimitedReplicas {
  const upLimit = scaleUpLimit(current);
  const [maximum, limitReason]: [number, string] =
    max > upLimit ? [upLimit, 'ScaleUpLimit'] : [max, 'TooManyReplicas'];
  if (desired < min) return { replicas: min, reason: 'TooFewReplicas' };
  if (desired > maximum) return { replicas: maximum, reason: limitReason };
  return { replicas: desired, reason: 'DesiredWithinRange' };
}

/**
 * One HPA as the controller runs it: `reconcile` once per sync (every 15 s
 * by default) with the target's replicas and what the metrics propose.
 */
export class HpaController {
  /** Fewest replicas. */
  readonly minReplicas: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /** The scale-up rules with defaults, when the spec has a `behavior`. */
  readonly scaleUp: ResolvedScalingRules | undefined;
  /** The scale-down rules with defaults, when the spec has a `behavior`. */
  readonly scaleDown: ResolvedScalingRules | undefined;
  private readonly downscaleStabilizationSeconds: number;
  // Past recommendations as two arrays of numbers, read at every sync: their times (undefined
  // before the first sync) and their counts.
  private recommendationTimes: number[] | undefined;
  private recommendationCounts: number[] = [];
  private scaleUpEvents: TimestampedScaleEvent[];
  private scaleDownEvents: TimestampedScaleEvent[];

  constructor(spec: HpaSpec, state: HpaControllerState = {}) {
    this.minReplicas = spec.minReplicas ?? 1;
    this.maxReplicas = spec.maxReplicas;
    this.downscaleStabilizationSeconds =
      spec.downscaleStabilizationSeconds ?? HPA_DOWNSCALE_STABILIZATION_SECONDS;
    if (spec.behavior) {
      this.scaleUp = resolveScaleUpRules(spec.behavior.scaleUp);
      this.scaleDown = resolveScaleDownRules(
        spec.behavior.scaleDown,
        this.downscaleStabilizationSeconds,
      );
    }
    if (state.recommendations) {
      this.recommendationTimes = state.recommendations.map((rec) => rec.timestamp);
      this.recommendationCounts = state.recommendations.map((rec) => rec.recommendation);
    }
    this.scaleUpEvents = [...(state.scaleUpEvents ?? [])];
    this.scaleDownEvents = [...(state.scaleDownEvents ?? [])];
  }

  /** A copy of the history kept so far. */
  state(): HpaControllerState {
    return {
      ...(this.recommendationTimes
        ? {
            recommendations: this.recommendationTimes.map((timestamp, i) => ({
              recommendation: this.recommendationCounts[i],
              timestamp,
            })),
          }
        : {}),
      scaleUpEvents: [...this.scaleUpEvents],
      scaleDownEvents: [...this.scaleDownEvents],
    };
  }

  /**
   * One sync (`reconcileAutoscaler`): the replicas the target is scaled to.
   * At 0 replicas with a minimum above 0 the HPA is disabled and leaves 0;
   * outside [min, max] it moves straight to the bound; otherwise the
   * proposal is stabilized and rate-limited. A scale is recorded as an event.
   * @param nowSeconds the sync's time, on the caller's clock, in seconds.
   * @param currentReplicas `scale.spec.replicas`.
   * @param proposedReplicas what the metrics propose (`combineMetricProposals`);
   *   `undefined` when they could not be computed: the count stays.
   */
  reconcile(
    nowSeconds: number,
    currentReplicas: number,
    proposedReplicas: number | undefined,
  ): number {
    if (this.recommendationTimes === undefined) {
      this.recommendationTimes = [nowSeconds];
      this.recommendationCounts = [currentReplicas];
    }
    let desired: number;
    if (currentReplicas === 0 && this.minReplicas !== 0) return 0;
    if (currentReplicas > this.maxReplicas) desired = this.maxReplicas;
    else if (currentReplicas < this.minReplicas) desired = this.minReplicas;
    else {
      if (proposedReplicas === undefined) return currentReplicas;
      desired = this.normalize(nowSeconds, currentReplicas, Math.max(0, proposedReplicas));
    }
    if (desired === currentReplicas) return currentReplicas;
    this.storeScaleEvent(nowSeconds, currentReplicas, desired);
    return desired;
  }

  private normalize(nowSeconds: number, current: number, prenormalized: number): number {
    if (!this.scaleUp) {
      const stabilized = this.stabilizeRecommendation(nowSeconds, prenormalized);
      return convertDesiredReplicasWithRules(
        current,
        stabilized,
        this.minReplicas,
        this.maxReplicas,
      ).replicas;
    }
    const stabilized = this.stabilizeRecommendationWithBehaviors(
      nowSeconds,
      current,
      prenormalized,
    );
    return this.convertDesiredReplicasWithBehaviorRate(nowSeconds, current, stabilized.replicas)
      .replicas;
  }

  /**
   * `stabilizeRecommendation`, the path without `behavior`: the highest
   * recommendation of the downscale stabilization window, this one included;
   * this one is recorded in the slot of an expired one, or appended.
   */
  stabilizeRecommendation(nowSeconds: number, prenormalized: number): number {
    const cutoff = nowSeconds - this.downscaleStabilizationSeconds;
    const times = (this.recommendationTimes ??= []);
    const counts = this.recommendationCounts;
    let max = prenormalized;
    let oldIndex = -1;
    for (let i = 0; i < times.length; i++) {
      if (times[i] < cutoff) oldIndex = i;
      else if (counts[i] > max) max = counts[i];
    }
    this.record(oldIndex, prenormalized, nowSeconds);
    return max;
  }

  /**
   * `stabilizeRecommendationWithBehaviors`: the count is held between the
   * lowest recommendation of the scale-up window and the highest of the
   * scale-down window (this one included in both), starting from `current`;
   * this one is recorded in the slot of one expired for both windows, or
   * appended. The reason is `ScaleUpStabilized` or `ScaleDownStabilized`.
   */
  stabilizeRecommendationWithBehaviors(
    nowSeconds: number,
    current: number,
    prenormalized: number,
  ): LimitedReplicas {
    const up = this.behaviorRules().scaleUp;
    const down = this.behaviorRules().scaleDown;
    const upCutoff = nowSeconds - up.stabilizationWindowSeconds;
    const downCutoff = nowSeconds - down.stabilizationWindowSeconds;
    let upRecommendation = prenormalized;
    let downRecommendation = prenormalized;
    let oldIndex = -1;
    const times = this.recommendationTimes ?? [];
    const counts = this.recommendationCounts;
    for (let i = 0; i < times.length; i++) {
      const timestamp = times[i];
      const count = counts[i];
      if (timestamp > upCutoff && count < upRecommendation) upRecommendation = count;
      if (timestamp > downCutoff && count > downRecommendation) downRecommendation = count;
      if (timestamp < upCutoff && timestamp < downCutoff) oldIndex = i;
    }
    let recommendation = current;
    if (recommendation < upRecommendation) recommendation = upRecommendation;
    if (recommendation > downRecommendation) recommendation = downRecommendation;
    this.record(oldIndex, prenormalized, nowSeconds);
    const reason = prenormalized >= current ? 'ScaleUpStabilized' : 'ScaleDownStabilized';
    return { replicas: recommendation, reason };
  }

  /**
   * `convertDesiredReplicasWithBehaviorRate`: up, at most `max` and the
   * scale-up limit of the policies given the recent events (never below
   * `current`); down, at least `min` and the scale-down limit (never above
   * `current`).
   */
  convertDesiredReplicasWithBehaviorRate(
    nowSeconds: number,
    current: number,
    desired: number,
  ): LimitedReplicas {
    const { scaleUp, scaleDown } = this.behaviorRules();
    const [upEvents, downEvents] = [this.scaleUpEvents, this.scaleDownEvents];
    if (desired > current) {
      const limit = Math.max(
        current,
        calculateScaleUpLimitWithScalingRules(nowSeconds, current, upEvents, downEvents, scaleUp),
      );
      const [maximum, reason]: [number, string] =
        this.maxReplicas > limit ? [limit, 'ScaleUpLimit'] : [this.maxReplicas, 'TooManyReplicas'];
      if (desired > maximum) return { replicas: maximum, reason };
    } else if (desired < current) {
      const limit = Math.min(
        current,
        calculateScaleDownLimitWithBehaviors(nowSeconds, current, upEvents, downEvents, scaleDown),
      );
      const [minimum, reason]: [number, string] =
        this.minReplicas < limit ? [limit, 'ScaleDownLimit'] : [this.minReplicas, 'TooFewReplicas'];
      if (desired < minimum) return { replicas: minimum, reason };
    }
    return { replicas: desired, reason: 'DesiredWithinRange' };
  }

  /**
   * `storeScaleEvent`: with a `behavior`, records a change from `previous` to
   * `next` in the slot of the last event older than the direction's longest
   * policy period (events that old are marked outdated), or appends it.
   * Without a `behavior` nothing is recorded.
   */
  storeScaleEvent(nowSeconds: number, previous: number, next: number): void {
    if (!this.scaleUp || !this.scaleDown) return;
    const up = next > previous;
    const events = up ? this.scaleUpEvents : this.scaleDownEvents;
    let longest = 0;
    for (const policy of (up ? this.scaleUp : this.scaleDown).policies) {
      if (policy.periodSeconds > longest) longest = policy.periodSeconds;
    }
    const cutoff = nowSeconds - longest;
    let oldIndex = -1;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const outdated = event.outdated || event.timestamp < cutoff;
      // Events are never changed in place: a copy handed out by `state()` keeps its history.
      if (outdated && !event.outdated) events[i] = { ...event, outdated };
      if (outdated) oldIndex = i;
    }
    const event = {
      replicaChange: Math.abs(next - previous),
      timestamp: nowSeconds,
      outdated: false,
    };
    if (oldIndex >= 0) events[oldIndex] = event;
    else events.push(event);
  }

  private record(oldIndex: number, count: number, timestamp: number): void {
    const times = (this.recommendationTimes ??= []);
    if (oldIndex >= 0) {
      times[oldIndex] = timestamp;
      this.recommendationCounts[oldIndex] = count;
    } else {
      times.push(timestamp);
      this.recommendationCounts.push(count);
    }
  }

  private behaviorRules(): { scaleUp: ResolvedScalingRules; scaleDown: ResolvedScalingRules } {
    if (!this.scaleUp || !this.scaleDown) throw new Error('this HPA has no behavior');
    return { scaleUp: this.scaleUp, scaleDown: this.scaleDown };
  }
}

/**
 * The replica count Kubernetes' HorizontalPodAutoscaler chooses for one
 * external metric with an `AverageValue` target: how KEDA's `rabbitmq`
 * (QueueLength) and `prometheus` triggers scale, since KEDA serves each
 * trigger's value as an external metric of an HPA it owns.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#algorithm-details
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/replica_calculator.go (GetExternalPerPodMetricReplicas)
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/controller/podautoscaler/horizontal.go (normalizeDesiredReplicasWithBehaviors, calculateScaleUpLimitWithScalingRules)
 * @see https://keda.sh/docs/2.20/concepts/scaling-deployments/#activating-and-scaling-thresholds
 */

/** kube-controller-manager's `--horizontal-pod-autoscaler-tolerance` default. */
export const HPA_TOLERANCE = 0.1;

/** One scaling direction of an HPA `behavior`, as a ScaledObject's `advanced` holds it. */
export interface HpaScalingRules {
  /** Which policy wins: the largest change, the smallest, or none. @default 'Max' */
  readonly selectPolicy?: 'Max' | 'Min' | 'Disabled';
  /** The policies, each at most `value` pods or percent per period. @default - none: no change */
  readonly policies?: readonly {
    readonly type: 'Pods' | 'Percent';
    readonly value: number;
    readonly periodSeconds: number;
  }[];
}

/** What one HPA sync reads and is bounded by. */
export interface HpaInput {
  /** The metric's total over all replicas (what KEDA serves: a queue's depth, a query's value). */
  readonly metric: number;
  /** The `AverageValue` target: what one replica is meant to handle. */
  readonly targetPerReplica: number;
  /** Replicas running now. */
  readonly currentReplicas: number;
  /** Fewest replicas. */
  readonly minReplicas: number;
  /** Most replicas. */
  readonly maxReplicas: number;
  /** How fast replicas are added. @default - the controller's default: at most max(2 × current, 4) */
  readonly scaleUp?: HpaScalingRules;
  /** How far from 1 the usage ratio may be before the count changes. @default HPA_TOLERANCE */
  readonly tolerance?: number;
}

/**
 * Replicas one HPA sync chooses. The usage ratio is
 * `metric / (target × currentReplicas)`; within `tolerance` of 1 the current
 * count stays, otherwise it becomes `ceil(metric / target)`. Upward, the
 * change is limited by the scale-up policies as if nothing had scaled within
 * their periods; the result is then clamped to [min, max]. Scale-down
 * stabilization and rate limits are not modelled: callers only scale up.
 */
export function hpaDesiredReplicas(input: HpaInput): number {
  const { metric, targetPerReplica, currentReplicas, minReplicas, maxReplicas } = input;
  if (!(targetPerReplica > 0)) throw new Error(`target (${targetPerReplica}) must be > 0`);
  if (currentReplicas < 1) throw new Error('an HPA never runs a workload at 0 replicas');
  const ratio = metric / (targetPerReplica * currentReplicas);
  let desired = currentReplicas;
  if (Math.abs(1 - ratio) > (input.tolerance ?? HPA_TOLERANCE)) {
    desired = Math.ceil(metric / targetPerReplica);
  }
  if (desired > currentReplicas)
    desired = Math.min(desired, scaleUpLimit(currentReplicas, input.scaleUp));
  return Math.max(minReplicas, Math.min(maxReplicas, desired));
}

/**
 * The most replicas one scale-up may reach from `current`, with no scale
 * event inside the policies' periods: `current + value` for a `Pods`
 * policy, `ceil(current × (1 + value / 100))` for `Percent`, the largest
 * (`Max`, the default) or smallest (`Min`) of them; `Disabled` keeps
 * `current`. Without rules, the controller's fallback `max(2 × current, 4)`.
 */
export function scaleUpLimit(current: number, rules?: HpaScalingRules): number {
  if (!rules) return Math.max(2 * current, 4);
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = (rules.policies ?? []).map((policy) =>
    policy.type === 'Pods' ? current + policy.value : Math.ceil(current * (1 + policy.value / 100)),
  );
  if (proposals.length === 0) return current;
  return rules.selectPolicy === 'Min' ? Math.min(...proposals) : Math.max(...proposals);
}

/** A KEDA ScaledObject's bounds and the activation its trigger declares. */
export interface KedaInput extends Omit<HpaInput, 'minReplicas'> {
  /** `minReplicaCount`; 0 lets KEDA scale the workload to zero. */
  readonly minReplicaCount: number;
  /** The trigger's `activationValue` / `activationThreshold`. */
  readonly activation: number;
}

/**
 * The replicas a KEDA-scaled workload settles at for a steady metric,
 * starting from `currentReplicas`: one HPA sync after another until the
 * count no longer changes. KEDA's own part: with `minReplicaCount` 0 the
 * workload is scaled to 0 while the metric is not above `activation`, and to
 * 1 once it is, from where the HPA (whose minimum KEDA sets to at least 1)
 * takes over. Returns every count, the starting one first.
 */
export function kedaReplicasOverTime(input: KedaInput): number[] {
  const active = input.metric > input.activation;
  if (input.minReplicaCount === 0 && !active) return [input.currentReplicas, 0];
  const minReplicas = Math.max(1, input.minReplicaCount);
  const steps = [input.currentReplicas];
  let current = Math.max(1, input.currentReplicas);
  if (current !== input.currentReplicas) steps.push(current);
  for (let sync = 0; sync < 100; sync++) {
    const next = hpaDesiredReplicas({ ...input, minReplicas, currentReplicas: current });
    if (next === current) return steps;
    steps.push(next);
    current = next;
  }
  throw new Error(`no steady replica count within 100 syncs: ${steps.join(' → ')}`);
}

/** What one decision of a warm-server agent reads. */
export interface InstanceDecisionInput {
  /**
   * The signal now, over its sustained window (`min_over_time` of the query
   * over `sustainedFor`): what a scale-up may follow.
   */
  readonly sustained: number;
  /**
   * The highest sustained value over the scale-down stabilization window:
   * what a scale-down may follow, as the HPA keeps the highest
   * recommendation of that window.
   */
  readonly stabilized: number;
  /** What one instance handles (the signal's threshold). */
  readonly targetPerInstance: number;
  /** Instances running now. */
  readonly current: number;
  /** Fewest instances. */
  readonly minInstances: number;
  /** Most instances: the agent's maximum, held to its slots. */
  readonly maxInstances: number;
  /** Above this the agent wakes from zero (KEDA's activation). */
  readonly activation: number;
  /** How fast instances are added, as an HPA's `scaleUp`. @default - max(2 × current, 4) */
  readonly scaleUp?: HpaScalingRules;
  /** How fast instances are removed, as an HPA's `scaleDown`. @default - no limit */
  readonly scaleDown?: HpaScalingRules;
  /** How far from 1 the usage ratio may be before the count changes. @default HPA_TOLERANCE */
  readonly tolerance?: number;
}

/**
 * The instance count of an agent on warm servers: the rule its Kubernetes
 * replicas follow under KEDA and the HPA, taken one decision at a time.
 * 1. A recommendation for a value is `current` while `value / (target ×
 *    current)` is within the tolerance of 1, else `ceil(value / target)`.
 * 2. Up: the recommendation for the sustained value, if above `current`,
 *    limited by the scale-up policies ({@link scaleUpLimit}).
 * 3. Down: else the recommendation for the stabilized value, if below
 *    `current`, limited by the scale-down policies ({@link scaleDownFloor}).
 * 4. Bounds: at most `maxInstances`, at least `minInstances`; at least 1
 *    while the stabilized value is above the activation (KEDA's wake from
 *    zero), so the last instance of a backlog is never removed; at a minimum
 *    of 0, none once it has stayed at or below the activation (KEDA's
 *    deactivation).
 */
export function instanceDecision(input: InstanceDecisionInput): number {
  const { targetPerInstance: target, current } = input;
  if (!(target > 0)) throw new Error(`target (${target}) must be > 0`);
  const tolerance = input.tolerance ?? HPA_TOLERANCE;
  const recommend = (value: number): number => {
    if (current > 0 && Math.abs(1 - value / (target * current)) <= tolerance) return current;
    return Math.ceil(value / target);
  };
  let desired = current;
  const up = recommend(input.sustained);
  const down = recommend(input.stabilized);
  if (up > current) desired = Math.min(up, scaleUpLimit(current, input.scaleUp));
  else if (down < current) desired = Math.max(down, scaleDownFloor(current, input.scaleDown));
  const active = input.stabilized > input.activation;
  if (!active && input.minInstances === 0) return 0;
  const floor = active ? Math.max(1, input.minInstances) : input.minInstances;
  return Math.max(floor, Math.min(input.maxInstances, desired));
}

/**
 * The fewest replicas one scale-down may reach from `current`, with no scale
 * event inside the policies' periods: `current − value` for a `Pods` policy,
 * `floor(current × (1 − value / 100))` for `Percent`, the smallest (`Max`,
 * the largest change, the default) or largest (`Min`) of them; `Disabled`
 * keeps `current`. Without rules, no limit.
 */
export function scaleDownFloor(current: number, rules?: HpaScalingRules): number {
  if (!rules) return 0;
  if (rules.selectPolicy === 'Disabled') return current;
  const proposals = (rules.policies ?? []).map((policy) =>
    Math.max(
      0,
      policy.type === 'Pods'
        ? current - policy.value
        : Math.floor(current * (1 - policy.value / 100)),
    ),
  );
  if (proposals.length === 0) return current;
  return rules.selectPolicy === 'Min' ? Math.max(...proposals) : Math.min(...proposals);
}

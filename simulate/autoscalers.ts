import { Cron } from 'croner';
import { combineMetricProposals, HpaController } from '../model/hpa-controller';
import {
  averageValueReplicas,
  utilizationReplicas,
  valueReplicas,
} from '../model/hpa-replica-calculator';
import { instanceDecision } from '../model/replica-rule';
import type {
  AsgScaler,
  HpaScaler,
  KedaScaler,
  KedaTrigger,
  ReconcileScaler,
  ScaledJobScaler,
  VmssRule,
  VmssScaler,
} from './scalers';

/**
 * kube-controller-manager's `--horizontal-pod-autoscaler-sync-period` default.
 * @see https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/
 */
export const HPA_SYNC_SECONDS = 15;

/** What an autoscaler sees of its workload at one step. */
export interface Observation {
  /** Seconds from the start. */
  readonly t: number;
  /** Replicas asked for now (`scale.spec.replicas`, instances of a group). */
  readonly desired: number;
  /** Replicas serving. */
  readonly ready: number;
  /** The scaled metric: the backlog, or the query's value. */
  readonly metric: number;
  /** Share of the ready replicas' capacity in use, 0 to 1. */
  readonly busy: number;
  /** Whether the metric source fails now (a simulated outage). */
  readonly outage: boolean;
}

/** What an autoscaler decides at one step. */
export interface Decision {
  readonly desired: number;
  /**
   * Whether the metrics asked for more than the maximum, when the autoscaler
   * looked at them this step. @default - it did not look: as before
   */
  readonly cappedByMax?: boolean;
}

/** One workload's autoscaler, called at every step of the simulation; it acts at its own periods. */
export interface Autoscaler {
  decide(observation: Observation): Decision;
}

const due = (t: number, period: number) => t % period === 0;

/**
 * The windows of a KEDA cron trigger over the simulated time, as start and
 * end offsets in seconds (croner computes the occurrences in the trigger's
 * time zone, from `startMs`, the simulation's start in epoch milliseconds).
 * A window holds from its start, included, to its end, excluded.
 */
export function cronWindows(
  trigger: Extract<KedaTrigger, { kind: 'cron' }>,
  startMs: number,
  durationSeconds: number,
): [number, number][] {
  const options = { timezone: trigger.timezone };
  const start = new Cron(trigger.start, options);
  const end = new Cron(trigger.end, options);
  const windows: [number, number][] = [];
  const limit = startMs + durationSeconds * 1000;
  // Open at the start when the next end comes before the next start, as the
  // cron scaler decides (it holds at the start's very second too).
  // https://github.com/kedacore/keda/blob/v2.20.2/pkg/scalers/cron_scaler.go
  const nextStart = start.nextRun(new Date(startMs));
  const nextEnd = end.nextRun(new Date(startMs));
  let from: number | undefined =
    nextEnd && (!nextStart || nextEnd.getTime() <= nextStart.getTime()) ? startMs : undefined;
  let cursor = new Date(startMs);
  for (let guard = 0; guard < 10_000; guard++) {
    if (from === undefined) {
      const next = start.nextRun(cursor);
      if (!next || next.getTime() >= limit) break;
      from = next.getTime();
      cursor = next;
    }
    const close = end.nextRun(new Date(from));
    const to = close ? Math.min(close.getTime(), limit) : limit;
    windows.push([(from - startMs) / 1000, (to - startMs) / 1000]);
    if (!close || close.getTime() >= limit) break;
    cursor = close;
    from = undefined;
  }
  return windows;
}

/** The replicas a ScaledObject's fallback stands for, given those asked for now. */
function fallbackReplicas(fallback: NonNullable<KedaScaler['fallback']>, current: number): number {
  switch (fallback.behavior) {
    case 'currentReplicas':
      return current;
    case 'currentReplicasIfHigher':
      return Math.max(current, fallback.replicas);
    case 'currentReplicasIfLower':
      return Math.min(current, fallback.replicas);
    default:
      return fallback.replicas;
  }
}

/**
 * A KEDA ScaledObject and the HPA it owns. KEDA's loop, every
 * `pollingInterval`: a workload at 0 wakes to max(1, min) once a trigger is
 * active (its metric above its activation, a cron window open, or a metric
 * on its fallback); at a minimum of 0 it returns to 0 once no trigger has
 * been active for more than `cooldownPeriod`, and not while a metric fails
 * without a fallback to stand in.
 * The HPA, every 15 s while above 0: each trigger's proposal
 * (External `AverageValue` or `Value`, cron as an `AverageValue` of its
 * desired replicas against 1, cpu and memory as utilization of the ready
 * pods), the largest, through the ported controller's stabilization and rate
 * policies ({@link HpaController}).
 * Fallback: every read of a failing metric, KEDA's poll and the HPA's sync
 * alike, counts a failure, a good read resets the count; past
 * `failureThreshold` failures KEDA serves the HPA the metric that asks for
 * the fallback replicas (`currentReplicasIfHigher`: never fewer than asked
 * for now), which the HPA then scales to within its policies.
 * @see https://keda.sh/docs/2.20/reference/scaledobject-spec/
 * @see https://github.com/kedacore/keda/blob/v2.20.2/pkg/fallback/fallback.go
 */
export class KedaAutoscaler implements Autoscaler {
  private readonly hpa: HpaController;
  private readonly windows: [number, number][][];
  private readonly readsMetrics: boolean;
  private lastActive = -Infinity;
  private failures = 0;
  /** Each trigger's proposal at the last sync, kept to spare an array per sync. */
  private readonly proposals: (number | undefined)[] = [];

  constructor(
    private readonly spec: KedaScaler,
    startMs: number,
    durationSeconds: number,
  ) {
    this.hpa = new HpaController({
      minReplicas: Math.max(1, spec.minReplicas),
      maxReplicas: spec.maxReplicas,
      ...(spec.behavior ? { behavior: spec.behavior } : {}),
    });
    this.windows = spec.triggers.map((trigger) =>
      trigger.kind === 'cron' ? cronWindows(trigger, startMs, durationSeconds) : [],
    );
    this.readsMetrics = spec.triggers.some((t) => t.kind === 'metric');
  }

  private inWindow(index: number, t: number): boolean {
    return this.windows[index].some(([from, to]) => t >= from && t < to);
  }

  /** One read of the metric triggers: whether KEDA serves the fallback for them now. */
  private read(outage: boolean): boolean {
    if (!this.readsMetrics) return false;
    this.failures = outage ? this.failures + 1 : 0;
    // `NumberOfFailures > FailureThreshold`: the read after the threshold-th failure.
    return !!this.spec.fallback && this.failures > this.spec.fallback.failureThreshold;
  }

  decide(o: Observation): Decision {
    let desired = o.desired;
    if (due(o.t, this.spec.pollingSeconds)) {
      const onFallback = this.read(o.outage);
      const failing = o.outage && this.readsMetrics && !onFallback;
      // getScaledObjectState: with only cpu and memory triggers the ScaledObject is always active.
      // https://github.com/kedacore/keda/blob/v2.20.2/pkg/scaling/scale_handler.go
      const active =
        onFallback ||
        this.spec.triggers.every((trigger) => trigger.kind === 'utilization') ||
        this.spec.triggers.some((trigger, index) =>
          trigger.kind === 'metric'
            ? !o.outage && o.metric > trigger.activation
            : trigger.kind === 'cron' && this.inWindow(index, o.t),
        );
      // RequestScale: an active trigger with another failing does not renew the last active time.
      // https://github.com/kedacore/keda/blob/v2.20.2/pkg/scaling/executor/scale_scaledobjects.go
      if (desired === 0 && active) {
        this.lastActive = o.t;
        // The HPA is disabled at 0 replicas: it reads KEDA's count at its next sync, not at this poll.
        return { desired: Math.max(1, this.spec.minReplicas) };
      } else if (active && !failing) this.lastActive = o.t;
      else if (
        !active &&
        !failing &&
        desired > 0 &&
        this.spec.minReplicas === 0 &&
        o.t - this.lastActive > this.spec.cooldownSeconds
      ) {
        desired = 0;
      }
    }
    if (!due(o.t, HPA_SYNC_SECONDS) || desired === 0) return { desired };
    const onFallback = this.read(o.outage);
    const proposals = this.proposals;
    for (let i = 0; i < this.spec.triggers.length; i++) {
      proposals[i] = this.propose(this.spec.triggers[i], i, o, desired, onFallback);
    }
    const proposed = combineMetricProposals(desired, proposals);
    return {
      desired: this.hpa.reconcile(o.t, desired, proposed),
      cappedByMax: proposed !== undefined && proposed > this.spec.maxReplicas,
    };
  }

  private propose(
    trigger: KedaTrigger,
    index: number,
    o: Observation,
    desired: number,
    onFallback: boolean,
  ): number | undefined {
    switch (trigger.kind) {
      case 'metric': {
        let usage = o.metric;
        if (o.outage) {
          if (!onFallback || !this.spec.fallback) return undefined;
          // doFallback: the target times the replicas; for `Value`, over the ready pods.
          const replicas = fallbackReplicas(this.spec.fallback, desired);
          if (trigger.metricType === 'Value' && o.ready === 0) return undefined;
          usage =
            trigger.metricType === 'Value'
              ? (trigger.target * replicas) / o.ready
              : trigger.target * replicas;
        }
        return trigger.metricType === 'Value'
          ? valueReplicas({
              usage,
              targetValue: trigger.target,
              currentReplicas: desired,
              readyPods: o.ready,
            })
          : averageValueReplicas({
              usage,
              targetAverageValue: trigger.target,
              statusReplicas: desired,
            });
      }
      case 'cron':
        return averageValueReplicas({
          usage: this.inWindow(index, o.t) ? trigger.desiredReplicas : 0,
          targetAverageValue: 1,
          statusReplicas: desired,
        });
      case 'utilization':
        return utilizationProposal(trigger.target, o, desired);
    }
  }
}

/**
 * A utilization proposal: the ready pods use `busy` of their requests, the
 * pods still starting count as unready (0% on a scale-up), as the HPA's
 * `groupPods` sets them aside. Undefined without a ready pod: no samples.
 */
function utilizationProposal(target: number, o: Observation, desired: number): number | undefined {
  if (o.ready === 0) return undefined;
  const request = 1000;
  return utilizationReplicas({
    currentReplicas: desired,
    targetUtilization: target,
    ready: { count: o.ready, requests: o.ready * request, usage: o.ready * request * o.busy },
    unready: {
      count: Math.max(0, desired - o.ready),
      requests: Math.max(0, desired - o.ready) * request,
    },
  }).replicas;
}

/** A native HPA on cpu or memory utilization, synced every 15 s through the ported controller. */
export class NativeHpaAutoscaler implements Autoscaler {
  private readonly hpa: HpaController;

  constructor(private readonly spec: HpaScaler) {
    this.hpa = new HpaController({
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      ...(spec.behavior ? { behavior: spec.behavior } : {}),
    });
  }

  decide(o: Observation): Decision {
    if (!due(o.t, HPA_SYNC_SECONDS)) return { desired: o.desired };
    const proposed = combineMetricProposals(
      o.desired,
      this.spec.utilization.map((metric) => utilizationProposal(metric.target, o, o.desired)),
    );
    return {
      desired: this.hpa.reconcile(o.t, o.desired, proposed),
      cappedByMax: proposed !== undefined && proposed > this.spec.maxReplicas,
    };
  }
}

/**
 * A KEDA ScaledJob: every `pollingInterval`, while its trigger is active
 * (the queue above its activation), Jobs are created by its scaling
 * strategy from `maxScale`, `min(ceil(queue / target), maxReplicaCount)`,
 * and the Jobs running: `default`, `maxScale` less those running;
 * `accurate`, `maxScale`, or the room left when that would pass
 * `maxReplicaCount`; `eager`, `maxScale` held to the room left. Never more
 * than the messages waiting. `desired` is the Jobs running (none pending:
 * a Job's pod is counted as started); a Job ends when the engine says its
 * messages are done.
 * @see https://keda.sh/docs/2.20/reference/scaledjob-spec/#scalingstrategy
 * @see https://github.com/kedacore/keda/blob/v2.20.2/pkg/scaling/executor/scale_jobs.go
 */
export class ScaledJobAutoscaler implements Autoscaler {
  constructor(private readonly spec: ScaledJobScaler) {}

  decide(o: Observation): Decision {
    if (!due(o.t, this.spec.pollingSeconds) || o.outage) return { desired: o.desired };
    if (o.metric <= this.spec.activation) return { desired: o.desired, cappedByMax: false };
    const running = o.desired;
    const wanted = Math.ceil(o.metric / this.spec.target);
    const maxScale = Math.min(wanted, this.spec.maxReplicas);
    const room = this.spec.maxReplicas - running;
    let create: number;
    switch (this.spec.strategy) {
      case 'accurate':
        create = maxScale + running > this.spec.maxReplicas ? room : maxScale;
        break;
      case 'eager':
        create = Math.min(room, maxScale);
        break;
      default:
        create = maxScale - running;
    }
    // createJobs: at most `scaleTo`, the queue's length, and none below 0.
    create = Math.max(0, Math.min(create, Math.ceil(o.metric)));
    return {
      desired: running + create,
      cappedByMax: wanted > this.spec.maxReplicas,
    };
  }
}

/**
 * EC2 Auto Scaling target tracking on backlog per instance: once a minute,
 * CloudWatch's metric (the backlog over the instances in service past their
 * warm-up); the high alarm fires after 3 minutes above the target and scales
 * out to `ceil(backlog / target)`, the low alarm after 15 minutes below it
 * and scales in to the same, within the group's bounds.
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/target-tracking-scaling-policy-overview.html
 */
export class AsgAutoscaler implements Autoscaler {
  private above = 0;
  private below = 0;

  constructor(private readonly spec: AsgScaler) {}

  decide(o: Observation): Decision {
    if (!due(o.t, 60)) return { desired: o.desired };
    const perInstance = o.metric / Math.max(1, o.ready);
    this.above = perInstance > this.spec.targetPerInstance ? this.above + 1 : 0;
    this.below = perInstance < this.spec.targetPerInstance ? this.below + 1 : 0;
    const wanted = Math.ceil(o.metric / this.spec.targetPerInstance);
    let desired = o.desired;
    if (this.above >= 3 && wanted > desired) desired = wanted;
    if (this.below >= 15 && wanted < desired) desired = wanted;
    const bounded = Math.max(this.spec.minReplicas, Math.min(this.spec.maxReplicas, desired));
    return { desired: bounded, cappedByMax: desired > this.spec.maxReplicas };
  }
}

/**
 * Azure Monitor autoscale of a VM scale set: once a minute, each rule's
 * metric averaged over its time window (per instance where it divides by
 * the instance count). Out when any increase rule holds, to the highest
 * count they ask for; otherwise in only when every decrease rule holds, by
 * as little as they ask for, and not to a count at which an increase rule
 * would hold at once (flapping: a smaller step is tried, else none). No
 * action within the cooldown of the rule that fired last, in either
 * direction. Within the profile's bounds.
 * @see https://github.com/MicrosoftDocs/azure-monitor-docs/blob/705f5597dd25b732572bcc0ba2316faf92f79e3c/articles/azure-monitor/autoscale/autoscale-understanding-settings.md#autoscale-evaluation
 * @see https://github.com/MicrosoftDocs/azure-monitor-docs/blob/705f5597dd25b732572bcc0ba2316faf92f79e3c/articles/azure-monitor/autoscale/autoscale-flapping.md
 */
export class VmssAutoscaler implements Autoscaler {
  private readonly history: number[] = [];
  /** Seconds from the start before which no scale action may run. */
  private coolUntil = -Infinity;

  constructor(private readonly spec: VmssScaler) {}

  decide(o: Observation): Decision {
    if (!due(o.t, 60)) return { desired: o.desired };
    const instances = Math.max(1, o.ready);
    this.history.push(o.metric / instances);
    /** The rule's metric, per instance at `count` instances where it divides by the count. */
    const value = (rule: VmssRule, count = instances) => {
      const minutes = Math.max(1, Math.round(rule.windowSeconds / 60));
      const window = this.history.slice(-minutes);
      const total = (window.reduce((sum, v) => sum + v, 0) / window.length) * instances;
      return rule.perInstance ? total / count : total;
    };
    const holds = (rule: VmssRule, count?: number) =>
      rule.operator === 'GreaterThan'
        ? value(rule, count) > rule.threshold
        : value(rule, count) < rule.threshold;
    const ups = this.spec.rules.filter((rule) => rule.direction === 'Increase');
    const downs = this.spec.rules.filter((rule) => rule.direction === 'Decrease');
    const { minReplicas: min, maxReplicas: max } = this.spec;
    const bound = (n: number) => Math.max(min, Math.min(max, n));
    if (o.t < this.coolUntil) return { desired: o.desired };
    const firing = ups.filter((rule) => holds(rule));
    if (firing.length > 0) {
      const rule = firing.reduce((a, b) => (b.change > a.change ? b : a));
      const wanted = o.desired + rule.change;
      return this.act(o, rule, bound(wanted), wanted > max);
    }
    if (downs.length === 0 || !downs.every((rule) => holds(rule))) {
      return { desired: o.desired, cappedByMax: false };
    }
    // As little as asked for; of equal steps, the longer cooldown.
    const rule = downs.reduce((a, b) =>
      b.change < a.change || (b.change === a.change && b.cooldownSeconds > a.cooldownSeconds)
        ? b
        : a,
    );
    for (let count = bound(o.desired - rule.change); count < o.desired; count++) {
      if (!ups.some((up) => holds(up, count))) return this.act(o, rule, count, false);
    }
    return { desired: o.desired, cappedByMax: false };
  }

  private act(o: Observation, rule: VmssRule, desired: number, cappedByMax: boolean): Decision {
    if (desired !== o.desired) this.coolUntil = o.t + rule.cooldownSeconds;
    return { desired, cappedByMax };
  }
}

/**
 * The lowest or highest of the values pushed within a sliding window of
 * seconds, `(t − window, t]`: a monotonic queue, so each value is added and
 * dropped once.
 */
class WindowExtreme {
  private readonly times: number[] = [];
  private readonly values: number[] = [];
  private head = 0;

  constructor(
    private readonly windowSeconds: number,
    private readonly keep: 'min' | 'max',
  ) {}

  /** Adds `value` at `t` and returns the extreme of the window ending at `t`. */
  push(t: number, value: number): number {
    const { times, values } = this;
    // A value no better than the new one can never be the extreme again.
    while (
      values.length > this.head &&
      (this.keep === 'min'
        ? values[values.length - 1] >= value
        : values[values.length - 1] <= value)
    ) {
      times.pop();
      values.pop();
    }
    times.push(t);
    values.push(value);
    while (times[this.head] <= t - this.windowSeconds && this.head < times.length - 1) this.head++;
    if (this.head >= 64) {
      times.splice(0, this.head);
      values.splice(0, this.head);
      this.head = 0;
    }
    return values[this.head];
  }
}

/**
 * A warm-server agent under its site's reconcile playbook: every interval,
 * `instanceDecision` (`model/replica-rule.ts`) with the sustained value, the
 * lowest signal over the sustained window (`min_over_time`), and the
 * stabilized value, the highest sustained value over the stabilization
 * window (`max_over_time`), both kept from the signal at every step, as
 * Prometheus evaluates the subqueries. A fixed agent (no target) runs its
 * minimum; an agent keeps its count while the signal cannot be read (an
 * outage). The Prometheus alerts that run the playbook between two
 * intervals are not modelled.
 * @see constructs/hosts/reconcile-playbook.ts
 */
export class ReconcileAutoscaler implements Autoscaler {
  private readonly sustained: WindowExtreme;
  private readonly stabilized: WindowExtreme;
  private lastSustained = 0;
  private lastStabilized = 0;

  constructor(private readonly spec: ReconcileScaler) {
    this.sustained = new WindowExtreme(spec.sustainedSeconds, 'min');
    this.stabilized = new WindowExtreme(spec.stabilizationSeconds, 'max');
  }

  decide(o: Observation): Decision {
    if (!o.outage) {
      this.lastSustained = this.sustained.push(o.t, o.metric);
      this.lastStabilized = this.stabilized.push(o.t, this.lastSustained);
    }
    if (!due(o.t, this.spec.intervalSeconds)) return { desired: o.desired };
    const target = this.spec.targetPerInstance;
    if (target === null) return { desired: this.spec.minReplicas, cappedByMax: false };
    if (o.outage) return { desired: o.desired };
    const desired = instanceDecision({
      sustained: this.lastSustained,
      stabilized: this.lastStabilized,
      targetPerInstance: target,
      current: o.desired,
      minInstances: this.spec.minReplicas,
      maxInstances: this.spec.maxReplicas,
      activation: this.spec.activation,
      scaleUp: this.spec.scaleUp,
      scaleDown: this.spec.scaleDown,
      tolerance: this.spec.tolerance,
    });
    return {
      desired,
      cappedByMax: Math.ceil(this.lastSustained / target) > this.spec.maxReplicas,
    };
  }
}

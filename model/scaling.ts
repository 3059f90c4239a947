import { Duration } from './units';

/** One HPA scaling policy: at most `value` pods or percent per `period`. */
export interface ScalingPolicy {
  /** Whether `value` counts pods or percent of the current replicas. */
  readonly type: 'pods' | 'percent';
  /** Pods or percent per period, 1 to 1000. */
  readonly value: number;
  /** Period the policy counts over, 1s to 30m. */
  readonly period: Duration;
}

/**
 * Rate limits of one scaling direction (HPA `behavior`).
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/#configurable-scaling-behavior
 */
export interface ScalingRules {
  /** Recommendations considered over this window; 0..1h. @default - 0 scaling up, 5 min scaling down */
  readonly stabilizationWindow?: Duration;
  /**
   * Limits on how fast replicas change, each at most `value` pods or percent per `period`.
   * @default - scale up 4 pods or 100% per minute; scale down 2 pods per minute
   */
  readonly policies?: readonly ScalingPolicy[];
  /** Which policy wins when several apply. @default 'max' */
  readonly select?: 'max' | 'min' | 'disabled';
}

/**
 * A Prometheus query as a scaling signal, read by KEDA's `prometheus` trigger
 * with `AverageValue`: desired replicas = ceil(value / threshold).
 *
 * `sustainedFor` expresses "for N minutes": the query is wrapped as
 * `min_over_time((<query>)[N:])`, so its value exceeds the threshold only when
 * it stayed above it for the whole window.
 * @see https://keda.sh/docs/latest/scalers/prometheus/
 */
export interface PrometheusSignal {
  /** PromQL query returning one value. */
  readonly query: string;
  /** Value one replica handles. */
  readonly threshold: number;
  /**
   * How long the value must stay above the threshold before it counts, read as
   * `min_over_time` over this window.
   * @default - the instantaneous value
   */
  readonly sustainedFor?: Duration;
  /** Value at which the agent wakes from zero. @default 0 */
  readonly activationThreshold?: number;
  /** URL of the Prometheus KEDA runs the query on. @default - the site's Prometheus */
  readonly serverAddress?: string;
}

/**
 * A window of time with a floor of replicas (KEDA `cron` trigger), e.g. office
 * hours for a bursty reporting agent.
 * @see https://keda.sh/docs/latest/scalers/cron/
 */
export interface CronWindow {
  /** IANA time zone. @default 'Etc/UTC' */
  readonly timezone?: string;
  /** Five-field cron expression where the window opens. */
  readonly start: string;
  /** Five-field cron expression where the window closes. */
  readonly end: string;
  /** Replicas held while the window is open, at most `maxReplicas`. */
  readonly replicas: number;
}

/**
 * KEDA's `fallback`: the replicas a ScaledObject holds when the source of its
 * queue, lag or Prometheus signal fails `failureThreshold` times in a row,
 * never fewer than currently run (`currentReplicasIfHigher`). KEDA applies it
 * at zero replicas too: since 2.19 its polling loop counts a failing signal on
 * fallback as active and wakes the agent (kedacore/keda#7244, KEDA's e2e test
 * `TestFallbackFromZero`).
 * @see https://keda.sh/docs/2.20/reference/scaledobject-spec/#fallback
 */
export interface FallbackSpec {
  /**
   * Turning the fallback off needs a written `reason`: it is the agent's written
   * exception to GR-AS-06, listed with the suppressions in the plan review.
   * Without a fallback, a failing source leaves the agent at the count it runs,
   * and an agent at zero stays there while the backlog grows.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Why the agent has no fallback, at least 20 characters; only with `enabled: false`.
   * @default - none
   */
  readonly reason?: string;
  /** Replicas held, from max(1, minReplicas) to maxReplicas. @default - half-way between the bounds, at least 1 */
  readonly replicas?: number;
  /** Failed reads in a row before the fallback applies, 1 to 100. @default 3 */
  readonly failureThreshold?: number;
}

/**
 * Replica bounds and the signals an agent scales on.
 *
 * - No signal: a fixed count (`minReplicas` must equal `maxReplicas`).
 * - Only `cpu`/`memory`: a native `autoscaling/v2` HorizontalPodAutoscaler.
 * - Any of `queueDepth`, `consumerLag`, `prometheus`, `cron`: a KEDA ScaledObject (ScaledJob for
 *   per-message work) carrying all signals and the HPA behaviour.
 */
export interface ScalingSpec {
  /** Fewest replicas, 0 to 1000; 0 (scale to zero) only with an event signal. */
  readonly minReplicas: number;
  /** Most replicas, 1 to 1000, at least `minReplicas`. */
  readonly maxReplicas: number;
  /** Average CPU utilisation, percent of the request. @default - not a signal */
  readonly cpu?: { readonly targetUtilization: number };
  /** Average memory utilisation, percent of the request. @default - not a signal */
  readonly memory?: { readonly targetUtilization: number };
  /**
   * Messages in the agent's queue (ready and unacknowledged) per replica.
   * `activation` is the depth above which a scaled-to-zero agent wakes (default 0).
   * @default - not a signal
   */
  readonly queueDepth?: { readonly perReplica: number; readonly activation?: number };
  /**
   * Records of the agent's topic its consumer group has not yet committed, per
   * replica (KEDA `kafka` trigger `lagThreshold`). `activation` is the lag above
   * which a scaled-to-zero agent wakes (default 0).
   * @default - not a signal
   */
  readonly consumerLag?: { readonly perReplica: number; readonly activation?: number };
  /** A Prometheus query and the value of it one replica handles. @default - not a signal */
  readonly prometheus?: PrometheusSignal;
  /** Windows of time with a floor of replicas. @default - not a signal */
  readonly cron?: readonly CronWindow[];
  /**
   * HPA behaviour: how fast replicas are added and removed.
   * @default - scale up at most 4 pods or 100% per minute, no window; scale down
   * at most 2 pods per minute after a 5 min window
   */
  readonly behavior?: {
    /** Rate limits when adding replicas. @default - at most 4 pods or 100% per minute, no window */
    readonly scaleUp?: ScalingRules;
    /** Rate limits when removing replicas. @default - at most 2 pods per minute after a 5 min window */
    readonly scaleDown?: ScalingRules;
  };
  /**
   * What KEDA holds when a queue, lag or Prometheus signal's source fails,
   * also at zero replicas (KEDA 2.19 and later wake the agent to the fallback).
   * KEDA allows it only when no cpu/memory signal is present.
   * @default - half-way between the bounds (at least 1) after 3 failures, when a
   * queue, lag or Prometheus signal is present and no cpu/memory one
   */
  readonly fallback?: FallbackSpec;
  /** How often KEDA reads the signals. @default 15s */
  readonly pollingInterval?: Duration;
  /** Wait after the last activity before scaling to zero. @default 5m */
  readonly cooldownPeriod?: Duration;
}

/** Which autoscaler a scaling spec renders to. */
export type AutoscalerKind = 'fixed' | 'hpa' | 'keda';

/** The event-driven signals: the ones only KEDA can read. */
export function hasEventSignal(scaling: ScalingSpec): boolean {
  return Boolean(
    scaling.queueDepth ||
    scaling.consumerLag ||
    scaling.prometheus ||
    (scaling.cron && scaling.cron.length > 0),
  );
}

/** Decides the autoscaler: never two on one workload. */
export function autoscalerKind(scaling: ScalingSpec): AutoscalerKind {
  if (hasEventSignal(scaling)) return 'keda';
  if (scaling.cpu || scaling.memory) return 'hpa';
  return 'fixed';
}

/** Fully resolved HPA behaviour, with the defaults documented on {@link ScalingSpec}. */
export interface ResolvedBehavior {
  /** Rate limits when adding replicas: no window, 4 pods or 100% per minute unless set. */
  readonly scaleUp: Required<ScalingRules>;
  /** Rate limits when removing replicas: a 5 min window, 2 pods per minute unless set. */
  readonly scaleDown: Required<ScalingRules>;
}

/** The HPA behaviour of a scaling spec, with the defaults documented on {@link ScalingSpec}'s `behavior`. */
export function resolveBehavior(scaling: ScalingSpec): ResolvedBehavior {
  const up = scaling.behavior?.scaleUp;
  const down = scaling.behavior?.scaleDown;
  const minute = Duration.seconds(60);
  return {
    scaleUp: {
      stabilizationWindow: up?.stabilizationWindow ?? Duration.seconds(0),
      policies: up?.policies ?? [
        { type: 'pods', value: 4, period: minute },
        { type: 'percent', value: 100, period: minute },
      ],
      select: up?.select ?? 'max',
    },
    scaleDown: {
      stabilizationWindow: down?.stabilizationWindow ?? Duration.minutes(5),
      policies: down?.policies ?? [{ type: 'pods', value: 2, period: minute }],
      select: down?.select ?? 'max',
    },
  };
}

/** The signals a KEDA fallback holds replicas for: those whose source can fail. */
export function hasFallbackSignal(scaling: ScalingSpec): boolean {
  return Boolean(scaling.queueDepth || scaling.consumerLag || scaling.prometheus);
}

/**
 * The fallback KEDA applies, or undefined where none applies: no signal whose
 * source can fail, a cpu/memory signal (KEDA refuses it there), or turned off
 * in writing (`enabled: false`). At `minReplicas` 0 it applies as well:
 * KEDA wakes the agent to it from zero.
 */
export function resolveFallback(
  scaling: ScalingSpec,
): { readonly replicas: number; readonly failureThreshold: number } | undefined {
  if (scaling.cpu || scaling.memory) return undefined;
  if (!hasFallbackSignal(scaling)) return undefined;
  if (scaling.fallback?.enabled === false) return undefined;
  const halfway = Math.max(1, Math.ceil((scaling.minReplicas + scaling.maxReplicas) / 2));
  return {
    replicas: scaling.fallback?.replicas ?? halfway,
    failureThreshold: scaling.fallback?.failureThreshold ?? 3,
  };
}

/** Why the agent has no fallback when the environment file turned it off, else undefined. */
export function fallbackOffReason(scaling: ScalingSpec | undefined): string | undefined {
  return scaling?.fallback?.enabled === false ? (scaling.fallback.reason ?? '') : undefined;
}

/** The Prometheus query as KEDA runs it, with `sustainedFor` applied. */
export function effectivePrometheusQuery(signal: PrometheusSignal): string {
  if (!signal.sustainedFor || signal.sustainedFor.millis === 0) return signal.query;
  return `min_over_time((${signal.query})[${signal.sustainedFor.toPromQl()}:])`;
}

/** One-line description of the scaling, for summaries. */
export function describeSignals(scaling: ScalingSpec): string {
  const parts = signalParts(scaling);
  return parts.length > 0 ? parts.join(', ') : 'fixed';
}

/** Each signal of a scaling spec in words, e.g. `queue depth 20/replica`; none when fixed. */
export function signalParts(scaling: ScalingSpec): string[] {
  const parts: string[] = [];
  if (scaling.queueDepth) parts.push(`queue depth ${scaling.queueDepth.perReplica}/replica`);
  if (scaling.consumerLag) parts.push(`consumer lag ${scaling.consumerLag.perReplica}/replica`);
  if (scaling.prometheus) {
    const sustained = scaling.prometheus.sustainedFor
      ? ` for ${scaling.prometheus.sustainedFor}`
      : '';
    parts.push(`prometheus > ${scaling.prometheus.threshold}${sustained}`);
  }
  if (scaling.cpu) parts.push(`cpu ${scaling.cpu.targetUtilization}%`);
  if (scaling.memory) parts.push(`memory ${scaling.memory.targetUtilization}%`);
  if (scaling.cron && scaling.cron.length > 0) parts.push(`cron ×${scaling.cron.length}`);
  return parts;
}

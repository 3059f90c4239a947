/**
 * The replica count one metric of a Kubernetes HorizontalPodAutoscaler
 * proposes: a port of the controller's replica calculator for the metric
 * kinds KEDA and our agents use. Inputs are numbers, not pods: callers pass
 * what the metrics APIs and the pod list would yield.
 *
 * Not modelled: Pods metrics (`calcPlainMetricReplicas`), ContainerResource
 * metrics, raw-value Resource targets, metrics for pods the pod list does
 * not hold (superfluous samples, which upstream still counts when it
 * re-computes with unready or missing pods), Quantity rounding to
 * milli-units, and errors other than "no metrics" (missing requests, an
 * empty pod list).
 *
 * @see https://github.com/kubernetes/kubernetes/blob/00067268967ec95a40035bd666374a1caf48dd1a/pkg/controller/podautoscaler/replica_calculator.go
 * @see https://github.com/kubernetes/kubernetes/blob/00067268967ec95a40035bd666374a1caf48dd1a/pkg/controller/podautoscaler/metrics/utilization.go
 */
import { HPA_TOLERANCE } from './replica-rule';

/** An External (or Object) metric with an `AverageValue` target. */
export interface AverageValueInput {
  /** The metric: the sum of every value the external metrics API returns (KEDA serves one). */
  readonly usage: number;
  /** `target.averageValue`: what one replica is meant to handle. */
  readonly targetAverageValue: number;
  /** `scale.status.replicas`: the pods the workload has now. */
  readonly statusReplicas: number;
  /** How far from 1 the usage ratio may be before the count changes. @default HPA_TOLERANCE */
  readonly tolerance?: number;
}

/**
 * `GetExternalPerPodMetricReplicas` (and `GetObjectPerPodMetricReplicas`,
 * the same formula): `ceil(usage / target)` unless `usage / (target ×
 * statusReplicas)` is within the tolerance of 1, when `statusReplicas`
 * stays. Readiness plays no part.
 */
export function averageValueReplicas(input: AverageValueInput): number {
  const { usage, targetAverageValue: target, statusReplicas } = input;
  const ratio = usage / (target * statusReplicas);
  // A NaN ratio (no pods, no usage) keeps the count, as Go's comparison does.
  if (Math.abs(1 - ratio) > (input.tolerance ?? HPA_TOLERANCE)) return Math.ceil(usage / target);
  return statusReplicas;
}

/** An External (or Object) metric with a `Value` target. */
export interface ValueInput {
  /** The metric: the sum of every value the external metrics API returns. */
  readonly usage: number;
  /** `target.value`: what the whole workload is meant to handle. */
  readonly targetValue: number;
  /** `scale.spec.replicas`: the replicas the workload is meant to have now. */
  readonly currentReplicas: number;
  /** Pods that are Running and Ready. */
  readonly readyPods: number;
  /** How far from 1 the usage ratio may be before the count changes. @default HPA_TOLERANCE */
  readonly tolerance?: number;
}

/**
 * `GetExternalMetricReplicas` (and `GetObjectMetricReplicas`) through
 * `getUsageRatioReplicaCount`: with the ratio `usage / target` within the
 * tolerance of 1 the count stays, else it becomes `ceil(ratio ×
 * readyPods)`. From 0 replicas (an HPA whose minimum is 0) tolerance and
 * readiness are skipped: `ceil(ratio)`.
 */
export function valueReplicas(input: ValueInput): number {
  const ratio = input.usage / input.targetValue;
  if (input.currentReplicas === 0) return Math.ceil(ratio);
  if (Math.abs(1 - ratio) <= (input.tolerance ?? HPA_TOLERANCE)) return input.currentReplicas;
  return Math.ceil(ratio * input.readyPods);
}

/** Pods counted together, with the sum of their resource requests. */
export interface PodGroup {
  /** How many pods. */
  readonly count: number;
  /** Their requests of the resource, summed, in milli-units (millicores, or bytes × 1000). */
  readonly requests: number;
}

/** The pods whose samples count, with their usage. */
export interface ReadyPods extends PodGroup {
  /** Their usage of the resource, summed, in the unit of `requests`. */
  readonly usage: number;
}

/** A Resource metric (cpu, memory) with an `Utilization` target. */
export interface UtilizationInput {
  /** `scale.spec.replicas`: the replicas the workload is meant to have now. */
  readonly currentReplicas: number;
  /** `target.averageUtilization`: percent of the pods' requests. */
  readonly targetUtilization: number;
  /** Pods with a sample that counts. */
  readonly ready: ReadyPods;
  /**
   * Pods whose samples are set aside: Pending, or for cpu not Ready or still
   * in their initialisation period (`groupPods`). Failed and deleting pods
   * belong in no group. @default - none
   */
  readonly unready?: PodGroup;
  /** Pods the metrics API returned no sample for. @default - none */
  readonly missing?: PodGroup;
  /** How far from 1 the usage ratio may be before the count changes. @default HPA_TOLERANCE */
  readonly tolerance?: number;
}

/** What a Resource metric proposes. */
export interface UtilizationResult {
  /** The replicas proposed. */
  readonly replicas: number;
  /** The ready pods' utilization, whole percent of their requests (`status.currentMetrics`). */
  readonly utilization: number;
}

const NO_PODS: PodGroup = { count: 0, requests: 0 };

/**
 * `GetResourceReplicas`: the ready pods' utilization
 * `floor(usage × 100 / requests)` over the target is the usage ratio; within
 * the tolerance of 1 the count stays, else `ceil(ratio × ready pods)`. With
 * missing pods, or unready pods on a scale-up, the ratio is computed again
 * counting missing pods at 100% of their request on a scale-down and 0% on a
 * scale-up, and unready pods at 0%; if that flips the direction, or lands
 * within the tolerance, the count stays.
 * @throws when no ready pod has a sample, as upstream's "did not receive metrics".
 */
export function utilizationReplicas(input: UtilizationInput): UtilizationResult {
  const { currentReplicas: current, targetUtilization: target, ready } = input;
  const unready = input.unready ?? NO_PODS;
  const missing = input.missing ?? NO_PODS;
  const tolerance = input.tolerance ?? HPA_TOLERANCE;
  if (ready.count === 0) throw new Error('did not receive metrics for any ready pods');
  if (!(ready.requests > 0)) throw new Error('no metrics returned matched known pods');
  const utilization = percentOf(ready.usage, ready.requests);
  const ratio = utilization / target;
  const rebalanceUnready = unready.count > 0 && ratio > 1;
  if (!rebalanceUnready && missing.count === 0) {
    if (Math.abs(1 - ratio) <= tolerance) return { replicas: current, utilization };
    return { replicas: Math.ceil(ratio * ready.count), utilization };
  }
  let usage = ready.usage;
  let requests = ready.requests;
  let samples = ready.count;
  // At a ratio of exactly 1 upstream adds no sample for missing pods.
  if (missing.count > 0 && ratio !== 1) {
    if (ratio < 1) usage += missing.requests;
    requests += missing.requests;
    samples += missing.count;
  }
  if (rebalanceUnready) {
    requests += unready.requests;
    samples += unready.count;
  }
  const newRatio = percentOf(usage, requests) / target;
  const flips = (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1);
  if (Math.abs(1 - newRatio) <= tolerance || flips) return { replicas: current, utilization };
  const replicas = Math.ceil(newRatio * samples);
  // Counting more pods must not turn a scale-down into a scale-up, nor the reverse.
  if ((newRatio < 1 && replicas > current) || (newRatio > 1 && replicas < current)) {
    return { replicas: current, utilization };
  }
  return { replicas, utilization };
}

/** `int32((metricsTotal * 100) / requestsTotal)`: whole percent, truncated as Go's integer division. */
function percentOf(usage: number, requests: number): number {
  return Math.trunc((usage * 100) / requests);
}

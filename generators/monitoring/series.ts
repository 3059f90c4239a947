import { hpaName, MonitoredAgent } from './monitored';
import { regexLiteral, selector } from './promql';

/**
 * PromQL for the series an agent's rules and dashboard read, in one place so
 * that both read the same thing.
 */

/** Per-queue gauges of RabbitMQ's `/metrics/detailed`. */
export type QueueMetric =
  | 'rabbitmq_detailed_queue_messages'
  | 'rabbitmq_detailed_queue_messages_ready'
  | 'rabbitmq_detailed_queue_messages_unacked'
  | 'rabbitmq_detailed_queue_consumers';

/** The raw series of the agent's queue, selected by broker, vhost and queue. */
export function queueSelector(agent: MonitoredAgent, metric: QueueMetric): string {
  const queue = requireQueue(agent);
  return selector(metric, [
    ['broker', '=', queue.broker],
    ['vhost', '=', queue.vhost],
    ['queue', '=', queue.queue],
  ]);
}

/**
 * One series per queue. `max`, not `sum`: a queue is reported by the node
 * that hosts it (a quorum queue by its leader), and should another node ever
 * report it too, it would be the same number, not a share of it.
 */
export function queueSeries(agent: MonitoredAgent, metric: QueueMetric): string {
  return `max by (broker, vhost, queue) (${queueSelector(agent, metric)})`;
}

/**
 * A kube-state-metrics series of the agent's HPA (for KEDA, the HPA it
 * manages), one series even when kube-state-metrics runs more than once.
 * @see https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/horizontalpodautoscaler-metrics.md
 */
export function hpaSeries(
  agent: MonitoredAgent,
  metric:
    | 'kube_horizontalpodautoscaler_status_current_replicas'
    | 'kube_horizontalpodautoscaler_status_desired_replicas'
    | 'kube_horizontalpodautoscaler_spec_min_replicas'
    | 'kube_horizontalpodautoscaler_spec_max_replicas',
): string {
  const name = hpaName(agent);
  if (!name) throw new Error(`agent '${agent.name}' (${agent.scaling}) has no HPA`);
  const series = selector(metric, [
    ['namespace', '=', agent.namespace],
    ['horizontalpodautoscaler', '=', name],
  ]);
  return `max by (namespace, horizontalpodautoscaler) (${series})`;
}

/**
 * A kube-state-metrics series of the agent's Deployment.
 * @see https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/deployment-metrics.md
 */
export function deploymentSeries(
  agent: MonitoredAgent,
  metric: 'kube_deployment_status_replicas' | 'kube_deployment_spec_replicas',
): string {
  const series = selector(metric, [
    ['namespace', '=', agent.namespace],
    ['deployment', '=', agent.name],
  ]);
  return `max by (namespace, deployment) (${series})`;
}

/**
 * Jobs running now for a job-based agent, counted through the Jobs' owner
 * (the CronJob or the ScaledJob named after the agent).
 * @see https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/job-metrics.md
 */
export function activeJobs(agent: MonitoredAgent): string {
  const ownerKind = agent.scaling === 'cron-job' ? 'CronJob' : 'ScaledJob';
  const active = selector('kube_job_status_active', [['namespace', '=', agent.namespace]]);
  const owned = selector('kube_job_owner', [
    ['namespace', '=', agent.namespace],
    ['owner_kind', '=', ownerKind],
    ['owner_name', '=', agent.name],
  ]);
  return `sum(${active} and on (namespace, job_name) ${owned})`;
}

/**
 * Names of the agent's pods: `<name>-<hash>-<suffix>` for a Deployment's,
 * `<name>-<id>-<suffix>` for a Job's. Neither part contains '-', so the
 * pods of an agent `image` never match those of `image-processing`.
 */
export function podRegex(agent: MonitoredAgent): string {
  return `${regexLiteral(agent.name)}-[a-z0-9]+-[a-z0-9]+`;
}

/**
 * Pod-level cAdvisor series of the agent's pods, summed over their containers
 * (`container!=""` leaves out the pod-level cgroup).
 */
export function podUsage(
  agent: MonitoredAgent,
  metric: 'container_cpu_usage_seconds_total' | 'container_memory_working_set_bytes',
): string {
  const series = selector(metric, [
    ['namespace', '=', agent.namespace],
    ['pod', '=~', podRegex(agent)],
    ['container', '!=', ''],
  ]);
  return metric === 'container_cpu_usage_seconds_total'
    ? `sum by (pod) (rate(${series}[5m]))`
    : `sum by (pod) (${series})`;
}

/** Requests of the agent's pods, summed over their containers. */
export function podRequests(agent: MonitoredAgent, resource: 'cpu' | 'memory'): string {
  const series = selector('kube_pod_container_resource_requests', [
    ['namespace', '=', agent.namespace],
    ['pod', '=~', podRegex(agent)],
    ['resource', '=', resource],
  ]);
  return `sum by (pod) (${series})`;
}

/**
 * KEDA's per-scaler error counter for the agent's ScaledObject or ScaledJob
 * (both carry its name in the label `scaledObject`, told apart by `type`),
 * through `fn` over `window`, summed per scaler.
 *
 * KEDA labels the series with the ScaledObject's namespace as `namespace`. The
 * KEDA chart's ServiceMonitor does not honour labels, so Prometheus renames it
 * to `exported_namespace` and sets `namespace` to KEDA's own: both are read.
 * @see https://keda.sh/docs/2.20/integrations/prometheus/
 * @see https://github.com/kedacore/keda/blob/main/pkg/metricscollector/prommetrics.go
 */
export function kedaScalerErrors(
  agent: MonitoredAgent,
  fn: 'increase' | 'rate',
  window: string,
): string {
  const type = agent.scaling === 'keda-job' ? 'scaledjob' : 'scaledobject';
  const matchers = (namespaceLabel: string) =>
    selector('keda_scaler_detail_errors_total', [
      [namespaceLabel, '=', agent.namespace],
      ['scaledObject', '=', agent.name],
      ['type', '=', type],
    ]);
  return (
    `sum by (scaler) (\n` +
    `  ${fn}(${matchers('namespace')}[${window}])\n` +
    `  or ${fn}(${matchers('exported_namespace')}[${window}])\n` +
    `)`
  );
}

function requireQueue(agent: MonitoredAgent): NonNullable<MonitoredAgent['queue']> {
  if (!agent.queue) throw new Error(`agent '${agent.name}' consumes no queue`);
  return agent.queue;
}

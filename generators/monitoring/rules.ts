import { stringify } from 'yaml';
import {
  hpaName,
  MonitoredAgent,
  MonitoredBroker,
  runsAsDeployment,
  validateMonitored,
} from './monitored';
import { selector } from './promql';
import { brokerNodeJob } from './scrape-configs';
import {
  deploymentSeries,
  hpaSeries,
  kedaScalerErrors,
  queueSelector,
  queueSeries,
} from './series';

/**
 * An alerting rule. Labels and annotations are Go templates evaluated by
 * Prometheus; everything this module puts in them is either a DNS label or a
 * `{{ $labels.x }}` reference, never a free-form queue name.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/
 */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: { readonly summary: string; readonly description: string };
}

/**
 * A recording rule: Prometheus evaluates `expr` at every interval of its group
 * and stores the result as the series `record`.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/
 */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface RuleGroup<R = AlertingRule | RecordingRule> {
  readonly name: string;
  readonly rules: readonly R[];
}

/**
 * A Prometheus rule file: what `rule_files` loads, a PrometheusRule's `spec`,
 * and one entry of kube-prometheus-stack's `additionalPrometheusRulesMap`.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/#recording-rules
 */
export interface RuleFile<R = AlertingRule | RecordingRule> {
  readonly groups: readonly RuleGroup<R>[];
}

/** Severity label values, as kube-prometheus-stack's Alertmanager routes them. */
export type Severity = 'warning' | 'critical';

/**
 * Queue depth below which a growing backlog is not worth waking anyone, for
 * agents that do not say how much one replica handles.
 */
export const DEFAULT_BACKLOG_FLOOR = 100;

/**
 * Depth above which a growing queue means the agent cannot keep up: what all
 * replicas at the maximum are meant to handle (`perReplica × maxReplicas`),
 * or {@link DEFAULT_BACKLOG_FLOOR} when `perReplica` is not known.
 */
export function backlogThreshold(agent: MonitoredAgent): number {
  const perReplica = agent.queue?.perReplica;
  return perReplica !== undefined ? perReplica * agent.maxReplicas : DEFAULT_BACKLOG_FLOOR;
}

/**
 * The alerts of each agent type and broker of a site, one group per agent
 * (`agent-fleet-alerts.<agent>`) and one for the brokers
 * (`agent-fleet-alerts.brokers`). Each agent gets only the alerts that apply:
 *
 * | alert                       | for    | applies to                                              | severity |
 * | --------------------------- | ------ | ------------------------------------------------------- | -------- |
 * | `AgentBacklogGrowing`       | 15m    | queue agents on a monitored broker, except `cron-job`   | warning  |
 * | `AgentAtMaxReplicas`        | 15m    | `keda` and `hpa` agents whose max exceeds their min     | warning  |
 * | `AgentScalingSourceFailing` | 5m     | `keda` (warning: fallback holds) and `keda-job` (critical: no fallback, no Jobs start) | both |
 * | `BrokerDown`                | 2m     | each broker                                             | critical |
 *
 * A scheduled agent's queue fills between runs by design, so `cron-job`
 * agents get no backlog alert; an agent whose queue is on a broker not in
 * `brokers` gets none either, since no series of that queue is scraped.
 *
 * Agent alerts are labelled `severity`, `agent` and `namespace`; `BrokerDown`
 * is labelled `severity`, `broker` and the broker's `namespace`.
 *
 * @throws ValidationError listing every invalid name or bound
 * @see https://prometheus.io/docs/practices/alerting/
 */
export function alertingRules(
  brokers: readonly MonitoredBroker[],
  agents: readonly MonitoredAgent[],
): RuleFile<AlertingRule> {
  validateMonitored(brokers, agents);
  const monitoredBrokers = new Set(brokers.map((broker) => broker.name));
  const groups: RuleGroup<AlertingRule>[] = [];
  for (const agent of agents) {
    const rules: AlertingRule[] = [];
    if (agent.queue && agent.scaling !== 'cron-job' && monitoredBrokers.has(agent.queue.broker)) {
      rules.push(backlogGrowing(agent));
    }
    if (hpaName(agent) && agent.maxReplicas > agent.minReplicas) rules.push(atMaxReplicas(agent));
    if (agent.scaling === 'keda' || agent.scaling === 'keda-job') {
      rules.push(scalingSourceFailing(agent));
    }
    if (rules.length > 0) groups.push({ name: `agent-fleet-alerts.${agent.name}`, rules });
  }
  if (brokers.length > 0) {
    groups.push({ name: 'agent-fleet-alerts.brokers', rules: brokers.map(brokerDown) });
  }
  return { groups };
}

function agentLabels(agent: MonitoredAgent, severity: Severity): Record<string, string> {
  return { severity, agent: agent.name, namespace: agent.namespace };
}

function backlogGrowing(agent: MonitoredAgent): AlertingRule {
  const depth = queueSelector(agent, 'rabbitmq_detailed_queue_messages');
  const threshold = backlogThreshold(agent);
  return {
    alert: 'AgentBacklogGrowing',
    expr: [
      `max by (broker, vhost, queue) (deriv(${depth}[10m])) > 0`,
      `and`,
      `${queueSeries(agent, 'rabbitmq_detailed_queue_messages')} > ${threshold}`,
    ].join('\n'),
    for: '15m',
    labels: agentLabels(agent, 'warning'),
    annotations: {
      summary: `Agent ${agent.name}: queue {{ $labels.queue }} keeps growing`,
      description:
        `Queue {{ $labels.queue }} (vhost {{ $labels.vhost }}, broker {{ $labels.broker }}) of agent ` +
        `${agent.name} in namespace ${agent.namespace} has held more than ${threshold} messages ` +
        `and kept growing for 15 minutes: the agent does not keep up. Check that its pods run ` +
        `and consume (consumers on the queue, errors in their logs), that it is not held at ` +
        `${agent.maxReplicas} replicas (raise maxReplicas if the cluster has room), and whether ` +
        `a publisher is flooding the queue.`,
    },
  };
}

function atMaxReplicas(agent: MonitoredAgent): AlertingRule {
  const hpa = hpaName(agent) as string;
  return {
    alert: 'AgentAtMaxReplicas',
    expr: [
      hpaSeries(agent, 'kube_horizontalpodautoscaler_status_current_replicas'),
      '>=',
      hpaSeries(agent, 'kube_horizontalpodautoscaler_spec_max_replicas'),
    ].join('\n'),
    for: '15m',
    labels: agentLabels(agent, 'warning'),
    annotations: {
      summary: `Agent ${agent.name} has run at its maximum of ${agent.maxReplicas} replicas for 15 minutes`,
      description:
        `HPA ${hpa} in namespace ${agent.namespace} has held agent ${agent.name} at its maximum ` +
        `replicas for 15 minutes, so demand may exceed what the agent can scale to. Check its ` +
        `backlog and latency: if they grow, raise scaling.maxReplicas (and make sure the node ` +
        `pools have room); if load is normal, the per-replica target may be too low.`,
    },
  };
}

function scalingSourceFailing(agent: MonitoredAgent): AlertingRule {
  const job = agent.scaling === 'keda-job';
  const kind = job ? 'ScaledJob' : 'ScaledObject';
  return {
    alert: 'AgentScalingSourceFailing',
    expr: `${kedaScalerErrors(agent, 'increase', '5m')} > 0`,
    for: '5m',
    labels: agentLabels(agent, job ? 'critical' : 'warning'),
    annotations: {
      summary: `Agent ${agent.name}: KEDA cannot read scaler {{ $labels.scaler }}`,
      description:
        `KEDA has failed to read the scaling signal of ${kind} ${agent.name} in namespace ` +
        `${agent.namespace} (scaler {{ $labels.scaler }}) for 5 minutes. ` +
        (job
          ? `A ScaledJob has no fallback: no new Jobs start until the signal is back. `
          : `The agent is held at its fallback replicas and no longer follows demand. `) +
        `Check the KEDA operator's logs and the ${kind}'s events (kubectl describe ` +
        `${kind.toLowerCase()} ${agent.name} -n ${agent.namespace}), that the source (broker ` +
        `management API, Prometheus) is reachable from KEDA's namespace, and that the ` +
        `TriggerAuthentication's credentials are valid.`,
    },
  };
}

function brokerDown(broker: MonitoredBroker): AlertingRule {
  const up = selector('up', [['job', '=', brokerNodeJob(broker.name)]]);
  return {
    alert: 'BrokerDown',
    expr: `${up} == 0\nor\nabsent(${up})`,
    for: '2m',
    labels: { severity: 'critical', broker: broker.name, namespace: broker.namespace },
    annotations: {
      summary: `RabbitMQ broker ${broker.name} is down or not scraped`,
      description:
        `A node of RabbitMQ broker ${broker.name} in namespace ${broker.namespace} has not ` +
        `answered Prometheus for 2 minutes, or no node of it is discovered at all. Agents on ` +
        `it may stop receiving work and KEDA cannot read its queues. Check the broker pods ` +
        `(kubectl get pods -n ${broker.namespace} -l app.kubernetes.io/instance=${broker.name}), ` +
        `their logs and memory/disk alarms, and that the Prometheus plugin listens on port 15692.`,
    },
  };
}

/**
 * Recording rules per queue agent, one group each (`agent-fleet-records.<agent>`),
 * named `level:metric:operations` with level `agent` (labels `agent`,
 * `namespace`, `broker`, `vhost`, `queue`):
 * - `agent:rabbitmq_detailed_queue_messages:max`, `…_ready:max`,
 *   `…_unacked:max`, `agent:rabbitmq_detailed_queue_consumers:max`;
 * - `agent:queue_messages_per_replica:ratio`: depth over the Deployment's
 *   current replicas (kube-state-metrics), for agents that run as a
 *   Deployment; absent while none runs rather than infinite.
 *
 * @throws ValidationError listing every invalid name or bound
 * @see https://prometheus.io/docs/practices/rules/#naming-and-aggregation
 */
export function recordingRules(agents: readonly MonitoredAgent[]): RuleFile<RecordingRule> {
  validateMonitored([], agents);
  const groups: RuleGroup<RecordingRule>[] = [];
  for (const agent of agents) {
    if (!agent.queue) continue;
    const labels = { agent: agent.name, namespace: agent.namespace };
    const rules: RecordingRule[] = (
      [
        'rabbitmq_detailed_queue_messages',
        'rabbitmq_detailed_queue_messages_ready',
        'rabbitmq_detailed_queue_messages_unacked',
        'rabbitmq_detailed_queue_consumers',
      ] as const
    ).map((metric) => ({
      record: `agent:${metric}:max`,
      expr: queueSeries(agent, metric),
      labels,
    }));
    if (runsAsDeployment(agent)) {
      rules.push({
        record: 'agent:queue_messages_per_replica:ratio',
        expr: [
          queueSeries(agent, 'rabbitmq_detailed_queue_messages'),
          // group_left keeps the queue's labels; plain one-to-one 'on ()' would drop them.
          '/ on () group_left ()',
          `(${deploymentSeries(agent, 'kube_deployment_status_replicas')} > 0)`,
        ].join('\n'),
        labels,
      });
    }
    groups.push({ name: `agent-fleet-records.${agent.name}`, rules });
  }
  return { groups };
}

/**
 * The rule file as YAML, for `promtool check rules` or a ConfigMap. Long
 * expressions are not folded.
 */
export function toRuleFile(file: RuleFile): string {
  return stringify(file, { lineWidth: 0 });
}

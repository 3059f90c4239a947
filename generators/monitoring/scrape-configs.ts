import { stringify } from 'yaml';
import { MonitoredAgent, MonitoredBroker, validateMonitored } from './monitored';
import { regexLiteral } from './promql';

/**
 * One relabelling step, in Prometheus' snake_case.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#relabel_config
 */
export interface RelabelConfig {
  readonly source_labels?: readonly string[];
  readonly separator?: string;
  readonly regex?: string;
  readonly target_label?: string;
  readonly replacement?: string;
  readonly action?: 'replace' | 'keep' | 'drop' | 'labelmap' | 'labeldrop' | 'labelkeep';
}

/**
 * One entry of Prometheus' `scrape_configs`, as much of it as this module
 * writes. JSON-able as it is: kube-prometheus-stack takes a list of these as
 * `prometheus.prometheusSpec.additionalScrapeConfigs`.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config
 */
export interface ScrapeConfig {
  readonly job_name: string;
  readonly metrics_path?: string;
  readonly params?: Readonly<Record<string, readonly string[]>>;
  readonly kubernetes_sd_configs: readonly {
    readonly role: 'pod';
    readonly namespaces: { readonly names: readonly string[] };
  }[];
  readonly relabel_configs: readonly RelabelConfig[];
}

/** Port of RabbitMQ's Prometheus plugin, named `prometheus` on the broker pods. */
export const RABBITMQ_PROMETHEUS_PORT_NAME = 'prometheus';

/**
 * Metric families asked of RabbitMQ's `/metrics/detailed`: per-queue depth
 * (`rabbitmq_detailed_queue_messages`, `_ready`, `_unacked`) and consumers
 * (`rabbitmq_detailed_queue_consumers`), labelled `vhost` and `queue`.
 * @see https://www.rabbitmq.com/docs/prometheus#detailed-endpoint
 * @see https://github.com/rabbitmq/rabbitmq-server/blob/main/deps/rabbitmq_prometheus/metrics-detailed.md
 */
export const RABBITMQ_QUEUE_FAMILIES = ['queue_coarse_metrics', 'queue_consumer_count'] as const;

/** Job of a broker's per-queue series. */
export function brokerQueueJob(broker: string): string {
  return `rabbitmq-${broker}`;
}

/** Job of a broker's aggregated `/metrics`: its `up` says whether each node answers. */
export function brokerNodeJob(broker: string): string {
  return `rabbitmq-${broker}-node`;
}

/** Job that scrapes every agent pod with a metrics port. */
export const AGENTS_JOB = 'agent-fleet-agents';

/**
 * Scrape jobs for the brokers and the agents of one site, for
 * kube-prometheus-stack's `prometheus.prometheusSpec.additionalScrapeConfigs`.
 *
 * Per broker, two jobs over the broker's pods (kubernetes_sd, role pod, its
 * namespace only), both labelled `broker=<name>`, `namespace`, `pod`:
 * - `rabbitmq-<broker>`: `/metrics/detailed` with the queue families, the
 *   per-queue series the alerts read (the default `/metrics` aggregates over
 *   queues);
 * - `rabbitmq-<broker>-node`: the aggregated `/metrics`, for `up` and node health.
 *
 * Agents: one job, `agent-fleet-agents`, over the agents' namespaces, keeping
 * running pods labelled `app.kubernetes.io/part-of=agent-fleet` on the metrics
 * port each agent declares, labelled `namespace`, `pod` and `agent` (from
 * `app.kubernetes.io/name`). Left out when no agent declares a metrics port:
 * an empty namespace list would mean every namespace.
 *
 * @throws ValidationError listing every invalid name or bound
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#kubernetes_sd_config
 * @see https://github.com/prometheus-community/helm-charts/blob/main/charts/kube-prometheus-stack/values.yaml
 */
export function scrapeConfigs(
  brokers: readonly MonitoredBroker[],
  agents: readonly MonitoredAgent[],
): ScrapeConfig[] {
  validateMonitored(brokers, agents);
  const jobs: ScrapeConfig[] = [];
  for (const broker of brokers) {
    jobs.push({
      job_name: brokerQueueJob(broker.name),
      metrics_path: '/metrics/detailed',
      params: { family: [...RABBITMQ_QUEUE_FAMILIES] },
      ...brokerTargets(broker),
    });
    jobs.push({
      job_name: brokerNodeJob(broker.name),
      metrics_path: '/metrics',
      ...brokerTargets(broker),
    });
  }
  const agentJob = agentsJob(agents);
  if (agentJob) jobs.push(agentJob);
  return jobs;
}

function brokerTargets(
  broker: MonitoredBroker,
): Pick<ScrapeConfig, 'kubernetes_sd_configs' | 'relabel_configs'> {
  return {
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [broker.namespace] } }],
    relabel_configs: [
      {
        source_labels: [
          '__meta_kubernetes_pod_label_app_kubernetes_io_name',
          '__meta_kubernetes_pod_label_app_kubernetes_io_instance',
        ],
        separator: ';',
        regex: `rabbitmq;${regexLiteral(broker.name)}`,
        action: 'keep',
      },
      {
        source_labels: ['__meta_kubernetes_pod_container_port_name'],
        regex: RABBITMQ_PROMETHEUS_PORT_NAME,
        action: 'keep',
      },
      ...runningPodLabels(),
      { target_label: 'broker', replacement: broker.name },
    ],
  };
}

function agentsJob(agents: readonly MonitoredAgent[]): ScrapeConfig | undefined {
  const scraped = agents.filter((agent) => agent.metricsPort !== undefined);
  if (scraped.length === 0) return undefined;
  const namespaces = [...new Set(scraped.map((agent) => agent.namespace))].sort();
  const agentPorts = scraped
    .map((agent) => `${regexLiteral(agent.name)};${regexLiteral(agent.metricsPort as string)}`)
    .sort();
  return {
    job_name: AGENTS_JOB,
    kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: namespaces } }],
    relabel_configs: [
      {
        source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_part_of'],
        regex: 'agent-fleet',
        action: 'keep',
      },
      {
        // Each agent on the port it declares, so one job serves agents whose ports differ.
        source_labels: [
          '__meta_kubernetes_pod_label_app_kubernetes_io_name',
          '__meta_kubernetes_pod_container_port_name',
        ],
        separator: ';',
        regex: agentPorts.length === 1 ? agentPorts[0] : `(${agentPorts.join('|')})`,
        action: 'keep',
      },
      ...runningPodLabels(),
      {
        source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'],
        target_label: 'agent',
      },
    ],
  };
}

/**
 * Keeps running pods only (finished Job pods stay listed until deleted and
 * would report `up == 0`), and labels each target with its namespace and pod.
 */
function runningPodLabels(): RelabelConfig[] {
  return [
    { source_labels: ['__meta_kubernetes_pod_phase'], regex: 'Running', action: 'keep' },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
  ];
}

/**
 * A complete, minimal `prometheus.yml` around the given scrape jobs: what
 * `promtool check config` reads. kube-prometheus-stack writes its own; this
 * is for checking and for running Prometheus by hand.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/
 */
export function prometheusConfigFile(
  configs: readonly ScrapeConfig[],
  options: {
    /** Rule files to load, relative to the configuration file. @default - none */
    readonly ruleFiles?: readonly string[];
    /** Global scrape and rule evaluation interval, a Prometheus duration. @default '30s' */
    readonly interval?: string;
  } = {},
): string {
  const interval = options.interval ?? '30s';
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    ...(options.ruleFiles && options.ruleFiles.length > 0
      ? { rule_files: [...options.ruleFiles] }
      : {}),
    scrape_configs: configs,
  };
  return stringify(config, { lineWidth: 0 });
}

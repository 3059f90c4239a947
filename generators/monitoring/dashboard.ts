import { createHash } from 'crypto';
import { hpaName, MonitoredAgent, runsAsDeployment, validateMonitored } from './monitored';
import {
  activeJobs,
  deploymentSeries,
  hpaSeries,
  kedaScalerErrors,
  podRequests,
  podUsage,
  queueSeries,
} from './series';

/**
 * Dashboard JSON schema version written. Grafana migrates older versions on
 * load; 39 is read by Grafana 10.4 and later, kube-prometheus-stack ships newer.
 * @see https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
 */
export const GRAFANA_SCHEMA_VERSION = 39;

/**
 * UID of the Prometheus data source kube-prometheus-stack provisions in its
 * Grafana (`grafana.sidecar.datasources.uid`); the dashboard's `datasource`
 * variable starts on it and lists every Prometheus data source.
 */
export const DEFAULT_DATASOURCE_UID = 'prometheus';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

/** A Grafana dashboard JSON model, as much of it as this module writes. */
export interface GrafanaDashboard {
  readonly id: null;
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly timezone: string;
  readonly editable: boolean;
  readonly graphTooltip: number;
  readonly schemaVersion: number;
  readonly version: number;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly templating: { readonly list: readonly object[] };
  readonly annotations: { readonly list: readonly object[] };
  readonly panels: readonly GrafanaPanel[];
}

export interface GrafanaPanel {
  readonly id: number;
  readonly type: 'timeseries';
  readonly title: string;
  readonly description: string;
  readonly datasource: typeof DATASOURCE;
  readonly gridPos: {
    readonly h: number;
    readonly w: number;
    readonly x: number;
    readonly y: number;
  };
  readonly fieldConfig: {
    readonly defaults: { readonly unit: string; readonly min: number };
    readonly overrides: readonly object[];
  };
  readonly options: object;
  readonly targets: readonly {
    readonly refId: string;
    readonly datasource: typeof DATASOURCE;
    readonly expr: string;
    readonly legendFormat: string;
  }[];
}

/**
 * Dashboard UID of an agent: `agent-fleet-<name>`, or, past Grafana's 40
 * characters, the name cut short plus 8 hex digits of its SHA-256, so that it
 * stays unique and stable.
 */
export function dashboardUid(agentName: string): string {
  const uid = `agent-fleet-${agentName}`;
  if (uid.length <= 40) return uid;
  const hash = createHash('sha256').update(agentName).digest('hex').slice(0, 8);
  return `${uid.slice(0, 31).replace(/-+$/, '')}-${hash}`;
}

/**
 * A Grafana dashboard for one agent type, for a ConfigMap labelled
 * `grafana_dashboard: "1"` that kube-prometheus-stack's Grafana sidecar loads.
 * Panels, each only where it applies: queue depth (ready, unacknowledged,
 * consumers), replicas (current, desired, min, max; running Jobs for job
 * agents), CPU and memory per pod against requests, KEDA scaler errors.
 *
 * Deterministic: the same agent gives the same JSON, without timestamps or
 * random ids.
 *
 * @throws ValidationError when the agent's names or bounds are invalid
 * @see https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/
 * @see https://grafana.com/docs/grafana/latest/datasources/prometheus/template-variables/
 */
export function agentDashboard(agent: MonitoredAgent): GrafanaDashboard {
  validateMonitored([], [agent]);
  const panels: Omit<GrafanaPanel, 'id' | 'gridPos'>[] = [];
  if (agent.queue) panels.push(queuePanel(agent));
  panels.push(replicasPanel(agent));
  panels.push(
    panel(
      'CPU per pod',
      'CPU used by each pod (cores, 5-minute rate) against what it requests.',
      'short',
      [
        ['{{pod}} used', podUsage(agent, 'container_cpu_usage_seconds_total')],
        ['{{pod}} requested', podRequests(agent, 'cpu')],
      ],
    ),
  );
  panels.push(
    panel('Memory per pod', 'Working set of each pod against what it requests.', 'bytes', [
      ['{{pod}} working set', podUsage(agent, 'container_memory_working_set_bytes')],
      ['{{pod}} requested', podRequests(agent, 'memory')],
    ]),
  );
  if (agent.scaling === 'keda' || agent.scaling === 'keda-job') {
    panels.push(
      panel(
        'KEDA scaler errors',
        'Errors per second reading each scaling signal. While they last, KEDA holds the fallback replicas (ScaledObject) or starts no Jobs (ScaledJob).',
        'short',
        [['{{scaler}}', kedaScalerErrors(agent, 'rate', '5m')]],
      ),
    );
  }

  return {
    id: null,
    uid: dashboardUid(agent.name),
    title: `Agent fleet / ${agent.name}`,
    description: `Agent ${agent.name} in namespace ${agent.namespace} (${agent.scaling}, ${agent.minReplicas}–${agent.maxReplicas} replicas).`,
    tags: ['agent-fleet', `agent:${agent.name}`],
    timezone: 'browser',
    editable: false,
    graphTooltip: 1,
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          type: 'datasource',
          query: 'prometheus',
          current: { text: 'Prometheus', value: DEFAULT_DATASOURCE_UID },
          hide: 0,
          refresh: 1,
          options: [],
        },
      ],
    },
    annotations: { list: [] },
    // Two panels per row, 12 of 24 columns wide, 8 rows high.
    panels: panels.map((p, index) => ({
      ...p,
      id: index + 1,
      gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
    })),
  };
}

function queuePanel(agent: MonitoredAgent): Omit<GrafanaPanel, 'id' | 'gridPos'> {
  const queue = agent.queue as NonNullable<MonitoredAgent['queue']>;
  return panel(
    `Queue ${queue.queue}`,
    `Messages in queue ${queue.queue} (vhost ${queue.vhost}, broker ${queue.broker}): ready to deliver, delivered but not acknowledged, and consumers.`,
    'short',
    [
      ['ready', queueSeries(agent, 'rabbitmq_detailed_queue_messages_ready')],
      ['unacknowledged', queueSeries(agent, 'rabbitmq_detailed_queue_messages_unacked')],
      ['consumers', queueSeries(agent, 'rabbitmq_detailed_queue_consumers')],
    ],
  );
}

function replicasPanel(agent: MonitoredAgent): Omit<GrafanaPanel, 'id' | 'gridPos'> {
  const bounds = (): [string, string][] => [
    ['min', `vector(${agent.minReplicas})`],
    ['max', `vector(${agent.maxReplicas})`],
  ];
  if (hpaName(agent)) {
    return panel(
      'Replicas',
      `Current and desired replicas of HPA ${hpaName(agent)}, and its bounds.`,
      'short',
      [
        ['current', hpaSeries(agent, 'kube_horizontalpodautoscaler_status_current_replicas')],
        ['desired', hpaSeries(agent, 'kube_horizontalpodautoscaler_status_desired_replicas')],
        ['min', hpaSeries(agent, 'kube_horizontalpodautoscaler_spec_min_replicas')],
        ['max', hpaSeries(agent, 'kube_horizontalpodautoscaler_spec_max_replicas')],
      ],
    );
  }
  if (runsAsDeployment(agent)) {
    return panel('Replicas', `Replicas of Deployment ${agent.name} (fixed count).`, 'short', [
      ['current', deploymentSeries(agent, 'kube_deployment_status_replicas')],
      ['desired', deploymentSeries(agent, 'kube_deployment_spec_replicas')],
      ...bounds(),
    ]);
  }
  const owner = agent.scaling === 'cron-job' ? 'CronJob' : 'ScaledJob';
  return panel('Running Jobs', `Jobs of ${owner} ${agent.name} running now.`, 'short', [
    ['running', activeJobs(agent)],
    ['max', `vector(${agent.maxReplicas})`],
  ]);
}

function panel(
  title: string,
  description: string,
  unit: string,
  queries: readonly [legend: string, expr: string][],
): Omit<GrafanaPanel, 'id' | 'gridPos'> {
  return {
    type: 'timeseries',
    title,
    description,
    datasource: DATASOURCE,
    fieldConfig: { defaults: { unit, min: 0 }, overrides: [] },
    options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true } },
    targets: queries.map(([legendFormat, expr], index) => ({
      refId: String.fromCharCode(65 + index),
      datasource: DATASOURCE,
      expr,
      legendFormat,
    })),
  };
}

import { Release } from '@cdktf/provider-helm/lib/release';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { Construct } from 'constructs';
import {
  agentDashboard,
  alertingRules,
  MonitoredAgent,
  MonitoredBroker,
  recordingRules,
  scrapeConfigs,
} from '../../../generators/monitoring';
import { EphemeralPassword } from '../../terraform/ephemeral-password';
import { WriteOnlySecret } from '../core/write-only-secret';
import { CHARTS } from './charts';

/** Label the Grafana sidecar loads dashboards by. */
const DASHBOARD_LABEL = 'grafana_dashboard';
const GRAFANA_ADMIN_SECRET = 'grafana-admin';

/** Props of {@link MonitoringRelease}. */
export interface MonitoringReleaseProps {
  /** Namespace of the monitoring release. */
  readonly namespace: string;
  /** In-cluster brokers of the site: scraped per queue. */
  readonly brokers: readonly MonitoredBroker[];
  /** Agents of the site: scraped, alerted on, one dashboard each. */
  readonly agents: readonly MonitoredAgent[];
  /**
   * The agents whose dashboards this release holds; the others' are made
   * beside their workloads ({@link agentDashboardConfigMap}).
   * @default - every agent's
   */
  readonly dashboards?: readonly MonitoredAgent[];
  /** How long Prometheus keeps samples, in its duration syntax (e.g. `15d`). @default '15d' */
  readonly retention?: string;
}

/**
 * kube-prometheus-stack: Prometheus scraping the brokers per queue and the
 * agents' metrics ports, the fleet's alerting and recording rules, Alertmanager,
 * and Grafana with a dashboard per agent type. The Grafana admin password is
 * generated ephemerally into a write-only Secret.
 * @see https://github.com/prometheus-community/helm-charts/tree/main/charts/kube-prometheus-stack
 */
export class MonitoringRelease extends Construct {
  /** The `helm_release` of kube-prometheus-stack, for `dependsOn` of what needs its CRDs (ServiceMonitor). */
  readonly release: Release;

  constructor(scope: Construct, id: string, props: MonitoringReleaseProps) {
    super(scope, id);
    const { namespace, brokers, agents } = props;
    const password = new EphemeralPassword(this, 'GrafanaPassword');
    const admin = new WriteOnlySecret(this, 'GrafanaAdmin', {
      name: GRAFANA_ADMIN_SECRET,
      namespace,
      data: { 'admin-user': 'admin', 'admin-password': password.value },
    });
    const alerting = alertingRules(brokers, agents);
    const recording = recordingRules(agents);
    this.release = new Release(this, 'Resource', {
      name: 'kube-prometheus-stack',
      namespace,
      ...CHARTS.kubePrometheusStack,
      atomic: true,
      cleanupOnFail: true,
      dependsOn: [admin.resource],
      values: [
        JSON.stringify({
          prometheus: {
            prometheusSpec: {
              retention: props.retention ?? '15d',
              additionalScrapeConfigs: scrapeConfigs(brokers, agents),
              // Pick up the ServiceMonitors other releases bring (KEDA's).
              serviceMonitorSelectorNilUsesHelmValues: false,
              podMonitorSelectorNilUsesHelmValues: false,
              ruleSelectorNilUsesHelmValues: false,
            },
          },
          additionalPrometheusRulesMap: {
            'agent-fleet': { groups: [...alerting.groups, ...recording.groups] },
          },
          grafana: {
            admin: {
              existingSecret: GRAFANA_ADMIN_SECRET,
              userKey: 'admin-user',
              passwordKey: 'admin-password',
            },
            sidecar: {
              dashboards: { enabled: true, label: DASHBOARD_LABEL, labelValue: '1' },
            },
          },
        }),
      ],
    });
    for (const agent of props.dashboards ?? agents) {
      agentDashboardConfigMap(this, agent, namespace);
    }
  }
}

/** The name of an agent's dashboard ConfigMap. */
export function agentDashboardName(agent: string): string {
  return `agent-fleet-dashboard-${agent}`;
}

/**
 * An agent's Grafana dashboard, `Dashboard-<agent>` under `scope`: a ConfigMap
 * in the monitoring namespace that Grafana's sidecar loads by its label.
 */
export function agentDashboardConfigMap(
  scope: Construct,
  agent: MonitoredAgent,
  namespace: string,
): ConfigMapV1 {
  return new ConfigMapV1(scope, `Dashboard-${agent.name}`, {
    metadata: {
      name: agentDashboardName(agent.name),
      namespace,
      labels: { [DASHBOARD_LABEL]: '1', 'app.kubernetes.io/part-of': 'agent-fleet' },
    },
    data: { [`${agent.name}.json`]: JSON.stringify(agentDashboard(agent)) },
  });
}

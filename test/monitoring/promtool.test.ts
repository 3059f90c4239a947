import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import {
  AlertingRule,
  agentDashboard,
  alertingRules,
  MonitoredAgent,
  prometheusConfigFile,
  recordingRules,
  ScrapeConfig,
  scrapeConfigs,
  toRuleFile,
} from '../../generators/monitoring';
import { tempDir } from '../support/temp-dir';
import { passedThrough } from '../support/types';
import {
  agents,
  brokers,
  imageProcessing,
  metadataExtraction,
  reporting,
  thumbnail,
} from './fixtures';
import {
  expectedAlert as expected,
  promtoolAvailable,
  promtoolHasKubernetesSd,
  runPromtool,
  series,
  verdict,
} from './promtool';

const describeWithPromtool = promtoolAvailable() ? describe : describe.skip;

function ruleOf(agentOrBroker: string, alert: string): AlertingRule {
  const group = alertingRules(brokers, agents).groups.find((g) =>
    g.name.endsWith(`.${agentOrBroker}`),
  );
  const rule = group?.rules.find((r) => r.alert === alert);
  if (!rule) throw new Error(`no ${alert} for ${agentOrBroker}`);
  return rule;
}

const queueLabels = (agent: MonitoredAgent) => {
  const queue = agent.queue as NonNullable<MonitoredAgent['queue']>;
  return { broker: queue.broker, vhost: queue.vhost, queue: queue.queue };
};

/** Labels a scraped per-queue series carries besides the queue's own. */
const scraped = { job: 'rabbitmq-main', namespace: 'rabbitmq', pod: 'main-server-0' };

describeWithPromtool('the generated files, checked by promtool', () => {
  const dir = tempDir('monitoring-promtool');
  fs.writeFileSync(path.join(dir, 'alerts.yml'), toRuleFile(alertingRules(brokers, agents)));
  fs.writeFileSync(path.join(dir, 'records.yml'), toRuleFile(recordingRules(agents)));

  test('check rules: alerting and recording rule files', () => {
    const result = runPromtool(['check', 'rules', 'alerts.yml', 'records.yml'], dir);
    expect(verdict(result)).toBe('passed');
    expect(result.output).toContain('SUCCESS: 17 rules found');
    expect(result.output).toContain('SUCCESS: 33 rules found');
  });

  test('check config: prometheus.yml with the scrape jobs and both rule files', () => {
    let jobs: object[] = scrapeConfigs(brokers, agents);
    if (!promtoolHasKubernetesSd(dir)) {
      // Everything but discovery is still checked: jobs, paths, params, relabel regexes.
      console.log(
        'This promtool has no Kubernetes discovery (Debian builds it without): ' +
          'checking the scrape jobs with static targets in place of kubernetes_sd_configs.',
      );
      jobs = scrapeConfigs(brokers, agents).map((job) => {
        const withoutDiscovery: Record<string, unknown> = { ...job };
        delete withoutDiscovery.kubernetes_sd_configs;
        return { ...withoutDiscovery, static_configs: [{ targets: ['127.0.0.1:15692'] }] };
      });
    }
    const config = prometheusConfigFile(passedThrough<ScrapeConfig[]>(jobs), {
      ruleFiles: ['alerts.yml', 'records.yml'],
    });
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const result = runPromtool(['check', 'config', 'prometheus.yml'], dir);
    expect(verdict(result)).toBe('passed');
    expect(result.output).toContain('SUCCESS: 2 rule files found');
  });

  test('check rules: every dashboard query parses', () => {
    const rules = agents
      .flatMap((agent) =>
        agentDashboard(agent).panels.flatMap((panel) => panel.targets.map((target) => target.expr)),
      )
      .map((expr, index) => ({ record: `dashboard:query_${index}:check`, expr }));
    fs.writeFileSync(
      path.join(dir, 'dashboards.yml'),
      stringify({ groups: [{ name: 'dashboards', rules }] }, { lineWidth: 0 }),
    );
    const result = runPromtool(['check', 'rules', 'dashboards.yml'], dir);
    expect(verdict(result)).toBe('passed');
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  test('test rules: the alerts fire when they should and only then', () => {
    const growing = { ...scraped, ...queueLabels(imageProcessing) };
    const escaped = { ...scraped, ...queueLabels(thumbnail) };
    const upMain = {
      job: 'rabbitmq-main-node',
      instance: '10.0.0.7:15692',
      broker: 'main',
      namespace: 'rabbitmq',
      pod: 'main-server-0',
    };
    const kedaError = {
      scaler: 'rabbitMQScaler',
      metric: 's0-rabbitmq-queue',
      triggerIndex: '0',
      job: 'keda-operator',
    };
    const hpa = (name: string, namespace: string) => ({
      job: 'kube-state-metrics',
      namespace,
      horizontalpodautoscaler: name,
    });
    const tests = {
      rule_files: ['alerts.yml', 'records.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // Growing 20 a minute past 200 (10 replicas × 20).
            { series: series('rabbitmq_detailed_queue_messages', growing), values: '0+20x60' },
            // Shrinking, though far above its threshold.
            {
              series: series('rabbitmq_detailed_queue_messages', {
                ...scraped,
                ...queueLabels(metadataExtraction),
              }),
              values: '1200-20x60',
            },
            // High but flat.
            {
              series: series('rabbitmq_detailed_queue_messages', {
                ...scraped,
                broker: 'main',
                vhost: '/',
                queue: 'inference_requests',
              }),
              values: '5000x60',
            },
            // Growing, on a vhost and queue whose names need escaping.
            { series: series('rabbitmq_detailed_queue_messages', escaped), values: '0+10x60' },
            { series: series('up', upMain), values: '1 1 1 0x60' },
            // KEDA scraped through its chart's ServiceMonitor: namespace renamed.
            {
              series: series('keda_scaler_detail_errors_total', {
                ...kedaError,
                namespace: 'keda',
                exported_namespace: 'image-processing',
                scaledObject: 'image-processing',
                type: 'scaledobject',
              }),
              values: '0+3x60',
            },
            // KEDA scraped with honor_labels: namespace kept.
            {
              series: series('keda_scaler_detail_errors_total', {
                ...kedaError,
                namespace: 'metadata-extraction',
                scaledObject: 'metadata-extraction',
                type: 'scaledobject',
              }),
              values: '0+1x60',
            },
            // A ScaledJob whose source answers.
            {
              series: series('keda_scaler_detail_errors_total', {
                ...kedaError,
                namespace: 'media',
                scaledObject: 'thumbnail',
                type: 'scaledjob',
              }),
              values: '0x60',
            },
            {
              series: series(
                'kube_horizontalpodautoscaler_status_current_replicas',
                hpa('reporting', 'reporting'),
              ),
              values: '4x60',
            },
            {
              series: series(
                'kube_horizontalpodautoscaler_spec_max_replicas',
                hpa('reporting', 'reporting'),
              ),
              values: '4x60',
            },
            {
              series: series(
                'kube_horizontalpodautoscaler_status_current_replicas',
                hpa('keda-hpa-image-processing', 'image-processing'),
              ),
              values: '5x60',
            },
            {
              series: series(
                'kube_horizontalpodautoscaler_spec_max_replicas',
                hpa('keda-hpa-image-processing', 'image-processing'),
              ),
              values: '10x60',
            },
            {
              series: series('kube_deployment_status_replicas', {
                job: 'kube-state-metrics',
                namespace: 'image-processing',
                deployment: 'image-processing',
              }),
              values: '4x60',
            },
          ],
          alert_rule_test: [
            // Above the threshold from minute 11: pending at 20m, firing from 26m.
            { eval_time: '20m', alertname: 'AgentBacklogGrowing', exp_alerts: [] },
            {
              eval_time: '40m',
              alertname: 'AgentBacklogGrowing',
              exp_alerts: [
                expected(
                  ruleOf('image-processing', 'AgentBacklogGrowing'),
                  queueLabels(imageProcessing),
                ),
                expected(ruleOf('thumbnail', 'AgentBacklogGrowing'), queueLabels(thumbnail)),
              ],
            },
            {
              eval_time: '10m',
              alertname: 'BrokerDown',
              exp_alerts: [
                expected(ruleOf('brokers', 'BrokerDown'), upMain),
                // Nothing of broker 'spare' is scraped at all.
                expected(alertingRules(brokers, []).groups[0].rules[1], {
                  job: 'rabbitmq-spare-node',
                }),
              ],
            },
            {
              eval_time: '15m',
              alertname: 'AgentScalingSourceFailing',
              exp_alerts: [
                expected(ruleOf('image-processing', 'AgentScalingSourceFailing'), {
                  scaler: 'rabbitMQScaler',
                }),
                expected(ruleOf('metadata-extraction', 'AgentScalingSourceFailing'), {
                  scaler: 'rabbitMQScaler',
                }),
              ],
            },
            {
              eval_time: '20m',
              alertname: 'AgentAtMaxReplicas',
              exp_alerts: [
                expected(ruleOf(reporting.name, 'AgentAtMaxReplicas'), {
                  namespace: 'reporting',
                  horizontalpodautoscaler: 'reporting',
                }),
              ],
            },
          ],
          promql_expr_test: [
            {
              // 600 messages over 4 replicas.
              expr: 'agent:queue_messages_per_replica:ratio',
              eval_time: '30m',
              exp_samples: [
                {
                  labels: series('agent:queue_messages_per_replica:ratio', {
                    agent: 'image-processing',
                    namespace: 'image-processing',
                    ...queueLabels(imageProcessing),
                  }),
                  value: 150,
                },
              ],
            },
            {
              expr: 'agent:rabbitmq_detailed_queue_messages:max{agent="thumbnail"}',
              eval_time: '30m',
              exp_samples: [
                {
                  labels: series('agent:rabbitmq_detailed_queue_messages:max', {
                    agent: 'thumbnail',
                    namespace: 'media',
                    ...queueLabels(thumbnail),
                  }),
                  value: 300,
                },
              ],
            },
          ],
        },
      ],
    };
    fs.writeFileSync(path.join(dir, 'tests.yml'), stringify(tests, { lineWidth: 0 }));
    const result = runPromtool(['test', 'rules', 'tests.yml'], dir);
    expect(verdict(result)).toBe('passed');
    expect(result.output).toContain('SUCCESS');
  });
});

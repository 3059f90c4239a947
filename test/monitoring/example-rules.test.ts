import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { brokerNodeJob, brokerQueueJob, DEFAULT_BACKLOG_FLOOR } from '../../generators/monitoring';
import {
  ExampleSite,
  monitoringOf,
  podShape,
  synthesizeExamples,
} from '../support/example-environments';
import { resourcesOf, manifestsOf } from '../support/synthesized';
import { tempDir } from '../support/temp-dir';
import { expectedAlert, promtoolAvailable, runPromtool, series, verdict } from './promtool';

/**
 * The alerting and recording rules of every example environment, as each
 * site's platform stack gives them to kube-prometheus-stack, checked by
 * promtool: they parse (`check rules`), and (`test rules`) with series shaped
 * as the generated scrape jobs and kube-state-metrics label them, a growing
 * backlog, an agent held at its maximum replicas and a broker that stops
 * answering raise the alerts they should, and only those.
 */

const describeWithPromtool = promtoolAvailable() ? describe : describe.skip;

/** The HPA that scales an agent: KEDA's for a ScaledObject, else the agent's own. */
function autoscalerOf(site: ExampleSite, agent: string): { name: string; max: number } {
  const scaled = manifestsOf(site.agents, 'ScaledObject').find(
    (manifest) => manifest.metadata.name === agent,
  );
  if (scaled) {
    const name = scaled.spec.advanced?.horizontalPodAutoscalerConfig?.name ?? `keda-hpa-${agent}`;
    return { name, max: scaled.spec.maxReplicaCount };
  }
  const hpa = resourcesOf(site.agents, 'kubernetes_horizontal_pod_autoscaler_v2').find(
    (resource) => resource.metadata.name === agent,
  );
  if (!hpa) throw new Error(`${site.key}: no autoscaler of ${agent}`);
  return { name: hpa.metadata.name, max: hpa.spec.max_replicas };
}

/** The queue an agent consumes, and the depth above which its declaration calls a backlog. */
function queueOf(site: ExampleSite, agent: string) {
  const declared = site.environment.deployments.find(
    (d) => d.site === site.site && d.agent.name === agent,
  )?.agent;
  const queue = declared?.queue;
  if (!declared?.scaling || !queue) throw new Error(`${site.key}: ${agent} consumes no queue`);
  const perReplica = declared.scaling.queueDepth?.perReplica;
  return {
    labels: { broker: queue.broker, vhost: queue.vhost ?? '/', queue: queue.queue },
    threshold:
      perReplica === undefined ? DEFAULT_BACKLOG_FLOOR : perReplica * declared.scaling.maxReplicas,
  };
}

/** Labels a broker's series carry once scraped by its generated jobs. */
function scrapedFrom(site: ExampleSite, broker: string, job: string) {
  return {
    job,
    instance: '10.0.0.7:15692',
    broker,
    namespace: podShape(site.platform, 'kubernetes_stateful_set_v1', broker).namespace,
    pod: `${broker}-0`,
  };
}

/** `promtool test rules` cases for the alerts the site's rule groups hold. */
function ruleTests(site: ExampleSite, rules: { groups: any[] }) {
  const alerting = rules.groups.flatMap((group) => group.rules).filter((rule) => rule.alert);
  const named = (alert: string) => alerting.filter((rule) => rule.alert === alert);

  const backlog = named('AgentBacklogGrowing').map((rule) => ({
    rule,
    ...queueOf(site, rule.labels.agent),
  }));
  const depth = (labels: Record<string, string>) =>
    series('rabbitmq_detailed_queue_messages', {
      ...scrapedFrom(site, labels.broker, brokerQueueJob(labels.broker)),
      ...labels,
    });
  const atMax = named('AgentAtMaxReplicas').map((rule) => ({
    rule,
    hpa: {
      namespace: rule.labels.namespace,
      horizontalpodautoscaler: autoscalerOf(site, rule.labels.agent).name,
    },
    max: autoscalerOf(site, rule.labels.agent).max,
  }));
  const hpaSeries = (metric: string, labels: Record<string, string>) =>
    series(metric, { job: 'kube-state-metrics', ...labels });
  const down = named('BrokerDown').map((rule) => ({
    rule,
    up: scrapedFrom(site, rule.labels.broker, brokerNodeJob(rule.labels.broker)),
  }));

  const test = (
    name: string,
    input: { series: string; values: string }[],
    alerts: { eval_time: string; alertname: string; exp_alerts: object[] }[],
  ) => ({ name, interval: '1m', input_series: input, alert_rule_test: alerts });
  return {
    counts: { backlog: backlog.length, atMax: atMax.length, down: down.length },
    tests: [
      test(
        'backlog growing past what all replicas handle; HPAs at their maximum; brokers down',
        [
          // Past the threshold within 5 minutes, still growing.
          ...backlog.map(({ labels, threshold }) => ({
            series: depth(labels),
            values: `0+${Math.ceil(threshold / 5)}x60`,
          })),
          ...atMax.flatMap(({ hpa, max }) => [
            {
              series: hpaSeries('kube_horizontalpodautoscaler_status_current_replicas', hpa),
              values: `${max}x60`,
            },
            {
              series: hpaSeries('kube_horizontalpodautoscaler_spec_max_replicas', hpa),
              values: `${max}x60`,
            },
          ]),
          ...down.map(({ up }) => ({ series: series('up', up), values: '1 1 1 0x60' })),
        ],
        [
          // Pending while their `for` runs.
          { eval_time: '10m', alertname: 'AgentBacklogGrowing', exp_alerts: [] },
          { eval_time: '10m', alertname: 'AgentAtMaxReplicas', exp_alerts: [] },
          {
            eval_time: '30m',
            alertname: 'AgentBacklogGrowing',
            exp_alerts: backlog.map(({ rule, labels }) => expectedAlert(rule, labels)),
          },
          {
            eval_time: '30m',
            alertname: 'AgentAtMaxReplicas',
            exp_alerts: atMax.map(({ rule, hpa }) => expectedAlert(rule, hpa)),
          },
          { eval_time: '4m', alertname: 'BrokerDown', exp_alerts: [] },
          {
            eval_time: '10m',
            alertname: 'BrokerDown',
            exp_alerts: down.map(({ rule, up }) => expectedAlert(rule, up)),
          },
        ],
      ),
      test(
        'backlog growing but under the threshold; HPAs one below their maximum; brokers up',
        [
          ...backlog.map(({ labels, threshold }) => ({
            series: depth(labels),
            values: `0+${(threshold - 1) / 60}x60`,
          })),
          ...atMax.flatMap(({ hpa, max }) => [
            {
              series: hpaSeries('kube_horizontalpodautoscaler_status_current_replicas', hpa),
              values: `${max - 1}x60`,
            },
            {
              series: hpaSeries('kube_horizontalpodautoscaler_spec_max_replicas', hpa),
              values: `${max}x60`,
            },
          ]),
          ...down.map(({ up }) => ({ series: series('up', up), values: '1x60' })),
        ],
        ['AgentBacklogGrowing', 'AgentAtMaxReplicas', 'BrokerDown'].map((alertname) => ({
          eval_time: '59m',
          alertname,
          exp_alerts: [],
        })),
      ),
    ],
  };
}

describeWithPromtool('the rules of the example environments, checked by promtool', () => {
  const sites = synthesizeExamples();
  const planned = sites.map((site) => {
    const { rules } = monitoringOf(site);
    return { site, rules, cases: ruleTests(site, rules) };
  });

  it('has a case of each alert somewhere in the examples', () => {
    const total = (key: 'backlog' | 'atMax' | 'down') =>
      planned.reduce((sum, p) => sum + p.cases.counts[key], 0);
    expect(total('backlog')).toBeGreaterThan(0);
    expect(total('atMax')).toBeGreaterThan(0);
    expect(total('down')).toBeGreaterThan(0);
  });

  for (const { site, rules, cases } of planned) {
    it(`${site.key}: check rules passes, and test rules passes: growing backlogs (${cases.counts.backlog}), HPAs at their maximum (${cases.counts.atMax}), brokers down (${cases.counts.down})`, () => {
      const dir = tempDir('example-rules');
      fs.writeFileSync(path.join(dir, 'agent-fleet.yml'), stringify(rules, { lineWidth: 0 }));
      const ruleCount = rules.groups.reduce(
        (sum: number, group: any) => sum + group.rules.length,
        0,
      );
      const checked = runPromtool(['check', 'rules', 'agent-fleet.yml'], dir);
      expect(verdict(checked)).toBe('passed');
      expect(checked.output).toContain(`SUCCESS: ${ruleCount} rules found`);

      fs.writeFileSync(
        path.join(dir, 'tests.yml'),
        stringify(
          { rule_files: ['agent-fleet.yml'], evaluation_interval: '1m', tests: cases.tests },
          { lineWidth: 0 },
        ),
      );
      expect(verdict(runPromtool(['test', 'rules', 'tests.yml'], dir))).toBe('passed');
    });
  }
});

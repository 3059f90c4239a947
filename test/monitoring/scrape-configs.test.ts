import { parse } from 'yaml';
import {
  prometheusConfigFile,
  RelabelConfig,
  ScrapeConfig,
  scrapeConfigs,
} from '../../generators/monitoring';
import { agents, brokers, dispatcher, forecasting, reporting } from './fixtures';

type Labels = Record<string, string>;

/**
 * Prometheus' relabelling for the actions used here (keep, drop, replace),
 * regexes fully anchored as in RE2: enough to see which discovered targets a
 * job keeps and what it labels them.
 */
function relabel(configs: readonly RelabelConfig[], discovered: Labels): Labels | undefined {
  const labels = { ...discovered };
  for (const config of configs) {
    const value = (config.source_labels ?? [])
      .map((name) => labels[name] ?? '')
      .join(config.separator ?? ';');
    const match = new RegExp(`^(?:${config.regex ?? '(.*)'})$`).exec(value);
    const action = config.action ?? 'replace';
    if (action === 'keep' && !match) return undefined;
    if (action === 'drop' && match) return undefined;
    if (action === 'replace' && match && config.target_label) {
      labels[config.target_label] = (config.replacement ?? '$1').replace(
        /\$(\d)/g,
        (_, group) => match[Number(group)] ?? '',
      );
    }
  }
  return Object.fromEntries(Object.entries(labels).filter(([name]) => !name.startsWith('__')));
}

/** What kubernetes_sd (role pod) discovers for one container port of a pod. */
function podTarget(
  namespace: string,
  pod: string,
  podLabels: Labels,
  port: string,
  phase = 'Running',
): Labels {
  const meta: Labels = {
    __meta_kubernetes_namespace: namespace,
    __meta_kubernetes_pod_name: pod,
    __meta_kubernetes_pod_phase: phase,
    __meta_kubernetes_pod_container_port_name: port,
  };
  for (const [key, value] of Object.entries(podLabels)) {
    meta[`__meta_kubernetes_pod_label_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`] = value;
  }
  return meta;
}

function job(name: string): ScrapeConfig {
  const found = scrapeConfigs(brokers, agents).find((config) => config.job_name === name);
  if (!found) throw new Error(`no job ${name}`);
  return found;
}

const brokerPod = (instance: string, port = 'prometheus', phase = 'Running') =>
  podTarget(
    'rabbitmq',
    `${instance}-server-0`,
    { 'app.kubernetes.io/name': 'rabbitmq', 'app.kubernetes.io/instance': instance },
    port,
    phase,
  );

const agentPod = (name: string, namespace: string, port: string, phase = 'Running') =>
  podTarget(
    namespace,
    `${name}-7d9f8b6c4d-x2x7q`,
    { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'agent-fleet' },
    port,
    phase,
  );

describe('scrape jobs', () => {
  test('two per broker and one for the agents', () => {
    expect(scrapeConfigs(brokers, agents).map((config) => config.job_name)).toEqual([
      'rabbitmq-main',
      'rabbitmq-main-node',
      'rabbitmq-spare',
      'rabbitmq-spare-node',
      'agent-fleet-agents',
    ]);
  });

  test('the per-queue job asks /metrics/detailed for the queue families', () => {
    expect(job('rabbitmq-main')).toMatchObject({
      metrics_path: '/metrics/detailed',
      params: { family: ['queue_coarse_metrics', 'queue_consumer_count'] },
      kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: ['rabbitmq'] } }],
    });
    expect(job('rabbitmq-main-node').metrics_path).toBe('/metrics');
    expect(job('rabbitmq-main-node').params).toBeUndefined();
  });

  test.each(['rabbitmq-main', 'rabbitmq-main-node'])(
    '%s keeps the broker pods on the prometheus port and labels them',
    (name) => {
      const configs = job(name).relabel_configs;
      expect(relabel(configs, brokerPod('main'))).toEqual({
        broker: 'main',
        namespace: 'rabbitmq',
        pod: 'main-server-0',
      });
      expect(relabel(configs, brokerPod('main', 'amqp'))).toBeUndefined();
      expect(relabel(configs, brokerPod('main', 'management'))).toBeUndefined();
      expect(relabel(configs, brokerPod('spare'))).toBeUndefined();
      expect(relabel(configs, brokerPod('main', 'prometheus', 'Pending'))).toBeUndefined();
    },
  );

  test('the agents job discovers only the namespaces of agents with a metrics port', () => {
    expect(job('agent-fleet-agents').kubernetes_sd_configs).toEqual([
      {
        role: 'pod',
        namespaces: { names: ['dispatcher', 'image-processing', 'media', 'metadata-extraction'] },
      },
    ]);
  });

  test('the agents job keeps each agent on the port it declares and labels it', () => {
    const configs = job('agent-fleet-agents').relabel_configs;
    expect(relabel(configs, agentPod('image-processing', 'image-processing', 'metrics'))).toEqual({
      agent: 'image-processing',
      namespace: 'image-processing',
      pod: 'image-processing-7d9f8b6c4d-x2x7q',
    });
    expect(
      relabel(configs, agentPod('metadata-extraction', 'metadata-extraction', 'prom')),
    ).toMatchObject({ agent: 'metadata-extraction' });
    // Another agent's port name, a port that is not the metrics port, a finished Job pod.
    expect(
      relabel(configs, agentPod('metadata-extraction', 'metadata-extraction', 'metrics')),
    ).toBeUndefined();
    expect(
      relabel(configs, agentPod('image-processing', 'image-processing', 'http')),
    ).toBeUndefined();
    expect(
      relabel(configs, agentPod('thumbnail', 'media', 'metrics', 'Succeeded')),
    ).toBeUndefined();
    // A pod that is not part of the fleet, even with a matching name and port.
    const stranger = agentPod('dispatcher', 'dispatcher', 'metrics');
    delete stranger.__meta_kubernetes_pod_label_app_kubernetes_io_part_of;
    expect(relabel(configs, stranger)).toBeUndefined();
  });

  test('no agents job when no agent has a metrics port: no namespace list means every namespace', () => {
    expect(scrapeConfigs(brokers, [reporting, forecasting]).map((c) => c.job_name)).not.toContain(
      'agent-fleet-agents',
    );
    expect(scrapeConfigs([], [dispatcher]).map((c) => c.job_name)).toEqual(['agent-fleet-agents']);
  });

  test('a broker name is matched literally', () => {
    const configs = scrapeConfigs([{ name: 'a1', namespace: 'mq' }], [])[0].relabel_configs;
    expect(
      relabel(configs, { ...brokerPod('a1'), __meta_kubernetes_namespace: 'mq' }),
    ).toBeDefined();
    expect(relabel(configs, brokerPod('a11'))).toBeUndefined();
  });
});

describe('prometheusConfigFile', () => {
  test('global settings, rule files and the jobs', () => {
    const jobs = scrapeConfigs(brokers, agents);
    const file = parse(prometheusConfigFile(jobs, { ruleFiles: ['alerts.yml'] }));
    expect(file).toEqual({
      global: { scrape_interval: '30s', evaluation_interval: '30s' },
      rule_files: ['alerts.yml'],
      scrape_configs: JSON.parse(JSON.stringify(jobs)),
    });
  });

  test('no rule_files key without rule files', () => {
    expect(parse(prometheusConfigFile([]))).toEqual({
      global: { scrape_interval: '30s', evaluation_interval: '30s' },
      scrape_configs: [],
    });
  });

  test('one interval for scraping and rule evaluation', () => {
    expect(parse(prometheusConfigFile([], { interval: '1s' })).global).toEqual({
      scrape_interval: '1s',
      evaluation_interval: '1s',
    });
  });
});

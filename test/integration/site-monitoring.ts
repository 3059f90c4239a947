import { stringify } from 'yaml';
import { prometheusConfigFile, ScrapeConfig } from '../../generators/monitoring';
import { runPromtool } from '../monitoring/promtool';
import { monitoringOf, podShape } from '../support/example-environments';
import { PrometheusServer, startPrometheus } from '../support/prometheus-server';
import { RabbitMqPorts } from '../support/rabbitmq-server';
import { passedThrough } from '../support/types';
import { GaugeExporter, startGaugeExporter } from './metrics-exporter';
import { SitePlan } from './scaling-plan';
import { DiscoveredPod, withStaticPods } from './static-discovery';

/**
 * A site's Prometheus, run for real: the scrape jobs and rule groups the
 * site's platform stack gives kube-prometheus-stack, with pod discovery
 * stood in for by the pods that run here: the loopback broker, and an
 * exporter per Prometheus-driven agent.
 */

/** Name of the rule file the site's rule groups are written to. */
export const RULE_FILE = 'agent-fleet.yml';

/** A running site. */
export interface SiteMonitoring {
  readonly prometheus: PrometheusServer;
  /** The rule groups, as synthesized. */
  readonly rules: { readonly groups: readonly any[] };
  /** The scrape jobs as generated. */
  readonly jobs: readonly any[];
  /** The broker's pod, when the plan loads a broker. */
  readonly brokerPod?: DiscoveredPod;
  /** The pod of each Prometheus-driven agent, by agent name. */
  readonly agentPods: ReadonlyMap<string, DiscoveredPod>;
  /** `promtool check config` on the file the server runs. */
  readonly checkConfig: { readonly status: number | null; readonly output: string };
  /** The exporter of each Prometheus-driven agent, by agent name. */
  readonly exporters: ReadonlyMap<string, GaugeExporter>;
  stop(): Promise<void>;
}

/** Pod name a Deployment's ReplicaSet would give: `<name>-<hash>-<suffix>`. */
const deploymentPod = (name: string) => `${name}-7c9d8b6f5-x2x9q`;

/**
 * Starts the exporters and the site's Prometheus, scraping every second.
 * The node listening on `ports` serves the broker's pod when the plan loads
 * a broker; it need not be up yet.
 */
export async function startSiteMonitoring(
  plan: SitePlan,
  ports: RabbitMqPorts,
): Promise<SiteMonitoring> {
  const { scrapeConfigs, rules } = monitoringOf(plan.site);
  const exporters = new Map<string, GaugeExporter>();
  const agentPods = new Map<string, DiscoveredPod>();
  let brokerPod: DiscoveredPod | undefined;
  try {
    if (plan.broker) {
      const name = plan.broker.spec.name;
      const shape = podShape(plan.site.platform, 'kubernetes_stateful_set_v1', name);
      const served: Record<string, number> = {
        amqp: ports.amqp,
        management: ports.management,
        prometheus: ports.prometheus,
        epmd: ports.epmd,
        'cluster-links': ports.distribution,
      };
      brokerPod = {
        name: `${name}-0`,
        namespace: shape.namespace,
        labels: shape.labels,
        container: 'rabbitmq',
        ports: shape.portNames.map((port) => {
          if (served[port] === undefined) throw new Error(`broker port ${port} is not served here`);
          return { name: port, address: `127.0.0.1:${served[port]}` };
        }),
      };
    }
    for (const query of plan.queries) {
      const exporter = await startGaugeExporter(query.metric, query.signal.value);
      exporters.set(query.agent.name, exporter);
      const shape = podShape(plan.site.agents, 'kubernetes_deployment_v1', query.agent.name);
      agentPods.set(query.agent.name, {
        name: deploymentPod(query.agent.name),
        namespace: shape.namespace,
        labels: shape.labels,
        container: query.agent.name,
        // Every port answers with the metric: one scraped twice would double the sums.
        ports: shape.portNames.map((port) => ({ name: port, address: exporter.address })),
      });
    }
    const pods = [...(brokerPod ? [brokerPod] : []), ...agentPods.values()];
    const jobs = scrapeConfigs.map((job) => withStaticPods(job, pods));
    const prometheus = await startPrometheus({
      config: prometheusConfigFile(passedThrough<ScrapeConfig[]>(jobs), {
        ruleFiles: [RULE_FILE],
        interval: '1s',
      }),
      files: { [RULE_FILE]: stringify(rules, { lineWidth: 0 }) },
    });
    const checkConfig = runPromtool(['check', 'config', prometheus.configPath], prometheus.dir);
    return {
      prometheus,
      rules,
      jobs: scrapeConfigs,
      brokerPod,
      agentPods,
      checkConfig,
      exporters,
      async stop() {
        await prometheus.stop();
        await Promise.all([...exporters.values()].map((exporter) => exporter.stop()));
      },
    };
  } catch (error) {
    await Promise.all([...exporters.values()].map((exporter) => exporter.stop()));
    throw error;
  }
}

/**
 * Every site's Prometheus at once: each applies its first targets only
 * seconds after it starts. Stops those started if one fails.
 */
export async function startChainMonitoring(
  plans: readonly SitePlan[],
  ports: RabbitMqPorts,
): Promise<Map<SitePlan, SiteMonitoring>> {
  const started = new Map<SitePlan, SiteMonitoring>();
  const results = await Promise.allSettled(
    plans.map(async (plan) => started.set(plan, await startSiteMonitoring(plan, ports))),
  );
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all([...started.values()].map((site) => site.stop()));
    throw (failed as PromiseRejectedResult).reason;
  }
  return started;
}

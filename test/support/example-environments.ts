import * as path from 'path';
import { Testing } from 'cdktf';
import { loadFleet } from '../../config';
import { AgentSpec, FleetEnvironment } from '../../model';
import { AgentFleet, stackIds } from '../../stacks/agent-fleet';
import {
  Synthesized,
  synthesizedChild,
  resourcesById,
  resourcesOf,
  manifestsOf,
  helmValues,
} from './synthesized';

/**
 * The example environments as synthesized, and what tests of the scaling
 * signal read from them: the KEDA ScaledObjects of the agents stacks, and the
 * broker topology, scrape jobs and rules of the platform stacks. Everything
 * here is taken from the Terraform JSON, not from the generators.
 */

const ROOT = path.resolve(__dirname, '../..');

/** One site of an example environment with its synthesized platform and agents stacks. */
export interface ExampleSite {
  readonly environment: FleetEnvironment;
  readonly site: string;
  /** `<environment>/<site>` */
  readonly key: string;
  readonly platform: Synthesized;
  readonly agents: Synthesized;
}

/** Loads every environment file and synthesizes each site's platform and agents stacks. */
export function synthesizeExamples(): ExampleSite[] {
  const loaded = loadFleet({ rootDir: ROOT });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  const app = Testing.app();
  const sites: ExampleSite[] = [];
  for (const environment of loaded.environments) {
    new AgentFleet(app, environment.name, { environment });
    const names = [
      ...environment.sites,
      ...(environment.awsSites ?? []),
      ...(environment.azureSites ?? []),
    ].map((site) => site.name);
    for (const site of names) {
      const ids = stackIds(environment.name, site);
      const synth = (id: string) => synthesizedChild(app, id);
      sites.push({
        environment,
        site,
        key: `${environment.name}/${site}`,
        platform: synth(ids.platform),
        agents: synth(ids.agents),
      });
    }
  }
  return sites;
}

/** A KEDA trigger as the ScaledObject holds it. */
export interface Trigger {
  readonly type: string;
  readonly metricType?: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly authenticationRef?: { readonly name: string; readonly kind?: string };
}

/** An agent scaled by a ScaledObject with a `rabbitmq` or `prometheus` trigger. */
export interface ScaledAgent {
  readonly site: ExampleSite;
  readonly name: string;
  readonly namespace: string;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  /** `advanced.horizontalPodAutoscalerConfig.behavior.scaleUp`, if set. */
  readonly scaleUp?: any;
  readonly trigger: Trigger & { readonly type: 'rabbitmq' | 'prometheus' };
  /** The agent as its environment file declares it. */
  readonly declared: AgentSpec;
}

/** Every ScaledObject of the site's agents stack that scales on a RabbitMQ queue or a Prometheus query. */
export function scaledAgents(site: ExampleSite): ScaledAgent[] {
  const found: ScaledAgent[] = [];
  for (const manifest of manifestsOf(site.agents, 'ScaledObject')) {
    const triggers = (manifest.spec.triggers as Trigger[]).filter(
      (t) => t.type === 'rabbitmq' || t.type === 'prometheus',
    );
    if (triggers.length === 0) continue;
    if (triggers.length > 1) {
      throw new Error(`${site.key} ${manifest.metadata.name}: more than one trigger to follow`);
    }
    const name = manifest.metadata.name as string;
    const deployment = site.environment.deployments.find(
      (d) => d.site === site.site && d.agent.name === name,
    );
    if (!deployment) throw new Error(`${site.key}: no agent '${name}' in the environment file`);
    found.push({
      site,
      name,
      namespace: manifest.metadata.namespace,
      minReplicaCount: manifest.spec.minReplicaCount,
      maxReplicaCount: manifest.spec.maxReplicaCount,
      scaleUp: manifest.spec.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleUp,
      trigger: triggers[0] as ScaledAgent['trigger'],
      declared: deployment.agent,
    });
  }
  return found;
}

/** kube-prometheus-stack's values: the scrape jobs and the fleet's rule groups. */
export function monitoringOf(site: ExampleSite): {
  scrapeConfigs: any[];
  rules: { groups: any[] };
} {
  const values = helmValues(site.platform, 'kube-prometheus-stack');
  return {
    scrapeConfigs: values.prometheus.prometheusSpec.additionalScrapeConfigs,
    rules: values.additionalPrometheusRulesMap['agent-fleet'],
  };
}

/** The RabbitMQ definitions of an in-cluster broker: its `<broker>-topology` ConfigMap. */
export function topologyOf(site: ExampleSite, broker: string): Record<string, any[]> {
  const configMap = resourcesOf(site.platform, 'kubernetes_config_map_v1').find(
    (resource) => resource.metadata.name === `${broker}-topology`,
  );
  if (!configMap) throw new Error(`${site.key}: no ConfigMap ${broker}-topology`);
  return JSON.parse(configMap.data['topology.json']);
}

/** Labels and port names of a workload's pods, from its StatefulSet or Deployment. */
export interface PodShape {
  readonly labels: Readonly<Record<string, string>>;
  readonly portNames: readonly string[];
  readonly namespace: string;
}

/** The pods of a StatefulSet (`type` kubernetes_stateful_set_v1) or Deployment by name. */
export function podShape(
  json: Synthesized,
  type: 'kubernetes_stateful_set_v1' | 'kubernetes_deployment_v1',
  name: string,
): PodShape {
  const workload = resourcesOf(json, type).find((resource) => resource.metadata.name === name);
  if (!workload) throw new Error(`no ${type} named ${name}`);
  const template = workload.spec.template;
  return {
    labels: template.metadata.labels,
    portNames: template.spec.container.flatMap((c: any) => (c.port ?? []).map((p: any) => p.name)),
    namespace: namespaceName(json, workload.metadata.namespace),
  };
}

/** A namespace given by name, or by reference to a `kubernetes_namespace_v1` of the stack. */
function namespaceName(json: Synthesized, value: string): string {
  const reference = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(value);
  if (!reference) return value;
  const namespace = resourcesById(json, 'kubernetes_namespace_v1')[reference[1]];
  if (!namespace) throw new Error(`no kubernetes_namespace_v1.${reference[1]}`);
  return namespace.metadata.name;
}

/**
 * The `host` KEDA reads for a ClusterTriggerAuthentication of the agents
 * stack, as written by the platform stack: a Secret's `data_wo` (for
 * `secretTargetRef`) or a Vault KV secret's `data_json_wo` (for
 * `hashiCorpVault`). The password stays a Terraform reference to the
 * ephemeral value it is generated as.
 */
export function kedaHostTemplate(site: ExampleSite, authentication: string): string {
  const auth = manifestsOf(site.agents, 'ClusterTriggerAuthentication').find(
    (manifest) => manifest.metadata.name === authentication,
  );
  if (!auth) throw new Error(`${site.key}: no ClusterTriggerAuthentication ${authentication}`);
  const fromSecret = auth.spec.secretTargetRef?.find((ref: any) => ref.parameter === 'host');
  if (fromSecret) {
    const secret = resourcesOf(site.platform, 'kubernetes_secret_v1').find(
      (resource) => resource.metadata.name === fromSecret.name,
    );
    const host = secret?.data_wo?.[fromSecret.key];
    if (!host) throw new Error(`${site.key}: no Secret ${fromSecret.name} with ${fromSecret.key}`);
    return host;
  }
  const fromVault = auth.spec.hashiCorpVault?.secrets?.find((s: any) => s.parameter === 'host');
  if (fromVault) {
    const secret = resourcesOf(site.platform, 'vault_kv_secret_v2').find(
      (resource) => `${resource.mount}/data/${resource.name}` === fromVault.path,
    );
    const host = new RegExp(`"${fromVault.key}" = "((?:[^"\\\\]|\\\\.)*)"`).exec(
      secret?.data_json_wo ?? '',
    );
    if (!host)
      throw new Error(`${site.key}: no Vault secret ${fromVault.path} with ${fromVault.key}`);
    return host[1];
  }
  throw new Error(`${site.key}: ClusterTriggerAuthentication ${authentication} gives no host`);
}

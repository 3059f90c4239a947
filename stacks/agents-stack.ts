import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { applyBackend } from '../constructs/backend';
import {
  AWS_TRIGGER_AUTHENTICATION,
  AwsTriggerAuthentication,
  AZURE_TRIGGER_AUTHENTICATION,
  AzureTriggerAuthentication,
  BrokerTriggerAuthentication,
  KubernetesAgent,
  priorityClassName,
  siteProvider,
} from '../constructs/kubernetes';
import { rabbitMqBrokers, resolveAgent } from '../constructs/model';
import { SiteStackProps } from './site-stack-props';

/** Props of {@link AgentsStack}. */
export type AgentsStackProps = SiteStackProps;

/**
 * `<env>-<site>-agents`: the workloads of one Kubernetes site. KEDA objects are
 * `kubernetes_manifest` resources, which need their CRDs at plan time, so they
 * live here and not in the platform stack that installs KEDA; the namespaces,
 * priority classes and broker credentials they use come from that stack too.
 */
export class AgentsStack extends TerraformStack {
  /** The agent constructs, by agent name. */
  readonly agents: ReadonlyMap<string, KubernetesAgent>;

  constructor(scope: Construct, id: string, props: AgentsStackProps) {
    super(scope, id);
    applyBackend(this, id, props.backend, { offline: props.offline });
    siteProvider(this, props.site, props.clusterAccess);

    const resolved = props.agents.map(resolveAgent);
    // KEDA reads queue depth through the broker's management API.
    const kedaBrokers = new Set(
      resolved.flatMap((agent) =>
        agent.queue && agent.spec.scaling?.queueDepth ? [agent.queue.broker] : [],
      ),
    );
    for (const broker of rabbitMqBrokers(props.brokers).filter((b) => kedaBrokers.has(b.name))) {
      new BrokerTriggerAuthentication(this, `TriggerAuthentication-${broker.name}`, { broker });
    }

    const agents = new Map<string, KubernetesAgent>();
    for (const agent of resolved) {
      agents.set(
        agent.spec.name,
        new KubernetesAgent(this, agent.spec.name, {
          agent: agent.spec,
          site: props.site,
          brokers: props.brokers,
          namespace: agent.namespace,
          priorityClassName: priorityClassName(agent.priority),
          cloud: props.cloud?.agents[agent.spec.name],
        }),
      );
    }
    this.agents = agents;
    // KEDA reads cloud queues and topics as its own identity, through one authentication per cluster.
    const used = new Set(
      [...agents.values()].flatMap((agent) => agent.clusterTriggerAuthentications),
    );
    if (used.has(AWS_TRIGGER_AUTHENTICATION)) {
      new AwsTriggerAuthentication(this, 'AwsTriggerAuthentication');
    }
    if (used.has(AZURE_TRIGGER_AUTHENTICATION)) {
      new AzureTriggerAuthentication(this, 'AzureTriggerAuthentication');
    }
  }
}

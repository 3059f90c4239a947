import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { applyBackend } from '../constructs/backend';
import {
  AgentNamespace,
  AgentPriorityClass,
  BrokerTriggerAuthentication,
  KubernetesAgent,
  siteProvider,
} from '../constructs/kubernetes';
import {
  AgentSpec,
  BackendSpec,
  BrokerSpec,
  KubernetesSiteSpec,
  PriorityTier,
  resolveAgent,
} from '../constructs/model';

/** Props of {@link AgentsStack}. */
export interface AgentsStackProps {
  readonly site: KubernetesSiteSpec;
  /** The environment's brokers; a trigger authentication is made for each one an agent here uses. */
  readonly brokers: readonly BrokerSpec[];
  /** The agent types placed on this site, with the site's overrides applied. */
  readonly agents: readonly AgentSpec[];
  /** @default - local state under `terraform-state/` */
  readonly backend?: BackendSpec;
}

/**
 * `<env>-<site>-agents`: the workloads of one Kubernetes site. KEDA objects are
 * `kubernetes_manifest` resources, which need their CRDs at plan time, so this
 * stack never installs CRDs itself.
 */
export class AgentsStack extends TerraformStack {
  /** The agent constructs, by agent name. */
  readonly agents: ReadonlyMap<string, KubernetesAgent>;

  constructor(scope: Construct, id: string, props: AgentsStackProps) {
    super(scope, id);
    applyBackend(this, id, props.backend);
    siteProvider(this, props.site);

    const resolved = props.agents.map(resolveAgent);
    const namespaces = new Map<string, AgentNamespace>();
    for (const name of new Set(resolved.map((agent) => agent.namespace))) {
      namespaces.set(name, new AgentNamespace(this, `Namespace-${name}`, { name }));
    }
    const priorityClasses = new Map<PriorityTier, AgentPriorityClass>();
    for (const tier of new Set(resolved.map((agent) => agent.priority))) {
      priorityClasses.set(tier, new AgentPriorityClass(this, `PriorityClass-${tier}`, { tier }));
    }
    // KEDA reads queue depth through the broker's management API.
    const brokersUsed = new Set(
      resolved.flatMap((agent) =>
        agent.queue && agent.spec.scaling?.queueDepth ? [agent.queue.broker] : [],
      ),
    );
    for (const broker of props.brokers.filter((candidate) => brokersUsed.has(candidate.name))) {
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
          namespace: (namespaces.get(agent.namespace) as AgentNamespace).name,
          priorityClassName: (priorityClasses.get(agent.priority) as AgentPriorityClass).name,
        }),
      );
    }
    this.agents = agents;
  }
}

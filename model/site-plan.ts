import { AgentSpec, PriorityTier } from './agent-spec';
import { BrokerSpec, brokerSite, rabbitMqBrokers, RabbitMqBrokerSpec } from './broker';
import { BrokerTopology, brokerTopology, TopologyProblem } from './rabbitmq-topology';
import { ResolvedAgent, resolveAgent } from './resolve';
import { KubernetesSiteSpec } from './site';

/**
 * What the stacks of one Kubernetes site build from, resolved once and handed
 * to every construct of the site: the site, its agents with their defaults
 * applied, the brokers reachable there, and the namespaces and priority
 * classes its platform creates for them.
 */
export interface SitePlan {
  /** Name of the environment: it scopes state keys, Vault paths and roles. */
  readonly environment: string;
  /** The site's cluster: a cluster the user runs, or the cluster view of a cloud site. */
  readonly site: KubernetesSiteSpec;
  /** The agents that run in the site's cluster, resolved. */
  readonly agents: readonly ResolvedAgent[];
  /**
   * Every agent placed on the site, resolved, in the environment's order: those
   * in its cluster and those on its scaling groups (machines of their own, which
   * the site's infra stack builds).
   */
  readonly allAgents: readonly ResolvedAgent[];
  /** The brokers the site's agents use or its cluster runs, in the environment's order. */
  readonly brokers: readonly BrokerSpec[];
  /** The namespaces of the site's agents, once each, in the agents' order. */
  readonly agentNamespaces: readonly string[];
  /** The priority tiers of the site's agents, once each, in the agents' order. */
  readonly priorityTiers: readonly PriorityTier[];
  /** The RabbitMQ brokers the site's cluster runs, with their topology, in the environment's order. */
  readonly rabbitMq: readonly PlannedRabbitMq[];
}

/** An in-cluster RabbitMQ broker of a site and the topology its agents' bindings imply. */
export interface PlannedRabbitMq {
  /** The broker. */
  readonly broker: RabbitMqBrokerSpec;
  /** Its vhosts, queues and users. */
  readonly topology: BrokerTopology;
  /** Bindings of the site's agents that contradict each other on it. */
  readonly problems: readonly TopologyProblem[];
}

/** What a site's plan is made of. */
export interface SitePlanInput {
  /** Name of the environment. */
  readonly environment: string;
  /** The site's cluster. */
  readonly site: KubernetesSiteSpec;
  /** The agent types placed on the site, with the site's overrides applied. */
  readonly agents: readonly AgentSpec[];
  /** The environment's brokers; the plan keeps those reachable on the site. */
  readonly brokers: readonly BrokerSpec[];
}

/** Resolves a site's agents once and gathers what its stacks share. */
export function planSite(input: SitePlanInput): SitePlan {
  const allAgents = input.agents.map(resolveAgent);
  // Agents on scaling groups run on machines of their own, not in the cluster.
  const agents = allAgents.filter((agent) => !agent.spec.placement?.scalingGroup);
  const used = new Set(allAgents.flatMap((agent) => agent.brokers));
  return {
    environment: input.environment,
    site: input.site,
    agents,
    allAgents,
    brokers: input.brokers.filter(
      (broker) => used.has(broker.name) || brokerSite(broker) === input.site.name,
    ),
    agentNamespaces: [...new Set(agents.map((agent) => agent.namespace))],
    priorityTiers: [...new Set(agents.map((agent) => agent.priority))],
    rabbitMq: rabbitMqBrokers(input.brokers)
      .filter((broker) => broker.inCluster?.site === input.site.name)
      .map((broker) => ({ broker, ...brokerTopology(broker, agents) })),
  };
}

import { Manifest as ManifestResource } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { PriorityClassV1 } from '@cdktf/provider-kubernetes/lib/priority-class-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { BrokerSpec, KubernetesSiteSpec, PriorityTier } from '../model';
import { clusterTriggerAuthentication } from './keda';

/**
 * The Kubernetes provider of a site, from its kubeconfig path and context: the
 * credentials stay in the kubeconfig, never in the synthesized output.
 */
export function siteProvider(scope: Construct, site: KubernetesSiteSpec): KubernetesProvider {
  return new KubernetesProvider(scope, 'kubernetes', {
    configPath: site.kubeconfig.path,
    configContext: site.kubeconfig.context,
  });
}

/** Props of {@link AgentNamespace}. */
export interface AgentNamespaceProps {
  /** DNS label. */
  readonly name: string;
}

/**
 * A namespace for agents, enforcing the `restricted` Pod Security Standard.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export class AgentNamespace extends Construct {
  /** The namespace's name, as a reference that orders its objects after it. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: AgentNamespaceProps) {
    super(scope, id);
    const namespace = new NamespaceV1(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          'app.kubernetes.io/part-of': 'agent-fleet',
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    this.name = namespace.metadata.name;
  }
}

const TIERS: Record<PriorityTier, { value: number; description: string; preempts: boolean }> = {
  realtime: {
    value: 100_000,
    description: 'Agents on a latency budget; may preempt batch work.',
    preempts: true,
  },
  standard: {
    value: 10_000,
    description: 'Queue consumers without a latency budget.',
    preempts: true,
  },
  batch: {
    value: 1_000,
    description: 'Scheduled and run-to-completion work; never preempts.',
    preempts: false,
  },
};

/** Name of the PriorityClass of a tier. */
export function priorityClassName(tier: PriorityTier): string {
  return `agent-fleet-${tier}`;
}

/** Props of {@link AgentPriorityClass}. */
export interface AgentPriorityClassProps {
  readonly tier: PriorityTier;
}

/** The PriorityClass of one tier: real-time agents preempt batch work, batch never preempts. */
export class AgentPriorityClass extends Construct {
  /** The class's name, as a reference. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: AgentPriorityClassProps) {
    super(scope, id);
    const tier = TIERS[props.tier];
    const resource = new PriorityClassV1(this, 'Resource', {
      metadata: {
        name: priorityClassName(props.tier),
        labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
      },
      value: tier.value,
      description: tier.description,
      preemptionPolicy: tier.preempts ? 'PreemptLowerPriority' : 'Never',
    });
    this.name = resource.metadata.name;
  }
}

/** Props of {@link BrokerTriggerAuthentication}. */
export interface BrokerTriggerAuthenticationProps {
  readonly broker: BrokerSpec;
}

/** ClusterTriggerAuthentication through which KEDA reads one broker. */
export class BrokerTriggerAuthentication extends Construct {
  constructor(scope: Construct, id: string, props: BrokerTriggerAuthenticationProps) {
    super(scope, id);
    new ManifestResource(this, 'Resource', {
      manifest: clusterTriggerAuthentication(props.broker),
    });
  }
}

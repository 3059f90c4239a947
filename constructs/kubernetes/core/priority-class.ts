import { PriorityClassV1 } from '@cdktf/provider-kubernetes/lib/priority-class-v1';
import { Construct } from 'constructs';
import { PriorityTier } from '../../../model';

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
  /** The tier; it names the class and sets its value and preemption. */
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

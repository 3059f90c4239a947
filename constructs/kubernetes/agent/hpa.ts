import {
  HorizontalPodAutoscalerV2,
  HorizontalPodAutoscalerV2SpecBehaviorScaleDown,
  HorizontalPodAutoscalerV2SpecMetric,
} from '@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2';
import { Construct } from 'constructs';
import { resolveBehavior, ScalingRules, ScalingSpec } from '../../../model';
import { scalingRules } from './keda';

/** Props of {@link NativeAutoscaler}. */
export interface NativeAutoscalerProps {
  /** Name of the autoscaler and of the Deployment it scales. */
  readonly name: string;
  /** Namespace of the autoscaler and the Deployment. */
  readonly namespace: string;
  /** Labels of the autoscaler. */
  readonly labels: Readonly<Record<string, string>>;
  /** Only `cpu`/`memory` signals; event signals go through KEDA. */
  readonly scaling: ScalingSpec;
}

/**
 * A native `autoscaling/v2` HorizontalPodAutoscaler on CPU and/or memory
 * utilisation of a Deployment, with explicit scale-up and scale-down behaviour.
 * @see https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
 */
export class NativeAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: NativeAutoscalerProps) {
    super(scope, id);
    const { scaling } = props;
    const behavior = resolveBehavior(scaling);
    const metric: HorizontalPodAutoscalerV2SpecMetric[] = [];
    if (scaling.cpu) metric.push(utilization('cpu', scaling.cpu.targetUtilization));
    if (scaling.memory) metric.push(utilization('memory', scaling.memory.targetUtilization));
    new HorizontalPodAutoscalerV2(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        minReplicas: scaling.minReplicas,
        maxReplicas: scaling.maxReplicas,
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.name },
        metric,
        behavior: { scaleUp: [rules(behavior.scaleUp)], scaleDown: [rules(behavior.scaleDown)] },
      },
    });
  }
}

function utilization(
  resource: 'cpu' | 'memory',
  percent: number,
): HorizontalPodAutoscalerV2SpecMetric {
  return {
    type: 'Resource',
    resource: { name: resource, target: { type: 'Utilization', averageUtilization: percent } },
  };
}

// The provider names the policy list `policy`.
function rules(rule: Required<ScalingRules>): HorizontalPodAutoscalerV2SpecBehaviorScaleDown {
  const { policies, ...rest } = scalingRules(rule);
  return { ...rest, policy: policies };
}

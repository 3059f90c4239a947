import {
  effectivePrometheusQuery,
  HostsSiteSpec,
  HPA_TOLERANCE,
  PlannedHostsAgent,
  resolveBehavior,
  ScalingRules,
} from '../../model';

/** One scaling policy as the reconcile playbook reads it. */
export interface PolicyVars {
  /** Whether `value` counts instances or percent of the current count. */
  readonly type: 'Pods' | 'Percent';
  /** Instances or percent per decision. */
  readonly value: number;
}

/** One scaling direction as the reconcile playbook reads it (an HPA's `behavior` side). */
export interface DirectionVars {
  /** Which policy wins: the largest change, the smallest, or none. */
  readonly select: 'Max' | 'Min' | 'Disabled';
  /** The policies. */
  readonly policies: readonly PolicyVars[];
}

/**
 * What the reconcile playbook decides an agent's instance count from
 * (`agent_fleet_agents.<agent>.scaling` in `group_vars/all.yml`), the inputs
 * of `instanceDecision` in `model/replica-rule.ts`.
 */
export interface ScalingVars {
  /** Fewest instances. */
  readonly min: number;
  /** Most instances: the agent's maximum, or fewer when its slots are fewer. */
  readonly max: number;
  /** What one instance handles; null for a fixed count (min = max, no query). */
  readonly target: number | null;
  /** Above this the agent wakes from zero. */
  readonly activation: number;
  /** How far from 1 the usage ratio may be before the count changes. */
  readonly tolerance: number;
  /** The sustained value: the query over `sustainedFor`, as KEDA runs it; null for a fixed count. */
  readonly sustained_query: string | null;
  /** The highest sustained value over the scale-down stabilization window; null for a fixed count. */
  readonly stabilized_query: string | null;
  /** The Prometheus the queries run on. */
  readonly prometheus_url: string;
  /** How fast instances are added. */
  readonly scale_up: DirectionVars;
  /** How fast instances are removed. */
  readonly scale_down: DirectionVars;
}

/**
 * The scaling of a planned agent as the reconcile playbook reads it: the same
 * query, bounds and behaviour its Kubernetes replicas would follow, with the
 * maximum held to the slots the servers have room for.
 */
export function scalingVars(planned: PlannedHostsAgent, site: HostsSiteSpec): ScalingVars {
  const scaling = planned.agent.spec.scaling;
  const prometheus = scaling?.prometheus;
  const min = scaling?.minReplicas ?? 1;
  const max = Math.min(scaling?.maxReplicas ?? 1, planned.slots.length);
  const behavior = resolveBehavior(scaling ?? { minReplicas: min, maxReplicas: max });
  const sustained = prometheus ? effectivePrometheusQuery(prometheus) : null;
  const window = behavior.scaleDown.stabilizationWindow;
  const stabilized =
    sustained === null || window.millis === 0
      ? sustained
      : `max_over_time((${sustained})[${window.toPromQl()}:])`;
  return {
    min,
    max,
    target: prometheus?.threshold ?? null,
    activation: prometheus?.activationThreshold ?? 0,
    tolerance: HPA_TOLERANCE,
    sustained_query: sustained,
    stabilized_query: stabilized,
    prometheus_url: prometheus?.serverAddress ?? site.scaling.prometheusUrl,
    scale_up: directionVars(behavior.scaleUp),
    scale_down: directionVars(behavior.scaleDown),
  };
}

function directionVars(rules: Required<ScalingRules>): DirectionVars {
  const select = rules.select === 'min' ? 'Min' : rules.select === 'disabled' ? 'Disabled' : 'Max';
  return {
    select,
    policies: rules.policies.map((policy) => ({
      type: policy.type === 'pods' ? 'Pods' : 'Percent',
      value: policy.value,
    })),
  };
}

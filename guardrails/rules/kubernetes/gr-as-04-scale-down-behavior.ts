import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { many, numberOf, one, scaledObjectOf } from '../support/kubernetes';

const MIN_WINDOW_SECONDS = 300;

interface ScaleDownRules {
  readonly window?: number;
  readonly selectPolicy?: string;
  readonly policies: readonly { readonly type?: string; readonly value?: number }[];
}

/** Why a scale-down rule set does not damp and bound scale-down, or undefined. */
function problemsOf(rules: ScaleDownRules | undefined): string[] {
  if (!rules) return ['no scaleDown behavior'];
  if (rules.selectPolicy === 'Disabled') return [];
  const problems: string[] = [];
  if (rules.window === undefined) problems.push('no scale-down stabilization window');
  else if (rules.window < MIN_WINDOW_SECONDS)
    problems.push(`scale-down stabilization window ${rules.window}s`);
  // 100% per period is the API's own default: it removes every pod at once.
  const limiting = rules.policies.map(
    (policy) => !(policy.type === 'Percent' && (policy.value ?? 100) >= 100),
  );
  const bounded =
    rules.policies.length > 0 &&
    (rules.selectPolicy === 'Min' ? limiting.some(Boolean) : limiting.every(Boolean));
  if (!bounded) problems.push('no rate-limiting scale-down policy');
  return problems;
}

/**
 * GR-AS-04: HPAs, and ScaledObjects through
 * `advanced.horizontalPodAutoscalerConfig.behavior`, state a scale-down
 * stabilization window of at least 300 s and a rate-limiting scale-down
 * policy (not just the default 100% per period; with `selectPolicy: Max`,
 * every policy must limit). `selectPolicy: Disabled` never scales down and
 * passes. Tolerance is left at the 10% default.
 * @see Kubernetes HPA docs (§Configurable scaling behavior, §Default behavior);
 *   keda-docs scaledobject-spec (advanced.horizontalPodAutoscalerConfig)
 */
export const scaleDownBehavior: GuardrailRule = {
  id: 'GR-AS-04',
  level: 'error',
  summary: 'Autoscalers damp scale-down: a window of at least 300 s and a rate-limiting policy',
  fix: 'set `agents.<agent>.scaling.behavior.scaleDown.stabilizationWindow` to 5m or more and a pods or percent (below 100) entry in `agents.<agent>.scaling.behavior.scaleDown.policies`, or leave both unset for the default (5m, 2 pods a minute)',
  appliesTo: ['kubernetes_horizontal_pod_autoscaler_v2', 'kubernetes_manifest'],
  evaluate(resource) {
    let rules: ScaleDownRules | undefined;
    if (resource.type === 'kubernetes_horizontal_pod_autoscaler_v2') {
      const spec = one(resource.attributes.spec) ?? {};
      const down = one(one(spec.behavior)?.scale_down);
      rules = down && {
        window: numberOf(down.stabilization_window_seconds),
        selectPolicy: down.select_policy,
        policies: many(down.policy).map((policy) => ({
          type: policy.type,
          value: numberOf(policy.value),
        })),
      };
    } else {
      const scaledObject = scaledObjectOf(resource);
      if (!scaledObject) return 'not-applicable';
      const down = scaledObject.spec?.advanced?.horizontalPodAutoscalerConfig?.behavior?.scaleDown;
      rules = down && {
        window: numberOf(down.stabilizationWindowSeconds),
        selectPolicy: down.selectPolicy,
        policies: many(down.policies).map((policy) => ({
          type: policy.type,
          value: numberOf(policy.value),
        })),
      };
    }
    const problems = problemsOf(rules);
    return problems.length === 0 ? COMPLIANT : violation(problems.join(', '));
  },
};

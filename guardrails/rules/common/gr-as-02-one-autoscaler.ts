import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../../engine/types';

/** The workloads (kind/namespace/name) autoscalers of a scope target, with their own paths. */
function autoscalerTargetsUncached(scope: RuleScope): { target: string; autoscaler: string }[] {
  const hpas = scope.ofType('kubernetes_horizontal_pod_autoscaler_v2').map((hpa) => {
    const ref =
      hpa.attributes.spec?.[0]?.scale_target_ref?.[0] ?? hpa.attributes.spec?.scale_target_ref;
    const namespace = hpa.attributes.metadata?.namespace ?? hpa.attributes.metadata?.[0]?.namespace;
    return { target: `${ref?.kind}/${namespace}/${ref?.name}`, autoscaler: hpa.path };
  });
  const scaledObjects = scope
    .ofType('kubernetes_manifest')
    .filter((resource) => resource.attributes.manifest?.kind === 'ScaledObject')
    .map((resource) => {
      const manifest = resource.attributes.manifest;
      const kind = manifest.spec?.scaleTargetRef?.kind ?? 'Deployment';
      return {
        target: `${kind}/${manifest.metadata?.namespace}/${manifest.spec?.scaleTargetRef?.name}`,
        autoscaler: resource.path,
      };
    });
  return [...hpas, ...scaledObjects];
}

/** The paths of the autoscalers of each workload (kind/namespace/name), once per scope. */
function autoscalersByTarget(scope: RuleScope): Map<string, string[]> {
  return scope.memo('as:autoscalers-by-target', () => {
    const byTarget = new Map<string, string[]>();
    for (const { target, autoscaler } of autoscalerTargetsUncached(scope)) {
      byTarget.set(target, [...(byTarget.get(target) ?? []), autoscaler]);
    }
    return byTarget;
  });
}

function workloadKey(deployment: ResourceView): string {
  const metadata = deployment.attributes.metadata;
  return `Deployment/${metadata?.namespace}/${metadata?.name}`;
}

/**
 * GR-AS-02: exactly one autoscaler per workload, across every stack of the
 * site: never an HPA next to a ScaledObject, nor two ScaledObjects, which
 * would fight over the replica count.
 * @see KEDA admission webhook (scaledobject_webhook.go)
 */
export const oneAutoscaler: GuardrailRule = {
  id: 'GR-AS-02',
  level: 'error',
  summary: 'Every workload has at most one autoscaler (HPA or KEDA ScaledObject)',
  fix: 'no environment-file field: the fleet gives each agent one autoscaler, a ScaledObject carrying every signal as soon as one needs KEDA; on a workload of your own, put every signal on one ScaledObject',
  appliesTo: ['kubernetes_deployment_v1'],
  evaluate(deployment, scope) {
    const mine = autoscalersByTarget(scope).get(workloadKey(deployment)) ?? [];
    if (mine.length <= 1) return COMPLIANT;
    return violation(`${mine.length} autoscalers: ${mine.join(', ')}`);
  },
};

import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../../engine/types';
import { field, int, manifestOf, manifests, workloadOf } from './support';

/** The typed and manifest resource types a PDB may select pods of. */
const SCALABLE_TYPES = [
  'kubernetes_deployment_v1',
  'kubernetes_deployment',
  'kubernetes_stateful_set_v1',
  'kubernetes_stateful_set',
  'kubernetes_manifest',
];

/** The lowest replica count each autoscaler of the site holds its target at, by `Kind/namespace/name`. */
function autoscalerMinimums(scope: RuleScope): Map<string, { min: number; by: string }> {
  const minimums = new Map<string, { min: number; by: string }>();
  for (const type of [
    'kubernetes_horizontal_pod_autoscaler_v2',
    'kubernetes_horizontal_pod_autoscaler_v1',
    'kubernetes_horizontal_pod_autoscaler',
  ]) {
    for (const hpa of scope.ofType(type)) {
      const spec = field(hpa.attributes, 'spec');
      const ref = field(spec, 'scale_target_ref');
      const namespace = field(field(hpa.attributes, 'metadata'), 'namespace');
      minimums.set(`${field(ref, 'kind')}/${namespace}/${field(ref, 'name')}`, {
        min: int(field(spec, 'min_replicas')) ?? 1,
        by: hpa.path,
      });
    }
  }
  for (const { resource, manifest } of [
    ...manifests(scope, 'HorizontalPodAutoscaler'),
    ...manifests(scope, 'ScaledObject'),
  ]) {
    const spec = manifest.spec ?? {};
    const ref = spec.scaleTargetRef ?? {};
    const min =
      manifest.kind === 'ScaledObject'
        ? (int(spec.minReplicaCount) ?? 0)
        : (int(spec.minReplicas) ?? 1);
    minimums.set(`${ref.kind ?? 'Deployment'}/${manifest.metadata?.namespace}/${ref.name}`, {
      min,
      by: resource.path,
    });
  }
  return minimums;
}

/** Pods that must stay up of `replicas`, for an absolute or percentage minAvailable. */
function required(minAvailable: unknown, replicas: number): number | undefined {
  const absolute = int(minAvailable);
  if (absolute !== undefined) return absolute;
  const percent = typeof minAvailable === 'string' ? /^(\d+)%$/.exec(minAvailable.trim()) : null;
  return percent ? Math.ceil((Number(percent[1]) * replicas) / 100) : undefined;
}

function selects(selector: Record<string, string>, labels: Readonly<Record<string, string>>) {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}

/**
 * GR-FLEET-07: a PDB's minimum available is below the autoscaler's minimum of
 * the workload it selects. When the autoscaler has scaled the workload down
 * to its floor (every quiet night), a PDB requiring that many pods allows no
 * eviction at all: node drains for upgrades, consolidation and spot
 * replacement hang until their timeout, then force or give up. The PDB and
 * the autoscaler are rendered apart (the HPA or ScaledObject may come from
 * another stack), so this is a site-wide check: the PDB's `minAvailable`
 * (absolute or percent, rounded up as the eviction API does) against
 * `minReplicas`/`minReplicaCount` of the autoscaler targeting a workload whose
 * pod labels the PDB's `matchLabels` select. A floor of zero counts as one:
 * the workload runs at least one pod whenever it runs.
 * @see Polaris pdbMinAvailableGreaterThanHPAMinReplicas
 * @see https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions
 * @see GUARDRAILS.md GR-WL-08
 */
export const pdbBelowAutoscalerMin: GuardrailRule = {
  id: 'GR-FLEET-07',
  level: 'error',
  summary: "A PodDisruptionBudget's minAvailable stays below its workload's autoscaler minimum",
  fix: "no environment-file field: the fleet's disruption budgets are maxUnavailable: 1; use maxUnavailable: 1, or a minAvailable below the autoscaler's minimum, on a budget of your own",
  appliesTo: [
    'kubernetes_pod_disruption_budget_v1',
    'kubernetes_pod_disruption_budget',
    'kubernetes_manifest',
  ],
  evaluate(resource, scope) {
    const manifest = manifestOf(resource);
    if (manifest && manifest.kind !== 'PodDisruptionBudget') return 'not-applicable';
    const root = manifest ?? resource.attributes;
    const spec = field(root, 'spec');
    const minAvailable = field(spec, 'min_available');
    if (minAvailable === undefined || minAvailable === null) return 'not-applicable';
    const namespace = field(field(root, 'metadata'), 'namespace');
    const selector: Record<string, string> = field(field(spec, 'selector'), 'match_labels') ?? {};
    const minimums = autoscalerMinimums(scope);
    const problems: string[] = [];
    let checked = false;
    for (const candidate of SCALABLE_TYPES.flatMap((type) => scope.ofType(type))) {
      const workload = workloadOf(candidate as ResourceView);
      if (!workload || !['Deployment', 'StatefulSet'].includes(workload.kind)) continue;
      if (workload.namespace !== namespace || !selects(selector, workload.podLabels)) continue;
      const autoscaler = minimums.get(`${workload.kind}/${workload.namespace}/${workload.name}`);
      if (!autoscaler) continue;
      checked = true;
      const floor = Math.max(autoscaler.min, 1);
      const needed = required(minAvailable, floor);
      if (needed !== undefined && needed >= floor) {
        problems.push(
          `minAvailable ${minAvailable} leaves no disruption at ${workload.kind} ${workload.name}'s minimum of ${floor} (${autoscaler.by})`,
        );
      }
    }
    if (!checked) return 'not-applicable';
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

import { COMPLIANT, GuardrailRule, RuleScope, violation } from '../../engine/types';
import { chartOf, int, manifestOf, many } from './support';

/** Triggers that do not read a queue or stream: resource metrics and schedules. */
const NOT_QUEUE_TRIGGERS = new Set(['cpu', 'memory', 'cron']);

/** The first KEDA release whose polling loop applies fallback at zero replicas. */
const FALLBACK_FROM_ZERO = [2, 19, 0];

/** Fallback behaviours that hold the current count, none at zero, instead of `replicas`. */
const CURRENT_COUNT_BEHAVIORS = new Set(['currentReplicas', 'currentReplicasIfLower']);

/** `major.minor.patch` of a version string, or undefined when it is not one. */
function semver(version: unknown): number[] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(String(version ?? ''));
  return match ? match.slice(1).map(Number) : undefined;
}

function olderThan(version: readonly number[], than: readonly number[]): boolean {
  for (let i = 0; i < than.length; i++) {
    if (version[i] !== than[i]) return version[i] < than[i];
  }
  return false;
}

/** Versions of the KEDA charts the site installs (chart version = KEDA version), once per scope. */
function kedaVersions(scope: RuleScope): string[] {
  return scope.memo('fleet:keda-versions', () =>
    scope
      .ofType('helm_release')
      .filter((release) => chartOf(release) === 'keda')
      .map((release) => String(release.attributes.version ?? '')),
  );
}

/**
 * GR-FLEET-05: a queue-driven ScaledObject whose floor is zero
 * (`minReplicaCount` 0, KEDA's default, or `idleReplicaCount` 0) and that
 * has a `fallback` gets that fallback at zero too. KEDA serves fallback to
 * the HPA; the 0↔1 step is its operator's polling loop. Since KEDA 2.19
 * (kedacore/keda#7239, fixed by #7244; the e2e test `TestFallbackFromZero`)
 * that loop runs the fallback too: once a trigger has failed more than
 * `failureThreshold` times it counts as active, the operator wakes the
 * target, and the HPA holds the fallback replicas. It still does not, and
 * the agent stays at zero while the broker fills, when:
 * - the site's KEDA is older than 2.19 (the chart version of its `keda`
 *   release; a site without one in its stacks is not judged on this);
 * - a queue trigger uses `metricType: Value`: KEDA divides the fallback by
 *   the ready replicas and gives up with none ("readyReplicas is zero, cannot
 *   do fallback", `pkg/fallback`);
 * - `fallback.behavior` is `currentReplicas` or `currentReplicasIfLower`,
 *   which hold the current count: zero, then the one replica waking gives.
 * Without a fallback the rule does not apply: an agent at zero then waits
 * for its metric source by design.
 *
 * A warning, not an error: the agent stops consuming, no message is lost,
 * and scale-to-zero is a deliberate cost choice.
 * @see https://keda.sh/docs/2.20/reference/scaledobject-spec/#fallback
 * @see https://github.com/kedacore/keda/pull/7244 (KEDA 2.19.0)
 * @see kedacore/keda v2.20.2 `pkg/fallback/fallback.go`, `pkg/scaling/scale_handler.go`
 */
export const zeroWithoutFallback: GuardrailRule = {
  id: 'GR-FLEET-05',
  level: 'warning',
  summary:
    'A queue-driven ScaledObject that scales to zero does not count on a fallback KEDA cannot apply at zero',
  fix: 'raise `agents.<agent>.scaling.minReplicas` to 1, or turn the fallback off in writing (`agents.<agent>.scaling.fallback.enabled` false, with a `reason`); a ScaledObject of your own needs KEDA 2.19 or later, AverageValue triggers and behavior currentReplicasIfHigher',
  appliesTo: ['kubernetes_manifest'],
  evaluate(resource, scope) {
    const manifest = manifestOf(resource);
    if (manifest?.kind !== 'ScaledObject') return 'not-applicable';
    const spec = manifest.spec ?? {};
    const queueTriggers = many(spec.triggers).filter(
      (trigger) => !NOT_QUEUE_TRIGGERS.has(String(trigger?.type)),
    );
    if (queueTriggers.length === 0 || !spec.fallback) return 'not-applicable';
    const min = int(spec.minReplicaCount) ?? 0;
    const idle = int(spec.idleReplicaCount);
    if (idle !== 0 && min > 0) return COMPLIANT;
    const floor = idle === 0 ? 'idleReplicaCount 0' : `minReplicaCount ${min}`;
    const reasons: string[] = [];
    const old = kedaVersions(scope).filter((version) => {
      const parsed = semver(version);
      return parsed !== undefined && olderThan(parsed, FALLBACK_FROM_ZERO);
    });
    if (old.length > 0) reasons.push(`KEDA ${old.join(', ')} applies no fallback at zero (2.19+)`);
    const byValue = queueTriggers.filter((trigger) => trigger?.metricType === 'Value');
    if (byValue.length > 0) {
      reasons.push(
        `${byValue.map((t) => t.name ?? t.type).join(', ')} use(s) metricType Value, which KEDA cannot fall back on with no ready replica`,
      );
    }
    if (CURRENT_COUNT_BEHAVIORS.has(String(spec.fallback.behavior))) {
      reasons.push(`fallback behavior ${spec.fallback.behavior} holds the current count, none`);
    }
    if (reasons.length === 0) return COMPLIANT;
    return violation(
      `${floor} with ${queueTriggers.map((t) => t.type).join(', ')} trigger(s) and fallback to ${spec.fallback.replicas} replicas: ${reasons.join('; ')}`,
    );
  },
};

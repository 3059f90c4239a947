import { COMPLIANT, GuardrailRule, violation } from '../types';
import { int, manifestOf, many } from './gr-fleet-support';

/** Triggers that do not read a queue or stream: resource metrics and schedules. */
const NOT_QUEUE_TRIGGERS = new Set(['cpu', 'memory', 'cron']);

/**
 * GR-FLEET-05: a queue-driven scale-to-zero agent does not rely on metric
 * fallback. KEDA's `fallback` is served through the HPA: when a scaler has
 * failed `failureThreshold` times, the external metric KEDA returns to the
 * HPA is replaced by one worth `fallback.replicas`. The 0↔1 step is not the
 * HPA's: KEDA's operator takes it in its polling loop, where a scaler that
 * errs counts as inactive, and a Deployment at zero replicas has no active
 * HPA to ask. So a ScaledObject whose floor is zero (`minReplicaCount` 0,
 * KEDA's default, or `idleReplicaCount` 0) and whose triggers read a queue
 * (anything but cpu, memory and cron) is not held by its fallback: when the
 * metric source fails (the broker's management API, Prometheus, KEDA's cloud
 * identity) while the broker still takes messages, the agent is scaled to
 * zero after `cooldownPeriod` and stays there, with the backlog growing.
 * kedacore/keda#7239 reports fallback not scaling from zero; the fix
 * (kedacore/keda#7244) applies it in the polling loop, but still only after
 * `failureThreshold` failed polls and with the status quirks of
 * kedacore/keda#7411 and #7488. Flagged only when `fallback` is set, i.e. when
 * the agent is meant to ride out a metrics outage: keep a floor of one (or
 * more) replica for such agents, or drop the fallback and accept the outage.
 *
 * A warning, not an error: the agent stops consuming, no message is lost,
 * and scale-to-zero is a deliberate cost choice (fleet scaling on `cpu` or
 * `cron` alone is not concerned).
 * @see https://keda.sh/docs/latest/reference/scaledobject-spec/#fallback
 * @see https://keda.sh/docs/latest/concepts/scaling-deployments/#activating-and-scaling-thresholds
 * @see https://github.com/kedacore/keda/issues/7239
 */
export const zeroWithoutFallback: GuardrailRule = {
  id: 'GR-FLEET-05',
  level: 'warning',
  summary:
    'A queue-driven ScaledObject that scales to zero does not count on fallback to hold replicas',
  fix: 'set minReplicaCount >= 1 (and no idleReplicaCount 0) on a queue-driven agent that needs fallback',
  appliesTo: ['kubernetes_manifest'],
  evaluate(resource) {
    const manifest = manifestOf(resource);
    if (manifest?.kind !== 'ScaledObject') return 'not-applicable';
    const spec = manifest.spec ?? {};
    const queueTriggers = many(spec.triggers).filter(
      (trigger) => !NOT_QUEUE_TRIGGERS.has(String(trigger?.type)),
    );
    if (queueTriggers.length === 0) return 'not-applicable';
    const min = int(spec.minReplicaCount) ?? 0;
    const idle = int(spec.idleReplicaCount);
    const floor = idle === 0 ? 0 : min;
    if (floor > 0 || !spec.fallback) return COMPLIANT;
    const source = idle === 0 ? 'idleReplicaCount 0' : `minReplicaCount ${min}`;
    return violation(
      `${source} with ${queueTriggers.map((t) => t.type).join(', ')} trigger(s) and fallback to ${spec.fallback.replicas} replicas, which KEDA does not apply at zero`,
    );
  },
};

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import {
  containersOf,
  envOf,
  field,
  int,
  many,
  one,
  POD_RESOURCE_TYPES,
  workloadOf,
} from './support';

/** The pod spec's default `terminationGracePeriodSeconds`. */
const DEFAULT_GRACE_SECONDS = 30;

/**
 * Seconds a container's preStop hook takes before SIGTERM: a `sleep` action,
 * or an exec of `sleep N` (directly or through `sh -c`); 0 when it has none
 * or its length cannot be read.
 */
function preStopSeconds(container: unknown): number {
  const hook = one(field(field(container, 'lifecycle'), 'pre_stop'));
  if (!hook) return 0;
  const sleepAction = int(field(field(hook, 'sleep'), 'seconds'));
  if (sleepAction !== undefined) return sleepAction;
  const command = many(field(field(hook, 'exec'), 'command'))
    .map(String)
    .join(' ');
  const match = /(?:^|[\s;&|/])sleep\s+(\d+)(?:s)?(?:\s|$|;|&)/.exec(command);
  return match ? Number(match[1]) : 0;
}

/**
 * GR-FLEET-04: the consumer's grace period covers its processing time. On
 * scale-in, drain or rollout, Kubernetes runs the preStop hook, then sends
 * SIGTERM, and kills the container when `terminationGracePeriodSeconds`
 * (default 30) has run out, counted from the start of the hook. An agent
 * that is mid-message must finish and acknowledge it in what is left after
 * the hook: otherwise the message is redelivered (processed twice) or, with
 * auto-ack, lost. The processing budget is the agent's binding
 * (`FLEET_MAX_PROCESSING_SECONDS`, which also sizes the queue's lock or
 * visibility timeout): it must fit, with the preStop sleep, in the grace period.
 * @see https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination
 * @see https://keda.sh/docs/latest/concepts/scaling-deployments/#leverage-the-container-lifecycle
 * @see GUARDRAILS.md GR-AS-07
 */
export const graceCoversProcessing: GuardrailRule = {
  id: 'GR-FLEET-04',
  level: 'error',
  summary:
    "A consumer's terminationGracePeriodSeconds covers its preStop plus its maximum processing time",
  fix: 'no environment-file field: the fleet sizes terminationGracePeriodSeconds as the preStop time plus `agents.<agent>.queue.consumer.maxProcessingTime` plus 10 s; raise it to at least FLEET_MAX_PROCESSING_SECONDS plus the preStop sleep on a workload of your own',
  appliesTo: POD_RESOURCE_TYPES,
  evaluate(resource) {
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    let needed:
      { seconds: number; container: string; processing: number; preStop: number } | undefined;
    for (const container of containersOf(workload.pod)) {
      const processing = int(envOf(container).FLEET_MAX_PROCESSING_SECONDS);
      if (processing === undefined) continue;
      const preStop = preStopSeconds(container);
      if (!needed || processing + preStop > needed.seconds) {
        needed = {
          seconds: processing + preStop,
          container: String(field(container, 'name') ?? ''),
          processing,
          preStop,
        };
      }
    }
    if (!needed) return 'not-applicable';
    const grace =
      int(field(workload.pod, 'termination_grace_period_seconds')) ?? DEFAULT_GRACE_SECONDS;
    if (grace >= needed.seconds) return COMPLIANT;
    return violation(
      `grace ${grace}s < ${needed.processing}s processing + ${needed.preStop}s preStop of container '${needed.container}'`,
    );
  },
};

import { GuardrailRule } from '../../engine/types';
import { replicasWithinPartitions } from './gr-fleet-01-replicas-within-partitions';
import { minInsyncBelowReplication } from './gr-fleet-02-min-insync-below-replication';
import { queueDeadLetter } from './gr-fleet-03-queue-dead-letter';
import { graceCoversProcessing } from './gr-fleet-04-grace-covers-processing';
import { zeroWithoutFallback } from './gr-fleet-05-zero-without-fallback';
import { oneMetricsProvider } from './gr-fleet-06-one-metrics-provider';
import { pdbBelowAutoscalerMin } from './gr-fleet-07-pdb-below-autoscaler-min';
import { gpuAgents } from './gr-fleet-08-gpu-agents';
import { gpuDaemonSets } from './gr-fleet-09-gpu-daemonsets';
import { scaleFromZeroTags } from './gr-fleet-10-scale-from-zero-tags';
import { runToCompletionNotEvicted } from './gr-fleet-11-run-to-completion-not-evicted';

/**
 * The fleet rules: checks that need every stack of a site at once (an agent
 * and its topic, queue, node pool or autoscaler live in different stacks), in
 * id order.
 */
export const FLEET_RULES: readonly GuardrailRule[] = [
  replicasWithinPartitions,
  minInsyncBelowReplication,
  queueDeadLetter,
  graceCoversProcessing,
  zeroWithoutFallback,
  oneMetricsProvider,
  pdbBelowAutoscalerMin,
  gpuAgents,
  gpuDaemonSets,
  scaleFromZeroTags,
  runToCompletionNotEvicted,
];

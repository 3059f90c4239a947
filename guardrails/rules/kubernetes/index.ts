import { GuardrailRule } from '../../engine/types';
import { noReplicasWhenAutoscaled } from './gr-as-01-no-replicas-when-autoscaled';
import { replicaRange } from './gr-as-03-replica-range';
import { scaleDownBehavior } from './gr-as-04-scale-down-behavior';
import { kedaTiming } from './gr-as-05-keda-timing';
import { kedaFallback } from './gr-as-06-keda-fallback';
import { kafkaReplication } from './gr-dur-04-kafka-replication';
import { cockroachdbAvailability } from './gr-dur-08-cockroachdb-availability';
import { stateEngineAvailability } from './gr-dur-12-state-engine-availability';
import { stateEngineBackups } from './gr-dur-13-state-engine-backups';
import { inClusterBrokerTls } from './gr-enc-12-in-cluster-broker-tls';
import { serviceAccountToken } from './gr-iam-08-service-account-token';
import { podNetworkPolicy } from './gr-net-10-pod-network-policy';
import { noHostExposure } from './gr-net-11-no-host-exposure';
import { networkPolicyPeers } from './gr-net-12-network-policy-peers';
import { noSecretEnv } from './gr-sec-04-no-secret-env';
import { containerResources } from './gr-wl-01-container-resources';
import { probes } from './gr-wl-02-probes';
import { nonRoot } from './gr-wl-03-non-root';
import { readOnlyRoot } from './gr-wl-04-read-only-root';
import { noPrivilege } from './gr-wl-05-no-privilege';
import { seccomp } from './gr-wl-06-seccomp';
import { pinnedImage } from './gr-wl-07-pinned-image';
import { disruptionBudget } from './gr-wl-08-disruption-budget';
import { spread } from './gr-wl-09-spread';
import { noDefaultNamespace } from './gr-wl-10-no-default-namespace';

/** GR-AS-06, whose id the agent construct names in the suppression it writes for a fallback turned off. */
export { kedaFallback };

/**
 * The rules over Kubernetes workloads, platform releases and autoscalers
 * (GR-AS-02, one autoscaler per workload, is listed with the base rules).
 */
export const KUBERNETES_RULES: readonly GuardrailRule[] = [
  noReplicasWhenAutoscaled,
  replicaRange,
  scaleDownBehavior,
  kedaTiming,
  kedaFallback,
  kafkaReplication,
  cockroachdbAvailability,
  stateEngineAvailability,
  stateEngineBackups,
  inClusterBrokerTls,
  serviceAccountToken,
  podNetworkPolicy,
  noHostExposure,
  networkPolicyPeers,
  noSecretEnv,
  containerResources,
  probes,
  nonRoot,
  readOnlyRoot,
  noPrivilege,
  seccomp,
  pinnedImage,
  disruptionBudget,
  spread,
  noDefaultNamespace,
];

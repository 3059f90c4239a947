/** Pod building blocks shared by the Kubernetes constructs: namespaces, network policies, the pod plan, priority classes, providers, Vault annotations. */
export { FleetNamespace, NAMESPACE_ROLE_LABEL } from './namespace';
export type { FleetNamespaceProps, PodSecurityLevel } from './namespace';
export {
  AgentNetworkPolicy,
  awsJobNetworkPolicy,
  DNS_EGRESS,
  NON_PUBLIC_IPV4,
} from './network-policy';
export type { AgentNetworkPolicyProps } from './network-policy';
export { manifestPodSpec } from './pod-manifest';
export type { Manifest } from './pod-manifest';
export {
  CREDENTIALS_DIR,
  KAFKA_OFFSET_RESET,
  planPod,
  POOL_LABEL,
  poolNodeAffinity,
  selectorLabels,
  tolerationsOf,
  VAULT_DATABASE_SECRET,
} from './pod-plan';
export type { PodPlan, ProbePlan, Toleration, VaultCredentials } from './pod-plan';
export { PROVIDER_CONTAINER_SECURITY, PROVIDER_POD_SECURITY, providerPodSpec } from './pod-spec';
export { AgentPriorityClass, priorityClassName } from './priority-class';
export type { AgentPriorityClassProps } from './priority-class';
export { siteHelmProvider, siteProvider } from './providers';
export {
  agentSecretName,
  DEFAULT_KV_MOUNT,
  kedaBrokerSecretName,
  kubernetesAuthMount,
  kvDataPath,
  VAULT_INJECT_ANNOTATION,
  vaultBrokerSecret,
  vaultClusterId,
} from './vault-annotations';
export { WriteOnlySecret } from './write-only-secret';
export type { WriteOnlySecretProps } from './write-only-secret';

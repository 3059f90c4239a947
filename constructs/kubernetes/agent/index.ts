/** An agent type on a Kubernetes site: its workload, autoscaler and KEDA trigger authentications. */
export { NativeAutoscaler } from './hpa';
export type { NativeAutoscalerProps } from './hpa';
export { AWS_TRIGGER_AUTHENTICATION, AZURE_TRIGGER_AUTHENTICATION } from './keda';
export { KubernetesAgent } from './kubernetes-agent';
export type { KubernetesAgentProps } from './kubernetes-agent';
export {
  AwsTriggerAuthentication,
  AzureTriggerAuthentication,
  BrokerTriggerAuthentication,
} from './trigger-authentication';
export type { BrokerTriggerAuthenticationProps } from './trigger-authentication';
export { VaultTriggerAuthentication } from './vault-trigger-authentication';
export type {
  VaultTriggerAuthenticationOptions,
  VaultTriggerAuthenticationProps,
} from './vault-trigger-authentication';

export {
  AgentNamespace,
  AgentPriorityClass,
  BrokerTriggerAuthentication,
  priorityClassName,
  siteProvider,
} from './cluster-objects';
export type {
  AgentNamespaceProps,
  AgentPriorityClassProps,
  BrokerTriggerAuthenticationProps,
} from './cluster-objects';
export { NativeAutoscaler } from './hpa';
export type { NativeAutoscalerProps } from './hpa';
export { KubernetesAgent } from './kubernetes-agent';
export type { KubernetesAgentProps, ScalingMode } from './kubernetes-agent';
export { AgentNetworkPolicy } from './network-policy';
export type { AgentNetworkPolicyProps } from './network-policy';
export { POOL_LABEL } from './pod-plan';

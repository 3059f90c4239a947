export { CHARTS, IMAGES } from './charts';
export type { PinnedChart } from './charts';
export { GpuDevicePlugin } from './gpu-device-plugin';
export type { GpuDevicePluginProps } from './gpu-device-plugin';
export { NativeAutoscaler } from './hpa';
export type { NativeAutoscalerProps } from './hpa';
export { KedaRelease } from './keda-release';
export type { KedaReleaseProps } from './keda-release';
export { KubernetesAgent } from './kubernetes-agent';
export type { KubernetesAgentProps } from './kubernetes-agent';
export { MonitoringRelease } from './monitoring-release';
export type { MonitoringReleaseProps } from './monitoring-release';
export { FleetNamespace, NAMESPACE_ROLE_LABEL } from './namespace';
export type { FleetNamespaceProps, PodSecurityLevel } from './namespace';
export { AgentNetworkPolicy } from './network-policy';
export type { AgentNetworkPolicyProps } from './network-policy';
export { CREDENTIALS_DIR, POOL_LABEL } from './pod-plan';
export { AgentPriorityClass, priorityClassName } from './priority-class';
export type { AgentPriorityClassProps } from './priority-class';
export { siteHelmProvider, siteProvider } from './providers';
export { RabbitMqCluster } from './rabbitmq-cluster';
export type { RabbitMqClusterProps } from './rabbitmq-cluster';
export {
  AwsTriggerAuthentication,
  AzureTriggerAuthentication,
  BrokerTriggerAuthentication,
} from './trigger-authentication';
export { AWS_TRIGGER_AUTHENTICATION, AZURE_TRIGGER_AUTHENTICATION } from './keda';
export type { BrokerTriggerAuthenticationProps } from './trigger-authentication';
export { WriteOnlySecret } from './write-only-secret';
export type { WriteOnlySecretProps } from './write-only-secret';
export { ClusterAutoscalerRelease } from './cluster-autoscaler-release';
export type { ClusterAutoscalerReleaseProps } from './cluster-autoscaler-release';
export { KafkaTopics } from './kafka-topics';
export type { KafkaTopicsProps } from './kafka-topics';
export { SiteServices, VAULT_CA_CONFIG_MAP, VAULT_CA_KEY } from './site-services';
export type { SiteServicesProps } from './site-services';

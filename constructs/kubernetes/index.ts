export { CHARTS, IMAGES } from './platform/charts';
export type { PinnedChart } from './platform/charts';
export { GpuDevicePlugin } from './platform/gpu-device-plugin';
export type { GpuDevicePluginProps } from './platform/gpu-device-plugin';
export { NativeAutoscaler } from './agent/hpa';
export type { NativeAutoscalerProps } from './agent/hpa';
export { KedaRelease } from './platform/keda-release';
export type { KedaReleaseProps } from './platform/keda-release';
export { KubernetesAgent } from './agent/kubernetes-agent';
export type { KubernetesAgentProps } from './agent/kubernetes-agent';
export { MonitoringRelease } from './platform/monitoring-release';
export type { MonitoringReleaseProps } from './platform/monitoring-release';
export { FleetNamespace, NAMESPACE_ROLE_LABEL } from './core/namespace';
export type { FleetNamespaceProps, PodSecurityLevel } from './core/namespace';
export { AgentNetworkPolicy } from './core/network-policy';
export type { AgentNetworkPolicyProps } from './core/network-policy';
export { CREDENTIALS_DIR, POOL_LABEL } from './core/pod-plan';
export { AgentPriorityClass, priorityClassName } from './core/priority-class';
export type { AgentPriorityClassProps } from './core/priority-class';
export { siteHelmProvider, siteProvider } from './core/providers';
export { RabbitMqCluster } from './services/rabbitmq-cluster';
export type { RabbitMqClusterProps } from './services/rabbitmq-cluster';
export {
  AwsTriggerAuthentication,
  AzureTriggerAuthentication,
  BrokerTriggerAuthentication,
} from './agent/trigger-authentication';
export { AWS_TRIGGER_AUTHENTICATION, AZURE_TRIGGER_AUTHENTICATION } from './agent/keda';
export type { BrokerTriggerAuthenticationProps } from './agent/trigger-authentication';
export { WriteOnlySecret } from './core/write-only-secret';
export type { WriteOnlySecretProps } from './core/write-only-secret';
export { ClusterAutoscalerRelease } from './platform/cluster-autoscaler-release';
export type { ClusterAutoscalerReleaseProps } from './platform/cluster-autoscaler-release';
export { KafkaTopics } from './services/kafka-topics';
export type { KafkaTopicsProps } from './services/kafka-topics';
export { SiteServices, VAULT_CA_CONFIG_MAP, VAULT_CA_KEY } from './services/site-services';
export type { SiteServicesProps } from './services/site-services';

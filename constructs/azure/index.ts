/** The Azure target: provider, resource group, VNet, AKS, node pools, Service Bus, Event Hubs, Cosmos DB, agent identities and agents on VM scale sets. */
export { AgentIdentity, WORKLOAD_IDENTITY_USE_LABEL } from './agent-identity';
export type { AgentIdentityProps, AzureGrantee, FederatedServiceAccount } from './agent-identity';
export { AksCluster, NETWORK_CONTRIBUTOR_ROLE } from './aks-cluster';
export type { AksClusterProps, AksSystemPoolProps, IAksCluster } from './aks-cluster';
export { AksNodePool } from './aks-node-pool';
export type { AksNodePoolProps, AksNodePoolSpec } from './aks-node-pool';
export { AKS_AAD_SERVER_ID, aksClusterAccess } from './cluster-access';
export type { AksClusterAccessProps } from './cluster-access';
export { CosmosDbAccount, CosmosDbContainer } from './cosmos-db';
export type { CosmosDbAccountProps, CosmosDbContainerProps } from './cosmos-db';
export {
  EVENT_HUBS_DATA_RECEIVER,
  EVENT_HUBS_DATA_SENDER,
  EventHubsNamespace,
  EventHubTopic,
} from './event-hubs';
export type { EventHubsNamespaceProps, EventHubsSku, EventHubTopicProps } from './event-hubs';
export { PrivateVirtualNetwork } from './network';
export type { PrivateVirtualNetworkProps, VirtualNetworkPlan } from './network';
export { azureProvider } from './provider';
export type { AzureProviderProps } from './provider';
export { SiteResourceGroup } from './resource-group';
export type { SiteResourceGroupProps } from './resource-group';
export {
  AgentServiceBusQueue,
  SERVICE_BUS_DATA_OWNER,
  SERVICE_BUS_DATA_RECEIVER,
  SERVICE_BUS_DATA_SENDER,
  ServiceBusNamespace,
} from './service-bus';
export type {
  AgentServiceBusQueueProps,
  ServiceBusNamespaceProps,
  ServiceBusSku,
} from './service-bus';
export { AzureSiteAgents } from './site-agents';
export type { AzureSiteAgentsProps } from './site-agents';
export {
  AzureSiteBrokers,
  COSMOS_PRIVATE_DNS_ZONE,
  SERVICE_BUS_PRIVATE_DNS_ZONE,
} from './site-brokers';
export type { AzureSiteBrokersProps } from './site-brokers';
export { AgentScaleSet, ScaleSetSignal, UBUNTU_2404 } from './vm-scale-set';
export type {
  AgentScaleSetProps,
  CustomMetricSignalProps,
  ScaleSetCapacity,
  ScaleSetIdentity,
  ServiceBusQueueSignalProps,
  VmImage,
} from './vm-scale-set';

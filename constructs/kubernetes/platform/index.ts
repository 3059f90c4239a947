/** A site's platform: the pinned charts, KEDA, monitoring, the cluster autoscaler, the GPU device plugin, and the site's capacity. */
export {
  CHARTS,
  chartsOnSite,
  chartSupportProblems,
  clusterAutoscalerProblems,
  IMAGES,
} from './charts';
export type { PinnedChart } from './charts';
export { ClusterAutoscalerRelease } from './cluster-autoscaler-release';
export type { ClusterAutoscalerReleaseProps } from './cluster-autoscaler-release';
export { DsqlRoles } from './dsql-roles';
export type { DsqlRolesProps } from './dsql-roles';
export { GpuDevicePlugin } from './gpu-device-plugin';
export type { GpuDevicePluginProps } from './gpu-device-plugin';
export { KedaRelease } from './keda-release';
export type { KedaReleaseProps } from './keda-release';
export {
  agentDashboardConfigMap,
  agentDashboardName,
  MonitoringRelease,
} from './monitoring-release';
export type { MonitoringReleaseProps } from './monitoring-release';
export { siteCapacity } from './site-capacity';
export type { AgentReach, PoolCapacity, SiteCapacity } from './site-capacity';

import { Construct } from 'constructs';
import {
  AksCluster,
  AksNodePool,
  azureProvider,
  AzureSiteAgents,
  AzureSiteBrokers,
  PrivateVirtualNetwork,
  SiteResourceGroup,
} from '../constructs/azure';
import { applyBackend } from '../constructs/terraform';
import { CheckedStack } from '../guardrails/engine/rendering';
import { aksClusterName, AzureSiteSpec, SiteCloudBindings } from '../model';
import { assertValidCloudSite, CloudInfraStackProps } from './site-stack-props';

/**
 * Props of {@link AzureInfraStack}. A backend the site names (`site.backend`)
 * wins over the environment's.
 */
export type AzureInfraStackProps = CloudInfraStackProps<AzureSiteSpec>;

/**
 * `<env>-<site>-infra`: the cloud infrastructure of an Azure site, in the resource
 * group `<env>-<site>`. A private VNet (nodes, agents and private-endpoint subnets,
 * NAT gateway egress), an AKS cluster of the same name (Entra ID and Azure RBAC,
 * workload identity, private or range-limited API server) and an autoscaled node
 * pool per declared pool; the site's Service Bus and Event Hubs namespaces and
 * Cosmos DB account behind private endpoints; and per agent its queue, event hub,
 * container and identity, or its VM scale set.
 */
export class AzureInfraStack extends CheckedStack {
  /** The site's AKS cluster, named `<env>-<site>`. */
  readonly cluster: AksCluster;
  /** `<env>-<site>`, known at synth: later stacks find the cluster in it. */
  readonly resourceGroupName: string;
  /** `<env>-<site>`, known at synth. */
  readonly clusterName: string;
  /** What the site's platform and agents stacks need from this one. */
  readonly bindings: SiteCloudBindings;

  constructor(scope: Construct, id: string, props: AzureInfraStackProps) {
    super(scope, id);
    const { site } = props;
    const { environment, brokers: reachable, allAgents } = props.plan;
    assertValidCloudSite(this, props);
    applyBackend(this, id, site.backend ?? props.backend, { offline: props.offline, environment });
    azureProvider(this, { subscriptionId: site.subscriptionId, tenantId: site.tenantId });
    const name = aksClusterName(environment, site);
    const group = new SiteResourceGroup(this, 'ResourceGroup', { name, location: site.location });
    const common = { resourceGroupName: group.resourceGroupName, location: site.location };
    const network = new PrivateVirtualNetwork(this, 'Network', {
      ...common,
      name,
      cidr: site.network.cidr,
      zones: site.network.zones,
    });
    this.cluster = new AksCluster(this, 'Cluster', {
      ...common,
      name,
      kubernetesVersion: site.cluster.version,
      longTermSupport: site.cluster.extendedSupport,
      nodeSubnetId: network.nodeSubnetId,
      tenantId: site.tenantId,
      adminGroupObjectIds: Object.values(site.cluster.admins),
      authorizedIpRanges: site.cluster.authorizedIpRanges,
      zones: site.network.zones,
      production: props.production,
    });
    const pools = new Construct(this, 'NodePools');
    for (const pool of site.nodePools) {
      new AksNodePool(pools, pool.name, {
        cluster: this.cluster,
        subnetId: network.nodeSubnetId,
        pool: { ...pool, zones: site.network.zones },
      });
    }
    const brokers = new AzureSiteBrokers(this, 'Brokers', {
      ...common,
      environment,
      site,
      brokers: reachable,
      agents: allAgents.map((agent) => agent.spec),
      vnetId: network.vnetId,
      privateEndpointSubnetId: network.privateEndpointSubnetId,
      production: props.production,
    });
    const agents = new AzureSiteAgents(this, 'Agents', {
      ...common,
      environment,
      site,
      agents: allAgents,
      brokers: reachable,
      cluster: this.cluster,
      serviceBus: brokers.serviceBus,
      eventHubs: brokers.eventHubs,
      cosmos: brokers.cosmos,
      agentSubnetId: network.agentSubnetId,
    });
    this.resourceGroupName = name;
    this.clusterName = name;
    this.bindings = agents.bindings;
  }
}

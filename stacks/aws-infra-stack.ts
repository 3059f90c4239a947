import { Construct } from 'constructs';
import {
  addMachineChecks,
  awsProvider,
  AwsSiteAgents,
  AwsSiteBrokers,
  ClusterAutoscalerRole,
  EksCluster,
  ManagedNodeGroup,
  PrivateNetwork,
} from '../constructs/aws';
import { applyBackend } from '../constructs/terraform';
import { CheckedStack } from '../guardrails/engine/rendering';
import { AwsSiteSpec, eksClusterName, SiteCloudBindings } from '../model';
import { assertValidCloudSite, CloudInfraStackProps } from './site-stack-props';

/** Props of {@link AwsInfraStack}. */
export type AwsInfraStackProps = CloudInfraStackProps<AwsSiteSpec>;

/**
 * `<env>-<site>-infra`: the cloud infrastructure of an AWS site. A private
 * network over the site's zones, an EKS cluster (private endpoint, Secrets
 * encrypted with a rotated key, control-plane logs, IRSA provider) and a
 * managed node group per declared pool, with the tags the cluster autoscaler
 * reads to scale a pool from zero; the site's managed brokers (MSK, Amazon
 * MQ); and per agent its queues, table and identity, or its scaling group.
 */
export class AwsInfraStack extends CheckedStack {
  /** The site's EKS cluster, named `<env>-<site>`; later stacks reach its API server through it. */
  readonly cluster: EksCluster;
  /** What the site's platform and agents stacks need from this one. */
  readonly bindings: SiteCloudBindings;

  constructor(scope: Construct, id: string, props: AwsInfraStackProps) {
    super(scope, id);
    const { site } = props;
    const { environment, brokers: reachable, allAgents } = props.plan;
    assertValidCloudSite(this, props);
    applyBackend(this, id, props.backend, { offline: props.offline, environment });
    awsProvider(this, { region: site.region, accountId: site.accountId, offline: props.offline });
    const clusterName = eksClusterName(environment, site);
    const network = new PrivateNetwork(this, 'Network', {
      cidr: site.network.cidr,
      availabilityZones: site.network.availabilityZones,
      clusterName,
    });
    this.cluster = new EksCluster(this, 'Cluster', {
      name: clusterName,
      version: site.cluster.version,
      extendedSupport: site.cluster.extendedSupport,
      accountId: site.accountId,
      region: site.region,
      subnetIds: network.privateSubnetIds,
      publicAccessCidrs: site.cluster.publicAccessCidrs,
      clusterAdmins: site.cluster.admins,
    });
    new ClusterAutoscalerRole(this, 'ClusterAutoscalerRole', {
      clusterName,
      accountId: site.accountId,
      oidcProviderArn: this.cluster.oidcProviderArn,
      oidcIssuer: this.cluster.oidcIssuer,
    });
    for (const pool of site.nodePools) {
      new ManagedNodeGroup(this, `NodeGroup-${pool.name}`, {
        cluster: this.cluster,
        subnetIds: network.privateSubnetIds,
        pool,
      });
    }
    const brokers = new AwsSiteBrokers(this, 'Brokers', {
      environment,
      site,
      brokers: reachable,
      production: props.production,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      clientSecurityGroupIds: [this.cluster.clusterSecurityGroupId],
    });
    const agents = new AwsSiteAgents(this, 'Agents', {
      environment,
      site,
      agents: allAgents,
      brokers: reachable,
      kafka: brokers.kafka,
      cluster: this.cluster,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
    });
    this.bindings = agents.bindings;
    addMachineChecks(this, [
      ...site.nodePools.flatMap((pool) => pool.instanceTypes),
      ...allAgents.flatMap((agent) => agent.spec.placement?.scalingGroup?.instanceType ?? []),
    ]);
  }
}

import { TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import {
  awsProvider,
  ClusterAutoscalerRole,
  EksCluster,
  ManagedNodeGroup,
  PrivateNetwork,
} from '../constructs/aws';
import { applyBackend } from '../constructs/backend';
import { AwsSiteSpec, BackendSpec, eksClusterName } from '../constructs/model';

/** Props of {@link InfraStack}. */
export interface InfraStackProps {
  readonly site: AwsSiteSpec;
  /** Name of the environment, which names the cluster. */
  readonly environment: string;
  /** @default - local state under `terraform-state/` */
  readonly backend?: BackendSpec;
  /** Synthesize for the offline plan only. @default false */
  readonly offline?: boolean;
}

/**
 * `<env>-<site>-infra`: the cloud infrastructure of an AWS site. A private
 * network over the site's zones, an EKS cluster (private endpoint, Secrets
 * encrypted with a rotated key, control-plane logs, IRSA provider) and a
 * managed node group per declared pool, with the tags the cluster autoscaler
 * reads to scale a pool from zero.
 */
export class InfraStack extends TerraformStack {
  readonly cluster: EksCluster;

  constructor(scope: Construct, id: string, props: InfraStackProps) {
    super(scope, id);
    const { site } = props;
    applyBackend(this, id, props.backend, { offline: props.offline });
    awsProvider(this, { region: site.region, accountId: site.accountId, offline: props.offline });
    const clusterName = eksClusterName(props.environment, site);
    const network = new PrivateNetwork(this, 'Network', {
      cidr: site.network.cidr,
      availabilityZones: site.network.availabilityZones,
      clusterName,
    });
    this.cluster = new EksCluster(this, 'Cluster', {
      name: clusterName,
      version: site.cluster.version,
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
  }
}

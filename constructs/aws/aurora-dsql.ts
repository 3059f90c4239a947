import { DsqlCluster } from '@cdktf/provider-aws/lib/dsql-cluster';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { Problem, ValidationError } from '../../model';
import { addClientIngress, validateAccountAndRegion, validateClientSources } from './client-access';
import { AwsGrantee } from './grants';
import { ownKey } from './key-policy';

/** The PostgreSQL port of Aurora DSQL. */
export const DSQL_PORT = 5432;

/** The database every Aurora DSQL cluster has, and the only one. */
export const DSQL_DATABASE = 'postgres';

/** Props of {@link AuroraDsqlCluster}. */
export interface AuroraDsqlClusterProps {
  /** Name of the cluster, as its `Name` tag and its key's alias: `<env>-<site>`. */
  readonly name: string;
  /** The 12-digit account of the cluster; written into the key policy. */
  readonly accountId: string;
  /** The cluster's region. */
  readonly region: string;
  /** The site's VPC, where the cluster's connection endpoint gets addresses. */
  readonly vpcId: string;
  /** Private subnets, one per zone. */
  readonly subnetIds: readonly string[];
  /** CIDRs admitted to port 5432 of the endpoint: the site's VPC. */
  readonly clientCidrs: readonly string[];
}

/**
 * An Aurora DSQL cluster (distributed, PostgreSQL-compatible, active-active
 * across the region's zones) for the SQL state of a site's agents, reached
 * privately:
 * - encrypted with a customer-managed KMS key of its own, rotated (GR-ENC-04);
 * - deletion protection and `prevent_destroy` on the cluster and its key
 *   (GR-DUR-02, GR-DUR-09);
 * - an interface VPC endpoint for the cluster's own PrivateLink service
 *   (`vpc_endpoint_service_name`) in the private subnets, with private DNS,
 *   admitting the site's VPC on 5432 only; the connection host is
 *   `<cluster id>.<dsql-xxxx>.<region>.on.aws`, which that private DNS serves.
 * DSQL keeps no backup setting on the resource: its storage is replicated
 * across three zones by the service, and AWS Backup takes snapshots outside
 * this construct. Sign-in is by IAM token only; no password exists.
 * @see https://docs.aws.amazon.com/aurora-dsql/latest/userguide/privatelink-managing-clusters.html
 * @see https://docs.aws.amazon.com/aurora-dsql/latest/userguide/using-database-and-iam-roles.html
 */
export class AuroraDsqlCluster extends Construct {
  /** ARN of the cluster, for `dsql:DbConnect` grants. */
  readonly clusterArn: string;
  /** The cluster's identifier. */
  readonly identifier: string;
  /** Host of the cluster through its VPC endpoint (private DNS). */
  readonly host: string;
  /** The PostgreSQL port. */
  readonly port = DSQL_PORT;
  /** The key that encrypts the cluster. */
  readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: AuroraDsqlClusterProps) {
    super(scope, id);
    const problems: Problem[] = [
      ...validateAccountAndRegion(props.accountId, props.region),
      ...validateClientSources({ clientCidrs: props.clientCidrs }),
    ];
    if (props.subnetIds.length === 0) {
      problems.push({ path: ['subnetIds'], message: 'no subnet: list the private subnets' });
    }
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.kmsKeyArn = ownKey(this, {
      description: `Encrypts Aurora DSQL cluster ${props.name}`,
      alias: `alias/dsql/${props.name}`,
      accountId: props.accountId,
    });
    const cluster = new DsqlCluster(this, 'Resource', {
      deletionProtectionEnabled: true,
      kmsEncryptionKey: this.kmsKeyArn,
      tags: { Name: props.name },
      lifecycle: { preventDestroy: true },
    });
    const group = new SecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      description: `Aurora DSQL cluster ${props.name}: PostgreSQL from the site's network`,
      revokeRulesOnDelete: true,
    });
    addClientIngress(this, group.id, DSQL_PORT, 'PostgreSQL to Aurora DSQL', {
      clientCidrs: props.clientCidrs,
    });
    new VpcEndpoint(this, 'Endpoint', {
      vpcId: props.vpcId,
      serviceName: cluster.vpcEndpointServiceName,
      vpcEndpointType: 'Interface',
      subnetIds: [...props.subnetIds],
      securityGroupIds: [group.id],
      privateDnsEnabled: true,
    });
    this.clusterArn = cluster.arn;
    this.identifier = cluster.identifier;
    // The service name is `com.amazonaws.<region>.dsql-xxxx`; its last label names the
    // private DNS domain `dsql-xxxx.<region>.on.aws` the endpoint serves.
    const service = Fn.element(Fn.split('.', cluster.vpcEndpointServiceName), 3);
    this.host = `${cluster.identifier}.${service}.${props.region}.on.aws`;
  }

  /**
   * Lets the grantee connect with an IAM token as a custom database role
   * (`dsql:DbConnect` on this cluster only); which role it may take is decided
   * inside the database, by `AWS IAM GRANT <role> TO '<IAM role ARN>'`.
   */
  grantConnect(grantee: AwsGrantee): void {
    grantee.addToPrincipalPolicy({
      Effect: 'Allow',
      Action: ['dsql:DbConnect'],
      Resource: [this.clusterArn],
    });
  }

  /**
   * Lets the grantee connect as the cluster's `admin` role
   * (`dsql:DbConnectAdmin` on this cluster only): for the Job that creates
   * the agents' database roles, never for an agent.
   */
  grantConnectAdmin(grantee: AwsGrantee): void {
    grantee.addToPrincipalPolicy({
      Effect: 'Allow',
      Action: ['dsql:DbConnectAdmin'],
      Resource: [this.clusterArn],
    });
  }
}

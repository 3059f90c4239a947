import { DocdbCluster } from '@cdktf/provider-aws/lib/docdb-cluster';
import { DocdbClusterInstance } from '@cdktf/provider-aws/lib/docdb-cluster-instance';
import { DocdbClusterParameterGroup } from '@cdktf/provider-aws/lib/docdb-cluster-parameter-group';
import { DocdbSubnetGroup } from '@cdktf/provider-aws/lib/docdb-subnet-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Construct } from 'constructs';
import { Problem, ValidationError } from '../../model';
import { addClientIngress, validateAccountAndRegion, validateClientSources } from './client-access';
import { AwsGrantee } from './grants';
import { ownKey } from './key-policy';

/** The MongoDB port of Amazon DocumentDB. */
export const DOCUMENTDB_PORT = 27017;

/** Name of the cluster's master user. */
export const DOCUMENTDB_MASTER_USER = 'fleetadmin';

/** Props of {@link DocumentDbCluster}. */
export interface DocumentDbClusterProps {
  /** Cluster identifier: a letter, then up to 62 lower-case letters, digits or single `-`: `<env>-<site>`. */
  readonly name: string;
  /** The 12-digit account; written into the key policy. */
  readonly accountId: string;
  /** The cluster's region. */
  readonly region: string;
  /** The site's VPC. */
  readonly vpcId: string;
  /** Private subnets, one per zone; the subnet group spans them. */
  readonly subnetIds: readonly string[];
  /** The zones of those subnets, in order: the instances are spread over them. */
  readonly availabilityZones: readonly string[];
  /** CIDRs admitted to port 27017: the site's VPC. */
  readonly clientCidrs: readonly string[];
  /** Instance class of the instances. @default 'db.r6g.large' */
  readonly instanceClass?: string;
  /** Instances, one per zone in turn: a primary and replicas. @default 3 */
  readonly instances?: number;
  /** Days of continuous backup (point-in-time restore inside the window), 1 to 35. @default 7 */
  readonly backupRetentionDays?: number;
}

/**
 * An Amazon DocumentDB cluster (MongoDB-compatible) for the document state of
 * a site's agents:
 * - instances spread over the site's zones (3 by default: a primary and two
 *   replicas), in a subnet group of the private subnets, behind a security
 *   group that admits the site's VPC on 27017 only;
 * - a cluster parameter group with `tls` enabled, so every client uses TLS;
 * - storage encrypted with a customer-managed KMS key of its own (GR-ENC-04),
 *   continuous backup for `backupRetentionDays` (point-in-time restore),
 *   deletion protection and `prevent_destroy` on the cluster and its key
 *   (GR-DUR-02, GR-DUR-09), a final snapshot should it ever be deleted;
 * - the master password generated, kept in Secrets Manager and rotated by
 *   DocumentDB itself (`manage_master_user_password`), for the Job that
 *   creates the agents' users: it never passes through Terraform, so it is in
 *   neither the plan nor the state, and no provider but AWS's is needed.
 * @see https://docs.aws.amazon.com/documentdb/latest/developerguide/security.encryption.ssl.html
 * @see https://docs.aws.amazon.com/documentdb/latest/developerguide/backup_restore.html
 */
export class DocumentDbCluster extends Construct {
  /** The cluster endpoint (the primary). */
  readonly endpoint: string;
  /** The reader endpoint (the replicas). */
  readonly readerEndpoint: string;
  /** The MongoDB port. */
  readonly port = DOCUMENTDB_PORT;
  /** ARN of the secret DocumentDB keeps the master user's name and password in (JSON). */
  readonly masterSecretArn: string;
  /** The key that encrypts the storage. */
  readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: DocumentDbClusterProps) {
    super(scope, id);
    const problems = validateCluster(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.kmsKeyArn = ownKey(this, {
      description: `Encrypts Amazon DocumentDB cluster ${props.name}`,
      alias: `alias/docdb/${props.name}`,
      accountId: props.accountId,
    });
    const subnets = new DocdbSubnetGroup(this, 'SubnetGroup', {
      name: props.name,
      description: `Private subnets of Amazon DocumentDB cluster ${props.name}`,
      subnetIds: [...props.subnetIds],
    });
    const parameters = new DocdbClusterParameterGroup(this, 'Parameters', {
      name: props.name,
      family: 'docdb5.0',
      description: 'TLS required for every client',
      parameter: [{ name: 'tls', value: 'enabled' }],
    });
    const group = new SecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      description: `Amazon DocumentDB cluster ${props.name}: MongoDB over TLS from the site's network`,
      revokeRulesOnDelete: true,
    });
    addClientIngress(this, group.id, DOCUMENTDB_PORT, 'MongoDB to Amazon DocumentDB', {
      clientCidrs: props.clientCidrs,
    });
    const cluster = new DocdbCluster(this, 'Resource', {
      clusterIdentifier: props.name,
      engine: 'docdb',
      engineVersion: '5.0.0',
      masterUsername: DOCUMENTDB_MASTER_USER,
      manageMasterUserPassword: true,
      dbSubnetGroupName: subnets.name,
      dbClusterParameterGroupName: parameters.name,
      vpcSecurityGroupIds: [group.id],
      port: DOCUMENTDB_PORT,
      storageEncrypted: true,
      kmsKeyId: this.kmsKeyArn,
      backupRetentionPeriod: props.backupRetentionDays ?? 7,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${props.name}-final`,
      enabledCloudwatchLogsExports: ['audit', 'profiler'],
      lifecycle: { preventDestroy: true },
    });
    const count = props.instances ?? 3;
    for (let i = 0; i < count; i++) {
      new DocdbClusterInstance(this, `Instance${i}`, {
        identifier: `${props.name}-${i}`,
        clusterIdentifier: cluster.id,
        instanceClass: props.instanceClass ?? 'db.r6g.large',
        availabilityZone: props.availabilityZones[i % props.availabilityZones.length],
        autoMinorVersionUpgrade: true,
      });
    }
    this.endpoint = cluster.endpoint;
    this.readerEndpoint = cluster.readerEndpoint;
    this.masterSecretArn = cluster.masterUserSecret.get(0).secretArn;
  }

  /**
   * Lets the grantee read the master user's secret, this secret only (its key
   * is Secrets Manager's own, which any role of the account may use through
   * the service): for the Job that creates the agents' users, never for an
   * agent. Agents need no statement: DocumentDB checks their IAM identity
   * itself (`MONGODB-AWS`).
   */
  grantReadMasterSecret(grantee: AwsGrantee): void {
    grantee.addToPrincipalPolicy({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [this.masterSecretArn],
    });
  }
}

function validateCluster(props: DocumentDbClusterProps): Problem[] {
  const problems: Problem[] = [
    ...validateAccountAndRegion(props.accountId, props.region),
    ...validateClientSources({ clientCidrs: props.clientCidrs }),
  ];
  // 63 at most, and `-<n>` and `-final` are appended to it.
  if (!/^[a-z](?!.*--)[a-z0-9-]{0,55}[a-z0-9]$/.test(props.name)) {
    problems.push({
      path: ['name'],
      message: `'${props.name}' is not a DocumentDB cluster name here: a letter, then lower-case letters, digits or single '-', 2 to 57 characters, not ending in '-'`,
    });
  }
  if (props.subnetIds.length < 2 || props.availabilityZones.length < 2) {
    problems.push({
      path: ['subnetIds'],
      message: 'a DocumentDB subnet group needs subnets in at least 2 zones',
    });
  }
  const instances = props.instances ?? 3;
  if (!Number.isInteger(instances) || instances < 1 || instances > 16) {
    problems.push({
      path: ['instances'],
      message: `${instances} must be a whole number from 1 to 16`,
    });
  }
  const days = props.backupRetentionDays ?? 7;
  if (!Number.isInteger(days) || days < 1 || days > 35) {
    problems.push({
      path: ['backupRetentionDays'],
      message: `${days} must be a whole number of days from 1 to 35`,
    });
  }
  return problems;
}

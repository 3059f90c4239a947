import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksCluster as CfnEksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  clusterVersionProblems,
  ExtendedSupport,
  Problem,
  publicExposure,
  ValidationError,
} from '../../model';
import { cidrPrefix, validateAccountAndRegion } from './client-access';
import { accountAdministersKey, logsEncryptLogGroup } from './key-policy';

/** Control-plane log types the cluster sends to CloudWatch Logs: all of them. */
export const CONTROL_PLANE_LOG_TYPES = [
  'api',
  'audit',
  'authenticator',
  'controllerManager',
  'scheduler',
] as const;

/** Days the control-plane logs are kept. */
export const CONTROL_PLANE_LOG_RETENTION_DAYS = 90;

/** The managed policy of the cluster role, and the only one. */
export const EKS_CLUSTER_POLICY = 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy';

const CLUSTER_ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/** What a node group needs from its cluster. */
export interface IEksCluster {
  /** The cluster's name (a reference: using it orders work after the cluster). */
  readonly name: string;
  /** The security group EKS creates for the control plane and managed nodes. */
  readonly clusterSecurityGroupId: string;
}

/** Props of {@link EksCluster}. */
export interface EksClusterProps {
  /** Cluster name: 1 to 100 letters, digits, `-` or `_`, starting with a letter or digit. */
  readonly name: string;
  /** Kubernetes minor version, e.g. `'1.35'`. */
  readonly version: string;
  /**
   * Keep the version on EKS extended support (billed at a higher hourly rate)
   * once its standard support ends, with the written reason; otherwise EKS
   * upgrades the control plane then (`upgrade_policy.support_type = STANDARD`).
   * The version must be in standard support, or in extended support with this.
   * @default - standard support only
   * @see https://docs.aws.amazon.com/eks/latest/userguide/view-upgrade-policy.html
   */
  readonly extendedSupport?: ExtendedSupport;
  /** The 12-digit account the cluster lives in; written into the key policy. */
  readonly accountId: string;
  /** The cluster's region, e.g. `eu-west-1`; written into the key policy. */
  readonly region: string;
  /** Subnets of the control plane's network interfaces: private, in at least two zones. */
  readonly subnetIds: readonly string[];
  /**
   * IPv4 CIDRs allowed to reach the public API endpoint. Empty keeps the endpoint
   * private (reachable from the VPC only); `0.0.0.0/0` is refused (GR-NET-01).
   * @default [] - no public endpoint
   */
  readonly publicAccessCidrs?: readonly string[];
  /**
   * IAM principals (role ARNs) given cluster-admin through EKS access entries, by a
   * name that identifies the entry, e.g. `{ 'platform-ci': 'arn:aws:iam::123456789012:role/ci' }`.
   * The identity that creates the cluster gets no implicit admin rights, so at least
   * one is needed for the cluster-platform and agent stacks to reach the API.
   * @default {} - nobody; managed node groups get their own entries from EKS
   */
  readonly clusterAdmins?: Readonly<Record<string, string>>;
}

/**
 * An EKS control plane for agent fleets:
 * - Kubernetes Secrets encrypted with a customer-managed KMS key with rotation
 *   (GR-ENC-01, GR-ENC-07), whose policy names only the account root, the cluster
 *   role and CloudWatch Logs of this account and region;
 * - a private API endpoint, public only for the listed CIDRs (GR-NET-01);
 * - every control-plane log type in `/aws/eks/<name>/cluster`, kept
 *   {@link CONTROL_PLANE_LOG_RETENTION_DAYS} days and encrypted with the same key;
 * - access through EKS access entries only (`authentication_mode = "API"`, no
 *   `aws-auth` ConfigMap), without the creator's implicit admin rights: who
 *   administers the cluster is written in {@link EksClusterProps.clusterAdmins}
 *   instead of depending on which identity ran the first apply;
 * - an IAM OIDC provider for IRSA (GR-IAM-03).
 * @see https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html
 */
export class EksCluster extends Construct implements IEksCluster {
  /** The cluster's name (a reference: using it orders work after the cluster). */
  readonly name: string;
  /** The ARN of the EKS cluster. */
  readonly arn: string;
  /** API server URL. */
  readonly endpoint: string;
  /** Base64 PEM of the cluster's certificate authority. */
  readonly certificateAuthorityData: string;
  /** The security group EKS creates for the control plane and managed nodes. */
  readonly clusterSecurityGroupId: string;
  /** The OIDC issuer URL, `https://oidc.eks.<region>.amazonaws.com/id/<id>`. */
  readonly oidcIssuer: string;
  /** The IAM OIDC provider that IRSA roles trust. */
  readonly oidcProviderArn: string;
  /** The key that encrypts Secrets and the control-plane logs. */
  readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    const problems = validateCluster(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const publicCidrs = [...(props.publicAccessCidrs ?? [])];
    const logGroupName = `/aws/eks/${props.name}/cluster`;

    const role = new IamRole(this, 'Role', {
      namePrefix: `${props.name.slice(0, 29)}-cluster-`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'eks.amazonaws.com' },
            Action: ['sts:AssumeRole', 'sts:TagSession'],
          },
        ],
      }),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, 'AmazonEKSClusterPolicy', {
      role: role.name,
      policyArn: EKS_CLUSTER_POLICY,
    });

    const key = new KmsKey(this, 'Key', {
      description: `Encrypts the Kubernetes Secrets and control-plane logs of EKS cluster ${props.name}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy(props, role.arn, logGroupName),
    });
    new KmsAlias(this, 'KeyAlias', { name: `alias/eks/${props.name}`, targetKeyId: key.keyId });
    this.kmsKeyArn = key.arn;

    // Created before the cluster, else EKS creates it without retention or key.
    const logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      name: logGroupName,
      retentionInDays: CONTROL_PLANE_LOG_RETENTION_DAYS,
      kmsKeyId: key.arn,
    });

    const cluster = new CfnEksCluster(this, 'Resource', {
      name: props.name,
      version: props.version,
      upgradePolicy: { supportType: props.extendedSupport ? 'EXTENDED' : 'STANDARD' },
      roleArn: role.arn,
      vpcConfig: {
        subnetIds: [...props.subnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: publicCidrs.length > 0,
        publicAccessCidrs: publicCidrs.length > 0 ? publicCidrs : undefined,
      },
      encryptionConfig: { resources: ['secrets'], provider: { keyArn: key.arn } },
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      accessConfig: {
        authenticationMode: 'API',
        bootstrapClusterCreatorAdminPermissions: false,
      },
      dependsOn: [clusterPolicy, logGroup],
    });
    this.name = cluster.name;
    this.arn = cluster.arn;
    this.endpoint = cluster.endpoint;
    this.certificateAuthorityData = cluster.certificateAuthority.get(0).data;
    this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
    this.oidcIssuer = cluster.identity.get(0).oidc.get(0).issuer;

    const oidc = new IamOpenidConnectProvider(this, 'OidcProvider', {
      url: this.oidcIssuer,
      clientIdList: ['sts.amazonaws.com'],
    });
    this.oidcProviderArn = oidc.arn;

    for (const [adminName, principalArn] of Object.entries(props.clusterAdmins ?? {})) {
      const admin = new Construct(this, adminName);
      const entry = new EksAccessEntry(admin, 'AccessEntry', {
        clusterName: cluster.name,
        principalArn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(admin, 'ClusterAdmin', {
        clusterName: cluster.name,
        principalArn: entry.principalArn,
        policyArn: CLUSTER_ADMIN_POLICY,
        accessScope: { type: 'cluster' },
      });
    }
  }
}

/**
 * The key policy: the account administers the key (so IAM policies can grant its
 * use), the cluster role encrypts Secrets, CloudWatch Logs encrypts this cluster's
 * log group only. No wildcard principal.
 */
function keyPolicy(props: EksClusterProps, clusterRoleArn: string, logGroupName: string): string {
  const { accountId, region } = props;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      accountAdministersKey(accountId),
      {
        Sid: 'ClusterEncryptsSecrets',
        Effect: 'Allow',
        Principal: { AWS: clusterRoleArn },
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey'],
        Resource: '*',
      },
      logsEncryptLogGroup('LogsEncryptControlPlaneLogs', accountId, region, logGroupName),
    ],
  });
}

function validateCluster(props: EksClusterProps): Problem[] {
  const problems: Problem[] = [];
  if (!/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/.test(props.name)) {
    problems.push({
      path: ['name'],
      message: `'${props.name}' is not an EKS cluster name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit`,
    });
  }
  if (!/^1\.\d{1,2}$/.test(props.version)) {
    problems.push({
      path: ['version'],
      message: `'${props.version}' is not a Kubernetes minor version: use '<major>.<minor>', e.g. '1.35'`,
    });
  } else {
    problems.push(
      ...clusterVersionProblems('aws', props.version, props.extendedSupport).map((p) => ({
        ...p,
        path: p.path.slice(1),
      })),
    );
  }
  problems.push(...validateAccountAndRegion(props.accountId, props.region));
  // A list token (e.g. from a remote state) has one element here: skip it.
  if (props.subnetIds.length < 2 && !props.subnetIds.some((id) => Token.isUnresolved(id))) {
    problems.push({
      path: ['subnetIds'],
      message: `${props.subnetIds.length} subnet(s) given: EKS needs subnets in at least two availability zones`,
    });
  }
  const publicCidrs = (props.publicAccessCidrs ?? []).filter((cidr) => !Token.isUnresolved(cidr));
  publicCidrs.forEach((cidr, i) => {
    if (cidrPrefix(cidr) === undefined) {
      problems.push({
        path: ['publicAccessCidrs', i],
        message: `'${cidr}' is not an IPv4 CIDR such as '203.0.113.0/24'`,
      });
    }
  });
  const exposure = publicExposure(publicCidrs);
  if (exposure) {
    problems.push({
      path: ['publicAccessCidrs'],
      message: `${exposure}: the API endpoint would be open to the Internet (GR-NET-01); list the CIDRs of operators and CI runners, or leave publicAccessCidrs empty for a private endpoint`,
    });
  }
  for (const [adminName, arn] of Object.entries(props.clusterAdmins ?? {})) {
    if (!/^arn:aws[a-z-]*:(iam|sts)::\d{12}:(role|user|assumed-role)\/.+$/.test(arn)) {
      problems.push({
        path: ['clusterAdmins', adminName],
        message: `'${arn}' is not an IAM role or user ARN such as 'arn:aws:iam::123456789012:role/platform-admin'`,
      });
    }
  }
  return problems;
}

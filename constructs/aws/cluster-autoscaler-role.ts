import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Construct } from 'constructs';
import { irsaTrustPolicy } from './agent-role';

/** Namespace and service account the cluster autoscaler runs as. */
export const CLUSTER_AUTOSCALER_ACCOUNT = { namespace: 'kube-system', name: 'cluster-autoscaler' };

/** Props of {@link ClusterAutoscalerRole}. */
export interface ClusterAutoscalerRoleProps {
  /** Name of the EKS cluster: names the role and scopes it to the Auto Scaling groups tagged as the cluster's. */
  readonly clusterName: string;
  /** AWS account of the cluster's Auto Scaling groups. */
  readonly accountId: string;
  /** ARN of the cluster's IAM OIDC provider, which the role trusts (IRSA). */
  readonly oidcProviderArn: string;
  /** Issuer URL of the cluster's OIDC provider, which scopes the trust to the autoscaler's service account. */
  readonly oidcIssuer: string;
}

/** Name of the role, fixed so other stacks can name its ARN without a cross-stack reference. */
export function clusterAutoscalerRoleName(clusterName: string): string {
  return `${clusterName}-cluster-autoscaler`;
}

/**
 * The cluster autoscaler's IAM role (IRSA). Reading needs `*`, as the AWS
 * describe calls cannot be scoped; changing capacity is limited to the Auto
 * Scaling groups tagged as owned by this cluster.
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
 */
export class ClusterAutoscalerRole extends Construct {
  /** The ARN of the IAM role the cluster autoscaler's service account assumes. */
  readonly roleArn: string;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerRoleProps) {
    super(scope, id);
    const role = new IamRole(this, 'Resource', {
      name: clusterAutoscalerRoleName(props.clusterName),
      description: `Cluster autoscaler of ${props.clusterName}`,
      assumeRolePolicy: irsaTrustPolicy({
        oidcProviderArn: props.oidcProviderArn,
        oidcIssuer: props.oidcIssuer,
        namespace: CLUSTER_AUTOSCALER_ACCOUNT.namespace,
        serviceAccount: CLUSTER_AUTOSCALER_ACCOUNT.name,
      }),
    });
    new IamRolePolicy(this, 'Policy', {
      name: 'cluster-autoscaler',
      role: role.name,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Describe',
            Effect: 'Allow',
            Action: [
              'autoscaling:DescribeAutoScalingGroups',
              'autoscaling:DescribeAutoScalingInstances',
              'autoscaling:DescribeLaunchConfigurations',
              'autoscaling:DescribeScalingActivities',
              'autoscaling:DescribeTags',
              'ec2:DescribeImages',
              'ec2:DescribeInstanceTypes',
              'ec2:DescribeLaunchTemplateVersions',
              'ec2:GetInstanceTypesFromInstanceRequirements',
              'eks:DescribeNodegroup',
            ],
            Resource: '*',
          },
          {
            Sid: 'ScaleOwnGroups',
            Effect: 'Allow',
            Action: [
              'autoscaling:SetDesiredCapacity',
              'autoscaling:TerminateInstanceInAutoScalingGroup',
            ],
            Resource: `arn:aws:autoscaling:*:${props.accountId}:autoScalingGroup:*:autoScalingGroupName/*`,
            Condition: {
              StringEquals: {
                [`aws:ResourceTag/k8s.io/cluster-autoscaler/${props.clusterName}`]: 'owned',
              },
            },
          },
        ],
      }),
    });
    this.roleArn = role.arn;
  }
}

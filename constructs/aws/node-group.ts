import { AutoscalingGroupTagA as AutoscalingGroupTag } from '@cdktf/provider-aws/lib/autoscaling-group-tag';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Construct } from 'constructs';
import {
  awsNodePoolProblems,
  AwsNodePoolSpec,
  awsPoolTaints,
  DEFAULT_EKS_DISK_SIZE,
  POOL_LABEL,
  Taint,
  ValidationError,
} from '../../model';
import { IEksCluster } from './eks-cluster';
import { EC2_TRUST_POLICY } from './iam-statement';

/** The managed policies of a node role, and the only ones, by construct id. */
export const NODE_POLICIES: Readonly<Record<string, string>> = {
  AmazonEKSWorkerNodePolicy: 'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  AmazonEKS_CNI_Policy: 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
  AmazonEC2ContainerRegistryReadOnly: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
};

/** The taint every GPU pool carries, declared or not, so only GPU agents land there. */

const EKS_TAINT_EFFECTS: Readonly<Record<Taint['effect'], string>> = {
  NoSchedule: 'NO_SCHEDULE',
  PreferNoSchedule: 'PREFER_NO_SCHEDULE',
  NoExecute: 'NO_EXECUTE',
};

const AUTOSCALER_TAG = 'k8s.io/cluster-autoscaler';

/** A node pool on EKS, as an AWS site declares it. */
export type ManagedNodePoolSpec = AwsNodePoolSpec;

/** Props of {@link ManagedNodeGroup}. */
export interface ManagedNodeGroupProps {
  /** The EKS cluster the nodes join. */
  readonly cluster: IEksCluster;
  /** Private subnets the nodes run in. */
  readonly subnetIds: readonly string[];
  /** The node pool: instance types, sizes, labels and taints. */
  readonly pool: ManagedNodePoolSpec;
}

/**
 * An EKS managed node group for one pool, ready for the cluster autoscaler:
 * - a node role with exactly the three managed policies of {@link NODE_POLICIES}
 *   (workloads get cloud access through IRSA, not the node role);
 * - a launch template with IMDSv2 required and hop limit 1, so containers cannot
 *   reach the node's credentials (GR-IAM-01), an encrypted gp3 root volume
 *   (GR-ENC-06), no public IP (GR-NET-05) and no SSH access (GR-NET-02);
 * - the AL2023 AMI for the pool's architecture, its NVIDIA variant for GPU pools;
 * - labels: the pool's plus {@link POOL_LABEL}; taints: the pool's plus
 *   {@link GPU_TAINT} on GPU pools;
 * - the node-template tags the cluster autoscaler reads to scale a pool up from
 *   zero nodes (labels, taints, GPUs), on the group's Auto Scaling group.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/launch-templates.html
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#auto-discovery-setup
 */
export class ManagedNodeGroup extends Construct {
  /** The name of the node group: the pool's name. */
  readonly nodeGroupName: string;
  /** The ARN of the IAM role the pool's nodes run as. */
  readonly nodeRoleArn: string;
  /** The Auto Scaling group EKS created for the pool. */
  readonly autoscalingGroupName: string;
  /** Labels every node carries. */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints every node carries. */
  readonly taints: readonly Taint[];

  constructor(scope: Construct, id: string, props: ManagedNodeGroupProps) {
    super(scope, id);
    const { pool, cluster } = props;
    const problems = awsNodePoolProblems(pool);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.labels = { ...pool.labels, [POOL_LABEL]: pool.name };
    this.taints = awsPoolTaints(pool);
    const diskGib = (pool.diskSize ?? DEFAULT_EKS_DISK_SIZE).toMebibytes() / 1024;
    const prefix = pool.name.slice(0, 30);

    const role = new IamRole(this, 'NodeRole', {
      namePrefix: `${prefix}-node-`,
      assumeRolePolicy: EC2_TRUST_POLICY,
    });
    this.nodeRoleArn = role.arn;
    const attachments = Object.entries(NODE_POLICIES).map(
      ([policyId, policyArn]) =>
        new IamRolePolicyAttachment(this, policyId, { role: role.name, policyArn }),
    );

    const template = new LaunchTemplate(this, 'LaunchTemplate', {
      namePrefix: `${prefix}-`,
      description: `Nodes of pool ${pool.name}`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            volumeSize: diskGib,
            volumeType: 'gp3',
            encrypted: 'true',
            deleteOnTermination: 'true',
          },
        },
      ],
      // With an interface in the template, EKS takes its security groups from it:
      // the cluster security group, which is what EKS would attach by default.
      networkInterfaces: [
        {
          associatePublicIpAddress: 'false',
          deleteOnTermination: 'true',
          securityGroups: [cluster.clusterSecurityGroupId],
        },
      ],
    });

    const nodeGroup = new EksNodeGroup(this, 'Resource', {
      clusterName: cluster.name,
      nodeGroupName: pool.name,
      nodeRoleArn: role.arn,
      subnetIds: [...props.subnetIds],
      amiType: amiType(pool),
      capacityType: (pool.capacity ?? 'on-demand') === 'spot' ? 'SPOT' : 'ON_DEMAND',
      instanceTypes: [...pool.instanceTypes],
      launchTemplate: { id: template.id, version: template.latestVersion.toString() },
      scalingConfig: {
        minSize: pool.minSize,
        maxSize: pool.maxSize,
        desiredSize: pool.desiredSize ?? pool.minSize,
      },
      updateConfig: { maxUnavailable: 1 },
      labels: { ...this.labels },
      taint:
        this.taints.length > 0
          ? this.taints.map((taint) => ({
              key: taint.key,
              value: taint.value,
              effect: EKS_TAINT_EFFECTS[taint.effect],
            }))
          : undefined,
      // The cluster autoscaler owns the node count.
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      // Nodes cannot join before their role may register them.
      dependsOn: attachments,
    });
    this.nodeGroupName = nodeGroup.nodeGroupName;
    this.autoscalingGroupName = nodeGroup.resources.get(0).autoscalingGroups.get(0).name;

    const tags = new Construct(this, 'AutoscalerTags');
    for (const [tagId, { key, value }] of Object.entries(
      autoscalerTags(cluster.name, pool, this),
    )) {
      new AutoscalingGroupTag(tags, tagId, {
        autoscalingGroupName: this.autoscalingGroupName,
        tag: { key, value, propagateAtLaunch: false },
      });
    }
  }
}

function amiType(pool: ManagedNodePoolSpec): string {
  const arch = (pool.arch ?? 'amd64') === 'arm64' ? 'ARM_64' : 'x86_64';
  return `AL2023_${arch}_${pool.gpu ? 'NVIDIA' : 'STANDARD'}`;
}

/**
 * The cluster autoscaler's auto-discovery tags and its node template for scaling
 * up from zero: one tag per label, per taint (`<value>:<Effect>`) and for GPUs.
 * Keyed by construct id: the tag key without its common prefix, except for the
 * cluster's tag, whose key holds the cluster name.
 */
function autoscalerTags(
  clusterName: string,
  pool: ManagedNodePoolSpec,
  group: { labels: Readonly<Record<string, string>>; taints: readonly Taint[] },
): Record<string, { key: string; value: string }> {
  const tags: Record<string, { key: string; value: string }> = {};
  const add = (suffix: string, value: string) =>
    (tags[suffix] = { key: `${AUTOSCALER_TAG}/${suffix}`, value });
  add('enabled', 'true');
  tags['cluster'] = { key: `${AUTOSCALER_TAG}/${clusterName}`, value: 'owned' };
  for (const [key, value] of Object.entries(group.labels)) add(`node-template/label/${key}`, value);
  for (const taint of group.taints) {
    add(`node-template/taint/${taint.key}`, `${taint.value ?? ''}:${taint.effect}`);
  }
  if (pool.gpu) add('node-template/resources/nvidia.com/gpu', String(pool.gpu.count));
  return tags;
}

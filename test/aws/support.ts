import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import {
  awsProvider,
  EksCluster,
  EksClusterProps,
  ManagedNodeGroup,
  PrivateNetwork,
  IamPolicyStatement,
  PendingGrants,
} from '../../constructs/aws';
import { applyBackend } from '../../constructs/terraform/backend';
import { AwsSiteSpec, Duration, Size, WideColumnTable } from '../../model';
import { ACCOUNT_ID, REGION } from '../support/clouds';
import { Synthesized, synthesized } from '../support/synthesized';

export { ACCOUNT_ID, REGION };
export const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
export const CLUSTER = 'fleet-eu';
export const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/platform-admin`;

/** Synthesizes what `build` adds to a stack with an AWS provider; returns the parsed JSON. */
export function synthAws(build: (stack: TerraformStack) => void): Synthesized {
  const stack = new TerraformStack(Testing.app(), 'test');
  awsProvider(stack, { region: REGION, accountId: ACCOUNT_ID });
  build(stack);
  return synthesized(stack);
}

/**
 * What the plan of a {@link PrivateNetwork} over the three {@link ZONES} adds,
 * by type: per zone a public and a private subnet, a NAT gateway with its
 * address, and a private route table with its default route; one public route
 * table and route.
 */
export const NETWORK_ADDS: Readonly<Record<string, number>> = {
  aws_vpc: 1,
  aws_default_security_group: 1,
  aws_internet_gateway: 1,
  aws_subnet: 6,
  aws_eip: 3,
  aws_nat_gateway: 3,
  aws_route_table: 4,
  aws_route: 4,
  aws_route_table_association: 6,
};

/**
 * What a site with a cluster adds, by type: network over three zones, and the
 * cluster with its log group, role attachment, OIDC provider and one admin
 * (see eks-plan.test.ts).
 */
export const SITE_ADDS: Readonly<Record<string, number>> = {
  ...NETWORK_ADDS,
  aws_cloudwatch_log_group: 1,
  aws_iam_role_policy_attachment: 1,
  aws_eks_cluster: 1,
  aws_iam_openid_connect_provider: 1,
  aws_eks_access_entry: 1,
  aws_eks_access_policy_association: 1,
};

/**
 * What one AgentScalingGroup makes, by type: a role with the agent's and the
 * drain's inline policies, its instance profile, a security group, a launch
 * template, the group, its termination hook and its scaling policy.
 */
export const SCALING_GROUP_RESOURCES: Readonly<Record<string, number>> = {
  aws_iam_role: 1,
  aws_iam_role_policy: 2,
  aws_iam_instance_profile: 1,
  aws_security_group: 1,
  aws_launch_template: 1,
  aws_autoscaling_group: 1,
  aws_autoscaling_lifecycle_hook: 1,
  aws_autoscaling_policy: 1,
};

/** What a consumer needs of its SQS queue: receive, delete, extend visibility and read the depth. */
export const SQS_CONSUME_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
];

/** What an instance needs of Systems Manager for Session Manager to reach it: its channel. */
export const SESSION_MANAGER_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];

/** A 3-zone network and a cluster over its private subnets. */
export function addSite(
  scope: Construct,
  overrides: Partial<
    Pick<EksClusterProps, 'publicAccessCidrs' | 'version' | 'extendedSupport'>
  > = {},
): { network: PrivateNetwork; cluster: EksCluster } {
  const network = new PrivateNetwork(scope, 'network', {
    cidr: '10.40.0.0/16',
    availabilityZones: ZONES,
    clusterName: CLUSTER,
  });
  const cluster = new EksCluster(scope, 'cluster', {
    name: CLUSTER,
    version: '1.35',
    accountId: ACCOUNT_ID,
    region: REGION,
    subnetIds: network.privateSubnetIds,
    clusterAdmins: { 'platform-admin': ADMIN_ROLE },
    ...overrides,
  });
  return { network, cluster };
}

export const PLAN_STACK = 'eks-fixture-eu-infra';

/**
 * The plan fixture: a 3-zone network, a cluster with one admin, a general
 * on-demand amd64 pool and a GPU pool that scales from zero.
 */
export function addEksFixtureStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, PLAN_STACK);
  applyBackend(stack, PLAN_STACK, undefined, { offline: true });
  awsProvider(stack, { region: REGION, accountId: ACCOUNT_ID, offline: true });
  const { network, cluster } = addSite(stack);
  new ManagedNodeGroup(stack, 'general', {
    cluster,
    subnetIds: network.privateSubnetIds,
    pool: {
      name: 'general',
      instanceTypes: ['m7i.xlarge'],
      minSize: 1,
      maxSize: 6,
      labels: { 'hardware-type': 'cpu' },
    },
  });
  new ManagedNodeGroup(stack, 'gpu', {
    cluster,
    subnetIds: network.privateSubnetIds,
    pool: {
      name: 'gpu',
      instanceTypes: ['g5.xlarge'],
      minSize: 0,
      maxSize: 4,
      diskSize: Size.gibibytes(200),
      gpu: { count: 1, model: 'nvidia-a10g' },
      labels: { 'hardware-type': 'gpu' },
      taints: [{ key: 'workload', value: 'inference', effect: 'NoSchedule' }],
    },
  });
  return stack;
}

/** The statements a grant adds, in order: `granted((g) => queue.grantConsumeMessages(g))`. */
export function granted(grant: (grantee: PendingGrants) => void): IamPolicyStatement[] {
  const grants = new PendingGrants();
  grant(grants);
  return [...grants.statements];
}

/** An AWS site `eu` of three zones with one pool of m7i.large. */
export const AWS_SITE: AwsSiteSpec = {
  name: 'eu',
  kind: 'aws',
  accountId: ACCOUNT_ID,
  region: REGION,
  network: { cidr: '10.40.0.0/16', availabilityZones: ZONES },
  cluster: { version: '1.35' },
  nodePools: [{ name: 'general', instanceTypes: ['m7i.large'], minSize: 3, maxSize: 6 }],
};

/**
 * Two wide-column tables: readings by sensor and day, newest first, kept 30
 * days; and the sensors by id.
 */
export const READINGS_TABLES: readonly WideColumnTable[] = [
  {
    name: 'readings_by_sensor',
    columns: [
      { name: 'sensor_id', type: 'text' },
      { name: 'day', type: 'date' },
      { name: 'at', type: 'timestamp' },
      { name: 'value', type: 'double' },
    ],
    partitionKey: ['sensor_id', 'day'],
    clusteringKey: [{ column: 'at', order: 'desc' }],
    defaultTtl: Duration.days(30),
  },
  {
    name: 'sensors',
    columns: [
      { name: 'sensor_id', type: 'text' },
      { name: 'model', type: 'text' },
    ],
    partitionKey: ['sensor_id'],
  },
];

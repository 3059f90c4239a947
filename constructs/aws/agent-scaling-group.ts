import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingLifecycleHook } from '@cdktf/provider-aws/lib/autoscaling-lifecycle-hook';
import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  ResolvedAgent,
  Duration,
  Problem,
  SessionManagerAccess,
  Size,
  ValidationError,
  agentMachineProblems,
} from '../../model';
import { base64BootScript } from '../vm/boot-script';
import { EC2_TRUST_POLICY, grantsResourcelessReadsOnly, IamPolicyStatement } from './iam-statement';
import {
  agentUserData,
  DRAIN_HOOK_NAME,
  STOP_MARGIN_SECONDS,
  validateAgentForInstance,
} from './user-data';

/** The ECS-optimized Amazon Linux 2023 AMI of the region, resolved by EC2 at launch. */
export const ECS_AL2023_AMI =
  'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id';

const MACHINE_IMAGE = /^(ami-[0-9a-f]{8,17}|resolve:ssm:\/[A-Za-z0-9_./-]+)$/;

/**
 * What the instance's drain watcher calls: find its group by instance id (a
 * describe call, which AWS accepts on `*` only) and complete the termination
 * lifecycle action of exactly the group `groupArn`, the agent's own.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
 */
export function drainStatements(groupArn: string): IamPolicyStatement[] {
  return [
    {
      Sid: 'FindOwnGroup',
      Effect: 'Allow',
      Action: 'autoscaling:DescribeAutoScalingInstances',
      Resource: '*',
    },
    {
      Sid: 'CompleteOwnLifecycleAction',
      Effect: 'Allow',
      Action: 'autoscaling:CompleteLifecycleAction',
      Resource: groupArn,
    },
  ];
}

/**
 * What the SSM agent needs for Session Manager and nothing more (no parameters,
 * documents, inventory or Run Command): its heartbeat and the channel actions,
 * which AWS accepts on `*` only. Given only with
 * {@link AgentScalingGroupProps.sessionManager}.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html
 */
export const SESSION_MANAGER_STATEMENTS: readonly IamPolicyStatement[] = [
  {
    Sid: 'SessionManager',
    Effect: 'Allow',
    Action: [
      'ssm:UpdateInstanceInformation',
      'ssmmessages:CreateControlChannel',
      'ssmmessages:CreateDataChannel',
      'ssmmessages:OpenControlChannel',
      'ssmmessages:OpenDataChannel',
    ],
    Resource: '*',
  },
];

/** Egress when {@link AgentScalingGroupProps.egressCidrs} is not given. */
export const DEFAULT_EGRESS_CIDRS: readonly string[] = ['0.0.0.0/0'];

/** Longest heartbeat timeout of a lifecycle hook, in seconds (EC2 Auto Scaling limit). */
const MAX_HEARTBEAT_SECONDS = 7200;

/** The SQS queue an {@link AgentScalingGroup} consumes. */
export interface ScalingGroupQueue {
  /** Queue name: the `QueueName` dimension of its CloudWatch metrics. */
  readonly name: string;
  /** Queue ARN, `arn:aws:sqs:<region>:<account>:<name>`; the region is read from it. */
  readonly arn: string;
  /** Queue URL, passed to the agent as `FLEET_QUEUE_URL`. */
  readonly url: string;
}

/** Props of {@link AgentScalingGroup}. */
export interface AgentScalingGroupProps {
  /** The agent, resolved (`resolveAgent`): a `consumer`, validated with `validateAgent`. */
  readonly agent: ResolvedAgent;
  /** VPC of the subnets; the security group is made in it. */
  readonly vpcId: string;
  /** Private subnets the instances run in, one per availability zone. */
  readonly subnetIds: readonly string[];
  /** EC2 instance type, e.g. `m7i.large`: one agent container per instance. */
  readonly instanceType: string;
  /**
   * AMI id, e.g. of the ECS-optimized Amazon Linux 2023 AMI: it must have Docker
   * and `curl`, and the AWS CLI or `dnf` to install it (the drain completes the
   * lifecycle action with it); the SSM agent only for {@link sessionManager}.
   * An id (`ami-…`) is pinned: a new one rolls the group
   * (instance refresh). `resolve:ssm:<parameter>` is resolved by EC2 at each
   * launch, so instances follow the parameter without a template change; planning
   * never looks either up.
   */
  readonly amiId: string;
  /**
   * Fewest instances, at least 1: the backlog-per-instance metric divides by the
   * instances in service, which has no value at zero.
   */
  readonly minSize: number;
  /** Most instances, at least `minSize`. */
  readonly maxSize: number;
  /** The SQS queue the agent consumes. */
  readonly queue: ScalingGroupQueue;
  /**
   * The agent's least-privilege statements (e.g. `sqs:ReceiveMessage`,
   * `sqs:DeleteMessage`, `sqs:ChangeMessageVisibility`, `sqs:GetQueueAttributes` on
   * the queue): the role's only inline policy. Refused: `*` or `*:*` actions, any
   * `iam:` action, and `Resource: '*'` on an `Allow`.
   */
  readonly policyStatements: readonly IamPolicyStatement[];
  /**
   * Visible messages per instance the group tracks, a whole number >= 1.
   * @default - the agent's `scaling.queueDepth.perReplica`, the target it has on Kubernetes
   */
  readonly backlogPerInstance?: number;
  /**
   * Session Manager shells on the instances, with the reason operators need
   * them: the role then holds {@link SESSION_MANAGER_STATEMENTS} and the AMI's
   * SSM agent runs. The agent itself needs no Systems Manager permission.
   * @default - no Session Manager: no Systems Manager permission, the SSM agent stopped
   */
  readonly sessionManager?: SessionManagerAccess;
  /**
   * CIDRs the instances may reach, on TCP 443 only. The default is all addresses
   * because SQS, Auto Scaling, container registries (and SSM with
   * {@link sessionManager}) are public HTTPS endpoints
   * reached through the NAT gateway, whose addresses are not stable; with VPC
   * interface endpoints for all of them, pass the VPC CIDR. The agent's declared
   * `isolation.egress` is added on its own ports.
   * @default ['0.0.0.0/0'] on 443
   */
  readonly egressCidrs?: readonly string[];
  /** Root volume, a whole number of GiB, at least 30 GiB (the ECS AMI's snapshot). @default 30 GiB */
  readonly rootVolumeSize?: Size;
  /**
   * Boot, image pull and agent start: the group's default instance warmup and
   * health-check grace period, whole seconds.
   * @default 3 minutes
   */
  readonly warmup?: Duration;
}

/**
 * One agent type on an EC2 Auto Scaling group, scaled on its SQS queue's backlog:
 * - a launch template with IMDSv2 required and hop limit 1 (GR-IAM-01), an
 *   encrypted gp3 root volume (GR-ENC-06), a network interface without public IP
 *   (GR-NET-05), and the user data of {@link agentUserData} (no secrets, GR-IAM-02);
 * - a security group with no ingress (no SSH; Session Manager only when
 *   {@link AgentScalingGroupProps.sessionManager} gives a reason) and egress only
 *   on 443 to {@link AgentScalingGroupProps.egressCidrs};
 * - an instance role with inline policies only, no AWS managed policy (GR-IAM-04):
 *   `agent`, exactly the given statements; `drain`, {@link drainStatements} on this
 *   group; `session-manager`, {@link SESSION_MANAGER_STATEMENTS}, only with
 *   {@link AgentScalingGroupProps.sessionManager};
 * - the group: launch template at its latest version, EC2 health checks (no load
 *   balancer), rolling instance refresh keeping 90 % healthy, group metrics on;
 * - a termination lifecycle hook whose heartbeat outlasts the agent's grace period,
 *   so work in flight finishes (GR-AS-07); the instance stops the agent when it
 *   sees the termination and then completes the lifecycle action (`CONTINUE`), so
 *   scale-in waits for the agent, not for the heartbeat timeout;
 * - target tracking on backlog per instance, `m1 / m2` with m1 the queue's
 *   `ApproximateNumberOfMessagesVisible` and m2 the group's `GroupInServiceInstances`.
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-using-sqs-queue.html
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-target-tracking-metric-math.html
 */
export class AgentScalingGroup extends Construct {
  /** The name of the Auto Scaling group, generated from the agent's name as prefix. */
  readonly autoscalingGroupName: string;
  /** The ARN of the IAM role the agent's instances run as. */
  readonly roleArn: string;
  /** The name of the IAM role the agent's instances run as. */
  readonly roleName: string;
  /** The ID of the instances' security group: no ingress, egress on 443 and the agent's declared ports. */
  readonly securityGroupId: string;
  /** The ID of the launch template the group starts its instances from. */
  readonly launchTemplateId: string;
  /** The target of the scaling policy, visible messages per instance. */
  readonly backlogPerInstance: number;

  constructor(scope: Construct, id: string, props: AgentScalingGroupProps) {
    super(scope, id);
    const { agent: resolved } = props;
    const agent = resolved.spec;
    const backlog = props.backlogPerInstance ?? agent.scaling?.queueDepth?.perReplica;
    const problems = validateGroup(props, backlog);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.backlogPerInstance = backlog!;
    const region = Token.isUnresolved(props.queue.arn)
      ? Fn.element(Fn.split(':', props.queue.arn), 3)
      : props.queue.arn.split(':')[3];
    const userData = agentUserData({
      agent: resolved,
      queue: props.queue,
      region,
      lifecycleHookName: DRAIN_HOOK_NAME,
      sessionManager: props.sessionManager !== undefined,
    });
    const hookSeconds = resolved.gracePeriod.toSecondsCeil() + STOP_MARGIN_SECONDS;
    const warmup = (props.warmup ?? Duration.minutes(3)).toSeconds();
    const diskGib = (props.rootVolumeSize ?? Size.gibibytes(30)).toMebibytes() / 1024;
    const prefix = agent.name.slice(0, 30);

    const role = new IamRole(this, 'Role', {
      namePrefix: `${prefix}-`,
      description: `Instances of agent ${agent.name}`,
      assumeRolePolicy: EC2_TRUST_POLICY,
    });
    this.roleArn = role.arn;
    this.roleName = role.name;
    new IamRolePolicy(this, 'AgentPolicy', {
      role: role.name,
      name: 'agent',
      policy: JSON.stringify({ Version: '2012-10-17', Statement: props.policyStatements }),
    });
    if (props.sessionManager) {
      new IamRolePolicy(this, 'SessionManagerPolicy', {
        role: role.name,
        name: 'session-manager',
        policy: JSON.stringify({ Version: '2012-10-17', Statement: SESSION_MANAGER_STATEMENTS }),
      });
    }
    const profile = new IamInstanceProfile(this, 'InstanceProfile', {
      namePrefix: `${prefix}-`,
      role: role.name,
    });

    const egressCidrs = [...(props.egressCidrs ?? DEFAULT_EGRESS_CIDRS)];
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      namePrefix: `${prefix}-`,
      description: `Agent ${agent.name}: no ingress, HTTPS egress`,
      vpcId: props.vpcId,
      ingress: [],
      egress: [
        {
          description: 'HTTPS: queue, registry, AWS APIs',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          cidrBlocks: egressCidrs,
        },
        ...(agent.isolation?.egress ?? []).flatMap((rule) =>
          rule.ports.map((port) => ({
            description: `Declared egress of agent ${agent.name}`,
            protocol: 'tcp',
            fromPort: port,
            toPort: port,
            cidrBlocks: [rule.cidr],
          })),
        ),
      ],
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupId = securityGroup.id;

    const template = new LaunchTemplate(this, 'LaunchTemplate', {
      namePrefix: `${prefix}-`,
      description: `Instances of agent ${agent.name}`,
      updateDefaultVersion: true,
      imageId: props.amiId,
      instanceType: props.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        // The drain watcher reads the target lifecycle state and finds its group
        // through Auto Scaling; tags are not needed.
        instanceMetadataTags: 'disabled',
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
      networkInterfaces: [
        {
          deviceIndex: 0,
          associatePublicIpAddress: 'false',
          deleteOnTermination: 'true',
          securityGroups: [securityGroup.id],
        },
      ],
      userData: base64BootScript(userData.script),
      tagSpecifications: [
        { resourceType: 'instance', tags: { Name: agent.name, agent: agent.name } },
        { resourceType: 'volume', tags: { Name: agent.name, agent: agent.name } },
      ],
    });
    this.launchTemplateId = template.id;

    const group = new AutoscalingGroup(this, 'Resource', {
      namePrefix: `${prefix}-`,
      vpcZoneIdentifier: [...props.subnetIds],
      minSize: props.minSize,
      maxSize: props.maxSize,
      launchTemplate: { id: template.id, version: template.latestVersion.toString() },
      healthCheckType: 'EC2',
      healthCheckGracePeriod: warmup,
      defaultInstanceWarmup: warmup,
      // GroupInServiceInstances feeds the scaling metric.
      enabledMetrics: [
        'GroupInServiceInstances',
        'GroupDesiredCapacity',
        'GroupPendingInstances',
        'GroupTerminatingInstances',
      ],
      metricsGranularity: '1Minute',
      instanceRefresh: { strategy: 'Rolling', preferences: { minHealthyPercentage: 90 } },
      tag: [{ key: 'agent', value: agent.name, propagateAtLaunch: true }],
      // The scaling policy owns the count.
      lifecycle: { ignoreChanges: ['desired_capacity'] },
    });
    this.autoscalingGroupName = group.name;

    new IamRolePolicy(this, 'DrainPolicy', {
      role: role.name,
      name: 'drain',
      policy: JSON.stringify({ Version: '2012-10-17', Statement: drainStatements(group.arn) }),
    });

    new AutoscalingLifecycleHook(this, 'TerminationHook', {
      name: DRAIN_HOOK_NAME,
      autoscalingGroupName: group.name,
      lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      heartbeatTimeout: hookSeconds,
      defaultResult: 'CONTINUE',
    });

    new AutoscalingPolicy(this, 'BacklogPerInstance', {
      name: 'backlog-per-instance',
      autoscalingGroupName: group.name,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        targetValue: this.backlogPerInstance,
        customizedMetricSpecification: {
          metrics: [
            {
              id: 'm1',
              label: 'Visible messages in the queue',
              returnData: false,
              metricStat: {
                stat: 'Sum',
                metric: {
                  namespace: 'AWS/SQS',
                  metricName: 'ApproximateNumberOfMessagesVisible',
                  dimensions: [{ name: 'QueueName', value: props.queue.name }],
                },
              },
            },
            {
              id: 'm2',
              label: 'Instances in service',
              returnData: false,
              metricStat: {
                stat: 'Average',
                metric: {
                  namespace: 'AWS/AutoScaling',
                  metricName: 'GroupInServiceInstances',
                  dimensions: [{ name: 'AutoScalingGroupName', value: group.name }],
                },
              },
            },
            { id: 'e1', label: 'Backlog per instance', expression: 'm1 / m2', returnData: true },
          ],
        },
      },
    });
  }
}

const FORBIDDEN_ACTION = /^(\*|\*:\*|iam:.*)$/i;

function validateGroup(props: AgentScalingGroupProps, backlog: number | undefined): Problem[] {
  const problems: Problem[] = validateAgentForInstance(props.agent.spec).map((problem) => ({
    path: ['agent', ...problem.path],
    message: problem.message,
  }));
  problems.push(
    ...agentMachineProblems(props.agent.spec, props.instanceType, 'aws').map((p) => ({
      ...p,
      path: ['instanceType'],
    })),
  );
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  const whole = (field: string, value: number, min: number) => {
    if (Token.isUnresolved(value)) return true;
    if (!Number.isInteger(value) || value < min) {
      add([field], `${value} must be a whole number >= ${min}`);
      return false;
    }
    return true;
  };
  // Backlog per instance has no value at zero instances.
  const minOk = whole('minSize', props.minSize, 1);
  const maxOk = whole('maxSize', props.maxSize, 1);
  if (minOk && maxOk && props.minSize > props.maxSize) {
    add(['minSize'], `'minSize' (${props.minSize}) must be <= 'maxSize' (${props.maxSize})`);
  }
  if (backlog === undefined) {
    add(
      ['backlogPerInstance'],
      "not given and the agent declares no 'scaling.queueDepth.perReplica': say how many visible messages one instance handles",
    );
  } else {
    whole('backlogPerInstance', backlog, 1);
  }
  if (props.subnetIds.length === 0) add(['subnetIds'], 'no subnet: list the private subnets');
  if (!Token.isUnresolved(props.amiId) && !MACHINE_IMAGE.test(props.amiId)) {
    add(
      ['amiId'],
      `'${props.amiId}' is not an AMI id such as 'ami-0123456789abcdef0' or 'resolve:ssm:/<parameter>'`,
    );
  }
  (props.egressCidrs ?? []).forEach((cidr, i) => {
    if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr)) {
      add(['egressCidrs', i], `'${cidr}' is not an IPv4 CIDR such as '10.40.0.0/16'`);
    }
  });
  if (props.egressCidrs?.length === 0) {
    add(['egressCidrs'], 'empty: leave it out for the default, or list at least one CIDR');
  }
  if (props.policyStatements.length === 0) {
    add(['policyStatements'], 'no statement: the agent needs at least to consume its queue');
  }
  props.policyStatements.forEach((statement, i) => {
    const actions = [statement.Action].flat();
    const resources = [statement.Resource].flat();
    for (const action of actions) {
      if (FORBIDDEN_ACTION.test(action)) {
        add(
          ['policyStatements', i, 'Action'],
          `'${action}' is not allowed: no wildcard-all and no IAM actions (GR-IAM-04)`,
        );
      }
    }
    if (
      statement.Effect === 'Allow' &&
      resources.includes('*') &&
      !grantsResourcelessReadsOnly(statement)
    ) {
      add(
        ['policyStatements', i, 'Resource'],
        "'*' is not allowed on an Allow: name the queue, bucket or table (GR-IAM-04)",
      );
    }
  });
  const grace = props.agent.gracePeriod.toSecondsCeil();
  if (grace + STOP_MARGIN_SECONDS > MAX_HEARTBEAT_SECONDS) {
    add(
      ['agent', 'queue', 'consumer', 'maxProcessingTime'],
      `grace period ${grace}s plus ${STOP_MARGIN_SECONDS}s exceeds the lifecycle hook's ${MAX_HEARTBEAT_SECONDS}s`,
    );
  }
  const disk = props.rootVolumeSize ?? Size.gibibytes(30);
  if (disk.bytes % Size.gibibytes(1).bytes !== 0 || disk.bytes < Size.gibibytes(30).bytes) {
    add(['rootVolumeSize'], `${disk.toKubernetes()}: use a whole number of GiB, at least 30Gi`);
  }
  if (props.sessionManager && props.sessionManager.reason.trim().length < 20) {
    add(
      ['sessionManager', 'reason'],
      'Session Manager lets operators open shells on the instances: give a written reason (at least 20 characters)',
    );
  }
  const warmup = props.warmup ?? Duration.minutes(3);
  if (warmup.millis % 1000 !== 0) add(['warmup'], `${warmup} must be whole seconds`);
  return problems;
}

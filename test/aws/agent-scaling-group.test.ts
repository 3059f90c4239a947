import { TerraformStack, TerraformVariable } from 'cdktf';
import {
  AgentScalingGroup,
  AgentScalingGroupProps,
} from '../../constructs/aws/agent-scaling-group';
import { IamPolicyStatement } from '../../constructs/aws/iam-statement';
import { agentUserData, ec2DrainWatchScript } from '../../constructs/aws/user-data';
import { iamLeastPrivilege } from '../../guardrails/rules/aws/gr-iam-04-least-privilege';
import { AgentSpec, Cpu, ResolvedAgent, resolveAgent, Size } from '../../model';
import { ingestAgent, INGEST_IMAGE } from '../support/fixtures';
import { findingsOf } from '../support/guardrail-findings';
import { Block, Synthesized, resourcesById, resourcesOf, resourceOf } from '../support/synthesized';
import {
  ACCOUNT_ID,
  REGION,
  synthAws,
  SESSION_MANAGER_ACTIONS,
  SQS_CONSUME_ACTIONS,
  SCALING_GROUP_RESOURCES,
} from './support';

const QUEUE = {
  name: 'ingest-tasks',
  arn: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:ingest-tasks`,
  url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/ingest-tasks`,
};
const STATEMENTS: IamPolicyStatement[] = [
  {
    Sid: 'ConsumeQueue',
    Effect: 'Allow',
    Action: SQS_CONSUME_ACTIONS,
    Resource: QUEUE.arn,
  },
];

/** The ingest agent, resolved as a site's plan holds it. */
function resolvedIngest(overrides: Partial<AgentSpec> = {}): ResolvedAgent {
  return resolveAgent(ingestAgent(overrides));
}

function props(overrides: Partial<AgentScalingGroupProps> = {}): AgentScalingGroupProps {
  return {
    agent: resolvedIngest(),
    vpcId: 'vpc-0123456789abcdef0',
    subnetIds: ['subnet-aaaa1111', 'subnet-bbbb2222'],
    instanceType: 'm7i.large',
    amiId: 'ami-0123456789abcdef0',
    minSize: 1,
    maxSize: 8,
    queue: QUEUE,
    policyStatements: STATEMENTS,
    ...overrides,
  };
}

function synth(overrides: Partial<AgentScalingGroupProps> = {}): Synthesized {
  return synthAws(
    (stack: TerraformStack) => new AgentScalingGroup(stack, 'ingest', props(overrides)),
  );
}

function userDataOf(json: Synthesized): string {
  const template = resourceOf(json, 'aws_launch_template');
  return Buffer.from(template.user_data as string, 'base64').toString('utf8');
}

describe('AgentScalingGroup defaults', () => {
  const json = synth();

  it('makes one of each resource', () => {
    const counts = Object.fromEntries(
      Object.entries(json.resource).map(([type, byName]) => [type, Object.keys(byName).length]),
    );
    expect(counts).toEqual(SCALING_GROUP_RESOURCES);
  });
});

describe('launch template', () => {
  const json = synth();
  const template = resourceOf(json, 'aws_launch_template');

  it('requires IMDSv2 with hop limit 1', () => {
    expect(template.metadata_options).toMatchObject({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
    });
  });

  it('has an encrypted gp3 root volume', () => {
    expect(template.block_device_mappings).toEqual([
      {
        device_name: '/dev/xvda',
        ebs: {
          volume_size: 30,
          volume_type: 'gp3',
          encrypted: 'true',
          delete_on_termination: 'true',
        },
      },
    ]);
  });

  it('gives no public IP and uses the AMI, type and instance profile', () => {
    expect(template.network_interfaces).toEqual([
      expect.objectContaining({
        associate_public_ip_address: 'false',
        security_groups: [expect.stringMatching(/^\$\{aws_security_group\..*\.id\}$/)],
      }),
    ]);
    expect(template.image_id).toBe('ami-0123456789abcdef0');
    expect(template.instance_type).toBe('m7i.large');
    expect(template.iam_instance_profile.arn).toMatch(/aws_iam_instance_profile\..*\.arn/);
  });
});

describe('security group', () => {
  it('has no ingress and egress on 443 to 0.0.0.0/0 by default', () => {
    const group = resourceOf(synth(), 'aws_security_group');
    expect(group.ingress).toEqual([]);
    expect(group.egress).toEqual([
      expect.objectContaining({
        protocol: 'tcp',
        from_port: 443,
        to_port: 443,
        cidr_blocks: ['0.0.0.0/0'],
      }),
    ]);
  });

  it('takes the given CIDRs and adds the agent’s declared egress', () => {
    const json = synth({
      egressCidrs: ['10.40.0.0/16'],
      agent: resolvedIngest({ isolation: { egress: [{ cidr: '10.50.0.0/24', ports: [5432] }] } }),
    });
    const egress = resourceOf(json, 'aws_security_group').egress as Block[];
    expect(egress.map((rule) => [rule.cidr_blocks, rule.from_port, rule.to_port])).toEqual([
      [['10.40.0.0/16'], 443, 443],
      [['10.50.0.0/24'], 5432, 5432],
    ]);
  });
});

/** The role's inline policies by name: their statements. */
function inlinePolicies(json: Synthesized): Record<string, unknown> {
  return Object.fromEntries(
    resourcesOf(json, 'aws_iam_role_policy').map((policy) => [
      policy.name,
      JSON.parse(policy.policy as string).Statement,
    ]),
  );
}

describe('IAM', () => {
  const json = synth();

  it('has exactly the given statements and the drain’s, inline, and no managed policy', () => {
    expect(inlinePolicies(json)).toEqual({
      agent: STATEMENTS,
      drain: [
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
          Resource: expect.stringMatching(/^\$\{aws_autoscaling_group\.ingest_[0-9A-F]+\.arn\}$/),
        },
      ],
    });
    expect(json.resource).not.toHaveProperty('aws_iam_role_policy_attachment');
    const role = resourceOf(json, 'aws_iam_role');
    expect(JSON.parse(role.assume_role_policy as string).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]);
    expect(role.inline_policy).toBeUndefined();
    expect(role.managed_policy_arns).toBeUndefined();
  });

  it('may complete lifecycle actions of its own group only', () => {
    const drain = resourcesOf(json, 'aws_iam_role_policy').find((p) => p.name === 'drain')!;
    const group = Object.keys(resourcesById(json, 'aws_autoscaling_group'))[0];
    expect(JSON.parse(drain.policy as string).Statement[1].Resource).toBe(
      `\${aws_autoscaling_group.${group}.arn}`,
    );
  });

  it('has no Systems Manager permission unless Session Manager is opted in with a reason', () => {
    expect(JSON.stringify(inlinePolicies(json))).not.toMatch(/ssm/);
    const reason = 'On-call engineers read the agent journal during incidents';
    const opted = synth({ sessionManager: { reason } });
    expect(inlinePolicies(opted)['session-manager']).toEqual([
      {
        Sid: 'SessionManager',
        Effect: 'Allow',
        Action: SESSION_MANAGER_ACTIONS,
        Resource: '*',
      },
    ]);
    expect(JSON.stringify(inlinePolicies(opted))).not.toMatch(/GetParameter|ec2messages|ssm:\*/);
    expect(userDataOf(opted)).not.toContain('amazon-ssm-agent');
    expect(userDataOf(json)).toContain(
      'systemctl disable --now amazon-ssm-agent.service 2>/dev/null || true',
    );
  });

  it('passes GR-IAM-04, with and without Session Manager', () => {
    for (const sessionManager of [undefined, { reason: 'On-call engineers read the journal' }]) {
      expect(
        findingsOf(
          iamLeastPrivilege,
          (stack) => new AgentScalingGroup(stack, 'ingest', props({ sessionManager })),
        ),
      ).toEqual([]);
    }
  });
});

describe('Auto Scaling group', () => {
  const json = synth();
  const group = resourceOf(json, 'aws_autoscaling_group');

  it('uses the latest template version, EC2 health checks and a rolling refresh', () => {
    expect(group.launch_template.version).toMatch(/aws_launch_template\..*\.latest_version/);
    expect(group.vpc_zone_identifier).toEqual(['subnet-aaaa1111', 'subnet-bbbb2222']);
    expect(group).toMatchObject({
      min_size: 1,
      max_size: 8,
      health_check_type: 'EC2',
      health_check_grace_period: 180,
      default_instance_warmup: 180,
      metrics_granularity: '1Minute',
      instance_refresh: { strategy: 'Rolling', preferences: { min_healthy_percentage: 90 } },
    });
    expect(group.enabled_metrics).toContain('GroupInServiceInstances');
    expect(group.desired_capacity).toBeUndefined();
  });

  it('holds terminating instances longer than the grace period', () => {
    const hook = resourceOf(json, 'aws_autoscaling_lifecycle_hook');
    expect(hook).toMatchObject({
      lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      default_result: 'CONTINUE',
      heartbeat_timeout: 135 + 30,
    });
    expect(hook.heartbeat_timeout).toBeGreaterThanOrEqual(135);
  });
});

describe('backlog-per-instance scaling', () => {
  const policy = resourceOf(synth(), 'aws_autoscaling_policy');
  const tracking = policy.target_tracking_configuration;
  const metrics = tracking.customized_metric_specification.metrics as Block[];

  it('tracks m1 / m2 at the agent’s perReplica', () => {
    expect(policy.policy_type).toBe('TargetTrackingScaling');
    expect(tracking.target_value).toBe(25);
    expect(metrics.map((m) => [m.id, m.return_data, m.expression])).toEqual([
      ['m1', false, undefined],
      ['m2', false, undefined],
      ['e1', true, 'm1 / m2'],
    ]);
  });

  it('reads the queue’s visible messages and the group’s instances in service', () => {
    expect(metrics[0].metric_stat).toEqual({
      stat: 'Sum',
      metric: {
        namespace: 'AWS/SQS',
        metric_name: 'ApproximateNumberOfMessagesVisible',
        dimensions: [{ name: 'QueueName', value: 'ingest-tasks' }],
      },
    });
    expect(metrics[1].metric_stat.metric).toMatchObject({
      namespace: 'AWS/AutoScaling',
      metric_name: 'GroupInServiceInstances',
      dimensions: [{ name: 'AutoScalingGroupName', value: expect.stringMatching(/\.name}$/) }],
    });
  });

  it('takes an explicit backlogPerInstance', () => {
    const json = synth({ backlogPerInstance: 40 });
    expect(resourceOf(json, 'aws_autoscaling_policy').target_tracking_configuration).toMatchObject({
      target_value: 40,
    });
  });
});

describe('user data', () => {
  const script = userDataOf(synth());

  it('runs the same image, args and env under systemd', () => {
    expect(script).toContain(`/usr/bin/docker pull ${INGEST_IMAGE}`);
    expect(script).toMatch(
      new RegExp(
        `ExecStart=/usr/bin/docker run .* ${INGEST_IMAGE.replace(/[.]/g, '\\.')} --mode sqs --batch=10\\n`,
      ),
    );
    for (const line of [
      'LOG_LEVEL=info',
      'OUTPUT_BUCKET=articles-raw',
      `FLEET_QUEUE_URL=${QUEUE.url}`,
      `FLEET_QUEUE_NAME=${QUEUE.name}`,
      `FLEET_QUEUE_ARN=${QUEUE.arn}`,
      `AWS_REGION=${REGION}`,
      'FLEET_MAX_PROCESSING_SECONDS=120',
    ]) {
      expect(script.split('\n')).toContain(line);
    }
  });

  it('limits and confines the container', () => {
    for (const flag of [
      '--cpus=1.5',
      '--memory=1024m',
      '--read-only',
      '--tmpfs=/tmp:rw,nosuid,nodev,size=256m',
      '--security-opt=no-new-privileges',
      '--cap-drop=ALL',
      '--user=10001:10001',
    ]) {
      expect(script).toContain(` ${flag} `);
    }
  });

  it('stops gracefully within the grace period', () => {
    const lines = script.split('\n');
    expect(lines).toContain('Restart=always');
    expect(lines).toContain('KillSignal=SIGTERM');
    expect(lines).toContain('TimeoutStopSec=165');
    expect(lines).toContain('ExecStop=-/usr/bin/docker exec agent-ingest sleep 5');
    expect(lines).toContain('ExecStop=/usr/bin/docker stop --time=135 agent-ingest');
    expect(script).toContain('metadata autoscaling/target-lifecycle-state');
  });

  it('writes the drain watcher that completes the lifecycle hook it names', () => {
    expect(script).toContain(
      `cat > /usr/local/bin/agent-drain-watch <<'AGENT_FLEET_EOF'\n${ec2DrainWatchScript()}\nAGENT_FLEET_EOF`,
    );
    expect(script).toContain(
      'ExecStart=/usr/local/bin/agent-drain-watch agent-ingest.service drain\n',
    );
    expect(script.split('\n')).toContain('Restart=on-failure');
    const hook = resourceOf(synth(), 'aws_autoscaling_lifecycle_hook');
    expect(hook.name).toBe('drain');
  });

  it('installs only the AWS CLI, when missing, and holds no credentials', () => {
    const installs = script
      .split('\n')
      .filter((line) => /\b(yum|dnf|apt-get|pip|curl [^\n]*\| *(ba)?sh)\b/.test(line));
    expect(installs).toEqual(['command -v aws >/dev/null 2>&1 || dnf install -y awscli-2 ||']);
    expect(script).not.toMatch(/^[A-Z_]*(ACCESS_KEY|SECRET|PASSWORD|TOKEN)[A-Z_]*=/m);
  });

  it('renders docker-quoted arguments systemd reads back', () => {
    const { script: quoted } = agentUserData({
      agent: resolvedIngest({
        container: { ...ingestAgent().container, args: ['--label', 'a b "c" 100% $HOME'] },
      }),
      queue: QUEUE,
      region: REGION,
    });
    expect(quoted).toContain(' --label "a b \\"c\\" 100%% $$HOME"\n');
  });

  it('encodes through Terraform when the queue is a reference', () => {
    const json = synthAws((stack) => {
      const url = new TerraformVariable(stack, 'queue_url', { type: 'string' });
      new AgentScalingGroup(stack, 'ingest', props({ queue: { ...QUEUE, url: url.stringValue } }));
    });
    const userData = resourceOf(json, 'aws_launch_template').user_data as string;
    expect(userData).toMatch(/^\$\{base64encode\(/);
    expect(userData).toContain('FLEET_QUEUE_URL=", var.queue_url, "');
  });
});

describe('refusals', () => {
  it('refuses env names that look like secrets, before rendering any user data', () => {
    const agent = resolvedIngest({
      container: { ...ingestAgent().container, env: { DB_PASSWORD: 'hunter2' } },
    });
    expect(() => synth({ agent })).toThrow(
      /'agent\.container\.env\.DB_PASSWORD': looks like a secret/,
    );
    expect(() => agentUserData({ agent, queue: QUEUE, region: REGION })).toThrow(
      /looks like a secret/,
    );
  });

  it('refuses min > max, a backlog below 1 and min 0, all in one message', () => {
    expect(() => synth({ minSize: 5, maxSize: 3, backlogPerInstance: 0 })).toThrow(
      /'minSize' \(5\) must be <= 'maxSize' \(3\)[\s\S]*'backlogPerInstance': 0 must be a whole number >= 1/,
    );
    expect(() => synth({ minSize: 0 })).toThrow(/'minSize': 0 must be a whole number >= 1/);
  });

  it('refuses a missing backlog target', () => {
    const agent = resolvedIngest({
      scaling: { minReplicas: 1, maxReplicas: 4, cpu: { targetUtilization: 70 } },
    });
    expect(() => synth({ agent })).toThrow(/'backlogPerInstance': not given/);
  });

  it('refuses wildcard, IAM and Resource-* statements', () => {
    expect(() =>
      synth({
        policyStatements: [
          { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'iam:PassRole'], Resource: '*' },
          { Effect: 'Allow', Action: '*', Resource: QUEUE.arn },
        ],
      }),
    ).toThrow(
      /policyStatements\[0\]\.Action': 'iam:PassRole'[\s\S]*policyStatements\[0\]\.Resource'[\s\S]*policyStatements\[1\]\.Action': '\*'/,
    );
  });

  it('refuses Session Manager without a written reason', () => {
    expect(() => synth({ sessionManager: { reason: ' debugging ' } })).toThrow(
      /'sessionManager\.reason': Session Manager lets operators open shells on the instances: give a written reason \(at least 20 characters\)/,
    );
  });

  it('refuses non-consumer workloads, GPUs, line breaks and a bad AMI id', () => {
    const agent = resolvedIngest({
      workload: 'per-message',
      scaling: { minReplicas: 0, maxReplicas: 4, queueDepth: { perReplica: 5 } },
      resources: { requests: { cpu: Cpu.parse('1'), memory: Size.parse('1Gi') }, gpu: 1 },
      container: { ...ingestAgent().container, args: ['a\nb'] },
    });
    expect(() => synth({ agent, amiId: 'al2023' })).toThrow(
      /'agent\.workload'[\s\S]*'agent\.resources\.gpu'[\s\S]*'agent\.container\.args\[0\]'[\s\S]*'amiId'/,
    );
  });
});

import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { AgentScalingGroup } from '../../constructs/aws/agent-scaling-group';
import { PrivateNetwork } from '../../constructs/aws/network';
import { awsProvider } from '../../constructs/aws/provider';
import { applyBackend } from '../../constructs/backend';
import { Cpu, Duration, ImageRef, Size } from '../../constructs/model';
import { findProviderMirror } from '../../scripts/terraform/cli-config';
import { planStacks, StackPlan, terraformVersion } from '../../scripts/terraform/offline-plan';
import { tempDir } from '../support/temp-dir';
import { ACCOUNT_ID, REGION, ZONES } from './support';

const PLAN_STACK = 'asg-fixture-eu-agents';
const zones = ZONES.length;

/**
 * What the plan of the fixture adds, by type: the network over three zones, the
 * queue, and the agent's group (role, inline policy, SSM attachment, profile,
 * security group, launch template, group, termination hook, scaling policy).
 */
const EXPECTED_ADDS: Readonly<Record<string, number>> = {
  aws_vpc: 1,
  aws_default_security_group: 1,
  aws_internet_gateway: 1,
  aws_subnet: 2 * zones,
  aws_eip: zones,
  aws_nat_gateway: zones,
  aws_route_table: 1 + zones,
  aws_route: 1 + zones,
  aws_route_table_association: 2 * zones,
  aws_sqs_queue: 1,
  aws_iam_role: 1,
  aws_iam_role_policy: 1,
  aws_iam_role_policy_attachment: 1,
  aws_iam_instance_profile: 1,
  aws_security_group: 1,
  aws_launch_template: 1,
  aws_autoscaling_group: 1,
  aws_autoscaling_lifecycle_hook: 1,
  aws_autoscaling_policy: 1,
};

/** A network, the ingest queue and the ingest agent on an Auto Scaling group. */
function addScalingGroupFixtureStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, PLAN_STACK);
  applyBackend(stack, PLAN_STACK, undefined, { offline: true });
  awsProvider(stack, { region: REGION, accountId: ACCOUNT_ID, offline: true });
  const network = new PrivateNetwork(stack, 'network', {
    cidr: '10.40.0.0/16',
    availabilityZones: ZONES,
    clusterName: 'fleet-eu',
  });
  const queue = new SqsQueue(stack, 'ingest-queue', {
    name: 'ingest-tasks',
    // Longer than the agent's longest processing time (GR-AS-07).
    visibilityTimeoutSeconds: 180,
    sqsManagedSseEnabled: true,
  });
  new AgentScalingGroup(stack, 'ingest', {
    agent: {
      name: 'ingest',
      container: {
        image: ImageRef.parse(`registry.example.com/agent-fleet/ingest@sha256:${'b'.repeat(64)}`),
        args: ['--mode', 'sqs'],
        env: { LOG_LEVEL: 'info' },
        ports: { http: 8080 },
        probes: {
          readiness: { httpGet: { path: '/ready', port: 'http' } },
          liveness: { httpGet: { path: '/healthz', port: 'http' } },
        },
      },
      resources: { requests: { cpu: Cpu.parse('1'), memory: Size.parse('2Gi') } },
      queue: {
        broker: 'sqs',
        queue: 'ingest-tasks',
        consumer: { maxProcessingTime: Duration.minutes(2) },
      },
      scaling: { minReplicas: 1, maxReplicas: 10, queueDepth: { perReplica: 25 } },
    },
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    instanceType: 'm7i.large',
    amiId: 'ami-0123456789abcdef0',
    minSize: 1,
    maxSize: 10,
    queue: { name: queue.name, arn: queue.arn, url: queue.url },
    policyStatements: [
      {
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ],
        Resource: queue.arn,
      },
    ],
  });
  return stack;
}

/**
 * Terraform and the AWS provider mirror. Outside CI their absence skips the
 * plan, saying so; under `CI=true` it fails.
 */
function planSetup(): { mirror: string } | undefined {
  let mirror: string | undefined;
  let reason: string | undefined;
  try {
    mirror = findProviderMirror();
    if (!mirror) reason = 'no AWS provider mirror: set TF_PROVIDER_MIRROR';
  } catch (error) {
    reason = (error as Error).message;
  }
  if (!terraformVersion()) reason = 'terraform is not on the PATH';
  if (!reason && mirror) return { mirror };
  if (process.env.CI === 'true') {
    throw new Error(`The offline Auto Scaling group plan cannot run: ${reason}`);
  }
  console.warn(`Skipping the offline terraform plan of the Auto Scaling group fixture. ${reason}`);
  return undefined;
}

function synthFixture(dir: string): string {
  const outdir = path.join(dir, 'cdktf.out');
  const app = new App({ outdir });
  addScalingGroupFixtureStack(app);
  app.synth();
  return outdir;
}

describe('the Auto Scaling group fixture', () => {
  it('declares exactly the resources the plan is expected to add', () => {
    const outdir = synthFixture(tempDir('fleet-asg-synth'));
    const config = JSON.parse(
      fs.readFileSync(path.join(outdir, 'stacks', PLAN_STACK, 'cdk.tf.json'), 'utf8'),
    );
    const declared = Object.fromEntries(
      Object.entries(config.resource).map(([type, byName]) => [
        type,
        Object.keys(byName as object).length,
      ]),
    );
    expect(declared).toEqual(EXPECTED_ADDS);
    expect(config.data).toBeUndefined();
  });
});

const setup = planSetup();
const describeWithTerraform = setup ? describe : describe.skip;

describeWithTerraform('a real terraform plan of an agent Auto Scaling group, offline', () => {
  const dir = tempDir('fleet-asg-plan');
  let result: StackPlan;

  beforeAll(async () => {
    const outdir = synthFixture(dir);
    [result] = await planStacks({ outdir, mirror: setup!.mirror, workDir: dir });
    console.log(
      `offline plan of ${PLAN_STACK}: ${result.seconds.toFixed(1)} s ` +
        `(init ${result.phases.init?.toFixed(1)} s, plan ${result.phases.plan?.toFixed(1)} s, ` +
        `show ${result.phases.show?.toFixed(1)} s), ${result.counts.add} to add`,
    );
  }, 180_000);

  it('plans without errors or warnings, only additions', () => {
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.ok).toBe(true);
    const total = Object.values(EXPECTED_ADDS).reduce((sum, count) => sum + count, 0);
    expect(result.counts).toEqual({ add: total, change: 0, destroy: 0 });
  });

  it('adds exactly the expected resources, by type', () => {
    expect(result.byType).toEqual(
      Object.fromEntries(
        Object.entries(EXPECTED_ADDS).map(([type, add]) => [type, { add, change: 0, destroy: 0 }]),
      ),
    );
  });

  it('keeps the values the provider accepted: IMDSv2, refresh, hook, metric math', () => {
    const after = (type: string) =>
      (result.plan?.resource_changes ?? [])
        .filter((change) => change.type === type)
        .map((change) => change.change.after as Record<string, any>);
    const [template] = after('aws_launch_template');
    expect(template.metadata_options[0]).toMatchObject({
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
    });
    expect(template.network_interfaces[0].associate_public_ip_address).toBe('false');
    expect(template.block_device_mappings[0].ebs[0]).toMatchObject({
      encrypted: 'true',
      volume_type: 'gp3',
    });
    const [group] = after('aws_autoscaling_group');
    expect(group).toMatchObject({ health_check_type: 'EC2', min_size: 1, max_size: 10 });
    expect(group.instance_refresh[0]).toMatchObject({ strategy: 'Rolling' });
    expect(group.instance_refresh[0].preferences[0].min_healthy_percentage).toBe(90);
    const [hook] = after('aws_autoscaling_lifecycle_hook');
    expect(hook).toMatchObject({
      lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      heartbeat_timeout: 135 + 30,
    });
    const [policy] = after('aws_autoscaling_policy');
    const tracking = policy.target_tracking_configuration[0];
    expect(tracking.target_value).toBe(25);
    expect(
      tracking.customized_metric_specification[0].metrics.map((m: Record<string, any>) => [
        m.id,
        m.expression,
        m.return_data,
      ]),
    ).toEqual([
      ['m1', '', false],
      ['m2', '', false],
      ['e1', 'm1 / m2', true],
    ]);
  });
});

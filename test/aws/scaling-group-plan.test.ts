import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { App, TerraformStack } from 'cdktf';
import { AgentScalingGroup } from '../../constructs/aws/agent-scaling-group';
import { PrivateNetwork } from '../../constructs/aws/network';
import { awsProvider } from '../../constructs/aws/provider';
import { applyBackend } from '../../constructs/terraform/backend';
import { Cpu, Duration, ImageRef, resolveAgent, Size } from '../../model';
import { describePlanFixture, plannedValues } from '../support/offline-plan';
import {
  ACCOUNT_ID,
  REGION,
  ZONES,
  NETWORK_ADDS,
  SQS_CONSUME_ACTIONS,
  SCALING_GROUP_RESOURCES,
} from './support';

const PLAN_STACK = 'asg-fixture-eu-agents';
/**
 * What the plan of the fixture adds, by type: the network over three zones, the
 * queue, and the agent's group (role, the agent's and the drain's inline policies,
 * profile, security group, launch template, group, termination hook, scaling
 * policy): no managed policy attachment.
 */
const EXPECTED_ADDS: Readonly<Record<string, number>> = {
  ...NETWORK_ADDS,
  aws_sqs_queue: 1,
  ...SCALING_GROUP_RESOURCES,
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
    agent: resolveAgent({
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
    }),
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
        Action: SQS_CONSUME_ACTIONS,
        Resource: queue.arn,
      },
    ],
  });
  return stack;
}

describePlanFixture(
  {
    fixture: 'the Auto Scaling group fixture',
    title: 'a real terraform plan of an agent Auto Scaling group, offline',
    stack: PLAN_STACK,
    build: addScalingGroupFixtureStack,
    expected: EXPECTED_ADDS,
  },
  {
    planned: (results) => {
      it('keeps the values the provider accepted: IMDSv2, refresh, hook, metric math', () => {
        const result = results.plan();
        const after = (type: string) => plannedValues(result, type);
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
    },
  },
);

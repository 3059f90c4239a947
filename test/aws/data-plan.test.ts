import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { AgentQueue } from '../../constructs/aws/sqs-queue';
import { AgentRole } from '../../constructs/aws/agent-role';
import { AgentTable, TableBilling } from '../../constructs/aws/dynamodb-table';
import { awsProvider } from '../../constructs/aws';
import { applyBackend } from '../../constructs/backend';
import { Duration } from '../../constructs/model';
import { findProviderMirror } from '../../scripts/terraform/cli-config';
import { planStacks, StackPlan, terraformVersion } from '../../scripts/terraform/offline-plan';
import { tempDir } from '../support/temp-dir';
import { ACCOUNT_ID, addSite, REGION } from './support';

const DATA_STACK = 'agent-data-fixture-eu-infra';

/**
 * The fixture: an EKS site (for its OIDC provider), a task queue and a result
 * queue, each with its own key; a provisioned table with auto scaling; a worker
 * role that consumes tasks, sends results and reads and writes the table, and a
 * dispatcher role that sends tasks.
 */
function addDataFixtureStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, DATA_STACK);
  applyBackend(stack, DATA_STACK, undefined, { offline: true });
  awsProvider(stack, { region: REGION, accountId: ACCOUNT_ID, offline: true });
  const { cluster } = addSite(stack);
  const base = { accountId: ACCOUNT_ID, region: REGION };
  const tasks = new AgentQueue(stack, 'tasks', {
    ...base,
    binding: {
      queue: 'summarizer-tasks',
      deadLetter: { deliveryLimit: 3 },
      consumer: { maxProcessingTime: Duration.minutes(10) },
    },
  });
  const results = new AgentQueue(stack, 'results', {
    ...base,
    binding: { queue: 'summarizer-results' },
  });
  const state = new AgentTable(stack, 'state', {
    ...base,
    name: 'summarizer-state',
    partitionKey: { name: 'conversationId', type: 'string' },
    sortKey: { name: 'turn', type: 'number' },
    billing: TableBilling.provisioned({
      readCapacity: { min: 5, max: 100 },
      writeCapacity: { min: 5, max: 50 },
    }),
  });
  const oidc = { oidcProviderArn: cluster.oidcProviderArn, oidcIssuer: cluster.oidcIssuer };
  new AgentRole(stack, 'worker', {
    ...oidc,
    namespace: 'agents',
    serviceAccount: 'summarizer',
    statements: [
      ...tasks.consumeStatements(),
      ...results.sendStatements(),
      ...state.readWriteStatements(),
    ],
  });
  new AgentRole(stack, 'dispatcher', {
    ...oidc,
    namespace: 'agents',
    serviceAccount: 'dispatcher',
    statements: tasks.sendStatements(),
  });
  return stack;
}

/** The site: network over three zones, cluster with one admin (see eks-plan.test.ts). */
const zones = 3;
const SITE_ADDS: Readonly<Record<string, number>> = {
  aws_vpc: 1,
  aws_default_security_group: 1,
  aws_internet_gateway: 1,
  aws_subnet: 2 * zones,
  aws_eip: zones,
  aws_nat_gateway: zones,
  aws_route_table: 1 + zones,
  aws_route: 1 + zones,
  aws_route_table_association: 2 * zones,
  aws_cloudwatch_log_group: 1,
  aws_iam_role_policy_attachment: 1,
  aws_eks_cluster: 1,
  aws_iam_openid_connect_provider: 1,
  aws_eks_access_entry: 1,
  aws_eks_access_policy_association: 1,
};

/**
 * What the plan adds, by type: the site, plus per queue a key, an alias, the
 * queue and its dead-letter queue, a redrive allow policy and two queue
 * policies; the table with its key, alias, and a scaling target and policy for
 * reads and for writes; two roles with one inline policy each.
 */
const EXPECTED_ADDS: Readonly<Record<string, number>> = {
  ...SITE_ADDS,
  aws_kms_key: 1 + 2 + 1,
  aws_kms_alias: 1 + 2 + 1,
  aws_iam_role: 1 + 2,
  aws_sqs_queue: 2 * 2,
  aws_sqs_queue_redrive_allow_policy: 2,
  aws_sqs_queue_policy: 2 * 2,
  aws_dynamodb_table: 1,
  aws_appautoscaling_target: 2,
  aws_appautoscaling_policy: 2,
  aws_iam_role_policy: 2,
};

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
  if (process.env.CI === 'true') throw new Error(`The offline data plan cannot run: ${reason}`);
  console.warn(`Skipping the offline terraform plan of the agent data fixture. ${reason}`);
  return undefined;
}

function synthFixture(dir: string): string {
  const outdir = path.join(dir, 'cdktf.out');
  const app = new App({ outdir });
  addDataFixtureStack(app);
  app.synth();
  return outdir;
}

describe('the agent data fixture', () => {
  it('declares exactly the resources the plan is expected to add', () => {
    const outdir = synthFixture(tempDir('fleet-data-synth'));
    const config = JSON.parse(
      fs.readFileSync(path.join(outdir, 'stacks', DATA_STACK, 'cdk.tf.json'), 'utf8'),
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

describeWithTerraform('a real terraform plan of agent queues, a table and roles, offline', () => {
  const dir = tempDir('fleet-data-plan');
  let result: StackPlan;

  beforeAll(async () => {
    const outdir = synthFixture(dir);
    [result] = await planStacks({ outdir, mirror: setup!.mirror, workDir: dir });
    console.log(
      `offline plan of ${DATA_STACK}: ${result.seconds.toFixed(1)} s ` +
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

  it('keeps the values the provider accepted: redrive, visibility, PITR, protection, SSE', () => {
    const after = (type: string) =>
      (result.plan?.resource_changes ?? [])
        .filter((change) => change.type === type)
        .map((change) => change.change.after as Record<string, any>);
    const queues = Object.fromEntries(after('aws_sqs_queue').map((queue) => [queue.name, queue]));
    expect(queues['summarizer-tasks'].visibility_timeout_seconds).toBe(630);
    expect(queues['summarizer-results'].visibility_timeout_seconds).toBe(60);
    expect(queues['summarizer-tasks-dlq'].message_retention_seconds).toBe(1_209_600);
    expect(queues['summarizer-results-dlq'].message_retention_seconds).toBe(1_209_600);
    const [table] = after('aws_dynamodb_table');
    expect(table).toMatchObject({
      billing_mode: 'PROVISIONED',
      deletion_protection_enabled: true,
      point_in_time_recovery: [{ enabled: true }],
      server_side_encryption: [{ enabled: true }],
    });
    for (const key of after('aws_kms_key')) expect(key.enable_key_rotation).toBe(true);
  });
});

import { App, TerraformStack } from 'cdktf';
import { awsProvider } from '../../constructs/aws';
import { AgentRole } from '../../constructs/aws/agent-role';
import { AgentTable, TableBilling } from '../../constructs/aws/dynamodb-table';
import { AgentQueue } from '../../constructs/aws/sqs-queue';
import { applyBackend } from '../../constructs/terraform/backend';
import { Duration } from '../../model';
import { describePlanFixture, plannedValues } from '../support/offline-plan';
import { ACCOUNT_ID, granted, addSite, REGION, SITE_ADDS } from './support';

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
    statements: granted((grantee) => {
      tasks.grantConsumeMessages(grantee);
      results.grantSendMessages(grantee);
      state.grantReadWriteData(grantee);
    }),
  });
  new AgentRole(stack, 'dispatcher', {
    ...oidc,
    namespace: 'agents',
    serviceAccount: 'dispatcher',
    statements: granted((grantee) => tasks.grantSendMessages(grantee)),
  });
  return stack;
}

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

describePlanFixture(
  {
    fixture: 'the agent data fixture',
    title: 'a real terraform plan of agent queues, a table and roles, offline',
    stack: DATA_STACK,
    build: addDataFixtureStack,
    expected: EXPECTED_ADDS,
  },
  {
    planned: (results) => {
      it('keeps the values the provider accepted: redrive, visibility, PITR, protection, SSE', () => {
        const result = results.plan();
        const after = (type: string) => plannedValues(result, type);
        const queues = Object.fromEntries(
          after('aws_sqs_queue').map((queue) => [queue.name, queue]),
        );
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
    },
  },
);

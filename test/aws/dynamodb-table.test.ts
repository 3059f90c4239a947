import { AgentTable, AgentTableProps, TableBilling } from '../../constructs/aws/dynamodb-table';
import { ValidationError } from '../../model';
import { Block, Synthesized, resourcesOf, resourceOf } from '../support/synthesized';
import { ACCOUNT_ID, granted, REGION, synthAws } from './support';

const BASE: AgentTableProps = {
  accountId: ACCOUNT_ID,
  region: REGION,
  name: 'agent-state',
  partitionKey: { name: 'conversationId', type: 'string' },
};

function synthTable(props: Partial<AgentTableProps> = {}): {
  json: Synthesized;
  table: AgentTable;
} {
  let table!: AgentTable;
  const json = synthAws((stack) => {
    table = new AgentTable(stack, 'state', { ...BASE, ...props });
  });
  return { json, table };
}

describe('defaults of an agent table', () => {
  const { json } = synthTable();
  const table = resourceOf(json, 'aws_dynamodb_table');

  it('is on demand with the partition key only, and no auto scaling', () => {
    expect(table).toMatchObject({
      name: 'agent-state',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'conversationId',
      attribute: [{ name: 'conversationId', type: 'S' }],
    });
    expect(table).not.toHaveProperty('range_key');
    expect(table).not.toHaveProperty('read_capacity');
    expect(resourcesOf(json, 'aws_appautoscaling_target')).toHaveLength(0);
  });

  it('has point-in-time recovery (GR-DUR-01)', () => {
    expect(table.point_in_time_recovery).toEqual({ enabled: true });
  });

  it('has deletion protection and prevent_destroy, as has its key (GR-DUR-02, GR-DUR-09)', () => {
    expect(table.deletion_protection_enabled).toBe(true);
    expect(table.lifecycle).toEqual({ prevent_destroy: true });
    expect(resourceOf(json, 'aws_kms_key').lifecycle).toEqual({ prevent_destroy: true });
  });

  it('is encrypted with a new rotated key whose policy names the account root only (GR-ENC-04, GR-ENC-07)', () => {
    expect(table.server_side_encryption).toEqual({
      enabled: true,
      kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\.state_Key_\w+\.arn\}$/),
    });
    const key = resourceOf(json, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    expect(JSON.parse(key.policy).Statement.map((s: Block) => s.Principal)).toEqual([
      { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
    ]);
    expect(resourceOf(json, 'aws_kms_alias').name).toBe('alias/dynamodb/agent-state');
  });
});

describe('keys', () => {
  it('renders a sort key with its type', () => {
    const { json } = synthTable({ sortKey: { name: 'turn', type: 'number' } });
    expect(resourceOf(json, 'aws_dynamodb_table')).toMatchObject({
      hash_key: 'conversationId',
      range_key: 'turn',
      attribute: [
        { name: 'conversationId', type: 'S' },
        { name: 'turn', type: 'N' },
      ],
    });
  });
});

describe('encryption with an existing key', () => {
  it('uses it and creates none', () => {
    const existing = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const { json, table } = synthTable({ encryptionKeyArn: existing });
    expect(resourcesOf(json, 'aws_kms_key')).toHaveLength(0);
    expect(resourceOf(json, 'aws_dynamodb_table').server_side_encryption.kms_key_arn).toBe(
      existing,
    );
    expect(table.kmsKeyArn).toBe(existing);
  });
});

describe('provisioned capacity', () => {
  const { json } = synthTable({
    billing: TableBilling.provisioned({
      readCapacity: { min: 5, max: 100 },
      writeCapacity: { min: 2, max: 40 },
      targetUtilizationPercent: 60,
    }),
  });
  const table = resourceOf(json, 'aws_dynamodb_table');

  it('starts at the minimum and leaves the capacity to auto scaling', () => {
    expect(table).toMatchObject({
      billing_mode: 'PROVISIONED',
      read_capacity: 5,
      write_capacity: 2,
    });
    expect(table.lifecycle).toEqual({
      prevent_destroy: true,
      ignore_changes: ['read_capacity', 'write_capacity'],
    });
  });

  it('attaches auto scaling targets and target-tracking policies to reads and writes (GR-AS-09)', () => {
    const targets = resourcesOf(json, 'aws_appautoscaling_target');
    expect(targets).toEqual([
      {
        service_namespace: 'dynamodb',
        resource_id: expect.stringMatching(/^table\/\$\{aws_dynamodb_table\.state_\w+\.name\}$/),
        scalable_dimension: 'dynamodb:table:ReadCapacityUnits',
        min_capacity: 5,
        max_capacity: 100,
      },
      expect.objectContaining({
        resource_id: expect.stringMatching(/^table\/\$\{aws_dynamodb_table\.state_\w+\.name\}$/),
        scalable_dimension: 'dynamodb:table:WriteCapacityUnits',
        min_capacity: 2,
        max_capacity: 40,
      }),
    ]);
    const policies = resourcesOf(json, 'aws_appautoscaling_policy');
    expect(policies.map((p) => p.target_tracking_scaling_policy_configuration)).toEqual([
      {
        target_value: 60,
        predefined_metric_specification: {
          predefined_metric_type: 'DynamoDBReadCapacityUtilization',
        },
      },
      {
        target_value: 60,
        predefined_metric_specification: {
          predefined_metric_type: 'DynamoDBWriteCapacityUtilization',
        },
      },
    ]);
    for (const policy of policies) expect(policy.policy_type).toBe('TargetTrackingScaling');
  });
});

describe('grant statements', () => {
  it('read-write: the item actions on exactly the table and its indexes, keys through DynamoDB', () => {
    const { table } = synthTable();
    expect(granted((grantee) => table.grantReadWriteData(grantee))).toEqual([
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:Query',
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
        ],
        Resource: [table.tableArn, `${table.tableArn}/index/*`],
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [table.kmsKeyArn],
        Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } },
      },
    ]);
  });
});

describe('validation', () => {
  const attempt = (props: Partial<AgentTableProps>) => () => synthTable(props);

  it('refuses a bad name, a sort key equal to the partition key and bad capacities, all at once', () => {
    const build = attempt({
      name: 'x',
      sortKey: { name: 'conversationId', type: 'string' },
      billing: TableBilling.provisioned({
        readCapacity: { min: 0, max: 10 },
        writeCapacity: { min: 10, max: 5 },
        targetUtilizationPercent: 95,
      }),
    });
    expect(build).toThrow(ValidationError);
    expect(build).toThrow(/test\/state: 5 problem\(s\)/);
    expect(build).toThrow(
      "'name': 'x' is not a DynamoDB table name: 3 to 255 letters, digits, '_', '-' or '.'",
    );
    expect(build).toThrow(
      "'sortKey.name': 'conversationId' is also the partition key: the sort key needs another attribute",
    );
    expect(build).toThrow(
      "'billing.readCapacity.min': 0 is not a capacity: a whole number of units, at least 1",
    );
    expect(build).toThrow(
      "'billing.writeCapacity.max': 5 must be a whole number >= 'writeCapacity.min' (10)",
    );
    expect(build).toThrow(
      "'billing.targetUtilizationPercent': 95 is not a target utilization: 20 to 90 percent",
    );
  });
});

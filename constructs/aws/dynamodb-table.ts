import { AppautoscalingPolicy } from '@cdktf/provider-aws/lib/appautoscaling-policy';
import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { Construct } from 'constructs';
import { Problem, ValidationError } from '../../model';
import { validateAccountAndRegion } from './client-access';
import { AwsGrantee } from './grants';
import { kmsKeyArnProblems, ownKey } from './key-policy';

/** Type of a key attribute: rendered as DynamoDB's `S`, `N` or `B`. */
export type KeyAttributeType = 'string' | 'number' | 'binary';

const ATTRIBUTE_TYPES: Readonly<Record<KeyAttributeType, string>> = {
  string: 'S',
  number: 'N',
  binary: 'B',
};

/** A key attribute of a table. */
export interface KeyAttribute {
  /** Attribute name: 1 to 255 characters. */
  readonly name: string;
  /** Type of the attribute's values. */
  readonly type: KeyAttributeType;
}

/** Bounds of one provisioned capacity that auto scaling moves between. */
export interface CapacityRange {
  /** Capacity units at creation and the floor of auto scaling, at least 1. */
  readonly min: number;
  /** Ceiling of auto scaling, at least `min`. */
  readonly max: number;
}

/** Options of {@link TableBilling.provisioned}. */
export interface ProvisionedBillingProps {
  /** Read capacity units auto scaling moves between. */
  readonly readCapacity: CapacityRange;
  /** Write capacity units auto scaling moves between. */
  readonly writeCapacity: CapacityRange;
  /** Consumed share of the capacity auto scaling keeps, 20 to 90 percent. @default 70 */
  readonly targetUtilizationPercent?: number;
}

/**
 * How a table pays for throughput.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/capacity-mode.html
 */
export class TableBilling {
  /** Pay per request (`PAY_PER_REQUEST`): no capacity to manage, absorbs fleet bursts. */
  static onDemand(): TableBilling {
    return new TableBilling(undefined);
  }

  /**
   * Provisioned capacity (`PROVISIONED`), always with Application Auto Scaling
   * target tracking on reads and writes (GR-AS-09).
   */
  static provisioned(props: ProvisionedBillingProps): TableBilling {
    return new TableBilling(props);
  }

  private constructor(
    /** The capacity and its auto scaling, or `undefined` when paying per request. */
    readonly provisioned: ProvisionedBillingProps | undefined,
  ) {}
}

/** Props of {@link AgentTable}. */
export interface AgentTableProps {
  /** Table name: 3 to 255 letters, digits, `_`, `-` or `.`. */
  readonly name: string;
  /** The 12-digit account of the table; written into the key policy. */
  readonly accountId: string;
  /** The table's region, e.g. `eu-west-1`; scopes the grants' KMS use to DynamoDB there. */
  readonly region: string;
  /** Partition (hash) key of the table. */
  readonly partitionKey: KeyAttribute;
  /** Sort (range) key of the table. @default - no sort key */
  readonly sortKey?: KeyAttribute;
  /**
   * How the table is billed: per request, or provisioned capacity under auto scaling.
   * @default TableBilling.onDemand()
   */
  readonly billing?: TableBilling;
  /**
   * ARN of an existing KMS key that encrypts the table. Its key policy must let this
   * account's IAM policies grant its use.
   * @default - a new key with rotation, used by this table only
   */
  readonly encryptionKeyArn?: string;
}

/**
 * A DynamoDB table for a stateful agent:
 * - encrypted with a customer-managed KMS key (GR-ENC-04): a new key with rotation
 *   whose policy names the account root only (GR-ENC-07), or the key given;
 * - point-in-time recovery (GR-DUR-01), deletion protection and `prevent_destroy`
 *   on the table and its key (GR-DUR-02, GR-DUR-09);
 * - on-demand by default; provisioned capacity always comes with auto scaling
 *   targets and target-tracking policies on reads and writes, and Terraform then
 *   ignores the capacity auto scaling sets (GR-AS-09).
 * Access is granted through IAM with {@link readWriteStatements}.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/AutoScaling.html
 */
export class AgentTable extends Construct {
  /** The ARN of the DynamoDB table. */
  readonly tableArn: string;
  /** The name of the DynamoDB table. */
  readonly tableName: string;
  /** The key that encrypts the table. */
  readonly kmsKeyArn: string;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: AgentTableProps) {
    super(scope, id);
    const problems = validateTable(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.region = props.region;
    const provisioned = (props.billing ?? TableBilling.onDemand()).provisioned;

    this.kmsKeyArn =
      props.encryptionKeyArn ??
      ownKey(this, {
        description: `Encrypts DynamoDB table ${props.name}`,
        alias: `alias/dynamodb/${props.name}`,
        accountId: props.accountId,
      });

    const keys = [props.partitionKey, ...(props.sortKey ? [props.sortKey] : [])];
    const table = new DynamodbTable(this, 'Resource', {
      name: props.name,
      hashKey: props.partitionKey.name,
      rangeKey: props.sortKey?.name,
      attribute: keys.map((key) => ({ name: key.name, type: ATTRIBUTE_TYPES[key.type] })),
      billingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
      readCapacity: provisioned?.readCapacity.min,
      writeCapacity: provisioned?.writeCapacity.min,
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: true,
      serverSideEncryption: { enabled: true, kmsKeyArn: this.kmsKeyArn },
      lifecycle: {
        preventDestroy: true,
        // Auto scaling owns the capacity once the table exists.
        ignoreChanges: provisioned ? ['read_capacity', 'write_capacity'] : undefined,
      },
    });
    this.tableArn = table.arn;
    this.tableName = table.name;

    if (provisioned) {
      const target = provisioned.targetUtilizationPercent ?? 70;
      for (const [dimension, range] of [
        ['Read', provisioned.readCapacity],
        ['Write', provisioned.writeCapacity],
      ] as const) {
        const scalable = new AppautoscalingTarget(this, `${dimension}Scaling`, {
          serviceNamespace: 'dynamodb',
          resourceId: `table/${table.name}`,
          scalableDimension: `dynamodb:table:${dimension}CapacityUnits`,
          minCapacity: range.min,
          maxCapacity: range.max,
        });
        new AppautoscalingPolicy(this, `${dimension}ScalingPolicy`, {
          name: `${props.name}-${dimension.toLowerCase()}-utilization`,
          policyType: 'TargetTrackingScaling',
          serviceNamespace: scalable.serviceNamespace,
          resourceId: scalable.resourceId,
          scalableDimension: scalable.scalableDimension,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: target,
            predefinedMetricSpecification: {
              predefinedMetricType: `DynamoDB${dimension}CapacityUtilization`,
            },
          },
        });
      }
    }
  }

  /**
   * Lets the grantee keep state in the table: `GetItem`, `PutItem`,
   * `UpdateItem`, `DeleteItem`, `Query`, `BatchGetItem`, `BatchWriteItem` and
   * `ConditionCheckItem` on the table and its indexes only (no `Scan`), and
   * `kms:Decrypt` and `kms:GenerateDataKey` on its key through DynamoDB.
   */
  grantReadWriteData(grantee: AwsGrantee): void {
    grantee.addToPrincipalPolicy(
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
        Resource: [this.tableArn, `${this.tableArn}/index/*`],
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: [this.kmsKeyArn],
        Condition: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
      },
    );
  }
}

function validateTable(props: AgentTableProps): Problem[] {
  const problems: Problem[] = [];
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(props.name)) {
    problems.push({
      path: ['name'],
      message: `'${props.name}' is not a DynamoDB table name: 3 to 255 letters, digits, '_', '-' or '.'`,
    });
  }
  problems.push(...validateAccountAndRegion(props.accountId, props.region));
  for (const field of ['partitionKey', 'sortKey'] as const) {
    const key = props[field];
    if (!key) continue;
    if (key.name.length < 1 || key.name.length > 255) {
      problems.push({
        path: [field, 'name'],
        message: `'${key.name}' is not a key attribute name: 1 to 255 characters`,
      });
    }
    if (!(key.type in ATTRIBUTE_TYPES)) {
      problems.push({
        path: [field, 'type'],
        message: `'${key.type}' is not a key attribute type: 'string', 'number' or 'binary'`,
      });
    }
  }
  if (props.sortKey && props.sortKey.name === props.partitionKey.name) {
    problems.push({
      path: ['sortKey', 'name'],
      message: `'${props.sortKey.name}' is also the partition key: the sort key needs another attribute`,
    });
  }
  const provisioned = props.billing?.provisioned;
  if (provisioned) {
    for (const field of ['readCapacity', 'writeCapacity'] as const) {
      const { min, max } = provisioned[field];
      if (!Number.isInteger(min) || min < 1) {
        problems.push({
          path: ['billing', field, 'min'],
          message: `${min} is not a capacity: a whole number of units, at least 1`,
        });
      }
      if (!Number.isInteger(max) || max < min) {
        problems.push({
          path: ['billing', field, 'max'],
          message: `${max} must be a whole number >= '${field}.min' (${min})`,
        });
      }
    }
    const target = provisioned.targetUtilizationPercent;
    if (target !== undefined && !(target >= 20 && target <= 90)) {
      problems.push({
        path: ['billing', 'targetUtilizationPercent'],
        message: `${target} is not a target utilization: 20 to 90 percent`,
      });
    }
  }
  problems.push(...kmsKeyArnProblems(props.encryptionKeyArn));
  return problems;
}

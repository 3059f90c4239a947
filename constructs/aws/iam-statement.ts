/**
 * One IAM policy statement, as the agents' least-privilege policies are built:
 * exact actions on exact resources, never `*`.
 */
export interface IamPolicyStatement {
  /**
   * Identifier of the statement within its policy: letters and digits.
   * @default - no identifier
   */
  readonly Sid?: string;
  /** Whether the statement allows or denies the actions. */
  readonly Effect: 'Allow' | 'Deny';
  /** Actions such as `sqs:ReceiveMessage`; never `*` nor a whole service (`sqs:*`). */
  readonly Action: string | readonly string[];
  /** ARNs the actions apply to; never `*`. */
  readonly Resource: string | readonly string[];
  /**
   * IAM condition block, e.g. `{ StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } }`.
   * @default - no condition
   */
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * Reads of metadata that the Service Authorization Reference gives no
 * resource type, so IAM grants them only on `*`: the EC2 lookups with which
 * Amazon Keyspaces fills `system.peers` for clients of a VPC endpoint.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
 */
export const RESOURCELESS_READS: readonly string[] = [
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVpcEndpoints',
];

/** Whether every action of a statement is one of {@link RESOURCELESS_READS}, which `*` may carry. */
export function grantsResourcelessReadsOnly(statement: IamPolicyStatement): boolean {
  return [statement.Action].flat().every((action) => RESOURCELESS_READS.includes(action));
}

/** Trust policy of a role EC2 instances assume through their instance profile. */
export const EC2_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

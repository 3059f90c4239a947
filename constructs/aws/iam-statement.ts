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

/** Trust policy of a role EC2 instances assume through their instance profile. */
export const EC2_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

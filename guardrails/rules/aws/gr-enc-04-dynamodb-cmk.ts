import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block, blocks, isSet, isTrue } from '../support/terraform';

/** The AWS-managed key of DynamoDB, which is not customer-managed. */
function isCustomerKey(arn: unknown): boolean {
  return isSet(arn) && !arn.endsWith('alias/aws/dynamodb');
}

/**
 * GR-ENC-04: DynamoDB tables, and each replica, are encrypted with a
 * customer-managed KMS key. Per the provider doc, `enabled = false` (the
 * default) means an AWS-*owned* key, and `enabled = true` without
 * `kms_key_arn` the AWS-managed `alias/aws/dynamodb`.
 * @see Checkov CKV_AWS_119, CKV_AWS_271, Trivy AWS-0025
 */
export const dynamodbCustomerManagedKey: GuardrailRule = {
  id: 'GR-ENC-04',
  level: 'error',
  summary: 'DynamoDB tables and their replicas are encrypted with a customer-managed KMS key',
  fix: "no environment-file field: the fleet's tables encrypt with a KMS key of their own; set server_side_encryption { enabled = true, kms_key_arn = <key> } (and kms_key_arn on every replica) on a table of your own",
  appliesTo: ['aws_dynamodb_table'],
  evaluate(table) {
    const sse = block(table.attributes.server_side_encryption);
    if (!isTrue(sse?.enabled))
      return violation(
        'server_side_encryption.enabled is not true: an AWS-owned key encrypts the table',
      );
    if (!isCustomerKey(sse?.kms_key_arn))
      return violation('no customer-managed kms_key_arn: the AWS-managed key encrypts the table');
    const plain = blocks(table.attributes.replica)
      .filter((replica) => !isCustomerKey(replica.kms_key_arn))
      .map((replica) => String(replica.region_name));
    if (plain.length > 0) return violation(`replicas without kms_key_arn: ${plain.join(', ')}`);
    return COMPLIANT;
  },
};

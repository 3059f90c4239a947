import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block, blocks, isSet, isTrue } from '../support/terraform';

/** The AWS-managed key of DynamoDB, which is not customer-managed. */
function isCustomerKey(arn: unknown): boolean {
  return isSet(arn) && !arn.endsWith('alias/aws/dynamodb');
}

/**
 * GR-ENC-04: DynamoDB tables, and each replica, Amazon Keyspaces tables and
 * Aurora DSQL and DocumentDB clusters are encrypted with a customer-managed KMS key (a DSQL
 * cluster without `kms_encryption_key`, or with `AWS_OWNED_KMS_KEY`, uses a
 * key AWS owns). A Keyspaces table without
 * `encryption_specification` (or of type `AWS_OWNED_KMS_KEY`) uses a key AWS
 * owns. Per the provider doc, `enabled = false` (the
 * default) means an AWS-*owned* key, and `enabled = true` without
 * `kms_key_arn` the AWS-managed `alias/aws/dynamodb`.
 * @see Checkov CKV_AWS_119, CKV_AWS_271, Trivy AWS-0025
 */
export const dynamodbCustomerManagedKey: GuardrailRule = {
  id: 'GR-ENC-04',
  level: 'error',
  summary:
    'DynamoDB tables and their replicas, Amazon Keyspaces tables, Aurora DSQL and DocumentDB clusters are encrypted with a customer-managed KMS key',
  fix: 'no environment-file field: the fleet\'s tables encrypt with a KMS key of their own; set server_side_encryption { enabled = true, kms_key_arn = <key> } (and kms_key_arn on every replica) on a DynamoDB table of your own, encryption_specification { type = "CUSTOMER_MANAGED_KMS_KEY", kms_key_identifier = <key> } on a Keyspaces table, kms_encryption_key = <key ARN> on a DSQL cluster',
  appliesTo: ['aws_dynamodb_table', 'aws_keyspaces_table', 'aws_dsql_cluster', 'aws_docdb_cluster'],
  evaluate(table) {
    if (table.type === 'aws_docdb_cluster') {
      if (!isTrue(table.attributes.storage_encrypted))
        return violation('storage_encrypted is not true: the cluster is not encrypted at rest');
      return isSet(table.attributes.kms_key_id)
        ? COMPLIANT
        : violation('no kms_key_id: the AWS-managed key alias/aws/rds encrypts the cluster');
    }
    if (table.type === 'aws_dsql_cluster') {
      const key = table.attributes.kms_encryption_key;
      return isSet(key) && key !== 'AWS_OWNED_KMS_KEY'
        ? COMPLIANT
        : violation(
            'no customer-managed kms_encryption_key: an AWS-owned key encrypts the cluster',
          );
    }
    if (table.type === 'aws_keyspaces_table') {
      const spec = block(table.attributes.encryption_specification);
      if (spec?.type !== 'CUSTOMER_MANAGED_KMS_KEY')
        return violation(
          `encryption_specification.type is ${String(spec?.type ?? 'unset')}: an AWS-owned key encrypts the table`,
        );
      if (!isSet(spec.kms_key_identifier))
        return violation('no encryption_specification.kms_key_identifier');
      return COMPLIANT;
    }
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

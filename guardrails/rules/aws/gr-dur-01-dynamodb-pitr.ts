import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block, blocks, isTrue } from '../support/terraform';

/**
 * GR-DUR-01: DynamoDB tables, and each replica, and Amazon Keyspaces tables
 * keep point-in-time recovery (35 days of restorable history). Both
 * services' default is off.
 * @see Checkov CKV_AWS_28, CKV_AWS_165, Trivy AWS-0024, cdk-nag AwsSolutions-DDB3
 * @see https://docs.aws.amazon.com/keyspaces/latest/devguide/PointInTimeRecovery.html
 */
export const dynamodbPointInTimeRecovery: GuardrailRule = {
  id: 'GR-DUR-01',
  level: 'error',
  summary:
    'DynamoDB tables and their replicas, and Amazon Keyspaces tables, have point-in-time recovery',
  fix: 'no environment-file field: the fleet turns point-in-time recovery on for every table it builds; set point_in_time_recovery { enabled = true } (and on every replica) on a DynamoDB table of your own, point_in_time_recovery { status = "ENABLED" } on a Keyspaces table',
  appliesTo: ['aws_dynamodb_table', 'aws_keyspaces_table'],
  evaluate(table) {
    if (table.type === 'aws_keyspaces_table') {
      const status = block(table.attributes.point_in_time_recovery)?.status;
      return status === 'ENABLED'
        ? COMPLIANT
        : violation(`point_in_time_recovery.status is ${String(status ?? 'unset')}, not ENABLED`);
    }
    if (!isTrue(block(table.attributes.point_in_time_recovery)?.enabled))
      return violation('point_in_time_recovery.enabled is not true');
    const without = blocks(table.attributes.replica)
      .filter((replica) => !isTrue(replica.point_in_time_recovery))
      .map((replica) => String(replica.region_name));
    if (without.length > 0)
      return violation(`replicas without point-in-time recovery: ${without.join(', ')}`);
    return COMPLIANT;
  },
};

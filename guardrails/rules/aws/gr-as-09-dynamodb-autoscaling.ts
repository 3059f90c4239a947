import { COMPLIANT, GuardrailRule, ResourceView, violation } from '../../engine/types';

/** Whether an autoscaling target's `resource_id` names the table, by name or by reference. */
function targetsTable(target: ResourceView, table: ResourceView): boolean {
  const id: unknown = target.attributes.resource_id;
  if (typeof id !== 'string') return false;
  return (
    id === `table/${table.attributes.name}` ||
    (target.stack === table.stack &&
      (id === `table/\${${table.address}.name}` || id === `table/\${${table.address}.id}`))
  );
}

/**
 * GR-AS-09: DynamoDB tables with provisioned capacity (the provider's default
 * billing mode) have Application Auto Scaling targets for read and write
 * capacity in scope, so fleet bursts do not throttle. A warning: fixed
 * capacity is a legitimate cost cap for a steady load, and on-demand tables
 * need no scaling at all.
 * @see Checkov CKV2_AWS_16
 */
export const dynamodbAutoscaling: GuardrailRule = {
  id: 'GR-AS-09',
  level: 'warning',
  summary: 'Provisioned DynamoDB tables have read and write auto scaling',
  fix: "no environment-file field: the fleet's tables are on demand, or provisioned with read and write auto scaling when `agents.<agent>.state.capacity` is set; a table of your own needs billing_mode PAY_PER_REQUEST or aws_appautoscaling_target for read and write capacity",
  appliesTo: ['aws_dynamodb_table'],
  evaluate(table, scope) {
    if ((table.attributes.billing_mode ?? 'PROVISIONED') !== 'PROVISIONED') return 'not-applicable';
    const dimensions = scope
      .ofType('aws_appautoscaling_target')
      .filter((target) => target.attributes.service_namespace === 'dynamodb')
      .filter((target) => targetsTable(target, table))
      .map((target) => String(target.attributes.scalable_dimension));
    const missing = ['ReadCapacityUnits', 'WriteCapacityUnits'].filter(
      (unit) => !dimensions.includes(`dynamodb:table:${unit}`),
    );
    if (missing.length === 0) return COMPLIANT;
    return violation(`no auto scaling of ${missing.join(' and ')}`);
  },
};

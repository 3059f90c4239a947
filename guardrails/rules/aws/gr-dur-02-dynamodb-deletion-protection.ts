import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { isTrue, preventsDestroy } from '../support/terraform';

/**
 * GR-DUR-02: DynamoDB tables and Aurora DSQL clusters are protected against deletion twice: by the
 * service (`deletion_protection_enabled`, off by default) against any API
 * caller, and by Terraform (`lifecycle.prevent_destroy`) against a plan that
 * would destroy or replace them. Neither helps once the resource block is
 * deleted from the code, hence both.
 * @see provider doc `deletion_protection_enabled` (default false); custom (no Checkov rule found)
 */
export const dynamodbDeletionProtection: GuardrailRule = {
  id: 'GR-DUR-02',
  level: 'error',
  summary:
    'DynamoDB tables and Aurora DSQL clusters have deletion protection and lifecycle.prevent_destroy',
  fix: 'no environment-file field: the fleet builds every table and DSQL cluster with deletion protection and prevent_destroy; set deletion_protection_enabled = true and lifecycle { prevent_destroy = true } on one of your own',
  appliesTo: ['aws_dynamodb_table', 'aws_dsql_cluster'],
  evaluate(table) {
    const problems: string[] = [];
    if (!isTrue(table.attributes.deletion_protection_enabled))
      problems.push('deletion_protection_enabled is not true');
    if (!preventsDestroy(table)) problems.push('no lifecycle.prevent_destroy');
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

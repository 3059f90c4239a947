import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { isTrue, preventsDestroy } from '../support/terraform';

/**
 * GR-DUR-02: DynamoDB tables, Aurora DSQL clusters and Amazon DocumentDB clusters are protected against deletion twice: by the
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
    'DynamoDB tables, Aurora DSQL and DocumentDB clusters have deletion protection and lifecycle.prevent_destroy',
  fix: 'no environment-file field: the fleet builds every table and DSQL cluster with deletion protection and prevent_destroy; set deletion_protection_enabled = true and lifecycle { prevent_destroy = true } on one of your own',
  appliesTo: ['aws_dynamodb_table', 'aws_dsql_cluster', 'aws_docdb_cluster'],
  evaluate(table) {
    const problems: string[] = [];
    // DocumentDB names the setting `deletion_protection`.
    const setting =
      table.type === 'aws_docdb_cluster' ? 'deletion_protection' : 'deletion_protection_enabled';
    if (!isTrue(table.attributes[setting])) problems.push(`${setting} is not true`);
    if (!preventsDestroy(table)) problems.push('no lifecycle.prevent_destroy');
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

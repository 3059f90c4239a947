import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../../engine/types';
import { preventsDestroy, referrersOf } from '../support/terraform';

/**
 * Resources a KMS key may serve without holding data whose loss matters: an
 * EKS control plane and its logs are rebuilt from code, and an alias is a name.
 */
const REPLACEABLE_CONSUMERS = ['aws_eks_cluster', 'aws_cloudwatch_log_group', 'aws_kms_alias'];

/**
 * Whether a key serves only replaceable consumers in its stack: it encrypts
 * nothing whose loss loses data, so protecting it alone would only block
 * tearing down its cluster (whose key cannot be changed in place anyway).
 */
function servesReplaceablesOnly(key: ResourceView, scope: RuleScope): boolean {
  const consumers = referrersOf(key, scope).filter((r) => r !== key);
  const users = consumers.filter((r) => r.type !== 'aws_kms_alias');
  return users.length > 0 && users.every((r) => REPLACEABLE_CONSUMERS.includes(r.type));
}

/** Azure types whose deletion loses data or keys. */
const AZURE_STATEFUL = [
  'azurerm_cosmosdb_account',
  'azurerm_cosmosdb_sql_database',
  'azurerm_cosmosdb_sql_container',
  'azurerm_eventhub_namespace',
  'azurerm_eventhub',
  'azurerm_servicebus_namespace',
  'azurerm_servicebus_queue',
  'azurerm_key_vault',
  'azurerm_key_vault_key',
];

/**
 * GR-DUR-09: stateful resources state `lifecycle.prevent_destroy`, so a plan
 * that would destroy or replace them fails. On AWS: MSK clusters, Amazon MQ
 * brokers, DynamoDB tables, Amazon Keyspaces keyspaces and tables, Aurora DSQL
 * and DocumentDB clusters, and the KMS keys that encrypt data (losing a key
 * loses what it encrypts); keys that only an EKS cluster and its log group use
 * are exempt, since the cluster holds no data of record. On Azure: Cosmos DB
 * accounts, databases and containers, Event Hubs and Service Bus namespaces
 * with their hubs and queues, Key Vaults and their keys. It does not protect
 * once the resource block itself is deleted from the code.
 * @see https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#prevent_destroy
 */
export const preventDestroy: GuardrailRule = {
  id: 'GR-DUR-09',
  level: 'error',
  summary:
    'Stateful resources (MSK, Amazon MQ, DynamoDB, Keyspaces, Aurora DSQL, DocumentDB, data KMS keys; Cosmos DB, Event Hubs, Service Bus, Key Vault) have lifecycle.prevent_destroy',
  fix: 'no environment-file field: the fleet sets lifecycle { prevent_destroy = true } on every stateful resource it builds; set it on a resource of your own',
  appliesTo: [
    'aws_msk_cluster',
    'aws_mq_broker',
    'aws_dynamodb_table',
    'aws_keyspaces_keyspace',
    'aws_keyspaces_table',
    'aws_dsql_cluster',
    'aws_docdb_cluster',
    'aws_kms_key',
    ...AZURE_STATEFUL,
  ],
  evaluate(resource, scope) {
    if (resource.type === 'aws_kms_key' && servesReplaceablesOnly(resource, scope))
      return 'not-applicable';
    return preventsDestroy(resource) ? COMPLIANT : violation('no lifecycle.prevent_destroy');
  },
};

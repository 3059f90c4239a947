import { COMPLIANT, GuardrailRule, violation } from '../types';

/**
 * GR-DUR-09 (Azure): resources whose deletion loses data or keys carry
 * `lifecycle.prevent_destroy`, so a plan that would delete or replace them
 * fails: Cosmos DB accounts, SQL databases and containers; Event Hubs and
 * Service Bus namespaces with their event hubs and queues; Key Vaults and
 * their keys. It does not protect a resource whose block is removed from the
 * configuration.
 * @see https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#prevent_destroy
 */
export const azurePreventDestroy: GuardrailRule = {
  id: 'GR-DUR-09',
  level: 'error',
  summary:
    'Azure stateful resources (Cosmos DB, Event Hubs, Service Bus, Key Vault) have prevent_destroy',
  fix: 'set lifecycle { prevent_destroy = true } on the resource',
  appliesTo: [
    'azurerm_cosmosdb_account',
    'azurerm_cosmosdb_sql_database',
    'azurerm_cosmosdb_sql_container',
    'azurerm_eventhub_namespace',
    'azurerm_eventhub',
    'azurerm_servicebus_namespace',
    'azurerm_servicebus_queue',
    'azurerm_key_vault',
    'azurerm_key_vault_key',
  ],
  evaluate(resource) {
    if (resource.attributes.lifecycle?.prevent_destroy === true) return COMPLIANT;
    return violation('no lifecycle.prevent_destroy');
  },
};

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';

/** Per type: each attribute and the value identity-only access needs (every default is the opposite). */
const REQUIRED: Readonly<Record<string, Readonly<Record<string, boolean>>>> = {
  azurerm_cosmosdb_account: {
    local_authentication_disabled: true,
    access_key_metadata_writes_enabled: false,
  },
  azurerm_servicebus_namespace: { local_auth_enabled: false },
  azurerm_eventhub_namespace: { local_authentication_enabled: false },
};

/**
 * GR-IAM-06: data access is identity-based only, so no account key, SAS key or
 * connection string exists to leak: Cosmos DB accounts disable key
 * authentication (`local_authentication_disabled`) and refuse metadata writes
 * with keys (`access_key_metadata_writes_enabled = false`); Service Bus
 * (`local_auth_enabled`) and Event Hubs (`local_authentication_enabled`)
 * namespaces disable SAS authentication.
 * @see Checkov CKV_AZURE_140, CKV_AZURE_132; Azure Verified Modules defaults
 * @see https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac#disable-local-auth
 * @see https://learn.microsoft.com/azure/service-bus-messaging/disable-local-authentication
 * @see https://learn.microsoft.com/azure/event-hubs/disable-local-authentication
 */
export const azureLocalAuthDisabled: GuardrailRule = {
  id: 'GR-IAM-06',
  level: 'error',
  summary:
    'Cosmos DB, Service Bus and Event Hubs accept Microsoft Entra identities only, no keys or SAS',
  fix: 'no environment-file field: the fleet turns key and SAS authentication off and grants roles to identities; do the same on a Cosmos DB, Service Bus or Event Hubs resource of your own',
  appliesTo: Object.keys(REQUIRED),
  evaluate(resource) {
    const wrong = Object.entries(REQUIRED[resource.type] ?? {})
      .filter(([attribute, value]) => resource.attributes[attribute] !== value)
      .map(([attribute, value]) => {
        const actual = resource.attributes[attribute];
        return `${attribute} is ${actual === undefined ? `not set (default ${!value})` : JSON.stringify(actual)}`;
      });
    return wrong.length === 0 ? COMPLIANT : violation(wrong.join('; '));
  },
};

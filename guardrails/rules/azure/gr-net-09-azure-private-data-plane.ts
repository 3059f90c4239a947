import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block } from '../support/terraform';

/**
 * GR-NET-09: the data planes of Cosmos DB accounts, Event Hubs and Service Bus
 * namespaces are reached only through private endpoints
 * (`public_network_access_enabled = false`; every provider default is on); a
 * Key Vault either turns public access off or denies by default in its
 * `network_acls`.
 *
 * Private endpoints are Premium-only on Service Bus, and Event Hubs Basic has
 * none: such a namespace cannot close its public endpoint and stay usable, so
 * the check does not apply to it (the fleet's Standard Service Bus option, see
 * `ServiceBusSku`, relies on Entra-only authentication, GR-IAM-06, and TLS 1.2,
 * GR-ENC-11, instead). Choosing Premium brings it back under the rule.
 * @see Checkov CKV_AZURE_101 (Cosmos), CKV_AZURE_189 and CKV_AZURE_109 (Key Vault), CKV2_AZURE_32
 * @see https://learn.microsoft.com/azure/service-bus-messaging/private-link-service
 * @see https://learn.microsoft.com/azure/event-hubs/private-link-service
 */
export const azurePrivateDataPlane: GuardrailRule = {
  id: 'GR-NET-09',
  level: 'error',
  summary:
    'Cosmos DB, Event Hubs and Service Bus turn public network access off; Key Vaults deny it',
  fix: 'no environment-file field: the fleet turns public network access off and reaches each service through a private endpoint; do the same on a resource of your own',
  appliesTo: [
    'azurerm_cosmosdb_account',
    'azurerm_eventhub_namespace',
    'azurerm_servicebus_namespace',
    'azurerm_key_vault',
  ],
  evaluate(resource) {
    const attributes = resource.attributes;
    if (attributes.public_network_access_enabled === false) return COMPLIANT;
    const sku = String(attributes.sku ?? '');
    if (resource.type === 'azurerm_servicebus_namespace' && sku !== 'Premium') {
      return 'not-applicable';
    }
    if (resource.type === 'azurerm_eventhub_namespace' && sku === 'Basic') return 'not-applicable';
    if (resource.type === 'azurerm_key_vault') {
      if (block(attributes.network_acls)?.default_action === 'Deny') return COMPLIANT;
      return violation('public network access on, network_acls do not deny by default');
    }
    return violation(
      attributes.public_network_access_enabled === undefined
        ? 'public_network_access_enabled not set (on by default)'
        : 'public network access on',
    );
  },
};

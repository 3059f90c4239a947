import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';

/**
 * GR-ENC-10: Cosmos DB accounts encrypt at rest with a customer-managed key
 * (`key_vault_key_id`). Cosmos DB always encrypts with a service-managed key;
 * a CMK adds key control (revocation, rotation on the fleet's terms) at the
 * cost of a Key Vault with purge protection and an identity on it, which the
 * fleet does not run yet. Hence a warning: the account is encrypted either
 * way, and the key can only be set when the account is created.
 * @see Checkov CKV_AZURE_100
 * @see https://learn.microsoft.com/azure/cosmos-db/how-to-setup-customer-managed-keys
 */
export const cosmosCustomerManagedKey: GuardrailRule = {
  id: 'GR-ENC-10',
  level: 'warning',
  summary: 'Cosmos DB accounts are encrypted with a customer-managed Key Vault key',
  fix: "no environment-file field: the fleet's Cosmos DB accounts use a service-managed key, which only a key_vault_key_id set at creation replaces; suppress the finding with a written reason in `suppressions`",
  appliesTo: ['azurerm_cosmosdb_account'],
  evaluate(account) {
    const key = account.attributes.key_vault_key_id;
    if (typeof key === 'string' && key !== '') return COMPLIANT;
    return violation('service-managed key only');
  },
};

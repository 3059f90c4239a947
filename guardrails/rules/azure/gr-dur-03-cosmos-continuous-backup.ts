import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block } from '../support/terraform';

/**
 * GR-DUR-03: Cosmos DB accounts use continuous backup (`backup.type =
 * "Continuous"`), which gives point-in-time restore; the provider's default is
 * periodic backup, restorable only through a support request. The tier
 * (`Continuous7Days` or `Continuous30Days`, the latter for production) is the
 * environment's choice and not checked. Moving from periodic to continuous is
 * one-way.
 * @see azurerm cosmosdb_account docs (Periodic default); Azure Verified Modules default Continuous30Days
 * @see https://learn.microsoft.com/azure/cosmos-db/continuous-backup-restore-introduction
 */
export const cosmosContinuousBackup: GuardrailRule = {
  id: 'GR-DUR-03',
  level: 'error',
  summary: 'Cosmos DB accounts use continuous backup (point-in-time restore)',
  fix: 'no environment-file field: the fleet\'s Cosmos DB accounts use continuous backup; set backup { type = "Continuous", tier = "Continuous30Days" } on an account of your own',
  appliesTo: ['azurerm_cosmosdb_account'],
  evaluate(account) {
    const backup = block(account.attributes.backup);
    if (backup?.type === 'Continuous') return COMPLIANT;
    return violation(
      backup?.type === undefined
        ? 'no backup type (Periodic by default)'
        : `backup type ${backup.type}`,
    );
  },
};

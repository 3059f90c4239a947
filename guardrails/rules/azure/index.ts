import { GuardrailRule } from '../../engine/types';
import { cosmosContinuousBackup } from './gr-dur-03-cosmos-continuous-backup';
import { aksHostEncryption } from './gr-enc-08-aks-host-encryption';
import { vmssEncryptionAtHost } from './gr-enc-09-vmss-encryption-at-host';
import { cosmosCustomerManagedKey } from './gr-enc-10-cosmos-cmk';
import { messagingMinimumTls } from './gr-enc-11-messaging-min-tls';
import { azureCustomDataSecrets } from './gr-iam-02-azure-custom-data-secrets';
import { aksWorkloadIdentity } from './gr-iam-03-aks-workload-identity';
import { aksEntraRbac } from './gr-iam-05-aks-entra-rbac';
import { azureLocalAuthDisabled } from './gr-iam-06-azure-local-auth';
import { vmssSshOnly } from './gr-iam-07-vmss-ssh-only';
import { roleAssignmentScope } from './gr-iam-10-role-assignment-scope';
import { aksPrivateApiServer } from './gr-net-07-aks-private-api';
import { aksNetworkPolicy } from './gr-net-08-aks-network-policy';
import { azurePrivateDataPlane } from './gr-net-09-azure-private-data-plane';

/**
 * The guardrails over azurerm resources, in id order. GR-DUR-10 (Event Hubs
 * zone redundancy) has no rule: azurerm 4.x removed `zone_redundant` from
 * `azurerm_eventhub_namespace`, so nothing in the configuration says it;
 * Azure makes namespaces zone redundant in regions with availability zones.
 */
export const AZURE_RULES: readonly GuardrailRule[] = [
  aksHostEncryption,
  vmssEncryptionAtHost,
  cosmosCustomerManagedKey,
  messagingMinimumTls,
  aksPrivateApiServer,
  aksNetworkPolicy,
  azurePrivateDataPlane,
  azureCustomDataSecrets,
  aksWorkloadIdentity,
  aksEntraRbac,
  azureLocalAuthDisabled,
  vmssSshOnly,
  roleAssignmentScope,
  cosmosContinuousBackup,
].sort((a, b) => a.id.localeCompare(b.id));

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block } from '../support/terraform';

/**
 * GR-ENC-08: every AKS node pool encrypts at the host: the cluster's default
 * (system) pool and each `azurerm_kubernetes_cluster_node_pool` set
 * `host_encryption_enabled = true`, so temp disks, OS and data disk caches are
 * encrypted too (the disks themselves always are, with platform-managed keys).
 *
 * The catalogue's other half, `disk_encryption_set_id` (node disks under a
 * customer-managed key), is not asserted here: it changes who holds the key,
 * not whether the data is encrypted, and needs a Key Vault and a disk
 * encryption set the fleet does not run yet (`AksClusterProps.diskEncryptionSetId`
 * takes one). Asking for it would fail every cluster at error level; it belongs
 * to a warning-level CMK rule of its own, like GR-ENC-10 for Cosmos.
 * @see Checkov CKV_AZURE_227 (host encryption), CKV_AZURE_117 (disk encryption set), Trivy AZU-0067
 * @see https://learn.microsoft.com/azure/aks/enable-host-encryption
 */
export const aksHostEncryption: GuardrailRule = {
  id: 'GR-ENC-08',
  level: 'error',
  summary: 'Every AKS node pool (default and user pools) has encryption at host enabled',
  fix: 'no environment-file field: the fleet turns encryption at host on for every AKS node pool; set host_encryption_enabled = true on a pool of your own (default_node_pool for the system pool)',
  appliesTo: ['azurerm_kubernetes_cluster', 'azurerm_kubernetes_cluster_node_pool'],
  evaluate(resource) {
    if (resource.type === 'azurerm_kubernetes_cluster') {
      const pool = block(resource.attributes.default_node_pool);
      if (pool?.host_encryption_enabled === true) return COMPLIANT;
      return violation(`default node pool '${pool?.name ?? '?'}' without host encryption`);
    }
    if (resource.attributes.host_encryption_enabled === true) return COMPLIANT;
    return violation(`node pool '${resource.attributes.name ?? '?'}' without host encryption`);
  },
};

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block } from '../support/terraform';

/**
 * GR-IAM-05: AKS access goes through Microsoft Entra ID only: Kubernetes RBAC
 * on (`role_based_access_control_enabled`, on unless set false), Entra
 * integration with Azure RBAC authorizing Kubernetes requests
 * (`azure_active_directory_role_based_access_control.azure_rbac_enabled`), and
 * the local admin account, whose static credential bypasses Entra, disabled
 * (`local_account_disabled`).
 * @see Checkov CKV_AZURE_5, CKV_AZURE_141; Trivy AZU-0042
 * @see https://learn.microsoft.com/azure/aks/manage-azure-rbac
 * @see https://learn.microsoft.com/azure/aks/manage-local-accounts-managed-azure-ad
 */
export const aksEntraRbac: GuardrailRule = {
  id: 'GR-IAM-05',
  level: 'error',
  summary: 'AKS clusters authorize through Entra ID and Azure RBAC, with local accounts disabled',
  fix: "no environment-file field: the fleet's AKS clusters authorize through Entra ID and Azure RBAC with local accounts off; set azure_active_directory_role_based_access_control with azure_rbac_enabled = true and local_account_disabled = true on a cluster of your own",
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate(cluster) {
    const attributes = cluster.attributes;
    const problems: string[] = [];
    if (attributes.role_based_access_control_enabled === false) {
      problems.push('Kubernetes RBAC disabled');
    }
    const entra = block(attributes.azure_active_directory_role_based_access_control);
    if (!entra) problems.push('no Entra ID integration');
    else if (entra.azure_rbac_enabled !== true) problems.push('Azure RBAC not enabled');
    if (attributes.local_account_disabled !== true) problems.push('local accounts enabled');
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';

/**
 * GR-IAM-03 (AKS): pods reach Azure through Microsoft Entra Workload ID, so no
 * long-lived key sits in a Secret: the cluster runs the OIDC issuer
 * (`oidc_issuer_enabled`) that federated credentials trust, and the workload
 * identity webhook (`workload_identity_enabled`). Both default to off.
 * @see azurerm kubernetes_cluster docs (both default false); terraform-aws-eks `enable_irsa` for the EKS side
 * @see https://learn.microsoft.com/azure/aks/workload-identity-overview
 */
export const aksWorkloadIdentity: GuardrailRule = {
  id: 'GR-IAM-03',
  level: 'error',
  summary: 'AKS clusters run the OIDC issuer and Microsoft Entra Workload ID',
  fix: "no environment-file field: the fleet's AKS clusters run the OIDC issuer and workload identity; set oidc_issuer_enabled = true and workload_identity_enabled = true on a cluster of your own",
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate(cluster) {
    const missing = ['oidc_issuer_enabled', 'workload_identity_enabled'].filter(
      (attribute) => cluster.attributes[attribute] !== true,
    );
    if (missing.length === 0) return COMPLIANT;
    return violation(`${missing.join(' and ')} not true`);
  },
};

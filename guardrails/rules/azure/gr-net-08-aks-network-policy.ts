import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block } from '../support/terraform';

/**
 * GR-NET-08: an AKS cluster runs a network policy engine
 * (`network_profile.network_policy`: `cilium`, `calico` or `azure`). Without
 * one, Kubernetes NetworkPolicies are accepted by the API and silently not
 * enforced, so GR-NET-10's east-west isolation would be on paper only. The
 * engine can only be chosen when the cluster is created.
 * @see Checkov CKV_AZURE_7, Trivy AZU-0043
 * @see https://learn.microsoft.com/azure/aks/use-network-policies
 */
export const aksNetworkPolicy: GuardrailRule = {
  id: 'GR-NET-08',
  level: 'error',
  summary: 'AKS clusters enforce Kubernetes NetworkPolicies (network_profile.network_policy set)',
  fix: "no environment-file field: the fleet's AKS clusters enforce network policy with Cilium; set network_profile.network_policy (cilium with the Cilium dataplane, or calico/azure) on a cluster of your own",
  appliesTo: ['azurerm_kubernetes_cluster'],
  evaluate(cluster) {
    const profile = block(cluster.attributes.network_profile);
    if (!profile) return violation('no network_profile: kubenet without a network policy engine');
    const policy = profile.network_policy;
    if (typeof policy === 'string' && policy !== '' && policy.toLowerCase() !== 'none') {
      return COMPLIANT;
    }
    return violation('network_profile.network_policy not set');
  },
};

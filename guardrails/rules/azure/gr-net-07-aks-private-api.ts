import { publicExposure } from '../../../model/cidr';
import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block } from '../support/terraform';

/** What is wrong with a cluster's API server exposure, if anything. */
function apiServerProblem(cluster: Readonly<Record<string, any>>): string | undefined {
  if (cluster.private_cluster_enabled === true) return undefined;
  const ranges: unknown[] = block(cluster.api_server_access_profile)?.authorized_ip_ranges ?? [];
  if (ranges.length === 0) return 'public API server without authorized IP ranges';
  const exposure = publicExposure(ranges.map(String));
  return exposure && `authorized IP ranges open to the Internet: ${exposure}`;
}

/**
 * GR-NET-07: an AKS API server is private (`private_cluster_enabled`), or
 * public only to `api_server_access_profile.authorized_ip_ranges` that
 * together cover no more than a /8 of public addresses (no `/0`, nor a split
 * of it); and no node pool (the default one nor any
 * `azurerm_kubernetes_cluster_node_pool`) gives its nodes public IPs
 * (`node_public_ip_enabled`). The AKS counterpart of GR-NET-01.
 * @see Checkov CKV_AZURE_115, CKV_AZURE_6, CKV_AZURE_143; Trivy AZU-0041, AZU-0065
 * @see https://learn.microsoft.com/azure/aks/private-clusters
 * @see https://learn.microsoft.com/azure/aks/api-server-authorized-ip-ranges
 */
export const aksPrivateApiServer: GuardrailRule = {
  id: 'GR-NET-07',
  level: 'error',
  summary:
    'AKS API servers are private or limited to authorized ranges (no /0), and nodes have no public IPs',
  fix: 'list in `sites.<site>.cluster.authorizedIpRanges` only ranges that together cover no more than a /8 of public addresses, or none for a private API server; node pools of your own need node_public_ip_enabled = false',
  appliesTo: ['azurerm_kubernetes_cluster', 'azurerm_kubernetes_cluster_node_pool'],
  evaluate(resource) {
    const attributes = resource.attributes;
    if (resource.type === 'azurerm_kubernetes_cluster_node_pool') {
      if (attributes.node_public_ip_enabled !== true) return COMPLIANT;
      return violation(`node pool '${attributes.name ?? '?'}' gives its nodes public IPs`);
    }
    const problems: string[] = [];
    const api = apiServerProblem(attributes);
    if (api) problems.push(api);
    const pool = block(attributes.default_node_pool);
    if (pool?.node_public_ip_enabled === true) {
      problems.push(`default node pool '${pool.name ?? '?'}' gives its nodes public IPs`);
    }
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

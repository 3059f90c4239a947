import { DataAzurermKubernetesCluster } from '@cdktf/provider-azurerm/lib/data-azurerm-kubernetes-cluster';
import { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';
import { ClusterAccess } from '../../model';

/**
 * Application id of the Microsoft Entra server application of every AKS cluster
 * with Entra ID integration ("Azure Kubernetes Service AAD Server"): the audience of
 * the tokens the API server accepts.
 * @see https://azure.github.io/kubelogin/concepts/aks.html
 */
export const AKS_AAD_SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

/** Props of {@link aksClusterAccess}. */
export interface AksClusterAccessProps {
  /** Name of the AKS cluster. */
  readonly clusterName: string;
  /** Resource group of the AKS cluster. */
  readonly resourceGroupName: string;
  /**
   * The azurerm provider that reads the cluster.
   * @default - the stack's default azurerm provider, which the stack must declare
   */
  readonly provider?: TerraformProvider;
  /**
   * Construct id of the data source, for a second cluster in one stack.
   * @default 'AksCluster'
   */
  readonly id?: string;
}

/**
 * How the Kubernetes and Helm providers of a later stack reach an AKS cluster built
 * by {@link AksCluster} (local accounts disabled, Entra ID with Azure RBAC):
 * - the API server's address and CA from a `data "azurerm_kubernetes_cluster"`
 *   declared in `scope`, read at plan time;
 * - a token from `kubelogin get-token --login azurecli --server-id <AKS server id>`,
 *   run by the providers. The Azure CLI login is the one Terraform's azurerm
 *   provider also uses: `az login` on a workstation, and in CI the OIDC federated
 *   login of `azure/login`, which the CLI keeps. (`--login workloadidentity` would
 *   read the federated token file instead, which only some CI systems provide.)
 *
 * Nothing secret is written to the synthesized output: only references to the data
 * source's host and CA, and a command. The identity that runs Terraform needs
 * "Azure Kubernetes Service Cluster User Role" on the cluster (the data source
 * lists the user credentials) and Kubernetes rights through Azure RBAC or an admin
 * group; `kubelogin` and `az` must be on its PATH. A private cluster's address
 * resolves and answers only inside its VNet (or a peered one), so the stacks of a
 * private cluster run from there.
 * @see https://learn.microsoft.com/azure/aks/kubelogin-authentication
 * @see https://azure.github.io/kubelogin/concepts/login-modes/azurecli.html
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/4.55.0/docs/data-sources/kubernetes_cluster
 */
export function aksClusterAccess(scope: Construct, props: AksClusterAccessProps): ClusterAccess {
  const cluster = new DataAzurermKubernetesCluster(scope, props.id ?? 'AksCluster', {
    name: props.clusterName,
    resourceGroupName: props.resourceGroupName,
    provider: props.provider,
  });
  const kubeConfig = cluster.kubeConfig.get(0);
  return {
    host: kubeConfig.host,
    clusterCaCertificate: kubeConfig.clusterCaCertificate,
    exec: {
      command: 'kubelogin',
      args: ['get-token', '--login', 'azurecli', '--server-id', AKS_AAD_SERVER_ID],
    },
  };
}

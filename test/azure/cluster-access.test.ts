import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn } from 'cdktf';
import { AKS_AAD_SERVER_ID, aksClusterAccess } from '../../constructs/azure/cluster-access';
import { azureProvider } from '../../constructs/azure/provider';
import { ClusterAccess } from '../../model';
import { Synthesized } from '../support/synthesized';
import { SUBSCRIPTION_ID, synthAzure, TENANT_ID } from './support';

const CLUSTER = { clusterName: 'prod-weu', resourceGroupName: 'prod-weu-rg' };

/** Synthesizes a later stack whose Kubernetes provider uses the access. */
function synthAccess(build: (stack: any) => ClusterAccess): {
  json: Synthesized;
  access: ClusterAccess;
} {
  let access: ClusterAccess | undefined;
  const json = synthAzure((stack) => {
    access = build(stack);
    new KubernetesProvider(stack, 'kubernetes', {
      host: access.host,
      clusterCaCertificate: Fn.base64decode(access.clusterCaCertificate),
      exec: [
        {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          ...access.exec,
          args: [...access.exec.args],
        },
      ],
    });
  });
  return { json, access: access! };
}

describe('defaults of the AKS cluster access', () => {
  const { json, access } = synthAccess((stack) => aksClusterAccess(stack, CLUSTER));

  it('reads the cluster through a data source with the default azurerm provider', () => {
    const data = json.data.azurerm_kubernetes_cluster;
    expect(Object.keys(data)).toHaveLength(1);
    expect(Object.values(data)[0]).toEqual({
      name: 'prod-weu',
      resource_group_name: 'prod-weu-rg',
    });
  });

  it('takes the host and CA from the data source', () => {
    const provider = json.provider.kubernetes[0];
    expect(provider.host).toMatch(
      /^\$\{data\.azurerm_kubernetes_cluster\.AksCluster\.kube_config\[0\]\.host\}$/,
    );
    expect(provider.cluster_ca_certificate).toBe(
      '${base64decode(data.azurerm_kubernetes_cluster.AksCluster.kube_config[0].cluster_ca_certificate)}',
    );
  });

  it('gets a token from kubelogin with the Azure CLI login, for the AKS server application', () => {
    expect(access.exec).toEqual({
      command: 'kubelogin',
      args: [
        'get-token',
        '--login',
        'azurecli',
        '--server-id',
        '6dae42f8-4368-4678-94ff-3960e28e3630',
      ],
    });
    expect(AKS_AAD_SERVER_ID).toBe('6dae42f8-4368-4678-94ff-3960e28e3630');
    expect(json.provider.kubernetes[0].exec).toEqual([
      {
        api_version: 'client.authentication.k8s.io/v1beta1',
        command: 'kubelogin',
        args: ['get-token', '--login', 'azurecli', '--server-id', AKS_AAD_SERVER_ID],
      },
    ]);
  });

  it('writes no credential to the output', () => {
    const text = JSON.stringify(json);
    for (const secret of [
      'kube_admin_config',
      'kube_config_raw',
      'client_key',
      'client_certificate',
      'password',
      '"token":',
      'client_secret',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('options', () => {
  it('uses the given provider and construct id', () => {
    const { json } = synthAccess((stack) => {
      const second = azureProvider(
        stack,
        { subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID, alias: 'sites' },
        'azurerm-sites',
      );
      return aksClusterAccess(stack, { ...CLUSTER, provider: second, id: 'SiteCluster' });
    });
    expect(json.data.azurerm_kubernetes_cluster.SiteCluster).toEqual({
      name: 'prod-weu',
      resource_group_name: 'prod-weu-rg',
      provider: 'azurerm.sites',
    });
    expect(json.provider.kubernetes[0].host).toMatch(/SiteCluster\.kube_config\[0\]\.host/);
  });
});

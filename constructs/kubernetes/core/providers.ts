import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { ClusterAccess, KubernetesSiteSpec, ValidationError } from '../../../model';

const EXEC_API_VERSION = 'client.authentication.k8s.io/v1beta1';

/** The connection settings both providers share, from an access or the kubeconfig. */
function connection(site: KubernetesSiteSpec, access?: ClusterAccess) {
  if (access) {
    return {
      host: access.host,
      clusterCaCertificate: Fn.base64decode(access.clusterCaCertificate),
      exec: {
        apiVersion: EXEC_API_VERSION,
        command: access.exec.command,
        args: [...access.exec.args],
      },
    };
  }
  if (!site.kubeconfig) {
    throw new ValidationError(`site '${site.name}'`, [
      {
        path: ['kubeconfig'],
        message: 'is required for a cluster the fleet does not build itself',
      },
    ]);
  }
  return { configPath: site.kubeconfig.path, configContext: site.kubeconfig.context };
}

/**
 * The Kubernetes provider of a site: from its kubeconfig path and context, or,
 * for a cluster the fleet builds, from its endpoint with a token command. No
 * credential is ever in the synthesized output.
 */
export function siteProvider(
  scope: Construct,
  site: KubernetesSiteSpec,
  access?: ClusterAccess,
): KubernetesProvider {
  const { exec, ...rest } = connection(site, access) as {
    exec?: { apiVersion: string; command: string; args: string[] };
  };
  // The Kubernetes provider takes exec as a list, the Helm provider as an object.
  return new KubernetesProvider(scope, 'kubernetes', {
    ...rest,
    ...(exec ? { exec: [exec] } : {}),
  });
}

/** The Helm provider of a site, configured like {@link siteProvider}. */
export function siteHelmProvider(
  scope: Construct,
  site: KubernetesSiteSpec,
  access?: ClusterAccess,
): HelmProvider {
  return new HelmProvider(scope, 'helm', { kubernetes: connection(site, access) });
}

import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Construct } from 'constructs';
import { KubernetesSiteSpec } from '../model';

/**
 * The Kubernetes provider of a site, from its kubeconfig path and context: the
 * credentials stay in the kubeconfig, never in the synthesized output.
 */
export function siteProvider(scope: Construct, site: KubernetesSiteSpec): KubernetesProvider {
  return new KubernetesProvider(scope, 'kubernetes', {
    configPath: site.kubeconfig.path,
    configContext: site.kubeconfig.context,
  });
}

/** The Helm provider of a site, configured like {@link siteProvider}. */
export function siteHelmProvider(scope: Construct, site: KubernetesSiteSpec): HelmProvider {
  return new HelmProvider(scope, 'helm', {
    kubernetes: { configPath: site.kubeconfig.path, configContext: site.kubeconfig.context },
  });
}

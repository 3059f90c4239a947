import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../../engine/types';
import { chartOf, helmValues, manifestOf } from './support';

/** The APIService every external-metrics adapter registers; Kubernetes admits one. */
const EXTERNAL_METRICS_API = 'v1beta1.external.metrics.k8s.io';

/** Charts that serve `external.metrics.k8s.io`, whatever their values. */
const ADAPTER_CHARTS = new Set([
  'keda',
  'prometheus-adapter',
  'kube-metrics-adapter',
  'k8s-cloudwatch-adapter',
  'azure-k8s-metrics-adapter',
  'custom-metrics-stackdriver-adapter',
  'newrelic-k8s-metrics-adapter',
]);

/** What serves external metrics on the site, if this resource does. */
function providerOf(resource: ResourceView): string | undefined {
  if (resource.type === 'helm_release') {
    const chart = chartOf(resource);
    if (ADAPTER_CHARTS.has(chart)) return `${chart} (helm release ${resource.attributes.name})`;
    // Datadog's cluster agent serves external metrics only when asked to.
    if (
      chart === 'datadog' &&
      helmValues(resource).clusterAgent?.metricsProvider?.enabled === true
    ) {
      return `datadog cluster agent (helm release ${resource.attributes.name})`;
    }
    return undefined;
  }
  const manifest = manifestOf(resource);
  if (manifest?.kind === 'APIService' && manifest.metadata?.name === EXTERNAL_METRICS_API) {
    return `APIService ${EXTERNAL_METRICS_API} (${resource.path})`;
  }
  return undefined;
}

function providers(scope: RuleScope): string[] {
  return [...scope.ofType('helm_release'), ...scope.ofType('kubernetes_manifest')]
    .map(providerOf)
    .filter((provider): provider is string => provider !== undefined);
}

/**
 * GR-FLEET-06: one external-metrics provider per cluster. Kubernetes routes
 * `external.metrics.k8s.io` to exactly one APIService: KEDA's metrics server,
 * prometheus-adapter and the cloud adapters each register
 * `v1beta1.external.metrics.k8s.io`, and the last one applied wins. Every
 * ScaledObject of the other then reads "no metric", its HPA shows
 * `<unknown>` and stops scaling, on every agent of the cluster at once. The
 * adapters come from different stacks (platform charts, monitoring), so only
 * a site-wide view sees the clash; each site here is one cluster.
 * @see https://keda.sh/docs/latest/operate/metrics-server/ (only one metrics server per cluster)
 * @see https://github.com/kedacore/keda/issues/470
 * @see https://github.com/kubernetes-sigs/prometheus-adapter
 */
export const oneMetricsProvider: GuardrailRule = {
  id: 'GR-FLEET-06',
  level: 'error',
  summary:
    'A site runs at most one external-metrics provider (KEDA, prometheus-adapter or a cloud adapter)',
  fix: "no environment-file field: the fleet installs KEDA as each site's only external-metrics provider; keep any other adapter out of the cluster and serve every external metric through KEDA",
  appliesTo: ['helm_release', 'kubernetes_manifest'],
  evaluate(resource, scope) {
    const mine = providerOf(resource);
    if (!mine) return 'not-applicable';
    const all = providers(scope);
    return all.length <= 1
      ? COMPLIANT
      : violation(`${all.length} external-metrics providers: ${all.join(', ')}`);
  },
};

import { clusterAutoscalerProblems } from '../constructs/kubernetes/platform/charts';
import {
  awsNodePoolProblems,
  AwsSiteSpec,
  azureNodePoolProblems,
  AzureSiteSpec,
  cloudClusterProblems,
  clusterSiteOf,
  clusterSiteOfAzure,
  HostsSiteSpec,
  KubernetesSiteSpec,
  Problem,
  validateHostsSite,
  validateKubernetesSite,
} from '../model';
import {
  EnvironmentFile,
  entriesOf,
  isBroken,
  keysOf,
  reportUnder,
  scalarOf,
} from './environment-file';
import {
  RawAwsSite,
  RawAzureSite,
  RawHostsSite,
  RawSite,
  toAwsSiteSpec,
  toAzureSiteSpec,
  toHostsSiteSpec,
  toSiteSpec,
} from './to-model';
import { childOf, toPlain } from './yaml-source';

/** The sites of an environment file that are well formed, and what every site is. */
export interface EnvironmentSites {
  /** Kubernetes clusters the user runs, by name. */
  readonly clusters: ReadonlyMap<string, KubernetesSiteSpec>;
  readonly awsSites: readonly AwsSiteSpec[];
  readonly azureSites: readonly AzureSiteSpec[];
  /** Warm servers deployed with Ansible, by name. */
  readonly hostsSites: ReadonlyMap<string, HostsSiteSpec>;
  /** The Kubernetes view of each cloud site's cluster, by site name. */
  readonly clusterViews: ReadonlyMap<string, KubernetesSiteSpec>;
  /** Every declared site's name, well formed or not. */
  readonly names: readonly string[];
  /**
   * The declared cloud sites by kind, well formed or not, so that a broken site
   * does not also make every broker on it "not an AWS site".
   */
  readonly kinds: { readonly aws: readonly string[]; readonly azure: readonly string[] };
  /** Whether every site is well formed. */
  readonly ok: boolean;
}

/** The Kubernetes cluster of a site: one the user runs, or a cloud site's view. */
export function clusterOf(sites: EnvironmentSites, name: string): KubernetesSiteSpec | undefined {
  return sites.clusters.get(name) ?? sites.clusterViews.get(name);
}

/** Every site's Kubernetes cluster: those the user runs, then the cloud sites'. */
export function allClusters(sites: EnvironmentSites): KubernetesSiteSpec[] {
  return [...sites.clusters.values(), ...sites.clusterViews.values()];
}

/** Reads the `sites` of an environment file, recording each problem at its place. */
export function readSites(file: EnvironmentFile): EnvironmentSites {
  const clusters = new Map<string, KubernetesSiteSpec>();
  const awsSites: AwsSiteSpec[] = [];
  const azureSites: AzureSiteSpec[] = [];
  const clusterViews = new Map<string, KubernetesSiteSpec>();
  let ok = true;
  const hostsSites = new Map<string, HostsSiteSpec>();
  for (const [siteName, node] of entriesOf(childOf(file.tree, 'sites'))) {
    if (isBroken(file, ['sites', siteName])) continue;
    const raw = toPlain(node) as { kind: string };
    if (raw.kind === 'hosts') {
      const { spec, problems: found } = toHostsSiteSpec(siteName, raw as RawHostsSite);
      const checked = spec ? validateHostsSite(spec) : [];
      reportUnder(file.problems, node, [...found, ...checked]);
      if (spec && checked.length === 0) hostsSites.set(siteName, spec);
      else ok = false;
      continue;
    }
    const { spec, problems: found } =
      raw.kind === 'aws'
        ? toAwsSiteSpec(siteName, raw as RawAwsSite)
        : raw.kind === 'azure'
          ? toAzureSiteSpec(siteName, raw as RawAzureSite)
          : toSiteSpec(siteName, raw as RawSite);
    const services = spec ? siteProblems(spec) : [];
    reportUnder(file.problems, node, [...found, ...services]);
    if (!spec || services.length > 0) {
      ok = false;
    } else if ('kind' in spec && spec.kind === 'aws') {
      awsSites.push(spec);
      // Agents and in-cluster brokers run on its EKS cluster.
      clusterViews.set(siteName, clusterSiteOf(spec));
    } else if ('kind' in spec && spec.kind === 'azure') {
      azureSites.push(spec);
      clusterViews.set(siteName, clusterSiteOfAzure(spec));
    } else {
      clusters.set(siteName, spec as KubernetesSiteSpec);
    }
  }
  const sitesOfKind = (kind: string) =>
    entriesOf(childOf(file.tree, 'sites'))
      .filter(([, node]) => node.kind === 'map' && scalarOf(childOf(node, 'kind')) === kind)
      .map(([siteName]) => siteName);
  return {
    clusters,
    awsSites,
    azureSites,
    hostsSites,
    clusterViews,
    names: keysOf(childOf(file.tree, 'sites')),
    kinds: { aws: sitesOfKind('aws'), azure: sitesOfKind('azure') },
    ok,
  };
}

/**
 * Problems of a site beyond the schema, by the rules the stacks and constructs
 * that build it apply: its pools (machine types, labels, taints), its cluster's
 * version and exposure, its cluster autoscaler, its services.
 */
function siteProblems(spec: KubernetesSiteSpec | AwsSiteSpec | AzureSiteSpec): Problem[] {
  if (!('kind' in spec)) return validateKubernetesSite(spec);
  const underPool = (pool: string, problems: Problem[]) =>
    problems.map((problem) => ({ ...problem, path: ['nodePools', pool, ...problem.path] }));
  if (spec.kind === 'aws') {
    return [
      ...cloudClusterProblems(spec),
      ...clusterAutoscalerProblems(spec.cluster.version),
      ...spec.nodePools.flatMap((pool) => underPool(pool.name, awsNodePoolProblems(pool))),
    ];
  }
  const zones = spec.network.zones;
  return [
    ...cloudClusterProblems(spec),
    ...spec.nodePools.flatMap((pool) =>
      underPool(pool.name, azureNodePoolProblems({ ...pool, zones })),
    ),
  ];
}

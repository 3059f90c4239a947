import {
  BrokerSpec,
  inClusterKafkaOn,
  KubernetesSiteSpec,
  Problem,
  runsInCluster,
} from '../../../model';

/** A Helm chart pinned to one version. */
export interface PinnedChart {
  /** URL of the Helm repository, e.g. `https://kedacore.github.io/charts`. */
  readonly repository: string;
  /** Name of the chart in the repository, e.g. `keda`. */
  readonly chart: string;
  /** The chart version installed, exact. */
  readonly version: string;
}

/** What the pod a chart runs on every node requests, as its default values set it. */
export interface DaemonSetRequests {
  readonly requests: { readonly cpuMillis: number; readonly memoryMiB: number };
  /** The values file and key the figures come from. */
  readonly source: string;
}

/**
 * Every chart the platform installs, pinned, in one place. Each is maintained
 * by its own project (no Bitnami images).
 */
export const CHARTS = {
  /** KEDA v2.20.2, the release whose CRDs the tests validate against. */
  keda: { repository: 'https://kedacore.github.io/charts', chart: 'keda', version: '2.20.2' },
  /** Prometheus, Alertmanager, Grafana, kube-state-metrics, node-exporter. */
  kubePrometheusStack: {
    repository: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    version: '67.8.0',
    /** node-exporter, a pod on every node; the fleet leaves its resources at the chart's default. */
    nodeExporter: {
      requests: { cpuMillis: 0, memoryMiB: 0 },
      source:
        'prometheus-community/helm-charts, charts/prometheus-node-exporter/values.yaml (the subchart kube-prometheus-stack 67.8.0 pins): resources: {}',
    },
  },
  /**
   * Scales EKS node groups, including from zero through their node-template
   * tags. Its image follows the cluster's minor version
   * ({@link CLUSTER_AUTOSCALER_RELEASES}); this chart must be at least as new as
   * the first that ships each of them.
   */
  clusterAutoscaler: {
    repository: 'https://kubernetes.github.io/autoscaler',
    chart: 'cluster-autoscaler',
    version: '9.59.0',
  },
  /** Advertises `nvidia.com/gpu` on GPU nodes. */
  nvidiaDevicePlugin: {
    repository: 'https://nvidia.github.io/k8s-device-plugin',
    chart: 'nvidia-device-plugin',
    version: '0.17.1',
    /** The plugin's pod on every GPU node, at the chart's default resources. */
    daemonSet: {
      requests: { cpuMillis: 0, memoryMiB: 0 },
      source:
        'NVIDIA/k8s-device-plugin v0.17.1, deployments/helm/nvidia-device-plugin/values.yaml: resources: {}',
    },
  },
  /** Strimzi, the release whose CRDs the tests validate against; runs in-cluster Kafka. */
  strimzi: {
    repository: 'oci://quay.io/strimzi-helm',
    chart: 'strimzi-kafka-operator',
    version: '1.2.0',
  },
  /** CockroachDB for stateful agents on clusters the user runs (the 25.3 line). */
  cockroachdb: {
    repository: 'https://charts.cockroachdb.com/',
    chart: 'cockroachdb',
    version: '18.0.0',
  },
  /**
   * MongoDB Controllers for Kubernetes (MCK), whose `MongoDBCommunity`
   * reconciler runs document state on clusters the user runs; it replaces the
   * archived community operator and keeps its CRD. The images its Community
   * path runs are pinned here too: the chart's defaults at 1.10.0
   * (mongodb/mongodb-kubernetes tag `1.10.0`, `helm_chart/values.yaml`).
   */
  mongodbKubernetes: {
    repository: 'https://mongodb.github.io/helm-charts',
    chart: 'mongodb-kubernetes',
    version: '1.10.0',
    images: {
      /** The operator (`operator.version`). */
      operator: 'quay.io/mongodb/mongodb-kubernetes:1.10.0',
      /** The automation agent beside each member (`community.agent`). */
      agent: 'quay.io/mongodb/mongodb-agent:108.0.25.9029-1',
      /** The members' readiness probe (`readinessProbe`). */
      readinessProbe: 'quay.io/mongodb/mongodb-kubernetes-readinessprobe:1.0.24',
      /** The post-start hook of version upgrades (`versionUpgradeHook`). */
      versionUpgradeHook:
        'quay.io/mongodb/mongodb-kubernetes-operator-version-upgrade-post-start-hook:1.0.10',
      /** Repository of the server; the tag is `<spec.version>-ubi8` (`community.mongodb`). */
      server: 'quay.io/mongodb/mongodb-community-server',
    },
  },
  /**
   * cass-operator (K8ssandra), whose `CassandraDatacenter` runs wide-column
   * state on clusters the user runs: chart 0.64.1, cass-operator v1.30.0
   * (k8ssandra/k8ssandra `charts/cass-operator/Chart.yaml`).
   */
  cassOperator: {
    repository: 'https://helm.k8ssandra.io/stable',
    chart: 'cass-operator',
    version: '0.64.1',
  },
  /**
   * YugabyteDB's chart (masters and tablet servers as StatefulSets, no
   * operator), for SQL state on clusters the user runs: the 2025.2 LTS line,
   * server 2025.2.5.2-b5 (yugabyte/charts `stable/yugabyte/Chart.yaml`).
   */
  yugabyte: { repository: 'https://charts.yugabyte.com', chart: 'yugabyte', version: '2025.2.5' },
  /** Consul servers and catalog sync. */
  consul: { repository: 'https://helm.releases.hashicorp.com', chart: 'consul', version: '1.6.2' },
  /** Vault's Agent Injector only, pointed at the site's Vault. */
  vault: { repository: 'https://helm.releases.hashicorp.com', chart: 'vault', version: '0.30.1' },
} as const satisfies Record<string, PinnedChart & Record<string, unknown>>;

/** Images the platform runs itself, pinned by version tag. */
export const IMAGES = {
  /** The official image, with the management plugin. */
  rabbitmq: 'rabbitmq:4.1.4-management',
  /** The official Apache Kafka image: its CLI tools create the fleet's topics on MSK. */
  kafka: 'apache/kafka:4.1.1',
  /** The curl project's image: fetches and checks pinned downloads in init containers. */
  curl: 'curlimages/curl:8.17.0',
  /** AWS's CLI image: signs the Aurora DSQL admin token of the role Job (`aws dsql`, CLI 2.22 and later). */
  awsCli: 'amazon/aws-cli:2.37.5',
  /** The official PostgreSQL image, for its `psql`: creates the agents' roles in Aurora DSQL. */
  postgres: 'postgres:17.6-alpine',
} as const;

/** A cluster-autoscaler release line: the image for one Kubernetes minor and the charts that can run it. */
export interface AutoscalerRelease {
  /** The newest patch of the line, e.g. `v1.35.2`. */
  readonly imageTag: string;
  /**
   * The first chart that can run this line: the first whose default image is
   * of it, and not before 9.46.3, since older charts lack permissions the
   * autoscaler needs from 1.32 (`volumeattachments`: kubernetes/autoscaler#7663,
   * fixed by #7904).
   */
  readonly firstChart: string;
}

/**
 * cluster-autoscaler's release lines by Kubernetes minor: upstream supports
 * each autoscaler minor with the same cluster minor only ("we recommend using
 * Cluster Autoscaler with the Kubernetes control plane version for which it
 * was meant"). Read from kubernetes/autoscaler at 55c37cd5 (2026-08-22): the
 * `cluster-autoscaler-1.3x.y` tags, and `Chart.yaml`/`values.yaml` at each
 * `cluster-autoscaler-chart-*` tag. No chart ships 1.36 yet.
 * @see https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler#releases
 */
export const CLUSTER_AUTOSCALER_RELEASES: Readonly<Record<string, AutoscalerRelease>> = {
  '1.32': { imageTag: 'v1.32.7', firstChart: '9.46.3' },
  '1.33': { imageTag: 'v1.33.6', firstChart: '9.47.0' },
  '1.34': { imageTag: 'v1.34.5', firstChart: '9.52.0' },
  // 9.54.0 to 9.55.0 announce 1.35.0 but still run v1.34.2.
  '1.35': { imageTag: 'v1.35.2', firstChart: '9.55.1' },
};

/** `9.46.3` against `9.47.0`: negative, zero or positive, numerically by part. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Problems of running cluster-autoscaler on an EKS cluster of a Kubernetes
 * minor with a chart version: the line of that minor must exist and the chart
 * must be at least as new as its first chart. Paths are the site's.
 */
export function clusterAutoscalerProblems(
  kubernetesVersion: string,
  chartVersion: string = CHARTS.clusterAutoscaler.version,
): Problem[] {
  const release = CLUSTER_AUTOSCALER_RELEASES[kubernetesVersion];
  const lines = Object.keys(CLUSTER_AUTOSCALER_RELEASES).join(', ');
  if (!release) {
    return [
      {
        path: ['cluster', 'version'],
        message: `no cluster-autoscaler release line for Kubernetes ${kubernetesVersion} is pinned (pinned: ${lines}); the autoscaler runs only with the cluster minor it was built for`,
      },
    ];
  }
  if (compareVersions(chartVersion, release.firstChart) < 0) {
    return [
      {
        path: ['cluster', 'version'],
        message: `cluster-autoscaler ${release.imageTag} needs chart ${release.firstChart} or newer, not ${chartVersion}: older charts lack the permissions it needs`,
      },
    ];
  }
  return [];
}

/** The Kubernetes versions a pinned chart supports, as its project documents them. */
export interface KubernetesSupport {
  /** Oldest supported minor, e.g. `1.23` (the chart's `kubeVersion`, which Helm enforces). */
  readonly from: string;
  /** Newest supported minor, where the project publishes a support matrix. @default - no ceiling documented */
  readonly to?: string;
  readonly source: string;
}

/**
 * The Kubernetes range of each pinned chart whose project states one, read from
 * the chart's `Chart.yaml` (`kubeVersion`) and, where the project publishes
 * one, its compatibility matrix (KEDA, consul-k8s), which bounds it both ways:
 * running KEDA 2.20 on 1.32, still on EKS extended support, takes an older KEDA
 * pin. cluster-autoscaler follows {@link CLUSTER_AUTOSCALER_RELEASES} instead.
 * Projects that only say which versions they tested (Vault 0.30.1: 1.29 to
 * 1.33; kube-prometheus-stack's components, built against 1.31) set no ceiling.
 */
export const CHART_KUBERNETES_SUPPORT: Readonly<
  Partial<Record<keyof typeof CHARTS, KubernetesSupport>>
> = {
  keda: {
    from: '1.33',
    to: '1.35',
    source:
      "KEDA 2.20 supports the three newest Kubernetes minors at its release, 1.33 to 1.35 (kedacore/keda-docs content/docs/2.20/operate/cluster.md, 'Kubernetes Compatibility'); chart keda 2.20.2 kubeVersion >=v1.23.0-0",
  },
  kubePrometheusStack: {
    from: '1.19',
    source:
      'prometheus-community/helm-charts kube-prometheus-stack-67.8.0 Chart.yaml: kubeVersion >=1.19.0-0',
  },
  nvidiaDevicePlugin: {
    from: '1.10',
    source:
      'NVIDIA/k8s-device-plugin v0.17.1 deployments/helm/nvidia-device-plugin/Chart.yaml: kubeVersion >= 1.10.0-0',
  },
  strimzi: {
    from: '1.30',
    source:
      "strimzi/strimzi-kafka-operator 1.2.0 CHANGELOG: 'we support only Kubernetes 1.30 and newer'",
  },
  cockroachdb: {
    from: '1.18',
    source: 'cockroachdb/helm-charts 18.0.0 and the CockroachDB docs: Kubernetes 1.18 or higher',
  },
  consul: {
    from: '1.28',
    to: '1.31',
    source:
      'hashicorp/consul website/content/docs/release-notes/consul-k8s/v1_6_x.mdx: consul-k8s 1.6.x supports Kubernetes 1.28.x to 1.31.x; chart consul 1.6.2 kubeVersion >=1.22.0-0',
  },
  mongodbKubernetes: {
    from: '1.16',
    source:
      'mongodb/mongodb-kubernetes 1.10.0 helm_chart/Chart.yaml: kubeVersion >=1.16-0 (tested on 1.34.3 to 1.36.1, kubernetes-versions.json)',
  },
  yugabyte: {
    from: '1.17',
    source: 'yugabyte/charts 2025.2 (d97fc010) stable/yugabyte/Chart.yaml: kubeVersion >=1.17.0-0',
  },
  vault: {
    from: '1.20',
    source: 'hashicorp/vault-helm v0.30.1 Chart.yaml: kubeVersion >= 1.20.0-0',
  },
};

/**
 * Problems of installing charts on a cluster of a Kubernetes minor: each must
 * support it, by {@link CHART_KUBERNETES_SUPPORT}. Paths are the site's.
 */
export function chartSupportProblems(
  kubernetesVersion: string,
  charts: readonly (keyof typeof CHARTS)[],
): Problem[] {
  return charts.flatMap((key) => {
    const support = CHART_KUBERNETES_SUPPORT[key];
    if (!support) return [];
    const { chart, version } = CHARTS[key];
    const below = compareVersions(kubernetesVersion, support.from) < 0;
    const above = support.to !== undefined && compareVersions(kubernetesVersion, support.to) > 0;
    if (!below && !above) return [];
    const range = support.to ? `${support.from} to ${support.to}` : `${support.from} or newer`;
    return [
      {
        path: ['cluster', 'version'],
        message: `chart ${chart} ${version} supports Kubernetes ${range}, not ${kubernetesVersion} (${support.source}): use a version in that range, or move the pin in constructs/kubernetes/platform/charts.ts`,
      },
    ];
  });
}

/** The charts the platform stack of a site installs. */
export function chartsOnSite(
  site: KubernetesSiteSpec,
  brokers: readonly BrokerSpec[],
): (keyof typeof CHARTS)[] {
  return [
    'keda',
    'kubePrometheusStack',
    ...(site.cloud === 'aws' ? (['clusterAutoscaler'] as const) : []),
    ...(site.nodePools.some((pool) => pool.gpu) ? (['nvidiaDevicePlugin'] as const) : []),
    ...(inClusterKafkaOn(brokers, site.name).length > 0 ? (['strimzi'] as const) : []),
    ...(site.database ? (['cockroachdb'] as const) : []),
    ...(runsInCluster(site, 'document', 'mongodb') ? (['mongodbKubernetes'] as const) : []),
    ...(runsInCluster(site, 'wideColumn', 'cassandra') ? (['cassOperator'] as const) : []),
    ...(runsInCluster(site, 'sql', 'yugabytedb') ? (['yugabyte'] as const) : []),
    ...(site.consul ? (['consul'] as const) : []),
    ...(site.vault ? (['vault'] as const) : []),
  ];
}

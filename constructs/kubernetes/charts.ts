import { Problem } from '../model';

/** A Helm chart pinned to one version. */
export interface PinnedChart {
  readonly repository: string;
  readonly chart: string;
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
} as const;

/** A cluster-autoscaler release line: the image for one Kubernetes minor and the charts that can run it. */
export interface AutoscalerRelease {
  /** The newest patch of the line, e.g. `v1.35.2`. */
  readonly imageTag: string;
  /**
   * The first chart whose default image is of this line: older charts lack
   * permissions it needs (1.32 and later list `volumeattachments`, which charts
   * before 9.46.3 do not grant: kubernetes/autoscaler#7663, fixed by #7904).
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

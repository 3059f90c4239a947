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
  /** Scales EKS node groups, including from zero through their node-template tags. */
  clusterAutoscaler: {
    repository: 'https://kubernetes.github.io/autoscaler',
    chart: 'cluster-autoscaler',
    version: '9.38.0',
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
  /** Matches the EKS minor version the example sites run. */
  clusterAutoscalerTag: 'v1.33.0',
  /** The official image, with the management plugin. */
  rabbitmq: 'rabbitmq:4.1.4-management',
  /** The official Apache Kafka image: its CLI tools create the fleet's topics on MSK. */
  kafka: 'apache/kafka:4.1.1',
  /** The curl project's image: fetches and checks pinned downloads in init containers. */
  curl: 'curlimages/curl:8.17.0',
} as const;

/** What a RabbitMQ node's configuration depends on. */
export interface ServerConfigOptions {
  /** Directory whose `*.json` definitions every node imports at boot. */
  readonly definitionsDir: string;
  /** Port of the AMQP listener the agents connect to. @default 5672 */
  readonly amqpPort?: number;
  /** Port of the management API, which KEDA reads queue depth from. @default 15672 */
  readonly managementPort?: number;
  /** Port of the `rabbitmq_prometheus` metrics endpoint Prometheus scrapes. @default 15692 */
  readonly prometheusPort?: number;
  /**
   * Peer discovery through the Kubernetes API; absent for a single node.
   * @default - none: a single node, no peer discovery
   * @see https://www.rabbitmq.com/docs/cluster-formation#peer-discovery-k8s
   */
  readonly kubernetes?: {
    /** Headless Service of the StatefulSet. */
    readonly headlessService: string;
    readonly namespace: string;
  };
}

/** Plugins every node runs: management API (KEDA reads it), Prometheus metrics, k8s peer discovery. */
export const PLUGINS = [
  'rabbitmq_management',
  'rabbitmq_prometheus',
  'rabbitmq_peer_discovery_k8s',
];

/** `enabled_plugins` file content. */
export function enabledPluginsFile(plugins: readonly string[] = PLUGINS): string {
  return `[${plugins.join(',')}].\n`;
}

/**
 * `rabbitmq.conf` of a node: definitions imported at boot (so no default
 * `guest` user is created), logs to the console, and minority partitions
 * paused rather than diverging.
 * @see https://www.rabbitmq.com/docs/configure#config-file
 */
export function serverConfig(options: ServerConfigOptions): string {
  const lines = [
    `listeners.tcp.default = ${options.amqpPort ?? 5672}`,
    `management.tcp.port = ${options.managementPort ?? 15672}`,
    `prometheus.tcp.port = ${options.prometheusPort ?? 15692}`,
    'definitions.import_backend = local_filesystem',
    `definitions.local.path = ${options.definitionsDir}`,
    'log.console = true',
    'log.file = false',
    'cluster_partition_handling = pause_minority',
  ];
  if (options.kubernetes) {
    const { headlessService, namespace } = options.kubernetes;
    lines.push(
      'cluster_formation.peer_discovery_backend = rabbit_peer_discovery_k8s',
      'cluster_formation.k8s.host = kubernetes.default.svc.cluster.local',
      'cluster_formation.k8s.address_type = hostname',
      `cluster_formation.k8s.service_name = ${headlessService}`,
      `cluster_formation.k8s.hostname_suffix = .${headlessService}.${namespace}.svc.cluster.local`,
    );
  }
  return `${lines.join('\n')}\n`;
}

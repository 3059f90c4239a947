/**
 * Kubernetes pod discovery stood in for by static targets, for a Prometheus
 * that runs where no Kubernetes API is: each target carries the
 * `__meta_kubernetes_*` labels that `kubernetes_sd_configs` (role `pod`)
 * would give one container port of a pod, so the generated relabel rules
 * decide what is scraped and how it is labelled, as they would in a cluster.
 * @see https://prometheus.io/docs/prometheus/latest/configuration/configuration/#pod
 */

/** One container port of a pod, and where a test serves it. */
export interface PodPort {
  readonly name: string;
  /** `host:port` that answers for this port here. */
  readonly address: string;
}

/** A pod as discovery sees it. */
export interface DiscoveredPod {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly container: string;
  readonly ports: readonly PodPort[];
  /** @default 'Running' */
  readonly phase?: string;
}

/** A label name as Kubernetes discovery writes it: anything but `[a-zA-Z0-9_]` becomes `_`. */
function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** A `static_configs` entry per container port, labelled as pod discovery would label it. */
export function podTargets(
  pod: DiscoveredPod,
): { targets: string[]; labels: Record<string, string> }[] {
  const common: Record<string, string> = {
    __meta_kubernetes_namespace: pod.namespace,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_phase: pod.phase ?? 'Running',
    __meta_kubernetes_pod_ready: 'true',
    __meta_kubernetes_pod_container_name: pod.container,
  };
  for (const [name, value] of Object.entries(pod.labels)) {
    common[`__meta_kubernetes_pod_label_${sanitize(name)}`] = value;
    common[`__meta_kubernetes_pod_labelpresent_${sanitize(name)}`] = 'true';
  }
  return pod.ports.map((port) => ({
    targets: [port.address],
    labels: {
      ...common,
      __meta_kubernetes_pod_container_port_name: port.name,
      __meta_kubernetes_pod_container_port_number: port.address.split(':').pop() as string,
      __meta_kubernetes_pod_container_port_protocol: 'TCP',
    },
  }));
}

/**
 * The generated scrape job with only its service discovery replaced:
 * `kubernetes_sd_configs` gives way to `static_configs` for those of `pods`
 * that live in a namespace the job discovers, as discovery would list them.
 * Job name, path, parameters and relabel rules are kept as generated.
 */
export function withStaticPods(job: Record<string, any>, pods: readonly DiscoveredPod[]): object {
  const namespaces = new Set<string>(
    (job.kubernetes_sd_configs ?? []).flatMap((sd: any) => sd.namespaces?.names ?? []),
  );
  const rest: Record<string, any> = { ...job };
  delete rest.kubernetes_sd_configs;
  return {
    ...rest,
    static_configs: pods.filter((pod) => namespaces.has(pod.namespace)).flatMap(podTargets),
  };
}

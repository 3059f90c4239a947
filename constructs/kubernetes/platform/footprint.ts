import {
  BrokerSpec,
  brokerPoolMatch,
  brokerReplicas,
  CapacityWorkload,
  Cpu,
  inClusterKafkaOn,
  KubernetesSiteSpec,
  NodePoolSpec,
  PodRequests,
  rabbitMqBrokers,
  Size,
} from '../../../model';
import { CHARTS, DaemonSetRequests } from './charts';

/** CPU and memory of one pod the platform runs, requests equal to limits. */
export interface PodSize {
  readonly cpu: Cpu;
  readonly memory: Size;
}

/** Each in-cluster RabbitMQ node unless the broker says. */
export const RABBITMQ_NODE_SIZE: PodSize = { cpu: Cpu.cores(1), memory: Size.gibibytes(2) };
/** Each Strimzi Kafka node unless the broker says; Strimzi sizes the JVM heap from it. */
export const KAFKA_NODE_SIZE: PodSize = { cpu: Cpu.cores(1), memory: Size.gibibytes(4) };
/** Each CockroachDB node unless the site's database says. */
export const COCKROACHDB_NODE_SIZE: PodSize = { cpu: Cpu.cores(2), memory: Size.gibibytes(8) };
/** Each Consul server unless set. */
export const CONSUL_SERVER_SIZE: PodSize = { cpu: Cpu.millis(500), memory: Size.gibibytes(1) };

/** Requests of KEDA's three Deployments, one replica each (the chart's default count). */
export const KEDA_REQUESTS = {
  operator: { cpu: '100m', memory: '256Mi' },
  metricServer: { cpu: '100m', memory: '256Mi' },
  webhooks: { cpu: '50m', memory: '128Mi' },
} as const;

/**
 * The pods the platform stack runs on every node of a pool, with what they
 * request: node-exporter everywhere, NVIDIA's device plugin on GPU pools.
 */
export function platformDaemonSets(pool: NodePoolSpec): PodRequests[] {
  const daemonSets: DaemonSetRequests[] = [CHARTS.kubePrometheusStack.nodeExporter];
  if (pool.gpu) daemonSets.push(CHARTS.nvidiaDevicePlugin.daemonSet);
  return daemonSets.map((daemonSet) => ({
    cpuMillis: daemonSet.requests.cpuMillis,
    memoryMiB: daemonSet.requests.memoryMiB,
  }));
}

/**
 * The platform's own replicas with their requests, on the pools they may use
 * (on-demand, without GPUs, as for the brokers): the in-cluster RabbitMQ and
 * Kafka nodes, CockroachDB and Consul servers (one per node each), and KEDA.
 */
export function platformWorkloads(
  site: KubernetesSiteSpec,
  brokers: readonly BrokerSpec[],
): CapacityWorkload[] {
  const pools = brokerPoolMatch(site.nodePools).pools.map((pool) => pool.name);
  const workload = (name: string, replicas: number, size: PodSize, onePerNode = true) => ({
    name,
    replicas,
    requests: { cpuMillis: size.cpu.millicores, memoryMiB: size.memory.toMebibytes() },
    pools,
    onePerNode,
  });
  const sized = (declared: Partial<PodSize> | undefined, defaults: PodSize): PodSize => ({
    cpu: declared?.cpu ?? defaults.cpu,
    memory: declared?.memory ?? defaults.memory,
  });
  const workloads: CapacityWorkload[] = [];
  for (const broker of rabbitMqBrokers(brokers)) {
    if (broker.inCluster?.site !== site.name) continue;
    const size = sized(broker.inCluster.resources, RABBITMQ_NODE_SIZE);
    workloads.push(workload(`RabbitMQ ${broker.name}`, brokerReplicas(broker), size));
  }
  for (const broker of inClusterKafkaOn(brokers, site.name)) {
    const replicas = broker.inCluster?.replicas ?? 3;
    workloads.push(workload(`Kafka ${broker.name}`, replicas, KAFKA_NODE_SIZE));
  }
  if (site.database) {
    const size = sized(site.database.resources, COCKROACHDB_NODE_SIZE);
    workloads.push(workload('CockroachDB', site.database.replicas ?? 3, size));
  }
  if (site.consul) {
    workloads.push(workload('Consul', site.consul.replicas ?? 3, CONSUL_SERVER_SIZE));
  }
  for (const [part, requests] of Object.entries(KEDA_REQUESTS)) {
    const size = { cpu: Cpu.parse(requests.cpu), memory: Size.parse(requests.memory) };
    workloads.push(workload(`KEDA ${part}`, 1, size, false));
  }
  return workloads;
}

import {
  runsInCluster,
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
/** Each MongoDB member's `mongod` unless the site's `stateEngines.document` says. */
export const MONGODB_MEMBER_SIZE: PodSize = { cpu: Cpu.cores(1), memory: Size.gibibytes(4) };
/**
 * The automation agent beside each MongoDB member, requests and limits set by
 * the fleet (MCK's defaults are 0.5 CPU and 400M requested, 1 CPU and 500M limited).
 */
export const MONGODB_AGENT_RESOURCES = {
  requests: { cpu: '500m', memory: '384Mi' },
  limits: { cpu: '1', memory: '512Mi' },
} as const;
/** MongoDB's operator unless set. */
export const MONGODB_OPERATOR_SIZE: PodSize = { cpu: Cpu.millis(200), memory: Size.mebibytes(512) };
/** Each Cassandra node's `cassandra` container unless the site says: requests equal limits. */
export const CASSANDRA_NODE_SIZE: PodSize = {
  cpu: Cpu.cores(2),
  memory: Size.gibibytes(8),
};
/**
 * The log tailing sidecar (`server-system-logger`, Vector) beside each node:
 * the operator's default (`pkg/reconciliation/defaults.go`, 100m and 64Mi
 * requested, 128Mi limited) with its memory requested whole and a CPU limit.
 */
export const CASSANDRA_LOGGER_RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '200m', memory: '128Mi' },
} as const;
/** cass-operator's pod unless set: one controller for one namespace's datacenters. */
export const CASSANDRA_OPERATOR_SIZE: PodSize = {
  cpu: Cpu.millis(100),
  memory: Size.mebibytes(256),
};
/**
 * Each tablet server unless the site sets `resources`: 2 CPU and 4Gi, the
 * chart's `resource.tserver` (requests equal to limits).
 */
export const YUGABYTEDB_TSERVER_SIZE: PodSize = { cpu: Cpu.cores(2), memory: Size.gibibytes(4) };
/**
 * Each master: 2 CPU and 2Gi, the chart's `resource.master` (requests equal
 * to limits), the sizing YugabyteDB's Kubernetes docs deploy with.
 */
export const YUGABYTEDB_MASTER_SIZE: PodSize = { cpu: Cpu.cores(2), memory: Size.gibibytes(2) };
/**
 * The `yb-cleanup` container beside each master and tablet server (it
 * rotates logs hourly): the chart's `ybCleanup.resources`, requests equal to limits.
 */
export const YUGABYTEDB_CLEANUP_SIZE: PodSize = {
  cpu: Cpu.millis(250),
  memory: Size.mebibytes(250),
};
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
 * Kafka nodes, CockroachDB nodes, MongoDB members, Cassandra nodes,
 * YugabyteDB masters and tablet servers, and Consul servers (one per node
 * each), the MongoDB and Cassandra operators, and KEDA.
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
  const documents = site.stateEngines?.document;
  if (documents?.kind === 'mongodb' && runsInCluster(site, 'document', 'mongodb')) {
    // Counted when declared, whether or not an agent uses it yet: the larger bound.
    const member = sized(documents.resources, MONGODB_MEMBER_SIZE);
    const agent = MONGODB_AGENT_RESOURCES.requests;
    workloads.push(
      workload('MongoDB', documents.replicas ?? 3, {
        cpu: Cpu.millis(member.cpu.millicores + Cpu.parse(agent.cpu).millicores),
        memory: Size.mebibytes(
          member.memory.toMebibytes() + Size.parse(agent.memory).toMebibytes(),
        ),
      }),
    );
    workloads.push(workload('MongoDB operator', 1, MONGODB_OPERATOR_SIZE, false));
  }
  const plus = (size: PodSize, sidecar: PodSize): PodSize => ({
    cpu: Cpu.millis(size.cpu.millicores + sidecar.cpu.millicores),
    memory: Size.mebibytes(size.memory.toMebibytes() + sidecar.memory.toMebibytes()),
  });
  const wideColumns = site.stateEngines?.wideColumn;
  if (wideColumns?.kind === 'cassandra' && runsInCluster(site, 'wideColumn', 'cassandra')) {
    const logger = CASSANDRA_LOGGER_RESOURCES.requests;
    const node = plus(sized(wideColumns.resources, CASSANDRA_NODE_SIZE), {
      cpu: Cpu.parse(logger.cpu),
      memory: Size.parse(logger.memory),
    });
    workloads.push(workload('Cassandra', wideColumns.replicas ?? 3, node));
    workloads.push(workload('Cassandra operator', 1, CASSANDRA_OPERATOR_SIZE, false));
  }
  const sql = site.stateEngines?.sql;
  if (sql?.kind === 'yugabytedb' && runsInCluster(site, 'sql', 'yugabytedb')) {
    const replicas = sql.replicas ?? 3;
    const tserver = sized(sql.resources, YUGABYTEDB_TSERVER_SIZE);
    workloads.push(
      workload(
        'YugabyteDB master',
        replicas,
        plus(YUGABYTEDB_MASTER_SIZE, YUGABYTEDB_CLEANUP_SIZE),
      ),
    );
    workloads.push(
      workload('YugabyteDB tablet server', replicas, plus(tserver, YUGABYTEDB_CLEANUP_SIZE)),
    );
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

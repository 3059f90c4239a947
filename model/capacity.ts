/**
 * The fleet against its pools: how many nodes of each pool the replicas need
 * when packed as the scheduler and the cluster autoscaler place them.
 */

/** What one pod requests, in the units the packing counts. */
export interface PodRequests {
  /** CPU the pod requests, in millicores. */
  readonly cpuMillis: number;
  /** Memory the pod requests, in MiB. */
  readonly memoryMiB: number;
  /** Whole GPUs the pod requests. @default 0 */
  readonly gpu?: number;
}

/** A pool as the packing sees it. */
export interface CapacityPool {
  /** The node pool's name, as workloads list it in `pools`. */
  readonly name: string;
  /** What one node offers to pods. */
  readonly node: { readonly cpuMillis: number; readonly memoryMiB: number; readonly pods?: number };
  /** GPUs per node. @default 0 */
  readonly gpus?: number;
  /** Most nodes. @default - unbounded (a cluster the user runs) */
  readonly maxNodes?: number;
  /** Pods every node of the pool runs (DaemonSets), with their requests. @default - none */
  readonly perNode?: readonly PodRequests[];
}

/** Replicas of one workload, with the pools they may use, in order of preference. */
export interface CapacityWorkload {
  /**
   * Name of the workload, which keys the packing's counts, e.g. `image-processing`
   * or `RabbitMQ rabbitmq`.
   */
  readonly name: string;
  /** How many replicas to place. */
  readonly replicas: number;
  /** What each replica requests. */
  readonly requests: PodRequests;
  /** Names of the pools the replicas may use, first preferred for new nodes. */
  readonly pools: readonly string[];
  /** At most one replica per node (required pod anti-affinity on the host). @default false */
  readonly onePerNode?: boolean;
}

/** How the replicas packed onto a site's pools. */
export interface Packing {
  /** Nodes each pool needs, by pool name. */
  readonly nodes: ReadonlyMap<string, number>;
  /** Replicas that found no node within the pools' maxima, by workload name. */
  readonly unplaced: ReadonlyMap<string, number>;
  /** Replicas placed, by workload name. */
  readonly placed: ReadonlyMap<string, number>;
}

interface OpenNode {
  cpu: number;
  memory: number;
  pods: number;
  gpus: number;
  readonly hosts: Set<string>;
}

/**
 * Packs the replicas onto nodes, largest first (first-fit decreasing): each
 * replica goes to the first counted node of one of its pools that has room
 * for it, and otherwise to a new node of the first of its pools, in the order
 * given, that is below its maximum and whose empty node fits it. This is how
 * the scheduler fills existing nodes and the cluster autoscaler adds one when
 * a pod stays Pending; the count it gives is at least the sum of requests
 * over a node's capacity, more where requests leave unusable room on a node.
 */
export function packReplicas(
  pools: readonly CapacityPool[],
  workloads: readonly CapacityWorkload[],
): Packing {
  const byName = new Map(pools.map((pool) => [pool.name, pool]));
  const replicas = workloads
    .flatMap((workload) => Array.from({ length: workload.replicas }, () => workload))
    .sort(
      (a, b) =>
        (b.requests.gpu ?? 0) - (a.requests.gpu ?? 0) ||
        b.requests.cpuMillis - a.requests.cpuMillis ||
        b.requests.memoryMiB - a.requests.memoryMiB,
    );
  const open = new Map<string, OpenNode[]>(pools.map((pool) => [pool.name, []]));
  const placed = new Map<string, number>();
  const unplaced = new Map<string, number>();
  const count = (map: Map<string, number>, name: string) => map.set(name, (map.get(name) ?? 0) + 1);
  for (const workload of replicas) {
    const candidates = workload.pools.filter((name) => byName.has(name));
    let node = candidates
      .flatMap((name) => open.get(name) ?? [])
      .find((existing) => fits(existing, workload));
    if (!node) {
      for (const name of candidates) {
        const pool = byName.get(name) as CapacityPool;
        const nodes = open.get(name) as OpenNode[];
        if (pool.maxNodes !== undefined && nodes.length >= pool.maxNodes) continue;
        const fresh = emptyNode(pool);
        if (!fits(fresh, workload)) continue;
        nodes.push(fresh);
        node = fresh;
        break;
      }
    }
    if (!node) {
      count(unplaced, workload.name);
      continue;
    }
    node.cpu -= workload.requests.cpuMillis;
    node.memory -= workload.requests.memoryMiB;
    node.gpus -= workload.requests.gpu ?? 0;
    node.pods -= 1;
    node.hosts.add(workload.name);
    count(placed, workload.name);
  }
  const nodes = new Map([...open].map(([name, list]) => [name, list.length]));
  return { nodes, unplaced, placed };
}

function emptyNode(pool: CapacityPool): OpenNode {
  const perNode = pool.perNode ?? [];
  const total = (pick: (pod: PodRequests) => number) =>
    perNode.reduce((sum, pod) => sum + pick(pod), 0);
  return {
    cpu: pool.node.cpuMillis - total((pod) => pod.cpuMillis),
    memory: pool.node.memoryMiB - total((pod) => pod.memoryMiB),
    pods: (pool.node.pods ?? Infinity) - perNode.length,
    gpus: (pool.gpus ?? 0) - total((pod) => pod.gpu ?? 0),
    hosts: new Set(),
  };
}

function fits(node: OpenNode, workload: CapacityWorkload): boolean {
  const { cpuMillis, memoryMiB, gpu = 0 } = workload.requests;
  return (
    node.cpu >= cpuMillis &&
    node.memory >= memoryMiB &&
    node.gpus >= gpu &&
    node.pods >= 1 &&
    !(workload.onePerNode && node.hosts.has(workload.name))
  );
}

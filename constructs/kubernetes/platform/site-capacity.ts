import {
  BrokerSpec,
  CapacityPool,
  CapacityWorkload,
  KubernetesSiteSpec,
  matchPools,
  NodePoolSpec,
  packReplicas,
  Packing,
  ResolvedAgent,
} from '../../../model';
import { platformDaemonSets, platformWorkloads } from './footprint';

/** One pool of a site at the fleet's minima and maxima. */
export interface PoolCapacity {
  /** Name of the node pool. */
  readonly pool: string;
  /** What one node offers to pods, and where the figures come from. */
  readonly node: {
    readonly cpuMillis: number;
    readonly memoryMiB: number;
    readonly pods?: number;
    readonly basis?: string;
  };
  /** Most nodes. @default - unbounded (a cluster the user runs) */
  readonly maxNodes?: number;
  /** Nodes the workloads need at their minimum replicas. */
  readonly nodesAtMin: number;
  /** Nodes the workloads need at their maximum replicas, with no pool limit. */
  readonly nodesAtMax: number;
}

/** One agent of a site at its maximum. */
export interface AgentReach {
  /** Name of the agent type. */
  readonly agent: string;
  /** The agent's maximum replicas (one for a scheduled agent). */
  readonly maxReplicas: number;
  /** Replicas that fit within the pools' maxima, everything else at its maximum too. */
  readonly reachableReplicas: number;
}

/** A site's fleet against its pools. */
export interface SiteCapacity {
  /** Name of the site. */
  readonly site: string;
  /** Pools whose nodes' capacity is known (cloud pools, or declared `allocatable`). */
  readonly pools: readonly PoolCapacity[];
  /** Agents that cannot reach their maximum replicas. */
  readonly shortfalls: readonly AgentReach[];
  /** Why the minimum replicas do not fit, one message per pool that overflows. */
  readonly errors: readonly { readonly pool: string; readonly message: string }[];
  /** Why the maximum replicas cannot be reached, one message per pool that overflows. */
  readonly warnings: readonly { readonly pool: string; readonly message: string }[];
}

/**
 * Packs a site's agents and platform onto its pools (see {@link packReplicas}),
 * at their minimum and at their maximum replicas. Each agent may use the pools
 * it matched, in the site's order; the platform's brokers, databases, Consul
 * and KEDA the on-demand pools without GPUs; every node also runs the
 * platform's DaemonSets. Only pools whose node capacity is known count: an
 * agent or platform workload that may use a pool of unknown capacity is left
 * out. A scheduled agent counts one replica at its maximum, none at its minimum.
 */
export function siteCapacity(
  site: KubernetesSiteSpec,
  agents: readonly ResolvedAgent[],
  brokers: readonly BrokerSpec[],
): SiteCapacity {
  const pools = site.nodePools.flatMap((pool) => capacityPool(pool) ?? []);
  const known = new Set(pools.map((pool) => pool.name));
  const counted = (workload: { pools: readonly string[] }) =>
    workload.pools.length > 0 && workload.pools.every((pool) => known.has(pool));
  const sized = agents
    .filter((agent) => !agent.spec.placement?.scalingGroup)
    .map((agent) => agentWorkload(site, agent))
    .filter((workload) => counted(workload.atMax));
  const platform = platformWorkloads(site, brokers).filter(counted);
  const unbounded = pools.map((pool) => ({ ...pool, maxNodes: undefined }));
  const minima = [...platform, ...sized.map((agent) => agent.atMin)];
  const maxima = [...platform, ...sized.map((agent) => agent.atMax)];
  const atMin = packReplicas(pools, minima);
  const atMax = packReplicas(pools, maxima);
  const neededAtMin = packReplicas(unbounded, minima);
  const needed = packReplicas(unbounded, maxima);
  return {
    site: site.name,
    pools: pools.map((pool) => ({
      pool: pool.name,
      node: { ...pool.node },
      ...(pool.maxNodes !== undefined ? { maxNodes: pool.maxNodes } : {}),
      nodesAtMin: neededAtMin.nodes.get(pool.name) ?? 0,
      nodesAtMax: needed.nodes.get(pool.name) ?? 0,
    })),
    shortfalls: sized
      .filter((agent) => atMax.unplaced.has(agent.atMax.name))
      .map((agent) => ({
        agent: agent.atMax.name,
        maxReplicas: agent.atMax.replicas,
        reachableReplicas: atMax.placed.get(agent.atMax.name) ?? 0,
      })),
    errors: overflows(pools, minima, atMin, neededAtMin, 'minimum'),
    warnings: overflows(pools, maxima, atMax, needed, 'maximum'),
  };
}

function capacityPool(pool: NodePoolSpec): CapacityPool | undefined {
  const { cpu, memory, pods, basis } = pool.allocatable ?? {};
  if (!cpu || !memory) return undefined;
  return {
    name: pool.name,
    node: {
      cpuMillis: cpu.millicores,
      memoryMiB: Math.floor(memory.bytes / 2 ** 20),
      ...(pods !== undefined ? { pods } : {}),
      ...(basis ? { basis } : {}),
    },
    gpus: pool.gpu?.count ?? 0,
    ...(pool.maxNodes !== undefined ? { maxNodes: pool.maxNodes } : {}),
    perNode: platformDaemonSets(pool),
  };
}

function agentWorkload(
  site: KubernetesSiteSpec,
  { spec, resources }: ResolvedAgent,
): { atMin: CapacityWorkload; atMax: CapacityWorkload } {
  const { requests } = resources;
  const match = matchPools(spec.placement, resources.gpu, site.nodePools, 'agent', requests);
  const scheduled = (spec.workload ?? 'consumer') === 'scheduled';
  const base = {
    name: spec.name,
    requests: {
      cpuMillis: requests.cpu.millicores,
      memoryMiB: Math.ceil(requests.memory.bytes / 2 ** 20),
      gpu: resources.gpu,
    },
    pools: match.pools.map((pool) => pool.name),
  };
  return {
    atMin: { ...base, replicas: scheduled ? 0 : (spec.scaling?.minReplicas ?? 1) },
    atMax: { ...base, replicas: scheduled ? 1 : (spec.scaling?.maxReplicas ?? 1) },
  };
}

/**
 * One message per pool group whose workloads did not all fit: the first pool
 * of each unplaced workload, with the nodes needed and allowed there and the
 * workloads left over.
 */
function overflows(
  pools: readonly CapacityPool[],
  workloads: readonly CapacityWorkload[],
  packing: Packing,
  needed: Packing,
  bound: 'minimum' | 'maximum',
): { pool: string; message: string }[] {
  const byPool = new Map<string, CapacityWorkload[]>();
  for (const workload of workloads) {
    if (!packing.unplaced.has(workload.name)) continue;
    const first = workload.pools[0];
    byPool.set(first, [...(byPool.get(first) ?? []), workload]);
  }
  return [...byPool].map(([first, left]) => {
    const group = [...new Set(left.flatMap((workload) => workload.pools))];
    const nodes = group
      .map((name) => {
        const max = pools.find((pool) => pool.name === name)?.maxNodes;
        return `${name} ${needed.nodes.get(name) ?? 0} needed, ${max} allowed`;
      })
      .join('; ');
    const who = left
      .map((workload) => {
        const placed = packing.placed.get(workload.name) ?? 0;
        return `${workload.name} ${placed} of ${workload.replicas} (${describe(workload)} each)`;
      })
      .join(', ');
    const fix =
      bound === 'minimum'
        ? 'raise the pools\u2019 maximum node counts, use larger machines or lower minReplicas'
        : 'raise the pools\u2019 maximum node counts, use larger machines or lower maxReplicas';
    return {
      pool: first,
      message: `at their ${bound} replicas the workloads do not fit pool(s) ${group.join(', ')} (nodes: ${nodes}): ${who} fit; ${fix}`,
    };
  });
}

function describe(workload: CapacityWorkload): string {
  const { cpuMillis, memoryMiB, gpu = 0 } = workload.requests;
  const cpu = cpuMillis % 1000 === 0 ? `${cpuMillis / 1000} CPU` : `${cpuMillis}m CPU`;
  return [gpu > 0 ? `${gpu} GPU` : '', cpu, `${memoryMiB}Mi`].filter(Boolean).join(', ');
}

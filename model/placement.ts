import {
  isReservedLabelKey,
  labelValueProblems,
  qualifiedNameProblems,
  taintProblems,
} from './kubernetes-rules';
import { Problem } from './problems';
import { Cpu, Size } from './units';

/** CPU architecture of a node. */
export type Arch = 'amd64' | 'arm64';

/** Whether an agent may run on spot (preemptible) capacity. */
export type SpotPolicy = 'never' | 'allowed' | 'required';

/** A node taint. */
export interface Taint {
  /** Taint key, a qualified name such as `nvidia.com/gpu`. */
  readonly key: string;
  /**
   * Taint value, which a toleration then matches with `Equal`; without one it
   * matches the key with `Exists`.
   * @default - none (matches with `Exists`)
   */
  readonly value?: string;
  /** What the taint does to pods that do not tolerate it: keeps them off, prefers to, or also evicts them (`NoExecute`). */
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/**
 * A node pool of a site: what its nodes offer. Every pool's nodes carry the
 * label {@link POOL_LABEL}=`<pool name>` (cloud stacks set it; on clusters the
 * user runs, label the nodes) besides the `labels` declared here.
 */
export interface NodePoolSpec {
  /** The pool's name, unique in the site: the value of {@link POOL_LABEL} on its nodes and, on a cloud site, the node group's name. */
  readonly name: string;
  /** CPU architecture of the pool's nodes. @default 'amd64' */
  readonly arch?: Arch;
  /**
   * Whether the nodes are on-demand or spot (preemptible) capacity; only agents
   * whose `spot` allows it are placed on spot nodes.
   * @default 'on-demand'
   */
  readonly capacity?: 'on-demand' | 'spot';
  /** GPUs per node and their model, e.g. `{ count: 1, model: 'nvidia-tesla-t4' }`. @default - none */
  readonly gpu?: { readonly count: number; readonly model: string };
  /** Node labels such as `location`, `datacenter`, `hardware-type`. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Node taints, one per key; agents placed on the pool tolerate them. @default - none */
  readonly taints?: readonly Taint[];
  /**
   * What one node offers to pods: an agent whose requests exceed it does not
   * fit the pool, and the fleet at its maxima is packed onto such nodes. Cloud
   * pools compute it from the machine catalogue when not declared.
   * @default - not checked (a cluster the user runs); computed on cloud pools
   */
  readonly allocatable?: PoolAllocatable;
  /**
   * Most nodes the pool has: the fleet at its maximum replicas is packed into
   * them. Cloud pools take it from `maxSize` or `maxCount`.
   * @default - unbounded
   */
  readonly maxNodes?: number;
}

/** What one node of a pool offers to pods. */
export interface PoolAllocatable {
  /** CPU one node offers to pods. @default - not checked */
  readonly cpu?: Cpu;
  /** Memory one node offers to pods. @default - not checked */
  readonly memory?: Size;
  /** Pods a node takes. @default - not checked */
  readonly pods?: number;
  /** How the figures were reached, for messages. @default - declared in the site */
  readonly basis?: string;
}

/** The node label that names a node's pool. */
export const POOL_LABEL = 'agent-fleet.dev/pool';

/**
 * What an agent needs from its nodes. Derived on Kubernetes: a required node
 * affinity on {@link POOL_LABEL} listing every pool that meets the needs, and a
 * toleration for each taint of those pools (a GPU agent tolerates the GPU
 * taint without writing it). A site where no pool meets them is an error.
 */
export interface PlacementNeeds {
  /** Architectures the image is built for. @default ['amd64'] */
  readonly arch?: readonly Arch[];
  /** GPU model the agent needs (GPU count is `resources.gpu`). @default - any model */
  readonly gpuModel?: string;
  /**
   * Whether the agent may run on spot (preemptible) nodes: never, allowed, or
   * only there.
   * @default 'never'
   */
  readonly spot?: SpotPolicy;
  /** Node labels the pool must carry, e.g. `{ datacenter: 'nebraska' }`. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Run on a scaling group of machines instead of a node pool (usually set
   * per site). The other needs then do not apply.
   * @default - a node pool of the site's cluster
   */
  readonly scalingGroup?: ScalingGroupPlacement;
}

/**
 * A group of virtual machines of the agent's own, one container per machine,
 * scaled on the agent's queue: an EC2 Auto Scaling group on an AWS site.
 */
export interface ScalingGroupPlacement {
  /** Machine type, e.g. `c7i.large`. */
  readonly instanceType: string;
  /**
   * Machine image: an AMI id, or `resolve:ssm:<parameter>` resolved at launch.
   * It must run Docker, e.g. the ECS-optimized Amazon Linux 2023 image.
   * @default - the ECS-optimized Amazon Linux 2023 image, resolved at launch
   */
  readonly image?: string;
  /**
   * Lets operators open shells on the machines through AWS Systems Manager
   * Session Manager (EC2 groups only): the instance role gets the SSM agent's
   * heartbeat and Session Manager's channel actions, which AWS accepts on
   * `*` only, and nothing else of Systems Manager. The agent needs none of
   * it, so it is off unless a written reason turns it on.
   * @default - off: no Systems Manager permissions, the SSM agent stopped
   */
  readonly sessionManager?: SessionManagerAccess;
}

/** Session Manager access to a scaling group's machines, with the reason it is needed. */
export interface SessionManagerAccess {
  /** Why operators need shells on these machines (at least 20 characters). */
  readonly reason: string;
}

/** Result of matching an agent's needs against a site's pools. */
export interface PoolMatch {
  /** The pools that meet every need, in the site's order; empty when none does. */
  readonly pools: readonly NodePoolSpec[];
  /** Why each other pool was refused, e.g. `gpu: no GPUs`. */
  readonly refusals: readonly { readonly pool: string; readonly reasons: readonly string[] }[];
}

/** What one replica requests, checked against a pool's allocatable resources. */
export interface ReplicaRequests {
  /** CPU one replica requests. */
  readonly cpu: Cpu;
  /** Memory one replica requests. */
  readonly memory: Size;
}

/** Finds the pools of a site that meet an agent's needs. */
export function matchPools(
  needs: PlacementNeeds | undefined,
  gpus: number,
  pools: readonly NodePoolSpec[],
  subject = 'agent',
  requests?: ReplicaRequests,
): PoolMatch {
  const matched: NodePoolSpec[] = [];
  const refusals: { pool: string; reasons: string[] }[] = [];
  for (const pool of pools) {
    const reasons = [
      ...poolRefusals(needs ?? {}, gpus, pool, subject),
      ...(requests ? capacityRefusals(requests, pool) : []),
    ];
    if (reasons.length === 0) matched.push(pool);
    else refusals.push({ pool: pool.name, reasons });
  }
  return { pools: matched, refusals };
}

function poolRefusals(
  needs: PlacementNeeds,
  gpus: number,
  pool: NodePoolSpec,
  subject: string,
): string[] {
  const reasons: string[] = [];
  const arches = needs.arch ?? ['amd64'];
  const poolArch = pool.arch ?? 'amd64';
  if (!arches.includes(poolArch))
    reasons.push(`arch ${poolArch}, ${subject} needs ${arches.join(' or ')}`);
  const spot = needs.spot ?? 'never';
  const capacity = pool.capacity ?? 'on-demand';
  if (spot === 'never' && capacity === 'spot')
    reasons.push(`spot capacity, ${subject} does not allow spot`);
  if (spot === 'required' && capacity !== 'spot')
    reasons.push(`on-demand capacity, ${subject} requires spot`);
  if (gpus > 0) {
    if (!pool.gpu) reasons.push(`no GPUs, agent needs ${gpus}`);
    else {
      if (pool.gpu.count < gpus)
        reasons.push(`${pool.gpu.count} GPU(s) per node, agent needs ${gpus}`);
      if (needs.gpuModel && pool.gpu.model !== needs.gpuModel) {
        reasons.push(`GPU model ${pool.gpu.model}, agent needs ${needs.gpuModel}`);
      }
    }
  } else if (pool.gpu) {
    reasons.push('GPU nodes are kept for agents that request GPUs');
  }
  for (const [key, value] of Object.entries(needs.labels ?? {})) {
    const actual = pool.labels?.[key];
    if (actual !== value)
      reasons.push(`label ${key}=${actual ?? '(none)'}, agent needs ${key}=${value}`);
  }
  return reasons;
}

/** Why one replica does not fit a node of the pool, when the pool says what a node offers. */
function capacityRefusals(requests: ReplicaRequests, pool: NodePoolSpec): string[] {
  const reasons: string[] = [];
  const basis = pool.allocatable?.basis ? ` (${pool.allocatable.basis})` : '';
  const cpu = pool.allocatable?.cpu;
  if (cpu && !requests.cpu.isAtMost(cpu)) {
    reasons.push(
      `a node offers ${cpu.toKubernetes()} CPU${basis}, one replica requests ${requests.cpu.toKubernetes()}`,
    );
  }
  const memory = pool.allocatable?.memory;
  if (memory && !requests.memory.isAtMost(memory)) {
    reasons.push(
      `a node offers ${memory.toKubernetes()} memory${basis}, one replica requests ${requests.memory.toKubernetes()}`,
    );
  }
  return reasons;
}

/**
 * Problems of a pool declaration: a whole number of GPUs, the pool label left
 * to the fleet, label keys and values and taints as Kubernetes accepts them,
 * one taint per key (a cluster autoscaler's node template holds one taint per
 * key).
 * @param setsLabels the fleet builds the pool and sets its labels through the
 *   kubelet (EKS, AKS), which may not set keys reserved to Kubernetes; on a
 *   cluster the user runs, the labels describe nodes as they are
 */
export function nodePoolProblems(pool: NodePoolSpec, setsLabels = false): Problem[] {
  const problems: Problem[] = [];
  if (pool.gpu && (!Number.isInteger(pool.gpu.count) || pool.gpu.count < 1)) {
    problems.push({
      path: ['gpu', 'count'],
      message: `${pool.gpu.count} must be a whole number >= 1`,
    });
  }
  const declared = pool.labels?.[POOL_LABEL];
  if (declared !== undefined && declared !== pool.name) {
    problems.push({
      path: ['labels', POOL_LABEL],
      message: `'${declared}' differs from the pool name '${pool.name}': leave the label out, it is set from the name`,
    });
  }
  for (const [key, value] of Object.entries(pool.labels ?? {})) {
    const keyProblems = qualifiedNameProblems(key, 'label key');
    if (keyProblems.length === 0 && setsLabels && isReservedLabelKey(key)) {
      keyProblems.push(
        `'${key}' is reserved to Kubernetes: a kubelet may not set it on its own node (NodeRestriction), so the node would not join; use a key of your own domain, e.g. 'example.com/${key.split('/').pop()}'`,
      );
    }
    const valueProblems = labelValueProblems(value);
    for (const message of [...keyProblems, ...valueProblems]) {
      problems.push({ path: ['labels', key], message });
    }
  }
  const seen = new Set<string>();
  (pool.taints ?? []).forEach((taint, i) => {
    for (const message of taintProblems(taint)) {
      problems.push({ path: ['taints', i], message });
    }
    if (seen.has(taint.key)) {
      problems.push({
        path: ['taints', i, 'key'],
        message: `'${taint.key}' is tainted twice: one taint per key`,
      });
    }
    seen.add(taint.key);
  });
  return problems;
}

/** The taints an agent must tolerate to run on every pool it matched, deduplicated. */
export function tolerationsFor(pools: readonly NodePoolSpec[]): Taint[] {
  const seen = new Map<string, Taint>();
  for (const taint of pools.flatMap((pool) => pool.taints ?? [])) {
    seen.set(`${taint.key}=${taint.value ?? ''}:${taint.effect}`, taint);
  }
  return [...seen.values()];
}

/**
 * The pools an in-cluster broker may run on: on-demand, without GPUs, either
 * architecture (the official image has both).
 */
export function brokerPoolMatch(pools: readonly NodePoolSpec[]): PoolMatch {
  return matchPools({ arch: ['amd64', 'arm64'], spot: 'never' }, 0, pools, 'broker');
}

import { MACHINE_CATALOGUE } from '../model/machines';
import { aksNodeAllocatable, eksNodeAllocatable } from '../model/node-allocatable';
import type { SynthOutput } from '../output/load';
import type { ReviewedAgent, ReviewedFleet, ReviewedSite, StackJson } from '../output/schema';
import type { SimulatedAgent, SimulatedPool } from './engine';
import { NODE_PROVISIONING, provisioningKind } from './provisioning';
import {
  readReconcileScalers,
  readScalers,
  ReadScaler,
  RECONCILE_VARS_FILE,
  ScalerSpec,
} from './scalers';

/** Seconds a replica takes to be ready when its agent type does not say. */
export const DEFAULT_READY_SECONDS = 30;

/** The generated Ansible files of each hosts stack, by stack id, as the review reads them. */
export type AnsibleByStack = SynthOutput['ansible'];

/** An agent the simulation runs, and what it had to assume for it. */
export interface PreparedAgent {
  readonly spec: SimulatedAgent;
  /** What was assumed for want of `processing`, in words. @default - nothing assumed */
  readonly assumed?: string;
}

/** What an environment's output gives the simulation. */
export interface PreparedEnvironment {
  readonly agents: readonly PreparedAgent[];
  readonly pools: readonly SimulatedPool[];
  /** Agents on sites the simulation does not run, and why. */
  readonly skipped: readonly {
    readonly agent: string;
    readonly site: string;
    readonly why: string;
  }[];
}

/** What one node of a pool holds of an agent: its allocatable over the agent's requests. */
function podsPerNode(site: ReviewedSite, poolName: string, agent: ReviewedAgent): number {
  const pool = site.nodePools.find((candidate) => candidate.name === poolName);
  const type = pool?.instanceTypes[0];
  const machine = type ? MACHINE_CATALOGUE.machines[type] : undefined;
  if (!pool || !type || !machine) return Infinity;
  const allocatable =
    site.kind === 'azure'
      ? aksNodeAllocatable(type, machine, /(\d+\.\d+)/.exec(site.cluster)?.[1] ?? '1.30')
      : eksNodeAllocatable(type, machine);
  const { cpuMillis, memoryMiB, gpu } = agent.requests;
  const fits = [
    cpuMillis > 0 ? allocatable.cpu.millicores / cpuMillis : Infinity,
    memoryMiB > 0 ? allocatable.memory.bytes / 2 ** 20 / memoryMiB : Infinity,
    gpu > 0 ? (machine.gpus?.count ?? 0) / gpu : Infinity,
    allocatable.pods,
  ];
  return Math.max(0, Math.floor(Math.min(...fits)));
}

/**
 * Of the pools an agent may use, the one where a replica costs least (its
 * node's price over the replicas a node holds), as the cluster autoscaler's
 * `price` expander picks; unpriced pools by the most replicas a node holds;
 * the first listed on a tie.
 */
function cheapestPool(
  site: ReviewedSite,
  pools: readonly string[],
  agent: ReviewedAgent,
): { pool: string; podsPerNode: number } {
  const options = pools.map((name) => {
    const pool = site.nodePools.find((candidate) => candidate.name === name);
    const perNode = podsPerNode(site, name, agent);
    const hourly = pool && hourlyOf(pool.instanceTypes[0], pool.spot);
    const perReplica = hourly !== undefined && perNode > 0 ? hourly / perNode : Infinity;
    return { pool: `${site.name}/${name}`, podsPerNode: perNode, perReplica };
  });
  const order = (a: number, b: number) => (a === b ? 0 : a < b ? -1 : 1);
  const [best] = [...options].sort(
    (a, b) => order(a.perReplica, b.perReplica) || order(b.podsPerNode, a.podsPerNode),
  );
  return { pool: best.pool, podsPerNode: best.podsPerNode };
}

function hourlyOf(type: string | undefined, spot: boolean): number | undefined {
  const machine = type ? MACHINE_CATALOGUE.machines[type] : undefined;
  if (!machine) return undefined;
  return spot ? machine.price.spotHourly : machine.price.onDemandHourly;
}

function poolsOf(site: ReviewedSite): SimulatedPool[] {
  const kind = site.kind === 'aws' || site.kind === 'azure' ? site.kind : 'kubernetes';
  const provisioning = NODE_PROVISIONING[provisioningKind(kind)];
  return site.nodePools.map((pool) => {
    const fixed = !provisioning.provisions || pool.instanceTypes.length === 0;
    const hourly = hourlyOf(pool.instanceTypes[0], pool.spot);
    return {
      key: `${site.name}/${pool.name}`,
      minNodes: pool.minNodes ?? 0,
      maxNodes: fixed ? Infinity : (pool.maxNodes ?? pool.minNodes ?? 0),
      fixed,
      provisionSeconds: provisioning.seconds,
      ...(hourly !== undefined ? { hourly } : {}),
    };
  });
}

/** The scaled metric's target per replica, and what the load of the agent measures. */
function measureOf(scaler: ScalerSpec): { measures: 'backlog' | 'query'; target?: number } {
  switch (scaler.kind) {
    case 'keda': {
      const metric = scaler.triggers.find((trigger) => trigger.kind === 'metric');
      return metric?.kind === 'metric'
        ? { measures: metric.measures, target: metric.target }
        : { measures: 'backlog' };
    }
    case 'keda-job':
      return { measures: 'backlog', target: scaler.target };
    case 'asg':
      return { measures: 'backlog', target: scaler.targetPerInstance };
    case 'vmss':
      return {
        measures: 'backlog',
        target: scaler.rules.find((rule) => rule.direction === 'Increase')?.threshold,
      };
    case 'hpa':
      return { measures: 'backlog' };
    case 'reconcile':
      return { measures: 'query', target: scaler.targetPerInstance ?? undefined };
  }
}

/**
 * Each agent of an environment with the scaler its stacks deploy, what one
 * replica processes (from `fleet.json`, or assumed: a queue or topic agent
 * clears its target per replica in a minute; a query agent handles its
 * target; a utilization-scaled agent one request a second; ready after 30 s),
 * and the node pool it runs on (the first of its pools) or its own machines.
 * An agent on warm servers scales by its hosts stack's reconcile vars
 * (`ansible`): its load is its Prometheus signal, and its instances start on
 * servers already running (no provisioning, no price per hour; its nodes
 * are its instances).
 * @param ansible the Ansible files of each hosts stack, by stack id
 *   @default - none: warm-server agents are not simulated
 */
export function prepareEnvironment(
  fleet: ReviewedFleet,
  stacks: ReadonlyMap<string, StackJson>,
  ansible?: AnsibleByStack,
): PreparedEnvironment {
  const scalers = new Map<string, ReadScaler>();
  // The longest name that prefixes the stack id: `prod-nebraska-warm-hosts` is nebraska-warm's, not nebraska's.
  const siteOf = (stackId: string) =>
    fleet.sites
      .filter((s) => stackId.startsWith(`${fleet.environment}-${s.name}-`))
      .reduce<ReviewedSite | undefined>(
        (best, s) => (best && best.name.length >= s.name.length ? best : s),
        undefined,
      );
  for (const stackId of fleet.stacks) {
    const site = siteOf(stackId);
    const stack = stacks.get(stackId);
    const read = [
      ...(stack ? readScalers(stack) : []),
      ...readReconcileScalers(ansible?.get(stackId)?.files ?? new Map<string, string>()),
    ];
    for (const [agent, scaler] of read) {
      if (site) scalers.set(`${agent}@${site.name}`, scaler);
    }
  }
  const agents: PreparedAgent[] = [];
  const skipped: { agent: string; site: string; why: string }[] = [];
  for (const agent of fleet.agents) {
    const site = fleet.sites.find((candidate) => candidate.name === agent.site);
    const read = scalers.get(`${agent.agent}@${agent.site}`);
    const skip = (why: string) => skipped.push({ agent: agent.agent, site: agent.site, why });
    if (!site) {
      skip('its site is not in fleet.json');
      continue;
    }
    if (!read) {
      skip(
        agent.autoscaler === 'reconcile'
          ? `its hosts stack's ${RECONCILE_VARS_FILE} gives no scaling for it`
          : `it has no autoscaler (${agent.autoscaler})`,
      );
      continue;
    }
    if ('unsupported' in read) {
      skip(read.unsupported);
      continue;
    }
    if (
      read.scaler.kind !== 'reconcile' &&
      agent.placement.kind === 'pools' &&
      agent.placement.pools.length === 0
    ) {
      skip('it has no node pool');
      continue;
    }
    const { measures, target } = measureOf(read.scaler);
    const declared = agent.processing;
    const assumedRate = target === undefined ? 1 : measures === 'query' ? target : target / 60;
    const perReplica = declared?.perReplicaPerSecond ?? assumedRate;
    const readySeconds = declared?.readySeconds ?? DEFAULT_READY_SECONDS;
    const assumed = declared
      ? undefined
      : `no processing declared: ${perReplica.toPrecision(3)}/s per replica (${
          target === undefined
            ? 'one request a second'
            : measures === 'query'
              ? 'its target per replica'
              : 'its target per replica in a minute'
        }), ready after ${readySeconds}s`;
    const signal = agent.source?.name ?? agent.agent;
    const placement: SimulatedAgent['placement'] =
      read.scaler.kind === 'reconcile'
        ? { kind: 'machines', provisionSeconds: 0 }
        : agent.placement.kind === 'pools'
          ? {
              kind: 'pool',
              ...cheapestPool(site, agent.placement.pools, agent),
            }
          : {
              kind: 'machines',
              provisionSeconds:
                NODE_PROVISIONING[provisioningKind(site.kind === 'azure' ? 'azure' : 'aws', true)]
                  .seconds,
              ...(() => {
                const hourly = hourlyOf(agent.placement.instanceType, false);
                return hourly !== undefined ? { hourly } : {};
              })(),
            };
    if (placement.kind === 'pool' && placement.podsPerNode === 0) {
      skip(
        `one replica does not fit a node of pool ${agent.placement.kind === 'pools' ? agent.placement.pools[0] : ''}`,
      );
      continue;
    }
    agents.push({
      spec: {
        agent: agent.agent,
        site: agent.site,
        signal,
        scaler: read.scaler,
        measures,
        perReplica,
        readySeconds,
        placement,
      },
      ...(assumed ? { assumed } : {}),
    });
  }
  return { agents, pools: fleet.sites.flatMap(poolsOf), skipped };
}

import {
  AsgAutoscaler,
  HPA_SYNC_SECONDS,
  Observation,
  Autoscaler,
  KedaAutoscaler,
  NativeHpaAutoscaler,
  ReconcileAutoscaler,
  ScaledJobAutoscaler,
  VmssAutoscaler,
} from './autoscalers';
import type { LoadSeries } from './load';
import { CLUSTER_AUTOSCALER } from './provisioning';
import type { ScalerSpec } from './scalers';

/** One agent on one site, as the simulation runs it. */
export interface SimulatedAgent {
  readonly agent: string;
  readonly site: string;
  /** The signal its load is read from: its queue or topic, else the agent's name. */
  readonly signal: string;
  readonly scaler: ScalerSpec;
  /**
   * What the load is: `backlog`, messages arriving per second that replicas
   * work off; `query`, the value of the Prometheus query it scales on.
   */
  readonly measures: 'backlog' | 'query';
  /** Work one ready replica completes per second. */
  readonly perReplica: number;
  /** Seconds from a replica's start on a node with room to ready. */
  readonly readySeconds: number;
  /** A node pool it shares, or machines of its own (a scaling group). */
  readonly placement:
    | { readonly kind: 'pool'; readonly pool: string; readonly podsPerNode: number }
    | {
        readonly kind: 'machines';
        readonly provisionSeconds: number;
        /** Price of one machine per hour. @default - no price */
        readonly hourly?: number;
      };
}

/** A node pool of a site, as the cluster autoscaler sizes it. */
export interface SimulatedPool {
  /** `<site>/<pool>`. */
  readonly key: string;
  readonly minNodes: number;
  readonly maxNodes: number;
  /** Whether its nodes are fixed (a cluster the user runs): nothing is added or removed. */
  readonly fixed: boolean;
  /** Seconds from a scale-up to a node ready. */
  readonly provisionSeconds: number;
  /** Price of one node per hour. @default - no price */
  readonly hourly?: number;
}

/** How long, how fine, from when, and what fails. */
export interface SimulationOptions {
  readonly durationSeconds: number;
  /**
   * The simulation's step. @default - the controllers' own step: the
   * greatest common divisor of the HPA's sync period (15 s), every KEDA
   * polling interval and the scaling groups' minute
   */
  readonly stepSeconds?: number;
  /** Seconds between the samples kept for charts. @default 60 */
  readonly sampleSeconds?: number;
  /** The start, in epoch milliseconds, for cron windows. */
  readonly startMs: number;
  /** Intervals, in seconds from the start, in which every metric source fails. @default - none */
  readonly outages?: readonly (readonly [number, number])[];
}

/** A stretch of time in which a limit held an agent back. */
export interface HeldBack {
  /** `max`: its maximum replicas; `pool`: its node pool at its most nodes (or fixed nodes full). */
  readonly limit: 'max' | 'pool';
  /** Seconds from the start. */
  readonly from: number;
  readonly to: number;
}

/** The figures of one agent's run. */
export interface RunSummary {
  readonly peakBacklog: number;
  /** Seconds from the start. */
  readonly peakBacklogAt: number;
  /** The longest a unit of work waited in the backlog (first in, first out), in seconds. @default - not a backlog */
  readonly longestWaitSeconds?: number;
  /**
   * Seconds from the backlog's peak until it is back within 5% of the rise
   * above where it was before. @default - not drained by the end, or no rise
   */
  readonly drainSeconds?: number;
  /** Whether the backlog rose and did not drain by the end. */
  readonly undrained: boolean;
  readonly peakReplicas: number;
  readonly peakNodes: number;
  readonly replicaHours: number;
  /** The agent's share of nodes (or its machines), in node-hours. */
  readonly nodeHours: number;
  /** Node-hours priced. @default - no price */
  readonly cost?: number;
  readonly heldBack: readonly HeldBack[];
}

/** One agent's run: samples for charts and its figures. */
export interface AgentRun {
  readonly agent: string;
  readonly site: string;
  /** Sample times, seconds from the start. */
  readonly times: Float64Array;
  /** Highest backlog (or query value) within each sample. */
  readonly backlog: Float64Array;
  /** Ready replicas at each sample. */
  readonly replicas: Float64Array;
  /** The agent's nodes (or machines) at each sample. */
  readonly nodes: Float64Array;
  readonly summary: RunSummary;
}

/** The mutable state of one agent. */
interface AgentState {
  readonly spec: SimulatedAgent;
  readonly load: LoadSeries;
  readonly autoscaler: Autoscaler;
  desired: number;
  /** Pods (or machines) not yet placed. */
  pending: number;
  /** Times at which started pods become ready, ascending. */
  starting: number[];
  ready: number;
  backlog: number;
  busy: number;
  arrived: number;
  served: number;
  /** Arrival checkpoints (time, cumulative arrivals); those from `checkpointHead` on still wait. */
  checkpoints: number[];
  checkpointHead: number;
  longestWait: number;
  peakBacklog: number;
  peakBacklogAt: number;
  /** Lowest backlog so far, and before the current peak. */
  lowest: number;
  floorBeforePeak: number;
  drainedAt: number | undefined;
  peakReplicas: number;
  peakNodes: number;
  replicaSeconds: number;
  nodeSeconds: number;
  held: { max?: number; pool?: number };
  heldBack: HeldBack[];
  sampleMax: number;
}

interface PoolState {
  readonly spec: SimulatedPool;
  readonly agents: AgentState[];
  ready: number;
  provisioning: number[];
  lastScaleUp: number;
  unneededSince: number | undefined;
}

function autoscalerOf(scaler: ScalerSpec, options: SimulationOptions): Autoscaler {
  switch (scaler.kind) {
    case 'keda':
      return new KedaAutoscaler(scaler, options.startMs, options.durationSeconds);
    case 'hpa':
      return new NativeHpaAutoscaler(scaler);
    case 'keda-job':
      return new ScaledJobAutoscaler(scaler);
    case 'asg':
      return new AsgAutoscaler(scaler);
    case 'vmss':
      return new VmssAutoscaler(scaler);
    case 'reconcile':
      return new ReconcileAutoscaler(scaler);
  }
}

function initialReplicas(scaler: ScalerSpec): number {
  switch (scaler.kind) {
    case 'keda-job':
      return 0;
    case 'vmss':
      return scaler.defaultReplicas;
    default:
      return scaler.minReplicas;
  }
}

/**
 * Replays load through each agent's autoscaler, its pods' readiness and its
 * node pool's cluster autoscaler, one step at a time. Every agent starts at
 * its initial replicas, ready, with an empty backlog and its pool at the
 * nodes they need (at least its minimum).
 *
 * Per step, for each agent: arrivals join its backlog and its ready replicas
 * work it off at `perReplica` each (a query agent's backlog is the query's
 * value); its autoscaler decides; pods are added (pending) or removed
 * (pending first, then starting, then ready). Per pool: pending pods are
 * placed where its ready nodes have room (a pod takes `1 / podsPerNode` of
 * a node, so each agent's pods pack whole and different agents share
 * nodes; the agent's nodes are its pods' share); every scan interval the cluster
 * autoscaler asks for the nodes pending pods need, up to the pool's maximum,
 * ready after its provisioning time, and removes nodes unneeded for
 * `scale-down-unneeded-time` once `scale-down-delay-after-add` has passed.
 * Machines of a scaling group start on their own and are ready after the
 * group's provisioning time plus the agent's.
 */
export function simulate(
  agents: readonly { readonly spec: SimulatedAgent; readonly load: LoadSeries }[],
  pools: readonly SimulatedPool[],
  options: SimulationOptions,
): AgentRun[] {
  const step = options.stepSeconds ?? controllerStep(agents.map(({ spec }) => spec.scaler));
  const sampleEvery = options.sampleSeconds ?? 60;
  const steps = Math.floor(options.durationSeconds / step);
  const samples = Math.floor(options.durationSeconds / sampleEvery) + 1;
  const scan = CLUSTER_AUTOSCALER.scanInterval.seconds;
  const unneeded = CLUSTER_AUTOSCALER.scaleDownUnneededTime.seconds;
  const delayAfterAdd = CLUSTER_AUTOSCALER.scaleDownDelayAfterAdd.seconds;
  const outages = options.outages ?? [];

  const states: AgentState[] = agents.map(({ spec, load }) => {
    const replicas = initialReplicas(spec.scaler);
    return {
      spec,
      load,
      autoscaler: autoscalerOf(spec.scaler, options),
      desired: replicas,
      pending: 0,
      starting: [],
      ready: replicas,
      backlog: 0,
      busy: 0,
      arrived: 0,
      served: 0,
      checkpoints: [],
      checkpointHead: 0,
      longestWait: 0,
      peakBacklog: 0,
      peakBacklogAt: 0,
      lowest: Infinity,
      floorBeforePeak: 0,
      drainedAt: undefined,
      peakReplicas: replicas,
      peakNodes: 0,
      replicaSeconds: 0,
      nodeSeconds: 0,
      held: {},
      heldBack: [],
      sampleMax: 0,
    };
  });
  const poolStates = new Map<string, PoolState>(
    pools.map((pool) => [
      pool.key,
      {
        spec: pool,
        agents: [],
        ready: 0,
        provisioning: [],
        lastScaleUp: -Infinity,
        unneededSince: undefined,
      },
    ]),
  );
  for (const state of states) {
    const placement = state.spec.placement;
    if (placement.kind !== 'pool') continue;
    const pool = poolStates.get(placement.pool);
    if (!pool)
      throw new Error(`agent '${state.spec.agent}' runs on unknown pool '${placement.pool}'`);
    pool.agents.push(state);
  }
  for (const pool of poolStates.values()) {
    const needed = wholeNodes(pool.agents.reduce((sum, a) => sum + a.ready * shareOf(a), 0));
    pool.ready = pool.spec.fixed ? pool.spec.maxNodes : Math.max(pool.spec.minNodes, needed);
  }

  const runs = states.map((state) => ({
    times: new Float64Array(samples),
    backlog: new Float64Array(samples),
    replicas: new Float64Array(samples),
    nodes: new Float64Array(samples),
    state,
  }));
  const record = (index: number, t: number) => {
    for (const run of runs) {
      run.times[index] = t;
      run.backlog[index] = run.state.sampleMax;
      run.replicas[index] = run.state.ready;
      run.nodes[index] = nodesOf(run.state);
      run.state.sampleMax = run.state.backlog;
    }
  };
  record(0, 0);

  const observation: { -readonly [K in keyof Observation]: Observation[K] } = {
    t: 0,
    desired: 0,
    ready: 0,
    metric: 0,
    busy: 0,
    outage: false,
  };
  for (let i = 1; i <= steps; i++) {
    const t = i * step;
    const outage = outages.some(([from, to]) => t >= from && t < to);
    for (const state of states) {
      advanceWork(state, t, step);
      // One observation object for every agent and step: millions of them otherwise.
      observation.t = t;
      observation.desired = state.desired;
      observation.ready = state.ready;
      observation.metric = state.backlog;
      observation.busy = state.busy;
      observation.outage = outage;
      const decision = state.autoscaler.decide(observation);
      if (decision.cappedByMax !== undefined) track(state, 'max', decision.cappedByMax, t);
      resize(state, decision.desired);
      const scaler = state.spec.scaler;
      if (scaler.kind === 'keda-job') {
        // A Job takes `target` messages and ends when they are done: Jobs past those the backlog needs have ended.
        const needed = Math.ceil(state.backlog / scaler.target);
        if (state.desired > needed) resize(state, needed);
      }
      if (state.spec.placement.kind === 'machines') {
        // A machine of a scaling group is placed at once and counted when its boot and start are done.
        const boot = state.spec.placement.provisionSeconds + state.spec.readySeconds;
        while (state.pending > 0) {
          state.starting.push(t + boot);
          state.pending--;
        }
      }
    }
    for (const pool of poolStates.values()) {
      while (pool.provisioning.length > 0 && pool.provisioning[0] <= t) {
        pool.provisioning.shift();
        pool.ready++;
      }
      place(pool, t);
      // The cluster autoscaler scans at the first step of each of its intervals.
      const scans = Math.floor(t / scan) !== Math.floor((t - step) / scan);
      if (!pool.spec.fixed && scans) autoscaleNodes(pool, t, unneeded, delayAfterAdd);
      const full = pool.agents.some((a) => a.pending > 0) && atMost(pool);
      for (const agent of pool.agents) track(agent, 'pool', full && agent.pending > 0, t);
    }
    for (const state of states) {
      while (state.starting.length > 0 && state.starting[0] <= t) {
        state.starting.shift();
        state.ready++;
      }
      const pods = state.ready + state.starting.length;
      state.replicaSeconds += pods * step;
      const nodes = nodesOf(state);
      state.nodeSeconds += nodes * step;
      if (pods > state.peakReplicas) state.peakReplicas = pods;
      if (nodes > state.peakNodes) state.peakNodes = nodes;
      if (state.backlog > state.sampleMax) state.sampleMax = state.backlog;
    }
    if (t % sampleEvery === 0) record(t / sampleEvery, t);
  }

  const end = steps * step;
  return runs.map(({ times, backlog, replicas, nodes, state }) => {
    for (const limit of ['max', 'pool'] as const) track(state, limit, false, end);
    const placement = state.spec.placement;
    const hourly =
      placement.kind === 'machines'
        ? placement.hourly
        : poolStates.get(placement.pool)?.spec.hourly;
    const rose = state.peakBacklog > state.floorBeforePeak;
    return {
      agent: state.spec.agent,
      site: state.spec.site,
      times,
      backlog,
      replicas,
      nodes,
      summary: {
        peakBacklog: state.peakBacklog,
        peakBacklogAt: state.peakBacklogAt,
        ...(state.spec.measures === 'backlog' ? { longestWaitSeconds: state.longestWait } : {}),
        ...(rose && state.drainedAt !== undefined
          ? { drainSeconds: state.drainedAt - state.peakBacklogAt }
          : {}),
        undrained: rose && state.drainedAt === undefined,
        peakReplicas: state.peakReplicas,
        peakNodes: state.peakNodes,
        replicaHours: state.replicaSeconds / 3600,
        nodeHours: state.nodeSeconds / 3600,
        ...(hourly !== undefined ? { cost: (state.nodeSeconds / 3600) * hourly } : {}),
        heldBack: state.heldBack,
      },
    };
  });
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The longest step at which every controller of the agents acts on time. */
export function controllerStep(scalers: readonly ScalerSpec[]): number {
  let step = HPA_SYNC_SECONDS;
  for (const scaler of scalers) {
    const period =
      scaler.kind === 'keda' || scaler.kind === 'keda-job'
        ? scaler.pollingSeconds
        : scaler.kind === 'reconcile'
          ? scaler.intervalSeconds
          : 60;
    if (Number.isInteger(period) && period > 0) step = gcd(step, period);
  }
  return step;
}

/**
 * What one pod takes of a node: `1 / podsPerNode` (0 on a pool of unknown
 * node size, where pods always fit); a machine of a scaling group is whole.
 */
function shareOf(state: AgentState): number {
  const placement = state.spec.placement;
  return placement.kind === 'pool' ? 1 / placement.podsPerNode : 1;
}

/** Nodes that hold a sum of shares, a hair of rounding aside. */
const wholeNodes = (shares: number) => Math.ceil(shares - 1e-9);

/** The agent's nodes: its placed pods' share of its pool's nodes, or its machines. */
function nodesOf(state: AgentState): number {
  return (state.ready + state.starting.length) * shareOf(state);
}

/** The shares of a pool's placed pods, and with its pending ones. */
function poolShares(pool: PoolState): { placed: number; wanted: number } {
  let placed = 0;
  let wanted = 0;
  for (const agent of pool.agents) {
    const share = shareOf(agent);
    placed += (agent.ready + agent.starting.length) * share;
    wanted += (agent.ready + agent.starting.length + agent.pending) * share;
  }
  return { placed, wanted };
}

/** Arrivals, work done by the ready replicas, and the figures that follow the backlog. */
function advanceWork(state: AgentState, t: number, step: number): void {
  const spec = state.spec;
  const load = Math.max(0, state.load(t));
  if (spec.measures === 'query') {
    state.backlog = load;
    state.busy = state.ready > 0 ? Math.min(1, load / (state.ready * spec.perReplica)) : 1;
  } else {
    const arriving = load * step;
    const capacity = state.ready * spec.perReplica * step;
    const waiting = state.backlog + arriving;
    const served = Math.min(waiting, capacity);
    state.busy = capacity > 0 ? served / capacity : 1;
    state.backlog = waiting - served;
    state.arrived += arriving;
    state.served += served;
    // Work arriving in a step that ends with nothing waiting waited no longer than the step.
    if (arriving > 0 && state.backlog > 1e-9) state.checkpoints.push(t, state.arrived);
    // First in, first out: work that arrived by a checkpoint is done once as much has been served.
    const checkpoints = state.checkpoints;
    let head = state.checkpointHead;
    while (head < checkpoints.length && checkpoints[head + 1] <= state.served + 1e-9) {
      const wait = t - checkpoints[head];
      if (wait > state.longestWait) state.longestWait = wait;
      head += 2;
    }
    if (head < checkpoints.length) {
      const waiting = t - checkpoints[head];
      if (waiting > state.longestWait) state.longestWait = waiting;
    }
    // Served checkpoints are dropped in bulk, so that a long backlog costs no copying per step.
    if (head >= 4096 || head === checkpoints.length) {
      checkpoints.splice(0, head);
      head = 0;
    }
    state.checkpointHead = head;
  }
  if (state.backlog < state.lowest) state.lowest = state.backlog;
  if (state.backlog > state.peakBacklog) {
    state.peakBacklog = state.backlog;
    state.peakBacklogAt = t;
    state.floorBeforePeak = state.lowest;
    state.drainedAt = undefined;
  } else if (state.drainedAt === undefined && state.peakBacklog > state.floorBeforePeak) {
    const within = state.floorBeforePeak + 0.05 * (state.peakBacklog - state.floorBeforePeak);
    if (state.backlog <= within) state.drainedAt = t;
  }
}

/** Pods to the decided count: new ones pending; removed pending first, then starting (newest first), then ready. */
function resize(state: AgentState, desired: number): void {
  let pods = state.pending + state.starting.length + state.ready;
  state.desired = desired;
  if (desired > pods) {
    state.pending += desired - pods;
    return;
  }
  while (pods > desired && state.pending > 0) {
    state.pending--;
    pods--;
  }
  while (pods > desired && state.starting.length > 0) {
    state.starting.pop();
    pods--;
  }
  if (pods > desired) state.ready -= pods - desired;
}

/** Pending pods placed, in the agents' order, where the pool's ready nodes have room. */
function place(pool: PoolState, t: number): void {
  let free = pool.ready - poolShares(pool).placed;
  for (const agent of pool.agents) {
    if (agent.pending === 0) continue;
    const share = shareOf(agent);
    // Pods of a pool whose node size is unknown (a cluster the user runs) always find room.
    const room = share === 0 ? agent.pending : Math.floor((Math.max(0, free) + 1e-9) / share);
    const now = Math.min(agent.pending, room);
    if (now === 0) continue;
    for (let k = 0; k < now; k++) agent.starting.push(t + agent.spec.readySeconds);
    agent.pending -= now;
    free -= now * share;
  }
}

/** Whether the pool can grow no more. */
function atMost(pool: PoolState): boolean {
  return pool.spec.fixed || pool.ready + pool.provisioning.length >= pool.spec.maxNodes;
}

/** One scan of the cluster autoscaler over a pool. */
function autoscaleNodes(pool: PoolState, t: number, unneeded: number, delayAfterAdd: number): void {
  const shares = poolShares(pool);
  const used = wholeNodes(shares.placed);
  const wanted = wholeNodes(shares.wanted);
  const coming = pool.ready + pool.provisioning.length;
  if (wanted > coming) {
    const add = Math.min(wanted, pool.spec.maxNodes) - coming;
    for (let k = 0; k < add; k++) pool.provisioning.push(t + pool.spec.provisionSeconds);
    if (add > 0) pool.lastScaleUp = t;
    pool.unneededSince = undefined;
    return;
  }
  const floor = Math.max(pool.spec.minNodes, used);
  if (pool.ready <= floor) {
    pool.unneededSince = undefined;
    return;
  }
  pool.unneededSince ??= t;
  if (t - pool.unneededSince >= unneeded && t - pool.lastScaleUp >= delayAfterAdd) {
    pool.ready = floor;
    pool.unneededSince = undefined;
  }
}

/** Opens or closes a stretch in which a limit holds the agent back. */
function track(state: AgentState, limit: 'max' | 'pool', holding: boolean, t: number): void {
  const since = state.held[limit];
  if (holding && since === undefined) state.held[limit] = t;
  if (!holding && since !== undefined) {
    state.heldBack.push({ limit, from: since, to: t });
    state.held[limit] = undefined;
  }
}

import { AgentSpec } from './agent-spec';
import { HostPoolSpec, HostServerSpec, HostsSiteSpec, hostPoolView } from './hosts-site';
import { matchPools } from './placement';
import { ResolvedAgent, resolveAgent } from './resolve';

/**
 * Where an agent's instances run on a hosts site, decided at synth: an
 * ordered list of slots, each a server and the instance number there. An
 * agent running `n` instances runs exactly its first `n` slots, so a
 * scale-out starts the next slot and a scale-in drains the last one.
 */
export interface InstanceSlot {
  /** The server, by inventory name. */
  readonly server: string;
  /** The instance on that server, from 1: the systemd instance `agent-<name>@<n>`. */
  readonly instance: number;
  /** Indices of the server's GPUs the instance gets, as CDI devices. */
  readonly gpus: readonly number[];
}

/** One agent on a hosts site. */
export interface PlannedHostsAgent {
  /** The agent, resolved. */
  readonly agent: ResolvedAgent;
  /** The pools whose servers meet its needs, in the site's order. */
  readonly pools: readonly string[];
  /** Its slots in start order: first its minimum, then up to its maximum as room allows. */
  readonly slots: readonly InstanceSlot[];
}

/** What a hosts site's stack and playbooks are built from. */
export interface HostsPlan {
  /** Name of the environment. */
  readonly environment: string;
  /** The site. */
  readonly site: HostsSiteSpec;
  /** The site's agents, in the environment's order. */
  readonly agents: readonly PlannedHostsAgent[];
  /** Why an agent's minimum does not fit the servers: synth fails on each. */
  readonly errors: readonly HostsCapacityProblem[];
  /** Why an agent's maximum cannot be reached: reported, and the maximum is what fits. */
  readonly warnings: readonly HostsCapacityProblem[];
}

/** A capacity problem of one agent on a hosts site. */
export interface HostsCapacityProblem {
  /** Name of the agent type. */
  readonly agent: string;
  /** What does not fit, and what the servers have left. */
  readonly message: string;
}

interface ServerRoom {
  readonly server: HostServerSpec;
  readonly pool: HostPoolSpec;
  cpuMillis: number;
  memoryBytes: number;
  nextGpu: number;
  readonly instances: Map<string, number>;
  /** Host ports taken, with the agent that took each. */
  readonly ports: Map<number, string>;
}

/**
 * Resolves the site's agents once and places them on its servers: every agent's minimum first, in
 * the environment's order, then each agent up to its maximum. Each instance
 * goes to the server of its pools that runs the fewest of its instances
 * (spreading them), in the pools' and servers' order, among those with room:
 * CPU and memory requests (as the scheduler counts them on a cluster), whole
 * GPUs, the pool's `instancesPerAgent`, and free host ports for the
 * instance's published ports. An agent whose minimum does not fit is an
 * error; one whose maximum does not is a warning, and runs at most its slots.
 */
export function planHostsSite(
  environment: string,
  site: HostsSiteSpec,
  agents: readonly AgentSpec[],
): HostsPlan {
  const rooms = site.pools.flatMap((pool) =>
    pool.servers.map((server): ServerRoom => ({
      server,
      pool,
      cpuMillis: server.cpu.millicores,
      memoryBytes: server.memory.bytes,
      nextGpu: 0,
      instances: new Map(),
      ports: new Map(),
    })),
  );
  const views = site.pools.map(hostPoolView);
  const planned = agents.map(resolveAgent).map((agent) => {
    const { spec } = agent;
    const match = matchPools(spec.placement, agent.resources.gpu, views, 'agent', {
      cpu: agent.resources.requests.cpu,
      memory: agent.resources.requests.memory,
    });
    return { agent, pools: match.pools.map((pool) => pool.name), slots: [] as InstanceSlot[] };
  });
  const errors: HostsCapacityProblem[] = [];
  const warnings: HostsCapacityProblem[] = [];
  const bounds = (agent: ResolvedAgent) => {
    const scaling = agent.spec.scaling;
    return { min: scaling?.minReplicas ?? 1, max: scaling?.maxReplicas ?? 1 };
  };
  const placeUpTo = (entry: (typeof planned)[number], target: number): boolean => {
    while (entry.slots.length < target) {
      const slot = placeOne(entry.agent, entry.pools, rooms);
      if (!slot) return false;
      entry.slots.push(slot);
    }
    return true;
  };
  for (const entry of planned) {
    const { min } = bounds(entry.agent);
    if (entry.pools.length > 0 && !placeUpTo(entry, min)) {
      errors.push({
        agent: entry.agent.spec.name,
        message: `agent '${entry.agent.spec.name}' needs ${min} instance(s) at its minimum, but the servers of ${entry.pools.join(', ')} hold ${entry.slots.length} beside the agents before it (${roomOf(rooms, entry.pools)})`,
      });
    }
  }
  for (const entry of planned) {
    const { max } = bounds(entry.agent);
    if (entry.pools.length > 0 && !placeUpTo(entry, max)) {
      warnings.push({
        agent: entry.agent.spec.name,
        message: `agent '${entry.agent.spec.name}' can run ${entry.slots.length} of its ${max} maximum instance(s) on ${entry.pools.join(', ')} (${roomOf(rooms, entry.pools)})`,
      });
    }
  }
  return { environment, site, agents: planned, errors, warnings };
}

/** The host port instance `instance` publishes container port `port` at. */
export function publishedPort(port: number, instance: number): number {
  return port + instance - 1;
}

function placeOne(
  agent: ResolvedAgent,
  pools: readonly string[],
  rooms: readonly ServerRoom[],
): InstanceSlot | undefined {
  const name = agent.spec.name;
  const cpu = agent.resources.requests.cpu.millicores;
  const memory = agent.resources.requests.memory.bytes;
  const gpus = agent.resources.gpu;
  const ports = Object.values(agent.spec.container.ports ?? {});
  const candidates = rooms
    .filter((room) => pools.includes(room.pool.name))
    .filter((room) => {
      const instance = (room.instances.get(name) ?? 0) + 1;
      return (
        instance <= (room.pool.instancesPerAgent ?? 1) &&
        room.cpuMillis >= cpu &&
        room.memoryBytes >= memory &&
        (room.server.gpu?.count ?? 0) - room.nextGpu >= gpus &&
        ports.every((port) => !room.ports.has(publishedPort(port, instance)))
      );
    });
  const room = candidates.reduce<ServerRoom | undefined>(
    (best, next) =>
      !best || (next.instances.get(name) ?? 0) < (best.instances.get(name) ?? 0) ? next : best,
    undefined,
  );
  if (!room) return undefined;
  const instance = (room.instances.get(name) ?? 0) + 1;
  room.instances.set(name, instance);
  room.cpuMillis -= cpu;
  room.memoryBytes -= memory;
  for (const port of ports) room.ports.set(publishedPort(port, instance), name);
  const slot = {
    server: room.server.name,
    instance,
    gpus: Array.from({ length: gpus }, (_, i) => room.nextGpu + i),
  };
  room.nextGpu += gpus;
  return slot;
}

/** What the servers of some pools have left, for messages. */
function roomOf(rooms: readonly ServerRoom[], pools: readonly string[]): string {
  return rooms
    .filter((room) => pools.includes(room.pool.name))
    .map(
      (room) =>
        `${room.server.name}: ${room.cpuMillis}m CPU, ${Math.floor(room.memoryBytes / 2 ** 20)}Mi left`,
    )
    .join('; ');
}

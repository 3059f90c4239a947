import * as fs from 'fs';
import * as path from 'path';
import type { AgentReport, FleetReport, PoolReport } from '../stacks/fleet-report';
import { ReviewError } from './load';

/** Hours in a month, as cloud price calculators count them. */
export const HOURS_PER_MONTH = 730;

/** The repository's price table. */
export const PRICES_FILE = path.join(__dirname, 'prices.json');

/** List prices of one instance or VM type, per hour. */
export interface InstancePrice {
  /** Region the price was recorded in. */
  readonly region?: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** GPUs per instance. @default 0 */
  readonly gpu?: number;
  readonly onDemandHourly: number;
  readonly spotHourly: number;
}

/** A dated table of list prices (`review/prices.json`). */
export interface PriceTable {
  readonly date: string;
  /** Where the prices come from. */
  readonly source: string;
  readonly currency: string;
  readonly instances: Readonly<Record<string, InstancePrice>>;
}

/** One way a replica can be billed: a share of a node of a pool, or a machine of its own. */
export interface CostOption {
  /** @default - none: a scaling group's machine */
  readonly pool?: string;
  readonly instanceType: string;
  readonly capacity: 'on-demand' | 'spot';
  /** Share of one node a replica takes, by CPU, memory or GPU requests (1 for a machine of its own). */
  readonly share: number;
  /** Price of one replica per hour. */
  readonly hourly: number;
}

/** Cost of one agent type on one site. */
export interface SiteCost {
  readonly site: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Cheapest option, priced at the minimum replicas. @default - unpriced */
  readonly cheapest?: CostOption;
  /** Dearest option, priced at the maximum replicas. @default - unpriced */
  readonly dearest?: CostOption;
  readonly minMonthly: number;
  readonly maxMonthly: number;
  /** Why there is no price, e.g. an on-prem pool. @default - priced */
  readonly unpriced?: string;
}

/** Monthly cost range of one agent type over its sites. */
export interface AgentCost {
  readonly agent: string;
  readonly sites: readonly SiteCost[];
  readonly minMonthly: number;
  readonly maxMonthly: number;
}

/** Monthly cost range of an environment's agents. */
export interface EnvironmentCost {
  readonly agents: readonly AgentCost[];
  readonly minMonthly: number;
  readonly maxMonthly: number;
}

/**
 * Reads and checks the price table.
 * @throws ReviewError when the file is missing or malformed
 */
export function loadPrices(file: string = PRICES_FILE): PriceTable {
  let table: PriceTable;
  try {
    table = JSON.parse(fs.readFileSync(file, 'utf8')) as PriceTable;
  } catch (error) {
    throw new ReviewError(`price table ${file}: ${(error as Error).message}`);
  }
  if (!table.date || !table.source || !table.currency || typeof table.instances !== 'object') {
    throw new ReviewError(
      `price table ${file}: needs 'date', 'source', 'currency' and 'instances'`,
    );
  }
  return table;
}

/**
 * Prices each agent type from its minimum to its maximum replicas, 730 hours
 * a month. On a node pool a replica costs its share of a node (the largest of
 * its CPU, memory and GPU requests over the node's), at the spot price on spot
 * pools and on-demand elsewhere; the minimum takes the cheapest pool and
 * instance type the agent may use, the maximum the dearest. On a scaling group
 * a replica is an on-demand machine of its own. Pools without instance types
 * (on-prem, edge) have no price. A scheduled agent counts 0 to 1 replica.
 */
export function fleetCost(report: FleetReport, prices: PriceTable): EnvironmentCost {
  const names = [...new Set(report.agents.map((agent) => agent.agent))];
  const agents = names.map((name) => {
    const sites = report.agents
      .filter((agent) => agent.agent === name)
      .map((agent) => siteCost(report, agent, prices));
    return {
      agent: name,
      sites,
      minMonthly: sum(sites.map((site) => site.minMonthly)),
      maxMonthly: sum(sites.map((site) => site.maxMonthly)),
    };
  });
  return {
    agents,
    minMonthly: sum(agents.map((agent) => agent.minMonthly)),
    maxMonthly: sum(agents.map((agent) => agent.maxMonthly)),
  };
}

function siteCost(report: FleetReport, agent: AgentReport, prices: PriceTable): SiteCost {
  const bounds = {
    site: agent.site,
    minReplicas: agent.minReplicas,
    maxReplicas: agent.maxReplicas,
  };
  const unpriced = (reason: string): SiteCost => ({
    ...bounds,
    minMonthly: 0,
    maxMonthly: 0,
    unpriced: reason,
  });
  const options: CostOption[] = [];
  const missing: string[] = [];
  if (agent.placement.kind === 'scaling-group') {
    const { instanceType } = agent.placement;
    const price = prices.instances[instanceType];
    if (!price) return unpriced(`no price for ${instanceType}`);
    options.push({ instanceType, capacity: 'on-demand', share: 1, hourly: price.onDemandHourly });
  } else {
    const site = report.sites.find((candidate) => candidate.name === agent.site);
    const pools = (site?.nodePools ?? []).filter((pool) =>
      agent.placement.kind === 'pools' ? agent.placement.pools.includes(pool.name) : false,
    );
    if (pools.every((pool) => pool.instanceTypes.length === 0)) {
      return unpriced(
        `${site?.kind === 'kubernetes' ? 'on-prem/edge' : 'unpriced'} pool, no price`,
      );
    }
    for (const pool of pools) {
      for (const instanceType of pool.instanceTypes) {
        const price = prices.instances[instanceType];
        if (!price) missing.push(instanceType);
        else options.push(poolOption(agent, pool, instanceType, price));
      }
    }
    if (options.length === 0) return unpriced(`no price for ${missing.join(', ')}`);
  }
  const byPrice = [...options].sort((a, b) => a.hourly - b.hourly);
  const cheapest = byPrice[0];
  const dearest = byPrice[byPrice.length - 1];
  return {
    ...bounds,
    cheapest,
    dearest,
    minMonthly: agent.minReplicas * cheapest.hourly * HOURS_PER_MONTH,
    maxMonthly: agent.maxReplicas * dearest.hourly * HOURS_PER_MONTH,
  };
}

function poolOption(
  agent: AgentReport,
  pool: PoolReport,
  instanceType: string,
  price: InstancePrice,
): CostOption {
  const { cpuMillis, memoryMiB, gpu } = agent.requests;
  const gpusPerNode = pool.gpu?.count ?? price.gpu ?? 0;
  const share = Math.max(
    cpuMillis / 1000 / price.vcpu,
    memoryMiB / 1024 / price.memoryGiB,
    gpu > 0 && gpusPerNode > 0 ? gpu / gpusPerNode : 0,
  );
  const capacity = pool.spot ? 'spot' : 'on-demand';
  const hourly = share * (pool.spot ? price.spotHourly : price.onDemandHourly);
  return { pool: pool.name, instanceType, capacity, share, hourly };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

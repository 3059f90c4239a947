import { MACHINE_CATALOGUE, MachineCatalogue } from '../model/machines';
import type { ReviewedAgent, ReviewedFleet, ReviewedPool } from '../output/schema';

/** Hours in a month, as cloud price calculators count them. */
export const HOURS_PER_MONTH = 730;

/** List prices of one instance or VM type, per hour, with the capacity they buy. */
export interface InstancePrice {
  /**
   * Region the price was recorded in.
   * @default - not recorded
   */
  readonly region?: string;
  readonly vcpu: number;
  readonly memoryGiB: number;
  /** GPUs per instance. @default 0 */
  readonly gpu?: number;
  readonly onDemandHourly: number;
  readonly spotHourly: number;
}

/** A dated table of list prices, read from the machine catalogue. */
export interface PriceTable {
  readonly date: string;
  /** Where the figures come from. */
  readonly source: string;
  readonly currency: string;
  readonly instances: Readonly<Record<string, InstancePrice>>;
}

/** One way a replica can be billed: a share of a node of a pool, or a machine of its own. */
export interface CostOption {
  /** Node pool whose node the replica shares. @default - none: a scaling group's machine */
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
  /** The most replicas that fit the pools, which the maximum prices. */
  readonly maxReplicas: number;
  /** The declared maximum, when the pools cannot hold it. @default - maxReplicas is the declared one */
  readonly declaredMaxReplicas?: number;
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

/** The prices, vCPUs, memory and GPUs of every machine type of the catalogue. */
export function loadPrices(catalogue: MachineCatalogue = MACHINE_CATALOGUE): PriceTable {
  return {
    date: catalogue.date,
    source: catalogue.sources.join(' '),
    currency: catalogue.currency,
    instances: Object.fromEntries(
      Object.entries(catalogue.machines).map(([type, machine]) => [
        type,
        {
          region: machine.price.region,
          vcpu: machine.vcpu,
          memoryGiB: machine.memoryMiB / 1024,
          ...(machine.gpus ? { gpu: machine.gpus.count } : {}),
          onDemandHourly: machine.price.onDemandHourly,
          spotHourly: machine.price.spotHourly,
        },
      ]),
    ),
  };
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
export function fleetCost(report: ReviewedFleet, prices: PriceTable): EnvironmentCost {
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

function siteCost(report: ReviewedFleet, agent: ReviewedAgent, prices: PriceTable): SiteCost {
  const reachable = agent.reachableMaxReplicas;
  const bounds = {
    site: agent.site,
    minReplicas: agent.minReplicas,
    maxReplicas: reachable ?? agent.maxReplicas,
    ...(reachable !== undefined ? { declaredMaxReplicas: agent.maxReplicas } : {}),
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
        `${site?.kind === 'kubernetes' || site?.kind === 'hosts' ? 'on-prem/edge' : 'unpriced'} pool, no price`,
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
    maxMonthly: bounds.maxReplicas * dearest.hourly * HOURS_PER_MONTH,
  };
}

function poolOption(
  agent: ReviewedAgent,
  pool: ReviewedPool,
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

/** Sites of an agent type that have no price, which its sums leave out. */
export function unpricedSites(agent: AgentCost): readonly SiteCost[] {
  return agent.sites.filter((site) => site.unpriced !== undefined);
}

/** Whether an agent type has a price on none of its sites: its sums are no price, not $0.00. */
export function hasNoPrice(agent: AgentCost): boolean {
  return agent.sites.every((site) => site.unpriced !== undefined);
}

/** Why a site has no price, without the words "no price", e.g. `on-prem/edge pool`. */
export function unpricedReason(site: SiteCost): string {
  return (site.unpriced ?? '').replace(/,? no price$/, '');
}

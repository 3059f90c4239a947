import type { ComparedFleet, ReviewedFleet } from '../output/schema';
import { fleetFileSchema, schemaProblem } from '../output/schema';
import type { AgentCost, EnvironmentCost, PriceTable, SiteCost } from './cost';
import { fleetCost, hasNoPrice, unpricedSites } from './cost';

/** How an agent type's cost changes between base and head. */
export type CostChangeKind = 'added' | 'removed' | 'changed';

/** One agent type whose monthly cost range changes. */
export interface AgentCostChange {
  readonly agent: string;
  readonly change: CostChangeKind;
  /** Its cost in the base. @default - not in the base: added */
  readonly base?: AgentCost;
  /** Its cost in the head. @default - not in the head: removed */
  readonly head?: AgentCost;
  /**
   * Head minus base of the minimum, over the priced sites (a side without the
   * agent type counts 0). @default - no price: a side that has the agent type
   * has a price on none of its sites
   */
  readonly minDifference?: number;
  /** Head minus base of the maximum, as {@link minDifference}. @default - no price */
  readonly maxDifference?: number;
  /** Sites without a price on either side, which the differences leave out. */
  readonly unpricedSites: readonly string[];
}

/** The monthly cost ranges of base and head, and what changes. */
export interface CostDiff {
  /** Agent types added, removed or changed, in the head's order, removed ones last. */
  readonly agents: readonly AgentCostChange[];
  /** The base's cost. @default - the base has no such environment */
  readonly base?: EnvironmentCost;
  /** The head's cost. @default - the head removes the environment */
  readonly head?: EnvironmentCost;
  /** Head minus base of the environment's minimum, over priced agent types. @default - no price on either side */
  readonly minDifference?: number;
  /** Head minus base of the environment's maximum. @default - no price on either side */
  readonly maxDifference?: number;
}

/**
 * Compares the monthly cost of an environment's agents in the base and the
 * head: per agent type added, removed or whose cost changes (unchanged ones
 * are left out) and in total, the difference of the minimum and of the
 * maximum. An agent type with a price on none of its sites, on a side that has
 * it, has no difference ("no price"), never $0.00; a partly priced one
 * differs by its priced sites and names the others. Maxima the pools cannot
 * reach are compared at what the pools hold, as {@link fleetCost} prices them.
 */
export function diffCost(
  base: EnvironmentCost | undefined,
  head: EnvironmentCost | undefined,
): CostDiff {
  const before = new Map((base?.agents ?? []).map((agent) => [agent.agent, agent]));
  const after = new Map((head?.agents ?? []).map((agent) => [agent.agent, agent]));
  const names = [...after.keys(), ...[...before.keys()].filter((name) => !after.has(name))];
  const agents = names.flatMap((name): AgentCostChange[] => {
    const was = before.get(name);
    const is = after.get(name);
    if (was && is && costKey(was) === costKey(is)) return [];
    const change: CostChangeKind = !was ? 'added' : !is ? 'removed' : 'changed';
    const noPrice = (was !== undefined && hasNoPrice(was)) || (is !== undefined && hasNoPrice(is));
    const unpriced = [
      ...new Set([was, is].flatMap((side) => (side ? unpricedSites(side) : [])).map((s) => s.site)),
    ];
    return [
      {
        agent: name,
        change,
        ...(was ? { base: was } : {}),
        ...(is ? { head: is } : {}),
        ...(noPrice
          ? {}
          : {
              minDifference: (is?.minMonthly ?? 0) - (was?.minMonthly ?? 0),
              maxDifference: (is?.maxMonthly ?? 0) - (was?.maxMonthly ?? 0),
            }),
        unpricedSites: unpriced,
      },
    ];
  });
  const priced = [base, head].some((side) => side?.agents.some((agent) => !hasNoPrice(agent)));
  return {
    agents,
    ...(base ? { base } : {}),
    ...(head ? { head } : {}),
    ...(priced
      ? {
          minDifference: (head?.minMonthly ?? 0) - (base?.minMonthly ?? 0),
          maxDifference: (head?.maxMonthly ?? 0) - (base?.maxMonthly ?? 0),
        }
      : {}),
  };
}

/**
 * Prices an environment of the base. A base's `fleet.json` is checked only
 * for what a comparison reads; it is priced when it also passes the check of
 * a branch's (sites, pools, requests), as an output of a synth that writes
 * them does.
 * @returns `cost` undefined when the base has no such environment, or
 *   `problem`, why it cannot be priced
 */
export function baseCost(
  environment: ComparedFleet | undefined,
  prices: PriceTable,
): { readonly cost?: EnvironmentCost; readonly problem?: string } {
  if (!environment) return {};
  const problem = schemaProblem(fleetFileSchema, {
    environments: { [environment.environment]: environment },
  });
  if (problem) {
    return {
      problem: `the base's fleet.json does not record what pricing reads (${problem.replace(/^\/environments\/[^/ ]+\/?/, '').trim()})`,
    };
  }
  return { cost: fleetCost(environment as ReviewedFleet, prices) };
}

/** What of an agent type's cost a comparison looks at: its sites' bounds, options and prices. */
function costKey(agent: AgentCost): string {
  const site = (s: SiteCost) => [
    s.site,
    s.minReplicas,
    s.maxReplicas,
    s.declaredMaxReplicas ?? null,
    s.unpriced ?? null,
    s.cheapest ?? null,
    s.dearest ?? null,
    s.minMonthly,
    s.maxMonthly,
  ];
  return JSON.stringify([...agent.sites].sort((a, b) => a.site.localeCompare(b.site)).map(site));
}

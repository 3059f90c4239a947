import type { AnsibleFiles } from '../output/ansible-files';
import { fleetFileSchema, ReviewedFleet, schemaProblem, StackJson } from '../output/schema';
import type { AgentRun } from '../simulate/engine';
import { formatDuration, round, table, xyCharts } from '../simulate/report';
import { simulateEnvironment, SimulationResult } from '../simulate/run';
import type { EnvironmentCost } from './cost';

/** One agent simulated on base and head under the same load. */
export interface SimulatedChange {
  readonly agent: string;
  readonly site: string;
  /** Its run on the base. @default - not simulated there (new, or not simulated) */
  readonly base?: AgentRun;
  /** Its run on the branch. @default - not simulated there (removed, or not simulated) */
  readonly head?: AgentRun;
}

/** Base and head simulated under one load, for the agents whose scaling changed. */
export interface SimulationComparison {
  /** The load both sides replay, as the simulation names it. */
  readonly load: string;
  readonly durationSeconds: number;
  readonly changes: readonly SimulatedChange[];
  /** Why it is not compared, e.g. the base records no pools. @default - compared */
  readonly problem?: string;
}

const keyOf = (run: { agent: string; site: string }) => `${run.agent}@${run.site}`;

/**
 * What the simulation runs of an agent, as JSON: its scaler, what a replica
 * processes, where it runs and its pool. An agent whose text differs between
 * base and head scales differently.
 */
function simulatedInputs(result: SimulationResult): Map<string, string> {
  const pools = new Map(result.prepared.pools.map((pool) => [pool.key, pool]));
  return new Map(
    result.prepared.agents.map(({ spec }) => [
      keyOf(spec),
      JSON.stringify([
        spec,
        spec.placement.kind === 'pool' ? pools.get(spec.placement.pool) : undefined,
      ]),
    ]),
  );
}

/** One side of a comparison: its environment's fleet, its stacks and its hosts stacks' Ansible files. */
export interface SimulatedSide<Fleet> {
  readonly fleet: Fleet;
  readonly stacks: ReadonlyMap<string, StackJson>;
  /** The Ansible files of each hosts stack, by stack id. @default - none: warm-server agents are not simulated */
  readonly ansible?: ReadonlyMap<string, AnsibleFiles>;
}

/**
 * Simulates base and head of an environment under the same load (head's
 * `loadProfile`, else a burst, for as long as it suggests) and keeps the
 * agents whose simulated inputs differ, or that only one side runs.
 */
export function compareSimulations(
  base: SimulatedSide<unknown> | undefined,
  head: SimulatedSide<ReviewedFleet>,
): SimulationComparison {
  const headRun = simulateEnvironment(head.fleet, head.stacks, undefined, {
    ...(head.ansible ? { ansible: head.ansible } : {}),
  });
  const load = headRun.load;
  if (!base) {
    return { load, durationSeconds: headRun.durationSeconds, changes: [] };
  }
  const problem = schemaProblem(fleetFileSchema, {
    environments: { [head.fleet.environment]: base.fleet },
  });
  if (problem) {
    return {
      load,
      durationSeconds: headRun.durationSeconds,
      changes: [],
      problem: `the base's fleet.json does not record what the simulation reads (${problem.replace(/^\/environments\/[^/ ]+\/?/, '').trim()})`,
    };
  }
  // The base replays the head's load: the branch's profile, for the branch's duration.
  const baseFleet = { ...(base.fleet as ReviewedFleet), loadProfile: head.fleet.loadProfile };
  const baseRun = simulateEnvironment(baseFleet, base.stacks, undefined, {
    duration: `${headRun.durationSeconds}s`,
    ...(base.ansible ? { ansible: base.ansible } : {}),
  });
  const before = simulatedInputs(baseRun);
  const after = simulatedInputs(headRun);
  const baseRuns = new Map(baseRun.runs.map((run) => [keyOf(run), run]));
  const headRuns = new Map(headRun.runs.map((run) => [keyOf(run), run]));
  const keys = [...new Set([...after.keys(), ...before.keys()])];
  const changes = keys
    .filter((key) => before.get(key) !== after.get(key))
    .map((key) => {
      const [agent, site] = key.split('@');
      const b = baseRuns.get(key);
      const h = headRuns.get(key);
      return { agent, site, ...(b ? { base: b } : {}), ...(h ? { head: h } : {}) };
    });
  return { load, durationSeconds: headRun.durationSeconds, changes };
}

/** The most changed agents charted in a review; the table lists them all. */
export const MAX_CHARTED = 10;

/**
 * `### Simulated scaling: base → head`: per changed agent, peak backlog,
 * drain time, peak nodes and the cost of the run on both sides, its
 * monthly cost range, and Mermaid charts of both sides' backlog and replicas.
 */
export function renderSimulationComparison(
  comparison: SimulationComparison,
  cost: { base?: EnvironmentCost; head?: EnvironmentCost },
): string {
  const out = ['### Simulated scaling: base → head'];
  if (comparison.problem) {
    out.push(`Not simulated: ${comparison.problem}.`);
    return out.join('\n\n');
  }
  if (comparison.changes.length === 0) {
    out.push('No agent scales differently.');
    return out.join('\n\n');
  }
  out.push(
    `Both sides replay ${comparison.load} over ${formatDuration(comparison.durationSeconds)} through the scaling their stacks deploy (\`npm run simulate\`).`,
  );
  const pair = (b: string, h: string) => (b === h ? h : `${b} → ${h}`);
  const figure = (run: AgentRun | undefined, read: (run: AgentRun) => string) =>
    run ? read(run) : '—';
  const drain = (run: AgentRun) =>
    run.summary.drainSeconds !== undefined
      ? formatDuration(run.summary.drainSeconds)
      : run.summary.undrained
        ? 'not drained'
        : '—';
  const money = (value: number | undefined) =>
    value === undefined
      ? 'no price'
      : value.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
  const monthly = (side: EnvironmentCost | undefined, change: SimulatedChange) => {
    const site = side?.agents
      .find((agent) => agent.agent === change.agent)
      ?.sites.find((s) => s.site === change.site);
    if (!site) return '—';
    return site.unpriced ? 'no price' : `${money(site.minMonthly)} – ${money(site.maxMonthly)}`;
  };
  out.push(
    table(
      [
        'agent',
        'site',
        'peak backlog',
        'drain',
        'peak replicas',
        'peak nodes',
        'cost of the run',
        'monthly',
      ],
      comparison.changes.map((change) => [
        `\`${change.agent}\``,
        change.site,
        pair(
          figure(change.base, (r) => Math.round(r.summary.peakBacklog).toLocaleString('en-US')),
          figure(change.head, (r) => Math.round(r.summary.peakBacklog).toLocaleString('en-US')),
        ),
        pair(figure(change.base, drain), figure(change.head, drain)),
        pair(
          figure(change.base, (r) => String(r.summary.peakReplicas)),
          figure(change.head, (r) => String(r.summary.peakReplicas)),
        ),
        pair(
          figure(change.base, (r) => round(r.summary.peakNodes)),
          figure(change.head, (r) => round(r.summary.peakNodes)),
        ),
        pair(
          figure(change.base, (r) => money(r.summary.cost)),
          figure(change.head, (r) => money(r.summary.cost)),
        ),
        pair(monthly(cost.base, change), monthly(cost.head, change)),
      ]),
    ),
  );
  const charted = comparison.changes.filter((change) => change.base && change.head);
  for (const change of charted.slice(0, MAX_CHARTED)) {
    out.push(
      `#### \`${change.agent}\` on ${change.site}`,
      xyCharts(comparisonChart(change.base!, change.head!)),
    );
  }
  if (charted.length > MAX_CHARTED) {
    out.push(`… and ${charted.length - MAX_CHARTED} more charts (npm run simulate draws each).`);
  }
  return out.join('\n\n');
}

/** Backlog of both sides on the left axis, replicas of both on the right. */
function comparisonChart(base: AgentRun, head: AgentRun) {
  const times = Array.from(head.times);
  const align = (values: Float64Array) => times.map((_, i) => values[i] ?? 0);
  return {
    title: `${head.agent} on ${head.site}`,
    times,
    series: [
      { name: 'backlog, base', values: align(base.backlog), axis: 'left' as const },
      { name: 'backlog, head', values: align(head.backlog), axis: 'left' as const },
      { name: 'replicas, base', values: align(base.replicas), axis: 'right' as const },
      { name: 'replicas, head', values: align(head.replicas), axis: 'right' as const },
    ],
  };
}

import { fleetFileSchema, schemaProblem } from '../output/schema';
import type {
  ComparedAgent,
  ComparedFleet,
  ReviewedAgent,
  ReviewedBroker,
  ReviewedFleet,
  ReviewedPool,
  ReviewedSite,
} from '../output/schema';
import { diffFleet } from './diff';

/**
 * Mermaid's default `maxTextSize`: a diagram of more characters is not drawn
 * ("Maximum text size in diagram exceeded").
 * @see https://github.com/mermaid-js/mermaid/blob/develop/packages/mermaid/src/schemas/config.schema.yaml
 * @see https://mermaid.js.org/config/schema-docs/config.html#maxtextsize
 */
export const MERMAID_MAX_TEXT_SIZE = 50_000;

/**
 * Mermaid's default `maxEdges`: a flowchart of more edges is refused
 * ("Edge limit exceeded").
 * @see https://github.com/mermaid-js/mermaid/blob/develop/packages/mermaid/src/schemas/config.schema.yaml
 * @see https://mermaid.js.org/config/schema-docs/config.html#maxedges
 */
export const MERMAID_MAX_EDGES = 500;

/** How a node differs from the base. */
export type DiagramMark = 'added' | 'removed' | 'changed';

/** The Mermaid class of each mark: green added, red dashed removed, amber changed. */
const CLASS_DEFS: Readonly<Record<DiagramMark, string>> = {
  added: 'fill:#dafbe1,stroke:#1a7f37,stroke-width:2px',
  removed: 'fill:#ffebe9,stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5',
  changed: 'fill:#fff8c5,stroke:#9a6700,stroke-width:2px',
};

/** One line for the review under the diagrams, saying what the marks mean. */
export const DIAGRAM_LEGEND =
  'Compared with the base: green is added, red and dashed is removed (drawn as the base has it), amber is changed.';

/** The columns of a site's summary table, drawn instead of a diagram Mermaid would refuse. */
export const SUMMARY_COLUMNS: readonly string[] = ['pool', 'agents', 'added', 'removed', 'changed'];

/**
 * What the diagrams compare with: the base's agents and, when its report has
 * them, its sites and brokers. Without sites, pools are not marked; without
 * brokers, brokers are not.
 */
export interface DiagramBase {
  readonly agents: readonly ComparedAgent[];
  /** The base's sites, with their pools. @default - unknown: pools are not compared */
  readonly sites?: readonly ReviewedSite[];
  /** The base's brokers. @default - unknown: brokers are not compared */
  readonly brokers?: readonly ReviewedBroker[];
}

/**
 * What the diagrams compare with, from the base's report of the environment:
 * its agents always, and its sites and brokers when they are what synth
 * writes (checked against the schema of `fleet.json` here, since the base is
 * read only for what the agent comparison needs). An environment the base
 * lacks compares as an empty one, so that all of it is marked added.
 */
export function diagramBase(environment: ComparedFleet | undefined): DiagramBase {
  if (!environment) return { agents: [], sites: [], brokers: [] };
  const report = environment as Partial<ReviewedFleet> & ComparedFleet;
  const problem = schemaProblem(fleetFileSchema, {
    environments: { [environment.environment]: { ...report, agents: [] } },
  });
  if (problem) return { agents: environment.agents };
  return { agents: environment.agents, sites: report.sites, brokers: report.brokers };
}

/** One site's topology: a Mermaid flowchart, or a summary table when Mermaid would refuse it. */
export interface SiteDiagram {
  readonly site: string;
  /** Whether the whole site is new, or gone. @default - in both, or no comparison */
  readonly status?: 'added' | 'removed';
  /** The flowchart, without the Markdown fence. @default - none: too large, see `summary` */
  readonly mermaid?: string;
  /**
   * Instead of a flowchart past Mermaid's limits: one row per pool or scaling
   * group and a total, under {@link SUMMARY_COLUMNS}. @default - none: drawn
   */
  readonly summary?: readonly (readonly string[])[];
}

/**
 * The environment's topology as one Mermaid flowchart per site (without the
 * fence), of each site of the branch or of the base: the site's pools,
 * scaling groups, brokers and agents, an edge from each agent to the pools or
 * group it runs on, a labelled edge to the broker it consumes from and a
 * dotted one to each broker it publishes to; brokers of other sites it uses
 * are drawn outside the site's box.
 *
 * With a base, what differs is marked with the classes `added`, `removed`
 * and `changed`: agents added to or removed from the site, or whose bounds,
 * scaling, placement, queue, store or requests changed (as in the review's
 * agent changes); pools added, removed or changed; brokers of the site added,
 * removed or changed. What is removed is drawn from the base.
 *
 * A site whose flowchart would pass Mermaid's limits
 * ({@link MERMAID_MAX_TEXT_SIZE} characters, {@link MERMAID_MAX_EDGES} edges)
 * gets a summary table instead, so no diagram is emitted that Mermaid refuses.
 * @see https://mermaid.js.org/syntax/flowchart.html
 */
export function siteDiagrams(head: ReviewedFleet, base?: DiagramBase): SiteDiagram[] {
  const compared = base && new Comparison(head, base);
  const names = [
    ...head.sites.map((s) => s.name),
    ...(base?.sites ?? []).map((s) => s.name),
    ...head.agents.map((a) => a.site),
    ...(base?.agents ?? []).map((a) => a.site),
  ];
  return [...new Set(names)].map((name) => {
    const drawing = drawSite(name, head, base, compared, 'site');
    const status = compared?.siteStatus(name);
    const lines = [
      'flowchart LR',
      ...drawing.nodes,
      ...drawing.outside,
      ...drawing.edges,
      ...classLines(drawing.marks),
    ];
    const text = lines.join('\n');
    const common = { site: name, ...(status ? { status } : {}) };
    return fits(text, drawing.edges.length)
      ? { ...common, mermaid: text }
      : { ...common, summary: drawing.summary(compared !== undefined) };
  });
}

/**
 * The environment's topology as one Mermaid flowchart (without the fence):
 * a subgraph per site holding its pools, scaling groups, brokers and agents,
 * an edge from each agent to the pools or group it runs on, a labelled edge to
 * the broker it consumes from, and a dotted one to each broker it publishes to.
 * Past Mermaid's limits, a flowchart of one node per site that says how much it
 * holds, and that it is too large to draw.
 * @see https://mermaid.js.org/syntax/flowchart.html
 */
export function topologyDiagram(report: ReviewedFleet): string {
  const drawings = report.sites.map((site) =>
    drawSite(site.name, report, undefined, undefined, 'environment'),
  );
  const onSites = new Set(report.sites.map((s) => s.name));
  const unplaced = report.brokers
    .filter((b) => !b.site || !onSites.has(b.site))
    .map((b) => `  ${brokerNode(b)}`);
  const edges = drawings.flatMap((d) => d.edges);
  const text = ['flowchart LR', ...drawings.flatMap((d) => d.nodes), ...unplaced, ...edges].join(
    '\n',
  );
  if (fits(text, edges.length)) return text;
  return [
    'flowchart LR',
    `  too_large["${label(`${report.agents.length} agent(s) on ${report.sites.length} site(s): too large for one Mermaid diagram (${MERMAID_MAX_TEXT_SIZE} characters, ${MERMAID_MAX_EDGES} edges)`)}"]`,
    ...report.sites.map(
      (site) =>
        `  ${id('site', site.name)}["${label(`${site.name} (${where(site)}): ${site.nodePools.length} pool(s), ${report.agents.filter((a) => a.site === site.name).length} agent(s)`)}"]`,
    ),
  ].join('\n');
}

/** Whether Mermaid draws a diagram of this text and this many edges with its default limits. */
function fits(text: string, edges: number): boolean {
  return text.length <= MERMAID_MAX_TEXT_SIZE && edges <= MERMAID_MAX_EDGES;
}

/** An agent as drawn: the branch's, or a removed one of the base (which may not list what it publishes). */
type DrawnAgent = ComparedAgent & Partial<Pick<ReviewedAgent, 'publishes'>>;

/** What differs between the branch and the base, by site. */
class Comparison {
  private readonly agentsBefore: ReadonlySet<string>;
  private readonly agentsAfter: ReadonlySet<string>;
  private readonly changedAgents: ReadonlySet<string>;

  constructor(
    private readonly head: ReviewedFleet,
    private readonly base: DiagramBase,
  ) {
    this.agentsBefore = new Set(base.agents.map(agentKey));
    this.agentsAfter = new Set(head.agents.map(agentKey));
    this.changedAgents = new Set(diffFleet(base, head).changed.map(agentKey));
  }

  /** A site that only the branch, or only the base, has; only known when the base reports its sites. */
  siteStatus(site: string): 'added' | 'removed' | undefined {
    const before = this.sitesBefore(site);
    const after =
      this.head.sites.some((s) => s.name === site) || this.head.agents.some((a) => a.site === site);
    if (before === undefined) return after ? undefined : 'removed';
    if (!after) return 'removed';
    return before ? undefined : 'added';
  }

  /** Whether the base has the site; undefined when its sites are not reported. */
  private sitesBefore(site: string): boolean | undefined {
    if (!this.base.sites) return undefined;
    return (
      this.base.sites.some((s) => s.name === site) || this.base.agents.some((a) => a.site === site)
    );
  }

  agent(agent: ComparedAgent): DiagramMark | undefined {
    const key = agentKey(agent);
    if (!this.agentsAfter.has(key)) return 'removed';
    if (!this.agentsBefore.has(key)) return 'added';
    return this.changedAgents.has(key) ? 'changed' : undefined;
  }

  /** Agents of the base on the site that the branch no longer has there. */
  removedAgents(site: string): ComparedAgent[] {
    return this.base.agents.filter((a) => a.site === site && !this.agentsAfter.has(agentKey(a)));
  }

  /** Pools of the base's site that the branch's site lacks. */
  removedPools(site: string, current: readonly ReviewedPool[]): ReviewedPool[] {
    const names = new Set(current.map((p) => p.name));
    const before = this.base.sites?.find((s) => s.name === site)?.nodePools ?? [];
    return before.filter((p) => !names.has(p.name));
  }

  pool(site: string, pool: ReviewedPool, drawnFromBase: boolean): DiagramMark | undefined {
    if (!this.base.sites) return undefined;
    if (drawnFromBase) return 'removed';
    const old = this.base.sites
      .find((s) => s.name === site)
      ?.nodePools.find((p) => p.name === pool.name);
    if (!old) return 'added';
    return canonical(poolFacts(old)) === canonical(poolFacts(pool)) ? undefined : 'changed';
  }

  /** Brokers of the base on the site that the branch no longer has. */
  removedBrokers(site: string): ReviewedBroker[] {
    const names = new Set(this.head.brokers.map((b) => b.name));
    return (this.base.brokers ?? []).filter((b) => b.site === site && !names.has(b.name));
  }

  broker(broker: ReviewedBroker, drawnFromBase: boolean): DiagramMark | undefined {
    if (!this.base.brokers) return undefined;
    if (drawnFromBase) return 'removed';
    const old = this.base.brokers.find((b) => b.name === broker.name);
    if (!old) return 'added';
    const facts = (b: ReviewedBroker) => [b.kind, b.site ?? '', b.where].join('\n');
    return facts(old) === facts(broker) ? undefined : 'changed';
  }
}

/** A site's nodes (its subgraph), the brokers of other sites it uses, its edges and marks. */
interface SiteDrawing {
  readonly nodes: readonly string[];
  readonly outside: readonly string[];
  readonly edges: readonly string[];
  readonly marks: ReadonlyMap<string, DiagramMark>;
  /** The summary table's rows, with or without a comparison. */
  summary(compared: boolean): string[][];
}

/**
 * Draws one site. For the whole environment (`scope` `environment`), brokers
 * of other sites are left to their own sites; for a site's own diagram they
 * are drawn outside its box.
 */
function drawSite(
  name: string,
  head: ReviewedFleet,
  base: DiagramBase | undefined,
  compared: Comparison | undefined,
  scope: 'site' | 'environment',
): SiteDrawing {
  const site = head.sites.find((s) => s.name === name) ?? base?.sites?.find((s) => s.name === name);
  const status = compared?.siteStatus(name);
  const nodes: string[] = [];
  const edges: string[] = [];
  const marks = new Map<string, DiagramMark>();
  const declared = new Set<string>();
  const mark = (node: string, what: DiagramMark | undefined) => {
    if (what) marks.set(node, what);
  };
  const title = site ? `${name} (${where(site)})` : name;
  nodes.push(
    `  subgraph ${id('site', name)}["${label(status ? `${title}, site ${status}` : title)}"]`,
  );

  const headPools = head.sites.find((s) => s.name === name)?.nodePools ?? [];
  const pools: { pool: ReviewedPool; fromBase: boolean }[] = [
    ...headPools.map((pool) => ({ pool, fromBase: false })),
    ...(compared?.removedPools(name, headPools) ?? []).map((pool) => ({ pool, fromBase: true })),
  ];
  const poolMarks = new Map<string, DiagramMark | undefined>();
  for (const { pool, fromBase } of pools) {
    const node = id('pool', name, pool.name);
    nodes.push(`    ${node}[("${label(describePool(pool))}")]`);
    declared.add(node);
    const what = compared?.pool(name, pool, fromBase);
    poolMarks.set(pool.name, what);
    mark(node, what);
  }

  const brokers: { broker: ReviewedBroker; fromBase: boolean }[] = [
    ...head.brokers.filter((b) => b.site === name).map((broker) => ({ broker, fromBase: false })),
    ...(compared?.removedBrokers(name) ?? []).map((broker) => ({ broker, fromBase: true })),
  ];
  for (const { broker, fromBase } of brokers) {
    const node = id('broker', broker.name);
    nodes.push(`    ${brokerNode(broker)}`);
    declared.add(node);
    mark(node, compared?.broker(broker, fromBase));
  }

  const agents: DrawnAgent[] = [
    ...head.agents.filter((a) => a.site === name),
    ...(compared?.removedAgents(name) ?? []),
  ];
  const summary = new Map<string, { agents: number; marks: DiagramMark[] }>();
  const count = (row: string, what: DiagramMark | undefined) => {
    const entry = summary.get(row) ?? { agents: 0, marks: [] };
    if (what !== 'removed') entry.agents++;
    if (what) entry.marks.push(what);
    summary.set(row, entry);
  };
  for (const { pool } of pools)
    summary.set(poolRow(pool.name, poolMarks.get(pool.name)), { agents: 0, marks: [] });
  const missingPools: string[] = [];
  for (const agent of agents) {
    const node = id('agent', name, agent.agent);
    const what = compared?.agent(agent);
    mark(node, what);
    nodes.push(`    ${node}["${label(`${agent.agent} ${describeReplicas(agent)}`)}"]`);
    if (agent.placement.kind === 'scaling-group') {
      const group = id('group', name, agent.agent);
      const kind = agent.placement.group === 'vmss' ? 'VM scale set' : 'EC2 group';
      nodes.push(`    ${group}[("${label(`${kind} ${agent.placement.instanceType}`)}")]`);
      mark(group, what === 'changed' ? undefined : what);
      edges.push(`  ${node} --> ${group}`);
      count(`${kind} ${agent.placement.instanceType}`, what);
    } else {
      for (const pool of agent.placement.pools) {
        const target = id('pool', name, pool);
        if (!declared.has(target)) {
          declared.add(target);
          missingPools.push(`    ${target}[("${label(`pool ${pool}`)}")]`);
        }
        edges.push(`  ${node} --> ${target}`);
        count(poolRow(pool, poolMarks.get(pool)), what);
      }
      if (agent.placement.pools.length === 0) count('(no pool)', what);
    }
    if (agent.source) {
      edges.push(
        `  ${node} -- "${label(`${agent.source.kind} ${agent.source.name}`)}" --> ${id('broker', agent.source.broker)}`,
      );
    }
    for (const target of new Set((agent.publishes ?? []).map((p) => p.split('/')[0]))) {
      edges.push(`  ${node} -. publishes .-> ${id('broker', target)}`);
    }
  }
  nodes.push(...missingPools, '  end');

  // Brokers of other sites (or of none) that the site's agents use, outside its box.
  const outside: string[] = [];
  if (scope === 'site') {
    const used = agents.flatMap((a) => [
      ...(a.source ? [a.source.broker] : []),
      ...(a.publishes ?? []).map((p) => p.split('/')[0]),
    ]);
    for (const broker of new Set(used)) {
      if (declared.has(id('broker', broker))) continue;
      declared.add(id('broker', broker));
      const known =
        head.brokers.find((b) => b.name === broker) ??
        base?.brokers?.find((b) => b.name === broker);
      outside.push(
        `  ${known ? brokerNode(known) : `${id('broker', broker)}{{"${label(`broker ${broker}`)}"}}`}`,
      );
    }
  }

  return {
    nodes,
    outside,
    edges,
    marks,
    summary: (withBase) => {
      const rows = [...summary].map(([row, entry]) => [
        row,
        String(entry.agents),
        ...(['added', 'removed', 'changed'] as const).map((what) =>
          withBase ? String(entry.marks.filter((m) => m === what).length) : '—',
        ),
      ]);
      const agentMarks = agents.map((a) => compared?.agent(a));
      const total = [
        '**total**',
        String(agentMarks.filter((m) => m !== 'removed').length),
        ...(['added', 'removed', 'changed'] as const).map((what) =>
          withBase ? String(agentMarks.filter((m) => m === what).length) : '—',
        ),
      ];
      return [...rows, total];
    },
  };
}

/** `classDef` lines for the marks used, and a `class` line per marked node. */
function classLines(marks: ReadonlyMap<string, DiagramMark>): string[] {
  if (marks.size === 0) return [];
  const used = new Set(marks.values());
  return [
    ...(['added', 'removed', 'changed'] as const)
      .filter((what) => used.has(what))
      .map((what) => `  classDef ${what} ${CLASS_DEFS[what]}`),
    ...[...marks].map(([node, what]) => `  class ${node} ${what}`),
  ];
}

function poolRow(pool: string, what: DiagramMark | undefined): string {
  return `pool ${pool}${what ? ` (${what})` : ''}`;
}

function agentKey(agent: Pick<ComparedAgent, 'agent' | 'site'>): string {
  return `${agent.agent}@${agent.site}`;
}

function where(site: Pick<ReviewedSite, 'kind' | 'region'>): string {
  return site.region ? `${site.kind} ${site.region}` : site.kind;
}

function describePool(pool: ReviewedPool): string {
  return [
    `pool ${pool.name}`,
    pool.instanceTypes.join('/'),
    pool.minNodes !== undefined ? `${pool.minNodes}–${pool.maxNodes} nodes` : '',
    pool.spot ? 'spot' : '',
    pool.gpu ? `${pool.gpu.count}× ${pool.gpu.model}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

function describeReplicas(agent: ComparedAgent): string {
  return agent.schedule ? `cron ${agent.schedule}` : `${agent.minReplicas}–${agent.maxReplicas}`;
}

/** What a comparison of pools looks at. */
function poolFacts(pool: ReviewedPool): unknown {
  return [pool.instanceTypes, pool.minNodes, pool.maxNodes, pool.spot, pool.arch, pool.gpu];
}

function canonical(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

function brokerNode(broker: ReviewedBroker): string {
  return `${id('broker', broker.name)}{{"${label(`${broker.kind} ${broker.name}`)}"}}`;
}

/** A Mermaid node id: letters, digits and `_` only. */
function id(...parts: string[]): string {
  return parts.map((part) => part.replace(/[^A-Za-z0-9]/g, '_')).join('__');
}

/** Text inside a quoted Mermaid label. */
function label(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/[<>]/g, '');
}

import type { AnsibleFiles } from '../output/ansible-files';
import { ANSIBLE_DIR, ansibleOrder, serversOf } from '../output/ansible-files';
import type { GuardrailDocument, ReviewedAgent, ReviewedFleet } from '../output/schema';
import type { AnsibleDiff, AnsibleFileChange } from './ansible';
import type { Consequence } from './consequences';
import { renderConsequences } from './consequences';
import type { AgentCost, EnvironmentCost, PriceTable, SiteCost } from './cost';
import { hasNoPrice, HOURS_PER_MONTH, unpricedReason, unpricedSites } from './cost';
import type { AgentCostChange, CostDiff } from './cost-diff';
import type { DiagramBase } from './diagram';
import {
  DIAGRAM_LEGEND,
  MERMAID_MAX_EDGES,
  MERMAID_MAX_TEXT_SIZE,
  siteDiagrams,
  SUMMARY_COLUMNS,
} from './diagram';
import type { FleetDiff, ResourceChange, StackDiff } from './diff';
import { describePlacement, describeScaling } from './diff';
import { renderSimulationComparison, SimulationComparison } from './simulation';

/** Everything the review of one environment shows. */
export interface EnvironmentReview {
  readonly environment: string;
  /** What the branch deploys. @default - none: the branch removes the environment */
  readonly fleet?: ReviewedFleet;
  /**
   * The environment's guardrail findings and unmatched suppressions.
   * @default - no guardrail report in the output
   */
  readonly guardrails?: GuardrailDocument['environments'][string];
  readonly cost?: EnvironmentCost;
  readonly prices: PriceTable;
  /**
   * With a base: what the topology diagrams mark as added, removed or changed
   * (see `diagramBase`). @default - no comparison: nothing is marked
   */
  readonly base?: DiagramBase;
  /** With a base: what changes. @default - no comparison */
  readonly changes?: {
    readonly fleet: FleetDiff;
    readonly stacks: readonly StackDiff[];
    /** What changes in the hosts stacks' Ansible files. @default - none */
    readonly ansible?: readonly AnsibleDiff[];
    /** What deploying the branch does, worst first. @default - not shown */
    readonly consequences?: readonly Consequence[];
    /** The monthly cost of base and head. @default - not compared: see `costProblem` */
    readonly cost?: CostDiff;
    /** Why the cost is not compared, e.g. the base records no pools. @default - compared */
    readonly costProblem?: string;
    /** Base and head simulated under one load. @default - not simulated (the branch removes the environment) */
    readonly simulation?: SimulationComparison;
  };
  /**
   * The branch's hosts stacks with their Ansible files, listed by name when
   * there is no comparison. @default - none
   */
  readonly ansible?: readonly AnsibleFiles[];
}

/** Most changed lines of a file shown as a diff; a file with more is summarised by its counts. */
export const MAX_DIFF_LINES = 400;

/** Renders one environment's review as Markdown for a pull-request comment. */
export function renderReview(review: EnvironmentReview): string {
  const { fleet } = review;
  const sections = [
    `# Fleet plan review: \`${review.environment}\``,
    environmentSummary(review),
    ...(review.changes?.consequences
      ? [renderConsequences(review.changes.consequences).trimEnd()]
      : []),
    ...(review.changes ? [changesSection(review.changes, review.prices)] : []),
    ...(fleet
      ? [
          fleetSection(fleet),
          sitesSection(fleet),
          ...(!review.changes && review.ansible && review.ansible.length > 0
            ? [ansibleListing(review.ansible)]
            : []),
          guardrailsSection(review.guardrails),
          costSection(review.cost, review.prices),
          topologySection(fleet, review.base),
        ]
      : []),
  ];
  return `${sections.join('\n\n')}\n`;
}

/** The review's one-line summary: what the branch deploys, or that it removes the environment. */
export function environmentSummary(review: Pick<EnvironmentReview, 'fleet'>): string {
  const { fleet } = review;
  return fleet
    ? `${fleet.production ? 'Production. ' : ''}${fleet.sites.length} site(s), ${fleet.brokers.length} broker(s), ${new Set(fleet.agents.map((a) => a.agent)).size} agent type(s), ${fleet.stacks.length} stack(s).`
    : 'This branch removes the environment: every one of its stacks is destroyed.';
}

/** One list item per agent type or placement added or removed, and per change of an agent on a site. */
export function agentChanges(fleet: FleetDiff): string[] {
  return [
    ...fleet.typesAdded.map((t) => `- agent type added: \`${t}\``),
    ...fleet.typesRemoved.map((t) => `- agent type removed: \`${t}\``),
    ...fleet.placementsAdded.map((p) => `- placed on a new site: \`${p}\``),
    ...fleet.placementsRemoved.map((p) => `- removed from a site: \`${p}\``),
    ...fleet.changed.flatMap((c) =>
      c.changes.map((what) => `- \`${c.agent}\` on \`${c.site}\`: ${what}`),
    ),
  ];
}

/** Said when no agent changes. */
export const NO_AGENT_CHANGES = 'No agent type, bound or signal changes.';

function changesSection(
  changes: NonNullable<EnvironmentReview['changes']>,
  prices: PriceTable,
): string {
  const out = ['## What changes'];
  const lost = changes.stacks.flatMap((stack) =>
    stack.changes.filter((c) => (c.action === 'destroy' || c.action === 'replace') && c.stateful),
  );
  if (lost.length > 0) {
    out.push(
      [
        '> [!WARNING]',
        lost.some((c) => c.action === 'replace')
          ? `> **${lost.length} stateful resource(s) destroyed or replaced**: their data is lost unless moved first (\`terraform state mv\` or a \`moved\` block) or, for a replacement, copied to the new one. \`prevent_destroy\` stops the apply where it is set.`
          : `> **${lost.length} stateful resource(s) destroyed**: their data is lost unless moved first (\`terraform state mv\` or a \`moved\` block). \`prevent_destroy\` stops the apply where it is set.`,
        '>',
        ...lost.map(
          (c) =>
            `> - \`${c.stack}\` \`${c.address}\`${c.path ? ` (${c.path})` : ''}${c.replacedBy ? `: replaced, as ${c.replacedBy.map((p) => `\`${p}\``).join(', ')} changes` : ''}`,
        ),
      ].join('\n'),
    );
  }
  out.push('### Agents');
  const lines = agentChanges(changes.fleet);
  out.push(lines.length > 0 ? lines.join('\n') : NO_AGENT_CHANGES);
  out.push(costChanges(changes, prices));
  if (changes.simulation) {
    out.push(
      renderSimulationComparison(changes.simulation, {
        ...(changes.cost?.base ? { base: changes.cost.base } : {}),
        ...(changes.cost?.head ? { head: changes.cost.head } : {}),
      }),
    );
  }
  out.push('### Resources per stack');
  if (changes.stacks.length === 0) out.push('No resource changes.');
  else {
    const count = (stack: StackDiff, action: ResourceChange['action']) =>
      stack.changes.filter((c) => c.action === action).length;
    const moves = changes.stacks.some((stack) =>
      stack.changes.some((c) => c.action === 'import' || c.action === 'forget'),
    );
    out.push(
      table(
        ['stack', 'added', 'changed', 'replaced', 'destroyed', ...(moves ? MOVE_COLUMNS : [])],
        changes.stacks.map((stack) => [
          `\`${stack.stack}\`${stack.status ? ` (stack ${stack.status})` : ''}`,
          String(count(stack, 'add')),
          String(count(stack, 'change')),
          String(count(stack, 'replace')),
          String(count(stack, 'destroy')),
          ...(moves ? [String(count(stack, 'import')), String(count(stack, 'forget'))] : []),
        ]),
      ),
    );
    if (moves) out.push(MOVES_EXPLAINED);
    for (const stack of changes.stacks.filter((s) => s.changes.length > 0)) {
      const rows = [...stack.changes]
        .sort((a, b) => order(a) - order(b) || a.address.localeCompare(b.address))
        .map((c) => {
          const attributes = c.attributes.length > 0 ? `: ${c.attributes.join(', ')}` : '';
          const stateful = c.stateful ? ' **(stateful)**' : '';
          const id = c.importId !== undefined ? ` by id ${code(c.importId)}` : '';
          return `- ${c.action} \`${c.address}\`${stateful}${id}${attributes}`;
        });
      out.push(
        `<details><summary><code>${stack.stack}</code>: ${stack.changes.length} change(s)</summary>\n\n${rows.join('\n')}\n\n</details>`,
      );
    }
  }
  if (changes.ansible && changes.ansible.length > 0) out.push(ansibleChanges(changes.ansible));
  return out.join('\n\n');
}

/** Columns of the resources table when a stack imports or forgets resources. */
const MOVE_COLUMNS = ['imported', 'forgotten'];

/** Under the resources table when a stack imports or forgets resources. */
export const MOVES_EXPLAINED =
  "Imported: new in the stack, brought into its state as deployed by an `import` block: nothing is created. Forgotten: gone from the stack, and stays deployed: a `removed` block with `destroy = false` makes Terraform drop it from this stack's state.";

/** Per hosts stack, its Ansible files that differ: per server first, then the shared files. */
function ansibleChanges(diffs: readonly AnsibleDiff[]): string {
  const out = ['### Ansible files per hosts stack'];
  for (const diff of diffs) {
    const status = diff.status ? ` (stack ${diff.status})` : '';
    out.push(`#### ${code(diff.stack)}, site ${code(diff.site)}${status}`);
    const count = (action: AnsibleFileChange['action']) =>
      diff.changes.filter((c) => c.action === action).length;
    out.push(
      `${diff.servers.length} server(s), ${diff.files} file(s): ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed.`,
    );
    if (diff.command) {
      out.push(
        `The playbook command changes: ${code(diff.command[0])} → ${code(diff.command[1])}.`,
      );
    }
    const servers = [...new Set(diff.changes.flatMap((c) => c.server ?? []))];
    for (const server of servers) {
      out.push(`##### Server ${code(server)}`);
      out.push(...diff.changes.filter((c) => c.server === server).map(fileChange));
    }
    const shared = diff.changes.filter((c) => c.server === undefined);
    if (shared.length > 0) {
      out.push('##### Shared files');
      out.push(...shared.map(fileChange));
    }
  }
  return out.join('\n\n');
}

/** One file that differs: a line, and its diff unless it is removed or too long. */
function fileChange(change: AnsibleFileChange): string {
  const { added, removed, hunks } = change.diff;
  const counts = `+${added} −${removed}`;
  if (change.action === 'removed') return `Removed ${code(change.path)} (${removed} line(s)).`;
  const what = `${change.action === 'added' ? 'Added' : 'Changed'} ${code(change.path)}`;
  if (hunks === undefined) {
    return `${what}: about ${counts} line(s), too long to compare line by line.`;
  }
  if (added + removed > MAX_DIFF_LINES) {
    return `${what}: ${added + removed} line(s) changed (${counts}), more than ${MAX_DIFF_LINES}: not shown.`;
  }
  const fence = '`'.repeat(Math.max(3, longestRun(hunks, '`') + 1));
  return `${what} (${counts}):\n\n${fence}diff\n${hunks}\n${fence}`;
}

/** Without a base: each hosts stack's servers and generated files, by name. */
function ansibleListing(stacks: readonly AnsibleFiles[]): string {
  const out = ['## Ansible files per hosts stack'];
  for (const stack of stacks) {
    const servers = serversOf(stack);
    out.push(`### ${code(stack.stack)}, site ${code(stack.site)}`);
    out.push(
      `${code(stack.address)} runs ${code(stack.command)} in ${code(`${ANSIBLE_DIR}/`)}. Servers: ${servers.length > 0 ? servers.map(code).join(', ') : 'none'}.`,
    );
    const files = [...stack.files.keys()].sort(ansibleOrder);
    out.push(files.length > 0 ? files.map((file) => `- ${code(file)}`).join('\n') : 'No files.');
  }
  return out.join('\n\n');
}

/** Inline code that a backtick in `text` cannot end; line breaks flattened. */
function code(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const ticks = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

function order(change: ResourceChange): number {
  return { destroy: 0, replace: 1, forget: 2, change: 3, import: 4, add: 5 }[change.action];
}

function fleetSection(fleet: ReviewedFleet): string {
  if (fleet.agents.length === 0) return '## Fleet\n\nNo agents.';
  return `## Fleet\n\n${table(
    [
      'agent type',
      'site',
      'placement',
      'replicas',
      'scaling',
      'queue / topic',
      'dead letter',
      'state store',
    ],
    fleet.agents.map((agent) => [
      `\`${agent.agent}\``,
      agent.site,
      describePlacement(agent),
      replicas(agent),
      describeScaling(agent),
      agent.source
        ? `${agent.source.kind} \`${agent.source.name}\` on ${agent.source.broker}`
        : publishes(agent),
      agent.source ? `\`${agent.source.deadLetter}\`` : '—',
      agent.stateStore ?? 'stateless',
    ]),
  )}`;
}

function replicas(agent: ReviewedAgent): string {
  return agent.schedule ? '1 per run' : `${agent.minReplicas}–${agent.maxReplicas}`;
}

function publishes(agent: ReviewedAgent): string {
  return agent.publishes.length > 0
    ? `publishes to ${agent.publishes.map((p) => `\`${p}\``).join(', ')}`
    : '—';
}

/**
 * One Mermaid flowchart per site, marked against the base when there is one;
 * a site past Mermaid's size limits gets a table of its agents per pool.
 */
function topologySection(fleet: ReviewedFleet, base: DiagramBase | undefined): string {
  const out = ['## Topology'];
  if (base) out.push(DIAGRAM_LEGEND);
  for (const diagram of siteDiagrams(fleet, base)) {
    out.push(`### ${code(diagram.site)}${diagram.status ? ` (site ${diagram.status})` : ''}`);
    out.push(
      diagram.mermaid !== undefined
        ? `\`\`\`mermaid\n${diagram.mermaid}\n\`\`\``
        : `Too large for a Mermaid diagram (more than ${MERMAID_MAX_TEXT_SIZE} characters or ${MERMAID_MAX_EDGES} edges): its agents per pool.\n\n${table(SUMMARY_COLUMNS, diagram.summary ?? [])}`,
    );
  }
  return out.join('\n\n');
}

function sitesSection(fleet: ReviewedFleet): string {
  const out = ['## Sites and brokers'];
  for (const site of fleet.sites) {
    const where = [site.kind, site.region, site.cluster].filter(Boolean).join(', ');
    out.push(`### \`${site.name}\` (${where})`);
    out.push(
      table(
        ['node pool', 'instance / VM types', 'nodes', 'capacity', 'GPU', 'arch'],
        site.nodePools.map((pool) => [
          pool.name,
          pool.instanceTypes.join(', ') || 'own hardware',
          pool.minNodes !== undefined ? `${pool.minNodes}–${pool.maxNodes}` : '—',
          pool.spot ? 'spot' : 'on-demand',
          pool.gpu ? `${pool.gpu.count}× ${pool.gpu.model}` : '—',
          pool.arch,
        ]),
      ),
    );
    out.push(
      `Databases: ${site.databases.length > 0 ? site.databases.join('; ') : 'none'}.\n\nAdd-ons: ${site.addOns.join(', ')}.`,
    );
  }
  out.push('### Brokers');
  out.push(
    fleet.brokers.length > 0
      ? table(
          ['broker', 'kind', 'where'],
          fleet.brokers.map((b) => [`\`${b.name}\``, b.kind, b.where]),
        )
      : 'No brokers.',
  );
  return out.join('\n\n');
}

function guardrailsSection(guardrails: EnvironmentReview['guardrails']): string {
  const out = ['## Guardrails'];
  if (!guardrails) {
    out.push('The output has no guardrails.json: findings are not shown.');
    return out.join('\n\n');
  }
  const open = guardrails.findings.filter((f) => !f.suppressedBecause);
  const suppressed = guardrails.findings.filter((f) => f.suppressedBecause);
  const errors = open.filter((f) => f.level === 'error').length;
  const warnings = open.filter((f) => f.level === 'warning').length;
  out.push(
    `**${errors} error(s), ${warnings} warning(s)**, ${suppressed.length} suppressed, ${guardrails.unusedSuppressions.length} unused suppression(s).`,
  );
  if (open.length > 0) {
    out.push('### Findings');
    out.push(
      table(
        ['rule', 'level', 'resource', 'message'],
        open.map((f) => [f.rule, f.level, `\`${f.path}\``, f.message]),
      ),
    );
  }
  if (suppressed.length > 0) {
    out.push('### Suppressed');
    out.push(
      table(
        ['rule', 'level', 'resource', 'message', 'reason'],
        suppressed.map((f) => [
          f.rule,
          f.level,
          `\`${f.path}\``,
          f.message,
          f.suppressedBecause ?? '',
        ]),
      ),
    );
  }
  if (guardrails.unusedSuppressions.length > 0) {
    out.push('### Unused suppressions');
    out.push(
      `These match no finding: the resource no longer breaks the rule, or the path is wrong. Remove them.\n\n${table(
        ['rule', 'resource', 'reason'],
        guardrails.unusedSuppressions.map((s) => [s.rule, `\`${s.resource}\``, s.reason]),
      )}`,
    );
  }
  return out.join('\n\n');
}

function costSection(cost: EnvironmentCost | undefined, prices: PriceTable): string {
  const out = ['## Monthly cost of the agents'];
  if (!cost || cost.agents.length === 0) {
    out.push('No agents to price.');
    return out.join('\n\n');
  }
  const money = (value: number) => formatMoney(value, prices);
  out.push(
    `List prices recorded on ${prices.date} (the machine catalogue, \`model/machines.ts\`: ${prices.source}), ${HOURS_PER_MONTH} hours a month. Minimum: minimum replicas on the cheapest pool and instance type the agent may use; maximum: the most replicas its pools can hold (at most its maximum replicas) on the dearest. A replica costs its share of a node by its CPU, memory or GPU requests, or a whole machine on a scaling group. Node pools' own minimum sizes, brokers, databases and the platform are not included. On-prem and edge pools have no price. An agent type only on them shows no price, one partly on them the sum of its priced sites and the sites without a price.`,
  );
  const noPrice = cost.agents.filter(hasNoPrice);
  const partly = cost.agents.filter(
    (agent) => !hasNoPrice(agent) && unpricedSites(agent).length > 0,
  );
  const allUnpriced = noPrice.length === cost.agents.length;
  const totalNote = [
    noPrice.length > 0
      ? `no price for ${noPrice.length} of ${cost.agents.length} agent type(s): ${noPrice.map((a) => code(a.agent)).join(', ')}`
      : '',
    partly.length > 0 ? `partly priced: ${partly.map((a) => code(a.agent)).join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  out.push(
    table(
      ['agent type', 'min / month', 'max / month', 'basis'],
      [
        ...cost.agents.map((agent) => [
          code(agent.agent),
          agentMoney(agent, agent.minMonthly, prices),
          agentMoney(agent, agent.maxMonthly, prices),
          agent.sites.map(describeSiteCost).join('; '),
        ]),
        [
          '**total**',
          allUnpriced ? '**no price**' : `**${money(cost.minMonthly)}**`,
          allUnpriced ? '**no price**' : `**${money(cost.maxMonthly)}**`,
          totalNote,
        ],
      ],
    ),
  );
  return out.join('\n\n');
}

/** An agent type's sum: `no price` when none of its sites has one, and the sites without one named. */
function agentMoney(agent: AgentCost, value: number, prices: PriceTable): string {
  if (hasNoPrice(agent)) return 'no price';
  const unpriced = unpricedSites(agent).map((site) => site.site);
  return `${formatMoney(value, prices)}${unpriced.length > 0 ? ` + no price for ${unpriced.join(', ')}` : ''}`;
}

function describeSiteCost(site: SiteCost): string {
  if (site.unpriced) return `${site.site}: ${site.unpriced}`;
  const option = (o: NonNullable<SiteCost['cheapest']>) =>
    `${o.pool ? `${o.pool} ` : ''}${o.instanceType} ${o.capacity}${o.share < 1 ? ` ×${o.share.toFixed(3)}` : ''}`;
  const reach =
    site.declaredMaxReplicas !== undefined
      ? ` (maximum ${site.declaredMaxReplicas} cannot be reached: the pools hold ${site.maxReplicas})`
      : '';
  const bounds = `${site.minReplicas}–${site.maxReplicas}${reach}`;
  if (!site.cheapest || !site.dearest) return `${site.site}: ${bounds}`;
  const same = option(site.cheapest) === option(site.dearest);
  return `${site.site} ${bounds} on ${option(site.cheapest)}${same ? '' : ` … ${option(site.dearest)}`}`;
}

/**
 * With a base: `### Monthly cost: base → head`, the monthly cost of base and
 * head per agent type that changes, and in total. Its table is the last
 * block, one line per row, the total row last.
 */
export function costChanges(
  changes: NonNullable<EnvironmentReview['changes']>,
  prices: PriceTable,
): string {
  const out = ['### Monthly cost: base → head'];
  const diff = changes.cost;
  if (!diff) {
    out.push(`Not compared: ${changes.costProblem ?? 'the base cannot be priced'}.`);
    return out.join('\n\n');
  }
  out.push(
    `As in the monthly cost section below (minimum replicas on the cheapest option to the most replicas the pools can hold on the dearest, ${HOURS_PER_MONTH} hours a month), for base and head; the difference is head − base of the minimum and of the maximum, over priced sites. No price: the agent type has a price on none of its sites on a side that has it.`,
  );
  const money = (value: number) => formatMoney(value, prices);
  const signed = (value: number | undefined) =>
    value === undefined ? 'no price' : formatSignedMoney(value, prices);
  const side = (agent: AgentCost | undefined) => {
    if (!agent) return '—';
    const unpriced = unpricedSites(agent);
    const range = hasNoPrice(agent)
      ? `no price (${[...new Set(unpriced.map(unpricedReason))].join('; ')})`
      : `${money(agent.minMonthly)} – ${money(agent.maxMonthly)}${unpriced.length > 0 ? ` + no price for ${unpriced.map((s) => s.site).join(', ')}` : ''}`;
    return `${range} · ${agent.sites.map(siteBounds).join('; ')}`;
  };
  const change = (c: AgentCostChange) =>
    c.minDifference !== undefined && c.unpricedSites.length > 0
      ? ` (no price for ${c.unpricedSites.join(', ')})`
      : '';
  const total = (cost: EnvironmentCost | undefined) => {
    if (!cost) return '—';
    const noPrice = cost.agents.filter(hasNoPrice).length;
    const note = noPrice > 0 ? ` (no price for ${noPrice} agent type(s))` : '';
    if (noPrice === cost.agents.length && cost.agents.length > 0) return `**no price**${note}`;
    return `**${money(cost.minMonthly)} – ${money(cost.maxMonthly)}**${note}`;
  };
  if (diff.agents.length === 0) out.push('No agent type costs more or less.');
  out.push(
    table(
      ['agent type', 'change', 'base', 'head', 'min difference', 'max difference'],
      [
        ...diff.agents.map((c) => [
          code(c.agent),
          c.change,
          side(c.base),
          side(c.head),
          `${signed(c.minDifference)}${change(c)}`,
          `${signed(c.maxDifference)}${change(c)}`,
        ]),
        [
          '**total**',
          '',
          total(diff.base),
          total(diff.head),
          `**${signed(diff.minDifference)}**`,
          `**${signed(diff.maxDifference)}**`,
        ],
      ],
    ),
  );
  return out.join('\n\n');
}

/** A site's replica bounds, e.g. `us-east 2–8`, or `us-east min 1, max 10 (4 reachable)`. */
function siteBounds(site: SiteCost): string {
  return site.declaredMaxReplicas !== undefined
    ? `${site.site} min ${site.minReplicas}, max ${site.declaredMaxReplicas} (${site.maxReplicas} reachable)`
    : `${site.site} ${site.minReplicas}–${site.maxReplicas}`;
}

/** An amount in the price table's currency, e.g. `$1,315.46`. */
function formatMoney(value: number, prices: PriceTable): string {
  return `${prices.currency === 'USD' ? '$' : `${prices.currency} `}${value.toLocaleString(
    'en-US',
    {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    },
  )}`;
}

/** A difference with its sign, e.g. `+$120.45`, `−$30.00`, or `$0.00` when it rounds to no cent. */
function formatSignedMoney(value: number, prices: PriceTable): string {
  const cents = Math.round(value * 100);
  if (cents === 0) return formatMoney(0, prices);
  return `${cents > 0 ? '+' : '−'}${formatMoney(Math.abs(cents) / 100, prices)}`;
}

/** A Markdown table; cells have `|` escaped and line breaks flattened. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

import type { AnsibleDiff, AnsibleFileChange, AnsibleFiles } from './ansible';
import { ANSIBLE_DIR, ansibleOrder, serversOf } from './ansible';
import type { EnvironmentCost, PriceTable, SiteCost } from './cost';
import { HOURS_PER_MONTH } from './cost';
import { topologyDiagram } from './diagram';
import type { FleetDiff, ResourceChange, StackDiff } from './diff';
import { describePlacement, describeScaling } from './diff';
import type { GuardrailDocument, ReviewedAgent, ReviewedFleet } from './schema';

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
  /** With a base: what changes. @default - no comparison */
  readonly changes?: {
    readonly fleet: FleetDiff;
    readonly stacks: readonly StackDiff[];
    /** What changes in the hosts stacks' Ansible files. @default - none */
    readonly ansible?: readonly AnsibleDiff[];
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
    fleet
      ? `${fleet.production ? 'Production. ' : ''}${fleet.sites.length} site(s), ${fleet.brokers.length} broker(s), ${new Set(fleet.agents.map((a) => a.agent)).size} agent type(s), ${fleet.stacks.length} stack(s).`
      : 'This branch removes the environment: every one of its stacks is destroyed.',
    ...(review.changes ? [changesSection(review.changes)] : []),
    ...(fleet
      ? [
          fleetSection(fleet),
          sitesSection(fleet),
          ...(!review.changes && review.ansible && review.ansible.length > 0
            ? [ansibleListing(review.ansible)]
            : []),
          guardrailsSection(review.guardrails),
          costSection(review.cost, review.prices),
          `## Topology\n\n\`\`\`mermaid\n${topologyDiagram(fleet)}\n\`\`\``,
        ]
      : []),
  ];
  return `${sections.join('\n\n')}\n`;
}

function changesSection(changes: NonNullable<EnvironmentReview['changes']>): string {
  const out = ['## What changes'];
  const destroyed = changes.stacks.flatMap((stack) =>
    stack.changes.filter((c) => c.action === 'destroy' && c.stateful),
  );
  if (destroyed.length > 0) {
    out.push(
      [
        '> [!WARNING]',
        `> **${destroyed.length} stateful resource(s) destroyed**: their data is lost unless moved first (\`terraform state mv\` or a \`moved\` block). \`prevent_destroy\` stops the apply where it is set.`,
        '>',
        ...destroyed.map(
          (c) => `> - \`${c.stack}\` \`${c.address}\`${c.path ? ` (${c.path})` : ''}`,
        ),
      ].join('\n'),
    );
  }
  out.push('### Agents');
  const fleet = changes.fleet;
  const lines = [
    ...fleet.typesAdded.map((t) => `- agent type added: \`${t}\``),
    ...fleet.typesRemoved.map((t) => `- agent type removed: \`${t}\``),
    ...fleet.placementsAdded.map((p) => `- placed on a new site: \`${p}\``),
    ...fleet.placementsRemoved.map((p) => `- removed from a site: \`${p}\``),
    ...fleet.changed.flatMap((c) =>
      c.changes.map((what) => `- \`${c.agent}\` on \`${c.site}\`: ${what}`),
    ),
  ];
  out.push(lines.length > 0 ? lines.join('\n') : 'No agent type, bound or signal changes.');
  out.push('### Resources per stack');
  if (changes.stacks.length === 0) out.push('No resource changes.');
  else {
    const count = (stack: StackDiff, action: ResourceChange['action']) =>
      stack.changes.filter((c) => c.action === action).length;
    out.push(
      table(
        ['stack', 'added', 'changed', 'destroyed'],
        changes.stacks.map((stack) => [
          `\`${stack.stack}\`${stack.status ? ` (stack ${stack.status})` : ''}`,
          String(count(stack, 'add')),
          String(count(stack, 'change')),
          String(count(stack, 'destroy')),
        ]),
      ),
    );
    for (const stack of changes.stacks.filter((s) => s.changes.length > 0)) {
      const rows = [...stack.changes]
        .sort((a, b) => order(a) - order(b) || a.address.localeCompare(b.address))
        .map((c) => {
          const attributes = c.attributes.length > 0 ? `: ${c.attributes.join(', ')}` : '';
          const stateful = c.stateful ? ' **(stateful)**' : '';
          return `- ${c.action} \`${c.address}\`${stateful}${attributes}`;
        });
      out.push(
        `<details><summary><code>${stack.stack}</code>: ${stack.changes.length} change(s)</summary>\n\n${rows.join('\n')}\n\n</details>`,
      );
    }
  }
  if (changes.ansible && changes.ansible.length > 0) out.push(ansibleChanges(changes.ansible));
  return out.join('\n\n');
}

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
  return { destroy: 0, change: 1, add: 2 }[change.action];
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
  const money = (value: number) =>
    `${prices.currency === 'USD' ? '$' : `${prices.currency} `}${value.toLocaleString('en-US', {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    })}`;
  out.push(
    `List prices recorded on ${prices.date} (the machine catalogue, \`model/machines.ts\`: ${prices.source}), ${HOURS_PER_MONTH} hours a month. Minimum: minimum replicas on the cheapest pool and instance type the agent may use; maximum: the most replicas its pools can hold (at most its maximum replicas) on the dearest. A replica costs its share of a node by its CPU, memory or GPU requests, or a whole machine on a scaling group. Node pools' own minimum sizes, brokers, databases and the platform are not included. On-prem and edge pools have no price.`,
  );
  out.push(
    table(
      ['agent type', 'min / month', 'max / month', 'basis'],
      [
        ...cost.agents.map((agent) => [
          `\`${agent.agent}\``,
          money(agent.minMonthly),
          money(agent.maxMonthly),
          agent.sites.map(describeSiteCost).join('; '),
        ]),
        ['**total**', `**${money(cost.minMonthly)}**`, `**${money(cost.maxMonthly)}**`, ''],
      ],
    ),
  );
  return out.join('\n\n');
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

/** A Markdown table; cells have `|` escaped and line breaks flattened. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ].join('\n');
}

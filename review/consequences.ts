import {
  AgentReport,
  BrokerNodesReport,
  credentialRotations,
  FleetReport,
} from '../app/fleet-report';
import { agentStackId, DEFAULT_AGENT_GROUP } from '../model/agent-stacks';
import type { ComparedAgent, ComparedBroker, ComparedSite } from '../output/schema';
import type { ResourceChange, StackDiff } from './diff';

/**
 * What an environment's report must hold for its consequences to be read:
 * its agents and, when recorded, its sites' capacity warnings and its
 * brokers' users. A `ReviewedFleet` (and a base's `ComparedFleet`) is one.
 */
export interface ConsequenceFleet {
  /** Its name, which agents stacks' ids begin with. @default - unknown: a move names no group */
  readonly environment?: string;
  readonly agents: readonly ConsequenceAgent[];
  /** Sites with their capacity warnings. @default - none recorded: no capacity is compared */
  readonly sites?: readonly ConsequenceSite[];
  /** Brokers with their users. @default - none recorded: no broker's users are compared */
  readonly brokers?: readonly ConsequenceBroker[];
}

/** An agent on a site, as its source and signals are compared. */
export type ConsequenceAgent = ComparedAgent & Partial<Pick<AgentReport, 'publishes'>>;

/** A site, as its capacity is compared. */
export type ConsequenceSite = ComparedSite;

/** A broker, as its users and what its nodes start from are compared. */
export type ConsequenceBroker = ComparedBroker;

/**
 * What deploying a change does, worst first:
 * - `data-loss`: a queue or topic an agent read is read by nothing any more;
 * - `stateful-destroyed`: a stack destroys or replaces resources that hold data;
 * - `agent-recreated`: an agent moves to another stack, which creates anew what the old one destroys;
 * - `broker-roll`: a RabbitMQ broker's pods roll (and, when its users changed, every password is written anew);
 * - `capacity`: a site's pools can no longer hold its agents at their maxima;
 * - `scaling-meaning`: an agent scales on another signal, or another queue's depth;
 * - `agent-moved`: an agent moves to another stack, which imports what the old one forgets.
 */
export type ConsequenceKind =
  | 'data-loss'
  | 'stateful-destroyed'
  | 'agent-recreated'
  | 'broker-roll'
  | 'capacity'
  | 'scaling-meaning'
  | 'agent-moved';

/** One consequence of deploying a change, as one plain sentence. */
export interface Consequence {
  readonly kind: ConsequenceKind;
  /** The sentence, in Markdown (names in code spans). */
  readonly sentence: string;
}

const ORDER: readonly ConsequenceKind[] = [
  'data-loss',
  'stateful-destroyed',
  'agent-recreated',
  'broker-roll',
  'capacity',
  'scaling-meaning',
  'agent-moved',
];

/**
 * What deploying the branch does, from what synth records: queues and topics
 * left with no reader (from the two `fleet.json` agents' sources), stateful
 * resources destroyed or replaced (from the stack comparison), RabbitMQ brokers whose
 * nodes restart (their users revision changed, so every password is written
 * anew, or their image, resources, pools, configuration or imported
 * definitions did), capacity warnings new in `head`, agents whose scaling signal
 * measures something else, and agents another stack deploys (from the two
 * `fleet.json` agents' stacks: moved, or destroyed and created anew). A
 * missing `base` or `head` environment is one
 * without agents, brokers or sites; a `base` without `sites` compares no
 * capacity, and one without `brokers` no users. Sorted worst first, then as found.
 */
export function consequences(
  base: ConsequenceFleet | undefined,
  head: ConsequenceFleet | undefined,
  stacks: readonly StackDiff[],
): Consequence[] {
  const list = [
    ...strandedSources(base?.agents ?? [], head?.agents ?? []),
    ...destroyedStateful(stacks),
    ...brokerRolls(base?.brokers ?? [], head?.brokers ?? []),
    // A base that does not record its sites (read for its agents only) has no capacity to compare.
    ...(base && !base.sites ? [] : newCapacityWarnings(base?.sites ?? [], head?.sites ?? [])),
    ...scalingMeanings(base?.agents ?? [], head?.agents ?? []),
    ...agentMoves(base?.agents ?? [], head?.agents ?? [], stacks, head?.environment),
  ];
  return list
    .map((consequence, index) => ({ consequence, index }))
    .sort(
      (a, b) =>
        ORDER.indexOf(a.consequence.kind) - ORDER.indexOf(b.consequence.kind) || a.index - b.index,
    )
    .map(({ consequence }) => consequence);
}

/** Said when deploying the change loses no data, rolls no broker and rewrites no credentials. */
export const NO_CONSEQUENCES = 'Nothing that loses data, rolls a broker or rewrites credentials.';

/** `## What this change will do`: one sentence per consequence, worst first. */
export function renderConsequences(list: readonly Consequence[]): string {
  const lines = ['## What this change will do', ''];
  if (list.length === 0) lines.push(NO_CONSEQUENCES);
  else lines.push(...list.map((consequence) => `- ${consequence.sentence}`));
  return `${lines.join('\n')}\n`;
}

type Source = NonNullable<ComparedAgent['source']>;

const keyOf = (agent: Pick<ComparedAgent, 'agent' | 'site'>) => `${agent.agent}@${agent.site}`;
const sameSource = (a: Source | undefined, b: Source | undefined) =>
  !!a && !!b && a.kind === b.kind && a.broker === b.broker && a.name === b.name;
const sourceName = (source: Source) => `${source.kind} \`${source.broker}/${source.name}\``;
const where = (agent: Pick<ComparedAgent, 'agent' | 'site'>) =>
  `\`${agent.agent}\` on \`${agent.site}\``;

/**
 * Each source of the base that an agent on a site stops reading (it reads
 * another, none, or the agent left the site) and no agent of `head` reads:
 * what is still in it is read by nothing, and so is what agents of `head`
 * still publish to it.
 */
function strandedSources(
  base: readonly ConsequenceAgent[],
  head: readonly ConsequenceAgent[],
): Consequence[] {
  const after = new Map(head.map((agent) => [keyOf(agent), agent]));
  const said = new Set<string>();
  const list: Consequence[] = [];
  for (const old of base) {
    const was = old.source;
    if (!was) continue;
    const now = after.get(keyOf(old));
    if (now && sameSource(was, now.source)) continue;
    if (head.some((agent) => sameSource(was, agent.source))) continue;
    const lost = `\`${was.broker}/${was.name}\``;
    const what = !now
      ? `${where(old)} is removed and nothing reads ${sourceName(was)} any more`
      : now.source
        ? `${where(now)} now reads ${sourceName(now.source)} instead of ${sourceName(was)}`
        : `${where(now)} no longer reads ${sourceName(was)}`;
    const key = `${was.kind} ${was.broker}/${was.name}`;
    if (said.has(key)) continue;
    said.add(key);
    const publishers = head.filter((agent) =>
      (agent.publishes ?? []).includes(`${was.broker}/${was.name}`),
    );
    const still =
      was.kind === 'queue' && publishers.length > 0
        ? `; ${publishers.map(where).join(', ')} still publish${publishers.length === 1 ? 'es' : ''} to it, and nothing reads what is sent there`
        : '';
    list.push({
      kind: 'data-loss',
      sentence: `${what}; messages still in ${lost} are lost to it: drain it first${still}.`,
    });
  }
  return list;
}

/** Each stack's destroyed or replaced resources that hold data, by address. */
function destroyedStateful(stacks: readonly StackDiff[]): Consequence[] {
  return stacks.flatMap((stack) => {
    const destroyed = stack.changes.filter(
      (change) => change.action === 'destroy' && change.stateful,
    );
    const replaced = stack.changes.filter(
      (change) => change.action === 'replace' && change.stateful,
    );
    const list: Consequence[] = [];
    if (destroyed.length > 0) {
      const how = stack.status === 'removed' ? 'is removed and destroys' : 'destroys';
      list.push({
        kind: 'stateful-destroyed',
        sentence: `Stack \`${stack.stack}\` ${how} ${destroyed.length} resource(s) that hold data, and the data with them: ${destroyed.map((change) => `\`${change.address}\``).join(', ')}.`,
      });
    }
    if (replaced.length > 0) {
      const each = replaced.map(
        (change) =>
          `\`${change.address}\` (${(change.replacedBy ?? []).map((path) => `\`${path}\``).join(', ')} cannot change in place)`,
      );
      list.push({
        kind: 'stateful-destroyed',
        sentence: `Stack \`${stack.stack}\` replaces ${replaced.length} resource(s) that hold data: each is destroyed and created anew, so it is unavailable in between and what it holds is lost unless kept outside it (a retained volume) or copied first: ${each.join(', ')}.`,
      });
    }
    return list;
  });
}

/**
 * Each broker of both whose nodes restart: because its users revision changed
 * (why, from the users, their permissions and where copies of their passwords
 * are written, as {@link credentialRotations} says it, and the copies written
 * anew), or because what the nodes start from changed (image, resources,
 * pools, configuration, imported definitions).
 */
function brokerRolls(
  base: readonly ConsequenceBroker[],
  head: readonly ConsequenceBroker[],
): Consequence[] {
  const list: Consequence[] = [];
  for (const broker of head) {
    const old = base.find((candidate) => candidate.name === broker.name);
    if (!old) continue;
    const now = broker.credentials;
    const before = old.credentials;
    const [why] =
      now && before && now.revision !== before.revision
        ? credentialRotations(reportOf(old), reportOf(broker))
        : [];
    const restarts = nodeChanges(old.nodes, broker.nodes);
    if (!why && restarts.length === 0) continue;
    if (!why) {
      const named = `broker '${broker.name}'${broker.site ? ` (site ${broker.site})` : ''}`;
      list.push({
        kind: 'broker-roll',
        sentence: `${capitalized(named)} restarts its nodes: ${restarts.join('; ')}. Its pods roll one by one; no password changes.`,
      });
      continue;
    }
    const copies = (now?.users ?? []).flatMap((user) => user.copies);
    const written =
      copies.length > 0
        ? ` Its pods roll one by one, and its ${copies.length} password cop${copies.length === 1 ? 'y' : 'ies'} outside it are rewritten: ${copies.join(', ')}.`
        : ' Its pods roll one by one.';
    const also = restarts.length > 0 ? `; ${restarts.join('; ')}` : '';
    list.push({ kind: 'broker-roll', sentence: `${capitalized(why)}${also}.${written}` });
  }
  return list;
}

/** What changed in what a broker's nodes start from, in words; none when either is not recorded. */
function nodeChanges(
  before: BrokerNodesReport | undefined,
  after: BrokerNodesReport | undefined,
): string[] {
  if (!before || !after) return [];
  const changes: string[] = [];
  if (before.image !== after.image) {
    changes.push(`its image changes from \`${before.image}\` to \`${after.image}\``);
  }
  if (before.cpu !== after.cpu || before.memory !== after.memory) {
    changes.push(
      `each node's requests change from ${before.cpu} CPU, ${before.memory} to ${after.cpu} CPU, ${after.memory}`,
    );
  }
  if (before.pools.join(',') !== after.pools.join(',')) {
    changes.push(
      `its nodes move from pool(s) ${before.pools.join(', ')} to ${after.pools.join(', ')}`,
    );
  }
  if (before.configRevision !== after.configRevision) {
    changes.push('its configuration (`rabbitmq.conf`, `enabled_plugins`) changes');
  }
  if (before.definitionsRevision !== after.definitionsRevision) {
    changes.push('its queues, exchanges, bindings or policies change (imported at boot)');
  }
  return changes;
}

/** `credentialRotations` reads the brokers of a report only. */
function reportOf(broker: ConsequenceBroker): FleetReport {
  const report: Pick<FleetReport, 'brokers'> = {
    brokers: [{ kind: 'RabbitMQ', where: '', ...broker }],
  };
  return report as FleetReport;
}

/** Each capacity warning of a site of `head` that the same site of the base did not have. */
function newCapacityWarnings(
  base: readonly ConsequenceSite[],
  head: readonly ConsequenceSite[],
): Consequence[] {
  return head.flatMap((site) => {
    const before = new Set(
      base.find((candidate) => candidate.name === site.name)?.capacity?.warnings ?? [],
    );
    return (site.capacity?.warnings ?? [])
      .filter((warning) => !before.has(warning))
      .map((warning) => ({
        kind: 'capacity' as const,
        sentence: `On site \`${site.name}\` the node pools' maxima no longer hold the agents: ${warning.replace(/\.$/, '')}.`,
      }));
  });
}

/** Signals that measure the agent's queue or topic. */
const SOURCE_SIGNALS = new Set(['queue depth', 'consumer lag', 'backlog', 'active messages']);

/**
 * What an agent's scaling measures, without its targets: each signal's kind
 * (`queue depth`, `prometheus`, `cpu`…) and, for those that measure a queue
 * or topic, which one; with `withQuery`, the query of a `prometheus` signal.
 */
function scalingMeaning(agent: ComparedAgent, withQuery: boolean): string[] {
  const meanings = agent.signals.map((signal) => {
    const kind = signal.replace(/\s*[>\d].*$/s, '');
    if (SOURCE_SIGNALS.has(kind) && agent.source) {
      return `${kind} of \`${agent.source.broker}/${agent.source.name}\``;
    }
    return kind === 'prometheus' && withQuery ? `query \`${agent.prometheusQuery}\`` : kind;
  });
  return [...new Set(meanings)].sort();
}

/** Whether an agent scales on a `prometheus` signal whose query its report does not record. */
const queryUnrecorded = (agent: ComparedAgent) =>
  agent.prometheusQuery === undefined && agent.signals.some((s) => s.startsWith('prometheus'));

/**
 * Each agent on a site of both whose scaling measures something else in
 * `head`. Queries are compared when both reports record them.
 */
function scalingMeanings(
  base: readonly ComparedAgent[],
  head: readonly ComparedAgent[],
): Consequence[] {
  const before = new Map(base.map((agent) => [keyOf(agent), agent]));
  const list: Consequence[] = [];
  for (const now of head) {
    const old = before.get(keyOf(now));
    if (!old) continue;
    const withQuery = !queryUnrecorded(old) && !queryUnrecorded(now);
    const was = scalingMeaning(old, withQuery);
    const is = scalingMeaning(now, withQuery);
    if (was.join('\n') === is.join('\n')) continue;
    const words = (meaning: readonly string[], agent: ComparedAgent) =>
      meaning.length > 0
        ? meaning.join(' and ')
        : agent.schedule
          ? `its schedule \`${agent.schedule}\``
          : 'a fixed count';
    list.push({
      kind: 'scaling-meaning',
      sentence: `${where(now)} now scales on ${words(is, now)} instead of ${words(was, old)}.`,
    });
  }
  return list;
}

/**
 * Each agent on a site of both that another stack deploys in `head`, with
 * what becomes of its resources, those that leave the old stack and arrive in
 * the new one at the same address: forgotten by the one and imported by the
 * other (a move), or destroyed and created anew. When several agents move
 * between the same two stacks, a resource is an agent's by its construct
 * path: the agent's own construct, or its Consul registration.
 */
function agentMoves(
  base: readonly ComparedAgent[],
  head: readonly ComparedAgent[],
  stacks: readonly StackDiff[],
  environment: string | undefined,
): Consequence[] {
  const before = new Map(base.map((agent) => [keyOf(agent), agent]));
  const moved = head.flatMap((now) => {
    const from = before.get(keyOf(now))?.stack;
    return from && now.stack && from !== now.stack ? [{ now, from, to: now.stack }] : [];
  });
  const changesOf = (stack: string) => stacks.find((s) => s.stack === stack)?.changes ?? [];
  return moved.map(({ now, from, to }) => {
    const alone = moved.filter((m) => m.from === from && m.to === to).length === 1;
    const owned = (change: ResourceChange) => alone || ownedBy(change, now.agent);
    const left = new Map(
      changesOf(from)
        .filter((c) => (c.action === 'forget' || c.action === 'destroy') && owned(c))
        .map((c) => [c.address, c.action]),
    );
    const arrived = changesOf(to).filter(
      (c) => (c.action === 'import' || c.action === 'add') && left.has(c.address) && owned(c),
    );
    const kept = arrived.filter((c) => c.action === 'import' && left.get(c.address) === 'forget');
    const recreated = arrived.filter((c) => !kept.includes(c));
    // Its dashboard moves with it, from or to the platform stack that holds the default group's.
    const dashboard = dashboardMove(stacks, now.agent);
    if (dashboard?.kept) kept.push(dashboard.arrived);
    else if (dashboard) recreated.push(dashboard.arrived);
    const moves = `${where(now)} moves from stack \`${from}\` to \`${to}\``;
    if (recreated.length === 0) {
      const via =
        dashboard && (dashboard.from !== from || dashboard.to !== to)
          ? ` (its dashboard from \`${dashboard.from}\` to \`${dashboard.to}\`)`
          : '';
      const what =
        kept.length > 0
          ? `: ${resources(kept.length)} forgotten by the one and imported by the other${via}, nothing destroyed`
          : '';
      return { kind: 'agent-moved', sentence: `${moves}${what}.` };
    }
    if (kept.length === 0) {
      const group = groupOf(from, environment, now.site);
      const hint = group
        ? `set \`stack.movedFrom: ${group}\` on it`
        : 'set its `stack.movedFrom` to the group it was deployed in';
      return {
        kind: 'agent-recreated',
        sentence: `${moves} without \`stack.movedFrom\`: its ${resources(recreated.length)} ${recreated.length === 1 ? 'is' : 'are'} destroyed in \`${from}\` and created anew in \`${to}\`, so the agent stops in between, and \`${to}\` cannot create what \`${from}\` has not destroyed yet. To move them instead, ${hint} for one deployment: \`${from}\` then forgets them and \`${to}\` imports them.`,
      };
    }
    const each = recreated.map(
      (c) =>
        `\`${c.address}\` (${left.get(c.address) === 'forget' ? 'forgotten' : 'destroyed'} by the one, ${c.action === 'import' ? 'imported' : 'created anew'} by the other)`,
    );
    return {
      kind: 'agent-recreated',
      sentence: `${moves}: ${resources(kept.length)} forgotten by the one and imported by the other, but ${recreated.length} not moved: ${each.join(', ')}.`,
    };
  });
}

/**
 * An agent's dashboard leaving one stack and arriving in another, and whether
 * it is forgotten and imported (kept) or destroyed and created anew.
 */
function dashboardMove(
  stacks: readonly StackDiff[],
  agent: string,
): { from: string; to: string; arrived: ResourceChange; kept: boolean } | undefined {
  const find = (actions: readonly string[]) => {
    for (const { stack, changes } of stacks) {
      const change = changes.find(
        (c) => actions.includes(c.action) && c.path?.endsWith(`/Dashboard-${agent}`),
      );
      if (change) return { stack, change };
    }
    return undefined;
  };
  const left = find(['forget', 'destroy']);
  const arrived = find(['import', 'add']);
  if (!left || !arrived) return undefined;
  return {
    from: left.stack,
    to: arrived.stack,
    arrived: arrived.change,
    kept: left.change.action === 'forget' && arrived.change.action === 'import',
  };
}

/** Whether a resource belongs to an agent by its construct path, `<stack>/<construct>/…`. */
function ownedBy(change: ResourceChange, agent: string): boolean {
  const owner = change.path?.split('/')[1];
  return owner === agent || owner === `Consul-${agent}`;
}

/** The group of an agents stack of a site, from its id; none when the environment is unknown. */
function groupOf(stack: string, environment: string | undefined, site: string): string | undefined {
  if (environment === undefined) return undefined;
  const main = agentStackId(environment, site, DEFAULT_AGENT_GROUP);
  if (stack === main) return DEFAULT_AGENT_GROUP;
  return stack.startsWith(`${main}-`) ? stack.slice(main.length + 1) : undefined;
}

const resources = (count: number) => `${count} resource${count === 1 ? '' : 's'}`;

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

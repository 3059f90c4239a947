import { ConfigProblem, formatField } from './problems';
import { locate, SourceNode } from './yaml-source';

/** A field's path, relative to what a construct or stack was given. */
type FieldPath = readonly (string | number)[];

/** What one site's stacks were built from, by name. */
interface SiteSources {
  readonly site: SourceNode;
  /** The environment file's first line: for the environment's own name. */
  readonly file: SourceNode;
  /** Each agent's spec as merged from the catalogue and the environment file. */
  readonly agents: Map<string, SourceNode>;
  readonly pools: Map<string, SourceNode>;
  readonly brokers: ReadonlyMap<string, SourceNode>;
}

/** Where a problem found in a construct comes from in the files. */
export type SourcePosition = Omit<ConfigProblem, 'message'> & {
  /** The position is the field's own, not an entry above it. */
  readonly exact: boolean;
};

const STACK_KINDS = ['infra', 'platform', 'agents'];
const GROUP_STACK = '-agents-';

/**
 * Where in the environment files the constructs of a synthesized environment
 * come from, so that a problem found by a construct or a guardrail is reported
 * at the file, line and column of the value that caused it instead of a
 * construct path. Stacks are found by id (`<env>-<site>-<kind>`); below a
 * stack, the agent, node pool or broker a construct is named after (its id is
 * the name, or ends with `-<name>`) narrows the position to that entry.
 */
export class ConstructSources {
  private readonly sites = new Map<string, SiteSources>();

  /**
   * Records a site of an environment: its entry, pools and the environment's
   * brokers. For the loader only.
   * @internal
   */
  addSite(
    environment: string,
    site: string,
    sources: { site: SourceNode; file: SourceNode; brokers: ReadonlyMap<string, SourceNode> },
  ): void {
    const pools = new Map<string, SourceNode>();
    const poolsNode =
      sources.site.kind === 'map' ? sources.site.entries.get('nodePools') : undefined;
    for (const [name, node] of poolsNode?.kind === 'map' ? poolsNode.entries : []) {
      pools.set(name, node);
    }
    this.sites.set(`${environment}-${site}`, { ...sources, agents: new Map(), pools });
  }

  /**
   * Records the merged source of an agent placed on a recorded site. For the
   * loader only.
   * @internal
   */
  addAgent(environment: string, site: string, agent: string, merged: SourceNode): void {
    this.sites.get(`${environment}-${site}`)?.agents.set(agent, merged);
  }

  /**
   * The position of a problem a construct found, from its construct path and
   * the problem's field path relative to the construct's props; `undefined`
   * when the path names no stack of a loaded environment. A stack's own
   * problems (`site.…`, `brokers.<name>.…`, `agents.<name>.…`, `environment`)
   * are placed by their first segments.
   */
  locate(
    constructPath: string,
    field: readonly (string | number)[] = [],
  ): SourcePosition | undefined {
    const [stackId, ...below] = constructPath.split('/');
    const sources = this.siteOf(stackId);
    if (!sources) return undefined;
    const [head, name, ...rest] = field;
    if (below.length === 0 && head === 'site') return at(sources.site, field.slice(1));
    if (below.length === 0 && head === 'environment') return at(sources.file, []);
    if (below.length === 0 && (head === 'brokers' || head === 'agents')) {
      const entry = (head === 'brokers' ? sources.brokers : sources.agents).get(String(name));
      if (entry) return at(entry, rest);
    }
    const anchor = anchorOf(below, sources);
    return anchor ? at(anchor, field) : { ...at(sources.site, []), exact: field.length === 0 };
  }

  private siteOf(stackId: string): SiteSources | undefined {
    const kind = STACK_KINDS.find((candidate) => stackId.endsWith(`-${candidate}`));
    const site = kind && this.sites.get(stackId.slice(0, -kind.length - 1));
    if (site) return site;
    // A group's agents stack, `<env>-<site>-agents-<group>`: site and group names may hold '-agents-' too.
    for (let at = stackId.indexOf(GROUP_STACK); at > 0; at = stackId.indexOf(GROUP_STACK, at + 1)) {
      const found = this.sites.get(stackId.slice(0, at));
      if (found) return found;
    }
    return undefined;
  }
}

/** The deepest construct below a stack named after an agent, a pool or a broker of the site. */
function anchorOf(segments: readonly string[], sources: SiteSources): SourceNode | undefined {
  const entries = [...sources.agents, ...sources.pools, ...sources.brokers];
  for (const segment of [...segments].reverse()) {
    const exact = entries.find(([name]) => segment === name);
    if (exact) return exact[1];
    // `Broker-dc-rabbitmq` is broker `dc-rabbitmq`, not `rabbitmq`: the longest name wins.
    const named = entries
      .filter(([name]) => segment.endsWith(`-${name}`))
      .sort(([a], [b]) => b.length - a.length)[0];
    if (named) return named[1];
  }
  return undefined;
}

/**
 * The position of a field below an entry; the entry's own when none of the
 * field's path is found there (the construct's props differ from the file's).
 */
function at(root: SourceNode, field: FieldPath): SourcePosition {
  const { node, rest } = locate(root, field);
  const found = field.length === 0 || rest.length < field.length;
  const { file, line, column, path } = (found ? node : root).origin;
  return {
    file,
    line,
    column,
    field: formatField(found ? [...path, ...rest] : path),
    exact: found,
  };
}

import {
  brokerTopology,
  BrokerTopology,
  rabbitMqBrokers,
  RabbitMqBrokerSpec,
  resolveAgent,
} from '../../model';
import {
  ExampleSite,
  ScaledAgent,
  scaledAgents,
  topologyOf,
} from '../support/example-environments';

/**
 * What the scaling chain publishes or exposes for each agent, and the replicas
 * that value must lead to, planned from the agent's declared bounds and
 * per-replica target (its environment file) before anything runs.
 */

/** The signal value a case sets and what the agent's declaration says it implies. */
export interface PlannedSignal {
  /** Messages published, or the value the agent's pods expose. */
  readonly value: number;
  /** `clamp(ceil(value / perReplica), min, max)`. */
  readonly replicas: number;
  /**
   * A second, lower value that `replicas − 1` running replicas see within
   * the HPA's 10 % tolerance, so they stay although `ceil(value / perReplica)`
   * is `replicas`; only where the bounds leave room below `replicas`.
   */
  readonly withinTolerance?: { readonly value: number; readonly held: number };
}

/**
 * A value for an agent with bounds [min, max] and a per-replica target. With
 * room between the bounds it asks for `r` replicas strictly between them
 * (`r = ceil((min + max) / 2)`): just under `r × target`, which every count
 * below `r` sees more than 10 % above its share, so the HPA gets there from
 * `min` whatever its rate limits. Without room it asks for twice `max`, so
 * the count is clamped. Values in `taken` (other queues of the same broker)
 * are skipped, so that no two queues hold the same depth.
 */
export function planSignal(
  bounds: { readonly min: number; readonly max: number; readonly perReplica: number },
  taken: ReadonlySet<number> = new Set(),
): PlannedSignal {
  const { min, max, perReplica } = bounds;
  const r = Math.ceil((min + max) / 2);
  for (let offset = 0; offset < perReplica; offset++) {
    if (max - min < 2) {
      const value = 2 * max * perReplica + offset;
      if (!taken.has(value)) return { value, replicas: max };
      continue;
    }
    const value = r * perReplica - offset;
    // Any closer, and r − 1 running replicas would see it within the tolerance.
    if (value / ((r - 1) * perReplica) <= 1.12) break;
    if (taken.has(value)) continue;
    return {
      value,
      replicas: r,
      withinTolerance: { value: Math.floor((r - 1) * perReplica * 1.08), held: r - 1 },
    };
  }
  throw new Error(`no clear-cut value for ${min}..${max} replicas at ${perReplica} per replica`);
}

/** A queue-driven agent: messages published to its queue. */
export interface QueueCase {
  readonly agent: ScaledAgent;
  readonly vhost: string;
  readonly queue: string;
  readonly signal: PlannedSignal;
}

/** A Prometheus-driven agent: the metric its pods expose, set by the test. */
export interface QueryCase {
  readonly agent: ScaledAgent;
  /** The one metric the trigger's query reads. */
  readonly metric: string;
  readonly signal: PlannedSignal;
}

/** Everything the chain does on one site: its Prometheus, and its broker if one is loaded. */
export interface SitePlan {
  readonly site: ExampleSite;
  readonly broker?: {
    readonly spec: RabbitMqBrokerSpec;
    /** The synthesized `<broker>-topology` ConfigMap's definitions. */
    readonly definitions: Record<string, any[]>;
    /** The topology the platform stack derives the broker's users from. */
    readonly topology: BrokerTopology;
  };
  readonly queues: readonly QueueCase[];
  readonly queries: readonly QueryCase[];
}

/**
 * Plans the chain over every ScaledObject of the example environments that
 * scales on a RabbitMQ queue or a Prometheus query. A queue agent is checked
 * on the site that runs its broker (whose Prometheus scrapes it), a query
 * agent on its own site. Sites whose agents need nothing of this are left out.
 */
export function planChain(sites: readonly ExampleSite[]): SitePlan[] {
  const plans = new Map<
    ExampleSite,
    { queues: QueueCase[]; queries: QueryCase[]; broker?: string }
  >();
  const planOf = (site: ExampleSite) => {
    if (!plans.has(site)) plans.set(site, { queues: [], queries: [] });
    return plans.get(site) as NonNullable<ReturnType<typeof plans.get>>;
  };
  for (const site of sites) {
    for (const agent of scaledAgents(site)) {
      const scaling = agent.declared.scaling;
      if (!scaling) throw new Error(`${site.key} ${agent.name}: declares no scaling`);
      const bounds = (perReplica: number) => ({
        min: scaling.minReplicas,
        max: scaling.maxReplicas,
        perReplica,
      });
      if (agent.trigger.type === 'prometheus') {
        const plan = planOf(site);
        const threshold = scaling.prometheus?.threshold as number;
        plan.queries.push({
          agent,
          metric: queriedMetric(agent.trigger.metadata.query),
          signal: planSignal(bounds(threshold)),
        });
        continue;
      }
      const binding = agent.declared.queue;
      if (!binding)
        throw new Error(`${site.key} ${agent.name}: a rabbitmq trigger without a queue`);
      const home = brokerHome(sites, site, binding.broker);
      const plan = planOf(home);
      if (plan.broker !== undefined && plan.broker !== binding.broker) {
        throw new Error(
          `${home.key}: runs brokers ${plan.broker} and ${binding.broker}; one at a time is loaded`,
        );
      }
      plan.broker = binding.broker;
      plan.queues.push({
        agent,
        vhost: binding.vhost ?? '/',
        queue: binding.queue,
        signal: planSignal(
          bounds(scaling.queueDepth?.perReplica as number),
          new Set(plan.queues.map((c) => c.signal.value)),
        ),
      });
    }
  }
  return [...plans.entries()].map(([site, plan]) => ({
    site,
    queues: plan.queues,
    queries: plan.queries,
    broker: plan.broker === undefined ? undefined : brokerOf(site, plan.broker),
  }));
}

/** The site of `agentSite`'s environment whose platform stack runs `broker`. */
function brokerHome(
  sites: readonly ExampleSite[],
  agentSite: ExampleSite,
  broker: string,
): ExampleSite {
  const home = sites.find(
    (site) =>
      site.environment === agentSite.environment &&
      rabbitMqBrokers(site.environment.brokers).some(
        (spec) => spec.name === broker && spec.inCluster?.site === site.site,
      ),
  );
  if (!home)
    throw new Error(`${agentSite.key}: broker ${broker} runs on no site of the environment`);
  return home;
}

function brokerOf(site: ExampleSite, name: string): NonNullable<SitePlan['broker']> {
  const spec = rabbitMqBrokers(site.environment.brokers).find((b) => b.name === name);
  if (!spec) throw new Error(`${site.key}: no RabbitMQ broker ${name}`);
  const agents = site.environment.deployments
    .filter((deployment) => deployment.site === site.site)
    .map((deployment) => resolveAgent(deployment.agent));
  const { topology, problems } = brokerTopology(spec, agents);
  if (problems.length > 0) throw new Error(`${site.key} ${name}: ${JSON.stringify(problems)}`);
  return { spec, definitions: topologyOf(site, name), topology };
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/**
 * The one metric name a PromQL query selects: identifiers outside strings,
 * label matchers and durations that are neither a function call nor a
 * keyword. Throws unless there is exactly one, so that the test knows which
 * series the agent's pods must expose.
 */
export function queriedMetric(query: string): string {
  const bare = query
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(?=\s*(\(?))/g)) {
    if (match[1] === '(' || PROMQL_WORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  if (names.size !== 1) {
    throw new Error(`expected one metric in '${query}', found ${[...names].join(', ') || 'none'}`);
  }
  return [...names][0];
}

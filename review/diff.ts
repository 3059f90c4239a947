import type { AgentReport } from '../app/fleet-report';
import type { ImportBlock, RemovedBlock, StackJson } from '../output/schema';
import type { ComparedAgent } from '../output/schema';
import { replacingChanges } from './replacing-attributes';

/** What changed in an environment's agents between the base and this branch. */
export interface FleetDiff {
  /** Agent types that run nowhere in the base. */
  readonly typesAdded: readonly string[];
  /** Agent types that run nowhere any more. */
  readonly typesRemoved: readonly string[];
  /** An existing type placed on another site, as `agent@site`. */
  readonly placementsAdded: readonly string[];
  readonly placementsRemoved: readonly string[];
  /** Agents on a site whose bounds, signals, placement, queue or store changed. */
  readonly changed: readonly {
    readonly agent: string;
    readonly site: string;
    readonly changes: readonly string[];
  }[];
}

/** What happens to one Terraform resource. */
export interface ResourceChange {
  readonly stack: string;
  /** `<type>.<name>` in its stack. */
  readonly address: string;
  readonly type: string;
  /** Construct path from the resource's metadata. @default - none */
  readonly path?: string;
  /**
   * `replace` is a change the provider carries out by destroying the resource
   * and creating it anew, by its own rules for the attributes that changed.
   * `import` is a resource new in the stack that an `import` block brings in
   * as deployed: nothing is created. `forget` is a resource gone from the
   * stack that a `removed` block with `destroy = false` drops from the stack's
   * state: it stays deployed.
   */
  readonly action: 'add' | 'import' | 'change' | 'replace' | 'forget' | 'destroy';
  /** Paths of the attributes that differ, for changes and replacements. */
  readonly attributes: readonly string[];
  /** The id an `import` is made by. @default - none: not an import */
  readonly importId?: string;
  /**
   * The changed attributes that force the replacement, as the provider's
   * schema marks them. @default - none: not a replacement
   */
  readonly replacedBy?: readonly string[];
  /** Whether the resource holds data (a table, queue, key, broker, database). */
  readonly stateful: boolean;
}

/** Resource changes of one stack. */
export interface StackDiff {
  readonly stack: string;
  /** Whether the whole stack is new, or gone. @default - in both */
  readonly status?: 'added' | 'removed';
  readonly changes: readonly ResourceChange[];
}

const STATEFUL_TYPES = new Set([
  'aws_dynamodb_table',
  'aws_keyspaces_keyspace',
  'aws_keyspaces_table',
  'aws_dsql_cluster',
  'aws_docdb_cluster',
  'aws_docdb_cluster_instance',
  'aws_msk_cluster',
  'aws_mq_broker',
  'aws_sqs_queue',
  'aws_kms_key',
  'aws_s3_bucket',
  'aws_ebs_volume',
  'kubernetes_stateful_set_v1',
  'kubernetes_persistent_volume_claim_v1',
  'kubernetes_persistent_volume_v1',
]);
const STATEFUL_PREFIXES = ['azurerm_cosmosdb_', 'azurerm_servicebus_', 'azurerm_eventhub'];
/** Helm charts that run databases or brokers. */
const STATEFUL_CHARTS = new Set([
  'cockroachdb',
  'consul',
  'rabbitmq',
  'rabbitmq-cluster-operator',
  'kafka',
  'postgresql',
  'redis',
  'mongodb',
  'yugabyte',
]);

/**
 * API groups of custom resources that hold data: Strimzi's Kafka objects,
 * MongoDB replica sets (MongoDB's operator), Cassandra datacenters (cass-operator).
 */
const STATEFUL_API_GROUPS = [
  'kafka.strimzi.io',
  'mongodbcommunity.mongodb.com',
  'cassandra.datastax.com',
];

/**
 * Whether destroying a resource loses data: tables, keyspaces, databases,
 * queues, keys, managed brokers, StatefulSets and volumes, Helm releases of
 * databases and brokers, and the custom resources of Kafka, MongoDB and
 * Cassandra operators.
 */
export function isStateful(type: string, attributes: Readonly<Record<string, unknown>>): boolean {
  if (STATEFUL_TYPES.has(type)) return true;
  // Role assignments and definitions under a data service's prefix grant access; they hold no data.
  if (/_role_(assignment|definition)$/.test(type)) return false;
  if (STATEFUL_PREFIXES.some((prefix) => type.startsWith(prefix))) return true;
  if (type === 'helm_release') return STATEFUL_CHARTS.has(String(attributes.chart ?? ''));
  if (type === 'kubernetes_manifest') {
    const manifest = attributes.manifest as { apiVersion?: string } | undefined;
    const apiVersion = String(manifest?.apiVersion ?? '');
    return STATEFUL_API_GROUPS.some((group) => apiVersion.startsWith(`${group}/`));
  }
  return false;
}

/**
 * Compares two environments' agents, keyed by agent type and site: types and
 * placements added or removed, and bounds, signals, placement, queue or topic
 * and state store changed.
 */
export function diffFleet(
  base: { readonly agents: readonly ComparedAgent[] } | undefined,
  current: { readonly agents: readonly ComparedAgent[] },
): FleetDiff {
  const before = new Map((base?.agents ?? []).map((a) => [`${a.agent}@${a.site}`, a]));
  const after = new Map(current.agents.map((a) => [`${a.agent}@${a.site}`, a]));
  const typesBefore = new Set((base?.agents ?? []).map((a) => a.agent));
  const typesAfter = new Set(current.agents.map((a) => a.agent));
  const changed: FleetDiff['changed'][number][] = [];
  for (const [key, agent] of after) {
    const old = before.get(key);
    if (!old) continue;
    const changes = agentChanges(old, agent);
    if (changes.length > 0) changed.push({ agent: agent.agent, site: agent.site, changes });
  }
  return {
    typesAdded: [...typesAfter].filter((type) => !typesBefore.has(type)),
    typesRemoved: [...typesBefore].filter((type) => !typesAfter.has(type)),
    placementsAdded: [...after.keys()].filter(
      (key) => !before.has(key) && typesBefore.has(after.get(key)?.agent ?? ''),
    ),
    placementsRemoved: [...before.keys()].filter(
      (key) => !after.has(key) && typesAfter.has(before.get(key)?.agent ?? ''),
    ),
    changed,
  };
}

function agentChanges(old: ComparedAgent, now: ComparedAgent): string[] {
  const changes: string[] = [];
  const compare = (what: string, a: string, b: string) => {
    if (a !== b) changes.push(`${what}: ${a} → ${b}`);
  };
  compare(
    'replicas',
    `${old.minReplicas}–${old.maxReplicas}`,
    `${now.minReplicas}–${now.maxReplicas}`,
  );
  compare('scaling', describeScaling(old), describeScaling(now));
  compare('placement', describePlacement(old), describePlacement(now));
  compare('source', describeSource(old), describeSource(now));
  compare('state store', old.stateStore ?? 'none', now.stateStore ?? 'none');
  compare(
    'requests',
    `${old.requests.cpuMillis}m CPU, ${old.requests.memoryMiB}Mi, ${old.requests.gpu} GPU`,
    `${now.requests.cpuMillis}m CPU, ${now.requests.memoryMiB}Mi, ${now.requests.gpu} GPU`,
  );
  return changes;
}

/** `keda: queue depth 20/replica`, `cron-job: 0 2 * * *`, `fixed`. */
export function describeScaling(
  agent: Pick<AgentReport, 'schedule' | 'autoscaler' | 'signals'>,
): string {
  if (agent.schedule) return `${agent.autoscaler}: ${agent.schedule}`;
  if (agent.signals.length === 0) return agent.autoscaler;
  return `${agent.autoscaler}: ${agent.signals.join(', ')}`;
}

/** `pools general, spot (spot allowed)`, `EC2 group c7i.large`. */
export function describePlacement(agent: Pick<AgentReport, 'placement'>): string {
  const placement = agent.placement;
  if (placement.kind === 'scaling-group') {
    return `${placement.group === 'vmss' ? 'VM scale set' : 'EC2 group'} ${placement.instanceType}`;
  }
  const notes = [
    ...(placement.gpu > 0 ? [`${placement.gpu} GPU`] : []),
    ...(placement.spot !== 'never' ? [`spot ${placement.spot}`] : []),
  ];
  return `${placement.pools.join(', ') || '(none)'}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`;
}

function describeSource(agent: Pick<AgentReport, 'source'>): string {
  const source = agent.source;
  return source ? `${source.kind} ${source.broker}/${source.name}` : 'none';
}

/**
 * Compares the Terraform JSON of two outputs stack by stack, by resource
 * address and attributes; the `//` metadata is ignored. A change to an
 * attribute its provider replaces the resource for (see
 * {@link replacingChanges}) is a replacement. A resource new in a stack that
 * one of the stack's `import` blocks names is imported, not added; one gone
 * from a stack that one of its `removed` blocks with `destroy = false` names
 * is forgotten, not destroyed. Stacks present in only one output are wholly
 * added or removed.
 */
export function diffStacks(
  base: ReadonlyMap<string, StackJson>,
  current: ReadonlyMap<string, StackJson>,
  stackIds: readonly string[],
): StackDiff[] {
  const diffs: StackDiff[] = [];
  for (const stack of stackIds) {
    const before = resourcesOf(base.get(stack));
    const after = resourcesOf(current.get(stack));
    const { imports, forgotten } = movesOf(current.get(stack));
    const changes: ResourceChange[] = [];
    for (const [address, resource] of after) {
      const old = before.get(address);
      if (!old) {
        const importId = imports.get(address);
        changes.push(
          importId !== undefined
            ? { ...change(stack, address, resource, 'import', []), importId }
            : change(stack, address, resource, 'add', []),
        );
        continue;
      }
      const attributes = changedAttributes(old.attributes, resource.attributes);
      if (attributes.length === 0) continue;
      const replacedBy = replacingChanges(resource.type, old.attributes, resource.attributes);
      changes.push(
        replacedBy.length > 0
          ? { ...change(stack, address, resource, 'replace', attributes), replacedBy }
          : change(stack, address, resource, 'change', attributes),
      );
    }
    for (const [address, resource] of before) {
      if (after.has(address)) continue;
      changes.push(
        change(stack, address, resource, forgotten.has(address) ? 'forget' : 'destroy', []),
      );
    }
    const status = !base.has(stack) ? 'added' : !current.has(stack) ? 'removed' : undefined;
    if (changes.length > 0 || status) diffs.push({ stack, ...(status ? { status } : {}), changes });
  }
  return diffs;
}

/**
 * A stack's `import` blocks, id by address, and the addresses its `removed`
 * blocks forget without destroying.
 */
function movesOf(stack: StackJson | undefined): {
  imports: Map<string, string>;
  forgotten: Set<string>;
} {
  const blocks = stack as
    { removed?: readonly RemovedBlock[]; import?: readonly ImportBlock[] } | undefined;
  return {
    imports: new Map((blocks?.import ?? []).map((block) => [block.to, block.id])),
    forgotten: new Set(
      (blocks?.removed ?? [])
        .filter((block) => block.lifecycle?.destroy === false)
        .map((block) => block.from),
    ),
  };
}

interface ResourceEntry {
  readonly type: string;
  readonly path?: string;
  readonly attributes: Record<string, unknown>;
}

function resourcesOf(stack: StackJson | undefined): Map<string, ResourceEntry> {
  const resources = new Map<string, ResourceEntry>();
  // Where the state lives and how providers are configured change plans too.
  const settings = stack as
    | { terraform?: { backend?: Record<string, unknown> }; provider?: Record<string, unknown> }
    | undefined;
  for (const [type, body] of Object.entries(settings?.terraform?.backend ?? {})) {
    resources.set(`terraform.backend.${type}`, {
      type: `backend.${type}`,
      attributes: withoutMetadata(body) as Record<string, unknown>,
    });
  }
  for (const [name, body] of Object.entries(settings?.provider ?? {})) {
    resources.set(`provider.${name}`, {
      type: `provider.${name}`,
      attributes: { configuration: withoutMetadata(body) },
    });
  }
  const byType = (stack?.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [type, named] of Object.entries(byType)) {
    for (const [name, body] of Object.entries(named)) {
      const metadata = (body['//'] as { metadata?: { path?: string } } | undefined)?.metadata;
      resources.set(`${type}.${name}`, {
        type,
        ...(metadata?.path ? { path: metadata.path } : {}),
        attributes: withoutMetadata(body) as Record<string, unknown>,
      });
    }
  }
  return resources;
}

function change(
  stack: string,
  address: string,
  resource: ResourceEntry,
  action: ResourceChange['action'],
  attributes: string[],
): ResourceChange {
  return {
    stack,
    address,
    type: resource.type,
    ...(resource.path ? { path: resource.path } : {}),
    action,
    attributes,
    stateful: isStateful(resource.type, resource.attributes),
  };
}

/** Most changed paths named per resource; more are counted. */
const MAX_PATHS = 8;

/**
 * The paths of the leaves that differ, e.g. `spec.template.spec.container[0].image`,
 * so an image bump does not read as a change of `spec`. JSON held in strings
 * (policies, Helm values) is compared as a whole.
 */
function changedAttributes(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const paths: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (canonical(x) === canonical(y)) return;
    const bothObjects =
      x &&
      y &&
      typeof x === 'object' &&
      typeof y === 'object' &&
      Array.isArray(x) === Array.isArray(y);
    if (!bothObjects) {
      paths.push(path);
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) walk(x[i], y[i], `${path}[${i}]`);
      return;
    }
    const left = x as Record<string, unknown>;
    const right = y as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
      walk(left[key], right[key], path === '' ? key : `${path}.${key}`);
    }
  };
  walk(a, b, '');
  return paths.length > MAX_PATHS
    ? [...paths.slice(0, MAX_PATHS), `${paths.length - MAX_PATHS} more`]
    : paths;
}

function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== '//')
        .map(([key, inner]) => [key, withoutMetadata(inner)]),
    );
  }
  return value;
}

/** JSON with sorted keys, so that key order never reads as a change. */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  return JSON.stringify(value, (_key, inner) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([x], [y]) => x.localeCompare(y)))
      : inner,
  );
}

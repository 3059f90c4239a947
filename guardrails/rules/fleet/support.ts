import { ResourceView, RuleScope } from '../../engine/types';
import { many, one } from '../support/kubernetes';

/**
 * Readers shared by the fleet rules (GR-FLEET-*). Rules see Terraform JSON:
 * typed Kubernetes resources in the provider's snake_case with singular block
 * names (`container`, `toleration`), single blocks as an object or a
 * one-element list, and `kubernetes_manifest` objects in the API's camelCase.
 * Every reader here accepts both forms.
 */

/** List-block readers, shared with the Kubernetes rules. */
export { many, one };

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** A field in snake_case or camelCase (or the alternative names given). */
export function field(object: unknown, snake: string, ...others: string[]): any {
  const target = one(object);
  if (!target || typeof target !== 'object') return undefined;
  for (const key of [snake, camel(snake), ...others]) {
    if (target[key] !== undefined) return target[key];
  }
  return undefined;
}

/** A whole number from a number or a numeric string; undefined otherwise. */
export function int(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return undefined;
}

/** The manifest of a `kubernetes_manifest`, or undefined for other types. */
export function manifestOf(resource: ResourceView): any {
  return resource.type === 'kubernetes_manifest' ? resource.attributes.manifest : undefined;
}

/** Manifests of a kind in scope. */
export function manifests(
  scope: RuleScope,
  kind: string,
): { resource: ResourceView; manifest: any }[] {
  return scope
    .ofType('kubernetes_manifest')
    .map((resource) => ({ resource, manifest: resource.attributes.manifest }))
    .filter(({ manifest }) => manifest?.kind === kind);
}

/** Typed Kubernetes resource types that hold a pod template, by workload kind. */
export const WORKLOAD_TYPES: Readonly<Record<string, string>> = {
  kubernetes_deployment_v1: 'Deployment',
  kubernetes_deployment: 'Deployment',
  kubernetes_stateful_set_v1: 'StatefulSet',
  kubernetes_stateful_set: 'StatefulSet',
  kubernetes_daemon_set_v1: 'DaemonSet',
  kubernetes_daemonset: 'DaemonSet',
  kubernetes_job_v1: 'Job',
  kubernetes_job: 'Job',
  kubernetes_cron_job_v1: 'CronJob',
  kubernetes_cron_job: 'CronJob',
  kubernetes_pod_v1: 'Pod',
  kubernetes_pod: 'Pod',
};

/** Every resource type a pod template may come from. */
export const POD_RESOURCE_TYPES: readonly string[] = [
  ...Object.keys(WORKLOAD_TYPES),
  'kubernetes_manifest',
];

/** A workload as the fleet rules see it: its kind, name, namespace and pod template. */
export interface Workload {
  readonly kind: string;
  readonly name?: string;
  readonly namespace?: string;
  /** Labels of the pod template. */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** The pod spec, in either form: read it with {@link field}. */
  readonly pod: any;
}

/** The workload a resource renders, or undefined when it holds no pod template. */
export function workloadOf(resource: ResourceView): Workload | undefined {
  const manifest = manifestOf(resource);
  const kind: string | undefined = manifest ? manifest.kind : WORKLOAD_TYPES[resource.type];
  if (!kind) return undefined;
  const root = manifest ?? resource.attributes;
  const spec = field(root, 'spec');
  let template: any;
  switch (kind) {
    case 'Pod':
      template = { metadata: field(root, 'metadata'), spec };
      break;
    case 'CronJob':
      template = field(field(field(spec, 'job_template'), 'spec'), 'template');
      break;
    case 'ScaledJob':
      template = field(field(spec, 'job_target_ref'), 'template');
      break;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      template = field(spec, 'template');
      break;
    default:
      return undefined;
  }
  if (!template) return undefined;
  const metadata = field(root, 'metadata');
  const podMetadata = field(template, 'metadata');
  return {
    kind,
    name: field(metadata, 'name'),
    namespace: field(metadata, 'namespace'),
    podLabels: field(podMetadata, 'labels') ?? {},
    podAnnotations: field(podMetadata, 'annotations') ?? {},
    pod: one(field(template, 'spec')) ?? {},
  };
}

/** The containers of a pod spec (not its init containers). */
export function containersOf(pod: unknown): any[] {
  return many(field(pod, 'container', 'containers'));
}

/** The environment variables of a container with a literal value. */
export function envOf(container: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of many(field(container, 'env'))) {
    if (typeof entry?.name === 'string' && typeof entry.value === 'string') {
      env[entry.name] = entry.value;
    }
  }
  return env;
}

/** A toleration in one form. */
export interface TolerationView {
  readonly key?: string;
  readonly operator: string;
  readonly value?: string;
  readonly effect?: string;
}

/** The tolerations of a pod spec, or of a Helm values object (`tolerations`). */
export function tolerationsOf(pod: unknown): TolerationView[] {
  return many(field(pod, 'toleration', 'tolerations')).map((toleration) => ({
    key: field(toleration, 'key') || undefined,
    operator: field(toleration, 'operator') ?? 'Equal',
    value: field(toleration, 'value') || undefined,
    effect: field(toleration, 'effect') || undefined,
  }));
}

/** A taint, effect in Kubernetes form (`NoSchedule`). */
export interface TaintView {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

/** Whether a toleration tolerates a taint, by the Kubernetes matching rules. */
export function tolerates(toleration: TolerationView, taint: TaintView): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

const EKS_EFFECTS: Readonly<Record<string, string>> = {
  NO_SCHEDULE: 'NoSchedule',
  PREFER_NO_SCHEDULE: 'PreferNoSchedule',
  NO_EXECUTE: 'NoExecute',
};

/** A taint's effect in Kubernetes form, from EKS (`NO_SCHEDULE`) or Kubernetes form. */
export function kubernetesEffect(effect: string): string {
  return EKS_EFFECTS[effect] ?? effect;
}

/** A node pool of the site, as the cloud resources in scope declare it. */
export interface NodePoolView {
  readonly resource: ResourceView;
  /** The pool's name: its `agent-fleet.dev/pool` label, or the group's name. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly TaintView[];
  readonly minSize?: number;
}

/** The node label that names a node's pool. */
export const POOL_LABEL = 'agent-fleet.dev/pool';

/** The taint GPU nodes carry, so that only pods asking for GPUs land there. */
export const GPU_TAINT_KEY = 'nvidia.com/gpu';

/** `key=value:Effect` or `key:Effect`, as AKS writes node taints. */
function parseAksTaint(text: string): TaintView | undefined {
  const match = /^([^=:]+)(?:=([^:]*))?:(\w+)$/.exec(text);
  return match ? { key: match[1], value: match[2] || undefined, effect: match[3] } : undefined;
}

/** The node pools of the site's clusters: EKS managed node groups and AKS pools. */
function nodePoolsUncached(scope: RuleScope): NodePoolView[] {
  const pools: NodePoolView[] = [];
  for (const group of [...scope.ofType('aws_eks_node_group')]) {
    const labels: Record<string, string> = field(group.attributes, 'labels') ?? {};
    const name = labels[POOL_LABEL] ?? field(group.attributes, 'node_group_name') ?? group.address;
    pools.push({
      resource: group,
      name,
      labels,
      taints: many(field(group.attributes, 'taint')).map((taint) => ({
        key: taint.key,
        value: taint.value || undefined,
        effect: kubernetesEffect(taint.effect),
      })),
      minSize: int(field(field(group.attributes, 'scaling_config'), 'min_size')),
    });
  }
  const aksPools = [
    ...scope.ofType('azurerm_kubernetes_cluster_node_pool').map((pool) => ({
      resource: pool,
      attributes: pool.attributes,
    })),
    ...scope.ofType('azurerm_kubernetes_cluster').flatMap((cluster) =>
      many(field(cluster.attributes, 'default_node_pool')).map((pool) => ({
        resource: cluster,
        attributes: pool,
      })),
    ),
  ];
  for (const { resource, attributes } of aksPools) {
    const labels: Record<string, string> = field(attributes, 'node_labels') ?? {};
    pools.push({
      resource,
      name: labels[POOL_LABEL] ?? field(attributes, 'name') ?? resource.address,
      labels,
      taints: many(field(attributes, 'node_taints'))
        .map((taint) => (typeof taint === 'string' ? parseAksTaint(taint) : undefined))
        .filter((taint): taint is TaintView => taint !== undefined),
      minSize: int(field(attributes, 'min_count')),
    });
  }
  return pools;
}

/** {@link nodePoolsUncached}, computed once per scope. */
export function nodePools(scope: RuleScope): NodePoolView[] {
  return scope.memo('fleet:nodePools', () => nodePoolsUncached(scope));
}

/**
 * The pools a pod's required node affinity (or node selector) admits, by the
 * `agent-fleet.dev/pool` label; undefined when it does not constrain the pool.
 */
export function podPools(pod: unknown): string[] | undefined {
  const selector = field(pod, 'node_selector');
  if (selector && typeof selector[POOL_LABEL] === 'string') return [selector[POOL_LABEL]];
  const required = field(
    field(field(pod, 'affinity'), 'node_affinity'),
    'required_during_scheduling_ignored_during_execution',
  );
  const terms = many(field(required, 'node_selector_term', 'nodeSelectorTerms'));
  const pools = new Set<string>();
  let constrained = false;
  for (const term of terms) {
    for (const expression of many(field(term, 'match_expressions'))) {
      if (field(expression, 'key') !== POOL_LABEL || field(expression, 'operator') !== 'In') {
        continue;
      }
      constrained = true;
      for (const value of many(field(expression, 'values'))) pools.add(String(value));
    }
  }
  return constrained ? [...pools] : undefined;
}

/** A resource quantity's count, for whole-unit resources such as `nvidia.com/gpu`. */
export function requestedUnits(pod: unknown, resource: string): number {
  let total = 0;
  for (const container of containersOf(pod)) {
    const resources = field(container, 'resources');
    const amount =
      int(field(resources, 'requests')?.[resource]) ?? int(field(resources, 'limits')?.[resource]);
    total += amount ?? 0;
  }
  return total;
}

/** Parsed Helm values of a release (JSON strings; others are skipped), merged in order. */
export function helmValues(release: ResourceView): Record<string, any> {
  const merged: Record<string, any> = {};
  for (const text of many(release.attributes.values)) {
    if (typeof text !== 'string') continue;
    try {
      const parsed = JSON.parse(text);
      if (parsed && typeof parsed === 'object') Object.assign(merged, parsed);
    } catch {
      // YAML values are not read; the rules then see only what JSON gives them.
    }
  }
  return merged;
}

/** The chart of a Helm release, without a repository prefix (`keda`, not `kedacore/keda`). */
export function chartOf(release: ResourceView): string {
  const chart = String(release.attributes.chart ?? '');
  return chart.split('/').pop() as string;
}

/** Java-properties text (`key=value` per line) as a map. */
export function properties(text: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (typeof text !== 'string') return map;
  for (const line of text.split('\n')) {
    const match = /^\s*([^#!=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) map[match[1]] = match[2];
  }
  return map;
}

/** A topic as the MSK topic Job's script creates it. */
export interface ScriptTopic {
  readonly name: string;
  readonly partitions?: number;
  readonly replicationFactor?: number;
  readonly config: Readonly<Record<string, string>>;
}

/** Strips the shell quotes of one word. */
function unquote(word: string): string {
  return word.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
}

/** The topics a shell script creates with `kafka-topics.sh --create`. */
export function scriptTopics(script: unknown): ScriptTopic[] {
  if (typeof script !== 'string') return [];
  const topics: ScriptTopic[] = [];
  for (const line of script.split('\n')) {
    if (!/kafka-topics(\.sh)?\s/.test(line) || !/\s--create(\s|$)/.test(line)) continue;
    const words = line.trim().split(/\s+/);
    const after = (flag: string) => {
      const index = words.indexOf(flag);
      return index >= 0 ? unquote(words[index + 1] ?? '') : undefined;
    };
    const name = after('--topic');
    if (!name) continue;
    const config: Record<string, string> = {};
    words.forEach((word, index) => {
      if (word !== '--config') return;
      const [key, ...value] = unquote(words[index + 1] ?? '').split('=');
      config[key] = value.join('=');
    });
    topics.push({
      name,
      partitions: int(after('--partitions')),
      replicationFactor: int(after('--replication-factor')),
      config,
    });
  }
  return topics;
}

/**
 * The topics a Job creates: parsed from the ConfigMaps it mounts (by name, or
 * by reference to a ConfigMap resource in scope) and from its own commands.
 */
export function jobTopics(job: ResourceView, scope: RuleScope): ScriptTopic[] {
  const workload = workloadOf(job);
  if (!workload || workload.kind !== 'Job') return [];
  const texts: unknown[] = [];
  for (const container of [
    ...containersOf(workload.pod),
    ...many(field(workload.pod, 'init_container', 'initContainers')),
  ]) {
    texts.push([...many(field(container, 'command')), ...many(field(container, 'args'))].join(' '));
  }
  const mapped = many(field(workload.pod, 'volume', 'volumes'))
    .map((volume) => field(field(volume, 'config_map'), 'name'))
    .filter((name): name is string => typeof name === 'string');
  for (const configMap of [
    ...scope.ofType('kubernetes_config_map_v1'),
    ...scope.ofType('kubernetes_config_map'),
  ]) {
    const name = field(field(configMap.attributes, 'metadata'), 'name');
    const mounted = mapped.some((ref) => ref === name || ref.includes(`\${${configMap.address}.`));
    if (mounted) texts.push(...Object.values(field(configMap.attributes, 'data') ?? {}));
  }
  return texts.flatMap(scriptTopics);
}

/** The Jobs of a scope that create Kafka topics, with their topics. */
function topicJobsUncached(scope: RuleScope): { job: ResourceView; topics: ScriptTopic[] }[] {
  return [...scope.ofType('kubernetes_job_v1'), ...scope.ofType('kubernetes_job')]
    .map((job) => ({ job, topics: jobTopics(job, scope) }))
    .filter(({ topics }) => topics.length > 0);
}

/** {@link topicJobsUncached}, computed once per scope. */
export function topicJobs(scope: RuleScope): { job: ResourceView; topics: ScriptTopic[] }[] {
  return scope.memo('fleet:topicJobs', () => topicJobsUncached(scope));
}

/** A GPU pool of the site and the GPU taint its nodes carry. */
export interface GpuPool {
  readonly name: string;
  readonly taint: TaintView;
}

/**
 * The site's GPU pools: node groups and AKS pools carrying the
 * `nvidia.com/gpu` taint. On clusters the user runs there are no pool
 * resources; there, a pool is a GPU pool when a pod placed on it (by
 * `agent-fleet.dev/pool` affinity) tolerates the `nvidia.com/gpu` taint, and
 * the taint is the one it tolerates.
 */
function gpuPoolsUncached(scope: RuleScope): GpuPool[] {
  const cloud = nodePools(scope);
  if (cloud.length > 0) {
    return cloud.flatMap((pool) => {
      const taint = pool.taints.find((candidate) => candidate.key === GPU_TAINT_KEY);
      return taint ? [{ name: pool.name, taint }] : [];
    });
  }
  const found = new Map<string, GpuPool>();
  for (const resource of POD_RESOURCE_TYPES.flatMap((type) => scope.ofType(type))) {
    const workload = workloadOf(resource);
    if (!workload) continue;
    const toleration = tolerationsOf(workload.pod).find(
      (candidate) => candidate.key === GPU_TAINT_KEY,
    );
    if (!toleration) continue;
    for (const pool of podPools(workload.pod) ?? []) {
      found.set(pool, {
        name: pool,
        taint: {
          key: GPU_TAINT_KEY,
          value: toleration.operator === 'Exists' ? undefined : toleration.value,
          effect: toleration.effect ?? 'NoSchedule',
        },
      });
    }
  }
  return [...found.values()];
}

/** {@link gpuPoolsUncached}, computed once per scope. */
export function gpuPools(scope: RuleScope): GpuPool[] {
  return scope.memo('fleet:gpuPools', () => gpuPoolsUncached(scope));
}

/** Whether the site's pools come from cloud resources in scope (EKS, AKS). */
export function hasCloudPools(scope: RuleScope): boolean {
  return nodePools(scope).length > 0;
}

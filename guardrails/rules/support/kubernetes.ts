import { parse } from 'yaml';
import { ResourceView, RuleScope } from '../../engine/types';

/*
 * Readers shared by the Kubernetes rules (no rule of its own). They read both
 * spellings a pod can have in synthesized JSON: the kubernetes provider's
 * snake_case blocks (`kubernetes_deployment_v1` and friends, where a nested
 * block renders as an object or a one-item list) and the raw camelCase objects
 * of `kubernetes_manifest`.
 */

type Json = any;

/** A nested block: providers render it as an object or as a one-item list. */
export function one(value: Json): Json {
  return Array.isArray(value) ? value[0] : value;
}

/** A repeated block or list, never undefined. */
export function many(value: Json): Json[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** An attribute by its provider (snake_case) or manifest (camelCase) name. */
function pick(object: Json, snake: string, camel: string): Json {
  if (!object) return undefined;
  return object[snake] !== undefined ? object[snake] : object[camel];
}

/** A Terraform reference or expression, whose value synth cannot know. */
export function isToken(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** A number from a number or a numeric string; undefined otherwise. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
    return Number(value);
  return undefined;
}

/** A boolean from a boolean or `"true"`/`"false"`; undefined otherwise. */
export function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/** Security settings of a pod or a container, with either spelling read. */
export interface SecurityView {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly seccompType?: string;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly privileged?: boolean;
  readonly drop: readonly string[];
  readonly add: readonly string[];
}

function securityOf(raw: Json): SecurityView {
  const context = one(raw) ?? {};
  const capabilities = one(context.capabilities) ?? {};
  return {
    runAsNonRoot: booleanOf(pick(context, 'run_as_non_root', 'runAsNonRoot')),
    runAsUser: numberOf(pick(context, 'run_as_user', 'runAsUser')),
    runAsGroup: numberOf(pick(context, 'run_as_group', 'runAsGroup')),
    seccompType: one(pick(context, 'seccomp_profile', 'seccompProfile'))?.type,
    readOnlyRootFilesystem: booleanOf(
      pick(context, 'read_only_root_filesystem', 'readOnlyRootFilesystem'),
    ),
    allowPrivilegeEscalation: booleanOf(
      pick(context, 'allow_privilege_escalation', 'allowPrivilegeEscalation'),
    ),
    privileged: booleanOf(context.privileged),
    drop: many(capabilities.drop).map(String),
    add: many(capabilities.add).map(String),
  };
}

/** One container of a pod, init containers included. */
export interface ContainerView {
  readonly name: string;
  readonly init: boolean;
  readonly image?: string;
  readonly env: readonly { readonly name: string; readonly value?: unknown }[];
  readonly requests: Readonly<Record<string, unknown>>;
  readonly limits: Readonly<Record<string, unknown>>;
  readonly readinessProbe?: unknown;
  readonly livenessProbe?: unknown;
  /** Its own security context; see {@link effectiveSecurity} for the pod's defaults. */
  readonly security: SecurityView;
  readonly hostPorts: readonly number[];
}

function containerOf(raw: Json, init: boolean): ContainerView {
  const resources = one(raw.resources) ?? {};
  return {
    name: String(raw.name ?? ''),
    init,
    image: raw.image,
    env: many(raw.env).map((entry) => ({ name: String(entry?.name ?? ''), value: entry?.value })),
    requests: one(resources.requests) ?? {},
    limits: one(resources.limits) ?? {},
    readinessProbe: one(pick(raw, 'readiness_probe', 'readinessProbe')),
    livenessProbe: one(pick(raw, 'liveness_probe', 'livenessProbe')),
    security: securityOf(pick(raw, 'security_context', 'securityContext')),
    hostPorts: many(pick(raw, 'port', 'ports'))
      .map((port) => numberOf(pick(port, 'host_port', 'hostPort')))
      .filter((port): port is number => port !== undefined && port > 0),
  };
}

/** The kinds of workload whose pod templates the rules read. */
export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'CronJob' | 'Job' | 'ScaledJob';

/** A workload and the pods it runs, read from one synthesized resource. */
export interface WorkloadView {
  readonly kind: WorkloadKind;
  readonly name?: string;
  /**
   * The namespace as written (possibly a reference).
   * @default - absent: the `default` namespace
   */
  readonly namespace?: string;
  /**
   * `spec.replicas`, as written.
   * @default - unset: Kubernetes runs one replica of a Deployment or StatefulSet
   */
  readonly replicas?: unknown;
  /** Whether its pods run until stopped (Deployment, StatefulSet), unlike jobs. */
  readonly longRunning: boolean;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
  /**
   * As written on the pod.
   * @default - unset: the provider sends `true`; a raw manifest inherits the service account's setting
   */
  readonly automountServiceAccountToken?: boolean;
  readonly serviceAccountName?: string;
  readonly security: SecurityView;
  readonly containers: readonly ContainerView[];
  /** Topology keys of spread constraints and pod anti-affinity terms. */
  readonly spreadKeys: readonly string[];
  /** Whether it was read from a raw `kubernetes_manifest` (camelCase, no provider defaults). */
  readonly manifest: boolean;
}

/** Terraform types that hold workloads, for `appliesTo`. */
export const WORKLOAD_TYPES: readonly string[] = [
  'kubernetes_deployment_v1',
  'kubernetes_stateful_set_v1',
  'kubernetes_cron_job_v1',
  'kubernetes_job_v1',
  'kubernetes_manifest',
];

const PROVIDER_KINDS: Record<string, WorkloadKind> = {
  kubernetes_deployment_v1: 'Deployment',
  kubernetes_stateful_set_v1: 'StatefulSet',
  kubernetes_cron_job_v1: 'CronJob',
  kubernetes_job_v1: 'Job',
};

/** The pod template of a workload spec, by kind. */
function templateOf(kind: WorkloadKind, spec: Json, manifest: boolean): Json {
  if (kind === 'ScaledJob') return one(spec?.jobTargetRef)?.template;
  if (kind === 'CronJob') {
    const jobTemplate = one(manifest ? spec?.jobTemplate : spec?.job_template);
    return one(one(jobTemplate?.spec)?.template);
  }
  return one(spec?.template);
}

/** Workload views by resource: some twenty rules read the same resource's workload. */
const workloads = new WeakMap<ResourceView, WorkloadView | undefined>();

/** The workload a resource holds, or undefined when it holds none. */
export function workloadOf(resource: ResourceView): WorkloadView | undefined {
  if (!workloads.has(resource)) workloads.set(resource, readWorkload(resource));
  return workloads.get(resource);
}

function readWorkload(resource: ResourceView): WorkloadView | undefined {
  const manifest = resource.type === 'kubernetes_manifest';
  let kind: WorkloadKind | undefined;
  let root: Json;
  if (manifest) {
    root = resource.attributes.manifest;
    const candidate = root?.kind;
    if (['Deployment', 'StatefulSet', 'CronJob', 'Job', 'ScaledJob'].includes(candidate))
      kind = candidate;
  } else {
    root = resource.attributes;
    kind = PROVIDER_KINDS[resource.type];
  }
  if (!kind) return undefined;
  const metadata = one(root?.metadata) ?? {};
  const spec = one(root?.spec) ?? {};
  const template = one(templateOf(kind, spec, manifest)) ?? {};
  const templateMetadata = one(template.metadata) ?? {};
  const pod = one(template.spec) ?? {};
  const affinity = one(pod.affinity) ?? {};
  const antiAffinity = one(pick(affinity, 'pod_anti_affinity', 'podAntiAffinity')) ?? {};
  const antiTerms = [
    ...many(
      pick(
        antiAffinity,
        'required_during_scheduling_ignored_during_execution',
        'requiredDuringSchedulingIgnoredDuringExecution',
      ),
    ),
    ...many(
      pick(
        antiAffinity,
        'preferred_during_scheduling_ignored_during_execution',
        'preferredDuringSchedulingIgnoredDuringExecution',
      ),
    ).map((weighted) => one(pick(weighted, 'pod_affinity_term', 'podAffinityTerm'))),
  ];
  return {
    kind,
    name: metadata.name,
    namespace: metadata.namespace,
    replicas: spec.replicas,
    longRunning: kind === 'Deployment' || kind === 'StatefulSet',
    podLabels: templateMetadata.labels ?? {},
    podAnnotations: templateMetadata.annotations ?? {},
    hostNetwork: booleanOf(pick(pod, 'host_network', 'hostNetwork')),
    hostPID: booleanOf(pick(pod, 'host_pid', 'hostPID')),
    hostIPC: booleanOf(pick(pod, 'host_ipc', 'hostIPC')),
    automountServiceAccountToken: booleanOf(
      pick(pod, 'automount_service_account_token', 'automountServiceAccountToken'),
    ),
    serviceAccountName: pick(pod, 'service_account_name', 'serviceAccountName'),
    security: securityOf(pick(pod, 'security_context', 'securityContext')),
    containers: [
      ...many(pick(pod, 'init_container', 'initContainers')).map((c) => containerOf(c, true)),
      ...many(pick(pod, 'container', 'containers')).map((c) => containerOf(c, false)),
    ],
    spreadKeys: [
      ...many(pick(pod, 'topology_spread_constraint', 'topologySpreadConstraints')),
      ...antiTerms,
    ]
      .map((entry) => pick(entry, 'topology_key', 'topologyKey'))
      .filter((key): key is string => typeof key === 'string'),
    manifest,
  };
}

/** A container's security settings with the pod's defaults filled in, as the kubelet applies them. */
export function effectiveSecurity(workload: WorkloadView, container: ContainerView): SecurityView {
  const own = container.security;
  const pod = workload.security;
  return {
    ...own,
    runAsNonRoot: own.runAsNonRoot ?? pod.runAsNonRoot,
    runAsUser: own.runAsUser ?? pod.runAsUser,
    runAsGroup: own.runAsGroup ?? pod.runAsGroup,
    seccompType: own.seccompType ?? pod.seccompType,
  };
}

/** `kind/name` of a workload, for findings. */
export function workloadLabel(workload: WorkloadView): string {
  return `${workload.kind} ${workload.name ?? '?'}`;
}

/**
 * The namespace a resource's namespace attribute names: a reference to a
 * `kubernetes_namespace_v1` of the scope resolves to that namespace's name;
 * an absent one is `default`, as the API server applies it.
 */
export function namespaceName(namespace: unknown, scope: RuleScope): string {
  if (namespace === undefined || namespace === null || namespace === '') return 'default';
  const text = String(namespace);
  const reference =
    /^\$\{(kubernetes_namespace(?:_v1)?)\.([^.}]+)\.metadata(?:\[0\])?\.name\}$/.exec(text);
  if (!reference) return text;
  const target = scope
    .ofType(reference[1])
    .find((candidate) => candidate.address === `${reference[1]}.${reference[2]}`);
  const name = one(target?.attributes.metadata)?.name;
  return typeof name === 'string' ? name : text;
}

/** A label selector (`match_labels`/`matchLabels`, `match_expressions`/`matchExpressions`). */
export function selectorMatches(selector: Json, labels: Readonly<Record<string, string>>): boolean {
  const value = one(selector) ?? {};
  const matchLabels: Record<string, unknown> = pick(value, 'match_labels', 'matchLabels') ?? {};
  for (const [key, wanted] of Object.entries(matchLabels)) {
    if (labels[key] !== wanted) return false;
  }
  for (const expression of many(pick(value, 'match_expressions', 'matchExpressions'))) {
    const key = String(expression?.key);
    const values = many(expression?.values).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (expression?.operator) {
      case 'In':
        if (!has || !values.includes(labels[key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A namespaced Kubernetes object of the scope, read from either spelling. */
export interface ObjectView {
  readonly resource: ResourceView;
  readonly namespace: string;
  readonly metadata: Json;
  readonly spec: Json;
  /** Whether read from a raw `kubernetes_manifest` (camelCase). */
  readonly manifest: boolean;
}

/**
 * Objects of one kind in scope, from the provider's resource type and from
 * `kubernetes_manifest`s of that kind, with their namespaces resolved.
 */
function objectsOfUncached(scope: RuleScope, type: string | undefined, kind: string): ObjectView[] {
  const typed = (type ? scope.ofType(type) : []).map((resource) => ({
    resource,
    metadata: one(resource.attributes.metadata) ?? {},
    spec: one(resource.attributes.spec) ?? {},
    manifest: false,
  }));
  const manifests = scope
    .ofType('kubernetes_manifest')
    .filter((resource) => resource.attributes.manifest?.kind === kind)
    .map((resource) => ({
      resource,
      metadata: resource.attributes.manifest.metadata ?? {},
      spec: resource.attributes.manifest.spec ?? {},
      manifest: true,
    }));
  return [...typed, ...manifests].map((object) => ({
    ...object,
    namespace: namespaceName(object.metadata.namespace, scope),
  }));
}

/** {@link objectsOfUncached}, computed once per scope. */
export function objectsOf(scope: RuleScope, type: string | undefined, kind: string): ObjectView[] {
  return scope.memo(`k8s:objectsOf:${type}:${kind}`, () => objectsOfUncached(scope, type, kind));
}

/** A KEDA ScaledObject of a `kubernetes_manifest`, or undefined. */
export function scaledObjectOf(resource: ResourceView): Json | undefined {
  const manifest = resource.attributes.manifest;
  return resource.type === 'kubernetes_manifest' && manifest?.kind === 'ScaledObject'
    ? manifest
    : undefined;
}

/** An autoscaler (HPA or ScaledObject) of the scope and the workload it scales. */
export interface AutoscalerView {
  readonly resource: ResourceView;
  readonly kind: 'HorizontalPodAutoscaler' | 'ScaledObject';
  readonly namespace: string;
  readonly targetKind: string;
  readonly targetName: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

/** Every HPA and ScaledObject of a scope, with the defaults of their APIs filled in. */
function autoscalersOfUncached(scope: RuleScope): AutoscalerView[] {
  const hpas = objectsOf(
    scope,
    'kubernetes_horizontal_pod_autoscaler_v2',
    'HorizontalPodAutoscaler',
  ).map((hpa) => {
    const target = one(pick(hpa.spec, 'scale_target_ref', 'scaleTargetRef')) ?? {};
    return {
      resource: hpa.resource,
      kind: 'HorizontalPodAutoscaler' as const,
      namespace: hpa.namespace,
      targetKind: String(target.kind ?? ''),
      targetName: String(target.name ?? ''),
      minReplicas: numberOf(pick(hpa.spec, 'min_replicas', 'minReplicas')) ?? 1,
      maxReplicas: numberOf(pick(hpa.spec, 'max_replicas', 'maxReplicas')) ?? 0,
    };
  });
  const scaledObjects = objectsOf(scope, undefined, 'ScaledObject').map((object) => ({
    resource: object.resource,
    kind: 'ScaledObject' as const,
    namespace: object.namespace,
    targetKind: String(object.spec.scaleTargetRef?.kind ?? 'Deployment'),
    targetName: String(object.spec.scaleTargetRef?.name ?? ''),
    minReplicas: numberOf(object.spec.minReplicaCount) ?? 0,
    maxReplicas: numberOf(object.spec.maxReplicaCount) ?? 100,
  }));
  return [...hpas, ...scaledObjects];
}

/** {@link autoscalersOfUncached}, computed once per scope. */
export function autoscalersOf(scope: RuleScope): AutoscalerView[] {
  return scope.memo('k8s:autoscalers', () => autoscalersOfUncached(scope));
}

/** The autoscalers of a scope that scale a workload. */
export function autoscalersOfWorkload(workload: WorkloadView, scope: RuleScope): AutoscalerView[] {
  const namespace = namespaceName(workload.namespace, scope);
  return autoscalersOf(scope).filter(
    (autoscaler) =>
      autoscaler.targetKind === workload.kind &&
      autoscaler.targetName === workload.name &&
      autoscaler.namespace === namespace,
  );
}

/**
 * The values a Helm release renders with: its `values` documents (JSON or
 * YAML) merged in order, then its `set` entries. Chart defaults are not
 * included: an absent key means the chart's default.
 */
export function helmValues(release: ResourceView): Record<string, Json> {
  const merged: Record<string, Json> = {};
  for (const document of many(release.attributes.values)) {
    if (typeof document !== 'string') continue;
    let parsed: Json;
    try {
      parsed = parse(document);
    } catch {
      continue;
    }
    if (parsed && typeof parsed === 'object') mergeInto(merged, parsed);
  }
  for (const entry of [
    ...many(release.attributes.set),
    ...many(release.attributes.set_sensitive),
  ]) {
    if (typeof entry?.name !== 'string') continue;
    const keys = entry.name.split(/(?<!\\)\./).map((key: string) => key.replace(/\\\./g, '.'));
    let node = merged;
    for (const key of keys.slice(0, -1)) {
      if (!node[key] || typeof node[key] !== 'object') node[key] = {};
      node = node[key];
    }
    node[keys[keys.length - 1]] = entry.value;
  }
  return merged;
}

function mergeInto(target: Record<string, Json>, source: Record<string, Json>): void {
  for (const [key, value] of Object.entries(source)) {
    if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      target[key] &&
      typeof target[key] === 'object' &&
      !Array.isArray(target[key])
    ) {
      mergeInto(target[key], value);
    } else {
      target[key] = value;
    }
  }
}

/** Whether a Helm release installs a given chart (by chart name, ignoring a repository prefix). */
export function isChart(release: ResourceView, chart: string): boolean {
  const name = String(release.attributes.chart ?? '');
  return name === chart || name.endsWith(`/${chart}`);
}

import { parse } from 'yaml';
import type { HpaBehavior } from '../model/hpa-controller';
import { HPA_TOLERANCE, HpaScalingRules } from '../model/replica-rule';
import type { StackJson } from '../output/schema';

/**
 * The scaling of one agent on one site, as the synthesized stacks deploy it:
 * read from the KEDA ScaledObject or ScaledJob, the HorizontalPodAutoscaler,
 * the EC2 Auto Scaling policy or the VM scale set's autoscale setting, not
 * from the environment files.
 */
export type ScalerSpec =
  KedaScaler | HpaScaler | ScaledJobScaler | AsgScaler | VmssScaler | ReconcileScaler;

/** A KEDA trigger, as the simulator reads it. */
export type KedaTrigger =
  | {
      /** A metric KEDA serves the HPA: queue length, consumer lag, a query, a message count. */
      readonly kind: 'metric';
      /** What the metric measures: the agent's backlog, or a Prometheus query's value. */
      readonly measures: 'backlog' | 'query';
      readonly metricType: 'AverageValue' | 'Value';
      /** The target: per replica for `AverageValue`, for the whole workload for `Value`. */
      readonly target: number;
      /** Above this the workload wakes from zero. */
      readonly activation: number;
    }
  | {
      readonly kind: 'utilization';
      readonly resource: 'cpu' | 'memory';
      /** Percent of the request. */
      readonly target: number;
    }
  | {
      readonly kind: 'cron';
      /** Five-field cron expressions of the window's start and end. */
      readonly start: string;
      readonly end: string;
      readonly timezone: string;
      readonly desiredReplicas: number;
    };

/** A KEDA ScaledObject: KEDA's own loop, and the HPA it owns. */
export interface KedaScaler {
  readonly kind: 'keda';
  readonly pollingSeconds: number;
  readonly cooldownSeconds: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly triggers: readonly KedaTrigger[];
  readonly behavior?: HpaBehavior;
  /** What KEDA holds the workload at when its metrics fail. @default - none */
  readonly fallback?: {
    readonly failureThreshold: number;
    readonly replicas: number;
    readonly behavior: string;
  };
}

/** A native `autoscaling/v2` HPA on cpu or memory utilization. */
export interface HpaScaler {
  readonly kind: 'hpa';
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly utilization: readonly { readonly resource: 'cpu' | 'memory'; readonly target: number }[];
  readonly behavior?: HpaBehavior;
}

/** A KEDA ScaledJob: one Job per `target` messages, up to `maxReplicas` at once. */
export interface ScaledJobScaler {
  readonly kind: 'keda-job';
  readonly pollingSeconds: number;
  readonly maxReplicas: number;
  readonly target: number;
  readonly activation: number;
  /** `default`, `custom`, `accurate` or `eager`. */
  readonly strategy: string;
}

/** An EC2 Auto Scaling group with a target-tracking policy on backlog per instance. */
export interface AsgScaler {
  readonly kind: 'asg';
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetPerInstance: number;
  /** Seconds a new instance is not yet counted in the group's metrics. */
  readonly warmupSeconds: number;
}

/** One rule of a VM scale set's autoscale profile. */
export interface VmssRule {
  readonly direction: 'Increase' | 'Decrease';
  readonly operator: 'GreaterThan' | 'LessThan';
  /** Per instance when `perInstance`. */
  readonly threshold: number;
  readonly perInstance: boolean;
  readonly windowSeconds: number;
  readonly cooldownSeconds: number;
  readonly change: number;
}

/** An Azure VM scale set's autoscale setting on its queue's active messages. */
export interface VmssScaler {
  readonly kind: 'vmss';
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly defaultReplicas: number;
  readonly rules: readonly VmssRule[];
}

/**
 * An agent on warm servers, scaled by its site's reconcile playbook: every
 * interval, `instanceDecision` (`model/replica-rule.ts`) on the Prometheus
 * signal, as `agent_fleet_agents.<agent>.scaling` in the hosts stack's
 * `group_vars/all.yml` gives it.
 * @see constructs/hosts/scaling-vars.ts
 * @see constructs/hosts/reconcile-playbook.ts
 */
export interface ReconcileScaler {
  readonly kind: 'reconcile';
  /** Fewest instances (`min`). */
  readonly minReplicas: number;
  /** Most instances (`max`): the agent's maximum, held to its slots. */
  readonly maxReplicas: number;
  /** What one instance handles (`target`); null for a fixed count, which stays at `minReplicas`. */
  readonly targetPerInstance: number | null;
  /** Above this the agent wakes from zero (`activation`). */
  readonly activation: number;
  /** How far from 1 the usage ratio may be before the count changes (`tolerance`). */
  readonly tolerance: number;
  /** Seconds the signal must hold for a scale-up: the `min_over_time` window of `sustained_query`; 0 for none. */
  readonly sustainedSeconds: number;
  /** Seconds of scale-down stabilization: the `max_over_time` window of `stabilized_query`; 0 for none. */
  readonly stabilizationSeconds: number;
  /** How fast instances are added (`scale_up`); each policy's period is one interval. */
  readonly scaleUp: HpaScalingRules;
  /** How fast instances are removed (`scale_down`); each policy's period is one interval. */
  readonly scaleDown: HpaScalingRules;
  /**
   * Seconds between two decisions: the reconcile timer's `OnUnitInactiveSec`
   * (the site's `scaling.interval`). Only the timer is modelled: the
   * rulebook that also runs the playbook when a Prometheus scaling alert
   * fires, which makes the site react sooner, is not, nor the time a run
   * itself takes (the timer counts from the end of the last run).
   * @default 60
   */
  readonly intervalSeconds: number;
}

/** KEDA's defaults where a ScaledObject leaves a field out. */
const KEDA_DEFAULTS = { pollingInterval: 30, cooldownPeriod: 300, minReplicaCount: 0 };

type Json = Record<string, unknown>;
const obj = (value: unknown): Json =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const num = (value: unknown, fallback: number): number => {
  const parsed = typeof value === 'string' ? Number(value) : value;
  return typeof parsed === 'number' && Number.isFinite(parsed) ? parsed : fallback;
};
/** A block cdktf writes as an object or a one-element list. */
const block = (value: unknown): Json => obj(Array.isArray(value) ? value[0] : value);

/**
 * Triggers whose metric is the agent's own backlog: the metadata of the
 * target and the activation, and the target KEDA takes when it is left out.
 * @see https://github.com/kedacore/keda/tree/v2.20.2/pkg/scalers
 */
const BACKLOG_TRIGGERS: Readonly<
  Record<string, { target: string; activation: string; defaultTarget: number }>
> = {
  rabbitmq: { target: 'value', activation: 'activationValue', defaultTarget: 20 },
  kafka: { target: 'lagThreshold', activation: 'activationLagThreshold', defaultTarget: 10 },
  'aws-sqs-queue': {
    target: 'queueLength',
    activation: 'activationQueueLength',
    defaultTarget: 5,
  },
  'azure-servicebus': {
    target: 'messageCount',
    activation: 'activationMessageCount',
    defaultTarget: 5,
  },
  'azure-eventhub': {
    target: 'unprocessedEventThreshold',
    activation: 'activationUnprocessedEventThreshold',
    defaultTarget: 64,
  },
};

function kedaTrigger(trigger: Json): KedaTrigger | string {
  const type = String(trigger.type);
  const metadata = obj(trigger.metadata);
  const metricType = trigger.metricType === 'Value' ? 'Value' : 'AverageValue';
  const backlog = BACKLOG_TRIGGERS[type];
  if (backlog) {
    // RabbitMQ's MessageRate mode scales on messages published per second, not on those waiting.
    if (type === 'rabbitmq' && metadata.mode === 'MessageRate') {
      return `rabbitmq trigger in MessageRate mode`;
    }
    // RabbitMQ's older `queueLength` stands for `value` in QueueLength mode.
    const target =
      metadata[backlog.target] ?? (type === 'rabbitmq' ? metadata.queueLength : undefined);
    return {
      kind: 'metric',
      measures: 'backlog',
      metricType,
      target: num(target, backlog.defaultTarget),
      activation: num(metadata[backlog.activation], 0),
    };
  }
  if (type === 'prometheus') {
    return {
      kind: 'metric',
      measures: 'query',
      metricType,
      target: num(metadata.threshold, 1),
      activation: num(metadata.activationThreshold, 0),
    };
  }
  if (type === 'cpu' || type === 'memory') {
    // With `AverageValue` the value is a quantity per pod, not a percent of the request.
    if (trigger.metricType !== 'Utilization') {
      return `${type} trigger on ${String(trigger.metricType ?? 'no metricType')}`;
    }
    return { kind: 'utilization', resource: type, target: num(metadata.value, 80) };
  }
  if (type === 'cron') {
    return {
      kind: 'cron',
      start: String(metadata.start),
      end: String(metadata.end),
      timezone: String(metadata.timezone ?? 'Etc/UTC'),
      desiredReplicas: num(metadata.desiredReplicas, 1),
    };
  }
  return `trigger type '${type}'`;
}

function behaviorOf(value: unknown): HpaBehavior | undefined {
  const behavior = obj(value);
  if (Object.keys(behavior).length === 0) return undefined;
  const direction = (rules: unknown) => {
    const r = obj(rules);
    if (Object.keys(r).length === 0) return undefined;
    return {
      ...(r.stabilizationWindowSeconds !== undefined
        ? { stabilizationWindowSeconds: num(r.stabilizationWindowSeconds, 0) }
        : {}),
      ...(r.selectPolicy !== undefined
        ? { selectPolicy: String(r.selectPolicy) as 'Max' | 'Min' | 'Disabled' }
        : {}),
      ...(r.policies !== undefined
        ? {
            policies: list(r.policies).map((p) => {
              const policy = obj(p);
              return {
                type: policy.type === 'Percent' ? ('Percent' as const) : ('Pods' as const),
                value: num(policy.value, 0),
                periodSeconds: num(policy.periodSeconds, 15),
              };
            }),
          }
        : {}),
    };
  };
  const scaleUp = direction(behavior.scaleUp);
  const scaleDown = direction(behavior.scaleDown);
  return { ...(scaleUp ? { scaleUp } : {}), ...(scaleDown ? { scaleDown } : {}) };
}

/** The same behaviour as the kubernetes provider writes it, in snake_case blocks. */
function providerBehavior(value: unknown): HpaBehavior | undefined {
  const behavior = block(value);
  if (Object.keys(behavior).length === 0) return undefined;
  const direction = (rules: unknown) => {
    const r = block(rules);
    if (Object.keys(r).length === 0) return undefined;
    return {
      stabilizationWindowSeconds: num(r.stabilization_window_seconds, 0),
      selectPolicy: String(r.select_policy ?? 'Max') as 'Max' | 'Min' | 'Disabled',
      policies: list(r.policy).map((p) => {
        const policy = obj(p);
        return {
          type: policy.type === 'Percent' ? ('Percent' as const) : ('Pods' as const),
          value: num(policy.value, 0),
          periodSeconds: num(policy.period_seconds, 15),
        };
      }),
    };
  };
  const scaleUp = direction(behavior.scale_up);
  const scaleDown = direction(behavior.scale_down);
  return { ...(scaleUp ? { scaleUp } : {}), ...(scaleDown ? { scaleDown } : {}) };
}

/** What was read for one agent: its scaler, or why it cannot be simulated. */
export type ReadScaler = { readonly scaler: ScalerSpec } | { readonly unsupported: string };

function scaledObject(spec: Json): ReadScaler {
  const triggers: KedaTrigger[] = [];
  for (const trigger of list(spec.triggers)) {
    const read = kedaTrigger(obj(trigger));
    if (typeof read === 'string') return { unsupported: `its ScaledObject has a ${read}` };
    triggers.push(read);
  }
  const fallback = obj(spec.fallback);
  return {
    scaler: {
      kind: 'keda',
      pollingSeconds: num(spec.pollingInterval, KEDA_DEFAULTS.pollingInterval),
      cooldownSeconds: num(spec.cooldownPeriod, KEDA_DEFAULTS.cooldownPeriod),
      minReplicas: num(spec.minReplicaCount, KEDA_DEFAULTS.minReplicaCount),
      maxReplicas: num(spec.maxReplicaCount, 100),
      triggers,
      ...(() => {
        const behavior = behaviorOf(obj(obj(spec.advanced).horizontalPodAutoscalerConfig).behavior);
        return behavior ? { behavior } : {};
      })(),
      ...(Object.keys(fallback).length > 0
        ? {
            fallback: {
              failureThreshold: num(fallback.failureThreshold, 3),
              replicas: num(fallback.replicas, 1),
              behavior: String(fallback.behavior ?? 'static'),
            },
          }
        : {}),
    },
  };
}

function scaledJob(spec: Json): ReadScaler {
  const [trigger] = list(spec.triggers).map((t) => kedaTrigger(obj(t)));
  if (!trigger || typeof trigger === 'string' || trigger.kind !== 'metric') {
    return { unsupported: 'its ScaledJob has no queue trigger' };
  }
  return {
    scaler: {
      kind: 'keda-job',
      pollingSeconds: num(spec.pollingInterval, KEDA_DEFAULTS.pollingInterval),
      maxReplicas: num(spec.maxReplicaCount, 100),
      target: trigger.target,
      activation: trigger.activation,
      strategy: String(obj(spec.scalingStrategy).strategy ?? 'default'),
    },
  };
}

function nativeHpa(spec: Json): ReadScaler {
  const utilization: { resource: 'cpu' | 'memory'; target: number }[] = [];
  for (const metric of list(spec.metric)) {
    const resource = block(obj(metric).resource);
    const name = resource.name;
    const target = block(resource.target);
    if ((name !== 'cpu' && name !== 'memory') || target.type !== 'Utilization') {
      return { unsupported: 'its HorizontalPodAutoscaler has a metric other than utilization' };
    }
    utilization.push({ resource: name, target: num(target.average_utilization, 80) });
  }
  const behavior = providerBehavior(spec.behavior);
  return {
    scaler: {
      kind: 'hpa',
      minReplicas: num(spec.min_replicas, 1),
      maxReplicas: num(spec.max_replicas, 1),
      utilization,
      ...(behavior ? { behavior } : {}),
    },
  };
}

/** `PT5M` in seconds. */
function isoSeconds(duration: unknown): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(String(duration));
  if (!match) return 0;
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

/** The agent a construct path names after `marker`, e.g. `…/ScalingGroup-<agent>/…`. */
function agentInPath(path: unknown, pattern: RegExp): string | undefined {
  return pattern.exec(String(path ?? ''))?.[1];
}

const pathOf = (body: Json) => obj(obj(body['//']).metadata).path;

/**
 * Every agent's scaler in one stack, by agent name: ScaledObjects,
 * ScaledJobs and HPAs of an agents stack (by their `app.kubernetes.io/name`
 * label), Auto Scaling policies and scale-set autoscale settings of an infra
 * stack (by their construct path).
 */
export function readScalers(stack: StackJson): Map<string, ReadScaler> {
  const scalers = new Map<string, ReadScaler>();
  const resources = obj(stack.resource);
  for (const body of Object.values(obj(resources.kubernetes_manifest))) {
    const manifest = obj(obj(body).manifest);
    const agent = obj(obj(manifest.metadata).labels)['app.kubernetes.io/name'];
    if (typeof agent !== 'string') continue;
    if (manifest.kind === 'ScaledObject') scalers.set(agent, scaledObject(obj(manifest.spec)));
    if (manifest.kind === 'ScaledJob') scalers.set(agent, scaledJob(obj(manifest.spec)));
  }
  for (const body of Object.values(obj(resources.kubernetes_horizontal_pod_autoscaler_v2))) {
    const agent = obj(block(obj(body).metadata).labels)['app.kubernetes.io/name'];
    if (typeof agent === 'string') scalers.set(agent, nativeHpa(block(obj(body).spec)));
  }
  const groups = new Map<string, Json>();
  for (const body of Object.values(obj(resources.aws_autoscaling_group))) {
    const agent = agentInPath(pathOf(obj(body)), /\/ScalingGroup-([^/]+)(?:\/|$)/);
    if (agent) groups.set(agent, obj(body));
  }
  for (const body of Object.values(obj(resources.aws_autoscaling_policy))) {
    const agent = agentInPath(pathOf(obj(body)), /\/ScalingGroup-([^/]+)\//);
    const group = agent && groups.get(agent);
    if (!agent || !group) continue;
    // The provider's `policy_type` defaults to SimpleScaling.
    const policyType = String(obj(body).policy_type ?? 'SimpleScaling');
    if (policyType !== 'TargetTrackingScaling') {
      scalers.set(agent, { unsupported: `its Auto Scaling policy is ${policyType}` });
      continue;
    }
    const tracking = block(obj(body).target_tracking_configuration);
    scalers.set(agent, {
      scaler: {
        kind: 'asg',
        minReplicas: num(group.min_size, 0),
        maxReplicas: num(group.max_size, 1),
        targetPerInstance: num(tracking.target_value, 1),
        warmupSeconds: num(
          obj(body).estimated_instance_warmup ?? group.default_instance_warmup,
          300,
        ),
      },
    });
  }
  for (const body of Object.values(obj(resources.azurerm_monitor_autoscale_setting))) {
    const agent = agentInPath(pathOf(obj(body)), /\/Agents\/([^/]+)\/ScaleSet\//);
    if (!agent) continue;
    const profile = block(obj(body).profile);
    const capacity = block(profile.capacity);
    const changes = list(profile.rule).map((r) =>
      String(block(obj(r).scale_action).type ?? 'ChangeCount'),
    );
    const other = changes.find((type) => type !== 'ChangeCount');
    if (other !== undefined) {
      scalers.set(agent, { unsupported: `its autoscale setting has a ${other} rule` });
      continue;
    }
    scalers.set(agent, {
      scaler: {
        kind: 'vmss',
        minReplicas: num(capacity.minimum, 1),
        maxReplicas: num(capacity.maximum, 1),
        defaultReplicas: num(capacity.default, 1),
        rules: list(profile.rule).map((r) => {
          const trigger = block(obj(r).metric_trigger);
          const action = block(obj(r).scale_action);
          return {
            direction: action.direction === 'Decrease' ? 'Decrease' : 'Increase',
            operator: trigger.operator === 'LessThan' ? 'LessThan' : 'GreaterThan',
            threshold: num(trigger.threshold, 0),
            perInstance: trigger.divide_by_instance_count === true,
            windowSeconds: isoSeconds(trigger.time_window),
            cooldownSeconds: isoSeconds(action.cooldown),
            change: num(action.value, 1),
          } satisfies VmssRule;
        }),
      },
    });
  }
  return scalers;
}

/** Default of a hosts site's `scaling.interval`, in seconds. */
export const DEFAULT_RECONCILE_SECONDS = 60;

/** The Ansible files the reconcile scalers are read from, by path in the `ansible/` folder. */
export const RECONCILE_VARS_FILE = 'group_vars/all.yml';
/** The reconcile timer, whose `OnUnitInactiveSec` is the site's interval. */
export const RECONCILE_TIMER_FILE = 'scaling/agent-fleet-reconcile.timer';

const SPAN_UNITS: Readonly<Record<string, number>> = {
  ms: 0.001,
  msec: 0.001,
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
};

/**
 * Seconds of a duration as PromQL (`5m`, `1h30m`) or systemd (`1min`,
 * `90s`, a bare number of seconds) write it; undefined when it is neither.
 * @see https://prometheus.io/docs/prometheus/latest/querying/basics/#float-literals-and-time-durations
 * @see https://www.freedesktop.org/software/systemd/man/latest/systemd.time.html
 */
export function spanSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  if (!/^(\d+(\.\d+)?\s*[a-z]+\s*)+$/.test(trimmed)) return undefined;
  const parts = trimmed.matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g);
  let seconds = 0;
  for (const [, amount, unit] of parts) {
    const factor = SPAN_UNITS[unit];
    if (factor === undefined) return undefined;
    seconds += Number(amount) * factor;
  }
  return seconds;
}

/**
 * The window of `outer((inner)[<window>:])`, when `query` is exactly that
 * subquery of `inner`: how `effectivePrometheusQuery` wraps the signal for
 * `sustainedFor` and `scalingVars` for the stabilization window.
 */
function subqueryWindow(query: string, outer: string, inner?: string): number | undefined {
  const head = `${outer}((`;
  if (!query.startsWith(head) || !query.endsWith(':])')) return undefined;
  const open = query.lastIndexOf(')[');
  if (open < head.length) return undefined;
  if (inner !== undefined && query.slice(head.length, open) !== inner) return undefined;
  return spanSeconds(query.slice(open + 2, -3));
}

function directionRules(value: unknown, periodSeconds: number): HpaScalingRules {
  const direction = obj(value);
  const select =
    direction.select === 'Min' || direction.select === 'Disabled' ? direction.select : 'Max';
  return {
    selectPolicy: select,
    policies: list(direction.policies).map((p) => {
      const policy = obj(p);
      return {
        type: policy.type === 'Percent' ? ('Percent' as const) : ('Pods' as const),
        value: num(policy.value, 0),
        periodSeconds,
      };
    }),
  };
}

/**
 * Every agent's reconcile scaler of one hosts site, by agent name, from its
 * Ansible files (by path): `agent_fleet_agents.<agent>.scaling` of
 * `group_vars/all.yml` and the interval of the reconcile timer. The sustained
 * window is read from `sustained_query` (`min_over_time((q)[5m:])`, else
 * none), the stabilization window from `stabilized_query`
 * (`max_over_time((sustained)[5m:])`, else none).
 * @returns no agents when the site has no `group_vars/all.yml`
 */
export function readReconcileScalers(files: ReadonlyMap<string, string>): Map<string, ReadScaler> {
  const scalers = new Map<string, ReadScaler>();
  const text = files.get(RECONCILE_VARS_FILE);
  if (text === undefined) return scalers;
  const timer = files.get(RECONCILE_TIMER_FILE);
  const span = timer && /^OnUnitInactiveSec=(.+)$/m.exec(timer)?.[1];
  const intervalSeconds = (span && spanSeconds(span)) || DEFAULT_RECONCILE_SECONDS;
  const vars = obj(parse(text));
  for (const [agent, body] of Object.entries(obj(vars.agent_fleet_agents))) {
    const scaling = obj(obj(body).scaling);
    if (Object.keys(scaling).length === 0) {
      scalers.set(agent, { unsupported: 'its group_vars/all.yml entry has no scaling' });
      continue;
    }
    const sustained = typeof scaling.sustained_query === 'string' ? scaling.sustained_query : null;
    const stabilized =
      typeof scaling.stabilized_query === 'string' ? scaling.stabilized_query : null;
    const target =
      scaling.target === null || scaling.target === undefined ? null : num(scaling.target, NaN);
    if (target !== null && !(target > 0)) {
      scalers.set(agent, {
        unsupported: `its reconcile target (${String(scaling.target)}) is not a number above 0`,
      });
      continue;
    }
    const stabilization =
      sustained === null || stabilized === null || stabilized === sustained
        ? 0
        : subqueryWindow(stabilized, 'max_over_time', sustained);
    if (stabilization === undefined) {
      scalers.set(agent, {
        unsupported: `its stabilized_query is not max_over_time of its sustained_query`,
      });
      continue;
    }
    scalers.set(agent, {
      scaler: {
        kind: 'reconcile',
        minReplicas: num(scaling.min, 1),
        maxReplicas: num(scaling.max, 1),
        targetPerInstance: target,
        activation: num(scaling.activation, 0),
        tolerance: num(scaling.tolerance, HPA_TOLERANCE),
        sustainedSeconds:
          sustained === null ? 0 : (subqueryWindow(sustained, 'min_over_time') ?? 0),
        stabilizationSeconds: stabilization,
        scaleUp: directionRules(scaling.scale_up, intervalSeconds),
        scaleDown: directionRules(scaling.scale_down, intervalSeconds),
        intervalSeconds,
      },
    });
  }
  return scalers;
}

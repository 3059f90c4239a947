import { AgentSpec, PriorityTier, ProbeSpec, WorkloadKind } from './agent-spec';
import { ResolvedQueueBinding, resolveQueueBinding } from './queue-binding';
import { autoscalerKind } from './scaling';
import { ResolvedTopicBinding, resolveTopicBinding } from './topic-binding';
import { Cpu, Duration, Size } from './units';

/** Margin added to the grace period beyond preStop and processing time. */
const SHUTDOWN_MARGIN = Duration.seconds(10);

/** Resources with every default applied. */
export interface ResolvedResources {
  /** What one replica requests; ephemeral storage 256Mi unless set. */
  readonly requests: { readonly cpu: Cpu; readonly memory: Size; readonly ephemeralStorage: Size };
  /** What one replica may use; each equal to its request unless set. */
  readonly limits: { readonly cpu: Cpu; readonly memory: Size; readonly ephemeralStorage: Size };
  /** Whole NVIDIA GPUs per replica, 0 unless set. */
  readonly gpu: number;
}

/**
 * How an agent is scaled: a fixed count, a native HPA, a KEDA ScaledObject, a
 * KEDA ScaledJob (per-message work) or a CronJob (scheduled work).
 */
export type ScalingMode = 'fixed' | 'hpa' | 'keda' | 'keda-job' | 'cron-job';

/** An agent spec with the defaults documented on {@link AgentSpec} applied. */
export interface ResolvedAgent {
  /** The agent spec the other fields are resolved from. */
  readonly spec: AgentSpec;
  /** Shape of its work (`consumer` unless set). */
  readonly workload: WorkloadKind;
  /** How it is scaled, from its workload and scaling signals. */
  readonly scalingMode: ScalingMode;
  /** Namespace it runs in: its isolation's, else the agent's name. */
  readonly namespace: string;
  /** Priority tier: its isolation's, else `standard` for consumers and `batch` for other work. */
  readonly priority: PriorityTier;
  /** Whether its pods mount a Kubernetes API token (false unless set). */
  readonly serviceAccountToken: boolean;
  /** Resources of one replica, with requests, limits and GPUs filled in. */
  readonly resources: ResolvedResources;
  /** The queue it consumes, with every default applied. @default - none */
  readonly queue?: ResolvedQueueBinding;
  /** The Kafka topic it consumes, with every default applied. @default - none */
  readonly topic?: ResolvedTopicBinding;
  /** Names of the brokers it consumes from or publishes to, once each. */
  readonly brokers: readonly string[];
  /** The container port Prometheus scrapes, by name and number. @default - not scraped */
  readonly metricsPort?: { readonly name: string; readonly port: number };
  /** The preStop command: the drain command, else `sleep <preStopDelay>` in whole seconds. */
  readonly preStop: readonly string[];
  /** preStop + longest processing time + margin. */
  readonly gracePeriod: Duration;
}

/** Each spec's resolution, so that every later step shares one. */
const RESOLVED = new WeakMap<AgentSpec, ResolvedAgent>();

/**
 * The agent with the defaults documented on {@link AgentSpec} applied. Specs
 * are immutable values: a spec is resolved once, and every later call for the
 * same spec returns that resolution.
 */
export function resolveAgent(spec: AgentSpec): ResolvedAgent {
  let resolved = RESOLVED.get(spec);
  if (!resolved) {
    resolved = resolveOnce(spec);
    RESOLVED.set(spec, resolved);
  }
  return resolved;
}

function resolveOnce(spec: AgentSpec): ResolvedAgent {
  const workload = spec.workload ?? 'consumer';
  const queue = spec.queue ? resolveQueueBinding(spec.queue) : undefined;
  const preStopDelay = spec.container.shutdown?.preStopDelay ?? Duration.seconds(5);
  const topic = spec.topic
    ? resolveTopicBinding(spec.topic, spec.name, spec.scaling?.maxReplicas ?? 1)
    : undefined;
  const processing = queue?.maxProcessingTime ?? topic?.maxProcessingTime ?? Duration.seconds(30);
  return {
    spec,
    workload,
    scalingMode:
      workload === 'scheduled'
        ? 'cron-job'
        : workload === 'per-message'
          ? 'keda-job'
          : spec.scaling
            ? autoscalerKind(spec.scaling)
            : 'fixed',
    namespace: spec.isolation?.namespace ?? spec.name,
    priority: spec.isolation?.priority ?? (workload === 'consumer' ? 'standard' : 'batch'),
    serviceAccountToken: spec.isolation?.serviceAccountToken ?? false,
    resources: resolveResources(spec),
    queue,
    topic,
    brokers: [
      ...new Set([
        ...(queue ? [queue.broker] : []),
        ...(topic ? [topic.broker] : []),
        ...(spec.publishes ?? []).map((target) => target.broker),
      ]),
    ],
    metricsPort: resolveMetricsPort(spec),
    preStop: spec.container.shutdown?.drainCommand ?? [
      'sleep',
      String(preStopDelay.toSecondsCeil()),
    ],
    gracePeriod: preStopDelay.plus(processing).plus(SHUTDOWN_MARGIN),
  };
}

function resolveResources(spec: AgentSpec): ResolvedResources {
  const { requests, limits } = spec.resources;
  const ephemeralStorage = requests.ephemeralStorage ?? Size.mebibytes(256);
  return {
    requests: { cpu: requests.cpu, memory: requests.memory, ephemeralStorage },
    limits: {
      cpu: limits?.cpu ?? requests.cpu,
      memory: limits?.memory ?? requests.memory,
      ephemeralStorage: limits?.ephemeralStorage ?? ephemeralStorage,
    },
    gpu: spec.resources.gpu ?? 0,
  };
}

function resolveMetricsPort(spec: AgentSpec): { name: string; port: number } | undefined {
  const ports = spec.container.ports ?? {};
  const name = spec.container.metricsPort ?? ('metrics' in ports ? 'metrics' : undefined);
  if (name === undefined || ports[name] === undefined) return undefined;
  return { name, port: ports[name] };
}

/** Probe timings with defaults, in whole seconds. */
export function probeTimings(probe: ProbeSpec): {
  period: number;
  failureThreshold: number;
  initialDelay: number;
  timeout: number;
} {
  return {
    period: (probe.period ?? Duration.seconds(10)).toSecondsCeil(),
    failureThreshold: probe.failureThreshold ?? 3,
    initialDelay: (probe.initialDelay ?? Duration.seconds(0)).toSecondsCeil(),
    timeout: (probe.timeout ?? Duration.seconds(1)).toSecondsCeil(),
  };
}

import { AgentStackSpec } from './agent-stacks';
import { ImageRef } from './image';
import { PlacementNeeds } from './placement';
import { PublishTarget, QueueBinding } from './queue-binding';
import { ScalingSpec } from './scaling';
import { StateSpec } from './state';
import { TopicBinding } from './topic-binding';
import { Cpu, Duration, Size } from './units';

/**
 * How an agent's work is shaped, which decides the workload it renders to:
 * - `consumer`: long-running, pulls work continuously (Deployment);
 * - `scheduled`: batch run on a cron schedule (CronJob);
 * - `per-message`: one run-to-completion Job per batch of messages (KEDA ScaledJob).
 */
export type WorkloadKind = 'consumer' | 'scheduled' | 'per-message';

/** How urgent an agent's work is; renders to a PriorityClass. */
export type PriorityTier = 'realtime' | 'standard' | 'batch';

/** A health check. Exactly one of `httpGet`, `tcpSocket` or `exec`. */
export interface ProbeSpec {
  /** HTTP GET on a named or numbered container port. @default - none */
  readonly httpGet?: { readonly path: string; readonly port: string | number };
  /** TCP connect to a named or numbered container port. @default - none */
  readonly tcpSocket?: { readonly port: string | number };
  /** Command run in the container; exit 0 is healthy. @default - none */
  readonly exec?: readonly string[];
  /** How often the probe runs (`periodSeconds`, rounded up to whole seconds). @default 10s */
  readonly period?: Duration;
  /** Consecutive failed checks before the probe counts as failed. @default 3 */
  readonly failureThreshold?: number;
  /** Wait after the container starts before the first check (`initialDelaySeconds`). @default 0s */
  readonly initialDelay?: Duration;
  /** Time one check may take before it counts as failed (`timeoutSeconds`). @default 1s */
  readonly timeout?: Duration;
}

/** The agent's container. */
export interface ContainerSpec {
  /** Pinned by digest or immutable tag. */
  readonly image: ImageRef;
  /** Entrypoint of the container, replacing the image's. @default - the image's entrypoint */
  readonly command?: readonly string[];
  /** Arguments passed to the entrypoint, replacing the image's. @default - the image's arguments */
  readonly args?: readonly string[];
  /**
   * Plain configuration values. Secrets never go here: they come from Vault or
   * workload identity at run time.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Named container ports, e.g. `{ metrics: 9102 }`. @default - none */
  readonly ports?: Readonly<Record<string, number>>;
  /**
   * Name of the port Prometheus scrapes (path `/metrics`); the NetworkPolicy
   * admits the monitoring namespace to it and nothing else.
   * @default - `metrics` when such a port is declared, else not scraped
   */
  readonly metricsPort?: string;
  /** Readiness and liveness probes; required for consumers. @default - none (jobs only) */
  readonly probes?: { readonly readiness: ProbeSpec; readonly liveness: ProbeSpec };
  /** Graceful shutdown. @default - a preStop hook of `sleep 5` */
  readonly shutdown?: ShutdownSpec;
}

/**
 * Graceful shutdown. The pod's `terminationGracePeriodSeconds` is the preStop
 * time plus the longest message processing time plus a 10 s margin, so that
 * work in flight finishes and is acknowledged before SIGKILL.
 */
export interface ShutdownSpec {
  /**
   * preStop command that tells the agent to stop fetching work.
   * @default - `sleep <preStopDelay>` (the image must have `sleep`)
   */
  readonly drainCommand?: readonly string[];
  /** Time the preStop hook is given. @default 5s */
  readonly preStopDelay?: Duration;
}

/** CPU, memory, ephemeral storage and GPUs of one replica. */
export interface ResourceSpec {
  /** What the scheduler reserves for one replica: CPU, memory and ephemeral storage. */
  readonly requests: {
    readonly cpu: Cpu;
    readonly memory: Size;
    /**
     * Local disk reserved for the container's writable layer, logs and `emptyDir` volumes.
     * @default 256Mi
     */
    readonly ephemeralStorage?: Size;
  };
  /**
   * Caps on one replica's CPU, memory and ephemeral storage; a field left out
   * takes its request.
   * @default - equal to the requests (Guaranteed QoS for memory; CPU capped at the request)
   */
  readonly limits?: {
    readonly cpu?: Cpu;
    readonly memory?: Size;
    readonly ephemeralStorage?: Size;
  };
  /** Whole NVIDIA GPUs (`nvidia.com/gpu`), request equal to limit. @default 0 */
  readonly gpu?: number;
}

/** Schedule of a `scheduled` agent. */
export interface ScheduleSpec {
  /** Five-field cron expression, e.g. `0 2 * * *`. */
  readonly cron: string;
  /** IANA time zone. @default 'Etc/UTC' */
  readonly timezone?: string;
  /** Longest a run may take before it is stopped. @default 1h */
  readonly deadline?: Duration;
  /** Retries of a failed run. @default 2 */
  readonly retries?: number;
  /** What to do when the previous run is still going. @default 'forbid' */
  readonly concurrency?: 'forbid' | 'replace' | 'allow';
}

/** Failure isolation of one agent type. */
export interface IsolationSpec {
  /**
   * Namespace the agent runs in. Agents sharing a name share the namespace.
   * @default - a namespace of its own, named after the agent
   */
  readonly namespace?: string;
  /** Mount a Kubernetes API token in the pods. @default false */
  readonly serviceAccountToken?: boolean;
  /**
   * Urgency tier, rendered to the PriorityClass of the pods.
   * @default - 'standard' for consumers, 'batch' for scheduled and per-message work
   */
  readonly priority?: PriorityTier;
  /**
   * Extra egress the agent needs beyond DNS and its broker, as CIDRs and TCP ports.
   * @default - none
   */
  readonly egress?: readonly { readonly cidr: string; readonly ports: readonly number[] }[];
}

/**
 * What one replica does, as the scaling simulator (`npm run simulate`)
 * replays it: how much work it completes and how long a new one takes to
 * serve. It changes nothing that is deployed.
 */
export interface ProcessingSpec {
  /**
   * Work one ready replica completes per second: messages of its queue or
   * records of its topic, units of its Prometheus signal, or requests of a
   * cpu- or memory-scaled agent (its utilization is the share of that rate in use).
   */
  readonly perReplica: number;
  /**
   * From a replica's start on a node with room to ready: image pull,
   * start-up and the readiness probe. At most 1h.
   * @default Duration.seconds(30)
   */
  readonly readyAfter?: Duration;
}

/** The most work per second one replica may be declared to complete. */
export const MAX_PER_REPLICA = 1_000_000;

/**
 * One agent type, cloud-neutral: what it runs, what it needs, what it reads and
 * how it scales. Placement on a site is resolved against that site's node pools.
 */
export interface AgentSpec {
  /** DNS-1123 label, unique in the fleet; it names the Kubernetes objects. */
  readonly name: string;
  /** What the agent does, in a sentence for the people reading the catalogue. @default - none */
  readonly description?: string;
  /** How its work is shaped, which picks the workload it renders to. @default 'consumer' */
  readonly workload?: WorkloadKind;
  /** The container it runs: image, command, configuration, ports, probes and shutdown. */
  readonly container: ContainerSpec;
  /** CPU, memory, ephemeral storage and GPUs of one replica. */
  readonly resources: ResourceSpec;
  /** The queue it consumes, on a RabbitMQ or SQS broker. At most one of `queue` and `topic`. @default - none */
  readonly queue?: QueueBinding;
  /** The Kafka topic it consumes. @default - none */
  readonly topic?: TopicBinding;
  /** Queues it publishes to. @default - none */
  readonly publishes?: readonly PublishTarget[];
  /**
   * Replica bounds and signals; required for consumers and per-message work.
   * @default - none (scheduled work)
   */
  readonly scaling?: ScalingSpec;
  /** When a scheduled agent runs; required for, and only for, scheduled work. @default - none */
  readonly schedule?: ScheduleSpec;
  /** State it keeps in a table of its own. @default - stateless */
  readonly state?: StateSpec;
  /** What its nodes must offer. @default - amd64, on-demand, no GPU */
  readonly placement?: PlacementNeeds;
  /**
   * Failure isolation: its namespace, API token, priority tier and extra egress.
   * @default - own namespace, no API token, priority by workload kind
   */
  readonly isolation?: IsolationSpec;
  /**
   * What one replica processes and how fast a new one is ready, for the
   * scaling simulator. @default - not declared: the simulator assumes and says what
   */
  readonly processing?: ProcessingSpec;
  /**
   * The agents stack of its site it lands in, on a Kubernetes site: its group,
   * and the group it moves from. @default - the default group, `<env>-<site>-agents`
   */
  readonly stack?: AgentStackSpec;
}

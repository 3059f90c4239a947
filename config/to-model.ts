import {
  AgentSpec,
  AwsNodePoolSpec,
  AwsSiteSpec,
  AzureNodePoolSpec,
  AzureSiteSpec,
  BrokerSpec,
  Cpu,
  Duration,
  ImageRef,
  KubernetesSiteSpec,
  NodePoolSpec,
  Problem,
  ProbeSpec,
  ScalingRules,
  Size,
  UnitError,
} from '../model';

/**
 * Turns schema-valid plain data into model objects, parsing unit strings into
 * value objects. The input shapes are the model's with units as strings.
 */

type Unit = Cpu | Size | Duration | ImageRef;

/** A model type as written in a file: units as strings (CPU also as a number of cores). */
type Raw<T> = T extends Cpu
  ? string | number
  : T extends Unit
    ? string
    : T extends readonly (infer Item)[]
      ? readonly Raw<Item>[]
      : T extends object
        ? { readonly [K in keyof T]: Raw<T[K]> }
        : T;

export type RawAgent = Omit<Raw<AgentSpec>, 'name'>;
export type RawSite = Omit<Raw<KubernetesSiteSpec>, 'name' | 'nodePools'> & {
  readonly kind: 'kubernetes';
  readonly nodePools: Readonly<Record<string, Omit<Raw<NodePoolSpec>, 'name'>>>;
};
type Unnamed<T> = T extends unknown ? Omit<T, 'name'> : never;
export type RawBroker = Raw<Unnamed<BrokerSpec>>;

type Path = readonly (string | number)[];

/** Parses the unit strings of one spec, collecting every failure with its path. */
class UnitReader {
  readonly problems: Problem[] = [];

  /** The spec, or none with the problems when a unit failed to parse. */
  result<T>(spec: T): { spec: T; problems: [] } | { spec: undefined; problems: Problem[] } {
    return this.problems.length > 0
      ? { spec: undefined, problems: this.problems }
      : { spec, problems: [] };
  }

  /**
   * The parsed value. On failure the problem is recorded and a placeholder
   * returned: the spec is discarded when `problems` is not empty.
   */
  parse<T>(path: Path, text: string | number, parse: (text: string) => T): T {
    try {
      return parse(String(text));
    } catch (error) {
      if (!(error instanceof UnitError)) throw error;
      this.problems.push({ path, message: error.message });
      return undefined as T;
    }
  }

  optional<T>(
    path: Path,
    text: string | number | undefined,
    parse: (text: string) => T,
  ): T | undefined {
    return text === undefined ? undefined : this.parse(path, text, parse);
  }

  /** A `{ cpu, memory }` block at `path`, each quantity parsed when given. */
  cpuMemory(
    path: Path,
    raw: { cpu?: string | number; memory?: string | number } | undefined,
  ): { cpu?: Cpu; memory?: Size } | undefined {
    return (
      raw &&
      defined({
        cpu: this.optional([...path, 'cpu'], raw.cpu, Cpu.parse),
        memory: this.optional([...path, 'memory'], raw.memory, Size.parse),
      })
    );
  }
}

/** Drops keys whose value is undefined, so model objects carry only what was set. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** The agent spec of a merged agent, or the unit problems (paths relative to the agent). */
export function toAgentSpec(
  name: string,
  raw: RawAgent,
): { spec: AgentSpec; problems: [] } | { spec: undefined; problems: Problem[] } {
  const units = new UnitReader();
  const { container: c, resources: r, queue: q, scaling: s, schedule } = raw;
  const probe = (which: 'readiness' | 'liveness', p: Raw<ProbeSpec>): ProbeSpec => {
    const at = (field: string): Path => ['container', 'probes', which, field];
    return defined({
      ...p,
      period: units.optional(at('period'), p.period, Duration.parse),
      initialDelay: units.optional(at('initialDelay'), p.initialDelay, Duration.parse),
      timeout: units.optional(at('timeout'), p.timeout, Duration.parse),
    });
  };
  const rules = (direction: 'scaleUp' | 'scaleDown', rule: Raw<ScalingRules>): ScalingRules => {
    const at: Path = ['scaling', 'behavior', direction];
    return defined({
      ...rule,
      stabilizationWindow: units.optional(
        [...at, 'stabilizationWindow'],
        rule.stabilizationWindow,
        Duration.parse,
      ),
      policies: rule.policies?.map((policy, index) => ({
        ...policy,
        period: units.parse([...at, 'policies', index, 'period'], policy.period, Duration.parse),
      })),
    });
  };
  const spec: AgentSpec = defined({
    ...raw,
    name,
    container: defined({
      ...c,
      image: units.parse(['container', 'image'], c.image, ImageRef.parse),
      probes: c.probes && {
        readiness: probe('readiness', c.probes.readiness),
        liveness: probe('liveness', c.probes.liveness),
      },
      shutdown:
        c.shutdown &&
        defined({
          ...c.shutdown,
          preStopDelay: units.optional(
            ['container', 'shutdown', 'preStopDelay'],
            c.shutdown.preStopDelay,
            Duration.parse,
          ),
        }),
    }),
    resources: defined({
      ...r,
      requests: defined({
        cpu: units.parse(['resources', 'requests', 'cpu'], r.requests.cpu, Cpu.parse),
        memory: units.parse(['resources', 'requests', 'memory'], r.requests.memory, Size.parse),
        ephemeralStorage: units.optional(
          ['resources', 'requests', 'ephemeralStorage'],
          r.requests.ephemeralStorage,
          Size.parse,
        ),
      }),
      limits:
        r.limits &&
        defined({
          cpu: units.optional(['resources', 'limits', 'cpu'], r.limits.cpu, Cpu.parse),
          memory: units.optional(['resources', 'limits', 'memory'], r.limits.memory, Size.parse),
          ephemeralStorage: units.optional(
            ['resources', 'limits', 'ephemeralStorage'],
            r.limits.ephemeralStorage,
            Size.parse,
          ),
        }),
    }),
    queue:
      q &&
      defined({
        ...q,
        consumer:
          q.consumer &&
          defined({
            ...q.consumer,
            maxProcessingTime: units.optional(
              ['queue', 'consumer', 'maxProcessingTime'],
              q.consumer.maxProcessingTime,
              Duration.parse,
            ),
          }),
      }),
    topic:
      raw.topic &&
      defined({
        ...raw.topic,
        retention: units.optional(['topic', 'retention'], raw.topic.retention, Duration.parse),
        consumer:
          raw.topic.consumer &&
          defined({
            maxProcessingTime: units.optional(
              ['topic', 'consumer', 'maxProcessingTime'],
              raw.topic.consumer.maxProcessingTime,
              Duration.parse,
            ),
          }),
      }),
    scaling:
      s &&
      defined({
        ...s,
        prometheus:
          s.prometheus &&
          defined({
            ...s.prometheus,
            sustainedFor: units.optional(
              ['scaling', 'prometheus', 'sustainedFor'],
              s.prometheus.sustainedFor,
              Duration.parse,
            ),
          }),
        behavior:
          s.behavior &&
          defined({
            scaleUp: s.behavior.scaleUp && rules('scaleUp', s.behavior.scaleUp),
            scaleDown: s.behavior.scaleDown && rules('scaleDown', s.behavior.scaleDown),
          }),
        pollingInterval: units.optional(
          ['scaling', 'pollingInterval'],
          s.pollingInterval,
          Duration.parse,
        ),
        cooldownPeriod: units.optional(
          ['scaling', 'cooldownPeriod'],
          s.cooldownPeriod,
          Duration.parse,
        ),
      }),
    schedule:
      schedule &&
      defined({
        ...schedule,
        deadline: units.optional(['schedule', 'deadline'], schedule.deadline, Duration.parse),
      }),
  });
  return units.result(spec);
}

export type RawAwsSite = Omit<Raw<AwsSiteSpec>, 'name' | 'nodePools'> & {
  readonly nodePools: Readonly<Record<string, Omit<Raw<AwsNodePoolSpec>, 'name'>>>;
};

export type RawAzureSite = Omit<Raw<AzureSiteSpec>, 'name' | 'nodePools'> & {
  readonly nodePools: Readonly<Record<string, Omit<Raw<AzureNodePoolSpec>, 'name'>>>;
};

/** A node pool of any site kind with its unit strings parsed. */
function toPool<P extends Omit<Raw<NodePoolSpec>, 'name'> & { readonly diskSize?: string }>(
  units: UnitReader,
  name: string,
  raw: P,
) {
  const at = (...path: string[]): Path => ['nodePools', name, ...path];
  const allocatable = raw.allocatable;
  return defined({
    ...raw,
    name,
    diskSize: units.optional(at('diskSize'), raw.diskSize, Size.parse),
    allocatable: units.cpuMemory(at('allocatable'), allocatable),
  });
}

/** The node pools of a site, by name, with their units parsed. */
function toPools<P extends Omit<Raw<NodePoolSpec>, 'name'>>(
  units: UnitReader,
  pools: Readonly<Record<string, P>>,
) {
  return Object.entries(pools).map(([name, pool]) => toPool(units, name, pool));
}

/** An AWS site with its unit strings parsed; problems carry paths relative to the site. */
export function toAwsSiteSpec(
  name: string,
  raw: RawAwsSite,
): { spec: AwsSiteSpec | undefined; problems: Problem[] } {
  const units = new UnitReader();
  const nodePools = toPools(units, raw.nodePools) as unknown as AwsNodePoolSpec[];
  return units.result<AwsSiteSpec>({ ...raw, name, kind: 'aws', nodePools });
}

/** An Azure site with its unit strings parsed; problems carry paths relative to the site. */
export function toAzureSiteSpec(
  name: string,
  raw: RawAzureSite,
): { spec: AzureSiteSpec | undefined; problems: Problem[] } {
  const units = new UnitReader();
  const nodePools = toPools(units, raw.nodePools) as unknown as AzureNodePoolSpec[];
  return units.result<AzureSiteSpec>({ ...raw, name, kind: 'azure', nodePools });
}

/** A Kubernetes site with its unit strings parsed; problems carry paths relative to the site. */
export function toSiteSpec(
  name: string,
  raw: RawSite,
): { spec: KubernetesSiteSpec | undefined; problems: Problem[] } {
  const units = new UnitReader();
  const nodePools = toPools(units, raw.nodePools) as unknown as NodePoolSpec[];
  const database = raw.database;
  const spec: KubernetesSiteSpec = defined({
    name,
    kubeconfig: raw.kubeconfig,
    nodePools,
    monitoring: raw.monitoring,
    kedaNamespace: raw.kedaNamespace,
    database:
      database &&
      defined({
        ...database,
        storage: units.optional(['database', 'storage'], database.storage, Size.parse),
        resources: units.cpuMemory(['database', 'resources'], database.resources),
      }),
    consul: raw.consul,
    vault: raw.vault,
  });
  return units.result(spec);
}

/** A broker with its unit strings parsed; problems carry paths relative to the broker. */
export function toBrokerSpec(
  name: string,
  raw: RawBroker,
): { spec: BrokerSpec | undefined; problems: Problem[] } {
  const units = new UnitReader();
  if (raw.kind === 'kafka') {
    const { msk, inCluster } = raw;
    const spec: BrokerSpec = defined({
      ...raw,
      name,
      msk:
        msk &&
        defined({
          ...msk,
          volumeSize: units.optional(['msk', 'volumeSize'], msk.volumeSize, Size.parse),
        }),
      inCluster:
        inCluster &&
        defined({
          ...inCluster,
          storage: units.optional(['inCluster', 'storage'], inCluster.storage, Size.parse),
        }),
    });
    return units.result(spec);
  }
  if (raw.kind === 'sqs' || raw.kind === 'servicebus') {
    return { spec: { ...raw, name }, problems: [] };
  }
  const inCluster = raw.inCluster;
  const spec: BrokerSpec = defined({
    ...raw,
    name,
    inCluster:
      inCluster &&
      defined({
        ...inCluster,
        storage: units.optional(['inCluster', 'storage'], inCluster.storage, Size.parse),
        resources: units.cpuMemory(['inCluster', 'resources'], inCluster.resources),
      }),
  });
  return units.result(spec);
}

/** Freezes a model object and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

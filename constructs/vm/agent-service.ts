import {
  AgentSpec,
  ContainerRuntime,
  Problem,
  publishedPort,
  ResolvedAgent,
  validateAgent,
} from '../../model';

/** The container runtime that runs an agent on a machine of its own: the model's, which a hosts site names. */
export type { ContainerRuntime } from '../../model';

/**
 * UID and GID the agent container runs as on a machine of its own: non-root,
 * above the host's user range, and the same as on Kubernetes.
 */
export const AGENT_CONTAINER_UID = 10001;

/** Time systemd (and the cloud's termination hold) add to the agent's grace period, for Docker's own stop work. */
export const STOP_MARGIN_SECONDS = 30;

/** Where an agent runs on machines of its own, as problems name it. */
export interface VmTarget {
  /** The group, e.g. `an Auto Scaling group`. */
  readonly group: string;
  /** The boot script, e.g. `the instance script`. */
  readonly script: string;
}

/**
 * The problems every VM target shares: those of `validateAgent`, then a
 * workload other than `consumer` (a VM runs one long-running process) and
 * GPUs (no boot script sets up the NVIDIA container runtime).
 */
export function vmAgentProblems(agent: AgentSpec, target: VmTarget): Problem[] {
  const problems: Problem[] = [...validateAgent(agent)];
  const workload = agent.workload ?? 'consumer';
  if (workload !== 'consumer') {
    problems.push({
      path: ['workload'],
      message: `'${workload}' cannot run on ${target.group}: only 'consumer' agents (a long-running process per instance)`,
    });
  }
  if ((agent.resources.gpu ?? 0) > 0) {
    problems.push({
      path: ['resources', 'gpu'],
      message: `${agent.resources.gpu} GPU(s) requested: ${target.script} does not set up the NVIDIA container runtime; run GPU agents on Kubernetes`,
    });
  }
  return problems;
}

/**
 * Where the container finds the credential files its machine holds: the
 * directory under which the agent's pods read theirs on Kubernetes (e.g.
 * `FLEET_BROKER_CREDENTIALS_DIR` is `/var/run/secrets/agent-fleet/brokers`).
 */
export const CREDENTIALS_MOUNT = '/var/run/secrets/agent-fleet';

/** Variable of an instance's config file that holds its runtime arguments, see {@link instanceConfig}. */
export const INSTANCE_ARGS_VARIABLE = 'AGENT_FLEET_INSTANCE_ARGS';

/** Several instances of one agent on a machine, run by a systemd template unit. */
export interface AgentInstances {
  /**
   * Absolute directory of the instances' config files: instance `n` reads
   * `<configDir>/instance-<n>.conf` (see {@link instanceConfig}).
   */
  readonly configDir: string;
}

/** Options of {@link agentService}. */
export interface AgentServiceOptions {
  /** File of the container's environment, written beside the unit. */
  readonly envFile: string;
  /** State SIGTERM as Docker's and systemd's stop signal (their default) explicitly. @default false */
  readonly explicitStopSignal?: boolean;
  /**
   * The container runtime. Podman's unit is the one `podman generate systemd
   * --new` writes (podman 4.3): `Type=notify`, the container id in a file.
   * @default 'docker'
   */
  readonly runtime?: ContainerRuntime;
  /**
   * Run several instances: a template unit `agent-<name>@.service` whose
   * instance `%i` runs the container `agent-<name>-%i` with the arguments of
   * its config file ({@link instanceArgs}) before the image. The containers
   * get the runtime's default network, their ports published by those
   * arguments, instead of the host's.
   * @default - one instance on the host's network
   */
  readonly instances?: AgentInstances;
  /**
   * Absolute directory of credential files the machine holds, mounted
   * read-only at {@link CREDENTIALS_MOUNT}. Its files must be readable by
   * {@link AGENT_CONTAINER_UID}.
   * @default - none mounted
   */
  readonly credentialsDir?: string;
}

/** The systemd service that runs one agent's container on a VM. */
export interface AgentService {
  /** The container runtime. */
  readonly runtime: ContainerRuntime;
  /** Name of the container, `agent-<name>` (`agent-<name>-%i` for a template). */
  readonly container: string;
  /** Name of the unit, `agent-<name>.service` (`agent-<name>@.service` for a template). */
  readonly unitName: string;
  /** The agent's grace period in seconds. */
  readonly graceSeconds: number;
  /** How long systemd waits for a stop: the grace period plus {@link STOP_MARGIN_SECONDS}. */
  readonly stopTimeoutSeconds: number;
  /** Lines of the unit file. */
  readonly unit: readonly string[];
  /**
   * Name of the unit of instance `instance` (from 1), `agent-<name>@<instance>.service`.
   * Throws unless the unit is a template (`instances` given).
   */
  instanceUnit(instance: number): string;
}

/** A word of a unit's command line: quoted by {@link systemdQuote}, or written as is (specifiers, variables). */
type Word = string | { readonly raw: string };

/**
 * The unit that runs an agent's container on a VM (EC2 scaling groups, Azure
 * scale sets, servers of a `hosts` site) with the same hardening as its
 * pods: non-root, read-only root with a bounded `/tmp`, no privileges or
 * capabilities, the agent's CPU and memory limits, its logs to the journal.
 * A stop runs the agent's preStop command first (stop fetching work), then
 * SIGTERM with its grace period.
 */
export function agentService(resolved: ResolvedAgent, options: AgentServiceOptions): AgentService {
  const agent = resolved.spec;
  const runtime = options.runtime ?? 'docker';
  const template = options.instances !== undefined;
  const grace = resolved.gracePeriod.toSecondsCeil();
  const stopTimeoutSeconds = grace + STOP_MARGIN_SECONDS;
  const { limits } = resolved.resources;
  const base = `agent-${agent.name}`;
  const container = template ? `${base}-%i` : base;
  const unitName = template ? `${base}@.service` : `${base}.service`;
  if (options.instances) checkPath(options.instances.configDir, 'instances.configDir');
  if (options.credentialsDir !== undefined) checkPath(options.credentialsDir, 'credentialsDir');
  const bin = `/usr/bin/${runtime}`;
  const image = agent.container.image.toString();
  const [entrypoint, ...commandRest] = agent.container.command ?? [];
  const cidfile = '--cidfile=%t/%n.ctr-id';
  const run: Word[] = [
    bin,
    'run',
    ...(runtime === 'podman'
      ? [{ raw: cidfile }, '--cgroups=no-conmon', '--rm', '--sdnotify=conmon', '--replace', '-d']
      : ['--rm']),
    { raw: `--name=${container}` },
    ...(template ? [] : ['--network=host']),
    `--user=${AGENT_CONTAINER_UID}:${AGENT_CONTAINER_UID}`,
    '--read-only',
    // Podman would also mount writable /run and /var/tmp on a read-only root: only /tmp, as Docker.
    ...(runtime === 'podman' ? ['--read-only-tmpfs=false'] : []),
    `--tmpfs=/tmp:rw,nosuid,nodev,size=${dockerSize(limits.ephemeralStorage.bytes)}`,
    '--security-opt=no-new-privileges',
    '--cap-drop=ALL',
    `--cpus=${limits.cpu.millicores / 1000}`,
    `--memory=${dockerSize(limits.memory.bytes)}`,
    `--memory-swap=${dockerSize(limits.memory.bytes)}`,
    `--env-file=${options.envFile}`,
    ...(options.credentialsDir !== undefined
      ? [`--volume=${options.credentialsDir}:${CREDENTIALS_MOUNT}:ro`]
      : []),
    ...(options.explicitStopSignal ? ['--stop-signal=SIGTERM'] : []),
    `--stop-timeout=${grace}`,
    '--log-driver=journald',
    ...(entrypoint !== undefined ? [`--entrypoint=${entrypoint}`] : []),
    // Unbraced, so that systemd splits the value into words.
    ...(template ? [{ raw: `$${INSTANCE_ARGS_VARIABLE}` }] : []),
    image,
    ...commandRest,
    ...(agent.container.args ?? []),
  ];
  // preStop first (stop fetching work), then SIGTERM and the grace period.
  const preStop = `ExecStop=-${commandLine([bin, 'exec', { raw: container }, ...resolved.preStop])}`;
  const description = template
    ? `Description=Agent ${agent.name} instance %i (agent-fleet)`
    : `Description=Agent ${agent.name} (agent-fleet)`;
  const environmentFile = template
    ? [`EnvironmentFile=${options.instances!.configDir}/instance-%i.conf`]
    : [];
  const service =
    runtime === 'podman'
      ? [
          'Environment=PODMAN_SYSTEMD_UNIT=%n',
          ...environmentFile,
          'Restart=always',
          'RestartSec=5',
          'TimeoutStartSec=900',
          'ExecStartPre=/bin/rm -f %t/%n.ctr-id',
          `ExecStartPre=${commandLine([bin, 'pull', image])}`,
          `ExecStart=${commandLine(run)}`,
          preStop,
          `ExecStop=${bin} stop --ignore -t ${grace} ${cidfile}`,
          `ExecStopPost=-${bin} rm -f --ignore -t ${grace} ${cidfile}`,
          ...(options.explicitStopSignal ? ['KillSignal=SIGTERM'] : []),
          `TimeoutStopSec=${stopTimeoutSeconds}`,
          'Type=notify',
          'NotifyAccess=all',
        ]
      : [
          ...environmentFile,
          'Restart=always',
          'RestartSec=5',
          'TimeoutStartSec=900',
          `ExecStartPre=-${commandLine([bin, 'rm', '--force', { raw: container }])}`,
          `ExecStartPre=${commandLine([bin, 'pull', image])}`,
          `ExecStart=${commandLine(run)}`,
          preStop,
          `ExecStop=${commandLine([bin, 'stop', `--time=${grace}`, { raw: container }])}`,
          ...(options.explicitStopSignal ? ['KillSignal=SIGTERM'] : []),
          `TimeoutStopSec=${stopTimeoutSeconds}`,
        ];
  const unit = [
    '[Unit]',
    description,
    'Wants=network-online.target',
    ...(runtime === 'podman'
      ? ['After=network-online.target', 'RequiresMountsFor=%t/containers']
      : ['After=network-online.target docker.service', 'Requires=docker.service']),
    '',
    '[Service]',
    ...service,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
  const instanceUnit = (instance: number): string => {
    if (!template) throw new Error(`${unitName} is not a template unit: it has no instances`);
    checkInstance(instance);
    return `${base}@${instance}.service`;
  };
  return {
    runtime,
    container,
    unitName,
    graceSeconds: grace,
    stopTimeoutSeconds,
    unit,
    instanceUnit,
  };
}

/** Options of {@link instanceArgs}. */
export interface InstanceArgsOptions {
  /** The runtime of the agent's unit. */
  readonly runtime: ContainerRuntime;
  /** The instance, from 1. */
  readonly instance: number;
  /** Indexes of the server's NVIDIA GPUs the instance gets. @default - none */
  readonly gpus?: readonly number[];
}

/**
 * The runtime arguments of one instance of a template unit (see
 * {@link AgentServiceOptions.instances}), as the runtime receives them:
 *
 * - each of the container's ports published on the host at
 *   `port + instance - 1` ({@link publishedPort}), as the hosts plan
 *   places instances (it keeps their host ports apart);
 * - its GPUs: Podman through CDI, `--device=nvidia.com/gpu=<index>` each
 *   (the NVIDIA Container Toolkit's CDI spec, `nvidia-ctk cdi generate`, on
 *   the server); Docker `--gpus=device=<index>`, or for several
 *   `--gpus="device=<i>,<j>"` with the double quotes (Docker reads the value
 *   as CSV: unquoted, `device=0,1` gives GPU 0 only).
 *
 * Write them with {@link instanceConfig}.
 * @see https://docs.podman.io/en/v4.3/markdown/podman-run.1.html#publish-p-ip-hostport-containerport-protocol
 * @see https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/cdi-support.html
 * @see https://docs.docker.com/engine/containers/resource_constraints/#gpu
 * @see https://docs.docker.com/reference/cli/docker/container/run/#gpus
 */
export function instanceArgs(resolved: ResolvedAgent, options: InstanceArgsOptions): string[] {
  const { runtime, instance } = options;
  checkInstance(instance);
  const ports = Object.values(resolved.spec.container.ports ?? {}).map((port) => {
    const host = publishedPort(port, instance);
    if (host > 65535) {
      throw new Error(`instance ${instance} would publish port ${port} on ${host}, above 65535`);
    }
    return `--publish=${host}:${port}`;
  });
  const gpus = options.gpus ?? [];
  for (const gpu of gpus) {
    if (!Number.isInteger(gpu) || gpu < 0)
      throw new Error(`GPU index ${gpu} is not an integer >= 0`);
  }
  if (new Set(gpus).size !== gpus.length) throw new Error(`GPU indexes repeat: ${gpus.join(', ')}`);
  const devices =
    gpus.length === 0
      ? []
      : runtime === 'podman'
        ? gpus.map((gpu) => `--device=nvidia.com/gpu=${gpu}`)
        : gpus.length === 1
          ? [`--gpus=device=${gpus[0]}`]
          : [`--gpus="device=${gpus.join(',')}"`];
  return [...ports, ...devices];
}

/**
 * The content of an instance's config file, `<configDir>/instance-<n>.conf`:
 * the line `AGENT_FLEET_INSTANCE_ARGS=<args>`, written so that the unit's
 * command line receives exactly `args`. systemd reads the file as an
 * environment file (a backslash escapes the next character, a leading quote
 * opens a quoted value), then splits the unbraced `$AGENT_FLEET_INSTANCE_ARGS`
 * at whitespace and removes quotes and backslashes: a word with a quote is
 * single-quoted (`'--gpus="device=0,1"'`), a backslash doubled at each step.
 * Throws on an argument with whitespace, which systemd would split.
 * @see https://www.freedesktop.org/software/systemd/man/systemd.service.html#Command%20lines
 * @see https://www.freedesktop.org/software/systemd/man/systemd.exec.html#EnvironmentFile=
 */
export function instanceConfig(args: readonly string[]): string {
  for (const arg of args) {
    if (arg === '' || /[\s\0]/.test(arg)) {
      throw new Error(
        `instance argument ${JSON.stringify(arg)} is empty or contains whitespace: systemd would split it`,
      );
    }
  }
  const words = args.map((arg) => {
    const escaped = arg.replace(/\\/g, '\\\\');
    if (!/['"]/.test(escaped)) return escaped;
    return escaped.includes("'") ? escaped.replace(/(['"])/g, '\\$1') : `'${escaped}'`;
  });
  const value = words
    .join(' ')
    .replace(/\\/g, '\\\\')
    .replace(/^(['"])/, '\\$1');
  return `${INSTANCE_ARGS_VARIABLE}=${value}\n`;
}

/** Throws unless `instance` is an integer from 1. */
function checkInstance(instance: number): void {
  if (!Number.isInteger(instance) || instance < 1) {
    throw new Error(`instance ${instance} is not an integer >= 1`);
  }
}

/** Throws unless `path` is absolute and safe in a unit and a `--volume` (no `:`, `%`, whitespace or quotes). */
function checkPath(path: string, option: string): void {
  if (!/^\/[A-Za-z0-9_.@+/-]*$/.test(path)) {
    throw new Error(
      `${option} '${path}' must be an absolute path of letters, digits and _.@+/- only`,
    );
  }
}

/** A unit's command line: the words quoted, except those written as is. */
function commandLine(words: readonly Word[]): string {
  return words.map((word) => (typeof word === 'string' ? systemdQuote(word) : word.raw)).join(' ');
}

/** Docker size: mebibytes when exact, else bytes. */
function dockerSize(bytes: number): string {
  return bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20}m` : `${bytes}b`;
}

/** One argument of a systemd command line: quoted, with `\`, `"`, `%` and `$` escaped. */
export function systemdQuote(arg: string): string {
  if (/^[A-Za-z0-9_@+=:,./-]+$/.test(arg)) return arg;
  const escaped = arg
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/%/g, '%%')
    .replace(/\$/g, '$$$$');
  return `"${escaped}"`;
}

/**
 * Problems of values the machine's boot script writes one per line (the env
 * file, the unit's command line): a line break or NUL would split them.
 * @param where what the script is called, for the message (e.g. `user data`)
 */
export function lineBreakProblems(agent: AgentSpec, where: string): Problem[] {
  const values: [(string | number)[], string][] = [
    ...Object.entries(agent.container.env ?? {}).map(
      ([name, value]): [(string | number)[], string] => [['container', 'env', name], value],
    ),
    ...(agent.container.command ?? []).map((value, i): [(string | number)[], string] => [
      ['container', 'command', i],
      value,
    ]),
    ...(agent.container.args ?? []).map((value, i): [(string | number)[], string] => [
      ['container', 'args', i],
      value,
    ]),
  ];
  return values
    .filter(([, value]) => /[\r\n\0]/.test(value))
    .map(([path]) => ({ path, message: `contains a line break or NUL: not allowed in ${where}` }));
}

import { AgentSpec, Problem, ResolvedAgent, validateAgent } from '../../model';

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

/** Options of {@link agentService}. */
export interface AgentServiceOptions {
  /** File of the container's environment, written beside the unit. */
  readonly envFile: string;
  /** State SIGTERM as Docker's and systemd's stop signal (their default) explicitly. @default false */
  readonly explicitStopSignal?: boolean;
}

/** The systemd service that runs one agent's container on a VM. */
export interface AgentService {
  /** Name of the container, `agent-<name>`. */
  readonly container: string;
  /** Name of the unit, `agent-<name>.service`. */
  readonly unitName: string;
  /** The agent's grace period in seconds. */
  readonly graceSeconds: number;
  /** How long systemd waits for a stop: the grace period plus {@link STOP_MARGIN_SECONDS}. */
  readonly stopTimeoutSeconds: number;
  /** Lines of the unit file. */
  readonly unit: readonly string[];
}

/**
 * The unit that runs an agent's container on a VM (EC2 scaling groups, Azure
 * scale sets) with the same hardening as its pods: non-root, read-only root
 * with a bounded `/tmp`, no privileges or capabilities, the agent's CPU and
 * memory limits, its logs to the journal. A stop runs the agent's preStop
 * command first (stop fetching work), then SIGTERM with its grace period.
 */
export function agentService(resolved: ResolvedAgent, options: AgentServiceOptions): AgentService {
  const agent = resolved.spec;
  const grace = resolved.gracePeriod.toSecondsCeil();
  const stopTimeoutSeconds = grace + STOP_MARGIN_SECONDS;
  const { limits } = resolved.resources;
  const container = `agent-${agent.name}`;
  const unitName = `agent-${agent.name}.service`;
  const [entrypoint, ...commandRest] = agent.container.command ?? [];
  const run = [
    '/usr/bin/docker',
    'run',
    '--rm',
    `--name=${container}`,
    '--network=host',
    `--user=${AGENT_CONTAINER_UID}:${AGENT_CONTAINER_UID}`,
    '--read-only',
    `--tmpfs=/tmp:rw,nosuid,nodev,size=${dockerSize(limits.ephemeralStorage.bytes)}`,
    '--security-opt=no-new-privileges',
    '--cap-drop=ALL',
    `--cpus=${limits.cpu.millicores / 1000}`,
    `--memory=${dockerSize(limits.memory.bytes)}`,
    `--memory-swap=${dockerSize(limits.memory.bytes)}`,
    `--env-file=${options.envFile}`,
    ...(options.explicitStopSignal ? ['--stop-signal=SIGTERM'] : []),
    `--stop-timeout=${grace}`,
    '--log-driver=journald',
    ...(entrypoint !== undefined ? [`--entrypoint=${entrypoint}`] : []),
    agent.container.image.toString(),
    ...commandRest,
    ...(agent.container.args ?? []),
  ];
  const unit = [
    '[Unit]',
    `Description=Agent ${agent.name} (agent-fleet)`,
    'Wants=network-online.target',
    'After=network-online.target docker.service',
    'Requires=docker.service',
    '',
    '[Service]',
    'Restart=always',
    'RestartSec=5',
    'TimeoutStartSec=900',
    `ExecStartPre=-/usr/bin/docker rm --force ${container}`,
    `ExecStartPre=/usr/bin/docker pull ${systemdQuote(agent.container.image.toString())}`,
    `ExecStart=${run.map(systemdQuote).join(' ')}`,
    // preStop first (stop fetching work), then SIGTERM and the grace period.
    `ExecStop=-${['/usr/bin/docker', 'exec', container, ...resolved.preStop].map(systemdQuote).join(' ')}`,
    `ExecStop=/usr/bin/docker stop --time=${grace} ${container}`,
    ...(options.explicitStopSignal ? ['KillSignal=SIGTERM'] : []),
    `TimeoutStopSec=${stopTimeoutSeconds}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
  return { container, unitName, graceSeconds: grace, stopTimeoutSeconds, unit };
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

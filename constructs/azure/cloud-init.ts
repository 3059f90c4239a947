import {
  AgentSpec,
  ENV_NAME,
  Problem,
  ResolvedAgent,
  SECRET_LIKE_ENV,
  ValidationError,
} from '../../model';
import { agentService, lineBreakProblems, vmAgentProblems } from '../vm/agent-service';

export { AGENT_CONTAINER_UID, STOP_MARGIN_SECONDS } from '../vm/agent-service';

/** What the VM's application health extension probes: the agent's readiness endpoint. */
export interface AgentHealthProbe {
  readonly protocol: 'http' | 'tcp';
  /** Port on the VM: the agent runs with host networking. */
  readonly port: number;
  /** HTTP path, for `http` only. @default - none: a `tcp` probe */
  readonly requestPath?: string;
}

/** Input of {@link agentCloudInit}. */
export interface AgentCloudInitProps {
  /** The agent, resolved (`resolveAgent`); its spec is validated with {@link validateAgentForScaleSet}. */
  readonly agent: ResolvedAgent;
  /**
   * Plain configuration besides the spec's env, e.g. the broker's address and the
   * identity's client id (`AZURE_CLIENT_ID`); values may be Terraform references.
   * Never a secret: names that look like one are refused.
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** What {@link agentCloudInit} renders. */
export interface AgentCloudInit {
  /** The `#cloud-config` document; it may hold Terraform references from `env`. */
  readonly text: string;
  /** Name of the systemd unit that runs the agent. */
  readonly unitName: string;
  /** `TimeoutStopSec` of the unit: the resolved grace period plus {@link STOP_MARGIN_SECONDS}. */
  readonly stopTimeoutSeconds: number;
  /** The container's environment: the spec's env, then `env`. */
  readonly env: Readonly<Record<string, string>>;
  /** The agent's readiness endpoint, for the application health extension. */
  readonly health: AgentHealthProbe;
}

/**
 * The cloud-init document of an agent VM on Ubuntu. Pure: the same input renders the
 * same text. It
 * - installs Docker from the Ubuntu archive (`docker.io`) and starts it;
 * - writes `/etc/agent-fleet/<agent>.env` with the container's environment (plain
 *   configuration only; Azure credentials come from the VM's managed identity);
 * - writes `agent-<agent>.service`: `docker run` of the spec's image, command and
 *   args with host networking (the health extension probes the readiness port on
 *   the VM, and the container reaches the instance metadata service for tokens),
 *   `--cpus`/`--memory` from the resolved limits, a read-only root file system with
 *   a tmpfs `/tmp`, no new privileges, all capabilities dropped, UID
 *   {@link AGENT_CONTAINER_UID}, `Restart=always`; stopping runs the preStop command
 *   and then `docker stop` within the grace period;
 * - writes `agent-drain.service`: {@link scheduledEventsDrainScript}, which, when
 *   the scale set is to delete this instance, stops the agent gracefully and then
 *   approves the event, so scale-in does not cut work in flight.
 * @see https://cloudinit.readthedocs.io/en/latest/reference/modules.html
 * @see https://learn.microsoft.com/azure/virtual-machine-scale-sets/virtual-machine-scale-sets-terminate-notification
 * @see https://learn.microsoft.com/azure/virtual-machines/linux/scheduled-events
 */
export function agentCloudInit(props: AgentCloudInitProps): AgentCloudInit {
  const { agent: resolved } = props;
  const agent = resolved.spec;
  const problems = validateAgentForScaleSet(agent, props.env);
  if (problems.length > 0) throw new ValidationError(`cloud-init of ${agent.name}`, problems);
  const envFile = `/etc/agent-fleet/${agent.name}.env`;
  const env: Record<string, string> = { ...agent.container.env, ...props.env };
  const { unitName, stopTimeoutSeconds, unit } = agentService(resolved, { envFile });
  const drainUnit = [
    '[Unit]',
    `Description=Stops ${unitName} before the scale set deletes this instance`,
    'After=network-online.target',
    '',
    '[Service]',
    // It exits 0 once the event is approved; a failure starts it again.
    'Restart=on-failure',
    'RestartSec=5',
    `ExecStart=/usr/bin/python3 /usr/local/bin/agent-drain ${unitName}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ];
  const envLines = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  const text = [
    '#cloud-config',
    `# agent-fleet: agent ${agent.name}`,
    'package_update: true',
    'packages:',
    '  - docker.io',
    'write_files:',
    writeFile(envFile, '0644', envLines),
    writeFile(`/etc/systemd/system/${unitName}`, '0644', unit),
    writeFile('/usr/local/bin/agent-drain', '0755', scheduledEventsDrainScript().split('\n')),
    writeFile('/etc/systemd/system/agent-drain.service', '0644', drainUnit),
    'runcmd:',
    '  - [systemctl, enable, --now, docker.service]',
    '  - [systemctl, daemon-reload]',
    `  - [systemctl, enable, --now, --no-block, ${unitName}, agent-drain.service]`,
    '',
  ].join('\n');
  return { text, unitName, stopTimeoutSeconds, env, health: agentHealthProbe(agent)! };
}

/** Where the drain reads Scheduled Events: the Azure Instance Metadata Service. */
export const AZURE_IMDS_ENDPOINT = 'http://169.254.169.254';

/** How the drain script is rendered; only tests change the defaults. */
export interface ScheduledEventsDrainOptions {
  /** Base URL of the instance metadata service. @default {@link AZURE_IMDS_ENDPOINT} */
  readonly imdsEndpoint?: string;
  /** Seconds between polls. @default 5 */
  readonly pollSeconds?: number;
}

/**
 * The drain of a scale-set VM, `agent-drain <unit>` (Python 3, in Ubuntu's
 * image): reads the VM's name, polls its Scheduled Events, and on a
 * `Terminate` event naming this VM stops the agent's unit (preStop, SIGTERM,
 * the grace period), then approves the event (`StartRequests`) so the
 * deletion goes on without waiting for the terminate notification's timeout.
 * Every call carries `Metadata: true`, as the metadata service requires.
 * @param options for tests: another metadata endpoint and poll interval
 * @see https://learn.microsoft.com/azure/virtual-machines/linux/scheduled-events
 */
export function scheduledEventsDrainScript(options: ScheduledEventsDrainOptions = {}): string {
  const imds = `${options.imdsEndpoint ?? AZURE_IMDS_ENDPOINT}/metadata`;
  return [
    '#!/usr/bin/env python3',
    '# Polls Scheduled Events; on a Terminate of this instance stops the agent, then',
    '# approves the event so the deletion goes on without waiting for the timeout.',
    'import json, subprocess, sys, time, urllib.request',
    `IMDS = '${imds}'`,
    'def call(path, body=None):',
    "    req = urllib.request.Request(IMDS + path, data=body, headers={'Metadata': 'true'})",
    '    with urllib.request.urlopen(req, timeout=10) as res:',
    '        return res.read().decode()',
    "name = call('/instance/compute/name?api-version=2021-02-01&format=text')",
    'while True:',
    '    try:',
    "        events = json.loads(call('/scheduledevents?api-version=2020-07-01'))['Events']",
    '    except Exception:',
    '        events = []',
    '    for event in events:',
    "        if event['EventType'] == 'Terminate' and name in event['Resources']:",
    "            subprocess.run(['systemctl', 'stop', sys.argv[1]])",
    "            body = json.dumps({'StartRequests': [{'EventId': event['EventId']}]}).encode()",
    "            call('/scheduledevents?api-version=2020-07-01', body)",
    '            sys.exit(0)',
    `    time.sleep(${options.pollSeconds ?? 5})`,
  ].join('\n');
}

/** The readiness probe as the application health extension sees it; undefined when it cannot. */
export function agentHealthProbe(agent: AgentSpec): AgentHealthProbe | undefined {
  const readiness = agent.container.probes?.readiness;
  const ports = agent.container.ports ?? {};
  const portOf = (port: string | number) => (typeof port === 'number' ? port : ports[port]);
  if (readiness?.httpGet) {
    const port = portOf(readiness.httpGet.port);
    return port === undefined
      ? undefined
      : { protocol: 'http', port, requestPath: readiness.httpGet.path };
  }
  if (readiness?.tcpSocket) {
    const port = portOf(readiness.tcpSocket.port);
    return port === undefined ? undefined : { protocol: 'tcp', port };
  }
  return undefined;
}

/**
 * Every problem of an agent for {@link agentCloudInit}: those of `validateAgent`
 * (secret-like env names among them) plus what a scale-set VM cannot run: workloads
 * other than `consumer`, GPUs, a readiness probe that is not HTTP or TCP on a
 * declared port, line breaks in env values, command or args, and secret-like or
 * malformed names in the extra env.
 */
export function validateAgentForScaleSet(
  agent: AgentSpec,
  env: Readonly<Record<string, string>> = {},
): Problem[] {
  const problems = vmAgentProblems(agent, { group: 'a VM scale set', script: 'the cloud-init' });
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (!agentHealthProbe(agent)) {
    add(
      ['container', 'probes', 'readiness'],
      'a scale set needs an httpGet or tcpSocket readiness probe on a declared port: the application health extension probes it',
    );
  }
  for (const [name, value] of Object.entries(env)) {
    if (!ENV_NAME.test(name)) add(['env', name], 'is not an environment variable name');
    if (SECRET_LIKE_ENV.test(name)) {
      add(
        ['env', name],
        'looks like a secret: secrets never go in custom_data; use the managed identity or Vault',
      );
    }
    if (/[\r\n\0]/.test(value)) add(['env', name], 'contains a line break or NUL');
  }
  problems.push(...lineBreakProblems(agent, 'cloud-init'));
  return problems;
}

/** One `write_files` entry with its content as a YAML literal block. */
function writeFile(path: string, permissions: string, lines: readonly string[]): string {
  return [
    `  - path: ${path}`,
    `    permissions: '${permissions}'`,
    '    owner: root:root',
    '    content: |',
    ...lines.map((line) => (line.length > 0 ? `      ${line}` : '')),
  ].join('\n');
}

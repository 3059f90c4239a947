import { AgentSpec, Problem, resolveAgent, ValidationError } from '../model';
import { agentService, lineBreakProblems, vmAgentProblems } from '../vm/agent-service';

export { AGENT_CONTAINER_UID, STOP_MARGIN_SECONDS } from '../vm/agent-service';

/** The SQS queue the agent consumes, as the agent sees it in `FLEET_*` variables. */
export interface UserDataQueue {
  /** Queue name, e.g. `ingest-tasks`. */
  readonly name: string;
  /** Queue URL, e.g. `https://sqs.eu-west-1.amazonaws.com/123456789012/ingest-tasks`. */
  readonly url: string;
  /** Queue ARN. */
  readonly arn: string;
}

/** Input of {@link agentUserData}. */
export interface AgentUserDataProps {
  /** The cloud-neutral agent spec; it is validated with `validateAgent`. */
  readonly agent: AgentSpec;
  readonly queue: UserDataQueue;
  /** Region of the queue, passed as `FLEET_QUEUE_REGION` and `AWS_REGION`. */
  readonly region: string;
}

/** What {@link agentUserData} renders, for tests and for the launch template. */
export interface AgentUserData {
  /** The shell script cloud-init runs once at first boot. */
  readonly script: string;
  /** Name of the systemd unit that runs the agent. */
  readonly unitName: string;
  /** `TimeoutStopSec` of the unit, in seconds: the resolved grace period plus {@link STOP_MARGIN_SECONDS}. */
  readonly stopTimeoutSeconds: number;
  /** The environment the container gets: the spec's plain env plus `FLEET_*`. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The first-boot script of an agent instance. It installs nothing: it assumes an
 * AMI with **Docker** and `curl` (the ECS-optimized Amazon Linux 2023 AMI has both),
 * and writes
 * - `/etc/agent-fleet/<agent>.env`: the spec's plain env plus the `FLEET_*` queue
 *   variables; never a secret (env names that look like secrets are refused by
 *   `validateAgent`; AWS credentials come from the instance profile);
 * - `agent-<agent>.service`: `docker run` of the spec's image, command and args,
 *   with `--cpus`/`--memory` from the resolved limits, a read-only root file system
 *   with a tmpfs `/tmp` sized by the ephemeral-storage limit, `no-new-privileges`,
 *   all capabilities dropped, UID {@link AGENT_CONTAINER_UID}, host networking (with
 *   the IMDS hop limit of 1 a container on Docker's bridge could not reach the
 *   instance profile's credentials), `Restart=always`; stopping runs the spec's
 *   preStop command, then `docker stop` (SIGTERM, SIGKILL after the grace period),
 *   within `TimeoutStopSec` = grace period + {@link STOP_MARGIN_SECONDS};
 * - `agent-drain-watch.service`: polls the instance's Auto Scaling target lifecycle
 *   state (IMDSv2) and stops the agent gracefully as soon as the instance is to be
 *   terminated, while the termination lifecycle hook holds it.
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html
 * @see https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html#TimeoutStopSec=
 */
export function agentUserData(props: AgentUserDataProps): AgentUserData {
  const { agent, queue } = props;
  const problems = validateAgentForInstance(agent);
  if (problems.length > 0) throw new ValidationError(`user data of ${agent.name}`, problems);
  const resolved = resolveAgent(agent);
  const envFile = `/etc/agent-fleet/${agent.name}.env`;
  const service = agentService(agent, { envFile, explicitStopSignal: true });
  const { unitName, stopTimeoutSeconds } = service;
  const unit = service.unit.join('\n');

  const env: Record<string, string> = {
    ...agent.container.env,
    AWS_REGION: props.region,
    FLEET_QUEUE_KIND: 'sqs',
    FLEET_QUEUE_NAME: queue.name,
    FLEET_QUEUE_URL: queue.url,
    FLEET_QUEUE_ARN: queue.arn,
    FLEET_QUEUE_REGION: props.region,
    ...(resolved.queue
      ? {
          FLEET_QUEUE_PREFETCH: String(resolved.queue.prefetch),
          FLEET_MAX_PROCESSING_SECONDS: String(resolved.queue.maxProcessingTime.toSecondsCeil()),
        }
      : {}),
  };
  const drainWatch = [
    '[Unit]',
    `Description=Stops ${unitName} when Auto Scaling terminates the instance`,
    'After=network-online.target',
    '',
    '[Service]',
    'Restart=always',
    'RestartSec=5',
    `ExecStart=/usr/local/bin/agent-drain-watch ${unitName}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n');

  const watchScript = [
    '#!/bin/bash',
    '# Polls the Auto Scaling target lifecycle state (IMDSv2); on termination stops',
    '# the agent gracefully while the lifecycle hook holds the instance.',
    'set -u',
    'imds=http://169.254.169.254/latest',
    'while true; do',
    '  token=$(curl -sf -X PUT "$imds/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
    '  state=$(curl -sf -H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/autoscaling/target-lifecycle-state")',
    '  if [ "$state" = "Terminated" ]; then',
    '    systemctl stop "$1"',
    '    exit 0',
    '  fi',
    '  sleep 5',
    'done',
  ].join('\n');

  const envLines = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  const script = [
    '#!/bin/bash',
    `# agent-fleet: agent ${agent.name}. Installs nothing; needs Docker and curl on the AMI.`,
    'set -euo pipefail',
    // The ECS-optimized AMI starts the ECS agent; this instance is not in an ECS cluster.
    'systemctl disable --now ecs.service 2>/dev/null || true',
    'install -d -m 0755 /etc/agent-fleet',
    heredoc(envFile, envLines.join('\n')),
    heredoc(`/etc/systemd/system/${unitName}`, unit),
    heredoc('/usr/local/bin/agent-drain-watch', watchScript),
    'chmod 0755 /usr/local/bin/agent-drain-watch',
    heredoc('/etc/systemd/system/agent-drain-watch.service', drainWatch),
    'systemctl daemon-reload',
    `systemctl enable --now --no-block ${unitName} agent-drain-watch.service`,
    '',
  ].join('\n');
  return {
    script,
    unitName,
    stopTimeoutSeconds,
    env,
  };
}

/**
 * Every problem of an agent for {@link agentUserData}: those of `validateAgent`
 * (secret-like env names among them) plus what an instance cannot run: workloads
 * other than `consumer`, GPUs, line breaks in env values, command or args.
 */
export function validateAgentForInstance(agent: AgentSpec): Problem[] {
  return [
    ...vmAgentProblems(agent, { group: 'an Auto Scaling group', script: 'the instance script' }),
    ...lineBreakProblems(agent, 'user data'),
  ];
}

/** Writes `content` to `path` through a quoted heredoc: no shell expansion inside. */
function heredoc(path: string, content: string): string {
  return `cat > ${path} <<'AGENT_FLEET_EOF'\n${content}\nAGENT_FLEET_EOF`;
}

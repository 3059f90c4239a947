import { AgentSpec, Problem, ResolvedAgent, ValidationError } from '../../model';
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
  /** The agent, resolved (`resolveAgent`); its spec is validated with `validateAgent`. */
  readonly agent: ResolvedAgent;
  /** The SQS queue the agent consumes, passed as `FLEET_QUEUE_NAME`, `FLEET_QUEUE_URL` and `FLEET_QUEUE_ARN`. */
  readonly queue: UserDataQueue;
  /** Region of the queue, passed as `FLEET_QUEUE_REGION` and `AWS_REGION`. */
  readonly region: string;
  /**
   * Name of the group's termination lifecycle hook, whose action the drain
   * watcher completes once the agent has stopped.
   * @default {@link DRAIN_HOOK_NAME}
   */
  readonly lifecycleHookName?: string;
  /**
   * Keep the AMI's SSM agent running, for Session Manager. Without it the
   * boot script stops the agent: the role holds no Systems Manager permission.
   * @default false
   */
  readonly sessionManager?: boolean;
}

/** Name of the termination lifecycle hook of an agent's group. */
export const DRAIN_HOOK_NAME = 'drain';

/** Where the drain watcher reads instance metadata (IMDSv2). */
export const IMDS_ENDPOINT = 'http://169.254.169.254';

/** How the drain watcher script is rendered; only tests change the defaults. */
export interface DrainWatchOptions {
  /** Base URL of the instance metadata service. @default {@link IMDS_ENDPOINT} */
  readonly imdsEndpoint?: string;
  /** Seconds between polls and between retries. @default 5 */
  readonly pollSeconds?: number;
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
 * - `agent-drain-watch.service`: {@link ec2DrainWatchScript}, which stops the agent
 *   gracefully as soon as the instance is to be terminated, while the termination
 *   lifecycle hook holds it, and then completes the lifecycle action;
 * - the AWS CLI the watcher calls, installed with dnf when the AMI lacks it (the
 *   ECS-optimized AL2023 image, built on the minimal AMI, does); without it
 *   scale-in waits for the hook's timeout;
 * - unless `sessionManager`, the AMI's SSM agent stopped and disabled: the instance
 *   role grants it nothing.
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html
 * @see https://www.freedesktop.org/software/systemd/man/latest/systemd.service.html#TimeoutStopSec=
 */
export function agentUserData(props: AgentUserDataProps): AgentUserData {
  const { agent: resolved, queue } = props;
  const agent = resolved.spec;
  const problems = validateAgentForInstance(agent);
  if (problems.length > 0) throw new ValidationError(`user data of ${agent.name}`, problems);
  const envFile = `/etc/agent-fleet/${agent.name}.env`;
  const service = agentService(resolved, { envFile, explicitStopSignal: true });
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
  const hook = props.lifecycleHookName ?? DRAIN_HOOK_NAME;
  const drainWatch = [
    '[Unit]',
    `Description=Stops ${unitName} when Auto Scaling terminates the instance, then lets the termination go on`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    // It exits 0 once the lifecycle action is complete; a failure starts it again.
    'Restart=on-failure',
    'RestartSec=5',
    `ExecStart=/usr/local/bin/agent-drain-watch ${unitName} ${hook}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n');

  const envLines = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  const script = [
    '#!/bin/bash',
    `# agent-fleet: agent ${agent.name}. Needs Docker and curl on the AMI; installs the AWS CLI if missing.`,
    'set -euo pipefail',
    // The ECS-optimized AMI starts the ECS agent; this instance is not in an ECS cluster.
    'systemctl disable --now ecs.service 2>/dev/null || true',
    'install -d -m 0755 /etc/agent-fleet',
    heredoc(envFile, envLines.join('\n')),
    heredoc(`/etc/systemd/system/${unitName}`, unit),
    // The drain watcher completes the lifecycle action with the AWS CLI.
    'command -v aws >/dev/null 2>&1 || dnf install -y awscli-2 ||',
    '  echo "agent-fleet: no AWS CLI: scale-in waits for the lifecycle hook to time out" >&2',
    ...(props.sessionManager
      ? []
      : ['systemctl disable --now amazon-ssm-agent.service 2>/dev/null || true']),
    heredoc('/usr/local/bin/agent-drain-watch', ec2DrainWatchScript()),
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
 * The drain watcher of an EC2 agent instance, `agent-drain-watch <unit> <hook>`:
 * 1. polls the instance's Auto Scaling target lifecycle state through IMDSv2
 *    until it reads `Terminated` (the termination lifecycle hook now holds the
 *    instance);
 * 2. stops the agent's unit (preStop, SIGTERM, the grace period) and waits
 *    until it is no longer active;
 * 3. completes the lifecycle action with `CONTINUE` for this instance, its
 *    group (asked of Auto Scaling by instance id: user data cannot name a group
 *    created after its launch template) and the hook, retrying until Auto
 *    Scaling accepts it, so the instance terminates at once instead of at the
 *    hook's heartbeat timeout.
 * The instance role may complete lifecycle actions of its own group only.
 * @param options for tests: another metadata endpoint and poll interval
 * @see https://docs.aws.amazon.com/autoscaling/ec2/userguide/completing-lifecycle-hooks.html
 * @see https://awscli.amazonaws.com/v2/documentation/api/latest/reference/autoscaling/complete-lifecycle-action.html
 */
export function ec2DrainWatchScript(options: DrainWatchOptions = {}): string {
  const imds = `${options.imdsEndpoint ?? IMDS_ENDPOINT}/latest`;
  const poll = options.pollSeconds ?? 5;
  return [
    '#!/bin/bash',
    '# agent-drain-watch <unit> <lifecycle hook>: on termination stops the agent',
    '# gracefully while the lifecycle hook holds the instance, then completes the',
    '# lifecycle action (CONTINUE) so the termination goes on at once.',
    'set -u',
    'unit=$1',
    'hook=$2',
    `imds=${imds}`,
    'metadata() {',
    '  local token',
    '  token=$(curl -sf --max-time 5 -X PUT "$imds/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300") &&',
    '    curl -sf --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/$1"',
    '}',
    'complete_action() {',
    '  local instance region group',
    '  instance=$(metadata instance-id) && region=$(metadata placement/region) || return 1',
    '  group=$(aws autoscaling describe-auto-scaling-instances --region "$region" --instance-ids "$instance" \\',
    "    --query 'AutoScalingInstances[0].AutoScalingGroupName' --output text) || return 1",
    '  [ -n "$group" ] && [ "$group" != None ] || return 1',
    '  aws autoscaling complete-lifecycle-action --region "$region" --auto-scaling-group-name "$group" \\',
    '    --lifecycle-hook-name "$hook" --instance-id "$instance" --lifecycle-action-result CONTINUE',
    '}',
    'until [ "$(metadata autoscaling/target-lifecycle-state)" = Terminated ]; do',
    `  sleep ${poll}`,
    'done',
    'echo "agent-drain-watch: the instance is terminating: stopping $unit"',
    'systemctl stop "$unit"',
    'while systemctl is-active --quiet "$unit"; do',
    `  sleep ${poll}`,
    '  systemctl stop "$unit"',
    'done',
    'until complete_action; do',
    '  echo "agent-drain-watch: the lifecycle action is not complete yet; retrying" >&2',
    `  sleep ${poll}`,
    'done',
    'echo "agent-drain-watch: $unit stopped; lifecycle action $hook completed with CONTINUE"',
  ].join('\n');
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

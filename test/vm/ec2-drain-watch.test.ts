import { spawnSync } from 'child_process';
import { ec2DrainWatchScript } from '../../constructs/aws/user-data';
import {
  MetadataRequest,
  runWithStubs,
  shellcheckAvailable,
  StubHost,
  stubHost,
  StubMetadata,
  startStubMetadata,
} from './stub-host';

const TOKEN = 'imds-session-token';
const INSTANCE = 'i-0123456789abcdef0';
const GROUP = 'ingest-20261207101500000000000001';
const UNIT = 'agent-ingest.service';

/**
 * EC2's IMDSv2 as the drain watcher sees it: a token for a PUT with a TTL
 * header, metadata only for GETs that carry the token, and the target
 * lifecycle state read from `states` one poll at a time (the last one stays).
 */
function imdsv2(states: readonly string[]) {
  let polls = 0;
  return (request: MetadataRequest) => {
    if (request.url === '/latest/api/token') {
      return request.method === 'PUT' && request.headers['x-aws-ec2-metadata-token-ttl-seconds']
        ? { status: 200, body: TOKEN }
        : { status: 400, body: '' };
    }
    if (request.method !== 'GET' || request.headers['x-aws-ec2-metadata-token'] !== TOKEN) {
      return { status: 401, body: '' };
    }
    switch (request.url) {
      case '/latest/meta-data/autoscaling/target-lifecycle-state':
        return { status: 200, body: states[Math.min(polls++, states.length - 1)] };
      case '/latest/meta-data/instance-id':
        return { status: 200, body: INSTANCE };
      case '/latest/meta-data/placement/region':
        return { status: 200, body: 'eu-west-1' };
      default:
        return { status: 404, body: '' };
    }
  };
}

/**
 * Stub `systemctl` (the agent is active until stopped, or until `stopsAfter`
 * stops) and `aws` (the group by instance id; the lifecycle action refused
 * `refusals` times, then accepted).
 */
function stubCommands(host: StubHost, options: { stopsAfter?: number; refusals?: number } = {}) {
  host.command(
    'systemctl',
    [
      'case "$1" in',
      '  stop) echo x >> "$state/stops" ;;',
      `  is-active) [ "$(wc -l < "$state/stops" 2>/dev/null || echo 0)" -lt ${options.stopsAfter ?? 1} ] ;;`,
      '  *) exit 1 ;;',
      'esac',
    ].join('\n'),
  );
  host.command(
    'aws',
    [
      'case "$2" in',
      `  describe-auto-scaling-instances) echo ${GROUP} ;;`,
      '  complete-lifecycle-action)',
      '    echo x >> "$state/completions"',
      `    [ "$(wc -l < "$state/completions")" -gt ${options.refusals ?? 0} ] ||`,
      '      { echo "An error occurred (ValidationError)" >&2; exit 254; } ;;',
      '  *) exit 2 ;;',
      'esac',
    ].join('\n'),
  );
}

const DESCRIBE = `aws autoscaling describe-auto-scaling-instances --region eu-west-1 --instance-ids ${INSTANCE} --query AutoScalingInstances[0].AutoScalingGroupName --output text`;
const COMPLETE = `aws autoscaling complete-lifecycle-action --region eu-west-1 --auto-scaling-group-name ${GROUP} --lifecycle-hook-name drain --instance-id ${INSTANCE} --lifecycle-action-result CONTINUE`;

describe('the EC2 drain watcher, run against a stub metadata endpoint and stub commands', () => {
  let host: StubHost;
  let imds: StubMetadata | undefined;

  beforeEach(() => {
    host = stubHost();
  });
  afterEach(async () => {
    await imds?.close();
    imds = undefined;
    host.remove();
  });

  async function run(states: readonly string[], deadlineMs = 20_000) {
    imds = await startStubMetadata(imdsv2(states));
    const script = host.write(
      'agent-drain-watch',
      ec2DrainWatchScript({ imdsEndpoint: imds.endpoint, pollSeconds: 0.05 }),
    );
    return runWithStubs(host, 'bash', [script, UNIT, 'drain'], deadlineMs);
  }

  it('stops the agent, then completes the lifecycle action with CONTINUE for its instance and group', async () => {
    stubCommands(host);
    const result = await run(['InService', 'InService', 'Terminated']);
    expect(result.status).toBe(0);
    expect(host.calls()).toEqual([
      `systemctl stop ${UNIT}`,
      `systemctl is-active --quiet ${UNIT}`,
      DESCRIBE,
      COMPLETE,
    ]);
    expect(result.stdout).toContain(
      `${UNIT} stopped; lifecycle action drain completed with CONTINUE`,
    );
    const polls = imds!.requests.filter((r) => r.url.endsWith('target-lifecycle-state'));
    expect(polls).toHaveLength(3);
  });

  it('speaks IMDSv2 only: every read carries the session token', async () => {
    stubCommands(host);
    await run(['Terminated']);
    const reads = imds!.requests.filter((r) => r.url.startsWith('/latest/meta-data/'));
    expect(reads.map((r) => r.url)).toEqual([
      '/latest/meta-data/autoscaling/target-lifecycle-state',
      '/latest/meta-data/instance-id',
      '/latest/meta-data/placement/region',
    ]);
    expect(reads.every((r) => r.headers['x-aws-ec2-metadata-token'] === TOKEN)).toBe(true);
    expect(imds!.requests.filter((r) => r.method === 'PUT')).toHaveLength(reads.length);
  });

  it('does nothing while the instance stays in service', async () => {
    stubCommands(host);
    const result = await run(['InService'], 1_500);
    expect(result.status).toBeNull();
    expect(host.calls()).toEqual([]);
    expect(
      imds!.requests.filter((r) => r.url.endsWith('target-lifecycle-state')).length,
    ).toBeGreaterThan(3);
  });

  it('completes nothing until the agent is no longer active', async () => {
    stubCommands(host, { stopsAfter: 3 });
    const result = await run(['Terminated']);
    expect(result.status).toBe(0);
    expect(host.calls()).toEqual([
      `systemctl stop ${UNIT}`,
      `systemctl is-active --quiet ${UNIT}`,
      `systemctl stop ${UNIT}`,
      `systemctl is-active --quiet ${UNIT}`,
      `systemctl stop ${UNIT}`,
      `systemctl is-active --quiet ${UNIT}`,
      DESCRIBE,
      COMPLETE,
    ]);
  });

  it('retries until Auto Scaling accepts the completion', async () => {
    stubCommands(host, { refusals: 2 });
    const result = await run(['Terminated']);
    expect(result.status).toBe(0);
    expect(host.calls().filter((call) => call === COMPLETE)).toHaveLength(3);
    expect(result.stderr).toContain('the lifecycle action is not complete yet; retrying');
  });

  it('passes shellcheck', () => {
    if (!shellcheckAvailable()) return;
    const script = host.write('agent-drain-watch', ec2DrainWatchScript());
    const result = spawnSync('shellcheck', ['--shell=bash', script], { encoding: 'utf8' });
    expect(`${result.stdout}${result.stderr}`).toBe('');
    expect(result.status).toBe(0);
  });
});

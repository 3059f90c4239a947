import {
  agentCloudInit,
  agentHealthProbe,
  scheduledEventsDrainScript,
  validateAgentForScaleSet,
} from '../../constructs/azure/cloud-init';
import { resolveAgent, ValidationError } from '../../model';
import { chimeraAgent, CHIMERA_IMAGE } from '../support/fixtures';

describe('agentCloudInit defaults', () => {
  const rendered = agentCloudInit({
    agent: resolveAgent(chimeraAgent()),
    env: { FLEET_QUEUE_NAMESPACE: 'fleet-prod-weu', FLEET_QUEUE_NAME: 'chimera-tasks' },
  });
  const { text } = rendered;

  it('is a cloud-config that installs and starts Docker from the Ubuntu archive', () => {
    expect(text.startsWith('#cloud-config\n')).toBe(true);
    expect(text).toContain('package_update: true\npackages:\n  - docker.io\n');
    expect(text).toContain('  - [systemctl, enable, --now, docker.service]');
    expect(text).toContain(
      '  - [systemctl, enable, --now, --no-block, agent-chimera-data-ingest.service, agent-drain.service]',
    );
  });

  it('writes the env file with the spec env, then the extra env', () => {
    expect(text).toContain(
      [
        '  - path: /etc/agent-fleet/chimera-data-ingest.env',
        "    permissions: '0644'",
        '    owner: root:root',
        '    content: |',
        '      LOG_LEVEL=info',
        '      LOCATION_TAG=azure-weu',
        '      FLEET_QUEUE_NAMESPACE=fleet-prod-weu',
        '      FLEET_QUEUE_NAME=chimera-tasks',
      ].join('\n'),
    );
    expect(rendered.env).toEqual({
      LOG_LEVEL: 'info',
      LOCATION_TAG: 'azure-weu',
      FLEET_QUEUE_NAMESPACE: 'fleet-prod-weu',
      FLEET_QUEUE_NAME: 'chimera-tasks',
    });
  });

  it('runs the pinned image hardened, with host networking and the resolved limits', () => {
    const execStart = text.split('\n').find((line) => line.includes('ExecStart=/usr/bin/docker'))!;
    expect(execStart.trim()).toBe(
      [
        'ExecStart=/usr/bin/docker run --rm --name=agent-chimera-data-ingest --network=host',
        '--user=10001:10001 --read-only --tmpfs=/tmp:rw,nosuid,nodev,size=256m',
        '--security-opt=no-new-privileges --cap-drop=ALL --cpus=1.5 --memory=1024m --memory-swap=1024m',
        '--env-file=/etc/agent-fleet/chimera-data-ingest.env --stop-timeout=135 --log-driver=journald',
        `${CHIMERA_IMAGE} --source servicebus --batch=10`,
      ].join(' '),
    );
  });

  it('stops gracefully: preStop, then docker stop within the grace period', () => {
    expect(text).toContain(
      'ExecStop=-/usr/bin/docker exec agent-chimera-data-ingest sleep 5\n      ExecStop=/usr/bin/docker stop --time=135 agent-chimera-data-ingest\n      TimeoutStopSec=165',
    );
    expect(rendered.stopTimeoutSeconds).toBe(165);
    expect(rendered.unitName).toBe('agent-chimera-data-ingest.service');
  });

  it('drains on Scheduled Events: stops the agent, then approves the Terminate', () => {
    expect(text).toContain("  - path: /usr/local/bin/agent-drain\n    permissions: '0755'");
    expect(text).toContain('/scheduledevents?api-version=2020-07-01');
    expect(text).toContain("subprocess.run(['systemctl', 'stop', sys.argv[1]])");
    expect(text).toContain('StartRequests');
    expect(text).toContain(
      'ExecStart=/usr/bin/python3 /usr/local/bin/agent-drain agent-chimera-data-ingest.service',
    );
    expect(text).toContain('      Restart=on-failure\n');
  });

  it('writes the drain that test/vm runs against a stub metadata endpoint', () => {
    const indented = scheduledEventsDrainScript()
      .split('\n')
      .map((line) => `      ${line}`)
      .join('\n');
    expect(text).toContain(`    content: |\n${indented}\n`);
    expect(scheduledEventsDrainScript()).toContain("IMDS = 'http://169.254.169.254/metadata'");
  });

  it('gives the readiness endpoint to the health extension', () => {
    expect(rendered.health).toEqual({ protocol: 'http', port: 8080, requestPath: '/ready' });
  });

  it('is pure', () => {
    expect(
      agentCloudInit({
        agent: resolveAgent(chimeraAgent()),
        env: { FLEET_QUEUE_NAMESPACE: 'fleet-prod-weu', FLEET_QUEUE_NAME: 'chimera-tasks' },
      }).text,
    ).toBe(text);
  });

  it('holds no secret', () => {
    expect(text).not.toMatch(/password|secret|SharedAccessKey|PRIVATE KEY/i);
  });
});

describe('health probe', () => {
  it('takes a TCP readiness probe on a numbered port', () => {
    const agent = chimeraAgent();
    const tcp = chimeraAgent({
      container: {
        ...agent.container,
        probes: {
          readiness: { tcpSocket: { port: 9000 } },
          liveness: agent.container.probes!.liveness,
        },
      },
    });
    expect(agentHealthProbe(tcp)).toEqual({ protocol: 'tcp', port: 9000 });
  });
});

describe('validation', () => {
  it('refuses scheduled work, GPUs, an exec readiness probe and line breaks', () => {
    const agent = chimeraAgent();
    const bad = chimeraAgent({
      workload: 'scheduled',
      schedule: { cron: '0 2 * * *' },
      scaling: undefined,
      resources: { ...agent.resources, gpu: 1 },
      container: {
        ...agent.container,
        args: ['a\nb'],
        probes: { readiness: { exec: ['true'] }, liveness: agent.container.probes!.liveness },
      },
    });
    const messages = validateAgentForScaleSet(bad).map((p) => `${p.path.join('.')}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "workload: 'scheduled' cannot run on a VM scale set: only 'consumer' agents (a long-running process per instance)",
        expect.stringMatching(/^resources\.gpu: 1 GPU\(s\) requested/),
        expect.stringMatching(
          /^container\.probes\.readiness: a scale set needs an httpGet or tcpSocket readiness probe/,
        ),
        'container.args.0: contains a line break or NUL: not allowed in cloud-init',
      ]),
    );
  });

  it('refuses secret-like and malformed extra env names', () => {
    const build = () =>
      agentCloudInit({
        agent: resolveAgent(chimeraAgent()),
        env: { DB_PASSWORD: 'x', 'bad-name': 'y' },
      });
    expect(build).toThrow(ValidationError);
    expect(build).toThrow("'env.DB_PASSWORD': looks like a secret");
    expect(build).toThrow("'env.bad-name': is not an environment variable name");
  });
});

import { agentCloudInit } from '../../constructs/azure/cloud-init';
import {
  agentService,
  AgentServiceOptions,
  CREDENTIALS_MOUNT,
  instanceArgs,
  instanceConfig,
  vmAgentProblems,
} from '../../constructs/vm';
import { AgentSpec, resolveAgent } from '../../model';
import { chimeraAgent, CHIMERA_IMAGE } from '../support/fixtures';
import { systemdAnalyzeAvailable, unitComplaints, verifyUnits } from './unit-verify';

const ENV_FILE = '/etc/agent-fleet/chimera-data-ingest.env';
const CONFIG_DIR = '/etc/agent-fleet/chimera-data-ingest';
const CREDENTIALS = '/etc/agent-fleet/credentials';

/** The chimera consumer with a second port, so that publishing shows per port. */
function withPorts(): AgentSpec {
  const agent = chimeraAgent();
  return { ...agent, container: { ...agent.container, ports: { http: 8080, metrics: 9102 } } };
}

const resolved = resolveAgent(chimeraAgent());

function service(options: Partial<AgentServiceOptions> = {}) {
  return agentService(resolved, { envFile: ENV_FILE, ...options });
}

function line(unit: readonly string[], prefix: string): string {
  const found = unit.filter((l) => l.startsWith(prefix));
  if (found.length !== 1) throw new Error(`${found.length} lines start with ${prefix}`);
  return found[0];
}

const HARDENING = [
  '--user=10001:10001 --read-only',
  '--tmpfs=/tmp:rw,nosuid,nodev,size=256m --security-opt=no-new-privileges --cap-drop=ALL',
  '--cpus=1.5 --memory=1024m --memory-swap=1024m',
  `--env-file=${ENV_FILE}`,
].join(' ');
const TAIL = '--stop-timeout=135 --log-driver=journald';
const COMMAND = `${CHIMERA_IMAGE} --source servicebus --batch=10`;

describe('the Docker unit of a VM (the default)', () => {
  const docker = service();

  it('is the unit the EC2 and Azure boot scripts write, unchanged', () => {
    expect(docker.unit).toEqual([
      '[Unit]',
      'Description=Agent chimera-data-ingest (agent-fleet)',
      'Wants=network-online.target',
      'After=network-online.target docker.service',
      'Requires=docker.service',
      '',
      '[Service]',
      'Restart=always',
      'RestartSec=5',
      'TimeoutStartSec=900',
      'ExecStartPre=-/usr/bin/docker rm --force agent-chimera-data-ingest',
      `ExecStartPre=/usr/bin/docker pull ${CHIMERA_IMAGE}`,
      `ExecStart=/usr/bin/docker run --rm --name=agent-chimera-data-ingest --network=host ${HARDENING} ${TAIL} ${COMMAND}`,
      'ExecStop=-/usr/bin/docker exec agent-chimera-data-ingest sleep 5',
      'ExecStop=/usr/bin/docker stop --time=135 agent-chimera-data-ingest',
      'TimeoutStopSec=165',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
    ]);
    expect(docker).toMatchObject({
      runtime: 'docker',
      container: 'agent-chimera-data-ingest',
      unitName: 'agent-chimera-data-ingest.service',
      graceSeconds: 135,
      stopTimeoutSeconds: 165,
    });
    expect(service({ runtime: 'docker' }).unit).toEqual(docker.unit);
  });

  it('is what the Azure cloud-init writes, line for line', () => {
    const { text } = agentCloudInit({ agent: resolved, env: {} });
    const indented = docker.unit.map((l) => (l === '' ? '' : `      ${l}`)).join('\n');
    expect(text).toContain(indented);
  });

  it('has no instances', () => {
    expect(() => docker.instanceUnit(1)).toThrow(
      'agent-chimera-data-ingest.service is not a template unit: it has no instances',
    );
  });
});

describe('the Podman unit', () => {
  const podman = service({ runtime: 'podman' });

  it('is what podman generate systemd --new writes, hardened as the Docker one', () => {
    expect(podman.unit).toEqual([
      '[Unit]',
      'Description=Agent chimera-data-ingest (agent-fleet)',
      'Wants=network-online.target',
      'After=network-online.target',
      'RequiresMountsFor=%t/containers',
      '',
      '[Service]',
      'Environment=PODMAN_SYSTEMD_UNIT=%n',
      'Restart=always',
      'RestartSec=5',
      'TimeoutStartSec=900',
      'ExecStartPre=/bin/rm -f %t/%n.ctr-id',
      `ExecStartPre=/usr/bin/podman pull ${CHIMERA_IMAGE}`,
      [
        'ExecStart=/usr/bin/podman run --cidfile=%t/%n.ctr-id --cgroups=no-conmon --rm',
        '--sdnotify=conmon --replace -d --name=agent-chimera-data-ingest --network=host',
        HARDENING.replace('--read-only', '--read-only --read-only-tmpfs=false'),
        TAIL,
        COMMAND,
      ].join(' '),
      'ExecStop=-/usr/bin/podman exec agent-chimera-data-ingest sleep 5',
      'ExecStop=/usr/bin/podman stop --ignore -t 135 --cidfile=%t/%n.ctr-id',
      'ExecStopPost=-/usr/bin/podman rm -f --ignore -t 135 --cidfile=%t/%n.ctr-id',
      'TimeoutStopSec=165',
      'Type=notify',
      'NotifyAccess=all',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
    ]);
    expect(podman.runtime).toBe('podman');
    expect(podman.unitName).toBe('agent-chimera-data-ingest.service');
  });

  it('does not depend on Docker', () => {
    expect(podman.unit.join('\n')).not.toContain('docker');
  });

  it('states the stop signal when asked, as the Docker unit does', () => {
    const explicit = service({ runtime: 'podman', explicitStopSignal: true }).unit;
    expect(line(explicit, 'ExecStart=')).toContain(' --stop-signal=SIGTERM --stop-timeout=135 ');
    expect(explicit).toContain('KillSignal=SIGTERM');
  });
});

describe('instances: a template unit', () => {
  const instances = { configDir: CONFIG_DIR };

  it.each(['docker', 'podman'] as const)('names the unit and container by %%i (%s)', (runtime) => {
    const template = service({ runtime, instances });
    expect(template.unitName).toBe('agent-chimera-data-ingest@.service');
    expect(template.container).toBe('agent-chimera-data-ingest-%i');
    expect(template.instanceUnit(2)).toBe('agent-chimera-data-ingest@2.service');
    expect(() => template.instanceUnit(0)).toThrow('instance 0 is not an integer >= 1');
    expect(template.unit).toContain(`EnvironmentFile=${CONFIG_DIR}/instance-%i.conf`);
    expect(template.unit).toContain(
      `ExecStop=-/usr/bin/${runtime} exec agent-chimera-data-ingest-%i sleep 5`,
    );
    expect(line(template.unit, 'Description=')).toBe(
      'Description=Agent chimera-data-ingest instance %i (agent-fleet)',
    );
  });

  it.each(['docker', 'podman'] as const)(
    'passes the instance arguments unbraced right before the image, off the host network (%s)',
    (runtime) => {
      const execStart = line(service({ runtime, instances }).unit, 'ExecStart=');
      expect(execStart).toContain(` --name=agent-chimera-data-ingest-%i --user=`);
      expect(execStart).toContain(` ${TAIL} $AGENT_FLEET_INSTANCE_ARGS ${COMMAND}`);
      expect(execStart).not.toContain('--network');
    },
  );

  it('stops and removes the instance container (docker)', () => {
    const { unit } = service({ instances });
    expect(unit).toContain('ExecStartPre=-/usr/bin/docker rm --force agent-chimera-data-ingest-%i');
    expect(unit).toContain('ExecStop=/usr/bin/docker stop --time=135 agent-chimera-data-ingest-%i');
  });

  it('refuses a config directory a unit line would misread', () => {
    expect(() => service({ instances: { configDir: 'etc/fleet' } })).toThrow(
      "instances.configDir 'etc/fleet' must be an absolute path of letters, digits and _.@+/- only",
    );
    expect(() => service({ instances: { configDir: '/etc/fleet %i' } })).toThrow(
      'must be an absolute path',
    );
  });
});

describe('credentialsDir', () => {
  it.each(['docker', 'podman'] as const)(
    'mounts it read-only where pods read theirs (%s)',
    (runtime) => {
      const execStart = line(service({ runtime, credentialsDir: CREDENTIALS }).unit, 'ExecStart=');
      expect(execStart).toContain(
        ` --env-file=${ENV_FILE} --volume=${CREDENTIALS}:/var/run/secrets/agent-fleet:ro --stop-timeout=135 `,
      );
      expect(CREDENTIALS_MOUNT).toBe('/var/run/secrets/agent-fleet');
    },
  );

  it('is not mounted by default', () => {
    expect(line(service().unit, 'ExecStart=')).not.toContain('--volume');
  });

  it('refuses a path that would split the volume', () => {
    expect(() => service({ credentialsDir: '/etc/a:b' })).toThrow(
      "credentialsDir '/etc/a:b' must be an absolute path",
    );
  });
});

describe('instanceArgs', () => {
  const agent = resolveAgent(withPorts());

  it('publishes every port at port + instance - 1', () => {
    expect(instanceArgs(agent, { runtime: 'docker', instance: 1 })).toEqual([
      '--publish=8080:8080',
      '--publish=9102:9102',
    ]);
    expect(instanceArgs(agent, { runtime: 'podman', instance: 3 })).toEqual([
      '--publish=8082:8080',
      '--publish=9104:9102',
    ]);
    expect(
      instanceArgs(
        resolveAgent({ ...withPorts(), container: { ...withPorts().container, ports: {} } }),
        {
          runtime: 'docker',
          instance: 2,
        },
      ),
    ).toEqual([]);
  });

  it('gives Podman its GPUs through CDI', () => {
    expect(instanceArgs(agent, { runtime: 'podman', instance: 2, gpus: [2, 3] })).toEqual([
      '--publish=8081:8080',
      '--publish=9103:9102',
      '--device=nvidia.com/gpu=2',
      '--device=nvidia.com/gpu=3',
    ]);
  });

  it('gives Docker one GPU as device=<i>, several as a quoted CSV field', () => {
    expect(instanceArgs(agent, { runtime: 'docker', instance: 1, gpus: [1] }).slice(2)).toEqual([
      '--gpus=device=1',
    ]);
    // Docker reads --gpus as CSV: unquoted, device=0,1 would be device 0 and a count of 1.
    expect(instanceArgs(agent, { runtime: 'docker', instance: 1, gpus: [0, 1] }).slice(2)).toEqual([
      '--gpus="device=0,1"',
    ]);
  });

  it('refuses a bad instance, GPU index or host port', () => {
    expect(() => instanceArgs(agent, { runtime: 'docker', instance: 0 })).toThrow(
      'instance 0 is not an integer >= 1',
    );
    expect(() => instanceArgs(agent, { runtime: 'podman', instance: 1.5 })).toThrow(
      'instance 1.5 is not an integer >= 1',
    );
    expect(() => instanceArgs(agent, { runtime: 'docker', instance: 1, gpus: [-1] })).toThrow(
      'GPU index -1 is not an integer >= 0',
    );
    expect(() => instanceArgs(agent, { runtime: 'docker', instance: 1, gpus: [0, 0] })).toThrow(
      'GPU indexes repeat: 0, 0',
    );
    expect(() => instanceArgs(agent, { runtime: 'docker', instance: 57500 })).toThrow(
      'instance 57500 would publish port 8080 on 65579, above 65535',
    );
  });
});

describe('instanceConfig', () => {
  it('writes one line of the arguments joined by spaces', () => {
    const args = instanceArgs(resolveAgent(withPorts()), {
      runtime: 'podman',
      instance: 2,
      gpus: [0],
    });
    expect(instanceConfig(args)).toBe(
      'AGENT_FLEET_INSTANCE_ARGS=--publish=8081:8080 --publish=9103:9102 --device=nvidia.com/gpu=0\n',
    );
    expect(instanceConfig([])).toBe('AGENT_FLEET_INSTANCE_ARGS=\n');
  });

  it('quotes what systemd would unquote, so that Docker receives the quoted GPU list', () => {
    // Checked against systemd 252's own load_env_file and replace_env_argv (libsystemd-shared).
    expect(instanceConfig(['--publish=8080:8080', '--gpus="device=0,1"'])).toBe(
      `AGENT_FLEET_INSTANCE_ARGS=--publish=8080:8080 '--gpus="device=0,1"'\n`,
    );
    expect(instanceConfig(['--gpus="device=0,1"'])).toBe(
      `AGENT_FLEET_INSTANCE_ARGS=\\'--gpus="device=0,1"'\n`,
    );
    expect(instanceConfig(['a\\b', "it's"])).toBe(
      "AGENT_FLEET_INSTANCE_ARGS=a\\\\\\\\b it\\\\'s\n",
    );
  });

  it('refuses an argument with whitespace, which systemd would split', () => {
    expect(() => instanceConfig(['--label=a b'])).toThrow(
      'instance argument "--label=a b" is empty or contains whitespace: systemd would split it',
    );
    expect(() => instanceConfig(['--x=\n'])).toThrow('contains whitespace');
    expect(() => instanceConfig([''])).toThrow('is empty');
  });
});

describe('GPUs on EC2 and Azure', () => {
  it('stay refused: their boot scripts do not set up the NVIDIA container runtime', () => {
    const agent = chimeraAgent();
    const gpu = { ...agent, resources: { ...agent.resources, gpu: 1 } };
    expect(vmAgentProblems(gpu, { group: 'a VM scale set', script: 'cloud-init' })).toContainEqual({
      path: ['resources', 'gpu'],
      message:
        '1 GPU(s) requested: cloud-init does not set up the NVIDIA container runtime; run GPU agents on Kubernetes',
    });
  });
});

const describeWithSystemd = systemdAnalyzeAvailable() ? describe : describe.skip;

describeWithSystemd('systemd-analyze verify', () => {
  const DOCKER = ['/usr/bin/docker'];
  const PODMAN = ['/usr/bin/podman', '/bin/rm'];

  function expectVerified(
    units: { unitName: string; unit: readonly string[] }[],
    commands: string[],
    stubUnits: string[] = [],
  ) {
    const files = Object.fromEntries(units.map((u) => [u.unitName, `${u.unit.join('\n')}\n`]));
    const result = verifyUnits(files, commands, stubUnits);
    const names = units.map((u) => u.unitName);
    expect({ code: result.code, complaints: unitComplaints(result.stderr, names) }).toEqual({
      code: 0,
      complaints: [],
    });
  }

  it('passes the Docker unit of a VM', () => {
    expectVerified([service({ explicitStopSignal: true })], DOCKER, ['docker.service']);
  });

  it('passes the Podman unit', () => {
    expectVerified([service({ runtime: 'podman', credentialsDir: CREDENTIALS })], PODMAN);
  });

  it('passes the Podman and Docker template units through an instance', () => {
    const instances = { configDir: CONFIG_DIR };
    expectVerified([service({ runtime: 'podman', instances })], PODMAN);
    expectVerified([service({ instances, credentialsDir: CREDENTIALS })], DOCKER, [
      'docker.service',
    ]);
  });

  it('fails a unit whose command is missing, naming it', () => {
    const podman = service({ runtime: 'podman', instances: { configDir: CONFIG_DIR } });
    const result = verifyUnits({ [podman.unitName]: `${podman.unit.join('\n')}\n` }, ['/bin/rm']);
    expect(result.code).not.toBe(0);
    expect(unitComplaints(result.stderr, [podman.unitName])).toEqual([
      'agent-chimera-data-ingest@1.service: Command /usr/bin/podman is not executable: No such file or directory',
    ]);
  });
});

import { parse } from 'yaml';
import { deployFiles } from '../../constructs/hosts/ansible-deploy';
import { scalingVars } from '../../constructs/hosts/scaling-vars';
import { ValidationError } from '../../model';
import { gpuAgent, gpuHostsSite } from '../support/ansible';
import { hostsPlan, hostsSite, INGEST_IMAGE, ingestAgent } from '../support/hosts';

const AGENT = 'chimera-data-ingest';

function yamlOf(files: ReadonlyMap<string, string>, path: string): any {
  const text = files.get(path);
  if (text === undefined) throw new Error(`no ${path}; files: ${[...files.keys()].join(', ')}`);
  expect(text.startsWith('---\n')).toBe(true);
  return parse(text);
}

describe('deployFiles', () => {
  const plan = hostsPlan();
  const files = deployFiles(plan);

  test('a plan gives the inventory, the variables, the unit, the env file and the playbook', () => {
    expect([...files.keys()].sort()).toEqual([
      `files/agent-${AGENT}@.service`,
      `files/${AGENT}.env`,
      'group_vars/all.yml',
      'host_vars/ne-warm-01.yml',
      'host_vars/ne-warm-02.yml',
      'inventory.yml',
      'site.yml',
    ]);
  });

  test('the inventory groups the servers by pool and says how to reach them, never with a key', () => {
    expect(yamlOf(files, 'inventory.yml')).toEqual({
      all: {
        vars: {
          ansible_user: 'deploy',
          ansible_port: 22,
          ansible_ssh_common_args: '-o ProxyJump=bastion.nebraska.example.com',
          ansible_become_method: 'sudo',
        },
        children: {
          warm: {
            hosts: {
              'ne-warm-01': { ansible_host: '10.20.30.11' },
              'ne-warm-02': { ansible_host: '10.20.30.12' },
            },
          },
        },
      },
    });
    const noArgs = deployFiles(hostsPlan([ingestAgent()], hostsSite({ ansible: { user: 'ops' } })));
    expect(yamlOf(noArgs, 'inventory.yml').all.vars).toEqual({
      ansible_user: 'ops',
      ansible_port: 22,
      ansible_become_method: 'sudo',
    });
    for (const [path, text] of files) {
      expect({
        path,
        found: /password|private_key|ansible_ssh_pass|BEGIN [A-Z ]*KEY/i.test(text),
      }).toEqual({
        path,
        found: false,
      });
    }
  });

  test('group_vars hold the site, the folders, and per agent its unit, slots and scaling', () => {
    const vars = yamlOf(files, 'group_vars/all.yml');
    expect(vars).toEqual({
      agent_fleet_site: 'nebraska-hosts',
      agent_fleet_environment: 'prod',
      agent_fleet_runtime: 'podman',
      agent_fleet_runtime_bin: '/usr/bin/podman',
      agent_fleet_config_dir: '/etc/agent-fleet',
      agent_fleet_unit_dir: '/etc/systemd/system',
      agent_fleet_credentials_dir: '/etc/agent-fleet/credentials',
      agent_fleet_systemctl: 'systemctl',
      agent_fleet_cdi_specs: ['/etc/cdi/nvidia.yaml', '/var/run/cdi/nvidia.yaml'],
      agent_fleet_agents: {
        [AGENT]: {
          unit: `agent-${AGENT}`,
          image: INGEST_IMAGE,
          slots: [
            { server: 'ne-warm-01', instance: 1 },
            { server: 'ne-warm-02', instance: 1 },
            { server: 'ne-warm-01', instance: 2 },
            { server: 'ne-warm-02', instance: 2 },
          ],
          scaling: JSON.parse(JSON.stringify(scalingVars(plan.agents[0], plan.site))),
        },
      },
    });
    expect(vars.agent_fleet_agents[AGENT].scaling.sustained_query).toContain(
      'sum(chimera_pending_messages_total)',
    );
  });

  test('host_vars list the instances a server may run with their published ports, and its labels', () => {
    for (const server of ['ne-warm-01', 'ne-warm-02']) {
      expect(yamlOf(files, `host_vars/${server}.yml`)).toEqual({
        agent_fleet_instances: [
          {
            agent: AGENT,
            instance: 1,
            unit: `agent-${AGENT}@1.service`,
            args: ['--publish=8080:8080', '--publish=9102:9102'],
            config: 'AGENT_FLEET_INSTANCE_ARGS=--publish=8080:8080 --publish=9102:9102\n',
          },
          {
            agent: AGENT,
            instance: 2,
            unit: `agent-${AGENT}@2.service`,
            args: ['--publish=8081:8080', '--publish=9103:9102'],
            config: 'AGENT_FLEET_INSTANCE_ARGS=--publish=8081:8080 --publish=9103:9102\n',
          },
        ],
        agent_fleet_labels: {
          location: 'nebraska',
          datacenter: 'nebraska',
          'hardware-type': 'cpu',
          rack: 'r1',
        },
      });
    }
  });

  test("the env file is the container's env plus the agent and site", () => {
    expect(files.get(`files/${AGENT}.env`)).toBe(
      [
        'LOG_LEVEL=info',
        'LOCATION_TAG=nebraska-warm',
        `FLEET_AGENT=${AGENT}`,
        'FLEET_SITE=nebraska-hosts',
        '',
      ].join('\n'),
    );
    const broken = ingestAgent({
      container: { ...ingestAgent().container, env: { LOG_LEVEL: 'info\nX=1' } },
    });
    expect(() => deployFiles(hostsPlan([broken]))).toThrow(ValidationError);
    expect(() => deployFiles(hostsPlan([broken]))).toThrow(/container\.env\.LOG_LEVEL/);
  });

  test('the unit is the Podman template unit reading the instance config and the credentials', () => {
    const unit = files.get(`files/agent-${AGENT}@.service`)!.split('\n');
    expect(unit).toContain(`EnvironmentFile=/etc/agent-fleet/${AGENT}/instance-%i.conf`);
    expect(unit).toContain('Type=notify');
    const start = unit.find((line) => line.startsWith('ExecStart='))!;
    expect(start).toMatch(/^ExecStart=\/usr\/bin\/podman run /);
    expect(start).toContain(`--name=agent-${AGENT}-%i`);
    expect(start).toContain(`--env-file=/etc/agent-fleet/${AGENT}/${AGENT}.env`);
    expect(start).toContain(
      `--volume=/etc/agent-fleet/credentials/${AGENT}:/var/run/secrets/agent-fleet:ro`,
    );
    expect(start).toContain(`$AGENT_FLEET_INSTANCE_ARGS ${INGEST_IMAGE}`);
  });

  test('site.yml installs, then imports reconcile.yml tagged reconcile', () => {
    const [deploy, reconcile] = yamlOf(files, 'site.yml');
    expect(reconcile).toEqual({
      name: 'Reconcile the instances of each agent',
      'ansible.builtin.import_playbook': 'reconcile.yml',
      tags: ['reconcile'],
    });
    expect(deploy.hosts).toBe('all');
    expect(deploy.become).toBeUndefined();
    const tasks: any[] = deploy.tasks;
    const named = (name: string) => {
      const task = tasks.find((t) => t.name === name);
      if (!task) throw new Error(`no task '${name}': ${tasks.map((t) => t.name).join(', ')}`);
      return task;
    };
    expect(named('Look for the container runtime')['ansible.builtin.stat'].path).toBe(
      '{{ agent_fleet_runtime_bin }}',
    );
    expect(
      named("Assert the agents' credential folders exist")['ansible.builtin.assert'].fail_msg,
    ).toMatch(/put agent .*credential files there.*never writes credentials/);
    const check = named("Look for the agents' images");
    expect(check['ansible.builtin.command'].argv).toEqual([
      '{{ agent_fleet_runtime_bin }}',
      'image',
      'exists',
      '{{ agent_fleet_agents[item].image }}',
    ]);
    expect(check).toMatchObject({ changed_when: false, check_mode: false, become: true });
    // Everything that writes under /etc or runs systemctl or the runtime gains root; nothing else.
    for (const task of [...tasks, ...deploy.handlers]) {
      const writes =
        'ansible.builtin.file' in task ||
        'ansible.builtin.copy' in task ||
        'ansible.builtin.command' in task;
      if (writes)
        expect({ task: task.name, become: task.become }).toEqual({ task: task.name, become: true });
    }
    for (const task of tasks.filter((t) => 'ansible.builtin.command' in t)) {
      expect(task.changed_when).toBeDefined();
    }
    // systemd only through the configured command.
    const text = files.get('site.yml')!;
    expect(text).not.toMatch(/ansible\.builtin\.(systemd|service)\b/);
    for (const command of tasks
      .concat(deploy.handlers)
      .filter((t) => 'ansible.builtin.command' in t)) {
      const cmd = command['ansible.builtin.command'].cmd;
      if (cmd !== undefined) expect(cmd).toMatch(/^\{\{ agent_fleet_systemctl \}\} /);
    }
    expect(deploy.handlers.map((h: any) => h['ansible.builtin.command'].cmd)).toEqual([
      '{{ agent_fleet_systemctl }} daemon-reload',
      "{{ agent_fleet_systemctl }} try-restart {{ agent_fleet_changed_units | join(' ') }}",
    ]);
  });

  test('with Docker: the Docker unit and `docker image inspect`', () => {
    const docker = deployFiles(hostsPlan([ingestAgent()], hostsSite({ runtime: 'docker' })));
    const vars = yamlOf(docker, 'group_vars/all.yml');
    expect(vars.agent_fleet_runtime).toBe('docker');
    expect(vars.agent_fleet_runtime_bin).toBe('/usr/bin/docker');
    const unit = docker.get(`files/agent-${AGENT}@.service`)!.split('\n');
    expect(unit).toContain('Requires=docker.service');
    expect(unit.find((line) => line.startsWith('ExecStart='))).toMatch(
      /^ExecStart=\/usr\/bin\/docker run --rm --name=agent-chimera-data-ingest-%i /,
    );
    const [deploy] = yamlOf(docker, 'site.yml');
    const check = deploy.tasks.find((t: any) => t.name === "Look for the agents' images");
    expect(check['ansible.builtin.command'].argv.slice(1, 3)).toEqual(['image', 'inspect']);
    expect(yamlOf(docker, 'host_vars/ne-warm-01.yml').agent_fleet_instances[1].args).toEqual([
      '--publish=8081:8080',
      '--publish=9103:9102',
    ]);
  });

  test('a GPU agent on a GPU pool gets its devices, and the playbook asserts the CDI spec', () => {
    const gpuPlan = hostsPlan([ingestAgent(), gpuAgent()], gpuHostsSite());
    expect(gpuPlan.errors).toEqual([]);
    const gpuFiles = deployFiles(gpuPlan);
    expect(yamlOf(gpuFiles, 'host_vars/ne-gpu-01.yml')).toEqual({
      agent_fleet_instances: [
        {
          agent: 'gpu-inference',
          instance: 1,
          unit: 'agent-gpu-inference@1.service',
          args: ['--publish=8090:8090', '--device=nvidia.com/gpu=0', '--device=nvidia.com/gpu=1'],
          config:
            'AGENT_FLEET_INSTANCE_ARGS=--publish=8090:8090 --device=nvidia.com/gpu=0 --device=nvidia.com/gpu=1\n',
        },
      ],
      agent_fleet_labels: { location: 'nebraska', datacenter: 'nebraska', 'hardware-type': 'gpu' },
    });
    expect(
      yamlOf(gpuFiles, 'host_vars/ne-warm-01.yml').agent_fleet_instances.map((i: any) => i.agent),
    ).toEqual([AGENT, AGENT]);
    const [deploy] = yamlOf(gpuFiles, 'site.yml');
    const cdi = deploy.tasks.find((t: any) => t.name === "Look for NVIDIA's CDI spec");
    expect(cdi.loop).toBe('{{ agent_fleet_cdi_specs }}');
    expect(cdi.when).toBe('agent_fleet_gpu_devices | length > 0');
    const assertion = deploy.tasks.find(
      (t: any) => t.name === "Assert NVIDIA's CDI spec exists for the GPU instances",
    );
    expect(assertion['ansible.builtin.assert'].fail_msg).toContain('nvidia-ctk cdi generate');
    expect(deploy.vars.agent_fleet_gpu_devices).toContain(
      "select('match', '--device=nvidia[.]com/gpu=')",
    );

    const dockerGpu = deployFiles(hostsPlan([gpuAgent()], gpuHostsSite('docker')));
    expect(yamlOf(dockerGpu, 'host_vars/ne-gpu-01.yml').agent_fleet_instances[0].args).toEqual([
      '--publish=8090:8090',
      '--gpus="device=0,1"',
    ]);
  });

  test('an agent whose config folder would hold the credentials is refused', () => {
    const site = hostsSite({ credentialsDir: `/etc/agent-fleet/${AGENT}/secrets` });
    expect(() => deployFiles(hostsPlan([ingestAgent()], site))).toThrow(/credentials folder/);
  });
});

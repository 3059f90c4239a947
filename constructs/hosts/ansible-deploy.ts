import {
  DEFAULT_HOSTS_CREDENTIALS_DIR,
  HostsPlan,
  HostsSiteSpec,
  PlannedHostsAgent,
  Problem,
  ValidationError,
} from '../../model';
import {
  AGENT_CONTAINER_UID,
  agentService,
  ContainerRuntime,
  instanceArgs,
  instanceConfig,
  lineBreakProblems,
} from '../vm';
import { ansibleYaml, inventoryFile, requireProgram } from './ansible-inventory';
import { scalingVars } from './scaling-vars';

/** Where the agents' config folders are on the servers: `<dir>/<agent>/`. */
export const HOSTS_CONFIG_DIR = '/etc/agent-fleet';

/** Where the agents' template units are installed on the servers. */
export const HOSTS_UNIT_DIR = '/etc/systemd/system';

/** Where NVIDIA's CDI spec may be, as `nvidia-ctk cdi generate` writes it: `agent_fleet_cdi_specs` in `group_vars/all.yml`. */
export const CDI_SPEC_PATHS = ['/etc/cdi/nvidia.yaml', '/var/run/cdi/nvidia.yaml'] as const;

/** One instance a server may run, as `host_vars/<server>.yml` lists it in `agent_fleet_instances`. */
export interface HostInstanceVars {
  /** The agent's name. */
  readonly agent: string;
  /** The instance on the server, from 1. */
  readonly instance: number;
  /** Its systemd unit, `agent-<agent>@<instance>.service`. */
  readonly unit: string;
  /** The instance's runtime arguments ({@link instanceArgs}): published ports, GPUs. */
  readonly args: readonly string[];
  /** The content of its `instance-<n>.conf` ({@link instanceConfig}). */
  readonly config: string;
}

/**
 * The files that deploy a planned hosts site's agents, by path under the
 * site's `ansible/` folder:
 *
 * - `inventory.yml`: a group per pool, `ansible_host` per server, how Ansible
 *   reaches them (never a key or password);
 * - `group_vars/all.yml`: the site, runtime, folders, the systemctl command,
 *   and per agent its unit, image, slots in start order and scaling inputs;
 * - `host_vars/<server>.yml`: the instances the server may run with their
 *   runtime arguments and config files, and the server's labels (its pool's
 *   and its own);
 * - `files/agent-<agent>@.service` (the agent's template unit) and
 *   `files/<agent>.env` (the container's environment);
 * - `site.yml`: checks the runtime, the credential folders and, for GPU
 *   instances on Podman, NVIDIA's CDI spec; writes the config folders, env
 *   files, instance configs and units (then reloads systemd and try-restarts
 *   the running instances of the agents that changed); pulls missing images;
 *   stops and removes the units (those whose description ends with
 *   `(agent-fleet)`), instance links and config folders of agents the server
 *   no longer runs; then imports `reconcile.yml` (tag `reconcile`), which this
 *   function does not write.
 *
 * The units name the default folders ({@link HOSTS_CONFIG_DIR}, the site's
 * credentials folder): overriding `agent_fleet_config_dir` or
 * `agent_fleet_credentials_dir` moves where the playbook writes and looks,
 * not what the units read, and is meant for tests.
 * Throws a `ValidationError` for an env value with a line break, or an agent
 * whose config folder would be the credentials folder or hold it.
 */
export function deployFiles(plan: HostsPlan): ReadonlyMap<string, string> {
  const { site } = plan;
  const runtime = site.runtime ?? 'podman';
  const credentialsDir = site.credentialsDir ?? DEFAULT_HOSTS_CREDENTIALS_DIR;
  checkAgents(plan, credentialsDir);
  const files = new Map<string, string>();
  files.set('inventory.yml', inventoryFile(site));
  files.set('group_vars/all.yml', groupVars(plan, runtime, credentialsDir));
  for (const pool of site.pools) {
    for (const server of pool.servers) {
      files.set(
        `host_vars/${server.name}.yml`,
        ansibleYaml({
          agent_fleet_instances: hostInstances(plan, server.name, runtime),
          agent_fleet_labels: { ...pool.labels, ...server.labels },
        }),
      );
    }
  }
  for (const planned of plan.agents) {
    const name = planned.agent.spec.name;
    const service = agentService(planned.agent, {
      envFile: envFilePath(name),
      runtime,
      instances: { configDir: `${HOSTS_CONFIG_DIR}/${name}` },
      credentialsDir: `${credentialsDir}/${name}`,
    });
    files.set(`files/${service.unitName}`, `${service.unit.join('\n')}\n`);
    files.set(`files/${name}.env`, envFile(planned, site));
  }
  files.set('site.yml', sitePlaybook(site, runtime));
  return files;
}

/** Where an agent's env file is on the servers. */
function envFilePath(agent: string): string {
  return `${HOSTS_CONFIG_DIR}/${agent}/${agent}.env`;
}

/** The container's environment: the spec's `container.env`, then `FLEET_AGENT` and `FLEET_SITE`. */
function envFile(planned: PlannedHostsAgent, site: HostsSiteSpec): string {
  const spec = planned.agent.spec;
  const env = { ...spec.container.env, FLEET_AGENT: spec.name, FLEET_SITE: site.name };
  return Object.entries(env)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('');
}

function checkAgents(plan: HostsPlan, credentialsDir: string): void {
  const problems: Problem[] = [];
  for (const planned of plan.agents) {
    const name = planned.agent.spec.name;
    for (const problem of lineBreakProblems(planned.agent.spec, 'an env file')) {
      problems.push({ ...problem, path: ['agents', name, ...problem.path] });
    }
    const configDir = `${HOSTS_CONFIG_DIR}/${name}`;
    if (configDir === credentialsDir || credentialsDir.startsWith(`${configDir}/`)) {
      problems.push({
        path: ['agents', name],
        message: `its config folder ${configDir} would be or hold the site's credentials folder ${credentialsDir}: rename the agent or move credentialsDir`,
      });
    }
  }
  if (problems.length > 0) {
    throw new ValidationError(`Ansible files of hosts site ${plan.site.name}`, problems);
  }
}

function groupVars(plan: HostsPlan, runtime: ContainerRuntime, credentialsDir: string): string {
  const agents = Object.fromEntries(
    plan.agents.map((planned) => [
      planned.agent.spec.name,
      {
        unit: `agent-${planned.agent.spec.name}`,
        image: planned.agent.spec.container.image.toString(),
        slots: planned.slots.map((slot) => ({ server: slot.server, instance: slot.instance })),
        scaling: scalingVars(planned, plan.site),
      },
    ]),
  );
  return ansibleYaml({
    agent_fleet_site: plan.site.name,
    agent_fleet_environment: plan.environment,
    agent_fleet_runtime: runtime,
    agent_fleet_runtime_bin: `/usr/bin/${runtime}`,
    agent_fleet_config_dir: HOSTS_CONFIG_DIR,
    agent_fleet_unit_dir: HOSTS_UNIT_DIR,
    agent_fleet_credentials_dir: credentialsDir,
    agent_fleet_systemctl: 'systemctl',
    agent_fleet_cdi_specs: [...CDI_SPEC_PATHS],
    agent_fleet_agents: agents,
  });
}

function hostInstances(
  plan: HostsPlan,
  server: string,
  runtime: ContainerRuntime,
): HostInstanceVars[] {
  return plan.agents.flatMap((planned) => {
    const name = planned.agent.spec.name;
    return planned.slots
      .filter((slot) => slot.server === server)
      .sort((a, b) => a.instance - b.instance)
      .map((slot) => {
        const args = instanceArgs(planned.agent, {
          runtime,
          instance: slot.instance,
          gpus: slot.gpus,
        });
        return {
          agent: name,
          instance: slot.instance,
          unit: `agent-${name}@${slot.instance}.service`,
          args,
          config: instanceConfig(args),
        };
      });
  });
}

/** Runs `{{ agent_fleet_systemctl }} <args>`: a changing command, for handlers and tasks guarded by what was read. */
function systemctl(args: string): Record<string, unknown> {
  return {
    'ansible.builtin.command': { cmd: `{{ agent_fleet_systemctl }} ${args}` },
    changed_when: true,
  };
}

function sitePlaybook(site: HostsSiteSpec, runtime: ContainerRuntime): string {
  const notify = ['Reload systemd', 'Try-restart the running instances of changed agents'];
  const imageCheck =
    runtime === 'podman' ? ['image', 'exists'] : ['image', 'inspect', '--format=present'];
  const credentialsMessage =
    "{{ agent_fleet_credentials_dir }}/{{ item.item }} is missing: put agent {{ item.item }}'s credential files there " +
    `(readable by UID ${AGENT_CONTAINER_UID}) by the datacenter's own means, e.g. Vault Agent; the fleet never writes credentials`;
  const tasks = [
    ...requireProgram(
      'the container runtime',
      'agent_fleet_runtime_bin',
      'agent_fleet_runtime_stat',
      '{{ agent_fleet_runtime_bin }} is missing: install {{ agent_fleet_runtime }} on the server',
    ),
    {
      name: "Look for the agents' credential folders",
      become: true,
      'ansible.builtin.stat': { path: '{{ agent_fleet_credentials_dir }}/{{ item }}' },
      loop: '{{ agent_fleet_host_agents }}',
      register: 'agent_fleet_credentials_stat',
    },
    {
      name: "Assert the agents' credential folders exist",
      'ansible.builtin.assert': {
        that: ['item.stat.isdir is defined and item.stat.isdir'],
        fail_msg: credentialsMessage,
        quiet: true,
      },
      loop: '{{ agent_fleet_credentials_stat.results }}',
      loop_control: { label: '{{ item.item }}' },
    },
    {
      name: "Look for NVIDIA's CDI spec",
      'ansible.builtin.stat': { path: '{{ item }}' },
      loop: '{{ agent_fleet_cdi_specs }}',
      register: 'agent_fleet_cdi_stat',
      when: 'agent_fleet_gpu_devices | length > 0',
    },
    {
      name: "Assert NVIDIA's CDI spec exists for the GPU instances",
      'ansible.builtin.assert': {
        that: ["agent_fleet_cdi_stat.results | selectattr('stat.exists') | list | length > 0"],
        fail_msg:
          "GPU instances need NVIDIA's CDI spec ({{ agent_fleet_cdi_specs | join(' or ') }}): " +
          'run `nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml` on the server (NVIDIA Container Toolkit)',
        quiet: true,
      },
      when: 'agent_fleet_gpu_devices | length > 0',
    },
    {
      name: "Create the agents' config folders",
      become: true,
      'ansible.builtin.file': {
        path: '{{ agent_fleet_config_dir }}/{{ item }}',
        state: 'directory',
        mode: '0755',
      },
      loop: '{{ agent_fleet_host_agents }}',
    },
    {
      name: "Copy the agents' environment files",
      become: true,
      'ansible.builtin.copy': {
        src: '{{ item }}.env',
        dest: '{{ agent_fleet_config_dir }}/{{ item }}/{{ item }}.env',
        mode: '0644',
      },
      loop: '{{ agent_fleet_host_agents }}',
      register: 'agent_fleet_env_files',
      notify,
    },
    {
      name: "Write the instances' config files",
      become: true,
      'ansible.builtin.copy': {
        content: '{{ item.config }}',
        dest: '{{ agent_fleet_config_dir }}/{{ item.agent }}/instance-{{ item.instance }}.conf',
        mode: '0644',
      },
      loop: '{{ agent_fleet_instances }}',
      loop_control: { label: '{{ item.unit }}' },
      register: 'agent_fleet_instance_files',
      notify,
    },
    {
      name: "Install the agents' template units",
      become: true,
      'ansible.builtin.copy': {
        src: 'agent-{{ item }}@.service',
        dest: '{{ agent_fleet_unit_dir }}/agent-{{ item }}@.service',
        mode: '0644',
      },
      loop: '{{ agent_fleet_host_agents }}',
      register: 'agent_fleet_unit_files',
      notify,
    },
    {
      name: "Look for the agents' images",
      become: true,
      'ansible.builtin.command': {
        argv: [
          '{{ agent_fleet_runtime_bin }}',
          ...imageCheck,
          '{{ agent_fleet_agents[item].image }}',
        ],
      },
      loop: '{{ agent_fleet_host_agents }}',
      register: 'agent_fleet_images',
      changed_when: false,
      check_mode: false,
      failed_when: 'agent_fleet_images.rc not in [0, 1]',
    },
    {
      name: "Pull the agents' missing images",
      become: true,
      'ansible.builtin.command': {
        argv: ['{{ agent_fleet_runtime_bin }}', 'pull', '{{ agent_fleet_agents[item].image }}'],
      },
      loop: "{{ agent_fleet_images.results | selectattr('rc', '!=', 0) | map(attribute='item') | list }}",
      changed_when: true,
    },
    {
      // Only units this fleet wrote: their description ends with `(agent-fleet)`.
      name: "Look for the agents' template units",
      'ansible.builtin.find': {
        paths: ['{{ agent_fleet_unit_dir }}'],
        patterns: ['agent-*@.service'],
        contains: 'Description=Agent .*[(]agent-fleet[)]$',
        file_type: 'file',
      },
      register: 'agent_fleet_found_units',
    },
    {
      name: "Look for the agents' instance links",
      'ansible.builtin.find': {
        paths: ['{{ agent_fleet_unit_dir }}'],
        patterns: ['agent-*@*.service'],
        file_type: 'link',
        recurse: true,
        depth: 2,
      },
      register: 'agent_fleet_found_links',
    },
    {
      name: 'Stop the instances of agents the server no longer runs',
      become: true,
      ...systemctl('stop agent-{{ item }}@*.service'),
      loop: '{{ agent_fleet_stale_agents }}',
    },
    {
      name: 'Remove the units and instance links of agents the server no longer runs',
      become: true,
      'ansible.builtin.file': { path: '{{ item }}', state: 'absent' },
      loop: '{{ agent_fleet_stale_units }}',
      notify: ['Reload systemd'],
    },
    {
      name: 'Remove the config folders of agents the server no longer runs',
      become: true,
      'ansible.builtin.file': { path: '{{ agent_fleet_config_dir }}/{{ item }}', state: 'absent' },
      loop: '{{ agent_fleet_stale_agents }}',
      when: "(agent_fleet_config_dir ~ '/' ~ item ~ '/') not in (agent_fleet_credentials_dir ~ '/')",
    },
  ];
  const handlers = [
    { name: 'Reload systemd', become: true, ...systemctl('daemon-reload') },
    {
      name: 'Try-restart the running instances of changed agents',
      become: true,
      ...systemctl("try-restart {{ agent_fleet_changed_units | join(' ') }}"),
      when: 'agent_fleet_changed_units | length > 0',
    },
  ];
  const unitName =
    "map('basename') | map('regex_replace', '@.*$', '') | map('regex_replace', '^agent-', '')";
  const vars = {
    agent_fleet_host_agents: "{{ agent_fleet_instances | map(attribute='agent') | unique | list }}",
    agent_fleet_gpu_devices:
      "{{ agent_fleet_instances | map(attribute='args') | flatten | select('match', '--device=nvidia[.]com/gpu=') | list }}",
    agent_fleet_changed_agents:
      "{{ ((agent_fleet_env_files.results + agent_fleet_unit_files.results) | selectattr('changed') | map(attribute='item') | list)" +
      " + (agent_fleet_instance_files.results | selectattr('changed') | map(attribute='item.agent') | list) }}",
    agent_fleet_changed_units:
      "{{ agent_fleet_instances | selectattr('agent', 'in', agent_fleet_changed_agents) | map(attribute='unit') | list }}",
    agent_fleet_stale_agents: `{{ agent_fleet_found_units.files | map(attribute='path') | ${unitName} | unique | reject('in', agent_fleet_host_agents) | list }}`,
    agent_fleet_stale_units: `{{ (agent_fleet_found_units.files + agent_fleet_found_links.files) | map(attribute='path') | select('search', '/agent-(' ~ (agent_fleet_stale_agents | join('|')) ~ ')@[0-9]*[.]service$') | list if agent_fleet_stale_agents else [] }}`,
  };
  return ansibleYaml([
    {
      name: `Deploy the agents of hosts site ${site.name}`,
      hosts: 'all',
      gather_facts: false,
      vars,
      tasks,
      handlers,
    },
    {
      name: 'Reconcile the instances of each agent',
      'ansible.builtin.import_playbook': 'reconcile.yml',
      tags: ['reconcile'],
    },
  ]);
}

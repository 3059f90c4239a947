import { parse } from 'yaml';
import { HostsPlan } from '../../model';
import { ansibleYaml, inventoryFile, requireProgram } from './ansible-inventory';
import { controllerAnsibleDir, DEFAULT_RULEBOOK_WEBHOOK_PORT, scalingFiles } from './scaling-files';

/** The inventory group of a hosts site's controller in `controller-inventory.yml`. */
export const CONTROLLER_GROUP = 'agent_fleet_controller';

/** The rulebook's unit on the controller, generated as `scaling/agent-fleet-rulebook.service`. */
export const RULEBOOK_UNIT = 'agent-fleet-rulebook.service';

/** The reconcile timer's units on the controller, from `scaling/` ({@link scalingFiles}). */
const TIMER_UNITS = ['agent-fleet-reconcile.service', 'agent-fleet-reconcile.timer'] as const;

/**
 * The files that install a hosts site's scaling on its controller
 * (`site.scaling.controller`, the machine that runs ansible-playbook for the
 * site), by path under the site's `ansible/` folder:
 *
 * - `controller-inventory.yml`: the controller alone, named by its address
 *   (a server's name has no dot, so no `host_vars/<server>.yml` applies to
 *   it), in the group {@link CONTROLLER_GROUP}, reached with the same user,
 *   port, SSH arguments and become method as the servers (`inventory.yml`);
 * - `scaling/agent-fleet-rulebook.service`: runs
 *   `ansible-rulebook -r scaling/rulebook.yml -i inventory.yml` in
 *   {@link controllerAnsibleDir}, restarted on failure;
 * - `controller.yml`: on the controller, asserts `ansible-playbook` is
 *   installed (`agent_fleet_ansible_playbook_bin`); copies what reconciling
 *   needs into `agent_fleet_controller_dir` (`inventory.yml`, `group_vars/`,
 *   `host_vars/`, `reconcile.yml`, `scaling/`; not `site.yml` nor `files/`),
 *   removing the files of those folders the site no longer has; installs the
 *   timer's units into `agent_fleet_unit_dir` (as `site.yml` names it in
 *   `group_vars/all.yml`) and, when `ansible-rulebook` is installed
 *   (`agent_fleet_ansible_rulebook_bin`), the rulebook's unit, else says that
 *   the Alertmanager route waits for it and the timer alone reconciles; on a
 *   change reloads systemd (and restarts a running rulebook, which reads its
 *   files at start); then enables and starts the timer and the rulebook's
 *   unit when `is-enabled`/`is-active` say they are not, through
 *   `agent_fleet_systemctl`. Root only for what writes or changes systemd.
 *
 * The units name the default folder ({@link controllerAnsibleDir}) and
 * tools (`/usr/bin/...`): overriding the variables moves where the playbook
 * writes and looks, not what the units run, and is meant for tests.
 */
export function controllerFiles(plan: HostsPlan): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  files.set('controller-inventory.yml', controllerInventory(plan));
  files.set(`scaling/${RULEBOOK_UNIT}`, rulebookUnit(plan));
  files.set('controller.yml', controllerPlaybook(plan));
  return files;
}

function controllerInventory(plan: HostsPlan): string {
  // The servers' connection variables, exactly as inventory.yml writes them.
  const { vars } = parse(inventoryFile(plan.site)).all;
  const controller = plan.site.scaling.controller;
  return ansibleYaml({
    all: {
      vars,
      children: {
        [CONTROLLER_GROUP]: { hosts: { [controller]: { ansible_host: controller } } },
      },
    },
  });
}

function rulebookUnit(plan: HostsPlan): string {
  const name = `${plan.environment}-${plan.site.name}`;
  return [
    '[Unit]',
    `Description=Reconcile the agents of hosts site ${name} on its scaling alerts`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${controllerAnsibleDir(plan)}`,
    'ExecStart=/usr/bin/ansible-rulebook -r scaling/rulebook.yml -i inventory.yml',
    'Restart=on-failure',
    'RestartSec=10s',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** The files of the site's `ansible/` folder the controller reconciles with. */
function reconcileFiles(plan: HostsPlan): string[] {
  const servers = plan.site.pools.flatMap((pool) => pool.servers.map((server) => server.name));
  return [
    'inventory.yml',
    'group_vars/all.yml',
    ...servers.map((server) => `host_vars/${server}.yml`),
    'reconcile.yml',
    ...scalingFiles(plan).keys(),
    `scaling/${RULEBOOK_UNIT}`,
  ].sort();
}

/** Runs `{{ agent_fleet_systemctl }} <args>` as root: a changing command, guarded by what was read. */
function systemctl(args: string): Record<string, unknown> {
  return {
    become: true,
    'ansible.builtin.command': { cmd: `{{ agent_fleet_systemctl }} ${args}` },
    changed_when: true,
  };
}

/** Reads `{{ agent_fleet_systemctl }} <args>`: no change, also in check mode. */
function systemctlRead(args: string, register: string, rcs: number[]): Record<string, unknown> {
  return {
    'ansible.builtin.command': { cmd: `{{ agent_fleet_systemctl }} ${args}` },
    loop: '{{ agent_fleet_controller_units }}',
    register,
    changed_when: false,
    check_mode: false,
    failed_when: `${register}.rc not in [${rcs.join(', ')}]`,
  };
}

function controllerPlaybook(plan: HostsPlan): string {
  const name = `${plan.environment}-${plan.site.name}`;
  const port = plan.site.scaling.webhookPort ?? DEFAULT_RULEBOOK_WEBHOOK_PORT;
  const notify = ['Reload systemd', 'Restart the running rulebook'];
  const vars = {
    agent_fleet_controller_dir: controllerAnsibleDir(plan),
    agent_fleet_ansible_playbook_bin: '/usr/bin/ansible-playbook',
    agent_fleet_ansible_rulebook_bin: '/usr/bin/ansible-rulebook',
    agent_fleet_controller_files: reconcileFiles(plan),
    agent_fleet_controller_paths:
      "{{ agent_fleet_controller_files | map('regex_replace', '^', agent_fleet_controller_dir ~ '/') | list }}",
    agent_fleet_rulebook: '{{ agent_fleet_rulebook_stat.stat.exists }}',
    agent_fleet_controller_units: `{{ ['agent-fleet-reconcile.timer'] + (['${RULEBOOK_UNIT}'] if agent_fleet_rulebook | bool else []) }}`,
  };
  const tasks = [
    ...requireProgram(
      'ansible-playbook',
      'agent_fleet_ansible_playbook_bin',
      'agent_fleet_playbook_stat',
      '{{ agent_fleet_ansible_playbook_bin }} is missing: install ansible-core on the controller, ' +
        'whose reconcile timer runs it',
    ),
    {
      name: 'Look for ansible-rulebook',
      'ansible.builtin.stat': { path: '{{ agent_fleet_ansible_rulebook_bin }}' },
      register: 'agent_fleet_rulebook_stat',
    },
    {
      name: "Create the site's folders",
      become: true,
      'ansible.builtin.file': { path: '{{ item }}', state: 'directory', mode: '0755' },
      loop: ['', '/group_vars', '/host_vars', '/scaling'].map(
        (sub) => `{{ agent_fleet_controller_dir }}${sub}`,
      ),
    },
    {
      name: "Copy the site's files for reconciling",
      become: true,
      'ansible.builtin.copy': {
        src: '{{ playbook_dir }}/{{ item }}',
        dest: '{{ agent_fleet_controller_dir }}/{{ item }}',
        mode: '0644',
      },
      loop: '{{ agent_fleet_controller_files }}',
      notify: ['Restart the running rulebook'],
    },
    {
      name: "Look for the site's files in its folders",
      'ansible.builtin.find': {
        paths: ['group_vars', 'host_vars', 'scaling'].map(
          (sub) => `{{ agent_fleet_controller_dir }}/${sub}`,
        ),
        file_type: 'any',
        hidden: true,
      },
      register: 'agent_fleet_controller_found',
    },
    {
      name: 'Remove the files the site no longer has',
      become: true,
      'ansible.builtin.file': { path: '{{ item }}', state: 'absent' },
      loop: "{{ agent_fleet_controller_found.files | map(attribute='path') | reject('in', agent_fleet_controller_paths) | list }}",
      notify: ['Restart the running rulebook'],
    },
    {
      name: "Install the reconcile timer's units",
      become: true,
      'ansible.builtin.copy': {
        src: '{{ playbook_dir }}/scaling/{{ item }}',
        dest: '{{ agent_fleet_unit_dir }}/{{ item }}',
        mode: '0644',
      },
      loop: [...TIMER_UNITS],
      notify: ['Reload systemd'],
    },
    {
      name: "Install the rulebook's unit",
      become: true,
      'ansible.builtin.copy': {
        src: `{{ playbook_dir }}/scaling/${RULEBOOK_UNIT}`,
        dest: `{{ agent_fleet_unit_dir }}/${RULEBOOK_UNIT}`,
        mode: '0644',
      },
      when: 'agent_fleet_rulebook | bool',
      notify,
    },
    {
      name: 'Say that the timer alone reconciles without ansible-rulebook',
      'ansible.builtin.debug': {
        msg:
          '{{ agent_fleet_ansible_rulebook_bin }} is missing: the Alertmanager route waits for the rulebook ' +
          `on port ${port}, and the timer alone reconciles hosts site ${name}`,
      },
      when: 'not agent_fleet_rulebook | bool',
    },
    {
      name: 'Reload systemd before enabling the units',
      'ansible.builtin.meta': 'flush_handlers',
    },
    {
      name: 'Read whether the units are enabled',
      // is-enabled exits 1 for a disabled unit, or one not installed yet (a check run).
      ...systemctlRead('is-enabled {{ item }}', 'agent_fleet_is_enabled', [0, 1]),
    },
    {
      name: 'Enable the units',
      ...systemctl(
        "enable {{ agent_fleet_is_enabled.results | rejectattr('rc', '==', 0) | map(attribute='item') | join(' ') }}",
      ),
      when: "agent_fleet_is_enabled.results | rejectattr('rc', '==', 0) | list | length > 0",
    },
    {
      name: 'Read whether the units are active',
      // is-active exits 3 for a unit that does not run.
      ...systemctlRead('is-active {{ item }}', 'agent_fleet_is_active', [0, 3]),
    },
    {
      name: 'Start the units',
      ...systemctl(
        "start {{ agent_fleet_is_active.results | rejectattr('rc', '==', 0) | map(attribute='item') | join(' ') }}",
      ),
      when: "agent_fleet_is_active.results | rejectattr('rc', '==', 0) | list | length > 0",
    },
  ];
  const handlers = [
    { name: 'Reload systemd', ...systemctl('daemon-reload') },
    {
      name: 'Restart the running rulebook',
      ...systemctl(`try-restart ${RULEBOOK_UNIT}`),
      when: 'agent_fleet_rulebook | bool',
    },
  ];
  return ansibleYaml([
    {
      name: `Install the scaling of hosts site ${name} on its controller`,
      hosts: CONTROLLER_GROUP,
      gather_facts: false,
      vars,
      tasks,
      handlers,
    },
  ]);
}

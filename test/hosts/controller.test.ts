import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { deployFiles } from '../../constructs/hosts/ansible-deploy';
import { controllerFiles } from '../../constructs/hosts/controller-files';
import { DEPLOY_COMMAND } from '../../constructs/hosts/hosts-deployment';
import { reconcilePlaybook } from '../../constructs/hosts/reconcile-playbook';
import { controllerAnsibleDir, scalingFiles } from '../../constructs/hosts/scaling-files';
import {
  ANSIBLE_LINT,
  ANSIBLE_PLAYBOOK,
  ansibleEnv,
  ansibleToolsAvailable,
  describeRun,
  LINT_PASSED,
  playRecap,
  runAnsibleLint,
  runTool,
  stubSystemctl,
  ToolRun,
  writeTree,
} from '../support/ansible';
import { hostsPlan, hostsSite } from '../support/hosts';
import { tempDir } from '../support/temp-dir';
import { systemdAnalyzeAvailable, verifyUnits } from '../vm/unit-verify';

/**
 * The files that install a hosts site's scaling on its controller
 * (controller-inventory.yml, controller.yml, the rulebook's unit), read as
 * data, and checked by the real tools: `ansible-playbook --syntax-check`,
 * `ansible-lint` with the production profile on the whole `ansible/` folder,
 * and runs of controller.yml against localhost with its folders in a
 * temporary one and a stub systemctl.
 */

const CONTROLLER = 'ansible.nebraska.example.com';
const TIMER = 'agent-fleet-reconcile.timer';
const RULEBOOK_UNIT = 'agent-fleet-rulebook.service';

/** What a deployment writes into `ansible/`, as HostsDeployment gathers it. */
function siteFiles(plan = hostsPlan()): ReadonlyMap<string, string> {
  return new Map([
    ...deployFiles(plan),
    ['reconcile.yml', reconcilePlaybook()] as const,
    ...scalingFiles(plan),
    ...controllerFiles(plan),
  ]);
}

function expectSuccess(run: ToolRun): void {
  if (run.status !== 0) throw new Error(`expected success:\n${describeRun(run)}`);
}

describe('the controller files', () => {
  const plan = hostsPlan();
  const files = controllerFiles(plan);
  const all = siteFiles(plan);
  const [play] = parse(files.get('controller.yml')!);

  test('are the controller inventory and playbook, and the rulebook unit beside the timer', () => {
    expect([...files.keys()].sort()).toEqual([
      'controller-inventory.yml',
      'controller.yml',
      `scaling/${RULEBOOK_UNIT}`,
    ]);
    for (const file of files.keys()) expect(deployFiles(plan).has(file)).toBe(false);
    for (const file of files.keys()) expect(scalingFiles(plan).has(file)).toBe(false);
  });

  test('the inventory holds the controller alone, reached as the servers are', () => {
    const inventory = parse(files.get('controller-inventory.yml')!);
    const servers = parse(all.get('inventory.yml')!);
    expect(inventory.all.vars).toEqual(servers.all.vars);
    expect(inventory.all.vars).toEqual({
      ansible_user: 'deploy',
      ansible_port: 22,
      ansible_ssh_common_args: '-o ProxyJump=bastion.nebraska.example.com',
      ansible_become_method: 'sudo',
    });
    expect(inventory.all.children).toEqual({
      agent_fleet_controller: { hosts: { [CONTROLLER]: { ansible_host: CONTROLLER } } },
    });
    // Without SSH arguments, none are written, as in inventory.yml.
    const plain = controllerFiles(
      hostsPlan(undefined, hostsSite({ ansible: { user: 'deploy', port: 2222 } })),
    );
    expect(parse(plain.get('controller-inventory.yml')!).all.vars).toEqual({
      ansible_user: 'deploy',
      ansible_port: 2222,
      ansible_become_method: 'sudo',
    });
  });

  test('the playbook copies what reconciling needs, which the deployment writes, and no more', () => {
    expect(play.hosts).toBe('agent_fleet_controller');
    expect(play.vars.agent_fleet_controller_dir).toBe(controllerAnsibleDir(plan));
    expect(play.vars.agent_fleet_controller_dir).toBe(
      '/etc/agent-fleet/ansible/prod-nebraska-hosts',
    );
    expect(play.vars.agent_fleet_ansible_playbook_bin).toBe('/usr/bin/ansible-playbook');
    expect(play.vars.agent_fleet_ansible_rulebook_bin).toBe('/usr/bin/ansible-rulebook');
    const copied: string[] = play.vars.agent_fleet_controller_files;
    for (const file of copied) expect(all.has(file)).toBe(true);
    expect(copied).toEqual(
      [...all.keys()]
        .filter((file) =>
          /^(inventory\.yml|reconcile\.yml|(group_vars|host_vars|scaling)\/)/.test(file),
        )
        .sort(),
    );
    expect(copied).not.toContain('site.yml');
    expect(copied.filter((file) => file.startsWith('files/'))).toEqual([]);
  });

  test('becomes root only for what writes or changes systemd', () => {
    const become = [...play.tasks, ...play.handlers]
      .filter((task: any) => task.become)
      .map((task: any) => task.name);
    expect(become).toEqual([
      "Create the site's folders",
      "Copy the site's files for reconciling",
      'Remove the files the site no longer has',
      "Install the reconcile timer's units",
      "Install the rulebook's unit",
      'Enable the units',
      'Start the units',
      'Reload systemd',
      'Restart the running rulebook',
    ]);
  });

  test('the rulebook unit runs the rulebook in the folder the timer reconciles in', () => {
    const unit = files.get(`scaling/${RULEBOOK_UNIT}`)!;
    const timerService = scalingFiles(plan).get('scaling/agent-fleet-reconcile.service')!;
    const workingDir = `WorkingDirectory=${controllerAnsibleDir(plan)}`;
    expect(timerService).toContain(workingDir);
    expect(unit.split('\n')).toEqual(
      expect.arrayContaining([
        workingDir,
        'ExecStart=/usr/bin/ansible-rulebook -r scaling/rulebook.yml -i inventory.yml',
        'Restart=on-failure',
        'WantedBy=multi-user.target',
      ]),
    );
  });

  test('the deployment runs site.yml on the servers, then controller.yml on the controller', () => {
    expect(DEPLOY_COMMAND).toBe(
      'ansible-playbook -i inventory.yml site.yml && ansible-playbook -i controller-inventory.yml controller.yml',
    );
  });

  const analyze = systemdAnalyzeAvailable();
  (analyze ? test : test.skip)('systemd-analyze verify accepts the rulebook unit', () => {
    expect(
      verifyUnits({ [RULEBOOK_UNIT]: files.get(`scaling/${RULEBOOK_UNIT}`)! }, [
        '/usr/bin/ansible-rulebook',
      ]),
    ).toEqual({ code: 0, stderr: '' });
  });
});

const available = ansibleToolsAvailable([ANSIBLE_PLAYBOOK, ANSIBLE_LINT]);

// Each run of controller.yml takes seconds, up to about 25 on a loaded machine.
jest.setTimeout(120_000);

(available ? describe : describe.skip)('the controller files under the real Ansible tools', () => {
  const files = siteFiles();
  const root = available ? tempDir('ansible-controller') : '';
  const ansible = path.join(root, 'ansible');
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    writeTree(ansible, files);
    env = ansibleEnv(root);
  });

  test('ansible-playbook --syntax-check accepts controller.yml with its inventory', () => {
    expectSuccess(
      runTool(
        ANSIBLE_PLAYBOOK,
        ['--syntax-check', '-i', 'controller-inventory.yml', 'controller.yml'],
        { cwd: ansible, env },
      ),
    );
  });

  test('ansible-lint passes the whole folder with the production profile', () => {
    const run = runAnsibleLint(ansible, env, [
      // Prometheus' rules and ansible-rulebook's rulebook, written without
      // folding their long expressions: no Ansible content, only yamllint's line length.
      '--exclude',
      'scaling/alert-rules.yml',
      '--exclude',
      'scaling/rulebook.yml',
    ]);
    expectSuccess(run);
    expect(run.stdout + run.stderr).toMatch(LINT_PASSED);
  }, 150_000);

  describe('run against localhost', () => {
    const local = path.join(root, 'local');
    const controllerDir = path.join(local, 'controller');
    const unitDir = path.join(local, 'units');
    const bin = path.join(local, 'bin');
    const rulebookBin = path.join(bin, 'ansible-rulebook');
    const log = path.join(local, 'systemctl.log');
    let systemctl: string;

    beforeAll(() => {
      fs.mkdirSync(unitDir, { recursive: true });
      fs.mkdirSync(bin, { recursive: true });
      fs.writeFileSync(path.join(bin, 'ansible-playbook'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const stub = stubSystemctl(bin);
      // The stub knows no is-enabled: this one answers it from what `enable` enabled.
      const enabled = path.join(local, 'units-enabled');
      fs.mkdirSync(enabled);
      systemctl = path.join(bin, 'systemctl-controller');
      fs.writeFileSync(
        systemctl,
        `#!/bin/sh
echo "$*" >> '${log}'
case "$1" in
  is-enabled)
    if [ -e '${enabled}'/"$2" ]; then echo enabled; exit 0; fi
    echo disabled; exit 1 ;;
  enable) shift; for unit in "$@"; do : > '${enabled}'/"$unit"; done; exit 0 ;;
esac
exec '${stub.path}' "$@"
`,
        { mode: 0o755 },
      );
      fs.writeFileSync(log, '');
    });

    const play = (...args: string[]) =>
      runTool(
        ANSIBLE_PLAYBOOK,
        [
          '-i',
          'controller-inventory.yml',
          'controller.yml',
          '-e',
          JSON.stringify({
            ansible_connection: 'local',
            ansible_python_interpreter: '/usr/bin/python3',
            ansible_become: false,
            agent_fleet_controller_dir: controllerDir,
            agent_fleet_unit_dir: unitDir,
            agent_fleet_systemctl: systemctl,
            agent_fleet_ansible_playbook_bin: path.join(bin, 'ansible-playbook'),
            agent_fleet_ansible_rulebook_bin: rulebookBin,
          }),
          ...args,
        ],
        { cwd: ansible, env },
      );

    /** The calls to systemctl since the last look, and the log emptied. */
    const calls = () => {
      const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
      fs.writeFileSync(log, '');
      return lines;
    };

    /** Every file under the controller's folders, with its mode. */
    const tree = () => {
      const found: string[] = [];
      const walk = (dir: string) => {
        if (!fs.existsSync(dir)) return;
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          found.push(
            `${path.relative(local, full)} ${(fs.statSync(full).mode & 0o777).toString(8)}`,
          );
          if (entry.isDirectory()) walk(full);
        }
      };
      if (fs.existsSync(controllerDir)) {
        found.push(`controller ${(fs.statSync(controllerDir).mode & 0o777).toString(8)}`);
      }
      walk(controllerDir);
      walk(unitDir);
      return found.sort();
    };

    const recap = (run: ToolRun) => playRecap(run.stdout)[CONTROLLER];

    test('a controller without ansible-playbook fails, saying so', () => {
      const run = runTool(
        ANSIBLE_PLAYBOOK,
        [
          '-i',
          'controller-inventory.yml',
          'controller.yml',
          '--check',
          '-e',
          JSON.stringify({
            ansible_connection: 'local',
            ansible_python_interpreter: '/usr/bin/python3',
            agent_fleet_ansible_playbook_bin: path.join(bin, 'none'),
          }),
        ],
        { cwd: ansible, env },
      );
      expect(run.status).not.toBe(0);
      expect(run.stdout).toContain(
        `${path.join(bin, 'none')} is missing: install ansible-core on the controller`,
      );
      expect(recap(run).failed).toBe(1);
    });

    test('--check reports changes and writes nothing', () => {
      const run = play('--check');
      expectSuccess(run);
      expect(recap(run).failed).toBe(0);
      expect(recap(run).changed).toBeGreaterThan(0);
      expect(tree()).toEqual([]);
      // Only the reads ran.
      expect(calls()).toEqual([`is-enabled ${TIMER}`, `is-active ${TIMER}`]);
    });

    test('a run copies the files, installs the timer and enables and starts it', () => {
      const run = play();
      expectSuccess(run);
      expect(recap(run)).toMatchObject({ failed: 0, unreachable: 0 });
      expect(recap(run).changed).toBeGreaterThan(0);
      const copied = [...files.keys()]
        .filter((file) =>
          /^(inventory\.yml|reconcile\.yml|(group_vars|host_vars|scaling)\/)/.test(file),
        )
        .sort();
      expect(tree()).toEqual(
        [
          'controller 755',
          'controller/group_vars 755',
          'controller/host_vars 755',
          'controller/scaling 755',
          ...copied.map((file) => `controller/${file} 644`),
          'units/agent-fleet-reconcile.service 644',
          'units/agent-fleet-reconcile.timer 644',
        ].sort(),
      );
      for (const file of copied) {
        expect(fs.readFileSync(path.join(controllerDir, file), 'utf8')).toBe(files.get(file));
      }
      expect(fs.readFileSync(path.join(unitDir, TIMER), 'utf8')).toBe(
        files.get(`scaling/${TIMER}`),
      );
      expect(calls()).toEqual([
        'daemon-reload',
        `is-enabled ${TIMER}`,
        `enable ${TIMER}`,
        `is-active ${TIMER}`,
        `start ${TIMER}`,
      ]);
      // Without ansible-rulebook, the playbook says the timer alone reconciles.
      expect(run.stdout).toContain(
        `${rulebookBin} is missing: the Alertmanager route waits for the rulebook on port 5000, and the timer alone reconciles hosts site prod-nebraska-hosts`,
      );
    });

    test('a second run changes nothing', () => {
      const run = play();
      expectSuccess(run);
      expect(recap(run)).toMatchObject({ changed: 0, failed: 0 });
      expect(calls()).toEqual([`is-enabled ${TIMER}`, `is-active ${TIMER}`]);
    });

    test('with ansible-rulebook, the rulebook unit is installed and started, and a stale file goes', () => {
      fs.writeFileSync(rulebookBin, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const stale = path.join(controllerDir, 'host_vars', 'ne-warm-09.yml');
      fs.writeFileSync(stale, '---\n');
      const run = play();
      expectSuccess(run);
      expect(recap(run)).toMatchObject({ failed: 0 });
      expect(fs.existsSync(stale)).toBe(false);
      expect(fs.readFileSync(path.join(unitDir, RULEBOOK_UNIT), 'utf8')).toBe(
        files.get(`scaling/${RULEBOOK_UNIT}`),
      );
      expect(run.stdout).not.toContain('is missing');
      expect(calls()).toEqual([
        'daemon-reload',
        // A rulebook that runs reads its files again.
        `try-restart ${RULEBOOK_UNIT}`,
        `is-enabled ${TIMER}`,
        `is-enabled ${RULEBOOK_UNIT}`,
        `enable ${RULEBOOK_UNIT}`,
        `is-active ${TIMER}`,
        `is-active ${RULEBOOK_UNIT}`,
        `start ${RULEBOOK_UNIT}`,
      ]);
      const again = play();
      expectSuccess(again);
      expect(recap(again)).toMatchObject({ changed: 0, failed: 0 });
      expect(calls()).toEqual([
        `is-enabled ${TIMER}`,
        `is-enabled ${RULEBOOK_UNIT}`,
        `is-active ${TIMER}`,
        `is-active ${RULEBOOK_UNIT}`,
      ]);
    });
  });
});

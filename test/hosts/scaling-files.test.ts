import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import { parse, stringify } from 'yaml';
import { reconcilePlaybook } from '../../constructs/hosts/reconcile-playbook';
import { scalingFiles } from '../../constructs/hosts/scaling-files';
import { Duration, HostsPlan } from '../../model';
import { promtoolAvailable, runPromtool, verdict } from '../monitoring/promtool';
import {
  alertmanagerAvailable,
  startAlertmanager,
  startWebhookReceiver,
} from '../support/alertmanager';
import {
  ANSIBLE_LINT,
  ANSIBLE_PLAYBOOK,
  ansibleEnv,
  ansibleToolsAvailable,
  describeRun,
  LINT_PASSED,
  runAnsibleLint,
  runTool,
  ToolRun,
} from '../support/ansible';
import { hostsPlan, hostsSite, ingestAgent } from '../support/hosts';
import { eventually } from '../support/poll';
import { reconcileAgents } from '../support/reconcile-agents';
import { tempDir } from '../support/temp-dir';

/**
 * The scaling files of a hosts site, checked by the tools that read them:
 * promtool, amtool, systemd-analyze, ansible-playbook and ansible-lint, and
 * the rulebook by ansible-rulebook's own JSON schema (vendored, as
 * ansible-rulebook is not installed here).
 */

const FIXTURES = path.join(__dirname, '../fixtures/ansible-rulebook');

/** A tool from the machine's packages; outside CI a missing one skips, under `CI=true` it fails. */
function toolAvailable(bin: string, pkg: string, args: readonly string[] = ['--version']): boolean {
  const result = spawnSync(bin, [...args], { encoding: 'utf8' });
  if (!result.error && result.status === 0) return true;
  const reason = `${bin} not found: install Debian's '${pkg}' package (apt-get install --no-install-recommends ${pkg})`;
  if (process.env.CI === 'true') throw new Error(reason);
  console.log(`Skipping its checks. ${reason}`);
  return false;
}

/**
 * The rulebook condition's value for an event: the conjunction of
 * `<path> == "<value>"` and `<path> in [...]` terms the generator writes,
 * read the way ansible-rulebook reads them (dotted paths into the event).
 */
function matches(condition: string, event: unknown): boolean {
  const read = (dotted: string) =>
    dotted
      .split('.')
      .slice(1)
      .reduce<any>((value, key) => value?.[key], event);
  return condition.split(' and ').every((term) => {
    const equal = /^([\w.]+) == (".*")$/.exec(term);
    if (equal) return read(equal[1]) === JSON.parse(equal[2]);
    const member = /^([\w.]+) in (\[.*\])$/.exec(term);
    if (member) return (JSON.parse(member[2]) as unknown[]).includes(read(member[1]));
    throw new Error(`a term this test does not read: ${term}`);
  });
}

const AMTOOL = process.env.AMTOOL ?? 'amtool';
const SYSTEMD_ANALYZE = process.env.SYSTEMD_ANALYZE ?? 'systemd-analyze';

const when = (available: boolean) => (available ? test : test.skip);

/** A site whose agent reconciles every 30s, answers on port 5050, and drains after a 2m window. */
function plan(): HostsPlan {
  const base = ingestAgent();
  return hostsPlan(
    [
      ingestAgent({
        scaling: {
          ...base.scaling!,
          behavior: { scaleDown: { stabilizationWindow: Duration.minutes(2) } },
        },
      }),
    ],
    hostsSite({
      scaling: {
        prometheusUrl: 'http://prometheus.nebraska.example.com:9090',
        controller: 'ansible.nebraska.example.com',
        webhookPort: 5050,
        interval: Duration.seconds(30),
      },
    }),
  );
}

describe('scalingFiles', () => {
  const files = scalingFiles(plan());
  const dir = tempDir('scaling-files');
  for (const [name, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const scaling = path.join(dir, 'scaling');

  test('writes the scaling files of the contract, YAML starting with ---', () => {
    expect([...files.keys()].sort()).toEqual([
      'scaling/agent-fleet-reconcile.service',
      'scaling/agent-fleet-reconcile.timer',
      'scaling/alert-rules.yml',
      'scaling/alertmanager.yml',
      'scaling/rulebook.yml',
      'scaling/scrape-configs.yml',
      'scaling/targets-chimera-data-ingest.yml',
    ]);
    for (const [name, text] of files) {
      if (name.endsWith('.yml'))
        expect({ name, start: text.slice(0, 4) }).toEqual({ name, start: '---\n' });
    }
  });

  test('lists every slot as a scrape target at its published metrics port', () => {
    const targets = parse(files.get('scaling/targets-chimera-data-ingest.yml')!);
    expect(
      targets.map((t: any) => [t.targets[0], t.labels.server, t.labels.agent_instance]),
    ).toEqual([
      ['10.20.30.11:9102', 'ne-warm-01', '1'],
      ['10.20.30.12:9102', 'ne-warm-02', '1'],
      ['10.20.30.11:9103', 'ne-warm-01', '2'],
      ['10.20.30.12:9103', 'ne-warm-02', '2'],
    ]);
    expect(targets[0].labels).toMatchObject({
      rack: 'r1',
      agent_fleet_environment: 'prod',
      agent_fleet_site: 'nebraska-hosts',
      agent_fleet_agent: 'chimera-data-ingest',
    });
  });

  describe('promtool', () => {
    const available = promtoolAvailable();

    when(available)('check rules accepts the alert rules', () => {
      expect(verdict(runPromtool(['check', 'rules', 'alert-rules.yml'], scaling))).toBe('passed');
    });

    when(available)(
      'check config accepts the scrape jobs, their target files and the rules',
      () => {
        expect(verdict(runPromtool(['check', 'config', 'scrape-configs.yml'], scaling))).toBe(
          'passed',
        );
      },
    );

    when(available)('the alerts fire when the count should change, after their windows', () => {
      const job = 'agent-fleet-hosts-chimera-data-ingest';
      const up = (instance: string, values: string) => ({
        series: `up{job="${job}", agent_fleet_environment="prod", agent_fleet_site="nebraska-hosts", instance="${instance}"}`,
        values,
      });
      const labels = {
        agent_fleet_environment: 'prod',
        agent_fleet_site: 'nebraska-hosts',
        agent_fleet_agent: 'chimera-data-ingest',
        severity: 'info',
      };
      const rules = parse(files.get('scaling/alert-rules.yml')!).groups[0].rules;
      /** The alert's labels and its annotations for `value`, as promtool expects them. */
      const alert = (name: string, value: number) => {
        const rule = rules.find((r: any) => r.alert === name);
        return {
          exp_labels: labels,
          exp_annotations: Object.fromEntries(
            Object.entries(rule.annotations as Record<string, string>).map(([key, text]) => [
              key,
              text.replace('{{ $value }}', String(value)),
            ]),
          ),
        };
      };
      const tests = {
        rule_files: ['alert-rules.yml'],
        evaluation_interval: '1m',
        tests: [
          {
            // One instance up, then two; 3500 pending throughout.
            interval: '1m',
            input_series: [
              up('10.20.30.11:9102', '1x20'),
              up('10.20.30.12:9102', '0x10 1x10'),
              { series: 'chimera_pending_messages_total', values: '3500x20' },
            ],
            alert_rule_test: [
              { eval_time: '4m', alertname: 'AgentHostsScaleOut', exp_alerts: [] },
              {
                eval_time: '5m',
                alertname: 'AgentHostsScaleOut',
                exp_alerts: [alert('AgentHostsScaleOut', 3500)],
              },
              { eval_time: '5m', alertname: 'AgentHostsScaleIn', exp_alerts: [] },
            ],
          },
          {
            // Two instances up and nothing pending: one fewer would do, after the 2m window.
            interval: '1m',
            input_series: [
              up('10.20.30.11:9102', '1x10'),
              up('10.20.30.12:9102', '1x10'),
              { series: 'chimera_pending_messages_total', values: '0x10' },
            ],
            alert_rule_test: [
              { eval_time: '1m', alertname: 'AgentHostsScaleIn', exp_alerts: [] },
              {
                eval_time: '2m',
                alertname: 'AgentHostsScaleIn',
                exp_alerts: [alert('AgentHostsScaleIn', 0)],
              },
              { eval_time: '2m', alertname: 'AgentHostsScaleOut', exp_alerts: [] },
            ],
          },
          {
            // One instance, the minimum: no scale-in however idle.
            interval: '1m',
            input_series: [
              up('10.20.30.11:9102', '1x10'),
              { series: 'chimera_pending_messages_total', values: '0x10' },
            ],
            alert_rule_test: [{ eval_time: '5m', alertname: 'AgentHostsScaleIn', exp_alerts: [] }],
          },
        ],
      };
      fs.writeFileSync(path.join(scaling, 'alert-tests.yml'), stringify(tests));
      expect(verdict(runPromtool(['test', 'rules', 'alert-tests.yml'], scaling))).toBe('passed');
    });
  });

  describe('amtool', () => {
    const available = toolAvailable(AMTOOL, 'prometheus-alertmanager');
    const amtool = (args: readonly string[]) => {
      const result = spawnSync(AMTOOL, [...args], {
        cwd: scaling,
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (result.error) throw result.error;
      return {
        status: result.status,
        output: `${result.stdout}${result.stderr}`,
        stdout: result.stdout,
      };
    };

    when(available)('check-config accepts the Alertmanager configuration', () => {
      expect(verdict(amtool(['check-config', 'alertmanager.yml']))).toBe('passed');
    });

    when(available)("routes the site's scaling alerts to the rulebook, and nothing else", () => {
      const route = (...labels: string[]) =>
        amtool([
          'config',
          'routes',
          'test',
          '--config.file=alertmanager.yml',
          ...labels,
        ]).stdout.trim();
      expect(
        route(
          'agent_fleet_environment=prod',
          'agent_fleet_site=nebraska-hosts',
          'alertname=AgentHostsScaleOut',
        ),
      ).toBe('agent-fleet-reconcile-prod-nebraska-hosts');
      expect(
        route(
          'agent_fleet_environment=staging',
          'agent_fleet_site=nebraska-hosts',
          'alertname=AgentHostsScaleOut',
        ),
      ).toBe('agent-fleet-none');
      expect(
        route(
          'agent_fleet_environment=prod',
          'agent_fleet_site=nebraska-hosts',
          'alertname=AgentDown',
        ),
      ).toBe('agent-fleet-none');
      const config = parse(files.get('scaling/alertmanager.yml')!);
      expect(config.receivers[1].webhook_configs).toEqual([
        { url: 'http://ansible.nebraska.example.com:5050/endpoint', send_resolved: false },
      ]);
      expect(config.route.routes[0]).toMatchObject({
        group_interval: '30s',
        repeat_interval: '30s',
      });
    });
  });

  describe('a real Alertmanager', () => {
    const available = alertmanagerAvailable();

    when(available)(
      "delivers the site's scaling alerts to the rulebook's webhook, in the shape its condition reads",
      async () => {
        const receiver = await startWebhookReceiver();
        const local = hostsPlan(
          [ingestAgent()],
          hostsSite({
            scaling: {
              prometheusUrl: 'http://127.0.0.1:9090',
              controller: '127.0.0.1',
              webhookPort: receiver.port,
            },
          }),
        );
        const localFiles = scalingFiles(local);
        const alertmanager = await startAlertmanager(localFiles.get('scaling/alertmanager.yml')!);
        try {
          const labels = {
            agent_fleet_environment: 'prod',
            agent_fleet_site: 'nebraska-hosts',
            agent_fleet_agent: 'chimera-data-ingest',
            severity: 'info',
          };
          await alertmanager.post([
            { labels: { alertname: 'AgentHostsScaleOut', ...labels } },
            { labels: { alertname: 'AgentHostsScaleOut', ...labels, agent_fleet_site: 'other' } },
          ]);
          const posts = await eventually(
            async () => receiver.received,
            (received) => received.length > 0,
            { what: 'webhook posts', expected: 'one', timeoutMs: 20_000 },
          );
          expect(posts.map((post) => post.path)).toEqual(['/endpoint']);
          // ansible.eda.alertmanager makes each of payload.alerts an event's `alert`.
          const rule = parse(localFiles.get('scaling/rulebook.yml')!)[0].rules[0];
          const events = (posts[0].body.alerts as unknown[]).map((alert) => ({ alert }));
          expect(
            events.map((event) => [
              (event.alert as any).labels.agent_fleet_site,
              matches(rule.condition, event),
            ]),
          ).toEqual([['nebraska-hosts', true]]);
        } finally {
          await alertmanager.stop();
          await receiver.stop();
        }
      },
      40_000,
    );
  });

  describe('the rulebook', () => {
    const rulebook = parse(files.get('scaling/rulebook.yml')!);

    test("is valid by ansible-rulebook's schema (v1.3.0)", () => {
      const schema = JSON.parse(
        fs.readFileSync(path.join(FIXTURES, 'ruleset_schema.json'), 'utf8'),
      );
      const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
      expect({ valid: validate(rulebook), errors: validate.errors ?? null }).toEqual({
        valid: true,
        errors: null,
      });
    });

    test("gives the alertmanager source arguments valid by ansible.eda's schema (v2.13.0)", () => {
      const schema = JSON.parse(
        fs.readFileSync(path.join(FIXTURES, 'alertmanager_source_schema.json'), 'utf8'),
      );
      const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
      const args = rulebook[0].sources[0]['ansible.eda.alertmanager'];
      expect(args).toEqual({ host: '0.0.0.0', port: 5050, data_host_path: '' });
      expect({ valid: validate(args), errors: validate.errors ?? null }).toEqual({
        valid: true,
        errors: null,
      });
    });

    test('runs reconcile.yml on all hosts once per interval on a firing alert of the site', () => {
      expect(rulebook[0].hosts).toBe('all');
      expect(rulebook[0].rules).toEqual([
        {
          name: 'Reconcile the site on its scaling alerts',
          condition:
            'event.alert.labels.agent_fleet_environment == "prod" and event.alert.labels.agent_fleet_site == "nebraska-hosts" and event.alert.labels.alertname in ["AgentHostsScaleOut", "AgentHostsScaleIn"] and event.alert.status == "firing"',
          throttle: {
            once_within: '30 seconds',
            group_by_attributes: ['event.alert.labels.agent_fleet_site'],
          },
          action: { run_playbook: { name: 'reconcile.yml' } },
        },
      ]);
    });
  });

  describe('the reconcile timer', () => {
    const available = toolAvailable(SYSTEMD_ANALYZE, 'systemd');

    test('runs the playbook in the site folder every interval, never overlapping', () => {
      const service = files.get('scaling/agent-fleet-reconcile.service')!;
      const timer = files.get('scaling/agent-fleet-reconcile.timer')!;
      expect(service).toContain('Type=oneshot\n');
      expect(service).toContain('WorkingDirectory=/etc/agent-fleet/ansible/prod-nebraska-hosts\n');
      expect(service).toContain(
        'ExecStart=/usr/bin/ansible-playbook -i inventory.yml reconcile.yml\n',
      );
      expect(timer).toContain('OnUnitInactiveSec=30s\n');
      expect(timer).toContain('Persistent=false\n');
    });

    when(available)('systemd-analyze verify accepts the service and the timer', () => {
      // A root of its own: the units, the command they run, the units they name.
      const root = tempDir('reconcile-units');
      const units = path.join(root, 'etc/systemd/system');
      const stubs = path.join(root, 'usr/lib/systemd/system');
      fs.mkdirSync(units, { recursive: true });
      fs.mkdirSync(stubs, { recursive: true });
      for (const name of ['agent-fleet-reconcile.service', 'agent-fleet-reconcile.timer']) {
        fs.writeFileSync(path.join(units, name), files.get(`scaling/${name}`)!);
      }
      for (const name of [
        'sysinit.target',
        'network-online.target',
        'timers.target',
        'basic.target',
        'shutdown.target',
      ]) {
        fs.writeFileSync(path.join(stubs, name), '[Unit]\nDescription=Stub\n');
      }
      const bin = path.join(root, 'usr/bin/ansible-playbook');
      fs.mkdirSync(path.dirname(bin), { recursive: true });
      fs.writeFileSync(bin, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      fs.mkdirSync(path.join(root, 'etc/agent-fleet/ansible/prod-nebraska-hosts'), {
        recursive: true,
      });
      const result = spawnSync(
        SYSTEMD_ANALYZE,
        [
          'verify',
          `--root=${root}`,
          'agent-fleet-reconcile.timer',
          'agent-fleet-reconcile.service',
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      if (result.error) throw result.error;
      expect({ code: result.status, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    });
  });
});

describe('reconcile.yml', () => {
  const available = ansibleToolsAvailable([ANSIBLE_PLAYBOOK, ANSIBLE_LINT]);
  const dir = tempDir('reconcile-lint');
  const ansible = path.join(dir, 'ansible');
  const site = hostsPlan();

  beforeAll(() => {
    fs.mkdirSync(path.join(ansible, 'group_vars'), { recursive: true });
    fs.writeFileSync(path.join(ansible, 'reconcile.yml'), reconcilePlaybook());
    fs.writeFileSync(
      path.join(ansible, 'inventory.yml'),
      `---\n${stringify({ all: { children: { warm: { hosts: { 'ne-warm-01': { ansible_host: '10.20.30.11' }, 'ne-warm-02': { ansible_host: '10.20.30.12' } } } } } })}`,
    );
    const agents = reconcileAgents(site.agents, site.site);
    fs.writeFileSync(
      path.join(ansible, 'group_vars', 'all.yml'),
      `---\n${stringify({ agent_fleet_systemctl: 'systemctl', agent_fleet_agents: agents })}`,
    );
  });

  const expectSuccess = (run: ToolRun) =>
    expect(run.status === 0 ? 'passed' : describeRun(run)).toBe('passed');

  when(available)('is the same YAML for every site, starting with ---', () => {
    expect(reconcilePlaybook().startsWith('---\n')).toBe(true);
    expect(parse(reconcilePlaybook()).map((play: any) => play.hosts)).toEqual([
      'all',
      'localhost',
      'localhost',
    ]);
  });

  when(available)('ansible-playbook --syntax-check accepts it with the inventory', () => {
    expectSuccess(
      runTool(ANSIBLE_PLAYBOOK, ['--syntax-check', '-i', 'inventory.yml', 'reconcile.yml'], {
        cwd: ansible,
        env: ansibleEnv(dir),
      }),
    );
  });

  when(available)(
    'ansible-lint passes it with the production profile',
    () => {
      const run = runAnsibleLint(ansible, ansibleEnv(dir), ['reconcile.yml']);
      expectSuccess(run);
      expect(run.stdout + run.stderr).toMatch(LINT_PASSED);
    },
    150_000,
  );
});

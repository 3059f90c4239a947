import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { reconcilePlaybook } from '../../constructs/hosts/reconcile-playbook';
import { ScalingVars, scalingVars } from '../../constructs/hosts/scaling-vars';
import {
  AgentSpec,
  Cpu,
  Duration,
  HostsPlan,
  HpaScalingRules,
  instanceDecision,
  Size,
} from '../../model';
import { GaugeExporter, startGaugeExporter } from '../integration/metrics-exporter';
import { ANSIBLE_PLAYBOOK, ansibleEnv, ansibleToolsAvailable } from '../support/ansible';
import { hostsPlan, hostsSite, ingestAgent } from '../support/hosts';
import { eventually, sleep } from '../support/poll';
import {
  PrometheusServer,
  prometheusAvailable,
  startPrometheus,
} from '../support/prometheus-server';
import { freePorts } from '../support/rabbitmq-server';
import { reconcileAgents } from '../support/reconcile-agents';
import { tempDir } from '../support/temp-dir';

/**
 * The real reconcile.yml, run by ansible-playbook against the plan's servers
 * (all `ansible_connection: local`), with a stub systemctl per server keeping
 * unit states as files, and a real Prometheus on loopback scraping one gauge
 * exporter per case. Each case is an agent of the site, so one run decides
 * them all, as on a real site.
 */

const available = ansibleToolsAvailable([ANSIBLE_PLAYBOOK]) && prometheusAvailable();

/**
 * The signal's window, shortened from minutes to seconds; long enough that the
 * first run, on a loaded machine, ends well inside both windows.
 */
const SUSTAINED = Duration.seconds(40);
/** The scale-down stabilization window, shortened likewise. */
const STABILIZATION = Duration.seconds(30);
const THRESHOLD = 1000;

/** One agent of the test site: how its backlog moves and how many instances run at first. */
interface Case {
  readonly agent: string;
  /** The backlog from the start; undefined: no series at all (an empty query result). */
  readonly backlog?: number;
  /** The backlog from phase A on. @default - unchanged */
  readonly switchTo?: number;
  readonly running: number;
  readonly scaling?: Partial<NonNullable<AgentSpec['scaling']>>;
  /** Prometheus does not answer for this agent. */
  readonly unreachable?: boolean;
  /** Run in phase A as well. */
  readonly inPhaseA?: boolean;
}

const CASES: readonly Case[] = [
  { agent: 'below', backlog: 500, running: 1 },
  { agent: 'at', backlog: 1000, running: 1 },
  { agent: 'above', backlog: 3500, running: 1 },
  { agent: 'held', backlog: 0, switchTo: 3500, running: 1, inPhaseA: true },
  { agent: 'drop', backlog: 1500, switchTo: 0, running: 2, inPhaseA: true },
  {
    agent: 'drain-order',
    backlog: 0,
    running: 4,
    scaling: {
      behavior: {
        scaleDown: {
          stabilizationWindow: STABILIZATION,
          policies: [{ type: 'percent', value: 100, period: Duration.seconds(60) }],
        },
      },
    },
  },
  { agent: 'wake', backlog: 50, running: 1, scaling: { minReplicas: 0 } },
  { agent: 'idle', running: 1, scaling: { minReplicas: 0 } },
  { agent: 'unreachable', backlog: 3500, running: 2, unreachable: true, inPhaseA: true },
];

function caseAgent(entry: Case, index: number, deadPort: number): AgentSpec {
  const base = ingestAgent();
  return ingestAgent({
    name: entry.agent,
    container: {
      ...base.container,
      ports: { http: 18000 + 10 * index, metrics: 19000 + 10 * index },
    },
    resources: {
      requests: { cpu: Cpu.parse('100m'), memory: Size.parse('128Mi') },
      limits: { cpu: Cpu.parse('100m'), memory: Size.parse('128Mi') },
    },
    scaling: {
      minReplicas: 1,
      maxReplicas: 4,
      prometheus: {
        query: `sum(chimera_pending_messages_total{case="${entry.agent}"})`,
        threshold: THRESHOLD,
        sustainedFor: SUSTAINED,
        activationThreshold: 20,
        ...(entry.unreachable ? { serverAddress: `http://127.0.0.1:${deadPort}` } : {}),
      },
      behavior: { scaleDown: { stabilizationWindow: STABILIZATION } },
      ...entry.scaling,
    },
  });
}

/** What the playbook printed for one agent. */
interface Printed {
  readonly current: number;
  readonly sustained: number | 'unreadable';
  readonly stabilized: number | 'unreadable';
  readonly desired: number;
  readonly line: string;
}

function printedLines(stdout: string): Map<string, Printed> {
  const lines = new Map<string, Printed>();
  const pattern =
    /"msg": "([a-z0-9-]+): (\d+) running, sustained (\S+), stabilized (\S+) -> (\d+)[^"]*"/g;
  for (const match of stdout.matchAll(pattern)) {
    const value = (text: string) => (text === 'unreadable' ? text : Number(text));
    lines.set(match[1], {
      current: Number(match[2]),
      sustained: value(match[3]),
      stabilized: value(match[4]),
      desired: Number(match[5]),
      line: match[0].slice(8, -1),
    });
  }
  return lines;
}

function rules(direction: ScalingVars['scale_up']): HpaScalingRules {
  return {
    selectPolicy: direction.select,
    policies: direction.policies.map((policy) => ({ ...policy, periodSeconds: 60 })),
  };
}

/** `instanceDecision` on what the playbook read. */
function decisionInTypeScript(vars: ScalingVars, printed: Printed): number {
  if (printed.sustained === 'unreadable' || printed.stabilized === 'unreadable') {
    return printed.current;
  }
  return instanceDecision({
    sustained: printed.sustained,
    stabilized: printed.stabilized,
    targetPerInstance: vars.target!,
    current: printed.current,
    minInstances: vars.min,
    maxInstances: vars.max,
    activation: vars.activation,
    scaleUp: rules(vars.scale_up),
    scaleDown: rules(vars.scale_down),
    tolerance: vars.tolerance,
  });
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  /** The stub's calls during this run, `<server> <verb> <unit>`. */
  readonly calls: string[];
}

(available ? describe : describe.skip)(
  'the reconcile playbook, run against a real Prometheus',
  () => {
    let prometheus: PrometheusServer;
    const exporters = new Map<string, GaugeExporter>();
    let plan: HostsPlan;
    let dir: string;
    let t0 = 0;
    const table: string[][] = [
      ['run', 'agent', 'backlog', 'held for', 'sustained', 'stabilized', 'running', 'chosen'],
    ];

    beforeAll(async () => {
      const [deadPort] = await freePorts(1);
      for (const entry of CASES) {
        if (entry.backlog === undefined) continue;
        exporters.set(
          entry.agent,
          await startGaugeExporter('chimera_pending_messages_total', entry.backlog),
        );
      }
      const jobs = [...exporters].map(([agent, exporter]) => ({
        job_name: `case-${agent}`,
        static_configs: [{ targets: [exporter.address], labels: { case: agent } }],
      }));
      prometheus = await startPrometheus({
        config: stringify({
          // The evaluation interval is the subqueries' resolution.
          global: { scrape_interval: '1s', evaluation_interval: '1s' },
          scrape_configs: jobs,
        }),
      });
      t0 = Date.now();
      const site = hostsSite({
        scaling: { prometheusUrl: prometheus.url, controller: 'ansible.nebraska.example.com' },
      });
      plan = hostsPlan(
        CASES.map((entry, index) => caseAgent(entry, index, deadPort)),
        site,
      );
      expect(plan.errors).toEqual([]);
      await eventually(
        () => prometheus.query('count(chimera_pending_messages_total)'),
        (samples) => samples[0]?.value === String(exporters.size),
        { what: 'series scraped', expected: String(exporters.size), timeoutMs: 15_000 },
      );

      dir = tempDir('reconcile');
      const ansible = path.join(dir, 'ansible');
      fs.mkdirSync(path.join(ansible, 'group_vars'), { recursive: true });
      fs.writeFileSync(path.join(ansible, 'reconcile.yml'), reconcilePlaybook());
      const stub = path.join(dir, 'systemctl');
      // <stub> <state dir> <server> <verb> <unit>: a unit runs while its file exists.
      fs.writeFileSync(
        stub,
        [
          '#!/bin/sh',
          'state="$1/$2"; server="$2"; shift 2',
          'echo "$server $1 $2" >> "$(dirname "$state")/calls.log"',
          'case "$1" in',
          '  is-active) if [ -f "$state/$2" ]; then echo active; else echo inactive; exit 3; fi ;;',
          '  start) touch "$state/$2" ;;',
          '  stop) rm -f "$state/$2" ;;',
          '  *) echo "unsupported: $*" >&2; exit 1 ;;',
          'esac',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      const servers = plan.site.pools.flatMap((pool) => pool.servers);
      for (const server of servers)
        fs.mkdirSync(path.join(dir, 'state', server.name), { recursive: true });
      fs.writeFileSync(path.join(dir, 'state', 'calls.log'), '');
      fs.writeFileSync(
        path.join(ansible, 'inventory.yml'),
        `---\n${stringify({
          all: {
            children: Object.fromEntries(
              plan.site.pools.map((pool) => [
                pool.name,
                {
                  hosts: Object.fromEntries(
                    pool.servers.map((server) => [
                      server.name,
                      {
                        ansible_connection: 'local',
                        // Each server its own stub, as each has its own systemd.
                        agent_fleet_systemctl: `${stub} ${path.join(dir, 'state')} ${server.name}`,
                        agent_fleet_become: false,
                      },
                    ]),
                  ),
                },
              ]),
            ),
          },
        })}`,
      );
      for (const entry of CASES) {
        const planned = plan.agents.find((a) => a.agent.spec.name === entry.agent)!;
        for (const slot of planned.slots.slice(0, entry.running)) {
          fs.writeFileSync(
            path.join(dir, 'state', slot.server, unitOf(entry.agent, slot.instance)),
            '',
          );
        }
      }
    }, 120_000);

    afterAll(async () => {
      await prometheus?.stop();
      for (const exporter of exporters.values()) await exporter.stop();
      console.log(
        `The reconcile playbook's decisions (threshold ${THRESHOLD}/instance, sustained ${SUSTAINED}, ` +
          `stabilization ${STABILIZATION}):\n${formatTable(table)}`,
      );
    });

    const unitOf = (agent: string, instance: number) => `agent-${agent}@${instance}.service`;

    const varsOf = (agent: string): ScalingVars => {
      const planned = plan.agents.find((a) => a.agent.spec.name === agent)!;
      return scalingVars(planned, plan.site);
    };

    /** Which of the agent's slots run, in slot order. */
    const runningSlots = (agent: string): boolean[] =>
      plan.agents
        .find((a) => a.agent.spec.name === agent)!
        .slots.map((slot) =>
          fs.existsSync(path.join(dir, 'state', slot.server, unitOf(agent, slot.instance))),
        );

    /** Writes group_vars for `agents` (as the deploy files would) and runs reconcile.yml. */
    async function reconcile(
      agents: readonly string[],
      args: readonly string[] = [],
    ): Promise<Run> {
      const ansible = path.join(dir, 'ansible');
      fs.writeFileSync(
        path.join(ansible, 'group_vars', 'all.yml'),
        `---\n${stringify({
          agent_fleet_site: plan.site.name,
          agent_fleet_environment: plan.environment,
          agent_fleet_systemctl: 'systemctl',
          agent_fleet_agents: reconcileAgents(
            plan.agents.filter((a) => agents.includes(a.agent.spec.name)),
            plan.site,
          ),
        })}`,
      );
      const log = path.join(dir, 'state', 'calls.log');
      const before = fs.readFileSync(log, 'utf8').length;
      const child = spawn(ANSIBLE_PLAYBOOK, ['-i', 'inventory.yml', 'reconcile.yml', ...args], {
        cwd: ansible,
        env: {
          ...ansibleEnv(dir),
          ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
          ANSIBLE_PIPELINING: 'True',
          ANSIBLE_DEPRECATION_WARNINGS: 'False',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      const calls = fs.readFileSync(log, 'utf8').slice(before).split('\n').filter(Boolean);
      return { code, stdout, calls };
    }

    /** Checks one run: the chosen counts, the slots that run, and TypeScript's decision on what was read. */
    function check(
      label: string,
      run: Run,
      expected: Readonly<Record<string, number>>,
      heldSince: (agent: string) => number,
      started: number,
      ended: number = Date.now(),
    ): void {
      expect({ code: run.code, stdout: run.code === 0 ? '' : run.stdout }).toEqual({
        code: 0,
        stdout: '',
      });
      const printed = printedLines(run.stdout);
      for (const [agent, desired] of Object.entries(expected)) {
        const line = printed.get(agent);
        expect({ agent, printed: line?.line }).toEqual({ agent, printed: expect.any(String) });
        const entry = CASES.find((c) => c.agent === agent)!;
        const backlog = exporterValue(entry);
        const since = (at: number) => ((at - heldSince(agent)) / 1000).toFixed(0);
        table.push([
          label,
          agent,
          String(backlog ?? 'none'),
          `${since(started)}–${since(ended)}s`,
          String(line!.sustained),
          String(line!.stabilized),
          String(line!.current),
          String(line!.desired),
        ]);
        expect({ agent, chosen: line!.desired }).toEqual({ agent, chosen: desired });
        expect({ agent, typescript: decisionInTypeScript(varsOf(agent), line!) }).toEqual({
          agent,
          typescript: line!.desired,
        });
        const slots = runningSlots(agent);
        expect({ agent, running: slots }).toEqual({
          agent,
          running: slots.map((_, i) => i < desired),
        });
      }
    }

    const exporterValue = (entry: Case): number | undefined =>
      entry.backlog === undefined ? undefined : (entry.switchTo ?? entry.backlog);

    test('scales each agent as instanceDecision does, from what Prometheus holds', async () => {
      // Phase A: the switched backlogs change now; they are held for less than the windows.
      const switched = Date.now();
      for (const entry of CASES) {
        if (entry.switchTo !== undefined) exporters.get(entry.agent)!.set(entry.switchTo);
      }
      const phaseA = CASES.filter((c) => c.inPhaseA).map((c) => c.agent);
      const heldSince = (agent: string) =>
        CASES.find((c) => c.agent === agent)!.switchTo !== undefined ? switched : t0;
      const runA = await reconcile(phaseA);
      check('A', runA, { held: 1, drop: 2, unreachable: 2 }, heldSince, switched);
      expect(runA.calls.filter((call) => !call.includes(' is-active '))).toEqual([]);
      expect(runA.stdout).toMatch(
        /unreachable: 2 running, sustained unreadable, stabilized unreadable -> 2 \(kept: no answer from http:\/\/127\.0\.0\.1:\d+/,
      );

      // A check run decides and changes nothing.
      const dry = await reconcile(
        CASES.map((c) => c.agent),
        ['--check'],
      );
      expect(dry.code === 0 ? 'passed' : dry.stdout).toBe('passed');
      expect(dry.calls.filter((call) => !call.includes(' is-active '))).toEqual([]);
      expect(printedLines(dry.stdout).get('above')).toMatchObject({ current: 1, desired: 4 });
      expect(runningSlots('above')).toEqual([true, false, false, false]);

      // Phase B: every backlog has been held for longer than both windows.
      const wait = switched + SUSTAINED.millis + 3_000 - Date.now();
      if (wait > 0) await sleep(wait);
      /** Runs every agent once their backlogs have been held past both windows, and checks the run. */
      const reconcileB = async (label: string): Promise<Run> => {
        const started = Date.now();
        const run = await reconcile(CASES.map((c) => c.agent));
        check(
          label,
          run,
          {
            below: 1,
            at: 1,
            above: 4,
            held: 4,
            drop: 1,
            'drain-order': 1,
            wake: 1,
            idle: 0,
            unreachable: 2,
          },
          heldSince,
          started,
        );
        return run;
      };
      const runB = await reconcileB('B');
      const slots = plan.agents.find((a) => a.agent.spec.name === 'drain-order')!.slots;
      const stops = runB.calls.filter((call) => call.includes(' stop agent-drain-order@'));
      expect(stops).toEqual(
        [3, 2, 1].map((i) => `${slots[i].server} stop ${unitOf('drain-order', slots[i].instance)}`),
      );

      // A second run changes nothing.
      const runC = await reconcileB('B again');
      expect(runC.calls.filter((call) => !call.includes(' is-active '))).toEqual([]);
      expect([...runC.stdout.matchAll(/changed=(\d+)/g)].map((m) => m[1])).toEqual(['0', '0', '0']);

      // A server that cannot say which instances run: its agents are left alone, even one
      // whose instance elsewhere has stopped and would otherwise be started again.
      const aboveSlots = plan.agents.find((a) => a.agent.spec.name === 'above')!.slots;
      const crashed = aboveSlots.find((slot) => slot.server !== 'ne-warm-02')!;
      fs.rmSync(path.join(dir, 'state', crashed.server, unitOf('above', crashed.instance)));
      const hostVars = path.join(dir, 'ansible', 'host_vars');
      fs.mkdirSync(hostVars, { recursive: true });
      fs.writeFileSync(
        path.join(hostVars, 'ne-warm-02.yml'),
        '---\nagent_fleet_systemctl: /bin/false\n',
      );
      const runD = await reconcile(CASES.map((c) => c.agent));
      fs.rmSync(hostVars, { recursive: true });
      // The run fails (the timer's unit shows it) and changes nothing.
      expect(runD.code).toBe(2);
      expect(runD.calls.filter((call) => !call.includes(' is-active '))).toEqual([]);
      const alone = [
        ...runD.stdout.matchAll(
          /"msg": "([a-z-]+): left alone, ne-warm-02 did not say which instances run"/g,
        ),
      ];
      expect(alone.map((m) => m[1]).sort()).toEqual(CASES.map((c) => c.agent).sort());
    }, 600_000);
  },
);

function formatTable(rows: readonly string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A seeded pseudo-random generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

(ansibleToolsAvailable([ANSIBLE_PLAYBOOK]) ? describe : describe.skip)(
  "the reconcile playbook's decision template",
  () => {
    test('agrees with instanceDecision on 400 random inputs, every policy and selection', async () => {
      const next = random(20261207);
      const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
      const direction = () => ({
        select: pick(['Max', 'Max', 'Min', 'Disabled'] as const),
        policies: Array.from({ length: pick([0, 1, 1, 2, 2, 3]) }, () =>
          next() < 0.5
            ? { type: 'Pods' as const, value: 1 + Math.floor(next() * 5) }
            : { type: 'Percent' as const, value: pick([10, 33, 50, 100, 200]) },
        ),
      });
      const inputs = Array.from({ length: 400 }, (_, index) => {
        const target = pick([1, 7, 100, 1000]);
        const min = pick([0, 0, 1, 2, 3]);
        const value = () =>
          pick([0, target, 2 * target]) +
          (next() < 0.5
            ? Math.floor(next() * 12 * target)
            : Math.round(next() * 12 * target * 100) / 100);
        return {
          key: `case-${index}`,
          current: Math.floor(next() * 11),
          sustained: value(),
          stabilized: value(),
          value: {
            scaling: {
              min,
              max: min + Math.floor(next() * 10),
              target,
              activation: pick([0, 5, 50]),
              tolerance: 0.1,
              scale_up: direction(),
              scale_down: direction(),
            },
          },
        };
      });
      const plays = parse(reconcilePlaybook());
      const decide = plays[1].tasks.find((task: any) => task.vars?.agent_fleet_desired_count);
      const dir = tempDir('decision-template');
      fs.writeFileSync(
        path.join(dir, 'decide.yml'),
        `---\n${stringify([
          {
            name: 'Decide',
            hosts: 'localhost',
            gather_facts: false,
            tasks: [
              {
                name: 'Decide each input',
                'ansible.builtin.debug': { msg: '{{ agent_fleet_desired_count }}' },
                loop: '{{ inputs }}',
                vars: {
                  agent_fleet_current: '{{ item.current }}',
                  agent_fleet_sustained: '{{ item.sustained }}',
                  agent_fleet_stabilized: '{{ item.stabilized }}',
                  agent_fleet_desired_count: decide.vars.agent_fleet_desired_count,
                },
              },
            ],
          },
        ])}`,
      );
      fs.writeFileSync(path.join(dir, 'inputs.json'), JSON.stringify({ inputs }));
      const child = spawn(
        ANSIBLE_PLAYBOOK,
        ['-i', 'localhost,', '-e', '@inputs.json', 'decide.yml'],
        {
          cwd: dir,
          env: { ...ansibleEnv(dir), ANSIBLE_STDOUT_CALLBACK: 'json' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code === 0 ? 'passed' : stdout).toBe('passed');
      const results = JSON.parse(stdout).plays[0].tasks[0].hosts.localhost.results as {
        msg: string;
      }[];
      const disagreements = inputs
        .map((input, index) => {
          const s = input.value.scaling;
          const expected = instanceDecision({
            sustained: input.sustained,
            stabilized: input.stabilized,
            targetPerInstance: s.target,
            current: input.current,
            minInstances: s.min,
            maxInstances: s.max,
            activation: s.activation,
            scaleUp: rules(s.scale_up),
            scaleDown: rules(s.scale_down),
            tolerance: s.tolerance,
          });
          return { input, expected, jinja: Number(results[index].msg) };
        })
        .filter((row) => row.expected !== row.jinja);
      expect(disagreements).toEqual([]);
    }, 240_000);
  },
);

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { Progress, startProgress } from '../app/progress';
import { ESTATE_TARGETS, estateRunCount, formatEstate, runEstateCase } from './bench/estate';
import { writeBenchFleet } from './bench/generate';
import {
  canMeasureMemory,
  mainRun,
  Measure,
  measure,
  ROOT,
  synthCommand,
  SynthCommand,
  nodeArguments,
  table,
  verdict,
} from './bench/measure';

/**
 * `npm run bench [-- --sizes 10,100,1000] [--runs 3] [--cases fleet,estate] [--estate 50x200]`:
 * how synth time and memory grow with the fleet, against plain cdktf
 * declaring as many resources, and what an estate of many sites costs.
 *
 * The `fleet` case, per size, in a temporary directory (never in
 * `environments/`): a catalogue of that many agent types and one environment
 * placing them all on a Kubernetes site, synthesized by `main.ts` in a child
 * process; then `scripts/bench-plain.ts` declaring the same number of resources
 * directly with the provider classes, as cdktf ships and with the runtime
 * tuning synth applies (app/runtime-tuning.ts). Wall time is measured here,
 * peak memory (maximum resident set) by `/usr/bin/time` when it exists. Then
 * the simulation of the largest size, and the example environments' synth
 * (what `npm run synth` does). The `estate` case (scripts/bench/estate.ts): an
 * estate of sites × agent types each, synthesized whole and one site alone,
 * an agent type added, an AWS site's infra stack planned offline. Each figure
 * is the median of `--runs` runs (default 3). Progress goes to stderr, the
 * figures to stdout.
 */

const DEFAULT_SIZES = [10, 100, 1000];
const DEFAULT_RUNS = 3;
const CASES = ['fleet', 'estate'] as const;
type Case = (typeof CASES)[number];

/** Targets, as the README states them. */
const TARGETS = {
  exampleSeconds: 3,
  msPerResource: 1,
  peakMb: 1024,
  atAgents: 1000,
  simulateSeconds: 5,
};

/** What a case prints: its figures, then its lines under "targets". */
interface CaseReport {
  readonly figures: string[];
  readonly targets: string[];
}

/** Reports a case's steps and runs. */
interface Steps {
  /** A step starts: a line of its own, and the detail of the progress line. */
  step(detail: string): void;
  /** A measured run is done. */
  run(): void;
}

/**
 * The median seconds `simulateEnvironment` takes over a synthesized output's
 * `bench` environment: 24 hours of the daily shape at the controllers' own
 * step (15 s here), each run in a process of its own, as synth is measured,
 * the reading of the output not counted (scripts/bench/simulate-once.ts).
 */
function measureSimulation(
  command: SynthCommand,
  outdir: string,
  runs: number,
  onRun: () => void,
): { seconds: number; agents: number } {
  const measured = Array.from({ length: runs }, () => {
    const child = spawnSync(
      process.execPath,
      nodeArguments({ command, script: 'scripts/bench/simulate-once.ts', args: [outdir] }),
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    if (child.status !== 0) throw new Error(`simulate-once failed:\n${child.stderr}`);
    const [seconds, agents] = child.stdout.trim().split(' ').map(Number);
    onRun();
    return { seconds, agents };
  });
  measured.sort((a, b) => a.seconds - b.seconds);
  return measured[Math.floor((runs - 1) / 2)];
}

/** The value of `--<name> <value>` or `--<name>=<value>`, if given. */
function option(argv: readonly string[], name: string): string | undefined {
  const at = argv.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  return (argv[at].includes('=') ? argv[at].split('=')[1] : argv[at + 1]) ?? '';
}

function parseSizes(argv: readonly string[]): number[] {
  const value = option(argv, 'sizes');
  if (value === undefined) return DEFAULT_SIZES;
  const sizes = value.split(',').map(Number);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--sizes takes positive whole numbers separated by commas, e.g. 10,100,1000`);
  }
  return sizes;
}

function parseRuns(argv: readonly string[]): number {
  const value = option(argv, 'runs');
  if (value === undefined) return DEFAULT_RUNS;
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive whole number');
  return runs;
}

function parseCases(argv: readonly string[]): Case[] {
  const value = option(argv, 'cases');
  if (value === undefined) return [...CASES];
  const cases = value.split(',');
  const unknown = cases.filter((name) => !(CASES as readonly string[]).includes(name));
  if (cases.length === 0 || unknown.length > 0) {
    throw new Error(`--cases takes ${CASES.join(', ')} separated by commas, e.g. --cases estate`);
  }
  return CASES.filter((name) => cases.includes(name));
}

/** `--estate <sites>x<agent types>`, e.g. 50x200. */
function parseEstate(argv: readonly string[]): { sites: number; agentTypes: number } {
  const value = option(argv, 'estate');
  if (value === undefined) {
    return { sites: ESTATE_TARGETS.sites, agentTypes: ESTATE_TARGETS.agentTypes };
  }
  const [sites, agentTypes, ...rest] = value.split('x').map(Number);
  if (rest.length > 0 || ![sites, agentTypes].every((n) => Number.isInteger(n) && n >= 1)) {
    throw new Error('--estate takes <sites>x<agent types>, e.g. 50x200');
  }
  return { sites, agentTypes };
}

const msPerResource = (m: Measure) => (m.seconds * 1000) / Math.max(m.resources, 1);
/** Milliseconds each resource added from `a` to `b` cost. */
const marginal = (a: Measure, b: Measure) =>
  ((b.seconds - a.seconds) * 1000) / Math.max(b.resources - a.resources, 1);
const mb = (m: Measure) => (m.peakMb === undefined ? 'n/a' : m.peakMb.toFixed(0));

/** Measured runs of the fleet case. */
const fleetRunCount = (sizes: readonly number[], runs: number) => (sizes.length * 3 + 2) * runs;

/**
 * The fleet case: per size our synth, plain cdktf and tuned plain cdktf; the
 * simulation of the largest size; the example environments.
 */
function runFleetCase(
  sizes: readonly number[],
  runs: number,
  synth: SynthCommand,
  work: string,
  steps: Steps,
): CaseReport {
  const tuning = pathToFileURL(path.join(ROOT, 'app/tune-for-synth.ts')).href;
  const results: { agents: number; ours: Measure; plain: Measure; tuned: Measure }[] = [];
  for (const agents of sizes) {
    const rootDir = path.join(work, `fleet-${agents}`);
    writeBenchFleet(rootDir, agents);
    steps.step(`synthesizing ${agents} agent type(s), ${runs} run(s)...`);
    const outdir = path.join(rootDir, 'cdktf.out');
    const ours = measure(runs, mainRun(synth, rootDir, outdir), steps.run);
    steps.step(`plain cdktf, ${ours.resources} resources...`);
    const plainOut = path.join(rootDir, 'plain.out');
    const plainRun = {
      script: 'scripts/bench-plain.ts',
      args: [String(ours.resources), plainOut],
      outdir: plainOut,
    };
    // The same node flags: the comparison is of the programs, not of node's settings.
    const plain = measure(runs, { ...plainRun, command: synth }, steps.run);
    steps.step(`plain cdktf with synth's runtime tuning, ${ours.resources} resources...`);
    const tuned = measure(
      runs,
      { ...plainRun, command: synth, extraFlags: ['--import', tuning] },
      steps.run,
    );
    results.push({ agents, ours, plain, tuned });
  }

  const largestSize = sizes[sizes.length - 1];
  steps.step(`simulating 24 h of ${largestSize} agent type(s), ${runs} run(s)...`);
  const simulation = measureSimulation(
    synth,
    path.join(work, `fleet-${largestSize}`, 'cdktf.out'),
    runs,
    steps.run,
  );

  steps.step(`example environments, ${runs} run(s)...`);
  const examplesOut = path.join(work, 'examples.out');
  const examples = measure(runs, mainRun(synth, ROOT, examplesOut), steps.run);

  const figures = [
    table(
      [
        'agent types',
        'wall s',
        'peak MB',
        'resources',
        'ms/resource',
        'ms/added resource',
        'plain wall s',
        'plain peak MB',
        'plain ms/resource',
        'ratio',
        'tuned plain ms/resource',
        'tuned ratio',
      ],
      results.map(({ agents, ours, plain, tuned }, i) => [
        String(agents),
        ours.seconds.toFixed(2),
        mb(ours),
        String(ours.resources),
        msPerResource(ours).toFixed(2),
        i === 0 ? '' : marginal(results[i - 1].ours, ours).toFixed(2),
        plain.seconds.toFixed(2),
        mb(plain),
        msPerResource(plain).toFixed(2),
        `${(ours.seconds / plain.seconds).toFixed(2)}x`,
        msPerResource(tuned).toFixed(2),
        `${(ours.seconds / tuned.seconds).toFixed(2)}x`,
      ]),
    ),
    `median of ${runs} run(s) per figure; ` +
      'ms/added resource: wall time per resource added since the previous size; ' +
      'ratio: our wall time over plain cdktf declaring as many resources; ' +
      'tuned: plain cdktf without creation stacks and source maps, as synth runs\n',
    `example environments (npm run synth): median ${examples.seconds.toFixed(2)} s of ` +
      `${examples.all.map((s) => s.toFixed(2)).join(', ')}` +
      (examples.peakMb === undefined ? '' : `, peak ${mb(examples)} MB`) +
      `, ${examples.resources} resources`,
    `simulation (npm run simulate): 24 h of the daily shape at the controllers' own step for ${simulation.agents} agent(s): median ${simulation.seconds.toFixed(2)} s`,
  ];

  const targets = [
    `  example environments under ${TARGETS.exampleSeconds} s: ` +
      `${examples.seconds.toFixed(2)} s ${verdict(examples.seconds < TARGETS.exampleSeconds)}`,
  ];
  if (largestSize >= TARGETS.atAgents) {
    targets.push(
      `  simulating 24 h of ${largestSize} agent types under ${TARGETS.simulateSeconds} s: ` +
        `${simulation.seconds.toFixed(2)} s ${verdict(simulation.seconds < TARGETS.simulateSeconds)}`,
    );
  }
  const atTarget = results.find((r) => r.agents === TARGETS.atAgents);
  if (atTarget) {
    const ms = msPerResource(atTarget.ours);
    targets.push(
      `  <= ${TARGETS.msPerResource} ms/resource at ${TARGETS.atAgents} agent types: ` +
        `${ms.toFixed(2)} ${verdict(ms <= TARGETS.msPerResource)}`,
    );
    if (atTarget.ours.peakMb !== undefined) {
      targets.push(
        `  < 1 GB at ${TARGETS.atAgents} agent types: ${mb(atTarget.ours)} MB ` +
          verdict(atTarget.ours.peakMb < TARGETS.peakMb),
      );
    }
  } else {
    targets.push(`  (run size ${TARGETS.atAgents} for the ms/resource and memory targets)`);
  }
  const largest = results[results.length - 1];
  const ratio = largest.ours.seconds / largest.plain.seconds;
  targets.push(
    `  no worse than plain cdktf at ${largest.agents} agent types: ${ratio.toFixed(2)}x ` +
      verdict(ratio <= 1),
  );
  if (results.length >= 3) {
    // Cost of each added resource between consecutive sizes: constant when growth is linear.
    const costs = results.slice(1).map((r, i) => marginal(results[i].ours, r.ours));
    const [first, last] = [costs[0], costs[costs.length - 1]];
    targets.push(
      `  linear growth (ms per added resource within 1.25x from the smallest to the largest step): ` +
        `${first.toFixed(2)} to ${last.toFixed(2)} ${verdict(last <= first * 1.25)}`,
    );
  } else {
    targets.push('  (run three sizes or more to judge linear growth)');
  }
  return { figures, targets };
}

/** Steps reported through a progress line that counts measured runs. */
function progressSteps(progress: Progress): Steps {
  let done = 0;
  let detail = '';
  return {
    step(message) {
      progress.log(message);
      detail = message.replace(/\.\.\.$/, '');
      progress.update(done, detail);
    },
    run() {
      progress.update(++done, detail);
    },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  let sizes: number[];
  let runs: number;
  let cases: Case[];
  let estate: { sites: number; agentTypes: number };
  try {
    sizes = parseSizes(argv);
    runs = parseRuns(argv);
    cases = parseCases(argv);
    estate = parseEstate(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const synth = synthCommand();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-fleet-bench-'));
  const started = Date.now();
  const progress = startProgress({
    label: 'bench',
    total:
      (cases.includes('fleet') ? fleetRunCount(sizes, runs) : 0) +
      (cases.includes('estate') ? estateRunCount(runs) : 0),
    unit: 'runs',
  });
  const steps = progressSteps(progress);
  try {
    if (!canMeasureMemory()) progress.log('/usr/bin/time not found: peak memory is not measured');
    const reports: CaseReport[] = [];
    if (cases.includes('fleet')) reports.push(runFleetCase(sizes, runs, synth, work, steps));
    if (cases.includes('estate')) {
      const result = await runEstateCase({
        ...estate,
        runs,
        command: synth,
        work,
        onStep: (detail) => steps.step(`${detail}...`),
        onRun: () => steps.run(),
      });
      reports.push(formatEstate(result));
    }
    progress.finish(`${cases.join(' and ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    console.log(reports.map((report) => report.figures.join('\n')).join('\n\n'));
    console.log('\ntargets');
    for (const report of reports) for (const line of report.targets) console.log(line);
    return 0;
  } catch (error) {
    progress.finish('failed');
    console.error((error as Error).message);
    return 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';
import { DEBUG_ENV } from '../app/runtime-tuning';
import { writeBenchFleet } from './bench/generate';

/**
 * `npm run bench [-- --sizes 10,100,1000]`: how synth time and memory grow
 * with the fleet, against plain cdktf declaring as many resources.
 *
 * Per size, in a temporary directory (never in `environments/`): a catalogue
 * of that many agent types and one environment placing them all on a
 * Kubernetes site, synthesized by `main.ts` in a child process; then
 * `scripts/bench-plain.ts` declaring the same number of resources directly
 * with the provider classes, as cdktf ships and with the runtime tuning synth
 * applies (app/runtime-tuning.ts). Wall time is measured here, peak memory (maximum
 * resident set) by `/usr/bin/time` when it exists. Last, the example
 * environments' synth (what `npm run synth` does). Each figure is the median
 * of `--runs` runs (default 3).
 */

const ROOT = path.resolve(__dirname, '..');
const TIME = '/usr/bin/time';
const DEFAULT_SIZES = [10, 100, 1000];
const DEFAULT_RUNS = 3;

/** Targets, as the README states them. */
const TARGETS = {
  exampleSeconds: 3,
  msPerResource: 1,
  peakMb: 1024,
  atAgents: 1000,
  simulateSeconds: 5,
};

/**
 * The median seconds `simulateEnvironment` takes over a synthesized output's
 * `bench` environment: 24 hours of the daily shape at the controllers' own
 * step (15 s here), each run in a process of its own, as synth is measured,
 * the reading of the output not counted (scripts/bench/simulate-once.ts).
 */
function measureSimulation(
  nodeFlags: readonly string[],
  outdir: string,
  runs: number,
): { seconds: number; agents: number } {
  const measured = Array.from({ length: runs }, () => {
    const child = spawnSync(
      process.execPath,
      [...nodeFlags, 'scripts/bench/simulate-once.ts', outdir],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    if (child.status !== 0) throw new Error(`simulate-once failed:\n${child.stderr}`);
    const [seconds, agents] = child.stdout.trim().split(' ').map(Number);
    return { seconds, agents };
  });
  measured.sort((a, b) => a.seconds - b.seconds);
  return measured[Math.floor((runs - 1) / 2)];
}

interface Measure {
  readonly seconds: number;
  /** Peak resident set in MB, when `/usr/bin/time` exists. */
  readonly peakMb?: number;
  readonly resources: number;
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

/**
 * Node's flags of `npm run synth`, read from package.json, so that the
 * benchmark measures what users run (e.g. `node --max-semi-space-size=64 --import tsx main.ts`).
 */
function synthNodeFlags(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const words = String(manifest.scripts.synth).split(/\s+/);
  if (words[0] !== 'node' || words[words.length - 1] !== 'main.ts') {
    throw new Error(`the synth script is not 'node <flags> main.ts': ${manifest.scripts.synth}`);
  }
  return words.slice(1, -1);
}

/** Runs a TypeScript file with node and the given flags in a child process and measures it. */
function measureOnce(
  nodeFlags: readonly string[],
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  outdir: string,
): Measure {
  fs.rmSync(outdir, { recursive: true, force: true });
  const command = [process.execPath, ...nodeFlags, script, ...args];
  const timeFile = path.join(os.tmpdir(), `agent-fleet-bench-time-${process.pid}`);
  // A debugging session's switch must not leak into what is measured.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== DEBUG_ENV),
  );
  const timed = fs.existsSync(TIME);
  const start = process.hrtime.bigint();
  const [program, ...programArgs] = timed
    ? [TIME, '-f', '%e %M', '-o', timeFile, ...command]
    : command;
  const child = spawnSync(program, programArgs, {
    cwd: ROOT,
    env: { ...inherited, ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.status !== 0) {
    const output = `${child.stdout ?? ''}${child.stderr ?? ''}`.trim().split('\n').slice(-20);
    throw new Error(`${path.basename(script)} ${args.join(' ')} failed:\n${output.join('\n')}`);
  }
  let peakMb: number | undefined;
  if (timed) {
    const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    fs.rmSync(timeFile, { force: true });
    const kb = Number(last.split(' ')[1]);
    if (Number.isFinite(kb)) peakMb = kb / 1024;
  }
  return { seconds, peakMb, resources: countResources(outdir) };
}

/** The run of median wall time among `runs` runs (their peak memory is of that run). */
function measure(
  runs: number,
  ...args: Parameters<typeof measureOnce>
): Measure & { all: number[] } {
  const measured = Array.from({ length: runs }, () => measureOnce(...args));
  const sorted = [...measured].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor((runs - 1) / 2)], all: measured.map((m) => m.seconds) };
}

/** Terraform resources in every `stacks/<stack>/cdk.tf.json` under `outdir`. */
function countResources(outdir: string): number {
  const stacks = path.join(outdir, 'stacks');
  let count = 0;
  for (const stack of fs.readdirSync(stacks)) {
    const file = path.join(stacks, stack, 'cdk.tf.json');
    if (!fs.existsSync(file)) continue;
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      resource?: Record<string, Record<string, unknown>>;
    };
    for (const byName of Object.values(json.resource ?? {})) count += Object.keys(byName).length;
  }
  return count;
}

const msPerResource = (m: Measure) => (m.seconds * 1000) / Math.max(m.resources, 1);
/** Milliseconds each resource added from `a` to `b` cost. */
const marginal = (a: Measure, b: Measure) =>
  ((b.seconds - a.seconds) * 1000) / Math.max(b.resources - a.resources, 1);
const mb = (m: Measure) => (m.peakMb === undefined ? 'n/a' : m.peakMb.toFixed(0));
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function main(argv: readonly string[]): number {
  const sizes = parseSizes(argv);
  const runs = parseRuns(argv);
  const synthFlags = synthNodeFlags();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-fleet-bench-'));
  const progress = (message: string) => process.stderr.write(`${message}\n`);
  try {
    if (!fs.existsSync(TIME)) progress(`${TIME} not found: peak memory is not measured`);
    const tuning = pathToFileURL(path.join(ROOT, 'app/tune-for-synth.ts')).href;
    const results: { agents: number; ours: Measure; plain: Measure; tuned: Measure }[] = [];
    for (const agents of sizes) {
      const rootDir = path.join(work, `fleet-${agents}`);
      writeBenchFleet(rootDir, agents);
      progress(`synthesizing ${agents} agent type(s), ${runs} run(s)...`);
      const ours = measure(
        runs,
        synthFlags,
        'main.ts',
        [],
        {
          FLEET_ROOT: rootDir,
          FLEET_ENVIRONMENTS: '',
          CDKTF_OUTDIR: path.join(rootDir, 'cdktf.out'),
        },
        path.join(rootDir, 'cdktf.out'),
      );
      progress(`plain cdktf, ${ours.resources} resources...`);
      const plainOut = path.join(rootDir, 'plain.out');
      const plain = measure(
        runs,
        // The same node flags: the comparison is of the programs, not of node's settings.
        synthFlags,
        'scripts/bench-plain.ts',
        [String(ours.resources), plainOut],
        {},
        plainOut,
      );
      progress(`plain cdktf with synth's runtime tuning, ${ours.resources} resources...`);
      const tuned = measure(
        runs,
        [...synthFlags, '--import', tuning],
        'scripts/bench-plain.ts',
        [String(ours.resources), plainOut],
        {},
        plainOut,
      );
      results.push({ agents, ours, plain, tuned });
    }

    const largestSize = sizes[sizes.length - 1];
    progress(`simulating 24 h of ${largestSize} agent type(s), ${runs} run(s)...`);
    const simulation = measureSimulation(
      synthFlags,
      path.join(work, `fleet-${largestSize}`, 'cdktf.out'),
      runs,
    );

    progress(`example environments, ${runs} run(s)...`);
    const examplesOut = path.join(work, 'examples.out');
    const examples = measure(
      runs,
      synthFlags,
      'main.ts',
      [],
      { FLEET_ROOT: ROOT, FLEET_ENVIRONMENTS: '', CDKTF_OUTDIR: examplesOut },
      examplesOut,
    );

    console.log(
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
    );
    console.log(
      `median of ${runs} run(s) per figure; ` +
        'ms/added resource: wall time per resource added since the previous size; ' +
        'ratio: our wall time over plain cdktf declaring as many resources; ' +
        'tuned: plain cdktf without creation stacks and source maps, as synth runs\n',
    );

    const exampleSeconds = examples.seconds;
    console.log(
      `example environments (npm run synth): median ${exampleSeconds.toFixed(2)} s of ` +
        `${examples.all.map((s) => s.toFixed(2)).join(', ')}` +
        (examples.peakMb === undefined ? '' : `, peak ${mb(examples)} MB`) +
        `, ${examples.resources} resources`,
    );

    console.log(
      `simulation (npm run simulate): 24 h of the daily shape at the controllers' own step for ${simulation.agents} agent(s): median ${simulation.seconds.toFixed(2)} s`,
    );

    console.log('\ntargets');
    console.log(
      `  example environments under ${TARGETS.exampleSeconds} s: ` +
        `${exampleSeconds.toFixed(2)} s ${verdict(exampleSeconds < TARGETS.exampleSeconds)}`,
    );
    if (largestSize >= TARGETS.atAgents) {
      console.log(
        `  simulating 24 h of ${largestSize} agent types under ${TARGETS.simulateSeconds} s: ` +
          `${simulation.seconds.toFixed(2)} s ${verdict(simulation.seconds < TARGETS.simulateSeconds)}`,
      );
    }
    const atTarget = results.find((r) => r.agents === TARGETS.atAgents);
    if (atTarget) {
      const ms = msPerResource(atTarget.ours);
      console.log(
        `  <= ${TARGETS.msPerResource} ms/resource at ${TARGETS.atAgents} agent types: ` +
          `${ms.toFixed(2)} ${verdict(ms <= TARGETS.msPerResource)}`,
      );
      if (atTarget.ours.peakMb !== undefined) {
        console.log(
          `  < 1 GB at ${TARGETS.atAgents} agent types: ${mb(atTarget.ours)} MB ` +
            verdict(atTarget.ours.peakMb < TARGETS.peakMb),
        );
      }
    } else {
      console.log(`  (run size ${TARGETS.atAgents} for the ms/resource and memory targets)`);
    }
    const largest = results[results.length - 1];
    const ratio = largest.ours.seconds / largest.plain.seconds;
    console.log(
      `  no worse than plain cdktf at ${largest.agents} agent types: ${ratio.toFixed(2)}x ` +
        verdict(ratio <= 1),
    );
    if (results.length >= 3) {
      // Cost of each added resource between consecutive sizes: constant when growth is linear.
      const costs = results.slice(1).map((r, i) => marginal(results[i].ours, r.ours));
      const [first, last] = [costs[0], costs[costs.length - 1]];
      console.log(
        `  linear growth (ms per added resource within 1.25x from the smallest to the largest step): ` +
          `${first.toFixed(2)} to ${last.toFixed(2)} ${verdict(last <= first * 1.25)}`,
      );
    } else {
      console.log('  (run three sizes or more to judge linear growth)');
    }
    return 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

process.exitCode = main(process.argv.slice(2));

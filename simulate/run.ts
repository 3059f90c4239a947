import { formatProblem } from '../config/problems';
import { OutputDir, ReviewError } from '../output/files';
import { loadSynthOutput } from '../output/load';
import type { ReviewedFleet, StackJson } from '../output/schema';
import { AgentRun, simulate, SimulationOptions } from './engine';
import { AnsibleByStack, prepareEnvironment, PreparedEnvironment } from './inputs';
import {
  isShapeName,
  LoadSeries,
  LoadShape,
  readLoadCsv,
  shapeAt,
  SHAPE_DEFAULTS,
  SignalScales,
  Trace,
  traceLoad,
} from './load';
import { chartOf, formatDuration, SUMMARY_HEADER, summaryCells, table, xyCharts } from './report';
import { renderSvgChart } from './svg-chart';

/** Options of `npm run simulate`. */
export interface SimulateOptions {
  /** Synthesized output to read. @default 'cdktf.out' */
  readonly synth?: string;
  /** The environment to simulate. */
  readonly env: string;
  /**
   * A built-in shape (`burst`, `ramp`, `daily`, `spike`, with its defaults)
   * or the path of a CSV trace, relative to `root`.
   * @default - the environment's `loadProfile`, else 'burst'
   */
  readonly load?: string;
  /** Where `<env>.md`, `<env>.json` and the SVG charts go. @default 'simulate-out' */
  readonly out?: string;
  /** Simulated time, e.g. `6h`. @default - 24h for a daily shape, the trace's length and 1h more, else 6h */
  readonly duration?: string;
  /** Directory traces are read from. @default '.' */
  readonly root?: string;
}

/** A simulated environment. */
export interface SimulationResult {
  readonly environment: string;
  readonly load: string;
  readonly durationSeconds: number;
  readonly prepared: PreparedEnvironment;
  readonly runs: readonly AgentRun[];
}

/** The start of every simulation: a Monday at midnight UTC, for cron windows. */
export const SIMULATION_START = Date.UTC(2026, 0, 5);

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** `6h`, `90m`, `1h30m` in seconds; at most 7 days. */
export function parseSimulatedDuration(text: string): number {
  const match = DURATION.exec(text);
  const seconds = match
    ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)
    : 0;
  if (!match || text === '' || seconds <= 0 || seconds > 7 * 86_400) {
    throw new ReviewError(
      `--duration '${text}' is not a duration from 1s to 168h, e.g. '6h', '90m' or '1h30m'`,
    );
  }
  return seconds;
}

/** The load chosen: a shape or a trace, per-signal scales, and the duration it suggests. */
interface LoadChoice {
  /** How the load is named in the report. */
  readonly name: string;
  readonly shape?: LoadShape;
  readonly trace?: Trace;
  readonly signals?: SignalScales;
  readonly suggested: number;
}

function traceChoice(file: string, root: string, signals?: SignalScales): LoadChoice {
  const read = readLoadCsv(root, file);
  if ('refused' in read) throw new ReviewError(`load trace: ${read.refused}`);
  if ('problems' in read) throw new ReviewError(read.problems.map(formatProblem).join('\n'));
  const times = read.trace.times;
  const last = times.length > 0 ? times[times.length - 1] : 0;
  return {
    name: file,
    trace: read.trace,
    ...(signals ? { signals } : {}),
    suggested: Math.min(7 * 86_400, Math.ceil(last) + 3600),
  };
}

const suggestedFor = (shape: LoadShape) => (shape.shape === 'daily' ? 86_400 : 6 * 3600);

/**
 * `--load` when given (a shape's name with its defaults, or a `.csv` trace),
 * else the environment's `loadProfile`, else a burst.
 */
function chooseLoad(load: string | undefined, fleet: ReviewedFleet, root: string): LoadChoice {
  if (load === undefined && fleet.loadProfile) {
    const profile = fleet.loadProfile;
    const signals = profile.signals;
    if ('trace' in profile) return traceChoice(profile.trace, root, signals);
    return {
      name: `loadProfile (${profile.shape.shape})`,
      shape: profile.shape,
      ...(signals ? { signals } : {}),
      suggested: suggestedFor(profile.shape),
    };
  }
  const name = load ?? 'burst';
  if (isShapeName(name)) {
    return { name, shape: SHAPE_DEFAULTS[name], suggested: suggestedFor(SHAPE_DEFAULTS[name]) };
  }
  if (!name.endsWith('.csv')) {
    throw new ReviewError(
      `--load '${name}' is neither a shape (burst, ramp, daily, spike) nor a .csv trace`,
    );
  }
  return traceChoice(name, root);
}

/**
 * Simulates one environment of a synthesized output under a load: per agent,
 * the load series of its signal (a shape's multiples of what one replica
 * handles, or a trace's column; no load where a trace has no column).
 * Agents on warm servers scale by their hosts stack's reconcile vars, read
 * from `options.ansible` (the Ansible files by stack id).
 */
export function simulateEnvironment(
  fleet: ReviewedFleet,
  stacks: ReadonlyMap<string, StackJson>,
  load: string | undefined,
  options: {
    root?: string;
    duration?: string;
    ansible?: AnsibleByStack;
  } = {},
): SimulationResult {
  const source = chooseLoad(load, fleet, options.root ?? '.');
  const durationSeconds = options.duration
    ? parseSimulatedDuration(options.duration)
    : source.suggested;
  const prepared = prepareEnvironment(fleet, stacks, options.ansible);
  const traced = source.trace && traceLoad(source.trace, source.signals);
  const seriesOf = ({ spec }: PreparedEnvironment['agents'][number]): LoadSeries => {
    if (source.shape) {
      const shape = source.shape;
      const reference =
        spec.measures === 'query' ? (queryTarget(spec.scaler) ?? spec.perReplica) : spec.perReplica;
      const scales = source.signals;
      const scale = scales && Object.hasOwn(scales, spec.signal) ? scales[spec.signal].scale : 1;
      return (t) => reference * scale * shapeAt(shape, t);
    }
    if (traced && traced.signals?.includes(spec.signal)) return traced.series(spec.signal);
    return () => 0;
  };
  const simulation: SimulationOptions = { durationSeconds, startMs: SIMULATION_START };
  const runs = simulate(
    prepared.agents.map((agent) => ({ spec: agent.spec, load: seriesOf(agent) })),
    prepared.pools,
    simulation,
  );
  return { environment: fleet.environment, load: source.name, durationSeconds, prepared, runs };
}

function queryTarget(
  scaler: PreparedEnvironment['agents'][number]['spec']['scaler'],
): number | undefined {
  if (scaler.kind === 'reconcile') return scaler.targetPerInstance ?? undefined;
  if (scaler.kind !== 'keda') return undefined;
  const metric = scaler.triggers.find((trigger) => trigger.kind === 'metric');
  return metric?.kind === 'metric' ? metric.target : undefined;
}

/** `<env>.md`: the figures per agent, the assumptions, and a chart per agent. */
export function renderSimulation(result: SimulationResult): string {
  const out = [
    `# Scaling simulation: ${result.environment}`,
    `Load \`${result.load}\` over ${formatDuration(result.durationSeconds)}, from a Monday 00:00 UTC, through the scaling the synthesized stacks deploy.`,
    '## Summary',
    table(
      ['agent', 'site', ...SUMMARY_HEADER],
      result.runs.map((run) => [`\`${run.agent}\``, run.site, ...summaryCells(run.summary)]),
    ),
  ];
  const assumed = result.prepared.agents.filter((agent) => agent.assumed);
  if (assumed.length > 0) {
    out.push(
      '## Assumed',
      assumed
        .map((agent) => `- \`${agent.spec.agent}\` on ${agent.spec.site}: ${agent.assumed}`)
        .join('\n'),
    );
  }
  if (result.prepared.skipped.length > 0) {
    out.push(
      '## Not simulated',
      result.prepared.skipped
        .map((skip) => `- \`${skip.agent}\` on ${skip.site}: ${skip.why}`)
        .join('\n'),
    );
  }
  out.push('## Charts');
  for (const run of result.runs) {
    out.push(`### \`${run.agent}\` on ${run.site}`, xyCharts(chartOf(run)));
  }
  return `${out.join('\n\n')}\n`;
}

/**
 * `npm run simulate`: reads the synthesized output, simulates the
 * environment, and writes `<env>.md`, `<env>.json` (the figures) and one SVG
 * chart per agent (`<env>.<agent>.<site>.svg`) into `out` only.
 * @returns the files written
 * @throws ReviewError when the output, the load or an option is refused
 */
export function runSimulation(options: SimulateOptions): string[] {
  const output = loadSynthOutput(options.synth ?? 'cdktf.out', '--synth');
  const fleet = Object.hasOwn(output.fleet.environments, options.env)
    ? output.fleet.environments[options.env]
    : undefined;
  if (!fleet) {
    throw new ReviewError(
      `--env '${options.env}' is not an environment of the output (has: ${Object.keys(output.fleet.environments).join(', ')})`,
    );
  }
  const result = simulateEnvironment(fleet, output.stacks, options.load, {
    ansible: output.ansible,
    ...(options.root !== undefined ? { root: options.root } : {}),
    ...(options.duration !== undefined ? { duration: options.duration } : {}),
  });
  const out = OutputDir.open(options.out ?? 'simulate-out', '--out');
  const files = [out.write(`${options.env}.md`, renderSimulation(result))];
  files.push(
    out.write(
      `${options.env}.json`,
      `${JSON.stringify(
        {
          environment: result.environment,
          load: result.load,
          durationSeconds: result.durationSeconds,
          agents: result.runs.map((run) => ({ agent: run.agent, site: run.site, ...run.summary })),
          assumed: result.prepared.agents
            .filter((agent) => agent.assumed)
            .map((agent) => ({
              agent: agent.spec.agent,
              site: agent.spec.site,
              assumed: agent.assumed,
            })),
          skipped: result.prepared.skipped,
        },
        null,
        2,
      )}\n`,
    ),
  );
  for (const run of result.runs) {
    files.push(
      out.write(`${options.env}.${run.agent}.${run.site}.svg`, renderSvgChart(chartOf(run))),
    );
  }
  return files;
}

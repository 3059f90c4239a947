import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEBUG_ENV } from '../../app/runtime-tuning';

/** The project's directory: where the measured commands run. */
export const ROOT = path.resolve(__dirname, '../..');
const TIME = '/usr/bin/time';

/** Whether `/usr/bin/time` is there to measure peak memory. */
export const canMeasureMemory = (): boolean => fs.existsSync(TIME);

/** One timed run of a command. */
export interface Measure {
  readonly seconds: number;
  /** Peak resident set in MB, when `/usr/bin/time` exists. */
  readonly peakMb?: number;
  /** Terraform resources in the output directory, when it has stacks. */
  readonly resources: number;
}

/** A TypeScript file run by node in a child process. */
export interface Run {
  /** How `npm run synth` runs ({@link synthCommand}): its node flags apply to every run. */
  readonly command: SynthCommand;
  /** Node flags on top of the command's. */
  readonly extraFlags?: readonly string[];
  /** The file, relative to the project: `main.ts` runs as `npm run synth` runs it, others through tsx. */
  readonly script: string;
  readonly args?: readonly string[];
  /** Variables on top of this process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** The output directory its resources are counted in. */
  readonly outdir: string;
  /** Remove `outdir` before the run. @default true */
  readonly fresh?: boolean;
}

/** How `npm run synth` runs main.ts: `node <nodeFlags> <launcher> main.ts`. */
export interface SynthCommand {
  readonly nodeFlags: readonly string[];
  /** The script that runs main.ts (scripts/launch.cjs). */
  readonly launcher: string;
}

/**
 * The command of `npm run synth`, read from package.json, so that the
 * benchmark measures what users run (`node <flags> scripts/launch.cjs main.ts`).
 */
export function synthCommand(): SynthCommand {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const words = String(manifest.scripts.synth).split(/\s+/);
  if (words.length < 3 || words[0] !== 'node' || words[words.length - 1] !== 'main.ts') {
    throw new Error(
      `the synth script is not 'node <flags> <launcher> main.ts': ${manifest.scripts.synth}`,
    );
  }
  return { nodeFlags: words.slice(1, -2), launcher: words[words.length - 2] };
}

/**
 * main.ts run as `npm run synth` runs it, over the fleet under `root`, writing
 * to `outdir`: every environment unless `args` names some, whatever
 * `FLEET_ENVIRONMENTS` this process has; `env` is added on top.
 */
export function mainRun(
  command: SynthCommand,
  root: string,
  outdir: string,
  options: Pick<Run, 'args' | 'env' | 'fresh'> = {},
): Run {
  return {
    command,
    script: 'main.ts',
    args: options.args,
    env: { FLEET_ROOT: root, FLEET_ENVIRONMENTS: '', CDKTF_OUTDIR: outdir, ...options.env },
    outdir,
    fresh: options.fresh,
  };
}

/** Node's arguments for a run: tsx's loader comes before any extra `--import` of TypeScript. */
export function nodeArguments(run: Omit<Run, 'outdir'>): string[] {
  const extra = run.extraFlags ?? [];
  const args = run.args ?? [];
  return run.script === 'main.ts'
    ? [...run.command.nodeFlags, ...extra, run.command.launcher, 'main.ts', ...args]
    : [...run.command.nodeFlags, '--import', 'tsx', ...extra, run.script, ...args];
}

/** Removes an output directory, and what it links to when synth made it a link. */
function removeOutput(outdir: string): void {
  if (fs.lstatSync(outdir, { throwIfNoEntry: false })?.isSymbolicLink() && fs.existsSync(outdir)) {
    fs.rmSync(fs.realpathSync(outdir), { recursive: true, force: true });
  }
  fs.rmSync(outdir, { recursive: true, force: true });
}

/** Runs a TypeScript file with node and the given flags in a child process and measures it. */
export function measureOnce(run: Run): Measure {
  if (run.fresh ?? true) removeOutput(run.outdir);
  const command = [process.execPath, ...nodeArguments(run)];
  const timeFile = path.join(os.tmpdir(), `agent-fleet-bench-time-${process.pid}`);
  // A debugging session's switch must not leak into what is measured.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== DEBUG_ENV),
  );
  const timed = canMeasureMemory();
  const start = process.hrtime.bigint();
  const [program, ...programArgs] = timed
    ? [TIME, '-f', '%e %M', '-o', timeFile, ...command]
    : command;
  const child = spawnSync(program, programArgs, {
    cwd: ROOT,
    env: { ...inherited, ...run.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (child.status !== 0) {
    const output = `${child.stdout ?? ''}${child.stderr ?? ''}`.trim().split('\n').slice(-20);
    throw new Error(
      `${path.basename(run.script)} ${(run.args ?? []).join(' ')} failed:\n${output.join('\n')}`,
    );
  }
  let peakMb: number | undefined;
  if (timed) {
    const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    fs.rmSync(timeFile, { force: true });
    const kb = Number(last.split(' ')[1]);
    if (Number.isFinite(kb)) peakMb = kb / 1024;
  }
  const resources = [...stackResources(run.outdir).values()].reduce((sum, n) => sum + n, 0);
  return { seconds, peakMb, resources };
}

/**
 * The run of median wall time among `runs` runs (its peak memory is of that
 * run), with every run's seconds; `afterRun` is called after each run with its
 * index, e.g. to keep what it wrote.
 */
export function measure(
  runs: number,
  run: Run,
  afterRun?: (index: number, measured: Measure) => void,
): Measure & { all: number[]; index: number } {
  const measured = Array.from({ length: runs }, (_, index) => {
    const result = measureOnce(run);
    afterRun?.(index, result);
    return { ...result, index };
  });
  const sorted = [...measured].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor((runs - 1) / 2)], all: measured.map((m) => m.seconds) };
}

/** The median of some numbers (the lower middle one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * Terraform resources of each stack under `outdir` (`stacks/<stack>/cdk.tf.json`):
 * the entries under every `resource` type, summed.
 */
export function stackResources(outdir: string): Map<string, number> {
  const stacks = path.join(outdir, 'stacks');
  const counts = new Map<string, number>();
  if (!fs.existsSync(stacks)) return counts;
  for (const stack of fs.readdirSync(stacks).sort()) {
    const file = path.join(stacks, stack, 'cdk.tf.json');
    if (!fs.existsSync(file)) continue;
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      resource?: Record<string, Record<string, unknown>>;
    };
    let count = 0;
    for (const byName of Object.values(json.resource ?? {})) count += Object.keys(byName).length;
    counts.set(stack, count);
  }
  return counts;
}

/** A table with the first column left-aligned and the others right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `ok` or `MISSED`. */
export const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

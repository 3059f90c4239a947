import { ChildProcess, fork } from 'child_process';
import * as path from 'path';
import { FleetEnvironment } from '../model';
import { SiteSynthesis, synthesizeSites } from './site-synthesis';

/** Some sites of an environment to synthesize into a directory of their own. */
export interface SiteTask {
  readonly environment: string;
  readonly sites: readonly string[];
  readonly outdir: string;
}

/** What a worker process is asked to do: a task, and where the project is. */
export interface WorkerRequest extends SiteTask {
  readonly rootDir: string;
  readonly offline: boolean;
}

/** A worker's answer: the synthesis, or why it failed, and its peak memory so far. */
export type WorkerReply =
  | { readonly synthesis: SiteSynthesis; readonly maxRssBytes: number }
  | { readonly error: string; readonly maxRssBytes: number };

/** One process of a synth and what it did. */
export interface ProcessFigures {
  readonly role: 'main' | 'worker';
  /** `<env>/<site>` of each site it synthesized. */
  readonly sites: readonly string[];
  /** Peak resident memory, bytes. */
  readonly maxRssBytes: number;
}

/** How {@link runSiteTasks} runs. */
export interface SiteRunOptions {
  /** Directory holding `fleet/` and `environments/`, for the workers to load. */
  readonly rootDir: string;
  /** The loaded environments, for tasks run in this process. */
  readonly environments: ReadonlyMap<string, FleetEnvironment>;
  readonly offline: boolean;
  /** Worker processes; 1 runs every task in this process. */
  readonly workers: number;
  /** Heap limit of each worker, MB (`--max-old-space-size`). */
  readonly workerHeapMb: number;
  /** Called as each task ends, with how many have ended. */
  readonly onDone?: (task: SiteTask, done: number) => void;
}

/** Synthesized tasks, in the order given, and the processes that ran them. */
export interface SiteRun {
  readonly results: readonly SiteSynthesis[];
  readonly processes: readonly ProcessFigures[];
}

/**
 * Runs site tasks: in this process one after the other, or in worker
 * processes (`app/synth-worker.ts`, with this process's Node flags and a heap
 * limit) each taking the next task as it ends one, so that a large estate
 * uses every core and no process holds more than a few sites' constructs at
 * once. A worker that fails or exits stops the run with its message.
 */
export async function runSiteTasks(
  tasks: readonly SiteTask[],
  options: SiteRunOptions,
): Promise<SiteRun> {
  const results: SiteSynthesis[] = new Array(tasks.length);
  let done = 0;
  if (options.workers <= 1) {
    tasks.forEach((task, i) => {
      const environment = options.environments.get(task.environment) as FleetEnvironment;
      results[i] = synthesizeSites(environment, task.sites, task.outdir, options.offline);
      options.onDone?.(task, ++done);
    });
    return { results, processes: [] };
  }
  let next = 0;
  const processes: ProcessFigures[] = [];
  const children: ChildProcess[] = [];
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const child = fork(workerModule(), [], {
        execArgv: [...process.execArgv, `--max-old-space-size=${options.workerHeapMb}`],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      const figures = { role: 'worker' as const, sites: [] as string[], maxRssBytes: 0 };
      processes.push(figures);
      let current: SiteTask | undefined;
      const give = () => {
        if (next >= tasks.length) {
          current = undefined;
          child.disconnect();
          return;
        }
        const index = next++;
        current = tasks[index];
        child.once('message', (reply: WorkerReply) => {
          figures.maxRssBytes = Math.max(figures.maxRssBytes, reply.maxRssBytes);
          if ('error' in reply) {
            reject(new Error(`synth of ${describe(tasks[index])} failed: ${reply.error}`));
            return;
          }
          results[index] = reply.synthesis;
          figures.sites.push(...describeSites(tasks[index]));
          options.onDone?.(tasks[index], ++done);
          give();
        });
        const request: WorkerRequest = {
          ...current,
          rootDir: options.rootDir,
          offline: options.offline,
        };
        child.send(request);
      };
      child.on('exit', (code, signal) => {
        if (!current) return resolve();
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(
          new Error(
            `the synth worker of ${describe(current)} stopped (${why}); a worker's heap is limited to ${options.workerHeapMb} MB (FLEET_SYNTH_WORKER_MB)`,
          ),
        );
      });
      child.on('error', reject);
      give();
    });
  try {
    const count = Math.min(options.workers, tasks.length);
    await Promise.all(Array.from({ length: count }, runWorker));
  } finally {
    for (const child of children) if (child.connected) child.kill();
  }
  return { results, processes };
}

function describeSites(task: SiteTask): string[] {
  return task.sites.map((site) => `${task.environment}/${site}`);
}

function describe(task: SiteTask): string {
  return describeSites(task).join(', ');
}

/**
 * The worker's module beside this one: `.ts` run through tsx, `.js` once
 * built; scripts/launch.cjs bundles it beside the bundle of main.ts.
 */
function workerModule(): string {
  return path.join(__dirname, `synth-worker${path.extname(__filename)}`);
}

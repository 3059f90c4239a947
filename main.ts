// First, so that it takes effect before cdktf and the providers load.
import './app/tune-for-synth';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { joinEnvironment } from './app/environment-join';
import { gatherStacks, OutputSwap, PublishResult, sweepOutput } from './app/output-dir';
import { startProgress } from './app/progress';
import { ProcessFigures, runSiteTasks, SiteTask } from './app/site-runner';
import { SiteSynthesis } from './app/site-synthesis';
import { reportDocuments } from './app/synth-reports';
import { parseSelection, selectedSites, unknownSites } from './app/synth-selection';
import { writeSynthStats } from './app/synth-stats';
import { ConstructSources, formatProblem, loadFleet } from './config';
import { formatPlacedFinding, formatValidationError } from './config/synth-problems';
import { OFFLINE_ENV, parseOfflineMode } from './constructs/aws/offline';
import { Finding } from './guardrails';
import { FleetEnvironment, GuardrailSuppression, ValidationError } from './model';
import { EnvironmentSummary, formatSummary } from './stacks/summary';

/** Worker processes a synth uses unless `FLEET_SYNTH_WORKERS` says: one per core for a large estate. */
const LARGE_ESTATE = { deployments: 400, sites: 10 };
/** Where in the staging directory each site is synthesized before its stacks are gathered. */
const SITES_DIR = '.sites';
/** Heap limit of a worker, MB, unless `FLEET_SYNTH_WORKER_MB` says. */
const WORKER_HEAP_MB = 1280;

/**
 * Synthesizes the environments named on the command line (or in
 * `FLEET_ENVIRONMENTS`, comma-separated), all of them by default, from the
 * project at `FLEET_ROOT` (default: this directory); `<env>/<site>` names one
 * site of an environment. Every environment file is checked, then each site is
 * synthesized on its own, in worker processes for a large estate (one per
 * core, `FLEET_SYNTH_WORKERS` to choose), with every guardrail run, before
 * anything is written: the sites synthesize into a staging directory that
 * replaces `cdktf.out` at once, and only when all went well
 * (app/output-dir.ts), so a bad file, an error-level finding or a kill leaves
 * `cdktf.out` as it was. Naming environments keeps the others' stacks from
 * the previous output; naming sites keeps the other sites' of their
 * environment. Findings, suppressed ones included, are written to
 * `cdktf.out/guardrails.json` for the review, and what each environment runs
 * (sites, brokers, agents with bounds and signals) to `cdktf.out/fleet.json`.
 * Progress goes to stderr (on a terminal, or for a large estate), and with
 * `FLEET_SYNTH_STATS=<file>` the run's figures to that file as JSON.
 */
async function main(argv: readonly string[]): Promise<number> {
  const started = performance.now();
  const rootDir = process.env.FLEET_ROOT ?? __dirname;
  const named =
    argv.length > 0 ? argv : (process.env.FLEET_ENVIRONMENTS?.split(',').filter(Boolean) ?? []);
  const outdir = process.env.CDKTF_OUTDIR ?? path.join(rootDir, 'cdktf.out');
  // What killed synths left, swept even when this one stops at a bad file.
  sweepOutput(outdir);
  const selection = parseSelection(named);
  const loaded = loadFleet({
    rootDir,
    environments: selection.environments.length > 0 ? selection.environments : undefined,
    sites: Object.fromEntries([...selection.sites].map(([env, sites]) => [env, [...sites]])),
  });
  if (!loaded.ok) {
    for (const problem of loaded.problems) console.error(formatProblem(problem));
    console.error(
      `\n${loaded.problems.length} problem(s) in the environment files; nothing was written.`,
    );
    return 1;
  }
  const unknown = unknownSites(selection, loaded.environments);
  if (unknown.length > 0) {
    for (const line of unknown) console.error(line);
    console.error(`\n${unknown.length} unknown site(s); nothing was written.`);
    return 1;
  }

  let offline: boolean;
  let workers: number | undefined;
  let workerHeapMb: number;
  try {
    offline = parseOfflineMode(process.env[OFFLINE_ENV]);
    workers = positiveInteger('FLEET_SYNTH_WORKERS');
    workerHeapMb = positiveInteger('FLEET_SYNTH_WORKER_MB') ?? WORKER_HEAP_MB;
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  let output: OutputSwap;
  try {
    output = await OutputSwap.begin(outdir);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  try {
    const staging = output.staging;
    const plan = loaded.environments.map((environment) => ({
      environment,
      sites: selectedSites(selection, environment),
      partial: selection.sites.has(environment.name),
    }));
    const tasks: SiteTask[] = plan.flatMap(({ environment, sites }) =>
      sites.map((site) => ({
        environment: environment.name,
        sites: [site],
        outdir: path.join(staging, SITES_DIR, `${environment.name}-${site}`),
      })),
    );
    const deployments = plan.reduce((sum, { environment, sites }) => {
      const built = new Set(sites);
      return sum + environment.deployments.filter((d) => built.has(d.site)).length;
    }, 0);
    const large = deployments >= LARGE_ESTATE.deployments || tasks.length >= LARGE_ESTATE.sites;
    const parallel = Math.min(workers ?? (large ? os.availableParallelism() : 1), tasks.length);
    const progress =
      large || process.stderr.isTTY
        ? startProgress({ label: 'synth', total: tasks.length, unit: 'sites' })
        : undefined;
    const run = await runSiteTasks(tasks, {
      rootDir,
      environments: new Map(loaded.environments.map((e) => [e.name, e])),
      offline,
      workers: parallel,
      workerHeapMb,
      onDone: (task, done) => progress?.update(done, `${task.environment}/${task.sites[0]}`),
    });
    const failed = reportFailures(run.results, loaded.sources);
    if (failed) return 1;
    gatherStacks(
      staging,
      tasks.map((task) => task.outdir),
    );
    fs.rmSync(path.join(staging, SITES_DIR), { recursive: true, force: true });

    const joined = plan.map(({ environment, partial }) =>
      joinEnvironment(
        environment,
        run.results.filter((result) => result.environment === environment.name),
        partial,
        output,
      ),
    );
    for (const { missing } of joined) if (missing) console.error(missing);
    const unused = joined.flatMap(({ unusedSuppressions }, i) =>
      unusedSuppressions.map((s) => describeSuppression(plan[i].environment, s)),
    );
    if (unused.length > 0) {
      for (const line of unused) {
        console.error(
          `unused suppression ${line}: no such finding (name the resource path, and for a field finding the field, a finding shows)`,
        );
      }
      console.error(`\n${unused.length} unused suppression(s); nothing was written.`);
      return 1;
    }
    const reports = joined.map((environment) => environment.reports);
    const summaries = joined.map((environment) => environment.summary);
    const keepStacks = Object.fromEntries(
      joined.map(({ keptStacks }, i) => [plan[i].environment.name, keptStacks]),
    );
    const keptLines = joined.flatMap(({ keptSites }, i) =>
      keptSites.length > 0
        ? [
            `Kept from the previous output: ${plan[i].environment.name} sites ${keptSites.join(', ')}`,
          ]
        : [],
    );
    const published = await output.publish({
      environments: loaded.environments.map((environment) => environment.name),
      keepOthers: named.length > 0,
      keepStacks,
      reports: reportDocuments(reports),
    });
    for (const warning of published.warnings) console.error(warning);
    console.log(
      [
        ...summaries.map(
          (summary, i) =>
            `${formatSummary(summary)}\n${formatGuardrails(reports[i].guardrails.findings, summary, loaded.sources)}`,
        ),
        ...keptLines,
        ...formatKept(published),
      ].join('\n\n'),
    );
    const seconds = (performance.now() - started) / 1000;
    const processes: ProcessFigures[] = [
      { role: 'main', sites: [], maxRssBytes: process.resourceUsage().maxRSS * 1024 },
      ...run.processes,
    ];
    const stacks = summaries.reduce((sum, summary) => sum + summary.stacks.length, 0);
    const largest = Math.max(...processes.map((p) => p.maxRssBytes));
    progress?.finish(
      `${tasks.length} site(s), ${stacks} stack(s) in ${seconds.toFixed(1)} s, ${parallel > 1 ? `${parallel} worker processes` : 'in one process'}, largest process ${(largest / 2 ** 20).toFixed(0)} MB`,
    );
    const statsFile = process.env.FLEET_SYNTH_STATS;
    if (statsFile) writeSynthStats(statsFile, { seconds, sites: tasks.length, stacks, processes });
    return 0;
  } finally {
    output.close();
  }
}

/** Prints why sites could not be synthesized; whether any could not. */
function reportFailures(results: readonly SiteSynthesis[], sources: ConstructSources): boolean {
  let problems = 0;
  let guardrailErrors = 0;
  for (const { failure } of results) {
    if (failure?.kind === 'validation') {
      const error = new ValidationError(failure.scope, failure.problems);
      for (const line of formatValidationError(error, sources)) console.error(line);
      problems += failure.problems.length;
    } else if (failure?.kind === 'guardrails') {
      for (const finding of failure.errors) console.error(formatPlacedFinding(finding, sources));
      for (const line of failure.others) console.error(line);
      guardrailErrors += failure.errors.length;
    }
  }
  if (problems > 0) {
    console.error(`\n${problems} problem(s) found building the stacks; nothing was written.`);
  }
  if (guardrailErrors > 0) {
    console.error(`\n${guardrailErrors} guardrail error(s); nothing was written.`);
  }
  return problems + guardrailErrors > 0;
}

/** The value of a variable that must be a whole number from 1, if set. */
function positiveInteger(variable: string): number | undefined {
  const value = process.env[variable];
  if (value === undefined || value === '') return undefined;
  if (!/^[1-9][0-9]*$/.test(value)) {
    throw new Error(`${variable}='${value}': use a whole number from 1`);
  }
  return Number(value);
}

/** An unused suppression, as a line names it. */
function describeSuppression(environment: FleetEnvironment, s: GuardrailSuppression): string {
  return `${environment.name}: ${s.rule} ${s.resource}${s.field ? ` field ${s.field}` : ''}`;
}

/** The environments a synth of some of them kept from the previous output. */
function formatKept(published: PublishResult): string[] {
  if (published.kept.length === 0) return [];
  return [`Kept from the previous output: ${published.kept.join(', ')}`];
}

/**
 * One line of guardrail counts, then one line per open warning: the file and
 * line of the entry its resource was built from, its rule, message and resource.
 */
function formatGuardrails(
  findings: readonly Finding[],
  summary: EnvironmentSummary,
  sources: ConstructSources,
): string {
  const built = new Set(summary.stacks);
  const own = findings.filter((finding) => built.has(finding.stack));
  const open = own.filter((finding) => !finding.suppressedBecause);
  const warnings = open.filter((finding) => finding.level === 'warning');
  const suppressed = own.length - open.length;
  return [
    `  guardrails: ${warnings.length} warning(s), ${suppressed} suppressed in writing (npm run review lists the suppressions and their reasons)`,
    ...warnings.map((finding) => `    ${formatPlacedFinding(finding, sources)}`),
  ].join('\n');
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

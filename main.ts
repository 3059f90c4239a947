// First, so that it takes effect before cdktf and the providers load.
import './app/tune-for-synth';
import * as path from 'path';
import { App } from 'cdktf';
import { OutputSwap, PublishResult, sweepOutput } from './app/output-dir';
import { SynthesizedEnvironment, writeSynthReports } from './app/synth-reports';
import { ConstructSources, formatProblem, loadFleet } from './config';
import { formatPlacedFinding, formatValidationError } from './config/synth-problems';
import { OFFLINE_ENV, parseOfflineMode } from './constructs/aws/offline';
import { GuardrailLog } from './guardrails';
import { ValidationError } from './model';
import { AgentFleet } from './stacks/agent-fleet';
import { formatSummary } from './stacks/summary';

/**
 * Synthesizes the environments named on the command line (or in
 * `FLEET_ENVIRONMENTS`, comma-separated), all of them by default, from the
 * project at `FLEET_ROOT` (default: this directory). Every environment file is
 * checked, every construct built and every guardrail run before anything is
 * written: the app synthesizes into a staging directory that replaces
 * `cdktf.out` at once, and only when all went well (app/output-dir.ts), so
 * a bad file, an error-level finding or a kill leaves `cdktf.out` as it was.
 * Naming environments keeps the others' stacks from the previous output.
 * Findings, suppressed ones included, are written to `cdktf.out/guardrails.json`
 * for the review, and what each environment runs (sites, brokers, agents with
 * bounds and signals) to `cdktf.out/fleet.json`.
 */
async function main(argv: readonly string[]): Promise<number> {
  const rootDir = process.env.FLEET_ROOT ?? __dirname;
  const named =
    argv.length > 0 ? argv : (process.env.FLEET_ENVIRONMENTS?.split(',').filter(Boolean) ?? []);
  const outdir = process.env.CDKTF_OUTDIR ?? path.join(rootDir, 'cdktf.out');
  // What killed synths left, swept even when this one stops at a bad file.
  sweepOutput(outdir);
  const loaded = loadFleet({ rootDir, environments: named.length > 0 ? named : undefined });
  if (!loaded.ok) {
    for (const problem of loaded.problems) console.error(formatProblem(problem));
    console.error(
      `\n${loaded.problems.length} problem(s) in the environment files; nothing was written.`,
    );
    return 1;
  }

  let offline: boolean;
  try {
    offline = parseOfflineMode(process.env[OFFLINE_ENV]);
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
    const app = new App({ outdir: output.staging });
    let summaries: SynthesizedEnvironment[];
    try {
      summaries = loaded.environments.map((environment) => {
        const fleet = new AgentFleet(app, environment.name, { environment, offline });
        return { ...fleet.summary, guardrails: fleet.guardrails };
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      for (const line of formatValidationError(error, loaded.sources)) console.error(line);
      console.error(
        `\n${error.problems.length} problem(s) found building the stacks; nothing was written.`,
      );
      return 1;
    }
    try {
      app.synth();
    } catch (error) {
      const errors = summaries.flatMap((summary) => summary.guardrails.errors);
      if (errors.length === 0) throw error;
      for (const finding of errors) console.error(formatPlacedFinding(finding, loaded.sources));
      const others = (error as Error).message
        .split('\n')
        .filter((line) => line.includes('[ERROR]') && !line.includes('[GR-'));
      for (const line of others) console.error(line.trim());
      console.error(`\n${errors.length} guardrail error(s); nothing was written.`);
      return 1;
    }
    const unused = summaries.flatMap((summary) =>
      summary.guardrails.unusedSuppressions.map(
        (s) =>
          `${summary.environment}: ${s.rule} ${s.resource}${s.field ? ` field ${s.field}` : ''}`,
      ),
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
    writeSynthReports(output.staging, loaded.environments, summaries);
    const published = await output.publish({
      environments: loaded.environments.map((environment) => environment.name),
      keepOthers: named.length > 0,
    });
    for (const warning of published.warnings) console.error(warning);
    console.log(
      [
        ...summaries.map(
          (summary) =>
            `${formatSummary(summary)}\n${formatGuardrails(summary.guardrails, loaded.sources)}`,
        ),
        ...formatKept(published),
      ].join('\n\n'),
    );
    return 0;
  } finally {
    output.close();
  }
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
function formatGuardrails(log: GuardrailLog, sources: ConstructSources): string {
  const open = log.findings.filter((finding) => !finding.suppressedBecause);
  const warnings = open.filter((finding) => finding.level === 'warning');
  const suppressed = log.findings.length - open.length;
  return [
    `  guardrails: ${warnings.length} warning(s), ${suppressed} suppressed in writing (npm run review lists the suppressions and their reasons)`,
    ...warnings.map((finding) => `    ${formatPlacedFinding(finding, sources)}`),
  ].join('\n');
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

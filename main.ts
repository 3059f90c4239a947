import { App } from 'cdktf';
import * as path from 'path';
import { formatProblem, loadFleet } from './config';
import { OFFLINE_ENV, parseOfflineMode } from './constructs/aws/offline';
import { ValidationError } from './constructs/model';
import { addEnvironment } from './stacks/fleet';
import { EnvironmentSummary, formatSummary } from './stacks/summary';

/**
 * Synthesizes the environments named on the command line (or in
 * `FLEET_ENVIRONMENTS`, comma-separated), all of them by default, from the
 * project at `FLEET_ROOT` (default: this directory). Every environment file is
 * checked and every construct built before anything is written, so a bad file
 * leaves `cdktf.out` untouched.
 */
function main(argv: readonly string[]): number {
  const rootDir = process.env.FLEET_ROOT ?? __dirname;
  const named =
    argv.length > 0 ? argv : (process.env.FLEET_ENVIRONMENTS?.split(',').filter(Boolean) ?? []);
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
  const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? path.join(rootDir, 'cdktf.out') });
  let summaries: EnvironmentSummary[];
  try {
    summaries = loaded.environments.map((environment) =>
      addEnvironment(app, environment, { offline }),
    );
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    console.error(`${error.message}\n\nnothing was written.`);
    return 1;
  }
  app.synth();
  console.log(summaries.map(formatSummary).join('\n\n'));
  return 0;
}

process.exitCode = main(process.argv.slice(2));

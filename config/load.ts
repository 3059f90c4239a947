import * as fs from 'fs';
import * as path from 'path';
import { deepFreeze, FleetEnvironment } from '../model';
import { loadCatalogue } from './catalogue';
import { ConstructSources } from './construct-sources';
import { ENVIRONMENTS_DIR, loadEnvironment } from './environment';
import { ConfigProblem, ProblemList } from './problems';

/** The environments, or every problem found in the files. */
export type LoadResult =
  | {
      ok: true;
      environments: FleetEnvironment[];
      /** Where the constructs of each environment come from, for problems found at synth. */
      sources: ConstructSources;
    }
  | { ok: false; problems: ConfigProblem[] };

/** What to load. */
export interface LoadOptions {
  /** Directory holding `fleet/` and `environments/`. */
  readonly rootDir: string;
  /**
   * Names of the environments to load (`environments/<name>.yaml`).
   * @default - every `*.yaml` file of `environments/`, in name order
   */
  readonly environments?: readonly string[];
  /**
   * Per environment, the sites a synth builds: only their agents are checked
   * on their sites (the others' are read and merged, not checked), so that a
   * synth of one site of a large estate checks what it writes.
   * @default - every site of every environment is checked
   */
  readonly sites?: Readonly<Record<string, readonly string[]>>;
}

/**
 * Loads `fleet/agent-types.yaml` and `environments/<name>.yaml` into
 * deep-readonly model objects, with unit strings parsed into value objects.
 *
 * Every problem is reported at once, one per problem, sorted by file and line,
 * each naming the file (relative to `rootDir`), line, column and field. Never
 * throws for bad input.
 */
export function loadFleet(options: LoadOptions): LoadResult {
  const problems = new ProblemList();
  const catalogue = loadCatalogue(options.rootDir, problems);
  const names = options.environments
    ? [...new Set(options.environments)]
    : listEnvironments(options.rootDir, problems);
  const environments: FleetEnvironment[] = [];
  const sources = new ConstructSources();
  for (const name of names) {
    const only = options.sites?.[name];
    const checks = only ? (site: string) => only.includes(site) : () => true;
    const environment = loadEnvironment(
      options.rootDir,
      name,
      catalogue,
      problems,
      sources,
      checks,
    );
    if (environment) environments.push(environment);
  }
  if (problems.size > 0 || environments.length !== names.length) {
    return { ok: false, problems: problems.sorted() };
  }
  return { ok: true, environments: deepFreeze(environments), sources };
}

/** A YAML file the loader would not read (`qa.yml`, `qa.YAML`), which a user means as an environment. */
function isMisnamedYaml(file: string): boolean {
  return /\.ya?ml$/i.test(file) && !file.endsWith('.yaml');
}

function listEnvironments(rootDir: string, problems: ProblemList): string[] {
  const where = { file: `${ENVIRONMENTS_DIR}/`, line: 1, column: 1, path: [] };
  let files: string[];
  try {
    files = fs.readdirSync(path.join(rootDir, ENVIRONMENTS_DIR));
  } catch (error) {
    problems.at(where, `cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`);
    return [];
  }
  for (const file of files.filter(isMisnamedYaml).sort()) {
    problems.at(
      { ...where, file: `${ENVIRONMENTS_DIR}/${file}` },
      `environment files end in '.yaml': rename it to '${file.replace(/\.ya?ml$/i, '.yaml')}' to load it, or move it out of ${ENVIRONMENTS_DIR}/`,
    );
  }
  const names = files
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort();
  if (names.length === 0) problems.at(where, 'holds no environment file (<name>.yaml)');
  return names;
}

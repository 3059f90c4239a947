import { ReviewError } from '../../output/files';
import { OutputSite, SiteOutput } from './site-output';

/** What `npm run sites` lists, from its command line. */
export interface SitesOptions {
  /** The synthesized output. @default cdktf.out */
  readonly out: string;
  /** Environments to list. @default - every environment of the output (and of the base) */
  readonly environments: readonly string[];
  /** Site names to list, within those environments. @default - every site */
  readonly sites: readonly string[];
  /**
   * The output to compare with (the target branch's): only the sites whose
   * stacks differ are listed, and those it has that `out` has not, as removed.
   * @default - none: every site is listed
   */
  readonly changedAgainst?: string;
  /** With `changedAgainst`, list the sites that did not change instead. @default false */
  readonly unchanged: boolean;
}

/** One site in a GitHub Actions matrix: one deployment, plan or diff job. */
export interface SiteEntry {
  readonly environment: string;
  readonly site: string;
  /** `aws`, `azure`, `kubernetes` or `hosts` (warm servers, deployed by Ansible). */
  readonly kind: string;
  /** The site's stacks in the order they deploy, separated by spaces. */
  readonly stacks: string;
  /** Set on a site only the base has: its stacks are those the base had. @default - not removed */
  readonly removed?: true;
}

/** A matrix for `strategy.matrix` through `fromJSON`: one job per entry. */
export interface SiteMatrix {
  readonly include: readonly SiteEntry[];
}

/** A mistake on the command line: one line, like a problem with the input. */
export class UsageError extends ReviewError {}

const USAGE =
  'usage: npm run sites -- [--out <dir>] [--environment <env>]... [--site <site>[,<site>...]]... [--changed-against <base dir> [--unchanged]]';

/**
 * Parses the command line of `npm run sites`.
 * @throws UsageError for an unknown option, a missing value or `--unchanged` without a base
 */
export function parseSitesArgs(argv: readonly string[]): SitesOptions {
  let out = 'cdktf.out';
  let changedAgainst: string | undefined;
  let unchanged = false;
  const environments: string[] = [];
  const sites: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const option = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`${option} needs a value (${USAGE})`);
      }
      return next;
    };
    if (option === '--out') out = value();
    else if (option === '--changed-against') changedAgainst = value();
    else if (option === '--environment') environments.push(...names(value()));
    else if (option === '--site') sites.push(...names(value()));
    else if (option === '--unchanged') unchanged = true;
    else throw new UsageError(`unknown argument '${option}' (${USAGE})`);
  }
  if (unchanged && changedAgainst === undefined) {
    throw new UsageError(`--unchanged lists the sites that did not change: give --changed-against`);
  }
  return {
    out,
    environments: [...new Set(environments)],
    sites: [...new Set(sites)],
    unchanged,
    ...(changedAgainst !== undefined ? { changedAgainst } : {}),
  };
}

/** A comma-separated list, spaces around names ignored, empty names dropped. */
function names(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/**
 * The sites of the environments asked for, as a GitHub Actions matrix: each
 * site's stacks in deploy order. With a base, only the sites that changed: a
 * site new in `out`, one whose stack list changed, or one of whose stacks'
 * `cdk.tf.json` differs (by the SHA-256 each output's `stamp.json` records; a
 * hosts stack's lists the SHA-256 of each of its Ansible files, so it differs
 * when they do); then the sites only the base has, as removed. With
 * `unchanged`, the sites present in both that did not change.
 * @throws ReviewError when an output cannot be read or is not whole, a hosts
 *   site's Ansible files do not match the hashes its stacks list, the outputs
 *   belong to different projects, a site's stack depends on another site's,
 *   or an environment or site named is in neither output
 */
export function siteMatrix(options: SitesOptions): SiteMatrix {
  const head = SiteOutput.open(options.out, '--out', 'head');
  const base =
    options.changedAgainst === undefined
      ? undefined
      : SiteOutput.open(options.changedAgainst, '--changed-against', 'base');
  if (base?.project && head.project && base.project !== head.project) {
    throw new ReviewError(
      `--changed-against '${base.dir}' is an output of project '${base.project}', not of '${head.project}' as --out '${head.dir}': compare outputs of one project`,
    );
  }
  const environments = selectEnvironments(options.environments, head, base);
  const wanted = (site: OutputSite) =>
    options.sites.length === 0 || options.sites.includes(site.name);
  const seen = new Set<string>();
  const include: SiteEntry[] = [];
  for (const environment of environments) {
    const current = head.environments.get(environment) ?? [];
    const before = base?.environments.get(environment);
    for (const site of current) head.checkSelfContained(site);
    for (const site of current.filter(wanted)) {
      seen.add(site.name);
      const previous = before?.find((candidate) => candidate.name === site.name);
      const changed = !base || !previous || siteChanged(site, previous, head, base);
      if (changed !== options.unchanged) include.push(entry(site));
    }
    if (!base || options.unchanged) continue;
    for (const site of (before ?? []).filter(wanted)) {
      seen.add(site.name);
      if (!current.some((candidate) => candidate.name === site.name)) {
        include.push({ ...entry(site), removed: true });
      }
    }
  }
  for (const site of options.sites) {
    if (seen.has(site)) continue;
    const where = base
      ? `--out '${head.dir}' or --changed-against '${base.dir}'`
      : `--out '${head.dir}'`;
    throw new ReviewError(
      `no site '${site}' in environment(s) ${environments.join(', ') || 'none'} of ${where}`,
    );
  }
  return { include };
}

/** The environments named, each checked to be in an output; else every one, by name. */
function selectEnvironments(
  named: readonly string[],
  head: SiteOutput,
  base: SiteOutput | undefined,
): string[] {
  const known = new Set([...head.environments.keys(), ...(base?.environments.keys() ?? [])]);
  for (const environment of named) {
    if (known.has(environment)) continue;
    const where = base
      ? `--out '${head.dir}' or --changed-against '${base.dir}'`
      : `--out '${head.dir}'`;
    throw new ReviewError(
      `no environment '${environment}' in ${where} (environments: ${[...known].sort().join(', ') || 'none'})`,
    );
  }
  return named.length > 0 ? [...named] : [...known].sort();
}

/**
 * Whether a site present in both outputs differs between them: its stack list
 * or one of its stacks' `cdk.tf.json`. An unchanged hosts site's Ansible files
 * are still held to their hashes in both outputs.
 * @throws ReviewError when they do not match
 */
function siteChanged(
  site: OutputSite,
  previous: OutputSite,
  head: SiteOutput,
  base: SiteOutput,
): boolean {
  const stacks = site.stacks ?? [];
  if (previous.stacks === undefined || previous.stacks.join(' ') !== stacks.join(' ')) return true;
  if (stacks.some((stack) => head.stackHash(stack) !== base.stackHash(stack))) return true;
  if (site.kind === 'hosts') for (const stack of stacks) head.checkAnsible(stack, base);
  return false;
}

function entry(site: OutputSite): SiteEntry {
  return {
    environment: site.environment,
    site: site.name,
    kind: site.kind,
    stacks: (site.stacks ?? []).join(' '),
  };
}

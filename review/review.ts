import { OutputDir } from '../output/files';
import { loadBaseOutput, loadSynthOutput, ReviewError } from '../output/load';
import { diffAnsible } from './ansible';
import { renderComment, renderComments } from './comment';
import { consequences } from './consequences';
import { fleetCost, loadPrices } from './cost';
import { baseCost, diffCost } from './cost-diff';
import { diagramBase } from './diagram';
import { diffFleet, diffStacks } from './diff';
import type { EnvironmentReview } from './markdown';
import { renderReview } from './markdown';
import { compareSimulations } from './simulation';

/** Options of `npm run review`. */
export interface ReviewOptions {
  /** Synthesized output of this branch. @default 'cdktf.out' */
  readonly synth?: string;
  /** Synthesized output of the target branch. @default - no comparison */
  readonly base?: string;
  /** Where the `<env>.md` files go. @default 'review-out' */
  readonly out?: string;
  /**
   * Where the full review can be read, an http(s) URL, e.g. the run's page
   * with its `plan-review` artifact. With it, the pull-request comment is
   * written too: `<env>.comment.md` per environment and `comment.md` for all
   * of them, each within the comment limit and linking there.
   * @default - no comment written
   */
  readonly artifactUrl?: string;
}

/** The file of the comment for all environments, beside the reviews. */
export const COMMENT_FILE = 'comment.md';

const USAGE =
  'usage: npm run review -- [--synth <dir, default cdktf.out>] [--base <synthesized output of the target branch>] [--out <dir, default review-out>] [--artifact-url <http(s) URL of the full review: also writes the pull-request comment>]';

const OPTIONS: Readonly<Record<string, keyof ReviewOptions>> = {
  synth: 'synth',
  base: 'base',
  out: 'out',
  'artifact-url': 'artifactUrl',
};

/**
 * Parses the command line of `npm run review`.
 * @throws ReviewError on an unknown option or a missing value
 */
export function parseReviewArgs(argv: readonly string[]): ReviewOptions {
  const options: { -readonly [K in keyof ReviewOptions]: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const name = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || !Object.hasOwn(OPTIONS, name)) {
      throw new ReviewError(`unknown argument '${argv[i]}'\n${USAGE}`);
    }
    const key = OPTIONS[name];
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') {
      throw new ReviewError(
        `${flag} needs ${key === 'artifactUrl' ? 'a URL' : 'a directory'}\n${USAGE}`,
      );
    }
    options[key] = value;
  }
  return options;
}

/**
 * Writes one Markdown review per environment of the synthesized output, and
 * one per environment the base has and this branch removes, into `out` only;
 * with `artifactUrl`, the pull-request comments beside them.
 * @returns the files written, the reviews first
 * @throws ReviewError when an input is missing, not a cdktf output of this
 *   project, or not what synth writes, when `out` cannot take the reviews, or
 *   when `artifactUrl` is not an http(s) URL a Markdown link can hold
 */
export function runReview(options: ReviewOptions): string[] {
  // The URL becomes a Markdown link's target: nothing that could end it.
  if (
    options.artifactUrl !== undefined &&
    !/^https?:\/\/[^\s()<>[\]`]+$/.test(options.artifactUrl)
  ) {
    throw new ReviewError(
      `--artifact-url '${options.artifactUrl}' is not an http(s) URL\n${USAGE}`,
    );
  }
  const current = loadSynthOutput(options.synth ?? 'cdktf.out', '--synth');
  const base = options.base ? loadBaseOutput(options.base, current, '--base') : undefined;
  const prices = loadPrices();
  const out = OutputDir.open(options.out ?? 'review-out', '--out');

  const environments = [
    ...new Set([
      ...Object.keys(current.fleet.environments),
      ...(base ? Object.keys(base.fleet.environments) : []),
    ]),
  ];
  if (options.artifactUrl !== undefined && environments.includes('comment')) {
    throw new ReviewError(
      `an environment named 'comment' would share ${COMMENT_FILE} with the pull-request comment: rename it, or review without --artifact-url`,
    );
  }
  const files: string[] = [];
  const reviews: EnvironmentReview[] = [];
  for (const environment of environments) {
    const fleet = own(current.fleet.environments, environment);
    const before = base && own(base.fleet.environments, environment);
    const stackIds = [...new Set([...(before?.stacks ?? []), ...(fleet?.stacks ?? [])])];
    const cost = fleet && fleetCost(fleet, prices);
    const priced = base && baseCost(before, prices);
    const stacks = base && diffStacks(base.stacks, current.stacks, stackIds);
    const changes = base &&
      stacks && {
        fleet: diffFleet(before, fleet ?? { agents: [] }),
        stacks,
        consequences: consequences(before, fleet, stacks),
        ansible: diffAnsible(base.ansible, current.ansible, stackIds),
        ...(priced?.problem
          ? { costProblem: priced.problem }
          : { cost: diffCost(priced?.cost, cost) }),
        ...(fleet
          ? {
              simulation: compareSimulations(
                before && { fleet: before, stacks: base.stacks, ansible: base.ansible },
                { fleet, stacks: current.stacks, ansible: current.ansible },
              ),
            }
          : {}),
      };
    const review: EnvironmentReview = {
      environment,
      fleet,
      guardrails: current.guardrails && own(current.guardrails.environments, environment),
      cost,
      prices,
      ...(base ? { base: diagramBase(before) } : {}),
      changes,
      ansible: (fleet?.stacks ?? []).flatMap((stack) => current.ansible.get(stack) ?? []),
    };
    reviews.push(review);
    files.push(out.write(`${environment}.md`, renderReview(review)));
  }
  if (options.artifactUrl !== undefined) {
    const comment = { artifactUrl: options.artifactUrl };
    for (const review of reviews) {
      files.push(out.write(`${review.environment}.comment.md`, renderComment(review, comment)));
    }
    files.push(out.write(COMMENT_FILE, renderComments(reviews, comment)));
  }
  return files;
}

/** A record's own entry: environment names come from the outputs, not from code. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

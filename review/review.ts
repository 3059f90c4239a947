import { diffAnsible } from './ansible';
import { consequences } from './consequences';
import { fleetCost, loadPrices } from './cost';
import { baseCost, diffCost } from './cost-diff';
import { diagramBase } from './diagram';
import { diffFleet, diffStacks } from './diff';
import { OutputDir } from './files';
import { loadBaseOutput, loadSynthOutput, ReviewError } from './load';
import { renderReview } from './markdown';

/** Options of `npm run review`. */
export interface ReviewOptions {
  /** Synthesized output of this branch. @default 'cdktf.out' */
  readonly synth?: string;
  /** Synthesized output of the target branch. @default - no comparison */
  readonly base?: string;
  /** Where the `<env>.md` files go. @default 'review-out' */
  readonly out?: string;
}

const USAGE =
  'usage: npm run review -- [--synth <dir, default cdktf.out>] [--base <synthesized output of the target branch>] [--out <dir, default review-out>]';

/**
 * Parses the command line of `npm run review`.
 * @throws ReviewError on an unknown option or a missing value
 */
export function parseReviewArgs(argv: readonly string[]): ReviewOptions {
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const name = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || !['synth', 'base', 'out'].includes(name)) {
      throw new ReviewError(`unknown argument '${argv[i]}'\n${USAGE}`);
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') {
      throw new ReviewError(`${flag} needs a directory\n${USAGE}`);
    }
    options[name] = value;
  }
  return options;
}

/**
 * Writes one Markdown review per environment of the synthesized output, and
 * one per environment the base has and this branch removes, into `out` only.
 * @returns the files written
 * @throws ReviewError when an input is missing, not a cdktf output of this
 *   project, or not what synth writes, or when `out` cannot take the reviews
 */
export function runReview(options: ReviewOptions): string[] {
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
  const files: string[] = [];
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
      };
    const markdown = renderReview({
      environment,
      fleet,
      guardrails: current.guardrails && own(current.guardrails.environments, environment),
      cost,
      prices,
      ...(base ? { base: diagramBase(before) } : {}),
      changes,
      ansible: (fleet?.stacks ?? []).flatMap((stack) => current.ansible.get(stack) ?? []),
    });
    files.push(out.write(`${environment}.md`, markdown));
  }
  return files;
}

/** A record's own entry: environment names come from the outputs, not from code. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

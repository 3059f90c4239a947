import * as fs from 'fs';
import * as path from 'path';
import { fleetCost, loadPrices } from './cost';
import { diffFleet, diffStacks } from './diff';
import { loadSynthOutput, ReviewError, SynthOutput } from './load';
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
 * one per environment the base has and this branch removes.
 * @returns the files written
 * @throws ReviewError when an output is missing or not a cdktf output
 */
export function runReview(options: ReviewOptions): string[] {
  const current = loadSynthOutput(options.synth ?? 'cdktf.out', '--synth');
  if (!current.fleet) {
    throw new ReviewError(
      `--synth '${current.dir}' has no fleet.json: synthesize it with this branch's main.ts (npm run synth)`,
    );
  }
  const base = options.base ? loadSynthOutput(options.base, '--base') : undefined;
  const prices = loadPrices();
  const out = options.out ?? 'review-out';
  fs.mkdirSync(out, { recursive: true });

  const environments = [
    ...new Set([...Object.keys(current.fleet.environments), ...(base ? environmentsOf(base) : [])]),
  ];
  const files: string[] = [];
  for (const environment of environments) {
    const fleet = current.fleet.environments[environment];
    const changes = base && {
      ...(base.fleet
        ? { fleet: diffFleet(base.fleet.environments[environment], fleet ?? emptyFleet()) }
        : {}),
      stacks: diffStacks(base.stacks, current.stacks, [
        ...new Set([...stacksOf(base, environment), ...stacksOf(current, environment)]),
      ]),
    };
    const markdown = renderReview({
      environment,
      fleet,
      guardrails: current.guardrails?.environments[environment],
      cost: fleet && fleetCost(fleet, prices),
      prices,
      changes,
    });
    const file = path.join(out, `${environment}.md`);
    fs.writeFileSync(file, markdown);
    files.push(file);
  }
  return files;
}

function emptyFleet() {
  return { environment: '', production: false, stacks: [], sites: [], brokers: [], agents: [] };
}

/** Environments of an output: from fleet.json, else from the stack ids' prefixes. */
function environmentsOf(output: SynthOutput): string[] {
  if (output.fleet) return Object.keys(output.fleet.environments);
  return [...new Set([...output.stacks.keys()].map((id) => id.split('-')[0]))];
}

/** Stack ids of an environment in an output. */
function stacksOf(output: SynthOutput, environment: string): string[] {
  const listed = output.fleet?.environments[environment]?.stacks;
  if (listed) return [...listed];
  return [...output.stacks.keys()].filter((id) => id.startsWith(`${environment}-`));
}

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { OFFLINE_ENV } from '../../constructs/aws/offline';
import { findProviderMirror } from '../terraform/cli-config';
import { planStacks, terraformVersion } from '../terraform/offline-plan';
import { ESTATE_ENVIRONMENT, siteName, writeBenchEstate } from './generate-estate';
import {
  canMeasureMemory,
  mainRun,
  Measure,
  measure,
  measureOnce,
  median,
  stackResources,
  SynthCommand,
  verdict,
} from './measure';

/** The estate's targets, as the README states them. */
export const ESTATE_TARGETS = {
  sites: 50,
  agentTypes: 200,
  wholeSeconds: 60,
  processMb: 1536,
  maxResources: 500,
  siteSeconds: 3,
  planSpread: 0.1,
} as const;

/** Options of {@link runEstateCase}. */
export interface EstateCaseOptions {
  readonly sites: number;
  readonly agentTypes: number;
  readonly runs: number;
  /** How `npm run synth` runs. */
  readonly command: SynthCommand;
  /** A directory of its own for the estate's files and outputs. */
  readonly work: string;
  /** Called when a step starts, with what it does. */
  readonly onStep: (detail: string) => void;
  /** Called after each measured run. */
  readonly onRun: () => void;
}

/** What `FLEET_SYNTH_STATS` receives from synth. */
interface SynthStats {
  readonly seconds: number;
  readonly sites: number;
  readonly stacks: number;
  readonly processes: readonly {
    readonly role: 'main' | 'worker';
    readonly sites: readonly string[];
    readonly maxRssBytes: number;
  }[];
}

/** The estate's figures. */
export interface EstateResult {
  readonly sites: number;
  readonly agentTypes: number;
  readonly awsSites: number;
  readonly runs: number;
  /** (a) Whole-estate synth: the median run, and synth's own figures of that run. */
  readonly whole: Measure & { all: number[]; stats?: SynthStats };
  /** (b) Resources of each stack of the whole-estate output. */
  readonly stacks: ReadonlyMap<string, number>;
  /** (c) One site alone. */
  readonly site: { readonly name: string; readonly measure: Measure & { all: number[] } };
  /** (d) What adding an agent type to a site changed among the agents stacks. */
  readonly added: {
    readonly agent: string;
    readonly site: string;
    readonly group: string;
    readonly agentsStacks: number;
    readonly changed: readonly string[];
    readonly appeared: readonly string[];
    readonly disappeared: readonly string[];
  };
  /** (e) `terraform plan` of one AWS site's infra stack, in estates of 1 and of all sites. */
  readonly plan:
    | {
        readonly stack: string;
        readonly oneSite: { seconds: number; all: number[] };
        readonly estate: { seconds: number; all: number[] };
        /** Whether the stack's `cdk.tf.json` is the same in both. */
        readonly sameStack: boolean;
      }
    | { readonly skipped: string };
}

/**
 * Runs of the estate case: whole-estate synth, the site alone and two plans,
 * `runs` times each; the synth after the added agent type, two offline synths
 * and two first plans once.
 */
export const estateRunCount = (runs: number) => 4 * runs + 5;

const AGENTS_STACK = /^stacks\/[^/]+-agents(-[^/]+)?\/cdk\.tf\.json$/;

/** `stamp.json`'s hashes of the agents stacks' files. */
function agentsStackHashes(outdir: string): Map<string, string> {
  const stamp = JSON.parse(fs.readFileSync(path.join(outdir, 'stamp.json'), 'utf8')) as {
    files: Record<string, string>;
  };
  return new Map(Object.entries(stamp.files).filter(([file]) => AGENTS_STACK.test(file)));
}

const stackOf = (file: string) => file.split('/')[1];
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * The estate case of `npm run bench`: an estate of `sites` sites running
 * `agentTypes` agent types each (scripts/bench/generate-estate.ts) in a
 * temporary `FLEET_ROOT`, synthesized whole (`runs` times, with synth's own
 * figures from `FLEET_SYNTH_STATS`), then one site alone (`runs` times), then
 * once more whole after one agent type is added to that site, comparing
 * `stamp.json`'s hashes of the agents stacks; last the offline
 * `terraform plan` of the first AWS site's infra stack in an estate of that
 * site alone and in the whole estate (`runs` times each; init not counted).
 */
export async function runEstateCase(options: EstateCaseOptions): Promise<EstateResult> {
  const { runs, command, onStep, onRun } = options;
  const root = path.join(options.work, 'estate');
  const outdir = path.join(root, 'cdktf.out');
  const estate = writeBenchEstate(root, { sites: options.sites, agentTypes: options.agentTypes });

  onStep(`estate of ${estate.sites.length} sites × ${options.agentTypes} agent types, whole`);
  const statsFile = (index?: number) =>
    path.join(options.work, `synth-stats${index === undefined ? '' : `-${index}`}.json`);
  const whole = measure(
    runs,
    mainRun(command, root, outdir, { env: { FLEET_SYNTH_STATS: statsFile() } }),
    (index) => {
      if (fs.existsSync(statsFile())) fs.renameSync(statsFile(), statsFile(index));
      onRun();
    },
  );
  const stats = fs.existsSync(statsFile(whole.index))
    ? (JSON.parse(fs.readFileSync(statsFile(whole.index), 'utf8')) as SynthStats)
    : undefined;
  const stacks = stackResources(outdir);

  // The eighth site, as `estate/site-07`, or the last of a smaller estate.
  const siteIndex = Math.min(7, estate.sites.length - 1);
  const site = siteName(siteIndex);
  onStep(`one site alone, ${ESTATE_ENVIRONMENT}/${site}`);
  const siteMeasure = measure(
    runs,
    mainRun(command, root, outdir, { args: [`${ESTATE_ENVIRONMENT}/${site}`], fresh: false }),
    onRun,
  );

  const before = agentsStackHashes(outdir);
  const written = writeBenchEstate(root, {
    sites: options.sites,
    agentTypes: options.agentTypes,
    addedOnSite: siteIndex,
  });
  onStep(`the estate with ${written.added!.agent} added to ${site}, whole`);
  measureOnce(mainRun(command, root, outdir));
  onRun();
  const after = agentsStackHashes(outdir);
  const added = {
    ...written.added!,
    agentsStacks: before.size,
    changed: [...before]
      .filter(([f, h]) => after.has(f) && after.get(f) !== h)
      .map(([f]) => stackOf(f)),
    appeared: [...after.keys()].filter((f) => !before.has(f)).map(stackOf),
    disappeared: [...before.keys()].filter((f) => !after.has(f)).map(stackOf),
  };

  const plan = await planInfraStack(options, estate.awsSites[0]);
  return {
    sites: estate.sites.length,
    agentTypes: options.agentTypes,
    awsSites: estate.awsSites.length,
    runs,
    whole: { ...whole, stats },
    stacks,
    site: { name: site, measure: siteMeasure },
    added,
    plan,
  };
}

/**
 * (e): the offline plan of `site`'s infra stack, synthesized with
 * `FLEET_OFFLINE=1` from an estate of that site alone and (that site only,
 * `estate/<site>`) from the whole estate; `terraform plan` timed `runs` times
 * each, the two in turn after a first plan of each that is not counted.
 */
async function planInfraStack(
  options: EstateCaseOptions,
  site: string | undefined,
): Promise<EstateResult['plan']> {
  const { runs, command, onStep, onRun } = options;
  const skip = (skipped: string) => {
    for (let i = 0; i < 4 + 2 * runs; i++) onRun();
    return { skipped };
  };
  if (!site) return skip('the estate has no AWS site');
  if (!terraformVersion()) return skip('terraform is not on the PATH');
  let mirror: string | undefined;
  try {
    mirror = findProviderMirror();
  } catch (error) {
    return skip((error as Error).message);
  }
  if (!mirror) return skip('no AWS provider mirror: set TF_PROVIDER_MIRROR');

  const stack = `${ESTATE_ENVIRONMENT}-${site}-infra`;
  const offline = (root: string, out: string, args: string[]) => {
    measureOnce(mainRun(command, root, out, { args, env: { [OFFLINE_ENV]: '1' } }));
    onRun();
    return out;
  };
  const planSeconds = async (outdir: string) => {
    const [result] = await planStacks({ outdir, stacks: [stack], mirror, concurrency: 1 });
    if (!result.ok) {
      throw new Error(`offline plan of ${stack} failed:\n${result.errors.join('\n')}`);
    }
    onRun();
    return result.phases.plan!;
  };

  onStep(`${stack} from an estate of 1 site and of ${options.sites}, synthesized offline`);
  const single = path.join(options.work, 'estate-1');
  writeBenchEstate(single, { sites: 1, agentTypes: options.agentTypes });
  const singleOut = offline(single, path.join(single, 'offline.out'), []);
  const root = path.join(options.work, 'estate');
  writeBenchEstate(root, { sites: options.sites, agentTypes: options.agentTypes });
  const estateOut = offline(root, path.join(root, 'offline.out'), [
    `${ESTATE_ENVIRONMENT}/${site}`,
  ]);

  onStep(`terraform plan of ${stack}, estates of 1 and ${options.sites} sites in turn`);
  // A first plan of each (init, and the provider read from disk) is not counted; then
  // the two take turns, so that whatever else the machine does weighs on both alike.
  await planSeconds(singleOut);
  await planSeconds(estateOut);
  const oneSite: number[] = [];
  const estate: number[] = [];
  for (let i = 0; i < runs; i++) {
    oneSite.push(await planSeconds(singleOut));
    estate.push(await planSeconds(estateOut));
  }

  const file = (out: string) => path.join(out, 'stacks', stack, 'cdk.tf.json');
  return {
    stack,
    oneSite: { seconds: median(oneSite), all: oneSite },
    estate: { seconds: median(estate), all: estate },
    sameStack: sha256(file(singleOut)) === sha256(file(estateOut)),
  };
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

/** The estate's figures, then its lines for the targets. */
export function formatEstate(result: EstateResult): { figures: string[]; targets: string[] } {
  const { whole, stats, site } = { ...result, stats: result.whole.stats };
  const atTarget =
    result.sites === ESTATE_TARGETS.sites && result.agentTypes === ESTATE_TARGETS.agentTypes;
  const largestProcess = stats?.processes.reduce(
    (largest, process) => (process.maxRssBytes > largest.maxRssBytes ? process : largest),
    stats.processes[0],
  );
  const sortedStacks = [...result.stacks].sort((a, b) => b[1] - a[1]);
  const [largestStack, largestCount] = sortedStacks[0] ?? ['none', 0];
  const agentsStacks = sortedStacks.filter(([stack]) => /-agents(-|$)/.test(stack));
  const [largestAgents, largestAgentsCount] = agentsStacks[0] ?? ['none', 0];
  const above = sortedStacks.filter(([, count]) => count > ESTATE_TARGETS.maxResources);
  const seconds = (values: readonly number[]) => values.map((s) => s.toFixed(2)).join(', ');

  const figures = [
    `estate (${result.sites} sites, ${result.awsSites} on AWS, ${result.agentTypes} agent types each):`,
    `  whole-estate synth: median ${whole.seconds.toFixed(2)} s of ${seconds(whole.all)}` +
      (whole.peakMb === undefined
        ? ''
        : `, peak ${whole.peakMb.toFixed(0)} MB by /usr/bin/time (synth or its largest worker)`) +
      `, ${result.stacks.size} stacks, ${whole.resources} resources`,
    stats
      ? `  synth's own figures: ${stats.seconds.toFixed(2)} s, ${stats.sites} sites, ${stats.stacks} stacks, ` +
        `${stats.processes.length} process(es) (${stats.processes.filter((p) => p.role === 'worker').length} worker(s)), ` +
        `largest ${mb(largestProcess!.maxRssBytes)} MB (${largestProcess!.role}, ${largestProcess!.sites.length} site(s))`
      : `  synth's own figures: none (FLEET_SYNTH_STATS was not written)`,
    `  largest stack ${largestStack}: ${largestCount} resources; largest agents stack ${largestAgents}: ` +
      `${largestAgentsCount}; ${agentsStacks.length} agents stacks`,
    `  one site alone (${ESTATE_ENVIRONMENT}/${site.name}): median ${site.measure.seconds.toFixed(2)} s of ${seconds(site.measure.all)}` +
      (site.measure.peakMb === undefined ? '' : `, peak ${site.measure.peakMb.toFixed(0)} MB`),
    `  ${result.added.agent} added to ${result.added.site} (group ${result.added.group}): ` +
      `${result.added.changed.length} of ${result.added.agentsStacks} agents stacks changed` +
      (result.added.changed.length > 0 ? ` (${result.added.changed.join(', ')})` : '') +
      (result.added.appeared.length > 0 ? `, new: ${result.added.appeared.join(', ')}` : '') +
      (result.added.disappeared.length > 0 ? `, gone: ${result.added.disappeared.join(', ')}` : ''),
    'skipped' in result.plan
      ? `  offline plan of an AWS site's infra stack: skipped, ${result.plan.skipped}`
      : `  terraform plan of ${result.plan.stack} (offline, init not counted): ` +
        `estate of 1 site median ${result.plan.oneSite.seconds.toFixed(2)} s of ${seconds(result.plan.oneSite.all)}, ` +
        `of ${result.sites} sites median ${result.plan.estate.seconds.toFixed(2)} s of ${seconds(result.plan.estate.all)}; ` +
        `the stack's cdk.tf.json is ${result.plan.sameStack ? 'the same' : 'DIFFERENT'} in both`,
  ];

  const targets = [
    `  estate of ${result.sites} × ${result.agentTypes} under ${ESTATE_TARGETS.wholeSeconds} s: ` +
      `${whole.seconds.toFixed(2)} s ${verdict(whole.seconds < ESTATE_TARGETS.wholeSeconds)}`,
  ];
  const processMb = largestProcess ? largestProcess.maxRssBytes / 1024 / 1024 : whole.peakMb;
  if (processMb !== undefined) {
    targets.push(
      `  no synth process of the estate above 1.5 GB: ${processMb.toFixed(0)} MB ` +
        `${largestProcess ? '' : '(by /usr/bin/time) '}${verdict(processMb < ESTATE_TARGETS.processMb)}`,
    );
  } else if (!canMeasureMemory()) {
    targets.push(
      '  (no FLEET_SYNTH_STATS and no /usr/bin/time: the estate memory target is not measured)',
    );
  }
  targets.push(
    `  no stack above ${ESTATE_TARGETS.maxResources} resources: largest ${largestCount} (${largestStack}), ` +
      `${above.length} above (largest agents stack ${largestAgentsCount}) ${verdict(above.length === 0)}`,
    `  one site of the estate alone under ${ESTATE_TARGETS.siteSeconds} s: ` +
      `${site.measure.seconds.toFixed(2)} s ${verdict(site.measure.seconds < ESTATE_TARGETS.siteSeconds)}`,
    `  adding an agent type to a site changes one agents stack and no other: ` +
      `${result.added.changed.length} changed, ${result.added.appeared.length + result.added.disappeared.length} new or gone ` +
      verdict(
        result.added.changed.length === 1 &&
          result.added.appeared.length === 0 &&
          result.added.disappeared.length === 0,
      ),
  );
  if (!('skipped' in result.plan)) {
    const ratio = result.plan.estate.seconds / result.plan.oneSite.seconds;
    targets.push(
      `  offline plan of an AWS site's infra stack within 10 % whether the estate has 1 or ${result.sites} sites: ` +
        `${ratio.toFixed(2)}x ${verdict(Math.abs(ratio - 1) <= ESTATE_TARGETS.planSpread)}`,
    );
  }
  if (!atTarget) {
    targets.push(
      `  (the estate targets are for ${ESTATE_TARGETS.sites} sites × ${ESTATE_TARGETS.agentTypes} agent types; this run had ${result.sites} × ${result.agentTypes})`,
    );
  }
  return { figures, targets };
}

/**
 * Publishing a synth's output so that a reader never sees half of it.
 *
 * `cdktf.out` is a symbolic link to a directory beside it,
 * `.cdktf.out.<synth id>`. A synth writes a new such directory (the staging
 * directory), then creates a second link to it and renames that link over
 * `cdktf.out`. rename(2) replaces the old link in one step, so whoever opens
 * `cdktf.out` (the next synth, `cdktf synth`/`diff`/`deploy`, the review) finds
 * the previous output or the new one, each whole, whenever the synth is
 * killed. A rename cannot replace a non-empty directory, which is why the
 * output is not swapped as a directory: without the link, a swap needs a
 * moment with no `cdktf.out`, or a start-up step that every reader would have
 * to run to finish or roll back an interrupted swap.
 *
 * Where it lives: the directories are siblings of `cdktf.out`, on the same
 * filesystem (renames are atomic only there), and at the same depth, so
 * paths relative to a stack directory (the local backend's
 * `../../../terraform-state/`) reach the same place through the link or
 * without it. The link's target is relative, so a moved or copied checkout
 * keeps working.
 *
 * Leftovers: each synth first sweeps the directories and links of this
 * scheme that the link does not name and whose synth (its process id is part
 * of the synth id) no longer runs; a SIGINT or SIGTERM removes the synth's own
 * at once. The one moment without `cdktf.out` is the first synth on a
 * checkout whose `cdktf.out` is still a directory: it is renamed to
 * `.cdktf.out.<synth id>.adopted` and linked back right away; when the synth
 * is killed between the two, the next synth links it back first.
 *
 * What belongs together: `stamp.json` records the synth id and a SHA-256 of
 * `manifest.json`, `fleet.json`, `guardrails.json` and every stack's
 * `cdk.tf.json`; {@link checkOutputConsistency} checks them against each
 * other and against the directories on disk.
 *
 * A SIGKILL loses nothing written, but a power cut may: files are not
 * synced to disk before the rename.
 * @see https://man7.org/linux/man-pages/man2/rename.2.html
 */
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { FLEET_FILE } from './fleet-report';
import { GUARDRAIL_REPORT } from './synth-reports';

/** File, beside `manifest.json`, that ties an output's files to one synth. */
export const OUTPUT_STAMP = 'stamp.json';

const MANIFEST = 'manifest.json';
const STACKS = 'stacks';
const STAMP_VERSION = 1;

/**
 * Test hook: `FLEET_SWAP_HOOK=<point>:<action>` makes a synth stop at a
 * named point of the swap. `kill` sends the process SIGKILL there; `wait`
 * writes `FLEET_SWAP_HOOK: waiting at <point>` to stderr and waits for a
 * signal (SIGINT and SIGTERM are handled as at any other moment).
 */
export const SWAP_HOOK_ENV = 'FLEET_SWAP_HOOK';

/** The points of {@link SWAP_HOOK_ENV}, in the order a synth passes them. */
export const SWAP_POINTS = [
  /** Staging directory made, nothing synthesized into it yet. */
  'begun',
  /** Staging directory complete: stacks, reports, kept environments, stamp. */
  'staged',
  /** First synth on a directory `cdktf.out`: renamed aside, not yet linked back. */
  'moved-aside',
  /** New link made beside `cdktf.out`, not yet renamed over it. */
  'linked',
  /** `cdktf.out` names the new output; the previous one is still on disk. */
  'flipped',
  /** The previous output and any leftovers removed. */
  'swept',
] as const;

/** A point of the swap, see {@link SWAP_POINTS}. */
export type SwapPoint = (typeof SWAP_POINTS)[number];

/** What a synth publishes. */
export interface PublishRequest {
  /** The environments synthesized into the staging directory. */
  readonly environments: readonly string[];
  /**
   * Keep the other environments of the current output: their stacks and
   * their entries in `manifest.json`, `fleet.json` and `guardrails.json`.
   * @default false - the output holds only `environments`
   */
  readonly keepOthers?: boolean;
  /**
   * Per environment synthesized in part (some of its sites), the stacks of its
   * other sites to keep from the current output, with their `manifest.json`
   * entries; its reports in the staging directory hold those sites already.
   * @default - none
   */
  readonly keepStacks?: Readonly<Record<string, readonly string[]>>;
  /** The synthesized environments' `fleet.json` and `guardrails.json` documents. */
  readonly reports: { readonly fleet: object; readonly guardrails: object };
}

/** What {@link OutputSwap.publish} did besides the new environments. */
export interface PublishResult {
  /** Environments kept from the previous output, by name. */
  readonly kept: readonly string[];
  /** Why environments of the previous output could not be kept. */
  readonly warnings: readonly string[];
}

/** Options of {@link checkOutputConsistency}. */
export interface ConsistencyOptions {
  /**
   * Accept an output without `stamp.json` (written before stamps), checking
   * only that its manifest, stack directories and reports agree.
   * @default false
   */
  readonly allowUnstamped?: boolean;
  /**
   * Hash every file the stamp lists and compare. Without, the stamp is
   * taken as it is for the contents, the rest is checked: what a synth does
   * with an output it keeps parts of, whose next reader checks the contents.
   * @default true
   */
  readonly verifyContents?: boolean;
}

/**
 * Checks that an output directory is one whole output: `manifest.json`,
 * `fleet.json`, `guardrails.json` and `stamp.json` are regular files of JSON;
 * every stack `manifest.json` lists has its `cdk.tf.json` inside the
 * directory and every directory under `stacks/` is listed; `fleet.json`'s
 * environments claim exactly the listed stacks, each once;
 * `guardrails.json` and `stamp.json` name the same environments; and every
 * file `stamp.json` hashes is on disk with that content. Reads only regular
 * files, never follows a link inside the directory (`outdir` itself may be
 * one) and writes nothing.
 * @param outdir the output, e.g. `cdktf.out`
 * @returns `undefined` when consistent; otherwise one line naming the first
 *   inconsistency, with paths relative to `outdir` (prefix it with the
 *   directory's name when reporting)
 */
export function checkOutputConsistency(
  outdir: string,
  options: ConsistencyOptions = {},
): string | undefined {
  return inspectOutput(outdir, options).problem;
}

/** What {@link inspectOutput} found: why the output is not whole, or what it holds. */
interface Inspection {
  readonly problem?: string;
  /** A whole output's files, as the check parsed them. */
  readonly output?: CheckedOutput;
}

/** The files of a whole output, as {@link checkOutput} parsed them. */
export interface CheckedOutput {
  readonly manifest: ManifestJson;
  readonly fleet: ReportJson;
  readonly guardrails: ReportJson;
  /** Null when the output has none (and that was allowed). */
  readonly stamp: StampJson | null;
}

function inspectOutput(outdir: string, options: ConsistencyOptions): Inspection {
  try {
    return { output: checkOutput(outdir, options) };
  } catch (error) {
    if (error instanceof Inconsistent) return { problem: error.message };
    const { code, path: file } = error as NodeJS.ErrnoException;
    if (!code || !file) throw error;
    let root = outdir;
    try {
      root = fs.realpathSync(outdir);
    } catch {
      // Reported relative to the name given.
    }
    return { problem: `cannot read ${path.relative(root, file) || '.'} (${code})` };
  }
}

/**
 * Sweeps what interrupted synths left beside `outdir`: links `outdir` back to
 * an output a killed first synth renamed aside, then removes every directory
 * and link of the scheme that `outdir` does not name and whose synth no
 * longer runs (this process's own included). Leaves alone a `outdir` that is
 * still a directory, and every other name beside it.
 */
export function sweepOutput(outdir: string): void {
  outdir = path.resolve(outdir);
  const parent = path.dirname(outdir);
  const entries = siblings(outdir);
  let current = linkTarget(outdir);
  if (!lexists(outdir)) {
    const adopted = entries
      .filter((entry) => entry.kind === 'adopted')
      .sort((a, b) => b.started - a.started)[0];
    if (adopted) {
      replaceLink(outdir, adopted.name, newSynthId());
      current = adopted.name;
    }
  }
  for (const entry of siblings(outdir)) {
    if (entry.name === current || runsElsewhere(entry.pid)) continue;
    fs.rmSync(path.join(parent, entry.name), { recursive: true, force: true });
  }
}

/**
 * One synth's way to its output: {@link OutputSwap.begin} sweeps leftovers
 * and makes the staging directory, the app synthesizes into
 * {@link OutputSwap.staging}, and {@link OutputSwap.publish} makes it
 * `cdktf.out` at once; {@link OutputSwap.close} removes whatever was not
 * published. From begin on, SIGINT and SIGTERM remove the staging directory
 * and end the process (exit 130 or 143), saying on stderr whether the output
 * is as it was or the one this synth published.
 */
export class OutputSwap {
  /**
   * Starts a synth into `outdir` (made absolute).
   * @throws Error when {@link SWAP_HOOK_ENV} is set but malformed
   */
  public static async begin(outdir: string): Promise<OutputSwap> {
    const hook = parseSwapHook(process.env[SWAP_HOOK_ENV]);
    const swap = new OutputSwap(path.resolve(outdir), hook);
    await swap.hook('begun');
    return swap;
  }

  /** Identifies this synth: base-36 start time, process id and a random part. */
  public readonly synthId: string;
  /** Where the app writes: a new directory beside `outdir`. */
  public readonly staging: string;
  private state: 'staging' | 'published' | 'closed' = 'staging';
  private published = false;

  private constructor(
    public readonly outdir: string,
    private readonly hookAt?: { point: SwapPoint; action: 'kill' | 'wait' },
  ) {
    sweepOutput(outdir);
    this.synthId = newSynthId();
    this.staging = path.join(path.dirname(outdir), `${prefix(outdir)}${this.synthId}`);
    handleSignals();
    swaps.add(this);
    fs.mkdirSync(this.staging);
  }

  /**
   * Makes the staging directory the output: keeps the other environments of
   * the current output when asked, writes `stamp.json`, renames a new link
   * over `outdir` and removes the previous output.
   */
  public async publish(request: PublishRequest): Promise<PublishResult> {
    // A signal that arrived while the app synthesized is handled here, before
    // anything changes. Its event can reach the event loop a few milliseconds
    // late (later still on a busy machine): one handled after the swap finds
    // the output published, and says so.
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (this.state !== 'staging') throw new Error('publish() after publish() or close()');
    const result = await stageOutput(this.staging, this.synthId, this.outdir, request, () =>
      this.inspectCurrent(),
    );
    await this.hook('staged');
    if (isDirectory(this.outdir)) {
      // A checkout from before the link: move the directory aside and link it back.
      const adopted = `${prefix(this.outdir)}${this.synthId}.adopted`;
      fs.renameSync(this.outdir, path.join(path.dirname(this.outdir), adopted));
      await this.hook('moved-aside');
      replaceLink(this.outdir, adopted, this.synthId);
    }
    const tmpLink = linkPath(this.outdir, this.synthId);
    fs.rmSync(tmpLink, { force: true });
    fs.symlinkSync(path.basename(this.staging), tmpLink, 'dir');
    await this.hook('linked');
    fs.renameSync(tmpLink, this.outdir);
    this.state = 'published';
    this.published = true;
    await this.hook('flipped');
    sweepOutput(this.outdir);
    await this.hook('swept');
    return result;
  }

  /**
   * Why the current output (the one this synth replaces) is not one whole
   * output, checked once per synth; `undefined` when it is, or when there is
   * none. A synth keeps parts of it only when it is whole.
   */
  public checkCurrent(): string | undefined {
    return lexists(this.outdir) ? this.inspectCurrent().problem : undefined;
  }

  /**
   * The files of the current output, as {@link checkCurrent} parsed them:
   * joining sites and keeping environments read them from here.
   * @throws Error when the current output is not whole
   */
  public readCurrent(): CheckedOutput {
    const { output, problem } = this.inspectCurrent();
    if (!output) throw new Error(`${path.basename(this.outdir)}: ${problem}`);
    return output;
  }

  private inspection?: Inspection;

  private inspectCurrent(): Inspection {
    this.inspection ??= inspectOutput(this.outdir, {
      allowUnstamped: true,
      verifyContents: false,
    });
    return this.inspection;
  }

  /** Removes the staging directory unless published. */
  public close(): void {
    if (this.state === 'staging') this.abandon();
    this.state = 'closed';
  }

  private abandon(): void {
    fs.rmSync(linkPath(this.outdir, this.synthId), { force: true });
    fs.rmSync(this.staging, { recursive: true, force: true });
    sweepOutput(this.outdir);
  }

  /** Called on SIGINT or SIGTERM: removes what is not published and says what is left. */
  public interrupted(signal: NodeJS.Signals): void {
    if (this.state === 'staging') this.abandon();
    if (this.state === 'published') sweepOutput(this.outdir);
    this.state = 'closed';
    const left = this.published ? "holds this synth's output" : 'is as it was';
    process.stderr.write(`synth interrupted by ${signal}: ${path.basename(this.outdir)} ${left}\n`);
  }

  private hook(point: SwapPoint): Promise<void> {
    if (this.hookAt?.point !== point) return Promise.resolve();
    if (this.hookAt.action === 'kill') {
      process.kill(process.pid, 'SIGKILL');
      // SIGKILL to oneself is delivered before kill(2) returns; block in case.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
    process.stderr.write(`${SWAP_HOOK_ENV}: waiting at ${point}\n`);
    return new Promise(() => setInterval(() => undefined, 60_000));
  }
}

/** Swaps begun in this process. */
const swaps = new Set<OutputSwap>();
let handling = false;

/**
 * Installs, once per process, the SIGINT and SIGTERM handler that abandons
 * the swaps under way, says what each left, and exits as the signal would
 * (130, 143). It stays after the swaps close: a signal that reached the
 * process during synchronous work is handled late rather than lost.
 */
function handleSignals(): void {
  if (handling) return;
  handling = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      for (const swap of swaps) swap.interrupted(signal);
      swaps.clear();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Parses {@link SWAP_HOOK_ENV}; `undefined` when unset. */
function parseSwapHook(value: string | undefined) {
  if (!value) return undefined;
  const [point, action] = value.split(':');
  if (!SWAP_POINTS.includes(point as SwapPoint) || (action !== 'kill' && action !== 'wait')) {
    throw new Error(
      `${SWAP_HOOK_ENV}='${value}': use <point>:kill or <point>:wait, with a point among ${SWAP_POINTS.join(', ')}`,
    );
  }
  return { point: point as SwapPoint, action: action as 'kill' | 'wait' };
}

// --- Staging: kept environments, normalized reports, stamp ---

interface ManifestJson {
  version?: string;
  stacks: Record<string, { synthesizedStackPath?: string }>;
}

interface ReportJson {
  environments: Record<string, { stacks?: readonly string[] }>;
}

interface StampJson {
  version: number;
  synthId: string;
  /** Per environment, the synth that wrote its stacks. */
  environments: Record<string, string>;
  /** SHA-256 (hex) of each file, by path relative to the output. */
  files: Record<string, string>;
}

/** Completes the staging directory and returns what was kept. */
async function stageOutput(
  staging: string,
  synthId: string,
  outdir: string,
  request: PublishRequest,
  inspectCurrent: () => Inspection,
): Promise<PublishResult> {
  const manifest = readJson(path.join(staging, MANIFEST)) as ManifestJson;
  const fleet = request.reports.fleet as ReportJson;
  const guardrails = request.reports.guardrails as ReportJson;
  const made: Record<string, string> = Object.fromEntries(
    request.environments.map((environment) => [environment, synthId]),
  );
  const kept: string[] = [];
  const warnings: string[] = [];
  const keptFiles = new Set<string>();
  const keepStacks = Object.values(request.keepStacks ?? {}).flat();
  if (keepStacks.length > 0) {
    const old =
      inspectCurrent().output?.manifest ?? (readJson(path.join(outdir, MANIFEST)) as ManifestJson);
    for (const stack of keepStacks) {
      if (!Object.hasOwn(old.stacks, stack)) {
        throw new Error(`${path.basename(outdir)} no longer holds stack '${stack}' to keep`);
      }
      manifest.stacks[stack] = old.stacks[stack];
      keptFiles.add(stackFile(stack, old.stacks[stack]));
    }
    await copyStacks(outdir, staging, keepStacks);
    writeFile(path.join(staging, MANIFEST), stableJson(manifest));
  }
  const current = request.keepOthers && lexists(outdir) ? outdir : undefined;
  const problem = current && inspectCurrent().problem;
  if (current && problem) {
    warnings.push(
      `${path.basename(outdir)}: ${problem}; its other environments are not kept (synthesize them again)`,
    );
  } else if (current) {
    const old = inspectCurrent().output as CheckedOutput;
    for (const [environment, report] of Object.entries(old.fleet.environments)) {
      if (Object.hasOwn(made, environment)) continue;
      const stacks = report.stacks ?? [];
      const taken = stacks.find((stack) => Object.hasOwn(manifest.stacks, stack));
      if (taken) {
        warnings.push(
          `environment '${environment}' of ${path.basename(outdir)} is not kept: its stack '${taken}' is one this synth wrote`,
        );
        continue;
      }
      for (const stack of stacks) {
        manifest.stacks[stack] = old.manifest.stacks[stack];
        keptFiles.add(stackFile(stack, old.manifest.stacks[stack]));
      }
      await copyStacks(current, staging, stacks);
      fleet.environments[environment] = report;
      guardrails.environments[environment] = old.guardrails.environments[environment];
      made[environment] = old.stamp?.environments[environment] ?? 'unstamped';
      kept.push(environment);
    }
    if (kept.length > 0) writeFile(path.join(staging, MANIFEST), stableJson(manifest));
  }
  // Environments by name, whichever synth wrote them.
  writeFile(path.join(staging, FLEET_FILE), reportJson(fleet));
  writeFile(path.join(staging, GUARDRAIL_REPORT), reportJson(guardrails));
  const files = [MANIFEST, FLEET_FILE, GUARDRAIL_REPORT, ...stackFiles(manifest)];
  // A kept stack's file is the one the checked current output's stamp hashed.
  const before = keptFiles.size > 0 ? inspectCurrent().output?.stamp : undefined;
  const hashOf = (file: string) =>
    (keptFiles.has(file) && before?.files[file]) || sha256(path.join(staging, file));
  const stamp: StampJson = {
    version: STAMP_VERSION,
    synthId,
    environments: sortedByKey(made),
    files: Object.fromEntries(files.map((file) => [file, hashOf(file)])),
  };
  writeFile(path.join(staging, OUTPUT_STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
  return { kept: kept.sort(), warnings };
}

/**
 * Links stacks' directories from one output into another, without
 * Terraform's working files (`terraform init` makes them again). Hard links:
 * the files are never changed in place, and the previous output is removed
 * once the new one is published. The links are made concurrently, by libuv's
 * threads: an estate's site keeps hundreds of other stacks.
 */
async function copyStacks(from: string, to: string, stacks: readonly string[]): Promise<void> {
  await Promise.all(
    stacks.map((stack) => linkTree(path.join(from, STACKS, stack), path.join(to, STACKS, stack))),
  );
}

async function linkTree(from: string, to: string): Promise<void> {
  await fs.promises.mkdir(to, { recursive: true });
  const entries = await fs.promises.readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      if (entry.name === '.terraform') return;
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      if (entry.isDirectory()) await linkTree(source, target);
      else if (entry.isSymbolicLink()) {
        await fs.promises.symlink(await fs.promises.readlink(source), target);
      } else await fs.promises.link(source, target);
    }),
  );
}

/**
 * Gathers into `staging` the stacks that several apps synthesized into
 * directories of their own (each with its `manifest.json` and `stacks/`):
 * moves each stack's directory under `staging/stacks/`, writes one
 * `manifest.json` with every app's stack entries, as cdktf writes it, and
 * removes the apps' directories. The paths cdktf records are relative to its
 * output, so they hold in `staging`.
 */
export function gatherStacks(staging: string, dirs: readonly string[]): void {
  const stacks: ManifestJson['stacks'] = {};
  let version: string | undefined;
  fs.mkdirSync(path.join(staging, STACKS), { recursive: true });
  for (const dir of dirs) {
    const manifest = readJson(path.join(dir, MANIFEST)) as ManifestJson;
    version ??= manifest.version;
    for (const [id, entry] of Object.entries(manifest.stacks)) {
      fs.renameSync(path.join(dir, STACKS, id), path.join(staging, STACKS, id));
      stacks[id] = entry;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  writeFile(path.join(staging, MANIFEST), stableJson({ version, stacks }));
}

function reportJson(report: ReportJson): string {
  return `${JSON.stringify({ ...report, environments: sortedByKey(report.environments) }, null, 2)}\n`;
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

/**
 * JSON as cdktf writes `manifest.json` (json-stable-stringify, 2 spaces):
 * keys sorted, an empty array or object still broken over two lines.
 */
function stableJson(value: unknown, level = 0): string {
  const close = `\n${'  '.repeat(level)}`;
  const open = `\n${'  '.repeat(level + 1)}`;
  if (Array.isArray(value)) {
    return `[${value.map((item) => open + stableJson(item ?? null, level + 1)).join(',')}${close}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    const members = keys.map(
      (key) => `${open}${JSON.stringify(key)}: ${stableJson(record[key], level + 1)}`,
    );
    return `{${members.join(',')}${close}}`;
  }
  return JSON.stringify(value);
}

function stackFiles(manifest: ManifestJson): string[] {
  return Object.entries(manifest.stacks).map(([id, entry]) => stackFile(id, entry));
}

function stackFile(id: string, entry: { synthesizedStackPath?: string }): string {
  return path.posix.normalize(
    (entry.synthesizedStackPath ?? `${STACKS}/${id}/cdk.tf.json`).split(path.sep).join('/'),
  );
}

function writeFile(file: string, content: string): void {
  fs.writeFileSync(file, content);
}

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// --- The consistency check ---

class Inconsistent extends Error {}

function fail(message: string): never {
  throw new Inconsistent(message);
}

/** Checks an output; returns its files as parsed, the stamp null when unstamped (and allowed). */
function checkOutput(outdir: string, options: ConsistencyOptions): CheckedOutput {
  let root: string;
  try {
    root = fs.realpathSync(outdir);
  } catch {
    fail('no such directory');
  }
  if (!fs.statSync(root).isDirectory()) fail('not a directory');
  const stampExists = lexists(path.join(root, OUTPUT_STAMP));
  if (!stampExists && !options.allowUnstamped) {
    fail(`no ${OUTPUT_STAMP}: not written whole by npm run synth (synthesize again)`);
  }
  const manifest = jsonFile(root, MANIFEST) as Partial<ManifestJson> | null;
  if (!isRecord(manifest) || !isRecord(manifest.stacks)) fail(`${MANIFEST} lists no 'stacks'`);
  const fleet = reportFile(root, FLEET_FILE);
  const guardrails = reportFile(root, GUARDRAIL_REPORT);

  const listed = new Map<string, string>();
  for (const [id, entry] of Object.entries(manifest.stacks)) {
    const file = stackFile(id, isRecord(entry) ? entry : {});
    if (path.posix.isAbsolute(file) || file === '..' || file.startsWith('../')) {
      fail(`${MANIFEST} places stack '${id}' outside the output (${file})`);
    }
    if (!lexists(path.join(root, file)))
      fail(`${MANIFEST} lists stack '${id}' but ${file} is missing`);
    regularFile(root, file);
    listed.set(id, file);
  }
  const stacksDir = path.join(root, STACKS);
  if (lexists(stacksDir) && !fs.lstatSync(stacksDir).isDirectory())
    fail(`${STACKS} is not a directory`);
  const onDisk = lexists(stacksDir) ? fs.readdirSync(stacksDir) : [];
  const stray = onDisk.find((dir) => !listed.has(dir));
  if (stray !== undefined) fail(`${STACKS}/${stray} is not a stack ${MANIFEST} lists`);

  const claimed = new Map<string, string>();
  for (const [environment, report] of Object.entries(fleet.environments)) {
    const stacks = isRecord(report) && Array.isArray(report.stacks) ? report.stacks : undefined;
    if (!stacks) fail(`${FLEET_FILE} lists no stacks for environment '${environment}'`);
    for (const stack of stacks) {
      if (!listed.has(String(stack))) {
        fail(
          `${FLEET_FILE} environment '${environment}' has stack '${stack}', which ${MANIFEST} does not list`,
        );
      }
      const other = claimed.get(String(stack));
      if (other)
        fail(`${FLEET_FILE} gives stack '${stack}' to both '${other}' and '${environment}'`);
      claimed.set(String(stack), environment);
    }
  }
  const unclaimed = [...listed.keys()].find((id) => !claimed.has(id));
  if (unclaimed)
    fail(`${MANIFEST} lists stack '${unclaimed}', which no environment of ${FLEET_FILE} has`);
  sameNames(
    FLEET_FILE,
    Object.keys(fleet.environments),
    GUARDRAIL_REPORT,
    Object.keys(guardrails.environments),
  );

  const parsed = { manifest: manifest as ManifestJson, fleet, guardrails };
  if (!stampExists) return { ...parsed, stamp: null };
  const stamp = jsonFile(root, OUTPUT_STAMP) as Partial<StampJson> | null;
  if (
    !isRecord(stamp) ||
    typeof stamp.synthId !== 'string' ||
    !isRecord(stamp.environments) ||
    !isRecord(stamp.files)
  ) {
    fail(`${OUTPUT_STAMP} is not a stamp (synthId, environments, files)`);
  }
  sameNames(
    FLEET_FILE,
    Object.keys(fleet.environments),
    OUTPUT_STAMP,
    Object.keys(stamp.environments),
  );
  const expected = [MANIFEST, FLEET_FILE, GUARDRAIL_REPORT, ...listed.values()];
  const unstamped = expected.find((file) => !Object.hasOwn(stamp.files!, file));
  if (unstamped) fail(`${OUTPUT_STAMP} of synth ${stamp.synthId} has no hash of ${unstamped}`);
  for (const [file, hash] of Object.entries(stamp.files)) {
    if (!expected.includes(file))
      fail(
        `${OUTPUT_STAMP} of synth ${stamp.synthId} hashes ${file}, which is not part of this output`,
      );
    if (options.verifyContents !== false && sha256(path.join(root, file)) !== hash) {
      fail(
        `${file} is not the one synth ${stamp.synthId} wrote (its SHA-256 differs from ${OUTPUT_STAMP})`,
      );
    }
  }
  return { ...parsed, stamp: stamp as StampJson };
}

function reportFile(root: string, file: string): ReportJson {
  const report = jsonFile(root, file) as Partial<ReportJson> | null;
  if (!isRecord(report) || !isRecord(report.environments)) fail(`${file} has no 'environments'`);
  return report as ReportJson;
}

function sameNames(a: string, aNames: string[], b: string, bNames: string[]): void {
  const missing = aNames.find((name) => !bNames.includes(name));
  if (missing !== undefined) fail(`${b} has no environment '${missing}' of ${a}`);
  const extra = bNames.find((name) => !aNames.includes(name));
  if (extra !== undefined) fail(`${b} has environment '${extra}', which ${a} does not`);
}

function jsonFile(root: string, file: string): unknown {
  if (!lexists(path.join(root, file))) fail(`${file} is missing`);
  regularFile(root, file);
  try {
    return readJson(path.join(root, file));
  } catch (error) {
    fail(`${file} is not valid JSON (${(error as Error).message})`);
  }
}

function regularFile(root: string, file: string): void {
  let dir = root;
  for (const part of file.split('/')) {
    dir = path.join(dir, part);
    const stat = fs.lstatSync(dir);
    if (stat.isSymbolicLink()) fail(`${file} goes through a symbolic link`);
  }
  if (!fs.lstatSync(dir).isFile()) fail(`${file} is not a regular file`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// --- Names beside the output ---

/** `.cdktf.out.` for `…/cdktf.out`: every name of the scheme starts with it. */
function prefix(outdir: string): string {
  return `.${path.basename(outdir)}.`;
}

function newSynthId(): string {
  return `${Date.now().toString(36)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

function linkPath(outdir: string, synthId: string): string {
  return path.join(path.dirname(outdir), `${prefix(outdir)}${synthId}.link`);
}

interface Sibling {
  readonly name: string;
  readonly kind: 'output' | 'link' | 'adopted';
  readonly started: number;
  readonly pid: number;
}

/** The entries beside `outdir` that this scheme made. */
function siblings(outdir: string): Sibling[] {
  const start = prefix(outdir);
  const pattern = /^([0-9a-z]+)-(\d+)-[0-9a-f]{6}(?:\.(link|adopted))?$/;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(outdir));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const match = name.startsWith(start) ? pattern.exec(name.slice(start.length)) : null;
    if (!match) return [];
    const kind = (match[3] ?? 'output') as Sibling['kind'];
    return [{ name, kind, started: parseInt(match[1], 36), pid: Number(match[2]) }];
  });
}

/** The sibling `outdir` links to, when it is a link of this scheme. */
function linkTarget(outdir: string): string | undefined {
  try {
    const target = fs.readlinkSync(outdir);
    return target.includes('/') || target.includes(path.sep) ? undefined : target;
  } catch {
    return undefined;
  }
}

/** Points `outdir` at the sibling `target` in one rename. */
function replaceLink(outdir: string, target: string, synthId: string): void {
  const tmp = linkPath(outdir, synthId);
  fs.rmSync(tmp, { force: true });
  fs.symlinkSync(target, tmp, 'dir');
  fs.renameSync(tmp, outdir);
}

/** Whether another process with this id still runs (its entries are in use). */
function runsElsewhere(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lexists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(file: string): boolean {
  try {
    return fs.lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}

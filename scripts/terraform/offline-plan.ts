import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AWS_PROVIDER, providerAddress, writeCliConfig } from './cli-config';

/** One stack of a synthesized cdktf app (`<outdir>/manifest.json`). */
export interface SynthesizedStack {
  readonly name: string;
  /** Absolute path of the stack's working directory. */
  readonly dir: string;
  /** The parsed `cdk.tf.json`. */
  readonly config: TerraformJson;
}

/** The parts of a synthesized `cdk.tf.json` the plan looks at. */
export interface TerraformJson {
  readonly terraform?: {
    readonly backend?: Record<string, unknown>;
    readonly required_providers?: Record<string, { readonly source?: string }>;
  };
  readonly provider?: Record<string, readonly Record<string, unknown>[]>;
  readonly variable?: Record<string, { readonly default?: unknown; readonly sensitive?: boolean }>;
  readonly [key: string]: unknown;
}

/** Planned changes of one resource type, counted as Terraform's plan summary counts them. */
export interface ChangeCounts {
  add: number;
  change: number;
  destroy: number;
}

/** One entry of the plan JSON's `resource_changes`. */
export interface ResourceChange {
  readonly address: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly after?: Record<string, unknown> | null;
    readonly after_unknown?: Record<string, unknown>;
  };
}

/** The plan as `terraform show -json` renders it (the fields read here). */
export interface PlanJson {
  readonly format_version: string;
  readonly terraform_version: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly errored?: boolean;
  readonly [key: string]: unknown;
}

/** Seconds each Terraform command took for a stack. */
export interface PhaseTimings {
  init?: number;
  plan?: number;
  show?: number;
}

/** The outcome of planning one stack. */
export interface StackPlan {
  readonly stack: string;
  readonly ok: boolean;
  /** Wall time of init, plan and show together. */
  readonly seconds: number;
  readonly phases: PhaseTimings;
  /** Totals over managed resources; replacements count as one add and one destroy. */
  readonly counts: ChangeCounts;
  /** The same counts per resource type; types without changes are left out. */
  readonly byType: Readonly<Record<string, ChangeCounts>>;
  /** The plan JSON (`terraform show -json`), when the plan succeeded. */
  readonly plan?: PlanJson;
  /** Why the stack failed: preflight problems or Terraform's error diagnostics. */
  readonly errors: readonly string[];
  /** Terraform's warning diagnostics. */
  readonly warnings: readonly string[];
}

/** Options of {@link planStacks}. */
export interface PlanOptions {
  /** The synthesized app: the directory holding `manifest.json`. */
  readonly outdir: string;
  /** Stacks to plan, by name. @default - every stack that plans offline ({@link plansOffline}) */
  readonly stacks?: readonly string[];
  /** Filesystem mirror of the AWS provider. @default - providers from the registry */
  readonly mirror?: string;
  /** Where the CLI config file is written. @default outdir */
  readonly workDir?: string;
  /** The Terraform binary. @default 'terraform' (from PATH) */
  readonly terraform?: string;
  /** Stacks planned at once. @default the number of CPUs, at most 4 */
  readonly concurrency?: number;
  /** Limit per Terraform command; the command's processes are killed after it. @default 600 */
  readonly timeoutSeconds?: number;
  /** Environment the Terraform environment is derived from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Called as each stack finishes, in the order they finish. */
  readonly onResult?: (result: StackPlan) => void;
}

/** A stack named for planning that does not exist or does not plan offline. */
export class StackSelectionError extends Error {}

/**
 * Placeholder credentials for the Terraform process of an offline plan: the AWS
 * provider wants some credentials even when it is told to validate none. They
 * exist only in that process's environment, never in `cdk.tf.json`.
 */
export const PLACEHOLDER_AWS_ENV: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: 'offline-plan-placeholder',
  AWS_SECRET_ACCESS_KEY: 'offline-plan-placeholder',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** The stacks of a synthesized app, in the manifest's order. */
export function readStacks(outdir: string): SynthesizedStack[] {
  const manifestFile = path.join(outdir, 'manifest.json');
  if (!fs.existsSync(manifestFile))
    throw new Error(`no synthesized app: ${manifestFile} is missing`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
    stacks: Record<
      string,
      { name: string; workingDirectory: string; synthesizedStackPath: string }
    >;
  };
  return Object.values(manifest.stacks).map((stack) => ({
    name: stack.name,
    dir: path.resolve(outdir, stack.workingDirectory),
    config: JSON.parse(
      fs.readFileSync(path.resolve(outdir, stack.synthesizedStackPath), 'utf8'),
    ) as TerraformJson,
  }));
}

/** Full addresses of the providers a stack requires. */
export function requiredProviders(config: TerraformJson): string[] {
  return Object.entries(config.terraform?.required_providers ?? {}).map(([name, requirement]) =>
    providerAddress(requirement.source ?? name),
  );
}

/**
 * Whether a stack plans without a provider from the network: it requires the
 * AWS provider (from the mirror) and no other, or no provider at all (a hosts
 * stack, whose `terraform_data` is built into Terraform).
 */
export function plansOffline(config: TerraformJson): boolean {
  return requiredProviders(config).every((provider) => provider === AWS_PROVIDER);
}

/** A stack named for planning that {@link offlineSelection} left out under `onlyOffline`. */
export interface SkippedStack {
  readonly stack: string;
  /** The providers it needs besides AWS's, by full address. */
  readonly providers: readonly string[];
}

/** Options of {@link offlineSelection}. */
export interface SelectionOptions {
  /**
   * Leave out the named stacks that do not plan offline instead of refusing
   * them; a name that is no stack is still refused.
   * @default false
   */
  readonly onlyOffline?: boolean;
}

/** The stacks {@link offlineSelection} chose, and those it left out. */
export interface OfflineSelection {
  /** The stacks to plan: in the order named, or the manifest's. */
  readonly stacks: SynthesizedStack[];
  /** Named stacks that need providers other than AWS's, with `onlyOffline`; else none. */
  readonly skipped: SkippedStack[];
}

/**
 * The stacks to plan: those named (each must exist and, unless `onlyOffline`,
 * plan offline), or every stack that plans offline ({@link plansOffline}).
 * With `onlyOffline`, the named stacks that do not plan offline are left out
 * and listed as skipped; when that leaves none, none is chosen, never every
 * stack.
 * @throws StackSelectionError naming every stack that cannot be planned
 */
export function offlineSelection(
  outdir: string,
  names?: readonly string[],
  options: SelectionOptions = {},
): OfflineSelection {
  const stacks = readStacks(outdir);
  if (!names || names.length === 0) {
    return { stacks: stacks.filter((stack) => plansOffline(stack.config)), skipped: [] };
  }
  const problems: string[] = [];
  const selected: SynthesizedStack[] = [];
  const skipped: SkippedStack[] = [];
  for (const name of names) {
    const stack = stacks.find((candidate) => candidate.name === name);
    if (!stack) {
      problems.push(
        `no stack '${name}' (stacks: ${stacks.map((candidate) => candidate.name).join(', ') || 'none'})`,
      );
    } else if (plansOffline(stack.config)) {
      if (!selected.includes(stack)) selected.push(stack);
    } else if (!options.onlyOffline) {
      problems.push(
        `stack '${name}' needs providers other than AWS's: only stacks of the AWS provider or of none plan offline`,
      );
    } else if (!skipped.some((entry) => entry.stack === name)) {
      const providers = requiredProviders(stack.config).filter(
        (provider) => provider !== AWS_PROVIDER,
      );
      skipped.push({ stack: name, providers });
    }
  }
  if (problems.length > 0) throw new StackSelectionError(problems.join('\n'));
  return { stacks: selected, skipped };
}

/**
 * The stacks to plan: those named (each must exist and plan offline), or every
 * stack that plans offline ({@link plansOffline}).
 * @throws StackSelectionError naming every stack that cannot be planned
 */
export function selectOfflineStacks(outdir: string, names?: readonly string[]): SynthesizedStack[] {
  return offlineSelection(outdir, names).stacks;
}

/** `<stack>: skipped, it needs providers other than AWS's (<provider>, ...)`. */
export function formatSkippedStack(skipped: SkippedStack): string {
  return `${skipped.stack}: skipped, it needs providers other than AWS's (${skipped.providers.join(', ')})`;
}

const CREDENTIAL_FIELDS = ['access_key', 'secret_key', 'token'];
const OFFLINE_FLAGS = ['skip_credentials_validation', 'skip_requesting_account_id'];

/**
 * What stops a stack from planning offline, found before Terraform runs: a
 * backend other than `local` (`terraform init` would reach it), an AWS provider
 * not configured for the offline plan (it would call STS), credentials in the
 * provider configuration.
 */
export function offlineProblems(config: TerraformJson): string[] {
  const problems: string[] = [];
  for (const kind of Object.keys(config.terraform?.backend ?? {})) {
    if (kind !== 'local') {
      problems.push(
        `backend '${kind}' needs the network: synthesize with FLEET_OFFLINE=1, which gives ` +
          `every stack a local backend (applyBackend(..., { offline: true }))`,
      );
    }
  }
  for (const provider of config.provider?.aws ?? []) {
    const name = `provider aws${provider.alias ? ` (alias ${String(provider.alias)})` : ''}`;
    const missing = OFFLINE_FLAGS.filter((flag) => provider[flag] !== true);
    if (missing.length > 0) {
      problems.push(
        `${name} is not configured for the offline plan (${missing.join(', ')} unset): ` +
          `create it with awsProvider(..., { offline: true })`,
      );
    }
    const credentials = CREDENTIAL_FIELDS.filter((field) => field in provider);
    if (credentials.length > 0) {
      problems.push(`${name} carries credentials (${credentials.join(', ')}): remove them`);
    }
  }
  return problems;
}

/**
 * The environment of the Terraform processes: the caller's, without any `AWS_*`
 * variable (no real credential or profile reaches an offline plan), with
 * {@link PLACEHOLDER_AWS_ENV}, the given CLI config, and no checkpoint calls or
 * prompts.
 */
export function terraformEnv(base: NodeJS.ProcessEnv, cliConfigFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(base)) {
    if (!key.startsWith('AWS_')) env[key] = value;
  }
  return {
    ...env,
    ...PLACEHOLDER_AWS_ENV,
    TF_CLI_CONFIG_FILE: cliConfigFile,
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
  };
}

/**
 * `TF_VAR_<name>` placeholders for the sensitive variables without a default
 * (e.g. a broker's administrator password), which an offline plan cannot ask
 * for. Only in the Terraform process's environment; a value the caller set wins.
 */
export function placeholderVariables(
  config: TerraformJson,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const placeholders: Record<string, string> = {};
  for (const [name, variable] of Object.entries(config.variable ?? {})) {
    if (variable.sensitive !== true || 'default' in variable) continue;
    if (env[`TF_VAR_${name}`] === undefined) {
      placeholders[`TF_VAR_${name}`] = `offline-plan-placeholder-${process.pid}`;
    }
  }
  return placeholders;
}

/** `terraform version`, or `undefined` when the binary cannot run. */
export function terraformVersion(terraform = 'terraform'): string | undefined {
  const result = spawnSync(terraform, ['version', '-json'], {
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  if (result.error || result.status !== 0) return undefined;
  try {
    return (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version;
  } catch {
    return undefined;
  }
}

/** Counts the changes of a plan JSON the way Terraform's `Plan:` line does. */
export function countChanges(plan: PlanJson): {
  counts: ChangeCounts;
  byType: Record<string, ChangeCounts>;
} {
  const counts: ChangeCounts = { add: 0, change: 0, destroy: 0 };
  const byType: Record<string, ChangeCounts> = {};
  for (const resource of plan.resource_changes ?? []) {
    if (resource.mode !== 'managed') continue;
    const actions = resource.change.actions;
    const delta: ChangeCounts = {
      add: actions.includes('create') ? 1 : 0,
      change: actions.includes('update') ? 1 : 0,
      destroy: actions.includes('delete') ? 1 : 0,
    };
    if (delta.add + delta.change + delta.destroy === 0) continue;
    const typeCounts = (byType[resource.type] ??= { add: 0, change: 0, destroy: 0 });
    for (const key of ['add', 'change', 'destroy'] as const) {
      typeCounts[key] += delta[key];
      counts[key] += delta[key];
    }
  }
  return { counts, byType };
}

/** `<stack>: ok, 5 to add, 0 to change, 0 to destroy (6.1 s)` or `<stack>: FAILED` and the errors. */
export function formatStackPlan(result: StackPlan): string {
  const time = `(${result.seconds.toFixed(1)} s)`;
  if (result.ok) {
    const { add, change, destroy } = result.counts;
    return `${result.stack}: ok, ${add} to add, ${change} to change, ${destroy} to destroy ${time}`;
  }
  const details = result.errors.flatMap((error) => error.split('\n')).map((line) => `  ${line}`);
  return [`${result.stack}: FAILED ${time}`, ...details].join('\n');
}

interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly seconds: number;
}

/** Process groups of the Terraform commands running now. */
const running = new Set<ChildProcess>();

/**
 * Kills every Terraform command still running, with the provider plugins it
 * started (each command runs in its own process group).
 */
export function stopRunningCommands(): void {
  for (const child of running) killGroup(child);
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutSeconds: number },
): Promise<CommandResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, options.timeoutSeconds * 1000);
    const finish = (code: number | null, error?: Error) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8') + (error ? `${error.message}\n` : ''),
        timedOut,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
      });
    };
    child.on('error', (error) => finish(null, error));
    child.on('close', (code) => finish(code));
  });
}

/** Non-blank lines of Terraform's human-readable output. */
function outputLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/^[│╷╵]\s?/, '').trimEnd())
    .filter((line) => line.trim() !== '');
}

interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  readonly address?: string;
}

/** Diagnostics of a `-json` Terraform run, rendered one per entry. */
function diagnostics(stdout: string): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let message: { type?: string; diagnostic?: Diagnostic };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      continue;
    }
    if (message.type !== 'diagnostic' || !message.diagnostic) continue;
    const { severity, summary, detail, address } = message.diagnostic;
    const text = [
      `${severity === 'error' ? 'Error' : 'Warning'}: ${summary}${address ? ` (${address})` : ''}`,
      ...(detail ? [detail] : []),
    ].join('\n');
    (severity === 'error' ? errors : warnings).push(text);
  }
  return { errors, warnings };
}

function failure(command: string, result: CommandResult, timeoutSeconds: number): string[] {
  if (result.timedOut) return [`terraform ${command} did not finish in ${timeoutSeconds} s`];
  const lines = outputLines(result.stderr);
  return lines.length > 0 ? lines : [`terraform ${command} exited with ${result.code}`];
}

interface PlanContext {
  readonly terraform: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutSeconds: number;
}

/** init, plan and show of one stack in its own directory. */
async function planStack(stack: SynthesizedStack, context: PlanContext): Promise<StackPlan> {
  const started = process.hrtime.bigint();
  const phases: PhaseTimings = {};
  const done = (fields: Partial<StackPlan>): StackPlan => ({
    stack: stack.name,
    ok: false,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    phases,
    counts: { add: 0, change: 0, destroy: 0 },
    byType: {},
    errors: [],
    warnings: [],
    ...fields,
  });

  const problems = offlineProblems(stack.config);
  if (problems.length > 0) return done({ errors: problems });

  const run = (args: string[]) =>
    runCommand(context.terraform, args, {
      cwd: stack.dir,
      env: { ...placeholderVariables(stack.config, context.env), ...context.env },
      timeoutSeconds: context.timeoutSeconds,
    });

  const init = await run(['init', '-input=false', '-no-color']);
  phases.init = init.seconds;
  if (init.code !== 0) return done({ errors: failure('init', init, context.timeoutSeconds) });

  const plan = await run(['plan', '-input=false', '-lock=false', '-json', '-out=plan.bin']);
  phases.plan = plan.seconds;
  const { errors, warnings } = diagnostics(plan.stdout);
  if (plan.code !== 0) {
    return done({
      errors: errors.length > 0 ? errors : failure('plan', plan, context.timeoutSeconds),
      warnings,
    });
  }

  const show = await run(['show', '-json', '-no-color', 'plan.bin']);
  phases.show = show.seconds;
  if (show.code !== 0) {
    return done({ errors: failure('show', show, context.timeoutSeconds), warnings });
  }
  const planJson = JSON.parse(show.stdout) as PlanJson;
  return done({ ok: true, plan: planJson, warnings, ...countChanges(planJson) });
}

/**
 * Plans stacks of a synthesized app with Terraform, offline: writes a CLI config
 * (the AWS provider from `mirror` when given), then runs `terraform init`,
 * `plan -lock=false -out=plan.bin` and `show -json plan.bin` in each stack's
 * directory. A stack that cannot plan offline fails before Terraform runs.
 * Results come back in the order of the stacks.
 * @throws StackSelectionError when a named stack cannot be planned
 */
export async function planStacks(options: PlanOptions): Promise<StackPlan[]> {
  const stacks = selectOfflineStacks(options.outdir, options.stacks);
  const cliConfigFile = writeCliConfig(
    path.join(options.workDir ?? options.outdir, 'terraform-cli.tfrc'),
    options.mirror,
  );
  const context: PlanContext = {
    terraform: options.terraform ?? 'terraform',
    env: terraformEnv(options.env ?? process.env, cliConfigFile),
    timeoutSeconds: options.timeoutSeconds ?? 600,
  };
  const concurrency = Math.max(1, options.concurrency ?? Math.min(4, os.cpus().length));
  const results: StackPlan[] = new Array<StackPlan>(stacks.length);
  let next = 0;
  const worker = async () => {
    while (next < stacks.length) {
      const index = next++;
      const result = await planStack(stacks[index], context);
      results[index] = result;
      options.onResult?.(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, stacks.length) }, worker));
  return results;
}

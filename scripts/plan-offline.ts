/**
 * `npm run plan:offline [-- [--app <entry.ts>] [--keep] [--only-offline] [<stack> ...]]`:
 * a real `terraform plan` of the stacks that use the AWS provider or none
 * (hosts stacks), with no cloud account and no network. Synthesizes the app
 * with `FLEET_OFFLINE=1` into a temporary directory (the project's `cdktf.out`
 * is left alone), takes the AWS provider from the filesystem mirror
 * (`TF_PROVIDER_MIRROR`, or found as `.ci/run` finds it), plans every such
 * stack (or those named) and prints one line per stack. A named stack that
 * needs another provider is refused, or, with `--only-offline`, skipped with a
 * line saying so; when that skips every named stack, nothing is planned.
 * Exits 1 when a stack fails, 2 on a usage or setup problem.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { startProgress } from '../app/progress';
import { OFFLINE_ENV } from '../constructs/aws/offline';
import { AWS_PROVIDER, findProviderMirror } from './terraform/cli-config';
import {
  formatSkippedStack,
  formatStackPlan,
  offlineSelection,
  planStacks,
  StackSelectionError,
  stopRunningCommands,
  terraformVersion,
} from './terraform/offline-plan';

const PROJECT_DIR = path.resolve(__dirname, '..');

/** Options of {@link synthesizeOffline}. */
export interface SynthOptions {
  /** The app's entry file. @default main.ts of the project */
  readonly app?: string;
  /** Output directory (`CDKTF_OUTDIR`). */
  readonly outdir: string;
  /** Environment of the app. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs the app with `tsx` in offline mode into `outdir`; throws with its output when it fails. */
export function synthesizeOffline(options: SynthOptions): void {
  const app = path.resolve(options.app ?? path.join(PROJECT_DIR, 'main.ts'));
  const result = spawnSync(path.join(PROJECT_DIR, 'node_modules', '.bin', 'tsx'), [app], {
    cwd: PROJECT_DIR,
    env: { ...(options.env ?? process.env), [OFFLINE_ENV]: '1', CDKTF_OUTDIR: options.outdir },
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `synthesis of ${path.relative(PROJECT_DIR, app)} failed:\n${result.stderr || result.stdout}`,
    );
  }
}

interface CliArgs {
  readonly app?: string;
  readonly keep: boolean;
  readonly onlyOffline: boolean;
  readonly stacks: string[];
}

function parseArgs(argv: readonly string[]): CliArgs {
  let app: string | undefined;
  let keep = false;
  let onlyOffline = false;
  const stacks: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--app') {
      app = argv[++i];
      if (!app) throw new Error('--app needs the path of an app entry file');
    } else if (arg === '--keep') {
      keep = true;
    } else if (arg === '--only-offline') {
      onlyOffline = true;
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg} (options: --app <entry.ts>, --keep, --only-offline)`);
    } else {
      stacks.push(arg);
    }
  }
  return { app, keep, onlyOffline, stacks };
}

/** The command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const version = terraformVersion();
  if (!version) {
    console.error('terraform is not on the PATH: install Terraform to plan offline');
    return 2;
  }
  let mirror: string | undefined;
  try {
    mirror = findProviderMirror();
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  console.error(
    mirror
      ? `terraform ${version}; ${AWS_PROVIDER} from the mirror ${mirror}`
      : `terraform ${version}; no provider mirror (TF_PROVIDER_MIRROR is unset and none was found): providers install from the registry`,
  );

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-plan-offline-'));
  const cleanUp = () => {
    if (args.keep) console.error(`kept ${workDir}`);
    else fs.rmSync(workDir, { recursive: true, force: true });
  };
  const interrupt = (signal: NodeJS.Signals) => {
    stopRunningCommands();
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const outdir = path.join(workDir, 'cdktf.out');
    synthesizeOffline({ app: args.app, outdir });
    const selection = offlineSelection(outdir, args.stacks, { onlyOffline: args.onlyOffline });
    for (const skipped of selection.skipped) console.log(formatSkippedStack(skipped));
    const total = selection.stacks.length;
    if (total === 0) {
      console.log(
        args.stacks.length > 0
          ? 'no stack of those named plans offline'
          : 'no stack plans offline (AWS provider or none): nothing to plan',
      );
      return 0;
    }
    const started = Date.now();
    const progress = startProgress({ label: 'plan', total, unit: 'stacks' });
    let done = 0;
    const results = await planStacks({
      outdir,
      stacks: selection.stacks.map((stack) => stack.name),
      mirror,
      workDir,
      onResult: (result) => {
        progress.log(formatStackPlan(result), process.stdout);
        progress.update(++done, result.stack);
      },
    });
    const failed = results.filter((result) => !result.ok).length;
    progress.finish(
      `${total} stack(s) planned, ${failed} failed, ` +
        (selection.skipped.length > 0 ? `${selection.skipped.length} skipped, ` : '') +
        `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return failed === 0 ? 0 : 1;
  } catch (error) {
    console.error((error as Error).message);
    return error instanceof StackSelectionError ? 2 : 1;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    cleanUp();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

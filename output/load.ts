import * as path from 'path';
import { FLEET_FILE } from '../app/fleet-report';
import { checkOutputConsistency } from '../app/output-dir';
import { GUARDRAIL_REPORT } from '../app/synth-reports';
import { environmentNameProblem } from '../model/environment';
import { AnsibleFiles, readAnsibleFiles } from './ansible-files';
import { InputDir, ReviewError } from './files';
import {
  BaseFleetFile,
  baseFleetFileSchema,
  FleetFile,
  fleetFileSchema,
  GuardrailDocument,
  guardrailFileSchema,
  ManifestFile,
  manifestFileSchema,
  schemaProblem,
  stackFileSchema,
  StackJson,
} from './schema';

export { ReviewError } from './files';
export type { GuardrailDocument } from './schema';

export type { StackJson } from './schema';

/** Most stacks an output may list: 50 sites of 3 stacks each, per environment, with room. */
export const MAX_STACKS = 5000;

/** A synthesized output directory, read once. */
export interface SynthOutput {
  readonly dir: string;
  /** Every stack's Terraform JSON, by stack id. */
  readonly stacks: ReadonlyMap<string, StackJson>;
  /** The generated Ansible files of each hosts stack, by stack id. */
  readonly ansible: ReadonlyMap<string, AnsibleFiles>;
  readonly fleet: FleetFile;
  /**
   * The guardrail report (`guardrails.json`): every environment's findings.
   * @default - none: the output predates `guardrails.json`
   */
  readonly guardrails?: GuardrailDocument;
}

/** The target branch's output, read for what a comparison needs. */
export interface BaseOutput {
  readonly dir: string;
  readonly stacks: ReadonlyMap<string, StackJson>;
  readonly ansible: ReadonlyMap<string, AnsibleFiles>;
  readonly fleet: BaseFleetFile;
}

/**
 * Reads the output under review: `manifest.json`, each stack's `cdk.tf.json`,
 * `fleet.json` and, when present, `guardrails.json`, each checked against its
 * schema (see `schema.ts`), and the whole checked to be one output.
 * @param label how the directory was named on the command line, for messages
 * @throws ReviewError when the directory is missing, is not a cdktf output of
 *   this project, or any file of it is out of place, not a regular file, too
 *   large or not what synth writes
 */
export function loadSynthOutput(dir: string, label = '--synth'): SynthOutput {
  const input = openOutput(dir, label);
  const { stacks, ansible } = readStacks(input);
  if (!input.has(FLEET_FILE)) {
    throw new ReviewError(
      `${label} '${dir}' has no ${FLEET_FILE}: synthesize it with this branch's main.ts (npm run synth)`,
    );
  }
  const fleet = readDocument<FleetFile>(input, FLEET_FILE, fleetFileSchema);
  checkEnvironments(input, fleet);
  const guardrails = input.has(GUARDRAIL_REPORT)
    ? readDocument<GuardrailDocument>(input, GUARDRAIL_REPORT, guardrailFileSchema)
    : undefined;
  checkWhole(input);
  return { dir, stacks, ansible, fleet, ...(guardrails ? { guardrails } : {}) };
}

/**
 * Reads the target branch's output to compare `current` with: its manifest
 * and stacks as {@link loadSynthOutput} does, and what a comparison reads of
 * its `fleet.json`.
 * @throws ReviewError as {@link loadSynthOutput}, and when the output belongs
 *   to another project: it has no `fleet.json`, or `fleet.json` names another
 *   project than `current`'s
 */
export function loadBaseOutput(dir: string, current: SynthOutput, label = '--base'): BaseOutput {
  const input = openOutput(dir, label);
  const { stacks, ansible } = readStacks(input);
  if (!input.has(FLEET_FILE)) {
    throw new ReviewError(
      `${label} '${dir}' is not an output of this project: it has no ${FLEET_FILE} (synthesize the target branch with npm run synth)`,
    );
  }
  const fleet = readDocument<BaseFleetFile>(input, FLEET_FILE, baseFleetFileSchema);
  checkEnvironments(input, fleet);
  if (fleet.project && current.fleet.project && fleet.project !== current.fleet.project) {
    throw new ReviewError(
      `${label} '${dir}' is an output of project '${fleet.project}', not of '${current.fleet.project}' as ${current.dir}: compare outputs of one project`,
    );
  }
  checkWhole(input);
  return { dir, stacks, ansible, fleet };
}

function openOutput(dir: string, label: string): InputDir {
  const input = InputDir.open(dir, label);
  if (!input.has('manifest.json')) {
    throw new ReviewError(`${label} '${dir}' is not a cdktf output: it has no manifest.json`);
  }
  return input;
}

/**
 * Every stack `manifest.json` lists, each read from inside the directory, and
 * the Ansible files of those that run Ansible, each held to its hash.
 */
function readStacks(input: InputDir): {
  stacks: Map<string, StackJson>;
  ansible: Map<string, AnsibleFiles>;
} {
  const manifest = readDocument<ManifestFile>(input, 'manifest.json', manifestFileSchema);
  const ids = Object.keys(manifest.stacks);
  if (ids.length > MAX_STACKS) {
    throw input.problem('manifest.json', `lists ${ids.length} stacks, more than ${MAX_STACKS}`);
  }
  const stacks = new Map<string, StackJson>();
  const ansible = new Map<string, AnsibleFiles>();
  for (const id of ids) {
    const relative =
      manifest.stacks[id].synthesizedStackPath ?? path.join('stacks', id, 'cdk.tf.json');
    const stack = readDocument<StackJson>(input, relative, stackFileSchema, { keepNulls: true });
    stacks.set(id, stack);
    const files = readAnsibleFiles(input, id, relative, stack);
    if (files) ansible.set(id, files);
  }
  return { stacks, ansible };
}

/**
 * A JSON file of the output, checked against its schema. In the project's
 * reports a `null` field reads as absent; Terraform JSON is kept as written.
 */
function readDocument<T>(
  input: InputDir,
  relative: string,
  schema: object,
  options: { readonly keepNulls?: boolean } = {},
): T {
  const value = input.readJson(relative);
  const problem = schemaProblem(schema, value);
  if (problem) throw input.problem(relative, `is not what synth writes: ${problem}`);
  return (options.keepNulls ? value : withoutNulls(value)) as T;
}

/**
 * Environment names become file names: each must be an environment name
 * (a DNS label of at most 30 characters), and the name its report carries.
 */
function checkEnvironments(
  input: InputDir,
  fleet: { readonly environments: Readonly<Record<string, { readonly environment: string }>> },
): void {
  for (const [name, report] of Object.entries(fleet.environments)) {
    const problem = environmentNameProblem(name);
    if (problem) throw input.problem(FLEET_FILE, `is not what synth writes: ${problem}`);
    if (report.environment !== name) {
      throw input.problem(
        FLEET_FILE,
        `is not what synth writes: environment '${name}' is reported as '${report.environment}'`,
      );
    }
  }
}

/** Refuses an output whose manifest, stacks and reports do not belong together. */
function checkWhole(input: InputDir): void {
  const problem = checkOutputConsistency(input.dir, { allowUnstamped: true });
  if (problem) {
    throw new ReviewError(`${input.label} '${input.dir}' is not one whole output: ${problem}`);
  }
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, inner]) => inner !== null)
        .map(([key, inner]) => [key, withoutNulls(inner)]),
    );
  }
  return value;
}

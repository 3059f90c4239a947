import * as fs from 'fs';
import * as path from 'path';
import type { Finding } from '../constructs/guardrails/types';
import type { GuardrailSuppression } from '../constructs/model/environment';
import type { FleetDocument } from '../stacks/fleet-report';

/** A problem with the review's input, shown as one line without a stack trace. */
export class ReviewError extends Error {}

/** One stack's `cdk.tf.json`, as parsed. */
export type StackJson = Readonly<Record<string, unknown>>;

/** The content of `guardrails.json`. */
export interface GuardrailDocument {
  readonly environments: Readonly<
    Record<
      string,
      {
        readonly findings: readonly Finding[];
        readonly unusedSuppressions: readonly GuardrailSuppression[];
      }
    >
  >;
}

/** A synthesized output directory, read once. */
export interface SynthOutput {
  readonly dir: string;
  /** Every stack's Terraform JSON, by stack id. */
  readonly stacks: ReadonlyMap<string, StackJson>;
  /** @default - none: the output predates `fleet.json` */
  readonly fleet?: FleetDocument;
  /** @default - none: the output predates `guardrails.json` */
  readonly guardrails?: GuardrailDocument;
}

/**
 * Reads a cdktf output directory: `manifest.json`, each stack's `cdk.tf.json`,
 * and `fleet.json` and `guardrails.json` when present.
 * @param label how the directory was named on the command line, for messages
 * @throws ReviewError when the directory is missing or is not a cdktf output
 */
export function loadSynthOutput(dir: string, label: string): SynthOutput {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ReviewError(`${label} '${dir}': no such directory`);
  }
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new ReviewError(`${label} '${dir}' is not a cdktf output: it has no manifest.json`);
  }
  const manifest = readJson(manifestFile, label) as { stacks?: Record<string, unknown> };
  if (!manifest || typeof manifest.stacks !== 'object' || manifest.stacks === null) {
    throw new ReviewError(
      `${label} '${dir}' is not a cdktf output: manifest.json lists no 'stacks'`,
    );
  }
  const stacks = new Map<string, StackJson>();
  for (const [id, entry] of Object.entries(manifest.stacks)) {
    const relative =
      (entry as { synthesizedStackPath?: string }).synthesizedStackPath ??
      path.join('stacks', id, 'cdk.tf.json');
    const file = path.join(dir, relative);
    if (!fs.existsSync(file)) {
      throw new ReviewError(`${label} '${dir}': stack '${id}' has no ${relative}`);
    }
    stacks.set(id, readJson(file, label) as StackJson);
  }
  return {
    dir,
    stacks,
    fleet: optionalJson(path.join(dir, 'fleet.json'), label) as FleetDocument | undefined,
    guardrails: optionalJson(path.join(dir, 'guardrails.json'), label) as
      GuardrailDocument | undefined,
  };
}

function optionalJson(file: string, label: string): unknown {
  return fs.existsSync(file) ? readJson(file, label) : undefined;
}

function readJson(file: string, label: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ReviewError(`${label}: ${file} is not valid JSON (${(error as Error).message})`);
  }
}

import { TerraformStack, Testing } from 'cdktf';
import { Construct, IConstruct } from 'constructs';

/**
 * A block of synthesized Terraform JSON: a resource's or data source's body,
 * an output, a provider configuration. Its keys follow the provider's schema
 * (snake_case, as Terraform reads them), which the tests read by path.
 */
export type Block = Record<string, any>;

/** Blocks of one kind (resource, data, ephemeral), by type and then logical id. */
export type BlocksByType = Readonly<Record<string, Readonly<Record<string, Block>>>>;

/**
 * A stack's Terraform JSON as cdktf writes it (`cdk.tf.json`). cdktf leaves a
 * kind out when the stack has none of it; {@link parseSynthesized} fills in
 * the empty object so tests need not check.
 * @see https://developer.hashicorp.com/terraform/language/syntax/json
 */
export interface Synthesized {
  readonly resource: BlocksByType;
  readonly data: BlocksByType;
  readonly ephemeral: BlocksByType;
  readonly provider: Readonly<Record<string, readonly Block[]>>;
  readonly terraform: Block;
  readonly output: Readonly<Record<string, Block>>;
  readonly variable: Readonly<Record<string, Block>>;
  readonly locals: Block;
  /** Custom conditions (`check` blocks), by name. */
  readonly check: Readonly<Record<string, Block>>;
}

const KINDS = [
  'resource',
  'data',
  'ephemeral',
  'provider',
  'terraform',
  'output',
  'variable',
  'locals',
  'check',
] as const;

/** Parses a stack's Terraform JSON text into the typed view; other keys (e.g. `//`) stay as they are. */
export function parseSynthesized(text: string): Synthesized {
  const json = JSON.parse(text) as Partial<Record<(typeof KINDS)[number], object>>;
  const kinds = Object.fromEntries(KINDS.map((kind) => [kind, json[kind] ?? {}]));
  return { ...json, ...kinds } as unknown as Synthesized;
}

/**
 * Synthesizes a stack, running every construct's validations first (a failed
 * one throws), and returns its Terraform JSON.
 * @see https://developer.hashicorp.com/terraform/cdktf/test/unit-tests
 */
export function synthesized(stack: TerraformStack): Synthesized {
  return parseSynthesized(Testing.synth(stack, true));
}

/**
 * Synthesizes what `build` adds to a fresh scope (cdktf's `Testing.synthScope`:
 * no provider, no validations) and returns its Terraform JSON.
 */
export function synthesizedScope(build: (scope: Construct) => void): Synthesized {
  return parseSynthesized(Testing.synthScope(build));
}

/** {@link synthesized} for the stack `id` of an app (or any other scope). */
export function synthesizedChild(scope: IConstruct, id: string): Synthesized {
  const child = scope.node.findChild(id);
  if (!TerraformStack.isStack(child)) throw new Error(`${id} is not a stack`);
  return synthesized(child);
}

/** Every resource of a type, by logical id; empty when there is none. */
export function resourcesById(json: Synthesized, type: string): Readonly<Record<string, Block>> {
  return json.resource[type] ?? {};
}

/** Every resource of a type, in the order synthesized; empty when there is none. */
export function resourcesOf(json: Synthesized, type: string): Block[] {
  return Object.values(resourcesById(json, type));
}

/**
 * The single resource of a type, or the single one whose logical id contains
 * `name` (with or without its dashes: ids drop them). Throws unless exactly
 * one matches.
 */
export function resourceOf(json: Synthesized, type: string, name = ''): Block {
  const matches = Object.entries(resourcesById(json, type)).filter(
    ([id]) => id.includes(name) || id.includes(name.replace(/-/g, '')),
  );
  if (matches.length !== 1) {
    const found = matches.map(([id]) => id).join(', ') || 'none';
    throw new Error(`expected one ${type} matching '${name}', found ${found}`);
  }
  return matches[0][1];
}

/** The objects of a kind among the stack's `kubernetes_manifest` resources. */
export function manifestsOf(json: Synthesized, kind: string): Block[] {
  return resourcesOf(json, 'kubernetes_manifest')
    .map((resource) => resource.manifest as Block)
    .filter((manifest) => manifest.kind === kind);
}

/** The single object of a kind among the `kubernetes_manifest` resources; throws unless exactly one. */
export function manifestOf(json: Synthesized, kind: string): Block {
  const found = manifestsOf(json, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

/** The parsed values of the `helm_release` named `release`. */
export function helmValues(json: Synthesized, release: string): Block {
  const found = resourcesOf(json, 'helm_release').find((r) => r.name === release);
  if (!found) throw new Error(`no helm_release named ${release}`);
  return JSON.parse((found.values as string[])[0]) as Block;
}

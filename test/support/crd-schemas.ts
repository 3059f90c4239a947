import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { Block } from './synthesized';

/**
 * The upstream CRD schemas, read from `CRD_SCHEMA_DIR`. Outside CI a missing
 * folder skips the tests that need it, saying so; under `CI=true` it fails.
 */
export const CRD_SCHEMA_DIR = process.env.CRD_SCHEMA_DIR;

export function crdSchemasAvailable(): boolean {
  if (CRD_SCHEMA_DIR && fs.existsSync(CRD_SCHEMA_DIR)) return true;
  const reason = `CRD schemas not found: set CRD_SCHEMA_DIR to the folder of upstream CRDs (got ${CRD_SCHEMA_DIR ?? 'nothing'})`;
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`Skipping CRD schema validation. ${reason}`);
  return false;
}

/**
 * The state engines' CRDs, vendored in the repository at their pinned releases
 * (see test/fixtures/state-engines/README.md): one folder per project.
 */
export const STATE_ENGINE_CRDS = path.join(__dirname, '../fixtures/state-engines');

/**
 * Whether the vendored CRDs of a state engine are there. They travel with the
 * repository, so a missing folder is a broken checkout: outside CI the tests
 * that need it are skipped, saying so; under `CI=true` it fails.
 */
export function stateEngineCrdsAvailable(folder: string): boolean {
  const dir = path.join(STATE_ENGINE_CRDS, folder);
  if (fs.existsSync(dir)) return true;
  const reason = `vendored CRDs not found at ${dir}`;
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`Skipping CRD schema validation. ${reason}`);
  return false;
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validators = new Map<string, ValidateFunction>();

/**
 * Validator of `group/version, kind` from the CRD files under `<root>/<folder>`,
 * `root` being `CRD_SCHEMA_DIR` unless given (e.g. {@link STATE_ENGINE_CRDS}).
 */
export function crdValidator(
  folder: string,
  apiVersion: string,
  kind: string,
  root: string = CRD_SCHEMA_DIR as string,
): ValidateFunction {
  const key = `${root}/${folder}:${apiVersion}/${kind}`;
  const cached = validators.get(key);
  if (cached) return cached;
  const [group, version] = apiVersion.split('/');
  const dir = path.join(root, folder);
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.yaml'))) {
    const crd = parse(fs.readFileSync(path.join(dir, file), 'utf8')) as {
      spec: {
        group: string;
        names: { kind: string };
        versions: { name: string; schema: { openAPIV3Schema: object } }[];
      };
    };
    if (crd?.spec?.group !== group || crd.spec.names.kind !== kind) continue;
    const served = crd.spec.versions.find((candidate) => candidate.name === version);
    if (!served) break;
    const validate = ajv.compile(served.schema.openAPIV3Schema);
    validators.set(key, validate);
    return validate;
  }
  throw new Error(`no CRD for ${key} under ${dir}`);
}

/**
 * Validates a manifest, as synthesized or deliberately broken, against the CRD
 * its `apiVersion` and `kind` name; returns ajv's errors as readable lines.
 */
export function crdErrors(folder: string, manifest: Block, root?: string): string[] {
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    throw new Error(`not a Kubernetes object: ${JSON.stringify(manifest).slice(0, 200)}`);
  }
  const validate = crdValidator(folder, apiVersion, kind, root);
  return validate(manifest)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

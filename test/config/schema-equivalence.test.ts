import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import * as fc from 'fast-check';
import { parse } from 'yaml';
import { JsonSchema } from '../../config/json-schema';
import { agentTypesSchema, environmentSchema } from '../../config/schema';
import { schemaFiles } from '../../config/schema-files';
import { CATALOGUE_FILE, invalidCaseArbs, junkCaseArb, readBaseFiles } from '../fuzz/generators';
import { REPO_ROOT } from './support';

/**
 * The file format's schemas, as published and as the loader validates with
 * them, accept and refuse the same documents as the hand-written schemas
 * published before the format was declared with TypeBox
 * (test/config/fixtures/reference-schemas, see the README there), with the
 * same errors: the same fields, checks and limits, so the loader's messages
 * are the same too.
 */

const SEED = 20261207;
/** Documents compared per kind of edit. */
const PER_EDIT = 50;
const JUNK = 150;

const FILES = {
  catalogue: 'schema/agent-types.schema.json',
  environment: 'schema/environment.schema.json',
} as const;
type Kind = keyof typeof FILES;

function reference(kind: Kind): JsonSchema {
  const file = path.join(__dirname, 'fixtures/reference-schemas', path.basename(FILES[kind]));
  return JSON.parse(fs.readFileSync(file, 'utf8')) as JsonSchema;
}

/** As published in `schema/`. */
function published(kind: Kind): JsonSchema {
  return JSON.parse(schemaFiles()[FILES[kind]]) as JsonSchema;
}

/** As the loader validates with: the declarations themselves. */
function declared(kind: Kind): object {
  return kind === 'catalogue' ? agentTypesSchema : environmentSchema;
}

/** Compiled as the loader compiles (config/schema-check.ts), with the schema of each error. */
function compile(schema: object): ValidateFunction {
  return new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: false }).compile(
    schema,
  );
}

/** What the loader's message for an error is made of (config/schema-check.ts `describe`). */
function signature(error: ErrorObject): string {
  const parent = (error.parentSchema ?? {}) as JsonSchema;
  return JSON.stringify([
    error.instancePath,
    error.keyword,
    error.propertyName,
    error.params,
    parent.type,
    parent.enum,
    Object.keys(parent.properties ?? {}),
    [parent.minimum, parent.maximum, parent.exclusiveMinimum],
    [parent.minLength, parent.maxLength, parent.minProperties, parent.maxProperties],
  ]);
}

/** The verdict and the errors, in the order the loader reports them. */
function outcome(validate: ValidateFunction, document: unknown): string[] {
  if (validate(document)) return ['valid'];
  // An `if` error only says which branch failed; the loader makes no message of it.
  const errors = (validate.errors ?? []).filter((error) => error.keyword !== 'if');
  return ['invalid', ...errors.map(signature)];
}

/** The project's files and, with a fixed seed, broken variants from the fuzz generators. */
function documents(): { kind: Kind; label: string; document: unknown }[] {
  const base = readBaseFiles(REPO_ROOT);
  const cases = [
    ...Object.entries(invalidCaseArbs(base))
      .filter(([category]) => !['huge', 'overLimit', 'empty'].includes(category))
      .flatMap(([, arbitrary]) => fc.sample(arbitrary, { seed: SEED, numRuns: PER_EDIT })),
    ...fc.sample(junkCaseArb(base), { seed: SEED, numRuns: JUNK }),
  ].map(({ file, text, category }) => ({ file, text, label: category }));
  const originals = [...base.texts].map(([file, text]) => ({ file, text, label: 'original' }));
  return [...originals, ...cases].flatMap(({ file, text, label }) => {
    let document: unknown;
    try {
      document = parse(text, { logLevel: 'silent' });
    } catch {
      return []; // text the YAML parser refuses never reaches the schema
    }
    const kind: Kind = file === CATALOGUE_FILE ? 'catalogue' : 'environment';
    return [{ kind, label: `${label}: ${file}`, document }];
  });
}

describe('the derived schemas against the reference schemas', () => {
  const validators = Object.fromEntries(
    (['catalogue', 'environment'] as const).map((kind) => [
      kind,
      {
        before: compile(reference(kind)),
        after: [compile(published(kind)), compile(declared(kind))],
      },
    ]),
  ) as Record<Kind, { before: ValidateFunction; after: ValidateFunction[] }>;
  const all = documents();

  test('compare enough documents, valid and invalid, of both files', () => {
    const verdicts = all.map(({ kind, document }) => [kind, validators[kind].before(document)]);
    const count = (kind: Kind, valid: boolean) =>
      verdicts.filter(([k, v]) => k === kind && v === valid).length;
    expect(all.length).toBeGreaterThan(500);
    for (const kind of ['catalogue', 'environment'] as const) {
      expect(count(kind, true)).toBeGreaterThan(0);
      expect(count(kind, false)).toBeGreaterThan(100);
    }
  });

  test('give the same verdict and the same errors on every document', () => {
    const differences = all.flatMap(({ kind, label, document }) => {
      const before = outcome(validators[kind].before, document);
      return validators[kind].after.flatMap((validate, which) => {
        const after = outcome(validate, document);
        const equal = JSON.stringify(before) === JSON.stringify(after);
        return equal ? [] : [{ label, which: ['published', 'declared'][which], before, after }];
      });
    });
    expect(differences.slice(0, 3)).toEqual([]);
  });
});

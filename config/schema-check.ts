import { ErrorObject, ValidateFunction } from 'ajv';
import { patternMessage } from './formats';
import * as validators from './generated/validators';
import { JsonSchema } from './json-schema';
import { ProblemList } from './problems';
import { locate, SourceNode, toPlain } from './yaml-source';

/** Which schema a document is checked against. */
type SchemaName = 'agentTypes' | 'environment';

/** Compiled ahead by `npm run schema` (config/schema-validators.ts). */
function validatorFor(name: SchemaName): ValidateFunction {
  return validators[name];
}

/** Path of a field in a document, e.g. `['agents', 'dispatcher', 'sites']`. */
export type FieldPath = readonly string[];

/**
 * Checks a YAML tree against a schema, records one problem per failure at the
 * line of the field concerned, and returns the paths that failed so that later
 * checks can skip the parts that are not well formed.
 * @param within where the tree sits in a document of that schema, e.g.
 *   `['agentTypes', 'dispatcher']` to check one merged agent type
 */
export function checkSchema(
  name: SchemaName,
  tree: SourceNode,
  problems: ProblemList,
  within: readonly string[] = [],
): FieldPath[] {
  const validate = validatorFor(name);
  const document = within.reduceRight<unknown>((value, key) => ({ [key]: value }), toPlain(tree));
  if (validate(document)) return [];
  const failed: FieldPath[] = [];
  for (const error of validate.errors ?? []) {
    const described = describe(error);
    if (!described) continue;
    const path = described.path.slice(within.length);
    const { node, rest } = locate(tree, path);
    const message =
      node.kind === 'removed' && error.keyword === 'required'
        ? 'is required: it cannot be removed with null'
        : described.message;
    problems.at(node.origin, message, rest);
    failed.push(path);
  }
  return failed;
}

/** Whether a failed path lies at or below `prefix`. */
export function isUnder(failed: FieldPath, prefix: FieldPath): boolean {
  return prefix.every((part, index) => failed[index] === part) && failed.length >= prefix.length;
}

function describe(error: ErrorObject): { path: string[]; message: string } | undefined {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const parent = (error.parentSchema ?? {}) as JsonSchema;
  const params = error.params as Record<string, unknown>;
  const data: unknown = error.data;
  if (error.propertyName !== undefined) {
    return { path: [...path, error.propertyName], message: nameMessage(error, error.propertyName) };
  }
  switch (error.keyword) {
    case 'propertyNames':
    case 'if':
      return undefined;
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return { path: [...path, key], message: unknownKeyMessage(key, parent) };
    }
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'is required' };
    case 'type':
      return { path, message: `must be ${typeWords(parent.type)}` };
    case 'enum':
      return {
        path,
        message: `${show(data)} is not allowed (allowed: ${(parent.enum ?? []).filter((v) => v !== null).join(', ')})`,
      };
    case 'pattern':
      return { path, message: patternMessage(String(params.pattern), data) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return { path, message: `(${show(data)}) must be ${rangeWords(parent)}` };
    case 'minLength':
      return {
        path,
        message:
          parent.minLength === 1
            ? 'must not be empty'
            : `must be at least ${parent.minLength} characters`,
      };
    case 'maxLength':
      return { path, message: `must be at most ${parent.maxLength} characters` };
    case 'minItems':
      return { path, message: `must have at least ${params.limit} item(s)` };
    case 'maxItems':
      return { path, message: `must have at most ${params.limit} item(s)` };
    case 'uniqueItems':
      return {
        path,
        message: `must not repeat items (items ${params.j} and ${params.i} are equal)`,
      };
    case 'minProperties':
    case 'maxProperties':
      return { path, message: propertyCountMessage(parent, data) };
    default:
      return { path, message: error.message ?? `fails the '${error.keyword}' check` };
  }
}

function unknownKeyMessage(key: string, parent: JsonSchema): string {
  const allowed = Object.keys(parent.properties ?? {});
  const list = allowed.length > 0 ? allowed.join(', ') : 'none';
  if (key === 'name' && allowed.includes('container')) {
    return `unknown key 'name': an agent type's name is its key and cannot be set or overridden (allowed: ${list})`;
  }
  return `unknown key '${key}' (allowed: ${list})`;
}

function nameMessage(error: ErrorObject, name: string): string {
  if (error.keyword === 'pattern') return patternMessage(String(error.params.pattern), name);
  if (error.keyword === 'maxLength') {
    return `'${name}' is too long: at most ${error.params.limit} characters`;
  }
  return `'${name}' is not an allowed name`;
}

function propertyCountMessage(parent: JsonSchema, data: unknown): string {
  const keys = Object.keys(parent.properties ?? {});
  if (parent.minProperties === 1 && parent.maxProperties === 1) {
    const found = Object.keys((data ?? {}) as object);
    return found.length === 0
      ? `needs exactly one of: ${keys.join(', ')}`
      : `needs exactly one of: ${keys.join(', ')} (found: ${found.join(', ')})`;
  }
  return parent.minProperties === 1
    ? 'must have at least one entry'
    : `must have at least ${parent.minProperties} entries`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
};

function typeWords(type: JsonSchema['type']): string {
  const types = (Array.isArray(type) ? type : [type]).filter((t) => t !== 'null' && t);
  return types.map((t) => TYPE_WORDS[t as string] ?? t).join(' or ');
}

function rangeWords(schema: JsonSchema): string {
  const kind = schema.type === 'integer' ? 'a whole number ' : '';
  if (schema.exclusiveMinimum !== undefined) return `> ${schema.exclusiveMinimum}`;
  if (schema.minimum !== undefined && schema.maximum !== undefined) {
    return `${kind}from ${schema.minimum} to ${schema.maximum}`;
  }
  if (schema.minimum !== undefined) return `${kind}>= ${schema.minimum}`;
  return `${kind}<= ${schema.maximum}`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** The subset of JSON Schema (draft-07) the configuration schemas use. */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  enum?: readonly (string | number | boolean | null)[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  required?: readonly string[];
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  default?: unknown;
  examples?: readonly unknown[];
  definitions?: Record<string, JsonSchema>;
  const?: string | number | boolean;
  if?: JsonSchema;
  then?: JsonSchema;
  else?: JsonSchema;
}

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

/**
 * The type of an override of a `T`: every key optional, `null` removes it,
 * mappings merge key by key, lists replace wholesale (see `partialOf`).
 */
export type Override<T> =
  | (T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: Override<T[K]> } : T)
  | null;

/**
 * The override form of a schema, for the merge rules of `merge.ts`: no
 * `required` anywhere in nested mappings, and every value may be `null` (which
 * removes the key it is set on). Sequences replace wholesale, so their items keep
 * the full schema.
 */
export function partialOf(schema: JsonSchema): JsonSchema {
  if (schema.if) return partialOf(mergedBranches(schema));
  const result: JsonSchema = { ...schema, type: nullable(schema.type) };
  delete result.required;
  if (schema.enum) result.enum = [...schema.enum, null];
  if (schema.properties) {
    result.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [key, partialOf(value)]),
    );
  }
  if (typeof schema.additionalProperties === 'object') {
    result.additionalProperties = partialOf(schema.additionalProperties);
  }
  return result;
}

/**
 * The branches of an `if`/`then`/`else` chain (a `kindSchema`) as one mapping
 * with every branch's keys: an override may set any of them, and the merged
 * result is checked against the full schema. A key several branches declare
 * with an `enum` (the discriminator) takes every branch's values.
 */
function mergedBranches(schema: JsonSchema): JsonSchema {
  const branches: JsonSchema[] = [];
  for (let at: JsonSchema | undefined = schema; at; at = at.if ? at.else : undefined) {
    branches.push(at.if ? (at.then as JsonSchema) : at);
  }
  const properties: Record<string, JsonSchema> = {};
  for (const branch of branches) {
    for (const [key, value] of Object.entries(branch.properties ?? {})) {
      const known = properties[key];
      properties[key] =
        known?.enum && value.enum
          ? { ...known, enum: [...new Set([...known.enum, ...value.enum])] }
          : (known ?? value);
    }
  }
  return {
    type: 'object',
    description: schema.description,
    properties,
    additionalProperties: false,
  };
}

function nullable(type: JsonSchema['type']): JsonType[] {
  if (type === undefined) throw new Error('partialOf needs a schema with a type');
  const types = Array.isArray(type) ? type : [type];
  return types.includes('null') ? types : [...types, 'null'];
}

import { agentTypesSchema, environmentSchema } from './schema';

/** Keys in the order the published files list them; any other key comes after these. */
const KEY_ORDER = [
  '$schema',
  '$ref',
  'title',
  'type',
  'description',
  'enum',
  'const',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'if',
  'then',
  'else',
  'propertyNames',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'properties',
  'required',
  'definitions',
];

/**
 * Keywords in a fixed order, so that a file reads the same whatever order the
 * declarations set them in; the names of properties and definitions keep theirs.
 */
function ordered(value: unknown, keywords = true): unknown {
  if (Array.isArray(value)) return value.map((item) => ordered(item));
  if (value === null || typeof value !== 'object') return value;
  const rank = (key: string) => (keywords ? KEY_ORDER.indexOf(key) >>> 0 : 0);
  const keys = Object.keys(value).sort((a, b) => rank(a) - rank(b));
  return Object.fromEntries(
    keys.map((key) => {
      const child = (value as Record<string, unknown>)[key];
      // The children of these are named by the file format, not by JSON Schema.
      const named = keywords && (key === 'properties' || key === 'definitions');
      return [key, ordered(child, !named)];
    }),
  );
}

/** The published schema files (paths relative to the root directory) and their exact content. */
export function schemaFiles(): Record<string, string> {
  const render = (schema: object): string => `${JSON.stringify(ordered(schema), null, 2)}\n`;
  return {
    'schema/agent-types.schema.json': render(agentTypesSchema),
    'schema/environment.schema.json': render(environmentSchema),
  };
}

import { JsonSchema } from './json-schema';
import { agentTypesSchema, environmentSchema } from './schema';

/** The published schema files (paths relative to the root directory) and their exact content. */
export function schemaFiles(): Record<string, string> {
  const render = (schema: JsonSchema): string => `${JSON.stringify(schema, null, 2)}\n`;
  return {
    'schema/agent-types.schema.json': render(agentTypesSchema),
    'schema/environment.schema.json': render(environmentSchema),
  };
}

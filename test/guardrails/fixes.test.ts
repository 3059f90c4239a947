import { JsonSchema } from '../../config/json-schema';
import { environmentSchema } from '../../config/schema';
import { GUARDRAIL_RULES, NO_FILE_FIELD } from '../../guardrails';

/** Top-level keys of an environment file: a backquoted text starting with one is a field path. */
const ROOTS = Object.keys(environmentSchema.properties ?? {});

/** The schemas a `$ref`, `if`/`then`/`else` or combination stands for, resolved. */
function alternatives(schema: JsonSchema, seen = new Set<string>()): JsonSchema[] {
  if (schema.$ref) {
    if (seen.has(schema.$ref)) return [];
    const name = schema.$ref.replace('#/definitions/', '');
    const target = environmentSchema.definitions?.[name];
    if (!target) throw new Error(`unresolved ${schema.$ref}`);
    return alternatives(target, new Set([...seen, schema.$ref]));
  }
  const branches = [schema.then, schema.else].filter((b): b is JsonSchema => b !== undefined);
  return [schema, ...branches.flatMap((branch) => alternatives(branch, seen))];
}

/**
 * Whether a dotted path of an environment file exists in its schema: `<...>`
 * stands for any name of a mapping (or item of a sequence).
 */
function resolves(path: string): boolean {
  let current: JsonSchema[] = [environmentSchema];
  for (const segment of path.split('.')) {
    current = current.flatMap((schema) =>
      alternatives(schema).flatMap((option) => {
        if (/^<[a-z]+>$/.test(segment)) {
          return [
            ...(typeof option.additionalProperties === 'object'
              ? [option.additionalProperties]
              : []),
            ...(option.items ? [option.items] : []),
          ];
        }
        const child = option.properties?.[segment];
        return child ? [child] : [];
      }),
    );
    if (current.length === 0) return false;
  }
  return true;
}

/** The backquoted texts of a fix that name environment-file fields. */
function fieldsOf(fix: string): string[] {
  return [...fix.matchAll(/`([^`]+)`/g)]
    .map((match) => match[1])
    .filter((text) => ROOTS.includes(text.split('.')[0]));
}

describe('the fix of every guardrail', () => {
  it('reads paths the way the test does', () => {
    expect(resolves('agents.<agent>.scaling.fallback.enabled')).toBe(true);
    expect(resolves('sites.<site>.nodePools.<pool>.taints.<item>.effect')).toBe(true);
    expect(resolves('agents.<agent>.scaling.fallbacks')).toBe(false);
    expect(resolves('agents.scaling.minReplicas')).toBe(false);
    expect(fieldsOf('set `agents.<agent>.scaling.maxReplicas`, not `spec.replicas`')).toEqual([
      'agents.<agent>.scaling.maxReplicas',
    ]);
  });

  it.each(GUARDRAIL_RULES.map((rule) => [rule.id, rule.fix]))(
    '%s names the environment-file field to change, or says that none applies',
    (_id, fix) => {
      const fields = fieldsOf(fix);
      expect(fields.filter((field) => !resolves(field))).toEqual([]);
      expect(fix.startsWith(NO_FILE_FIELD) || fields.length > 0).toBe(true);
    },
  );
});

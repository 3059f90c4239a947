import { SourceMap, SourceNode } from './yaml-source';

/**
 * Merges an override into a base value, the way an environment file adjusts
 * an agent type of the catalogue.
 *
 * An agent deployed on a site is the catalogue entry
 * (`fleet/agent-types.yaml` → `agentTypes.<agent>`), merged with the
 * environment-wide overrides (`agents.<agent>` except `sites`), then with the
 * overrides of the site (`agents.<agent>.sites.<site>`). Later wins:
 * catalogue < environment < site.
 *
 * Rules:
 * - mappings merge key by key, recursively: keys the override does not
 *   mention keep their earlier value;
 * - sequences and scalars replace the earlier value wholesale (a list of cron
 *   windows or egress rules is never merged item by item);
 * - an explicit `null` removes the key, e.g. `scaling: { cpu: null }` drops
 *   the CPU signal;
 * - `name` cannot be overridden: an agent type's name is its key in the
 *   catalogue, and the schemas refuse a `name` field.
 *
 * Every node of the result keeps the position it came from: a problem found in
 * a merged value points at the override line that set it, or at the catalogue
 * line when no override touched it. A merged mapping takes the position of the
 * last override that mentions it; a removed key is kept as a `removed` node at
 * the position of its `null`, so that a required field removed by `null` is
 * reported there.
 */
export function mergeOverride(base: SourceNode | undefined, override: SourceNode): SourceNode {
  if (override.kind === 'scalar' && override.value === null) {
    return { kind: 'removed', origin: override.origin };
  }
  if (override.kind !== 'map') return override;
  const entries = new Map<string, SourceNode>(base?.kind === 'map' ? base.entries : []);
  for (const [key, value] of override.entries) {
    entries.set(key, mergeOverride(entries.get(key), value));
  }
  return { kind: 'map', origin: override.origin, entries };
}

/** Merges overrides in order of precedence, lowest first. */
export function mergeAll(base: SourceMap, overrides: readonly SourceMap[]): SourceNode {
  return overrides.reduce<SourceNode>((merged, override) => mergeOverride(merged, override), base);
}

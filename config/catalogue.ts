import { ProblemList } from './problems';
import { checkSchema, FieldPath, isUnder } from './schema-check';
import { readYamlMap, SourceMap } from './yaml-source';

/** Path of the catalogue, relative to the root directory. */
const CATALOGUE_FILE = 'fleet/agent-types.yaml';

/** The agent types of `fleet/agent-types.yaml`. */
export interface Catalogue {
  /** Every entry, in file order, including ones that are not well formed. */
  readonly names: readonly string[];
  /** The entries that passed the schema, by name. */
  readonly valid: ReadonlyMap<string, SourceMap>;
}

/** Reads the catalogue and checks it against its schema; `undefined` when it cannot be read at all. */
export function loadCatalogue(rootDir: string, problems: ProblemList): Catalogue | undefined {
  const tree = readYamlMap(
    rootDir,
    CATALOGUE_FILE,
    "a mapping with the key 'agentTypes'",
    problems,
  );
  if (!tree) return undefined;
  const failed: FieldPath[] = checkSchema('agentTypes', tree, problems);
  const types = tree.entries.get('agentTypes');
  if (types?.kind !== 'map') return undefined;
  const valid = new Map<string, SourceMap>();
  for (const [name, entry] of types.entries) {
    const broken = failed.some((path) => isUnder(path, ['agentTypes', name]));
    if (!broken && entry.kind === 'map') valid.set(name, entry);
  }
  return { names: [...types.entries.keys()], valid };
}

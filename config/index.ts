/**
 * The configuration edge: reads the catalogue of agent types and the
 * environment files once, checks them, and hands typed model objects to the
 * stacks.
 */
export { loadFleet } from './load';
export type { LoadOptions, LoadResult } from './load';
export { formatProblem } from './problems';
export type { ConfigProblem } from './problems';
export { agentTypesSchema, environmentSchema } from './schema';
export { CATALOGUE_FILE } from './catalogue';
export { ENVIRONMENTS_DIR, environmentFile } from './environment';

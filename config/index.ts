/**
 * The configuration edge: reads the catalogue of agent types
 * (`fleet/agent-types.yaml`) and the environment files
 * (`environments/<name>.yaml`) once, checks them, and hands deep-readonly model
 * objects to the stacks. See docs/configuration.md.
 */
export { loadFleet } from './load';
export type { LoadOptions, LoadResult } from './load';
export { formatProblem } from './problems';
export type { ConfigProblem } from './problems';
export { ConstructSources } from './construct-sources';
export type { SourcePosition } from './construct-sources';

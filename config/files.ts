/** Where the configuration files are, relative to the root directory. */

/** The catalogue of agent types. */
export const CATALOGUE_FILE = 'fleet/agent-types.yaml';

/** Folder of the environment files. */
export const ENVIRONMENTS_DIR = 'environments';

/** The file of an environment. */
export function environmentFile(name: string): string {
  return `${ENVIRONMENTS_DIR}/${name}.yaml`;
}

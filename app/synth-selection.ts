import { FleetEnvironment } from '../model';
import { siteStackIds } from '../stacks/agent-fleet';

/** What a synth is asked for: environments, each whole or some of its sites. */
export interface SynthSelection {
  /** The environments named, in the order first named; empty for every environment. */
  readonly environments: readonly string[];
  /** Per environment named only by `<env>/<site>`, those sites. */
  readonly sites: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Reads synth's arguments: `<env>` for a whole environment, `<env>/<site>`
 * for one site of it (an environment named whole as well is synthesized
 * whole).
 */
export function parseSelection(names: readonly string[]): SynthSelection {
  const environments: string[] = [];
  const whole = new Set<string>();
  const sites = new Map<string, Set<string>>();
  for (const name of names) {
    const slash = name.indexOf('/');
    const environment = slash < 0 ? name : name.slice(0, slash);
    if (!environments.includes(environment)) environments.push(environment);
    if (slash < 0) {
      whole.add(environment);
    } else {
      const set = sites.get(environment) ?? new Set<string>();
      set.add(name.slice(slash + 1));
      sites.set(environment, set);
    }
  }
  for (const environment of whole) sites.delete(environment);
  return { environments, sites };
}

/** One line per site named that its environment does not have. */
export function unknownSites(
  selection: SynthSelection,
  environments: readonly FleetEnvironment[],
): string[] {
  return environments.flatMap((environment) => {
    const known = [...siteStackIds(environment).keys()];
    return [...(selection.sites.get(environment.name) ?? [])]
      .filter((site) => !known.includes(site))
      .map(
        (site) =>
          `${environment.name}/${site}: environments/${environment.name}.yaml has no site '${site}' (its sites: ${known.join(', ')})`,
      );
  });
}

/** The sites of an environment a synth builds, in the environment's order. */
export function selectedSites(selection: SynthSelection, environment: FleetEnvironment): string[] {
  const named = selection.sites.get(environment.name);
  return [...siteStackIds(environment).keys()].filter((site) => !named || named.has(site));
}

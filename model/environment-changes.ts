import { AgentSpec } from './agent-spec';
import { AwsSiteSpec } from './aws-site';
import { AzureSiteSpec } from './azure-site';
import { AgentDeployment, FleetEnvironment } from './environment';
import { deploymentKey } from './environment-checks';
import { KubernetesSiteSpec } from './site';

/**
 * Changes made in code to an environment, most often one read from the files
 * (`loadFleet`): each returns a new, deep-frozen environment and leaves the one
 * given as it was. What a change adds is frozen too, since an agent spec is
 * resolved once and its resolution kept (`resolveAgent`). Nothing is checked
 * here: `AgentFleet` checks the result as the loader checks the files
 * (`validateEnvironment`).
 */

/** Freezes a model object and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Sites to add to an environment, by kind (see {@link withSites}). */
export interface SiteChanges {
  /** Kubernetes clusters the user runs. @default - none */
  readonly sites?: readonly KubernetesSiteSpec[];
  /** AWS sites. @default - none */
  readonly awsSites?: readonly AwsSiteSpec[];
  /** Azure sites. @default - none */
  readonly azureSites?: readonly AzureSiteSpec[];
}

/**
 * The environment with these sites: a site of the same name and kind is
 * replaced where it stands, any other is added at the end of its list. The
 * agents placed on a replaced site stay placed on it.
 */
export function withSites(environment: FleetEnvironment, changes: SiteChanges): FleetEnvironment {
  return deepFreeze({
    ...environment,
    sites: merged(environment.sites, changes.sites),
    ...(environment.awsSites || changes.awsSites
      ? { awsSites: merged(environment.awsSites ?? [], changes.awsSites) }
      : {}),
    ...(environment.azureSites || changes.azureSites
      ? { azureSites: merged(environment.azureSites ?? [], changes.azureSites) }
      : {}),
  });
}

/**
 * The environment with these agents placed: a deployment of the same agent on
 * the same site is replaced where it stands, any other is added at the end.
 */
export function withDeployments(
  environment: FleetEnvironment,
  ...deployments: readonly AgentDeployment[]
): FleetEnvironment {
  const keyOf = (deployment: AgentDeployment) =>
    deploymentKey(deployment.agent.name, deployment.site);
  const added = new Map(deployments.map((deployment) => [keyOf(deployment), deployment]));
  const kept = environment.deployments.map((deployment) => {
    const replacement = added.get(keyOf(deployment));
    added.delete(keyOf(deployment));
    return replacement ?? deployment;
  });
  return deepFreeze({ ...environment, deployments: [...kept, ...added.values()] });
}

/**
 * What {@link overrideAgent} changes: top-level fields of the spec, each
 * replacing the agent's whole field (unlike the files, which merge maps key by
 * key), or a function from the agent's spec to the new one.
 */
export type AgentOverrides = Partial<Omit<AgentSpec, 'name'>> | ((agent: AgentSpec) => AgentSpec);

/**
 * The environment with an agent changed on every site it is placed on, or on
 * one site only. Throws when the agent is not placed there, so that a renamed
 * agent or site is not silently left as it was.
 * @param site the one site to change the agent on; every site it is placed on when left out
 */
export function overrideAgent(
  environment: FleetEnvironment,
  agentName: string,
  overrides: AgentOverrides,
  site?: string,
): FleetEnvironment {
  let found = false;
  const deployments = environment.deployments.map((deployment) => {
    if (deployment.agent.name !== agentName) return deployment;
    if (site !== undefined && deployment.site !== site) return deployment;
    found = true;
    const agent =
      typeof overrides === 'function'
        ? overrides(deployment.agent)
        : { ...deployment.agent, ...overrides, name: agentName };
    return { site: deployment.site, agent };
  });
  if (!found) {
    const placed = environment.deployments
      .filter((deployment) => deployment.agent.name === agentName)
      .map((deployment) => deployment.site);
    const where = site === undefined ? '' : ` on site '${site}'`;
    throw new Error(
      `agent '${agentName}' is not placed${where} in environment '${environment.name}' (${placed.length > 0 ? `placed on: ${placed.join(', ')}` : 'placed nowhere'})`,
    );
  }
  return deepFreeze({ ...environment, deployments });
}

/** `current` with each of `changes` replacing the entry of its name, or added at the end. */
function merged<T extends { readonly name: string }>(
  current: readonly T[],
  changes: readonly T[] = [],
): T[] {
  const byName = new Map(changes.map((change) => [change.name, change]));
  const kept = current.map((entry) => {
    const replacement = byName.get(entry.name);
    byName.delete(entry.name);
    return replacement ?? entry;
  });
  return [...kept, ...byName.values()];
}

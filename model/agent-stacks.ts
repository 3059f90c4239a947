import { AddProblem } from './checks';

/** The group of agents that name none: its stack keeps the id `<env>-<site>-agents`. */
export const DEFAULT_AGENT_GROUP = 'default';

/** Resources an agents stack may hold unless the environment says otherwise (`agentStacks.maxResources`). */
export const DEFAULT_MAX_AGENT_STACK_RESOURCES = 500;

/** Bounds of `agentStacks.maxResources`. */
export const AGENT_STACK_RESOURCE_BOUNDS = { min: 20, max: 5000 } as const;

/** Longest group name: it ends a stack id, `<env>-<site>-agents-<group>`. */
export const MAX_AGENT_GROUP_NAME = 30;

/**
 * Which agents stack of its site an agent lands in. Agents are grouped by
 * this name, never by count, so adding or removing an agent never moves
 * another one to a different stack.
 */
export interface AgentStackSpec {
  /**
   * The agent's group: agents of one group share the stack
   * `<env>-<site>-agents-<group>`, the default group `<env>-<site>-agents`.
   * @default 'default'
   */
  readonly group?: string;
  /**
   * The group the agent's resources were deployed in before, for one
   * deployment: that group's stack forgets them (a Terraform `removed` block
   * with `destroy = false`) and the agent's group imports them (`import`
   * blocks), so nothing is destroyed or created. Remove it once deployed.
   * @default - the agent stays where it is
   */
  readonly movedFrom?: string;
}

/** How an environment's agents stacks are bounded. */
export interface AgentStacksSpec {
  /**
   * Most Terraform resources one agents stack may hold; a group above it is a
   * synth error that names the group's agents, so that some move to a group
   * of their own.
   * @default 500
   */
  readonly maxResources?: number;
}

/** The group of an agent's stack. */
export function agentGroupOf(spec: { readonly stack?: AgentStackSpec }): string {
  return spec.stack?.group ?? DEFAULT_AGENT_GROUP;
}

/**
 * The groups besides the default that a site's agents have stacks for, by
 * name: each agent's group, and the group a moved agent left (its stack
 * forgets the agent's resources).
 */
export function otherAgentGroups(agents: Iterable<{ readonly stack?: AgentStackSpec }>): string[] {
  const groups = new Set<string>();
  for (const agent of agents) {
    groups.add(agentGroupOf(agent));
    if (agent.stack?.movedFrom) groups.add(agent.stack.movedFrom);
  }
  groups.delete(DEFAULT_AGENT_GROUP);
  return [...groups].sort();
}

/** The id of a site's agents stack of a group: the default group's is `<env>-<site>-agents`. */
export function agentStackId(environment: string, site: string, group: string): string {
  const base = `${environment}-${site}-agents`;
  return group === DEFAULT_AGENT_GROUP ? base : `${base}-${group}`;
}

/** Records what is wrong with an agent's `stack`. */
export function validateAgentStack(
  spec: { readonly stack?: AgentStackSpec },
  add: AddProblem,
): void {
  const { group, movedFrom } = spec.stack ?? {};
  for (const [field, name] of [
    ['group', group],
    ['movedFrom', movedFrom],
  ] as const) {
    if (name !== undefined && !isGroupName(name)) {
      add(
        ['stack', field],
        `'${name}' is not a group name: a DNS label of at most ${MAX_AGENT_GROUP_NAME} characters (lowercase letters, digits and '-'); it ends the stack id <env>-<site>-agents-<group>`,
      );
    }
  }
  if (movedFrom !== undefined && movedFrom === agentGroupOf(spec)) {
    add(
      ['stack', 'movedFrom'],
      `'${movedFrom}' is the agent's own group: name the group it was deployed in before, or remove 'movedFrom'`,
    );
  }
}

/** Records what is wrong with an environment's `agentStacks`. */
export function validateAgentStacks(spec: AgentStacksSpec | undefined, add: AddProblem): void {
  const max = spec?.maxResources;
  const { min, max: top } = AGENT_STACK_RESOURCE_BOUNDS;
  if (max !== undefined && !(Number.isInteger(max) && max >= min && max <= top)) {
    add(['agentStacks', 'maxResources'], `(${max}) must be a whole number from ${min} to ${top}`);
  }
}

function isGroupName(name: string): boolean {
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= MAX_AGENT_GROUP_NAME;
}

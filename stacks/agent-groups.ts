import { TerraformResource, TerraformStack } from 'cdktf';
import { Construct, IConstruct } from 'constructs';
import { agentDashboardName } from '../constructs/kubernetes/platform';
import {
  agentGroupOf,
  otherAgentGroups,
  agentStackId,
  DEFAULT_AGENT_GROUP,
  DEFAULT_MAX_AGENT_STACK_RESOURCES,
  monitoringNamespaceOf,
  Problem,
  ResolvedAgent,
  SitePlan,
  ValidationError,
} from '../model';
import { addressAt, moveResources, resourcesOf } from './agent-moves';
import { AgentsStack, AgentsStackProps } from './agents-stack';
import { PlatformStack } from './platform-stack';

/** Props of {@link buildAgentStacks}. */
export interface AgentStacksProps extends Omit<AgentsStackProps, 'agents' | 'shared' | 'platform'> {
  /**
   * The site's platform stack: what it runs for the agents, and the default
   * group's dashboards (an agent moved from or to the default group moves its
   * dashboard from or to it).
   */
  readonly platform: PlatformStack;
  /**
   * Most resources one agents stack may hold.
   * @default 500
   */
  readonly maxResources?: number;
}

/**
 * A Kubernetes site's agents stacks, the default group's first: one stack per
 * group of its agents (`stack.group`), each group's depending on the default
 * one, which holds what the site's agents share. Groups come from names, not
 * counts, so adding an agent changes its own group's stack only. An agent
 * whose spec says `stack.movedFrom` leaves that group's stack without being
 * destroyed (`removed` blocks there, `import` blocks in its own group's
 * stack); the group it left gets a stack even when no agent is left in it,
 * so that its state forgets the agent instead of keeping it.
 *
 * Throws a `ValidationError` when a stack holds more resources than the
 * bound, at the group's last agent, or when a moved agent has a resource
 * that cannot be imported.
 */
export function buildAgentStacks(scope: Construct, props: AgentStacksProps): AgentsStack[] {
  const { plan } = props;
  const others = otherAgentGroups(plan.agents.map((agent) => agent.spec));
  const groups = new Map<string, ResolvedAgent[]>(
    [DEFAULT_AGENT_GROUP, ...others].map((group) => [group, []]),
  );
  for (const agent of plan.agents) groups.get(agentGroupOf(agent.spec))!.push(agent);
  const idOf = (group: string) => agentStackId(plan.environment, plan.site.name, group);
  const main = new AgentsStack(scope, idOf(DEFAULT_AGENT_GROUP), {
    ...props,
    agents: groups.get(DEFAULT_AGENT_GROUP),
  });
  const stacks = new Map([[DEFAULT_AGENT_GROUP, main]]);
  for (const group of others) {
    const stack = new AgentsStack(scope, idOf(group), {
      ...props,
      agents: groups.get(group),
      shared: main,
    });
    stack.addDependency(main);
    stacks.set(group, stack);
  }
  moveAgents(plan, stacks, props.platform);
  checkBound(groups, stacks, props.maxResources ?? DEFAULT_MAX_AGENT_STACK_RESOURCES);
  return [...stacks.values()];
}

/**
 * Each moved agent's resources, from its former group's stack to its own, and
 * its dashboard with them (the platform stack's, for the default group).
 */
function moveAgents(
  { agents, site }: SitePlan,
  stacks: ReadonlyMap<string, AgentsStack>,
  platform: TerraformStack,
): void {
  for (const agent of agents) {
    const name = agent.spec.name;
    const from = agent.spec.stack?.movedFrom;
    if (!from) continue;
    const group = agentGroupOf(agent.spec);
    const to = stacks.get(group) as AgentsStack;
    const constructs = [to.agents.get(name), to.node.tryFindChild(`Consul-${name}`)].filter(
      (construct) => construct !== undefined,
    );
    const problems = moveResources(
      resourcesOf(constructs).map((resource) => ({ resource })),
      stacks.get(from) as AgentsStack,
      to,
    );
    const dashboardPath = (inGroup: string) =>
      inGroup === DEFAULT_AGENT_GROUP ? ['Monitoring', `Dashboard-${name}`] : [`Dashboard-${name}`];
    const dashboardStack = (inGroup: string) =>
      inGroup === DEFAULT_AGENT_GROUP ? platform : (stacks.get(inGroup) as AgentsStack);
    const dashboard = dashboardPath(group).reduce<IConstruct | undefined>(
      (scope, id) => scope?.node.tryFindChild(id),
      dashboardStack(group),
    );
    if (dashboard instanceof TerraformResource) {
      const before = addressAt(dashboard.terraformResourceType, dashboardPath(from));
      // The platform stack names the monitoring namespace by reference: its name is the site's.
      const id = `${monitoringNamespaceOf(site)}/${agentDashboardName(name)}`;
      problems.push(
        ...moveResources(
          [{ resource: dashboard, from: before, id }],
          dashboardStack(from),
          dashboardStack(group),
        ),
      );
    }
    if (problems.length > 0) {
      throw new ValidationError(
        to.node.path,
        problems.map((problem) => ({ ...problem, path: ['agents', name, 'stack', 'movedFrom'] })),
      );
    }
  }
}

/**
 * Throws when stacks hold more resources than the bound: one problem per such
 * stack, at its group's last agent (every stack of a site is placed by the
 * site's sources, so the default stack's path scopes them all).
 */
function checkBound(
  groups: ReadonlyMap<string, readonly ResolvedAgent[]>,
  stacks: ReadonlyMap<string, AgentsStack>,
  max: number,
): void {
  const problems: Problem[] = [];
  for (const [group, stack] of stacks) {
    const count = resourcesOf([stack]).length;
    if (count <= max) continue;
    const agents = (groups.get(group) ?? []).map((agent) => agent.spec.name);
    const last = agents[agents.length - 1];
    const listed = agents.length > 5 ? `${agents.slice(0, 5).join(', ')}, …` : agents.join(', ');
    problems.push({
      path: last ? ['agents', last, 'stack', 'group'] : [],
      message: `the agents stack ${stack.node.id} (group '${group}') holds ${count} resources, above the bound of ${max} (agentStacks.maxResources): give some of its ${agents.length} agent(s) (${listed}) a group of their own with stack.group, or raise the bound`,
    });
  }
  const main = stacks.get(DEFAULT_AGENT_GROUP) as AgentsStack;
  if (problems.length > 0) throw new ValidationError(main.node.path, problems);
}

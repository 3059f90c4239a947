import recordedRoles from '../../data/azure-built-in-roles.json';
import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';

/** A built-in role as recorded in `data/azure-built-in-roles.json`. */
export interface RecordedRole {
  /** The role definition's GUID. */
  readonly name: string;
  readonly permissions: readonly {
    readonly actions: readonly string[];
    readonly notActions: readonly string[];
    readonly dataActions: readonly string[];
    readonly notDataActions: readonly string[];
  }[];
}

const ROLES = recordedRoles.roles as Readonly<Record<string, RecordedRole>>;

/** Recorded roles by display name and by GUID, case-insensitively. */
const BY_KEY = new Map<string, [string, RecordedRole]>(
  Object.entries(ROLES).flatMap(([roleName, role]): [string, [string, RecordedRole]][] => [
    [roleName.toLowerCase(), [roleName, role]],
    [role.name.toLowerCase(), [roleName, role]],
  ]),
);

/**
 * Actions with which the holder grants access to others (or to itself):
 * writing role assignments or definitions, elevating access.
 */
const ACCESS_GRANTING = [
  'Microsoft.Authorization/roleAssignments/write',
  'Microsoft.Authorization/roleDefinitions/write',
  'Microsoft.Authorization/elevateAccess/action',
];

/** Whether an Azure RBAC action pattern such as `Microsoft.Authorization/*` covers an action (case-insensitive). */
function covers(pattern: string, action: string): boolean {
  const regex = pattern
    .trim()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/** The recorded role an assignment names, by role_definition_name or a role_definition_id ending in its GUID. */
function recordedRole(
  assignment: Readonly<Record<string, unknown>>,
): [string, RecordedRole] | undefined {
  const name = assignment.role_definition_name;
  if (typeof name === 'string') return BY_KEY.get(name.trim().toLowerCase());
  const id = assignment.role_definition_id;
  if (typeof id !== 'string') return undefined;
  const guid = /\/roleDefinitions\/([0-9a-f-]{36})$/i.exec(id.trim())?.[1];
  return guid === undefined ? undefined : BY_KEY.get(guid.toLowerCase());
}

/**
 * What a recorded role grants that no workload should hold: every action
 * (`*`, as Owner and Contributor do), every data action, or granting access.
 */
export function roleProblems(roleName: string, role: RecordedRole): string[] {
  const problems: string[] = [];
  for (const permission of role.permissions) {
    if (permission.actions.some((a) => a.trim() === '*'))
      problems.push(`${roleName} allows every action (*)`);
    if (permission.dataActions.some((a) => a.trim() === '*'))
      problems.push(`${roleName} allows every data action (*)`);
    const granting = ACCESS_GRANTING.filter(
      (action) =>
        permission.actions.some((pattern) => covers(pattern, action)) &&
        !permission.notActions.some((pattern) => covers(pattern, action)),
    );
    if (granting.length > 0)
      problems.push(`${roleName} lets its holder grant access: ${granting.join(', ')}`);
  }
  return problems;
}

/** A reference to something whose id is a subscription, resource group or management group. */
const BROAD_REFERENCE =
  /^\$\{(data\.)?azurerm_(subscription|resource_group|management_group)\.[^.}]+\.id\}$/;

/** What a scope covers, when it is broader than one resource. */
function breadth(scope: string): string | undefined {
  if (BROAD_REFERENCE.test(scope)) {
    return scope.includes('resource_group')
      ? 'a resource group'
      : scope.includes('subscription')
        ? 'a subscription'
        : 'a management group';
  }
  // Interpolations inside an id (e.g. `/subscriptions/${...subscription_id}`) stand for one segment.
  const id = scope.replace(/\$\{[^}]*\}/g, 'x').replace(/\/+$/, '');
  if (id === '') return 'the root scope';
  if (/^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/i.test(id)) {
    return 'a management group';
  }
  if (/^\/subscriptions\/[^/]+$/i.test(id)) return 'a subscription';
  if (/^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+$/i.test(id)) return 'a resource group';
  return undefined;
}

/**
 * GR-IAM-10 (custom): every role assignment is scoped to the resource it is
 * about (a queue, an event hub, a Cosmos DB container, a subnet), never to a
 * management group, a subscription or a resource group, where the role would
 * reach every resource inside, present and future. Catches literal ids
 * (`/subscriptions/<id>`, `/subscriptions/<id>/resourceGroups/<name>`),
 * ids built from interpolations, and references to the `id` of
 * `azurerm_subscription`, `azurerm_resource_group` or
 * `azurerm_management_group` (resources or data sources).
 *
 * The role is judged by its definition as recorded, with its source and
 * date, in `data/azure-built-in-roles.json`: one that allows every action or
 * data action (`*`: Owner, Contributor) or lets its holder grant access
 * (`Microsoft.Authorization/roleAssignments/write`, `roleDefinitions/write`,
 * `elevateAccess/action`: Owner, User Access Administrator) is refused, and
 * so is a role that is not recorded, until it is. A provider's own wildcard
 * (`Microsoft.ServiceBus/*` of Azure Service Bus Data Owner, which KEDA's
 * Service Bus scaler needs) is held on the one resource the assignment names.
 * Custom: no scanner has it; it carries GR-IAM-04's least privilege over to Azure.
 * @see https://learn.microsoft.com/azure/role-based-access-control/best-practices#limit-privileged-administrator-role-assignments
 * @see https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
 */
export const roleAssignmentScope: GuardrailRule = {
  id: 'GR-IAM-10',
  level: 'error',
  summary:
    'Role assignments give a recorded built-in role without * or access-granting actions, on one resource, never a subscription or resource group',
  fix: 'no environment-file field: the fleet scopes each role assignment to the queue, event hub or container an identity needs, with a recorded built-in role; scope an assignment of your own to that resource, with a built-in role recorded in guardrails/data/azure-built-in-roles.json that grants neither * nor access to others',
  appliesTo: ['azurerm_role_assignment'],
  evaluate(assignment) {
    const problems: string[] = [];
    const role =
      assignment.attributes.role_definition_name ?? assignment.attributes.role_definition_id;
    const recorded = recordedRole(assignment.attributes);
    if (recorded) problems.push(...roleProblems(...recorded));
    else {
      problems.push(
        `${role ?? 'no role'} is not a recorded built-in role: add its definition with its source and date to guardrails/data/azure-built-in-roles.json`,
      );
    }
    const scope = assignment.attributes.scope;
    if (typeof scope !== 'string') problems.push('no scope');
    else {
      const broad = breadth(scope);
      if (broad) problems.push(`${role ?? 'a role'} on ${broad}: ${scope}`);
    }
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

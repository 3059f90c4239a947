import { COMPLIANT, GuardrailRule, violation } from '../types';

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
 * Custom: no scanner has it; it carries GR-IAM-04's least privilege over to Azure.
 * @see https://learn.microsoft.com/azure/role-based-access-control/best-practices#limit-privileged-administrator-role-assignments
 */
export const roleAssignmentScope: GuardrailRule = {
  id: 'GR-IAM-10',
  level: 'error',
  summary: 'Role assignments are scoped to one resource, never a subscription or resource group',
  fix: 'no environment-file field: the fleet scopes each role assignment to the queue, event hub or container an identity needs; scope an assignment of your own to that resource',
  appliesTo: ['azurerm_role_assignment'],
  evaluate(assignment) {
    const scope = assignment.attributes.scope;
    if (typeof scope !== 'string') return violation('no scope');
    const broad = breadth(scope);
    if (!broad) return COMPLIANT;
    const role =
      assignment.attributes.role_definition_name ?? assignment.attributes.role_definition_id;
    return violation(`${role ?? 'a role'} on ${broad}: ${scope}`);
  },
};

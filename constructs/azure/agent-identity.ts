import { FederatedIdentityCredential } from '@cdktf/provider-azurerm/lib/federated-identity-credential';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Problem, ValidationError } from '../../model';
import { AZURE_MANAGED_BY_TAG } from './provider';

/** The service-account annotation through which Azure Workload Identity picks the identity. */
export const WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION = 'azure.workload.identity/client-id';

/**
 * The pod label Azure Workload Identity's webhook acts on: without it the pod gets
 * no projected token and no `AZURE_*` variables, whatever its service account says.
 * @see https://azure.github.io/azure-workload-identity/docs/topics/service-account-labels-and-annotations.html
 */
export const WORKLOAD_IDENTITY_USE_LABEL = { 'azure.workload.identity/use': 'true' } as const;

/** The audience Azure Workload Identity puts in projected service-account tokens. */
export const WORKLOAD_IDENTITY_AUDIENCE = 'api://AzureADTokenExchange';

/** Federated credentials one user-assigned identity can hold (Entra ID limit). */
const MAX_FEDERATED_CREDENTIALS = 20;

/**
 * A principal that role assignments can name: an {@link AgentIdentity}, or any
 * managed identity or service principal the project does not own.
 */
export interface AzureGrantee {
  /**
   * A name unique among the grantees of one resource: the construct id under which
   * that resource keeps the grantee's role assignments. Changing it replaces them.
   */
  readonly name: string;
  /** Object (principal) id of the identity in Microsoft Entra ID. */
  readonly principalId: string;
}

/** The construct under a granted resource that holds a grantee's role assignments, made on first use. */
export function granteeScope(resource: Construct, grantee: AzureGrantee): Construct {
  return (
    (resource.node.tryFindChild(grantee.name) as Construct | undefined) ??
    new Construct(resource, grantee.name)
  );
}

/**
 * An Azure RBAC assignment of a built-in `role` on the resource `scopeId` to a
 * grantee, kept under the granted resource (`resource`, described as `what`).
 */
export function assignRole(
  resource: Construct,
  grantee: AzureGrantee,
  id: string,
  role: string,
  scopeId: string,
  what: string,
): RoleAssignment {
  return new RoleAssignment(granteeScope(resource, grantee), id, {
    scope: scopeId,
    roleDefinitionName: role,
    principalId: grantee.principalId,
    principalType: 'ServicePrincipal',
    description: `${role} on ${what} for ${grantee.name}`,
  });
}

/** A Kubernetes service account that may act as the identity. */
export interface FederatedServiceAccount {
  /** Namespace: a DNS-1123 label (1 to 63 characters). */
  readonly namespace: string;
  /** Service account name: a DNS-1123 subdomain (1 to 253 characters). */
  readonly name: string;
}

/** Props of {@link AgentIdentity}. */
export interface AgentIdentityProps {
  /**
   * Name of the identity, usually the agent's name: 3 to 128 letters, digits, `-` or
   * `_`, starting with a letter or digit.
   */
  readonly name: string;
  /** Resource group the identity lives in; the caller creates it. */
  readonly resourceGroupName: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /**
   * The AKS cluster's OIDC issuer URL (`oidc_issuer_url` of the cluster, with the
   * OIDC issuer and workload identity turned on).
   */
  readonly oidcIssuerUrl: string;
  /**
   * The service accounts that may act as this identity: one federated identity
   * credential each, at most 20.
   * @default - none: the identity serves a VM scale set only
   */
  readonly serviceAccounts?: readonly FederatedServiceAccount[];
  /** Tags besides {@link AZURE_MANAGED_BY_TAG}. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A user-assigned managed identity for one agent type (GR-IAM-03):
 * - `azurerm_user_assigned_identity` named after the agent;
 * - one `azurerm_federated_identity_credential` per Kubernetes service account,
 *   trusting tokens of the AKS OIDC issuer whose subject is
 *   `system:serviceaccount:<namespace>:<name>` and whose audience is
 *   `api://AzureADTokenExchange`. Entra ID refuses concurrent writes of federated
 *   credentials on one identity, so each credential depends on the one before.
 *
 * Access is given by the resources' grant helpers (Service Bus, Event Hubs, Cosmos
 * DB), which take the identity as an {@link AzureGrantee}. Pods use it through
 * {@link serviceAccountAnnotations} on their service account and
 * {@link WORKLOAD_IDENTITY_USE_LABEL} on the pod; VM scale sets attach it directly.
 * @see https://learn.microsoft.com/azure/aks/workload-identity-overview
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/federated_identity_credential
 */
export class AgentIdentity extends Construct implements AzureGrantee {
  /** The identity's name, also its name as a grantee. */
  readonly name: string;
  /** Resource id of the identity, for `identity_ids` of VMs and scale sets. */
  readonly id: string;
  /** Client (application) id: what SDKs and the workload identity webhook use. */
  readonly clientId: string;
  /** Object (principal) id: what role assignments name. */
  readonly principalId: string;

  constructor(scope: Construct, id: string, props: AgentIdentityProps) {
    super(scope, id);
    const problems = validateIdentity(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const identity = new UserAssignedIdentity(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: { ...props.tags, ...AZURE_MANAGED_BY_TAG },
    });
    let previous: FederatedIdentityCredential | undefined;
    for (const account of props.serviceAccounts ?? []) {
      const name = credentialName(account);
      previous = new FederatedIdentityCredential(this, name, {
        name,
        resourceGroupName: props.resourceGroupName,
        parentId: identity.id,
        issuer: props.oidcIssuerUrl,
        subject: `system:serviceaccount:${account.namespace}:${account.name}`,
        audience: [WORKLOAD_IDENTITY_AUDIENCE],
        dependsOn: previous ? [previous] : undefined,
      });
    }
    this.name = props.name;
    this.id = identity.id;
    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
  }

  /** `{ 'azure.workload.identity/client-id': <client id> }`, for the agent's service account. */
  serviceAccountAnnotations(): Record<string, string> {
    return { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: this.clientId };
  }
}

/** `<namespace>-<name>`, dots replaced: federated credential names allow letters, digits, `-`, `_`. */
function credentialName(account: FederatedServiceAccount): string {
  return `${account.namespace}-${account.name}`.replace(/\./g, '-');
}

const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;
const CREDENTIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateIdentity(props: AgentIdentityProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (!Token.isUnresolved(props.name) && !IDENTITY_NAME.test(props.name)) {
    add(
      ['name'],
      `'${props.name}' is not a managed identity name: 3 to 128 letters, digits, '-' or '_', starting with a letter or digit`,
    );
  }
  if (
    !Token.isUnresolved(props.oidcIssuerUrl) &&
    !/^https:\/\/[^\s/]+(\/\S*)?$/.test(props.oidcIssuerUrl)
  ) {
    add(
      ['oidcIssuerUrl'],
      `'${props.oidcIssuerUrl}' is not an OIDC issuer URL: 'https://' followed by a host, e.g. 'https://westeurope.oic.prod-aks.azure.com/<tenant>/<id>/'`,
    );
  }
  const accounts = props.serviceAccounts ?? [];
  if (accounts.length > MAX_FEDERATED_CREDENTIALS) {
    add(
      ['serviceAccounts'],
      `${accounts.length} service accounts: one identity holds at most ${MAX_FEDERATED_CREDENTIALS} federated credentials`,
    );
  }
  const seen = new Set<string>();
  accounts.forEach((account, i) => {
    if (!DNS_LABEL.test(account.namespace)) {
      add(
        ['serviceAccounts', i, 'namespace'],
        `'${account.namespace}' is not a namespace name: 1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit`,
      );
    }
    if (!DNS_SUBDOMAIN.test(account.name)) {
      add(
        ['serviceAccounts', i, 'name'],
        `'${account.name}' is not a service account name: 1 to 253 lower-case letters, digits, '-' or '.', each part starting and ending with a letter or digit`,
      );
    }
    const name = credentialName(account);
    if (!CREDENTIAL_NAME.test(name)) {
      add(
        ['serviceAccounts', i],
        `federated credential name '${name}' is not allowed: 3 to 120 letters, digits, '-' or '_' (from '<namespace>-<name>')`,
      );
    } else if (seen.has(name)) {
      add(
        ['serviceAccounts', i],
        `'${account.namespace}/${account.name}' is listed twice (or collides as credential '${name}')`,
      );
    }
    seen.add(name);
  });
  return problems;
}

import {
  AgentIdentity,
  AgentIdentityProps,
  WORKLOAD_IDENTITY_USE_LABEL,
} from '../../constructs/azure/agent-identity';
import { ValidationError } from '../../model';
import { Synthesized, resourcesOf, resourceOf } from '../support/synthesized';
import { LOCATION, synthAzure } from './support';

const ISSUER = 'https://westeurope.oic.prod-aks.azure.com/00000000-0000-4000-8000-0000000000aa/c1/';

const BASE: AgentIdentityProps = {
  name: 'inventory-update',
  resourceGroupName: 'fleet-westeurope',
  location: LOCATION,
  oidcIssuerUrl: ISSUER,
  serviceAccounts: [{ namespace: 'inventory-update', name: 'inventory-update' }],
};

function synth(props: Partial<AgentIdentityProps> = {}): {
  json: Synthesized;
  identity: AgentIdentity;
} {
  let identity!: AgentIdentity;
  const json = synthAzure((stack) => {
    identity = new AgentIdentity(stack, 'identity', { ...BASE, ...props });
  });
  return { json, identity };
}

describe('AgentIdentity defaults', () => {
  const { json, identity } = synth();

  it('makes a user-assigned identity named after the agent, tagged', () => {
    expect(resourceOf(json, 'azurerm_user_assigned_identity')).toEqual({
      name: 'inventory-update',
      resource_group_name: 'fleet-westeurope',
      location: LOCATION,
      tags: { 'managed-by': 'agent-fleet' },
    });
  });

  it('federates the service account with the AKS issuer and the token exchange audience', () => {
    const credential = resourceOf(json, 'azurerm_federated_identity_credential');
    expect(credential).toMatchObject({
      name: 'inventory-update-inventory-update',
      resource_group_name: 'fleet-westeurope',
      issuer: ISSUER,
      subject: 'system:serviceaccount:inventory-update:inventory-update',
      audience: ['api://AzureADTokenExchange'],
    });
    expect(credential.parent_id).toMatch(/^\$\{azurerm_user_assigned_identity\.\w+\.id\}$/);
  });

  it('exposes ids and the service-account annotation; pods need the use label', () => {
    expect(identity.clientId).toMatch(/TfToken/);
    expect(identity.principalId).toMatch(/TfToken/);
    expect(identity.id).toMatch(/TfToken/);
    expect(identity.name).toBe('inventory-update');
    expect(Object.keys(identity.serviceAccountAnnotations())).toEqual([
      'azure.workload.identity/client-id',
    ]);
    expect(identity.serviceAccountAnnotations()['azure.workload.identity/client-id']).toBe(
      identity.clientId,
    );
    expect(WORKLOAD_IDENTITY_USE_LABEL).toEqual({ 'azure.workload.identity/use': 'true' });
  });
});

describe('several service accounts', () => {
  it('makes one credential each, chained so Entra ID never sees concurrent writes', () => {
    const { json } = synth({
      serviceAccounts: [
        { namespace: 'inventory', name: 'worker' },
        { namespace: 'inventory', name: 'worker.v2' },
        { namespace: 'ops', name: 'report' },
      ],
    });
    const credentials = resourcesOf(json, 'azurerm_federated_identity_credential').sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    expect(credentials.map((c) => c.subject)).toEqual([
      'system:serviceaccount:inventory:worker',
      'system:serviceaccount:inventory:worker.v2',
      'system:serviceaccount:ops:report',
    ]);
    expect(credentials.map((c) => c.name)).toEqual([
      'inventory-worker',
      'inventory-worker-v2',
      'ops-report',
    ]);
    expect(credentials[0].depends_on).toBeUndefined();
    expect(credentials[1].depends_on).toEqual([
      expect.stringMatching(/^azurerm_federated_identity_credential\.identity_inventory-worker_/),
    ]);
    expect(credentials[2].depends_on).toEqual([
      expect.stringMatching(
        /^azurerm_federated_identity_credential\.identity_inventory-worker-v2_/,
      ),
    ]);
  });

  it('makes none without service accounts (an identity for a scale set)', () => {
    const { json } = synth({ serviceAccounts: undefined });
    expect(resourcesOf(json, 'azurerm_federated_identity_credential')).toHaveLength(0);
  });
});

describe('validation', () => {
  it('refuses a bad name, issuer and service accounts, all at once', () => {
    const build = () =>
      synth({
        name: 'x',
        oidcIssuerUrl: 'http://issuer',
        serviceAccounts: [
          { namespace: 'Bad_NS', name: 'worker' },
          { namespace: 'n'.repeat(63), name: 's'.repeat(60) },
          { namespace: 'ops', name: 'report' },
          { namespace: 'ops', name: 'report' },
        ],
      });
    expect(build).toThrow(ValidationError);
    expect(build).toThrow(/test\/identity: 5 problem\(s\)/);
    expect(build).toThrow("'name': 'x' is not a managed identity name");
    expect(build).toThrow("'oidcIssuerUrl': 'http://issuer' is not an OIDC issuer URL");
    expect(build).toThrow("'serviceAccounts[0].namespace': 'Bad_NS' is not a namespace name");
    expect(build).toThrow(
      `'serviceAccounts[1]': federated credential name '${'n'.repeat(63)}-${'s'.repeat(60)}' is not allowed`,
    );
    expect(build).toThrow("'serviceAccounts[3]': 'ops/report' is listed twice");
  });

  it('refuses more than 20 service accounts', () => {
    const accounts = Array.from({ length: 21 }, (_, i) => ({ namespace: 'ns', name: `sa-${i}` }));
    expect(() => synth({ serviceAccounts: accounts })).toThrow(
      "'serviceAccounts': 21 service accounts: one identity holds at most 20 federated credentials",
    );
  });
});

import {
  CosmosdbAccount,
  CosmosdbAccountConfig,
} from '@cdktf/provider-azurerm/lib/cosmosdb-account';
import { CosmosdbSqlContainer } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-container';
import { CosmosdbSqlDatabase } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-database';
import { DataAzurermSubscription } from '@cdktf/provider-azurerm/lib/data-azurerm-subscription';
import {
  EventhubNamespace,
  EventhubNamespaceConfig,
} from '@cdktf/provider-azurerm/lib/eventhub-namespace';
import { KeyVault, KeyVaultConfig } from '@cdktf/provider-azurerm/lib/key-vault';
import {
  KubernetesCluster,
  KubernetesClusterConfig,
} from '@cdktf/provider-azurerm/lib/kubernetes-cluster';
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool';
import {
  LinuxVirtualMachineScaleSet,
  LinuxVirtualMachineScaleSetConfig,
} from '@cdktf/provider-azurerm/lib/linux-virtual-machine-scale-set';
import { OrchestratedVirtualMachineScaleSet } from '@cdktf/provider-azurerm/lib/orchestrated-virtual-machine-scale-set';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import {
  ServicebusNamespace,
  ServicebusNamespaceConfig,
} from '@cdktf/provider-azurerm/lib/servicebus-namespace';
import { Fn, TerraformStack } from 'cdktf';
import { CosmosDbAccount } from '../../constructs/azure/cosmos-db';
import { EventHubsNamespace } from '../../constructs/azure/event-hubs';
import { ServiceBusNamespace } from '../../constructs/azure/service-bus';
import { GuardrailRule } from '../../guardrails';
import { cosmosContinuousBackup } from '../../guardrails/rules/azure/gr-dur-03-cosmos-continuous-backup';
import { aksHostEncryption } from '../../guardrails/rules/azure/gr-enc-08-aks-host-encryption';
import { vmssEncryptionAtHost } from '../../guardrails/rules/azure/gr-enc-09-vmss-encryption-at-host';
import { cosmosCustomerManagedKey } from '../../guardrails/rules/azure/gr-enc-10-cosmos-cmk';
import { messagingMinimumTls } from '../../guardrails/rules/azure/gr-enc-11-messaging-min-tls';
import { azureCustomDataSecrets } from '../../guardrails/rules/azure/gr-iam-02-azure-custom-data-secrets';
import { aksWorkloadIdentity } from '../../guardrails/rules/azure/gr-iam-03-aks-workload-identity';
import { aksEntraRbac } from '../../guardrails/rules/azure/gr-iam-05-aks-entra-rbac';
import { azureLocalAuthDisabled } from '../../guardrails/rules/azure/gr-iam-06-azure-local-auth';
import { vmssSshOnly } from '../../guardrails/rules/azure/gr-iam-07-vmss-ssh-only';
import { roleAssignmentScope } from '../../guardrails/rules/azure/gr-iam-10-role-assignment-scope';
import { aksPrivateApiServer } from '../../guardrails/rules/azure/gr-net-07-aks-private-api';
import { aksNetworkPolicy } from '../../guardrails/rules/azure/gr-net-08-aks-network-policy';
import { azurePrivateDataPlane } from '../../guardrails/rules/azure/gr-net-09-azure-private-data-plane';
import { AZURE_RULES } from '../../guardrails/rules/azure/index';
import { preventDestroy } from '../../guardrails/rules/common/gr-dur-09-prevent-destroy';
import { findingsOf } from '../support/guardrail-findings';

const SITE = { location: 'westeurope', resourceGroupName: 'rg-fleet' };
const SUBSCRIPTION = '00000000-0000-4000-8000-000000000001';
const PRINCIPAL = '00000000-0000-4000-8000-0000000000bb';

/** `[rule id, what was found]` of each finding of one rule over what `build` adds. */
function found(rule: GuardrailRule, build: (stack: TerraformStack) => void): [string, string][] {
  return findingsOf(rule, build).map((finding) => {
    expect(finding.level).toBe(rule.level);
    expect(finding.message.startsWith(`${rule.fix} (`)).toBe(true);
    return [finding.rule, finding.message.slice(rule.fix.length + 2, -1)];
  });
}

/** An AKS cluster that complies with every AKS rule, with some settings changed. */
function aks(
  stack: TerraformStack,
  change: Partial<KubernetesClusterConfig> = {},
  id = 'Cluster',
): KubernetesCluster {
  return new KubernetesCluster(stack, id, {
    ...SITE,
    name: 'fleet',
    dnsPrefix: 'fleet',
    identity: { type: 'SystemAssigned' },
    roleBasedAccessControlEnabled: true,
    azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: true },
    localAccountDisabled: true,
    oidcIssuerEnabled: true,
    workloadIdentityEnabled: true,
    privateClusterEnabled: true,
    networkProfile: { networkPlugin: 'azure', networkPolicy: 'cilium', networkDataPlane: 'cilium' },
    defaultNodePool: {
      name: 'system',
      vmSize: 'Standard_D4s_v5',
      hostEncryptionEnabled: true,
      nodePublicIpEnabled: false,
    },
    ...change,
  });
}

/** A Linux scale set that complies with every VMSS rule, with some settings changed. */
function vmss(
  stack: TerraformStack,
  change: Partial<LinuxVirtualMachineScaleSetConfig> = {},
): LinuxVirtualMachineScaleSet {
  return new LinuxVirtualMachineScaleSet(stack, 'ScaleSet', {
    ...SITE,
    name: 'agents',
    sku: 'Standard_D2s_v5',
    adminUsername: 'fleetadmin',
    adminSshKey: [{ username: 'fleetadmin', publicKey: 'ssh-ed25519 AAAAC3Nza fleet' }],
    disablePasswordAuthentication: true,
    encryptionAtHostEnabled: true,
    networkInterface: [
      { name: 'primary', primary: true, ipConfiguration: [{ name: 'primary', primary: true }] },
    ],
    osDisk: { caching: 'ReadWrite', storageAccountType: 'Premium_LRS' },
    ...change,
  });
}

/** A Cosmos DB account that complies with every Cosmos rule, with some settings changed. */
function cosmos(stack: TerraformStack, change: Partial<CosmosdbAccountConfig> = {}) {
  return new CosmosdbAccount(stack, 'Cosmos', {
    ...SITE,
    name: 'fleet-state',
    offerType: 'Standard',
    consistencyPolicy: { consistencyLevel: 'Session' },
    geoLocation: [{ location: 'westeurope', failoverPriority: 0 }],
    keyVaultKeyId: 'https://fleet-kv.vault.azure.net/keys/cosmos',
    backup: { type: 'Continuous', tier: 'Continuous30Days' },
    localAuthenticationDisabled: true,
    accessKeyMetadataWritesEnabled: false,
    publicNetworkAccessEnabled: false,
    lifecycle: { preventDestroy: true },
    ...change,
  });
}

function serviceBus(stack: TerraformStack, change: Partial<ServicebusNamespaceConfig> = {}) {
  return new ServicebusNamespace(stack, 'ServiceBus', {
    ...SITE,
    name: 'fleet-tasks',
    sku: 'Premium',
    capacity: 1,
    premiumMessagingPartitions: 1,
    minimumTlsVersion: '1.2',
    localAuthEnabled: false,
    publicNetworkAccessEnabled: false,
    lifecycle: { preventDestroy: true },
    ...change,
  });
}

function eventHubs(stack: TerraformStack, change: Partial<EventhubNamespaceConfig> = {}) {
  return new EventhubNamespace(stack, 'EventHubs', {
    ...SITE,
    name: 'fleet-events',
    sku: 'Standard',
    minimumTlsVersion: '1.2',
    localAuthenticationEnabled: false,
    publicNetworkAccessEnabled: false,
    lifecycle: { preventDestroy: true },
    ...change,
  });
}

function keyVault(stack: TerraformStack, change: Partial<KeyVaultConfig> = {}) {
  return new KeyVault(stack, 'KeyVault', {
    ...SITE,
    name: 'fleet-kv',
    skuName: 'standard',
    tenantId: '00000000-0000-4000-8000-0000000000aa',
    purgeProtectionEnabled: true,
    publicNetworkAccessEnabled: false,
    lifecycle: { preventDestroy: true },
    ...change,
  });
}

function grant(stack: TerraformStack, scope: string, id = 'Grant'): RoleAssignment {
  return new RoleAssignment(stack, id, {
    scope,
    principalId: PRINCIPAL,
    roleDefinitionName: 'Azure Service Bus Data Receiver',
  });
}

describe('the Azure rule set', () => {
  it('lists every Azure guardrail once, in id order, GR-DUR-10 left out', () => {
    expect(AZURE_RULES.map((rule) => [rule.id, rule.level])).toEqual([
      ['GR-DUR-03', 'error'],
      ['GR-ENC-08', 'error'],
      ['GR-ENC-09', 'error'],
      ['GR-ENC-10', 'warning'],
      ['GR-ENC-11', 'error'],
      ['GR-IAM-02', 'error'],
      ['GR-IAM-03', 'error'],
      ['GR-IAM-05', 'error'],
      ['GR-IAM-06', 'error'],
      ['GR-IAM-07', 'error'],
      ['GR-IAM-10', 'error'],
      ['GR-NET-07', 'error'],
      ['GR-NET-08', 'error'],
      ['GR-NET-09', 'error'],
    ]);
    for (const rule of AZURE_RULES) {
      expect(rule.fix).not.toContain('\n');
      expect(rule.appliesTo.every((type) => type.startsWith('azurerm_'))).toBe(true);
    }
  });

  it('finds nothing in a site built to comply', () => {
    expect(
      findingsOf(AZURE_RULES, (stack) => {
        const cluster = aks(stack);
        new KubernetesClusterNodePool(stack, 'Pool', {
          kubernetesClusterId: cluster.id,
          name: 'general',
          vmSize: 'Standard_D4s_v5',
          hostEncryptionEnabled: true,
        });
        vmss(stack, { customData: Buffer.from('#cloud-config\n').toString('base64') });
        cosmos(stack);
        grant(stack, serviceBus(stack).id);
        eventHubs(stack);
        keyVault(stack);
      }),
    ).toEqual([]);
  });
});

describe('GR-ENC-08 AKS host encryption', () => {
  it('accepts a cluster and a user pool with host encryption', () => {
    expect(
      found(aksHostEncryption, (stack) => {
        new KubernetesClusterNodePool(stack, 'Pool', {
          kubernetesClusterId: aks(stack).id,
          name: 'general',
          hostEncryptionEnabled: true,
        });
      }),
    ).toEqual([]);
  });

  it('refuses a default pool and a user pool without it', () => {
    expect(
      found(aksHostEncryption, (stack) => {
        const cluster = aks(stack, {
          defaultNodePool: { name: 'system', vmSize: 'Standard_D4s_v5' },
        });
        new KubernetesClusterNodePool(stack, 'Pool', {
          kubernetesClusterId: cluster.id,
          name: 'general',
          hostEncryptionEnabled: false,
        });
      }),
    ).toEqual([
      ['GR-ENC-08', "default node pool 'system' without host encryption"],
      ['GR-ENC-08', "node pool 'general' without host encryption"],
    ]);
  });
});

describe('GR-ENC-09 VMSS encryption at host', () => {
  it('accepts a scale set with encryption at host', () => {
    expect(found(vmssEncryptionAtHost, (stack) => vmss(stack))).toEqual([]);
  });

  it('refuses one without, which is the default', () => {
    expect(
      found(vmssEncryptionAtHost, (stack) => vmss(stack, { encryptionAtHostEnabled: undefined })),
    ).toEqual([['GR-ENC-09', 'encryption_at_host_enabled not set (off by default)']]);
  });
});

describe('GR-ENC-10 Cosmos DB customer-managed key', () => {
  it('accepts an account with a Key Vault key', () => {
    expect(found(cosmosCustomerManagedKey, (stack) => cosmos(stack))).toEqual([]);
  });

  it('warns about an account on the service-managed key, as the fleet runs today', () => {
    expect(
      found(cosmosCustomerManagedKey, (stack) => {
        new CosmosDbAccount(stack, 'State', { ...SITE, name: 'fleet-state' });
      }),
    ).toEqual([['GR-ENC-10', 'service-managed key only']]);
  });
});

describe('GR-ENC-11 minimum TLS of Event Hubs and Service Bus', () => {
  it("accepts the fleet's namespaces, which state TLS 1.2", () => {
    expect(
      found(messagingMinimumTls, (stack) => {
        new ServiceBusNamespace(stack, 'Tasks', { ...SITE, name: 'fleet-tasks' });
        new EventHubsNamespace(stack, 'Events', { ...SITE, name: 'fleet-events' });
      }),
    ).toEqual([]);
  });

  it('refuses TLS 1.0 and a version left unstated', () => {
    expect(
      found(messagingMinimumTls, (stack) => {
        serviceBus(stack, { minimumTlsVersion: '1.0' });
        eventHubs(stack, { minimumTlsVersion: undefined });
      }),
    ).toEqual([
      ['GR-ENC-11', 'minimum_tls_version not set'],
      ['GR-ENC-11', 'minimum_tls_version is "1.0"'],
    ]);
  });
});

describe('GR-NET-07 AKS API server and node exposure', () => {
  it('accepts a private cluster, and a public one limited to authorized ranges', () => {
    expect(
      found(aksPrivateApiServer, (stack) => {
        aks(stack);
        aks(
          stack,
          {
            privateClusterEnabled: false,
            apiServerAccessProfile: { authorizedIpRanges: ['203.0.113.0/24'] },
          },
          'Public',
        );
      }),
    ).toEqual([]);
  });

  it('refuses a public API server without ranges or open to /0, and nodes with public IPs', () => {
    expect(
      found(aksPrivateApiServer, (stack) => {
        const cluster = aks(stack, {
          privateClusterEnabled: false,
          defaultNodePool: {
            name: 'system',
            hostEncryptionEnabled: true,
            nodePublicIpEnabled: true,
          },
        });
        aks(
          stack,
          {
            privateClusterEnabled: false,
            apiServerAccessProfile: { authorizedIpRanges: ['203.0.113.0/24', '0.0.0.0/0'] },
          },
          'Open',
        );
        aks(
          stack,
          {
            privateClusterEnabled: false,
            apiServerAccessProfile: { authorizedIpRanges: ['::/0'] },
          },
          'OpenV6',
        );
        new KubernetesClusterNodePool(stack, 'Pool', {
          kubernetesClusterId: cluster.id,
          name: 'edge',
          nodePublicIpEnabled: true,
        });
      }),
    ).toEqual([
      [
        'GR-NET-07',
        "public API server without authorized IP ranges; default node pool 'system' gives its nodes public IPs",
      ],
      [
        'GR-NET-07',
        "authorized IP ranges open to the Internet: '203.0.113.0/24', '0.0.0.0/0' together cover 3,702,390,784 public IPv4 addresses (the whole Internet), more than the 16,777,216 (a /8) allowed",
      ],
      [
        'GR-NET-07',
        "authorized IP ranges open to the Internet: '::/0' is an IPv6 range broader than a /32, a whole provider's allocation",
      ],
      ['GR-NET-07', "node pool 'edge' gives its nodes public IPs"],
    ]);
  });
});

describe('GR-NET-08 AKS network policy', () => {
  it('accepts a cluster enforcing NetworkPolicies with Cilium', () => {
    expect(found(aksNetworkPolicy, (stack) => aks(stack))).toEqual([]);
  });

  it('refuses a network profile without a policy engine, and none at all', () => {
    expect(
      found(aksNetworkPolicy, (stack) => {
        aks(stack, { networkProfile: { networkPlugin: 'azure' } });
        aks(stack, { networkProfile: undefined }, 'Kubenet');
      }),
    ).toEqual([
      ['GR-NET-08', 'network_profile.network_policy not set'],
      ['GR-NET-08', 'no network_profile: kubenet without a network policy engine'],
    ]);
  });
});

describe('GR-NET-09 private data planes', () => {
  it('accepts private Cosmos DB, Service Bus, Event Hubs and a Key Vault that denies by default', () => {
    expect(
      found(azurePrivateDataPlane, (stack) => {
        cosmos(stack);
        serviceBus(stack);
        eventHubs(stack);
        keyVault(stack, {
          publicNetworkAccessEnabled: true,
          networkAcls: { bypass: 'AzureServices', defaultAction: 'Deny' },
        });
      }),
    ).toEqual([]);
  });

  it('leaves out a Standard Service Bus namespace, which has no private endpoints', () => {
    expect(
      found(azurePrivateDataPlane, (stack) => {
        new ServiceBusNamespace(stack, 'Tasks', { ...SITE, name: 'fleet-tasks', sku: 'Standard' });
      }),
    ).toEqual([]);
  });

  it('refuses public access left on, by default or explicitly', () => {
    expect(
      found(azurePrivateDataPlane, (stack) => {
        cosmos(stack, { publicNetworkAccessEnabled: undefined });
        serviceBus(stack, { publicNetworkAccessEnabled: true });
        eventHubs(stack, { publicNetworkAccessEnabled: true });
        keyVault(stack, { publicNetworkAccessEnabled: undefined });
      }),
    ).toEqual([
      ['GR-NET-09', 'public_network_access_enabled not set (on by default)'],
      ['GR-NET-09', 'public network access on'],
      ['GR-NET-09', 'public network access on'],
      ['GR-NET-09', 'public network access on, network_acls do not deny by default'],
    ]);
  });
});

describe('GR-IAM-02 secrets in VMSS custom_data', () => {
  const script = (text: string) => Buffer.from(text, 'utf8').toString('base64');

  it('accepts plain configuration, public keys and secrets fetched at boot', () => {
    expect(
      found(azureCustomDataSecrets, (stack) => {
        vmss(stack, {
          customData: script(
            [
              '#cloud-config',
              'ssh_authorized_keys:',
              '  - ssh-ed25519 AAAAC3Nza fleet',
              'write_files:',
              '  - content: |',
              '      FLEET_QUEUE_NAME=tasks',
              '      KEY_VAULT_NAME=fleet-kv',
              '      SSH_PUBLIC_KEY=ssh-ed25519 AAAAC3Nza',
              '      API_TOKEN=$(az keyvault secret show --vault-name fleet-kv -n token --query value -o tsv)',
            ].join('\n'),
          ),
        });
      }),
    ).toEqual([]);
  });

  it('refuses literal secrets in base64 custom_data and a key interpolated from Terraform', () => {
    expect(
      found(azureCustomDataSecrets, (stack) => {
        const bus = serviceBus(stack);
        new OrchestratedVirtualMachineScaleSet(stack, 'Flex', {
          ...SITE,
          name: 'flex',
          platformFaultDomainCount: 1,
          osProfile: {
            customData: script('export DATABASE_PASSWORD="hunter2"\napi_key: abc123\n'),
            linuxConfiguration: {
              adminUsername: 'fleetadmin',
              adminSshKey: [{ username: 'fleetadmin', publicKey: 'ssh-ed25519 AAAAC3Nza fleet' }],
            },
          },
        });
        vmss(stack, {
          customData: Fn.base64encode(
            Fn.join('', ['#cloud-config\nSB_KEY=', bus.defaultPrimaryKey, '\n']),
          ),
        });
      }),
    ).toEqual([
      ['GR-IAM-02', 'custom_data: SB_KEY from Terraform, stored in state'],
      [
        'GR-IAM-02',
        'os_profile.custom_data: DATABASE_PASSWORD set to a literal, api_key set to a literal',
      ],
    ]);
  });
});

describe('GR-IAM-03 AKS workload identity', () => {
  it('accepts a cluster with the OIDC issuer and workload identity', () => {
    expect(found(aksWorkloadIdentity, (stack) => aks(stack))).toEqual([]);
  });

  it('refuses one without them', () => {
    expect(
      found(aksWorkloadIdentity, (stack) =>
        aks(stack, { workloadIdentityEnabled: undefined, oidcIssuerEnabled: false }),
      ),
    ).toEqual([['GR-IAM-03', 'oidc_issuer_enabled and workload_identity_enabled not true']]);
  });
});

describe('GR-IAM-05 AKS Entra ID and Azure RBAC', () => {
  it('accepts Azure RBAC with local accounts disabled', () => {
    expect(found(aksEntraRbac, (stack) => aks(stack))).toEqual([]);
  });

  it('refuses local accounts, Entra without Azure RBAC, and no Entra at all', () => {
    expect(
      found(aksEntraRbac, (stack) => {
        aks(stack, {
          localAccountDisabled: undefined,
          azureActiveDirectoryRoleBasedAccessControl: { azureRbacEnabled: false },
        });
        aks(
          stack,
          {
            roleBasedAccessControlEnabled: false,
            azureActiveDirectoryRoleBasedAccessControl: undefined,
          },
          'Legacy',
        );
      }),
    ).toEqual([
      ['GR-IAM-05', 'Azure RBAC not enabled; local accounts enabled'],
      ['GR-IAM-05', 'Kubernetes RBAC disabled; no Entra ID integration'],
    ]);
  });
});

describe('GR-IAM-06 identity-only data access', () => {
  it("accepts the fleet's Cosmos DB account, Service Bus and Event Hubs namespaces", () => {
    expect(
      found(azureLocalAuthDisabled, (stack) => {
        new CosmosDbAccount(stack, 'State', { ...SITE, name: 'fleet-state' });
        new ServiceBusNamespace(stack, 'Tasks', { ...SITE, name: 'fleet-tasks' });
        new EventHubsNamespace(stack, 'Events', { ...SITE, name: 'fleet-events' });
      }),
    ).toEqual([]);
  });

  it('refuses account keys and SAS left on', () => {
    expect(
      found(azureLocalAuthDisabled, (stack) => {
        cosmos(stack, {
          localAuthenticationDisabled: undefined,
          accessKeyMetadataWritesEnabled: undefined,
        });
        serviceBus(stack, { localAuthEnabled: true });
        eventHubs(stack, { localAuthenticationEnabled: undefined });
      }),
    ).toEqual([
      [
        'GR-IAM-06',
        'local_authentication_disabled is not set (default false); access_key_metadata_writes_enabled is not set (default true)',
      ],
      ['GR-IAM-06', 'local_auth_enabled is true'],
      ['GR-IAM-06', 'local_authentication_enabled is not set (default true)'],
    ]);
  });
});

describe('GR-IAM-07 VMSS SSH keys only', () => {
  it('accepts SSH keys with password login disabled', () => {
    expect(found(vmssSshOnly, (stack) => vmss(stack))).toEqual([]);
  });

  it('refuses a password login without SSH keys', () => {
    expect(
      found(vmssSshOnly, (stack) =>
        vmss(stack, {
          disablePasswordAuthentication: false,
          adminPassword: 'not-a-real-password-1!',
          adminSshKey: undefined,
        }),
      ),
    ).toEqual([
      ['GR-IAM-07', 'password authentication enabled; admin_password set; no admin_ssh_key'],
    ]);
  });
});

describe('GR-IAM-10 role assignment scope', () => {
  it('accepts a role on one resource', () => {
    expect(found(roleAssignmentScope, (stack) => grant(stack, serviceBus(stack).id))).toEqual([]);
  });

  it('refuses roles on a subscription or a resource group, literal or referenced', () => {
    expect(
      found(roleAssignmentScope, (stack) => {
        const group = new ResourceGroup(stack, 'Group', { ...SITE, name: 'rg-fleet' });
        const subscription = new DataAzurermSubscription(stack, 'Subscription');
        grant(stack, `/subscriptions/${SUBSCRIPTION}`, 'OnSubscription');
        grant(stack, `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-fleet/`, 'OnGroupId');
        grant(stack, group.id, 'OnGroup');
        grant(stack, subscription.id, 'OnSubscriptionData');
        grant(stack, `/subscriptions/${subscription.subscriptionId}`, 'OnSubscriptionBuilt');
      }),
    ).toEqual([
      [
        'GR-IAM-10',
        `Azure Service Bus Data Receiver on a subscription: /subscriptions/${SUBSCRIPTION}`,
      ],
      [
        'GR-IAM-10',
        `Azure Service Bus Data Receiver on a resource group: /subscriptions/${SUBSCRIPTION}/resourceGroups/rg-fleet/`,
      ],
      [
        'GR-IAM-10',
        'Azure Service Bus Data Receiver on a resource group: ${azurerm_resource_group.Group.id}',
      ],
      [
        'GR-IAM-10',
        'Azure Service Bus Data Receiver on a subscription: ${data.azurerm_subscription.Subscription.id}',
      ],
      [
        'GR-IAM-10',
        'Azure Service Bus Data Receiver on a subscription: /subscriptions/${data.azurerm_subscription.Subscription.subscription_id}',
      ],
    ]);
  });
});

describe('GR-DUR-03 Cosmos DB continuous backup', () => {
  it("accepts the fleet's account, on continuous backup", () => {
    expect(
      found(cosmosContinuousBackup, (stack) => {
        new CosmosDbAccount(stack, 'State', { ...SITE, name: 'fleet-state' });
      }),
    ).toEqual([]);
  });

  it('refuses periodic backup, stated or by default', () => {
    expect(
      found(cosmosContinuousBackup, (stack) => {
        cosmos(stack, { backup: { type: 'Periodic', intervalInMinutes: 240 } });
        new CosmosdbAccount(stack, 'Bare', {
          ...SITE,
          name: 'fleet-bare',
          offerType: 'Standard',
          consistencyPolicy: { consistencyLevel: 'Session' },
          geoLocation: [{ location: 'westeurope', failoverPriority: 0 }],
        });
      }),
    ).toEqual([
      ['GR-DUR-03', 'backup type Periodic'],
      ['GR-DUR-03', 'no backup type (Periodic by default)'],
    ]);
  });
});

describe('GR-DUR-09 prevent_destroy on Azure stateful resources', () => {
  it("accepts the fleet's Cosmos DB account with its database, and its namespaces", () => {
    expect(
      found(preventDestroy, (stack) => {
        new CosmosDbAccount(stack, 'State', { ...SITE, name: 'fleet-state' });
        new ServiceBusNamespace(stack, 'Tasks', { ...SITE, name: 'fleet-tasks' });
        new EventHubsNamespace(stack, 'Events', { ...SITE, name: 'fleet-events' });
      }),
    ).toEqual([]);
  });

  it('refuses a database, a container and a namespace without it', () => {
    expect(
      found(preventDestroy, (stack) => {
        const account = cosmos(stack);
        const database = new CosmosdbSqlDatabase(stack, 'Database', {
          name: 'fleet',
          accountName: account.name,
          resourceGroupName: SITE.resourceGroupName,
        });
        new CosmosdbSqlContainer(stack, 'Container', {
          name: 'inventory',
          accountName: account.name,
          databaseName: database.name,
          resourceGroupName: SITE.resourceGroupName,
          partitionKeyPaths: ['/sku'],
        });
        eventHubs(stack, { lifecycle: undefined });
      }),
    ).toEqual([
      ['GR-DUR-09', 'no lifecycle.prevent_destroy'],
      ['GR-DUR-09', 'no lifecycle.prevent_destroy'],
      ['GR-DUR-09', 'no lifecycle.prevent_destroy'],
    ]);
  });
});

import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { Construct } from 'constructs';

/** Tag every Azure resource of the fleet carries. */
export const AZURE_MANAGED_BY_TAG = { 'managed-by': 'agent-fleet' } as const;

/** Props of {@link azureProvider}. */
export interface AzureProviderProps {
  /** The only subscription the provider acts in. */
  readonly subscriptionId: string;
  /** The Microsoft Entra tenant of the subscription. */
  readonly tenantId: string;
  /** Provider alias, for a second subscription in one stack. @default - the default provider */
  readonly alias?: string;
}

/**
 * The `azurerm` provider of a stack (hashicorp/azurerm 4.x). It never carries
 * credentials: they come from the environment of the process that runs
 * Terraform (OIDC federation in CI, `az login` on a workstation). Storage data
 * calls use Entra ID, since the fleet turns shared keys off.
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs
 */
export function azureProvider(
  scope: Construct,
  props: AzureProviderProps,
  id = 'azurerm',
): AzurermProvider {
  return new AzurermProvider(scope, id, {
    features: [{}],
    subscriptionId: props.subscriptionId,
    tenantId: props.tenantId,
    storageUseAzuread: true,
    alias: props.alias,
  });
}

import { TerraformStack, Testing } from 'cdktf';
import { azureProvider } from '../../constructs/azure/provider';
import { Synthesized, synthesized } from '../support/synthesized';

export const SUBSCRIPTION_ID = '00000000-0000-4000-8000-000000000001';
export const TENANT_ID = '00000000-0000-4000-8000-0000000000aa';
export const LOCATION = 'westeurope';

/** Synthesizes what `build` adds to a stack with an azurerm provider; returns the parsed JSON. */
export function synthAzure(build: (stack: TerraformStack) => void): Synthesized {
  const stack = new TerraformStack(Testing.app(), 'test');
  azureProvider(stack, { subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID });
  build(stack);
  return synthesized(stack);
}

import { TerraformStack, Testing } from 'cdktf';
import { azureProvider } from '../../constructs/azure/provider';
import { SUBSCRIPTION_ID, TENANT_ID } from '../support/clouds';
import { Synthesized, synthesized } from '../support/synthesized';

export { SUBSCRIPTION_ID, TENANT_ID };
export const LOCATION = 'westeurope';

/** Synthesizes what `build` adds to a stack with an azurerm provider; returns the parsed JSON. */
export function synthAzure(build: (stack: TerraformStack) => void): Synthesized {
  const stack = new TerraformStack(Testing.app(), 'test');
  azureProvider(stack, { subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID });
  build(stack);
  return synthesized(stack);
}

import { TerraformStack, Testing } from 'cdktf';
import { azureProvider } from '../../constructs/azure/provider';

export const SUBSCRIPTION_ID = '00000000-0000-4000-8000-000000000001';
export const TENANT_ID = '00000000-0000-4000-8000-0000000000aa';
export const LOCATION = 'westeurope';

export type Json = Record<string, any>;

/** Synthesizes what `build` adds to a stack with an azurerm provider; returns the parsed JSON. */
export function synthAzure(build: (stack: TerraformStack) => void): Json {
  const stack = new TerraformStack(Testing.app(), 'test');
  azureProvider(stack, { subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID });
  build(stack);
  return JSON.parse(Testing.synth(stack, true)) as Json;
}

/** The resources of one type. */
export function resourcesOf(json: Json, type: string): Json[] {
  return Object.values((json.resource?.[type] ?? {}) as Json);
}

/** The only resource of a type. */
export function resourceOf(json: Json, type: string): Json {
  const resources = resourcesOf(json, type);
  if (resources.length !== 1) throw new Error(`${resources.length} ${type} resources, not one`);
  return resources[0];
}

import * as path from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { loadFleet } from '../../config';
import { awsProvider } from '../../constructs/aws/provider';
import { azureProvider } from '../../constructs/azure/provider';
import { evaluate, Finding, GuardrailRule, resourceViews } from '../../guardrails';
import { AgentFleet } from '../../stacks/agent-fleet';
import { ACCOUNT_ID, REGION, SUBSCRIPTION_ID, TENANT_ID } from './clouds';

const ROOT = path.resolve(__dirname, '../..');

/**
 * The findings of some rules over what `build` adds to a fresh stack, without
 * failing on them. The stack has AWS and azurerm providers, so resources of
 * either cloud synthesize.
 */
export function findingsOf(
  rules: GuardrailRule | readonly GuardrailRule[],
  build: (stack: TerraformStack) => void,
): Finding[] {
  const stack = new TerraformStack(Testing.app(), 'test');
  awsProvider(stack, { region: REGION, accountId: ACCOUNT_ID });
  azureProvider(stack, { subscriptionId: SUBSCRIPTION_ID, tenantId: TENANT_ID });
  build(stack);
  const list = Array.isArray(rules) ? rules : [rules as GuardrailRule];
  return [...evaluate(list, resourceViews(stack)).findings];
}

/**
 * The findings of some rules over every example environment, site by site
 * (each site's infra, platform and agents stacks together), with the
 * environments' written suppressions applied.
 */
export function exampleFindings(rules: readonly GuardrailRule[]): Finding[] {
  const loaded = loadFleet({ rootDir: ROOT });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  const findings: Finding[] = [];
  for (const environment of loaded.environments) {
    const app = new App({ outdir: Testing.app().outdir });
    new AgentFleet(app, environment.name, { environment });
    const stacks = app.node.children.filter(TerraformStack.isStack);
    stacks.forEach((stack) => stack.prepareStack());
    const sites = new Map<string, TerraformStack[]>();
    for (const stack of stacks) {
      const site = stack.node.id.replace(/-(infra|platform|agents)$/, '');
      sites.set(site, [...(sites.get(site) ?? []), stack]);
    }
    for (const group of sites.values()) {
      findings.push(
        ...evaluate(rules, group.flatMap(resourceViews), environment.suppressions).findings,
      );
    }
  }
  return findings;
}

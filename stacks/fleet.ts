import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { clusterAutoscalerRoleName } from '../constructs/aws';
import { aksClusterAccess, azureProvider } from '../constructs/azure';
import { applyGuardrails, GUARDRAIL_RULES, GuardrailLog } from '../guardrails';
import {
  aksClusterName,
  AzureSiteSpec,
  BackendSpec,
  ClusterAccess,
  clusterSiteOf,
  clusterSiteOfAzure,
  eksClusterName,
  FleetEnvironment,
  KubernetesSiteSpec,
  planSite,
  SiteCloudBindings,
  SitePlan,
} from '../model';
import { AgentsStack } from './agents-stack';
import { AwsInfraStack } from './aws-infra-stack';
import { AzureInfraStack } from './azure-infra-stack';
import { PlatformStack } from './platform-stack';
import { SiteStackProps } from './site-stack-props';
import { EnvironmentSummary, summarize } from './summary';

/** Stack ids of a site: config names are therefore stable API. */
export function stackIds(
  environment: string,
  site: string,
): { infra: string; platform: string; agents: string } {
  const prefix = `${environment}-${site}`;
  return { infra: `${prefix}-infra`, platform: `${prefix}-platform`, agents: `${prefix}-agents` };
}

/** How a site's cluster is reached and what its cloud built, for its later stacks. */
interface ClusterStackInputs {
  readonly plan: SitePlan;
  readonly infra?: TerraformStack;
  readonly clusterAccess?: SiteStackProps['clusterAccess'];
  readonly nodeAutoscaler?: SiteStackProps['nodeAutoscaler'];
  readonly cloud?: SiteCloudBindings;
  readonly backend?: BackendSpec;
}

/**
 * Adds every stack of an environment to the app, per site: the cloud
 * infrastructure of a cloud site, then the platform, then the agents, each
 * depending on the one before (`cdktf deploy '*'` keeps that order).
 */
export function addEnvironment(
  app: App,
  environment: FleetEnvironment,
  options: { readonly offline?: boolean } = {},
): EnvironmentSummary & { readonly guardrails: GuardrailLog } {
  // One plan per site, shared by all its stacks: its agents are resolved once.
  const planOf = (site: KubernetesSiteSpec) =>
    planSite({
      environment: environment.name,
      site,
      brokers: environment.brokers,
      agents: environment.deployments.filter((d) => d.site === site.name).map((d) => d.agent),
    });
  const guardrails = new GuardrailLog();
  const clusterStacks = (inputs: ClusterStackInputs) => {
    const { plan } = inputs;
    const { site } = plan;
    const ids = stackIds(environment.name, site.name);
    const common = {
      plan,
      backend: inputs.backend ?? environment.backend,
      offline: options.offline,
      clusterAccess: inputs.clusterAccess,
    };
    const platform = new PlatformStack(app, ids.platform, {
      ...common,
      nodeAutoscaler: inputs.nodeAutoscaler,
      cloud: inputs.cloud,
    });
    const workloads = new AgentsStack(app, ids.agents, {
      ...common,
      cloud: inputs.cloud,
      platform,
    });
    if (inputs.infra) platform.addDependency(inputs.infra);
    workloads.addDependency(platform);
    applyGuardrails([...(inputs.infra ? [inputs.infra] : []), platform, workloads], {
      rules: GUARDRAIL_RULES,
      suppressions: [...(environment.suppressions ?? []), ...workloads.guardrailExceptions],
      log: guardrails,
    });
    return { site: site.name, platform, agents: workloads };
  };

  const sites = environment.sites.map((site) => clusterStacks({ plan: planOf(site) }));
  const infra: TerraformStack[] = [];
  for (const awsSite of environment.awsSites ?? []) {
    const plan = planOf(clusterSiteOf(awsSite));
    const stack = new AwsInfraStack(app, stackIds(environment.name, awsSite.name).infra, {
      site: awsSite,
      plan,
      production: environment.production,
      backend: environment.backend,
      offline: options.offline,
    });
    infra.push(stack);
    const clusterName = eksClusterName(environment.name, awsSite);
    // The cluster's endpoint and CA come from the infra stack's state; a token from the AWS CLI.
    const clusterAccess = (): ClusterAccess => ({
      host: stack.cluster.endpoint,
      clusterCaCertificate: stack.cluster.certificateAuthorityData,
      exec: {
        command: 'aws',
        args: ['eks', 'get-token', '--cluster-name', clusterName, '--region', awsSite.region],
      },
    });
    sites.push(
      clusterStacks({
        plan,
        infra: stack,
        clusterAccess,
        nodeAutoscaler: {
          clusterName,
          region: awsSite.region,
          kubernetesVersion: awsSite.cluster.version,
          roleArn: `arn:aws:iam::${awsSite.accountId}:role/${clusterAutoscalerRoleName(clusterName)}`,
        },
        cloud: stack.bindings,
      }),
    );
  }
  for (const azureSite of environment.azureSites ?? []) {
    const backend = azureSite.backend ?? environment.backend;
    const plan = planOf(clusterSiteOfAzure(azureSite));
    const stack = new AzureInfraStack(app, stackIds(environment.name, azureSite.name).infra, {
      site: azureSite,
      plan,
      production: environment.production,
      backend,
      offline: options.offline,
    });
    infra.push(stack);
    sites.push(
      clusterStacks({
        plan,
        infra: stack,
        clusterAccess: aksAccess(environment.name, azureSite),
        cloud: stack.bindings,
        backend,
      }),
    );
  }
  return { ...summarize(environment, sites, infra), guardrails };
}

/**
 * Later stacks read the AKS cluster by name through their own azurerm
 * provider, and take a token from kubelogin: no credential is stored and no
 * sensitive output crosses stacks.
 */
function aksAccess(environment: string, site: AzureSiteSpec): (scope: Construct) => ClusterAccess {
  return (scope) => {
    azureProvider(scope, { subscriptionId: site.subscriptionId, tenantId: site.tenantId });
    const name = aksClusterName(environment, site);
    return aksClusterAccess(scope, { clusterName: name, resourceGroupName: name });
  };
}

import { App } from 'cdktf';
import { clusterAutoscalerRoleName } from '../constructs/aws';
import {
  ClusterAccess,
  clusterSiteOf,
  eksClusterName,
  FleetEnvironment,
  KubernetesSiteSpec,
} from '../constructs/model';
import { AgentsStack } from './agents-stack';
import { InfraStack } from './infra-stack';
import { PlatformStack } from './platform-stack';
import { EnvironmentSummary, summarize } from './summary';

/** Stack ids of a site: config names are therefore stable API. */
export function stackIds(
  environment: string,
  site: string,
): { infra: string; platform: string; agents: string } {
  const prefix = `${environment}-${site}`;
  return { infra: `${prefix}-infra`, platform: `${prefix}-platform`, agents: `${prefix}-agents` };
}

/**
 * Adds every stack of an environment to the app, per site: the platform, then
 * the agents, which depend on it (`cdktf deploy '*'` keeps that order).
 */
export function addEnvironment(
  app: App,
  environment: FleetEnvironment,
  options: { readonly offline?: boolean } = {},
): EnvironmentSummary {
  const agentsOn = (site: string) =>
    environment.deployments.filter((d) => d.site === site).map((d) => d.agent);
  const common = (site: KubernetesSiteSpec) => ({
    site,
    brokers: environment.brokers,
    // Agents on scaling groups run on their own machines, built by the infra stack.
    agents: agentsOn(site.name).filter((agent) => !agent.placement?.scalingGroup),
    backend: environment.backend,
    offline: options.offline,
  });
  const sites = environment.sites.map((site) => {
    const ids = stackIds(environment.name, site.name);
    const platform = new PlatformStack(app, ids.platform, common(site));
    const workloads = new AgentsStack(app, ids.agents, common(site));
    workloads.addDependency(platform);
    return { site: site.name, platform, agents: workloads };
  });
  const infra = (environment.awsSites ?? []).map((awsSite) => {
    const ids = stackIds(environment.name, awsSite.name);
    const stack = new InfraStack(app, ids.infra, {
      site: awsSite,
      environment: environment.name,
      production: environment.production,
      brokers: environment.brokers,
      agents: agentsOn(awsSite.name),
      backend: environment.backend,
      offline: options.offline,
    });
    // The cluster's endpoint and CA come from the infra stack's state; a token from the AWS CLI.
    const clusterAccess: ClusterAccess = {
      host: stack.cluster.endpoint,
      clusterCaCertificate: stack.cluster.certificateAuthorityData,
      exec: {
        command: 'aws',
        args: [
          'eks',
          'get-token',
          '--cluster-name',
          eksClusterName(environment.name, awsSite),
          '--region',
          awsSite.region,
        ],
      },
    };
    const site = clusterSiteOf(awsSite);
    const clusterName = eksClusterName(environment.name, awsSite);
    const nodeAutoscaler = {
      clusterName,
      region: awsSite.region,
      roleArn: `arn:aws:iam::${awsSite.accountId}:role/${clusterAutoscalerRoleName(clusterName)}`,
    };
    const platform = new PlatformStack(app, ids.platform, {
      ...common(site),
      clusterAccess,
      nodeAutoscaler,
      cloud: stack.bindings,
    });
    const workloads = new AgentsStack(app, ids.agents, {
      ...common(site),
      clusterAccess,
      cloud: stack.bindings,
    });
    platform.addDependency(stack);
    workloads.addDependency(platform);
    sites.push({ site: site.name, platform, agents: workloads });
    return stack;
  });
  return summarize(environment, sites, infra);
}

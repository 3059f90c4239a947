import { App } from 'cdktf';
import { FleetEnvironment } from '../constructs/model';
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
  const sites = environment.sites.map((site) => {
    const ids = stackIds(environment.name, site.name);
    const agents = environment.deployments.filter((d) => d.site === site.name).map((d) => d.agent);
    const common = {
      site,
      brokers: environment.brokers,
      agents,
      backend: environment.backend,
      offline: options.offline,
    };
    const platform = new PlatformStack(app, ids.platform, common);
    const workloads = new AgentsStack(app, ids.agents, common);
    workloads.addDependency(platform);
    return { site: site.name, platform, agents: workloads };
  });
  const infra = (environment.awsSites ?? []).map(
    (site) =>
      new InfraStack(app, stackIds(environment.name, site.name).infra, {
        site,
        environment: environment.name,
        backend: environment.backend,
        offline: options.offline,
      }),
  );
  return summarize(environment, sites, infra);
}

import { App } from 'cdktf';
import { FleetEnvironment } from '../constructs/model';
import { AgentsStack } from './agents-stack';
import { EnvironmentSummary, summarize } from './summary';

/** Stack id of a site's agents: config names are therefore stable API. */
export function agentsStackId(environment: string, site: string): string {
  return `${environment}-${site}-agents`;
}

/** Adds every stack of an environment to the app, per site, and returns what they deploy. */
export function addEnvironment(app: App, environment: FleetEnvironment): EnvironmentSummary {
  const stacks = environment.sites.map((site) => ({
    site: site.name,
    stack: new AgentsStack(app, agentsStackId(environment.name, site.name), {
      site,
      brokers: environment.brokers,
      agents: environment.deployments.filter((d) => d.site === site.name).map((d) => d.agent),
      backend: environment.backend,
    }),
  }));
  return summarize(environment.name, stacks);
}

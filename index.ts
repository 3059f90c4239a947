/**
 * The public API of agent-fleet: the provider-neutral model, the fleet
 * construct that builds an environment and the site stacks it builds, the construct
 * libraries (one namespace per target), the guardrail engine and its rule
 * packs, the loader of environment files, and the plan review. Everything not
 * exported here is internal and may change without notice.
 *
 * Provider bindings are loaded by submodule only: importing this module never
 * loads a provider package's index.
 *
 * @packageDocumentation
 */

// The model: agent specs, units, sites, brokers, plans, validation.
export * from './model';

// The fleet construct, and the stacks it builds for each site.
export { AgentFleet, siteStackIds, stackIds } from './stacks/agent-fleet';
export type { AgentFleetProps, FleetSiteStacks } from './stacks/agent-fleet';
export { AgentsStack } from './stacks/agents-stack';
export type { AgentsStackProps } from './stacks/agents-stack';
export { AwsInfraStack } from './stacks/aws-infra-stack';
export type { AwsInfraStackProps } from './stacks/aws-infra-stack';
export { AzureInfraStack } from './stacks/azure-infra-stack';
export type { AzureInfraStackProps } from './stacks/azure-infra-stack';
export { HostsStack } from './stacks/hosts-stack';
export type { HostsStackProps } from './stacks/hosts-stack';
export { PlatformStack } from './stacks/platform-stack';
export type { PlatformStackProps } from './stacks/platform-stack';
export type { CloudInfraStackProps, SitePlatform, SiteStackProps } from './stacks/site-stack-props';
export { formatSummary } from './stacks/summary';
export type { EnvironmentSummary } from './stacks/summary';
export type { BrokerCredentialCopy, BrokerCredentials } from './generators/rabbitmq';
export type { MonitoredAgent, MonitoredBroker } from './generators/monitoring';

// The construct libraries, one namespace per target.
export * as aws from './constructs/aws';
export * as azure from './constructs/azure';
export * as hosts from './constructs/hosts';
export * as kubernetes from './constructs/kubernetes';
export * as terraform from './constructs/terraform';
export * as vm from './constructs/vm';

// The guardrail engine, its rule packs and suppressions.
export * from './guardrails';

// The loader of environment files.
export * from './config';

// The plan review of a synthesized output directory.
export { ReviewError } from './output/load';
export { runReview } from './review/review';
export type { ReviewOptions } from './review/review';

// The scaling simulation of a synthesized output directory.
export { runSimulation } from './simulate/run';
export type { SimulateOptions } from './simulate/run';

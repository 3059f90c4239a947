import { AgentSpec } from './agent-spec';
import { AgentStacksSpec } from './agent-stacks';
import { AwsSiteSpec } from './aws-site';
import { AzureSiteSpec } from './azure-site';
import { BackendSpec } from './backend';
import { BrokerSpec } from './broker';
import { HostsSiteSpec } from './hosts-site';
import { LoadProfileSpec } from './load-shapes';
import { KubernetesSiteSpec } from './site';

/**
 * A written exception to one guardrail for one resource (and one field of it,
 * for rules that report fields): the reason is listed in every review. One
 * that matches no finding fails synth.
 */
export interface GuardrailSuppression {
  /** Id of the rule, e.g. `GR-ENC-12`. */
  readonly rule: string;
  /** Construct path of the resource, exactly as the finding names it, e.g. `prod-nebraska-agents/Kafka/dc-events/Resource`. */
  readonly resource: string;
  /**
   * For a rule that reports fields (GR-SEC-05): the field inside the resource,
   * exactly as the finding names it, e.g. `spec.template.spec.container[0].env[2].value`.
   * @default - the finding is about the whole resource
   */
  readonly field?: string;
  /** Why the exception is acceptable, at least 20 characters. */
  readonly reason: string;
}

/** One agent type placed on one site, with the site's overrides already applied. */
export interface AgentDeployment {
  /** Name of the site, of any kind, the agent runs on. */
  readonly site: string;
  /** The agent type as it runs on that site. */
  readonly agent: AgentSpec;
}

/** A whole environment: its sites, brokers and the agents placed on them. */
export interface FleetEnvironment {
  /** DNS-1123 label; prefixes every stack id (`<env>-<site>-agents`). */
  readonly name: string;
  /**
   * Whether this environment serves production. Managed brokers then run
   * highly available (Amazon MQ `CLUSTER_MULTI_AZ`).
   * @default false
   */
  readonly production?: boolean;
  /** Where Terraform keeps the state of the environment's stacks. @default - local state files */
  readonly backend?: BackendSpec;
  /** Kubernetes clusters the user runs: on-prem, edge, local. */
  readonly sites: readonly KubernetesSiteSpec[];
  /** AWS regions, each with its network, EKS cluster and node groups. @default - none */
  readonly awsSites?: readonly AwsSiteSpec[];
  /** Azure regions, each with its resource group, VNet, AKS cluster and node pools. @default - none */
  readonly azureSites?: readonly AzureSiteSpec[];
  /** Warm servers without Kubernetes, deployed with Ansible. @default - none */
  readonly hostsSites?: readonly HostsSiteSpec[];
  /** The environment's brokers, which agents bind to by name. */
  readonly brokers: readonly BrokerSpec[];
  /** Each agent type on each site it runs on, in file order. */
  readonly deployments: readonly AgentDeployment[];
  /**
   * The load `npm run simulate` and the review's simulation replay by default.
   * @default - the simulator's `--load` (a burst)
   */
  readonly loadProfile?: LoadProfileSpec;
  /** Written exceptions to the guardrails. @default - none */
  readonly suppressions?: readonly GuardrailSuppression[];
  /** How its agents stacks are bounded. @default - at most 500 resources each */
  readonly agentStacks?: AgentStacksSpec;
}

/** Longest environment name: it starts every stack id and every derived name. */
export const MAX_ENVIRONMENT_NAME = 30;

/** What is wrong with an environment's name, if anything: a DNS label of at most 30 characters. */
export function environmentNameProblem(name: string): string | undefined {
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= MAX_ENVIRONMENT_NAME
    ? undefined
    : `the environment name '${name}' must be a DNS label of at most ${MAX_ENVIRONMENT_NAME} characters: lowercase letters, digits and '-'`;
}

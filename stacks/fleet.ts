import { App } from 'cdktf';
import { GuardrailLog } from '../guardrails';
import { FleetEnvironment } from '../model';
import { AgentFleet } from './agent-fleet';
import { EnvironmentSummary } from './summary';

export { stackIds } from './agent-fleet';

/**
 * Adds every stack of an environment to the app: an {@link AgentFleet} named
 * after the environment. Returns its summary and its guardrail log.
 */
export function addEnvironment(
  app: App,
  environment: FleetEnvironment,
  options: { readonly offline?: boolean } = {},
): EnvironmentSummary & { readonly guardrails: GuardrailLog } {
  const fleet = new AgentFleet(app, environment.name, { environment, offline: options.offline });
  return { ...fleet.summary, guardrails: fleet.guardrails };
}

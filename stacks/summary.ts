import { describeSignals } from '../constructs/model';
import { AgentsStack } from './agents-stack';

/** Rows of the synth summary of one environment. */
export interface EnvironmentSummary {
  readonly environment: string;
  readonly stacks: readonly string[];
  readonly agents: readonly {
    readonly agent: string;
    readonly site: string;
    readonly pools: string;
    readonly replicas: string;
    readonly scaling: string;
  }[];
}

/** Summarizes what an environment's stacks deploy. */
export function summarize(
  environment: string,
  stacks: readonly { site: string; stack: AgentsStack }[],
): EnvironmentSummary {
  return {
    environment,
    stacks: stacks.map(({ stack }) => stack.node.id),
    agents: stacks.flatMap(({ site, stack }) =>
      [...stack.agents.values()].map((agent) => {
        const { spec } = agent.resolved;
        const scaling = spec.scaling;
        return {
          agent: spec.name,
          site,
          pools: agent.pools.join(', '),
          replicas: scaling ? `${scaling.minReplicas}–${scaling.maxReplicas}` : '1 per run',
          scaling: scaling
            ? `${agent.scalingMode}: ${describeSignals(scaling)}`
            : `cron-job: ${spec.schedule?.cron ?? ''}`,
        };
      }),
    ),
  };
}

/** Renders a summary as a plain-text table. */
export function formatSummary(summary: EnvironmentSummary): string {
  const header = {
    agent: 'agent type',
    site: 'site',
    pools: 'pools',
    replicas: 'replicas',
    scaling: 'scaling',
  };
  const rows = [header, ...summary.agents];
  const columns = Object.keys(header) as (keyof typeof header)[];
  const widths = columns.map((column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: typeof header) =>
    columns
      .map((column, i) => row[column].padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    `Environment ${summary.environment}`,
    `  stacks: ${summary.stacks.join(', ')}`,
    ...rows.map((row) => `  ${line(row)}`),
  ].join('\n');
}

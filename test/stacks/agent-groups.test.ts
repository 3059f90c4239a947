import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack } from 'cdktf';
import { loadFleet } from '../../config';
import { FleetEnvironment, ValidationError, withDeployments } from '../../model';
import { AgentFleet, siteStackIds } from '../../stacks/agent-fleet';
import { grouped } from '../support/edited-examples';
import { tempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');

type StackJson = {
  resource?: Record<string, Record<string, unknown>>;
  removed?: { from: string; lifecycle: { destroy: boolean } }[];
  import?: { to: string; id: string }[];
};

/** The example `local` environment, loaded once: it is deep-frozen, so every synth gets it as loaded. */
const local = (() => {
  const result = loadFleet({ rootDir: ROOT, environments: ['local'] });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.environments[0];
})();

/** Every stack's Terraform JSON, by id, and the fleet, of some sites (all by default). */
function synth(
  environment: FleetEnvironment,
  sites?: readonly string[],
): {
  stacks: Map<string, StackJson>;
  fleet: AgentFleet;
} {
  const app = new App({ outdir: tempDir('agent-groups') });
  const fleet = new AgentFleet(app, 'fleet', { environment, sites });
  app.synth();
  return { stacks: stacksOf(app), fleet };
}

/** Each synthesized stack's Terraform JSON, by id. */
function stacksOf(app: App): Map<string, StackJson> {
  const stacks = new Map<string, StackJson>();
  for (const stack of app.node.children.filter(TerraformStack.isStack)) {
    const file = path.join(app.outdir, 'stacks', stack.node.id, 'cdk.tf.json');
    stacks.set(stack.node.id, JSON.parse(fs.readFileSync(file, 'utf8')));
  }
  return stacks;
}

/** `<type>.<name>` of every resource of a stack. */
function addresses(stack: StackJson | undefined): string[] {
  return Object.entries(stack?.resource ?? {}).flatMap(([type, resources]) =>
    Object.keys(resources).map((name) => `${type}.${name}`),
  );
}

function thrown(build: () => unknown): ValidationError {
  try {
    build();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('agents stacks by group', () => {
  it('keeps every agent in <env>-<site>-agents when none names a group', () => {
    const { stacks, fleet } = synth(local);
    expect([...stacks.keys()].filter((id) => id.includes('-agents'))).toEqual(['local-dev-agents']);
    expect(fleet.sites[0].agentGroups).toEqual([]);
  });

  it("puts a group's agents in a stack of their own, deployed after the default one", () => {
    const environment = grouped(local, {
      reporting: { group: 'batch' },
      forecasting: { group: 'batch' },
    });
    const { stacks, fleet } = synth(environment);
    const batch = addresses(stacks.get('local-dev-agents-batch'));
    const main = addresses(stacks.get('local-dev-agents'));
    expect(batch.some((a) => a.startsWith('kubernetes_deployment_v1.reporting_'))).toBe(true);
    expect(batch.some((a) => a.startsWith('kubernetes_cron_job_v1.forecasting_'))).toBe(true);
    expect(main.some((a) => a.includes('.reporting_') || a.includes('.forecasting_'))).toBe(false);
    // What the site's agents share stays in the default stack.
    expect(main.some((a) => a.includes('TriggerAuthentication'))).toBe(true);
    expect(batch.some((a) => a.includes('TriggerAuthentication'))).toBe(false);
    const [site] = fleet.sites;
    expect(site.agentGroups.map((stack) => stack.node.id)).toEqual(['local-dev-agents-batch']);
    expect(site.agentGroups[0].dependencies).toContain(site.agents);
    expect(fleet.summary.stacks).toEqual([
      'local-dev-platform',
      'local-dev-agents',
      'local-dev-agents-batch',
    ]);
    expect(siteStackIds(environment).get('dev')).toEqual(fleet.summary.stacks);
  });

  it('changes one agents stack only when an agent is added to a group', () => {
    const base = grouped(local, { reporting: { group: 'batch' } });
    const reporting = base.deployments.find((d) => d.agent.name === 'reporting')!.agent;
    const added = withDeployments(base, {
      site: 'dev',
      agent: { ...reporting, name: 'reporting-eu', stack: { group: 'batch' } },
    });
    const before = synth(base).stacks;
    const after = synth(added).stacks;
    const changed = [...after.keys()].filter(
      (id) => JSON.stringify(after.get(id)) !== JSON.stringify(before.get(id)),
    );
    expect(changed.filter((id) => id.includes('-agents'))).toEqual(['local-dev-agents-batch']);
  });

  it('moves an agent between groups with removed and import blocks, destroying nothing', () => {
    const before = synth(local).stacks;
    const { stacks: after } = synth(
      grouped(local, { reporting: { group: 'batch', movedFrom: 'default' } }),
    );
    const moved = addresses(after.get('local-dev-agents-batch'));
    expect(moved.length).toBeGreaterThan(3);
    // Every stack forgets exactly what it no longer declares, and imports exactly what it newly does.
    for (const [id, stack] of after) {
      const gone = addresses(before.get(id)).filter((a) => !addresses(stack).includes(a));
      const added = addresses(stack).filter((a) => !addresses(before.get(id)).includes(a));
      expect([id, (stack.removed ?? []).map((block) => block.from).sort()]).toEqual([
        id,
        gone.sort(),
      ]);
      expect([id, (stack.import ?? []).map((block) => block.to).sort()]).toEqual([
        id,
        added.sort(),
      ]);
      expect((stack.removed ?? []).every((block) => block.lifecycle.destroy === false)).toBe(true);
    }
    // The agent's resources leave its agents stack, its dashboard the platform stack.
    expect(after.get('local-dev-agents')?.removed).toHaveLength(moved.length - 1);
    expect(after.get('local-dev-platform')?.removed).toEqual([
      {
        from: expect.stringMatching(/^kubernetes_config_map_v1\.Monitoring_Dashboard-reporting_/),
        lifecycle: { destroy: false },
      },
    ]);
    const ids = Object.fromEntries(
      after.get('local-dev-agents-batch')!.import!.map((block) => [block.to, block.id]),
    );
    const idOf = (prefix: string) => ids[moved.find((a) => a.startsWith(prefix))!];
    expect(idOf('kubernetes_deployment_v1.')).toBe('reporting/reporting');
    expect(idOf('kubernetes_horizontal_pod_autoscaler_v2.')).toBe('reporting/reporting');
    expect(idOf('kubernetes_config_map_v1.Dashboard-reporting')).toBe(
      'monitoring/agent-fleet-dashboard-reporting',
    );
    for (const [to, id] of Object.entries(ids)) {
      if (to.startsWith('kubernetes_manifest.')) {
        expect(id).toMatch(/^apiVersion=[^,]+,kind=[A-Za-z]+,namespace=reporting,name=[a-z0-9-]+$/);
      }
    }
  });

  it('keeps a stack for the group an agent left, even when no agent is left in it', () => {
    const moving = grouped(local, { reporting: { group: 'batch' } });
    const { stacks } = synth(
      grouped(moving, { reporting: { group: 'default', movedFrom: 'batch' } }),
    );
    const left = stacks.get('local-dev-agents-batch');
    expect(addresses(left)).toEqual([]);
    expect(left?.removed?.length).toBeGreaterThan(3);
    // Its dashboard goes back to the platform stack.
    const imported = [
      ...(stacks.get('local-dev-agents')?.import ?? []),
      ...(stacks.get('local-dev-platform')?.import ?? []),
    ];
    expect(imported).toHaveLength(left!.removed!.length);
    expect(stacks.get('local-dev-platform')?.import?.map((block) => block.id)).toEqual([
      'monitoring/agent-fleet-dashboard-reporting',
    ]);
  });

  it('refuses a stack above the bound, naming the group, its agents and the bound', () => {
    const environment = { ...local, agentStacks: { maxResources: 20 } };
    const error = thrown(() => synth(environment));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0].message).toMatch(
      /^the agents stack local-dev-agents \(group 'default'\) holds \d+ resources, above the bound of 20 \(agentStacks\.maxResources\): give some of its 9 agent\(s\) \(image-processing, metadata-extraction, dispatcher, reporting, forecasting, …\) a group of their own with stack\.group, or raise the bound$/,
    );
    expect(error.problems[0].path).toEqual(['agents', 'order-tracking', 'stack', 'group']);
  });

  it('names every stack above the bound at once', () => {
    const environment = grouped(
      { ...local, agentStacks: { maxResources: 20 } },
      {
        reporting: { group: 'batch' },
        forecasting: { group: 'batch' },
        dispatcher: { group: 'batch' },
        'image-processing': { group: 'batch' },
      },
    );
    const error = thrown(() => synth(environment));
    expect(error.scope).toBe('local-dev-agents');
    expect(error.problems.map((problem) => problem.message.replace(/ holds .*/, ''))).toEqual([
      "the agents stack local-dev-agents (group 'default')",
      "the agents stack local-dev-agents-batch (group 'batch')",
    ]);
    expect(error.problems.map((problem) => problem.path)).toEqual([
      ['agents', 'order-tracking', 'stack', 'group'],
      ['agents', 'forecasting', 'stack', 'group'],
    ]);
  });

  it('refuses group names that cannot end a stack id, and a move from its own group', () => {
    const error = thrown(() =>
      synth(grouped(local, { reporting: { group: 'Batch_1', movedFrom: 'default' } })),
    );
    const messages = error.problems.map((problem) => problem.message);
    expect(messages).toContainEqual(
      expect.stringMatching(/^'Batch_1' is not a group name: a DNS label/),
    );
    const own = thrown(() => synth(grouped(local, { reporting: { group: 'a', movedFrom: 'a' } })));
    expect(own.problems.map((p) => p.message)).toContainEqual(
      "'a' is the agent's own group: name the group it was deployed in before, or remove 'movedFrom'",
    );
  });

  it('refuses an agents stack bound out of range', () => {
    const error = thrown(() => synth({ ...local, agentStacks: { maxResources: 5 } }));
    expect(error.problems).toEqual([
      {
        path: ['agentStacks', 'maxResources'],
        message: '(5) must be a whole number from 20 to 5000',
      },
    ]);
  });

  it('builds only the sites named, with the same stacks as a whole synth', () => {
    const result = loadFleet({ rootDir: ROOT, environments: ['prod'] });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const [prod] = result.environments;
    const whole = synth(prod).stacks;
    const one = synth(prod, ['us-east']).stacks;
    expect([...one.keys()]).toEqual([
      'prod-us-east-infra',
      'prod-us-east-platform',
      'prod-us-east-agents',
    ]);
    for (const [id, stack] of one) expect(stack).toEqual(whole.get(id));
  });
});

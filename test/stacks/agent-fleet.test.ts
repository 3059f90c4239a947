import * as fs from 'fs';
import * as path from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { loadFleet } from '../../config';
import { applyGuardrails, GUARDRAIL_RULES, GuardrailLog } from '../../guardrails';
import {
  FleetEnvironment,
  overrideAgent,
  planSite,
  RabbitMqBrokerSpec,
  ValidationError,
  withDeployments,
  withSites,
} from '../../model';
import { AgentFleet } from '../../stacks/agent-fleet';
import { AgentsStack } from '../../stacks/agents-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { agent, consumer, SITE } from '../support/fixtures';
import { parseSynthesized, resourcesOf, Synthesized } from '../support/synthesized';
import { tempDir } from '../support/temp-dir';

const ROOT = path.resolve(__dirname, '../..');

function loaded(name: string): FleetEnvironment {
  const result = loadFleet({ rootDir: ROOT, environments: [name] });
  if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
  return result.environments[0];
}

/** Synthesizes an app into a directory of its own: each stack's Terraform JSON, without `//`. */
function synthApp(app: App): Map<string, Record<string, unknown>> {
  app.synth();
  const stacks = new Map<string, Record<string, unknown>>();
  for (const stack of app.node.children.filter(TerraformStack.isStack)) {
    const file = path.join(app.outdir, 'stacks', stack.node.id, 'cdk.tf.json');
    stacks.set(stack.node.id, JSON.parse(fs.readFileSync(file, 'utf8')));
  }
  return stacks;
}

function parsed(stacks: Map<string, Record<string, unknown>>, id: string): Synthesized {
  return parseSynthesized(JSON.stringify(stacks.get(id)));
}

const RABBITMQ: RabbitMqBrokerSpec = {
  name: 'rabbitmq',
  kind: 'rabbitmq',
  inCluster: { site: 'dc1' },
};

/** One site the user runs, one in-cluster RabbitMQ broker, two queue consumers. */
function declared(): FleetEnvironment {
  return {
    name: 'demo',
    sites: [SITE],
    brokers: [RABBITMQ],
    deployments: [
      { site: 'dc1', agent: consumer() },
      {
        site: 'dc1',
        agent: agent({
          name: 'thumbnailer',
          queue: { broker: 'rabbitmq', queue: 'thumbnail_tasks' },
          scaling: { minReplicas: 1, maxReplicas: 4, queueDepth: { perReplica: 50 } },
        }),
      },
    ],
  };
}

/** The message of what `build` throws. */
function thrown(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('nothing was thrown');
}

describe('AgentFleet from the environment files', () => {
  it("synthesizes the example 'local' environment as its site's stacks built one by one do", () => {
    const environment = loaded('local');
    const app = new App({ outdir: tempDir('agent-fleet') });
    const fleet = new AgentFleet(app, 'fleet-local', { environment });

    // The same environment, built stack by stack as the synth did before the construct.
    const byHand = new App({ outdir: tempDir('agent-fleet-by-hand') });
    const log = new GuardrailLog();
    for (const site of environment.sites) {
      const plan = planSite({
        environment: environment.name,
        site,
        brokers: environment.brokers,
        agents: environment.deployments.filter((d) => d.site === site.name).map((d) => d.agent),
      });
      const common = { plan, backend: environment.backend };
      const platform = new PlatformStack(byHand, `local-${site.name}-platform`, common);
      const agents = new AgentsStack(byHand, `local-${site.name}-agents`, {
        ...common,
        platform,
      });
      agents.addDependency(platform);
      applyGuardrails([platform, agents], {
        rules: GUARDRAIL_RULES,
        suppressions: [...(environment.suppressions ?? []), ...agents.guardrailExceptions],
        log,
      });
    }

    const built = synthApp(app);
    const expected = synthApp(byHand);
    expect([...built.keys()]).toEqual(['local-dev-platform', 'local-dev-agents']);
    expect(Object.fromEntries(built)).toEqual(Object.fromEntries(expected));
    expect(
      fleet.sites.map(({ site, infra, platform, agents }) => [
        site,
        infra,
        platform.node.id,
        agents.node.id,
      ]),
    ).toEqual([['dev', undefined, 'local-dev-platform', 'local-dev-agents']]);
    expect(fleet.summary.stacks).toEqual(['local-dev-platform', 'local-dev-agents']);
    expect(fleet.guardrails.findings.map((f) => f.rule).sort()).toEqual(
      log.findings.map((f) => f.rule).sort(),
    );
  });

  it('builds the files with an agent added and one overridden in code', () => {
    const files = loaded('local');
    const environment = overrideAgent(
      withDeployments(files, {
        site: 'dev',
        agent: agent({
          name: 'thumbnailer',
          queue: { broker: 'rabbitmq', queue: 'thumbnail_tasks' },
          scaling: { minReplicas: 1, maxReplicas: 2, queueDepth: { perReplica: 50 } },
        }),
      }),
      'dispatcher',
      (spec) => ({ ...spec, scaling: { minReplicas: 1, ...spec.scaling, maxReplicas: 3 } }),
      'dev',
    );
    expect(Object.isFrozen(environment.deployments)).toBe(true);
    expect(files.deployments.map((d) => d.agent.name)).not.toContain('thumbnailer');

    const app = new App({ outdir: tempDir('agent-fleet-added') });
    const fleet = new AgentFleet(app, 'fleet-local', { environment });
    const stacks = synthApp(app);
    const agents = parsed(stacks, 'local-dev-agents');
    const deployments = resourcesOf(agents, 'kubernetes_deployment_v1').map(
      (d) => d.metadata[0]?.name ?? d.metadata.name,
    );
    expect(deployments).toContain('thumbnailer');
    expect(fleet.summary.agents.find((row) => row.agent === 'thumbnailer')?.replicas).toBe('1–2');
    expect(fleet.summary.agents.find((row) => row.agent === 'dispatcher')?.replicas).toBe('1–3');
  });
});

describe('AgentFleet declared in code', () => {
  it('synthesizes one site and two agents, the guardrails running over its stacks', () => {
    const app = new App({ outdir: tempDir('agent-fleet-code') });
    const fleet = new AgentFleet(app, 'fleet-demo', { environment: declared() });
    const stacks = synthApp(app);
    expect([...stacks.keys()]).toEqual(['demo-dc1-platform', 'demo-dc1-agents']);
    const agents = parsed(stacks, 'demo-dc1-agents');
    expect(
      resourcesOf(agents, 'kubernetes_manifest')
        .map((m) => m.manifest)
        .filter((m) => m.kind === 'ScaledObject')
        .map((m) => m.metadata.name)
        .sort(),
    ).toEqual(['image-processing', 'thumbnailer']);
    // The checks ran when the app synthesized: every finding names a stack of the fleet.
    expect(fleet.guardrails.findings.length).toBeGreaterThan(0);
    for (const finding of fleet.guardrails.findings) {
      expect(finding.path).toMatch(/^demo-dc1-(platform|agents)\//);
    }
    expect(fleet.guardrails.errors).toEqual([]);
  });

  it('refuses two agents binding one RabbitMQ queue with different settings, naming the fleet and the field', () => {
    const environment = withDeployments(declared(), {
      site: 'dc1',
      agent: agent({
        name: 'resizer',
        queue: { broker: 'rabbitmq', queue: 'thumbnail_tasks', maxLength: 500 },
        scaling: { minReplicas: 1, maxReplicas: 4, queueDepth: { perReplica: 50 } },
      }),
    });
    const message = thrown(() => new AgentFleet(Testing.app(), 'fleet-demo', { environment }));
    expect(message).toMatch(/^fleet-demo: 1 problem\(s\)\n/);
    expect(message).toContain("'deployments.resizer@dc1.queue': binds queue 'thumbnail_tasks'");
    expect(message).toContain('thumbnail_tasks');
  });

  it('refuses an agent naming an unknown broker, with every problem at once', () => {
    const environment = overrideAgent(
      withDeployments(declared(), { site: 'edge', agent: agent({ name: 'stray' }) }),
      'thumbnailer',
      { queue: { broker: 'rabbit', queue: 'thumbnail_tasks' } },
    );
    let error: unknown;
    try {
      new AgentFleet(Testing.app(), 'fleet-demo', { environment });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const { scope, problems } = error as ValidationError;
    expect(scope).toBe('fleet-demo');
    expect(problems).toEqual(
      expect.arrayContaining([
        {
          path: ['deployments', 'thumbnailer@dc1', 'queue', 'broker'],
          message: "'rabbit' is not a broker of the environment (declared: rabbitmq)",
          reference: true,
        },
        {
          path: ['deployments', 'stray@edge', 'site'],
          message: "'edge' is not a site of the environment (declared: dc1)",
        },
      ]),
    );
    expect((error as Error).message).toContain(
      "  - 'deployments.thumbnailer@dc1.queue.broker': 'rabbit' is not a broker of the environment (declared: rabbitmq)",
    );
  });

  it('adds a site in code and places agents on it', () => {
    const edge = { ...SITE, name: 'edge', nodePools: [SITE.nodePools[0]] };
    const environment = withDeployments(withSites(declared(), { sites: [edge] }), {
      site: 'edge',
      agent: agent({
        name: 'reporting',
        scaling: { minReplicas: 1, maxReplicas: 2, cpu: { targetUtilization: 70 } },
      }),
    });
    const app = Testing.app();
    const fleet = new AgentFleet(app, 'fleet-demo', { environment });
    expect(fleet.summary.stacks).toEqual([
      'demo-dc1-platform',
      'demo-dc1-agents',
      'demo-edge-platform',
      'demo-edge-agents',
    ]);
  });
});

describe('AgentFleet scope', () => {
  it('is refused anywhere but directly in an App', () => {
    const app = Testing.app();
    const group = new Construct(app, 'group');
    expect(() => new AgentFleet(group, 'fleet-demo', { environment: declared() })).toThrow(
      "AgentFleet 'fleet-demo' must be added to the App itself, not under 'group'",
    );
  });
});

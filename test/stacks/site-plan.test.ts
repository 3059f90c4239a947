import { spawnSync } from 'child_process';
import * as path from 'path';
import { App, TerraformStack, Testing } from 'cdktf';
import { applyBackend } from '../../constructs/terraform';
import { FleetEnvironment, planSite, resolveAgent } from '../../model';
import { AgentFleet } from '../../stacks/agent-fleet';
import { AgentsStack } from '../../stacks/agents-stack';
import { PlatformStack } from '../../stacks/platform-stack';
import { BROKER, consumer, SITE } from '../support/fixtures';
import { parseSynthesized } from '../support/synthesized';

const ROOT = path.resolve(__dirname, '../..');

/** An environment of one site the user runs, with an S3 backend without a key prefix. */
function environment(name: string): FleetEnvironment {
  return {
    name,
    backend: { s3: { bucket: 'fleet-state', region: 'eu-west-1', kmsKeyId: 'alias/fleet-state' } },
    sites: [SITE],
    brokers: [BROKER],
    deployments: [{ site: SITE.name, agent: consumer() }],
  };
}

/** The S3 state key of each stack of an app. */
function stateKeys(app: App): Record<string, string> {
  return Object.fromEntries(
    app.node.children
      .filter(TerraformStack.isStack)
      .map((stack) => [
        stack.node.id,
        parseSynthesized(Testing.synth(stack)).terraform.backend.s3.key as string,
      ]),
  );
}

describe('the environment name is a prop, never read back from a stack id', () => {
  it("keeps an environment named 'pre-prod' under pre-prod/, not pre/", () => {
    const app = Testing.app();
    new AgentFleet(app, 'pre-prod', { environment: environment('pre-prod') });
    expect(stateKeys(app)).toEqual({
      'pre-prod-dc1-platform': 'pre-prod/pre-prod-dc1-platform.tfstate',
      'pre-prod-dc1-agents': 'pre-prod/pre-prod-dc1-agents.tfstate',
    });
  });

  it('refuses a shared backend whose state would have no folder: no keyPrefix and no environment', () => {
    const stack = new TerraformStack(Testing.app(), 'pre-prod-dc1-agents');
    expect(() =>
      applyBackend(stack, 'pre-prod-dc1-agents', {
        s3: { bucket: 'fleet-state', region: 'eu-west-1', kmsKeyId: 'alias/fleet-state' },
      }),
    ).toThrow(
      "the state of stack 'pre-prod-dc1-agents' needs a folder in its backend: give the backend a keyPrefix or the stack its environment",
    );
  });

  it('scopes Vault paths by the plan’s environment, whatever the stack id', () => {
    const certificate =
      '-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJAKHB\n-----END CERTIFICATE-----\n';
    const site = {
      ...SITE,
      vault: {
        address: 'https://vault.example.com:8200',
        cidrs: ['10.0.0.0/24'],
        caCertificate: certificate,
        kubernetesHost: 'https://10.0.0.1:6443',
        kubernetesCaCertificate: certificate,
      },
    };
    const plan = planSite({
      environment: 'pre-prod',
      site,
      brokers: [BROKER],
      agents: [consumer()],
    });
    const json = Testing.synth(new PlatformStack(Testing.app(), 'any-id', { plan }));
    expect(json).toContain('auth/kubernetes/pre-prod-dc1');
    expect(json).not.toContain('auth/kubernetes/any');
  });
});

describe('one hand-off per site', () => {
  it('gives the platform and agents stacks of a site one plan, whose agents the constructs use as they are', () => {
    const plan = planSite({
      environment: 'test',
      site: SITE,
      brokers: [BROKER],
      agents: [consumer()],
    });
    const stack = new AgentsStack(Testing.app(), 'test-dc1-agents', { plan });
    expect(stack.agents.get('image-processing')?.resolved).toBe(plan.agents[0]);
  });

  it('keeps only the brokers reachable on the site: used by its agents or run in its cluster', () => {
    const elsewhere = { ...BROKER, name: 'elsewhere', inCluster: { site: 'dc2' } };
    const plan = planSite({
      environment: 'test',
      site: SITE,
      brokers: [BROKER, elsewhere],
      agents: [consumer()],
    });
    expect(plan.brokers.map((broker) => broker.name)).toEqual(['rabbitmq']);
    expect(plan.agentNamespaces).toEqual(['image-processing']);
    expect(plan.priorityTiers).toEqual(['standard']);
  });

  it("derives each in-cluster broker's topology once, in the plan, for the loader and the platform stack alike", () => {
    const found = spawnSync('git', ['grep', '-l', 'brokerTopology(', '--', '*.ts', ':!test'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(found.stdout.trim().split('\n').sort()).toEqual([
      'model/rabbitmq-topology.ts',
      'model/site-plan.ts',
    ]);
    const plan = planSite({
      environment: 'test',
      site: SITE,
      brokers: [BROKER],
      agents: [consumer()],
    });
    expect(plan.rabbitMq.map((planned) => planned.topology.queues.map((q) => q.name))).toEqual([
      ['image_processing_tasks'],
    ]);
  });

  it('resolves each agent once: the stacks and constructs take resolved agents, and every other reader shares the resolution', () => {
    const found = spawnSync('git', ['grep', '-l', 'resolveAgent(', '--', 'stacks', 'constructs'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(found.stdout).toBe('');
    expect(found.status).toBe(1);
    const spec = consumer();
    const plan = planSite({ environment: 'test', site: SITE, brokers: [BROKER], agents: [spec] });
    expect(resolveAgent(spec)).toBe(plan.agents[0]);
  });
});

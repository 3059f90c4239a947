import { Testing } from 'cdktf';
import { credentialRotations, fleetReport, FleetReport } from '../../app/fleet-report';
import { loadFleet } from '../../config';
import { AgentFleet, stackIds } from '../../stacks/agent-fleet';
import { editedProject } from '../support/edited-examples';
import { Synthesized, synthesizedChild, resourcesById, resourceOf } from '../support/synthesized';

/** The local example's platform stack and fleet report, after an edit of `environments/local.yaml`. */
function synthesizeLocal(edit?: (text: string) => string): {
  platform: Synthesized;
  report: FleetReport;
} {
  const rootDir = editedProject(edit ? { 'environments/local.yaml': edit } : {});
  const loaded = loadFleet({ rootDir, environments: ['local'] });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  const [environment] = loaded.environments;
  const app = Testing.app();
  const { summary } = new AgentFleet(app, environment.name, { environment });
  return {
    platform: synthesizedChild(app, stackIds('local', 'dev').platform),
    report: fleetReport(environment, summary),
  };
}

const moveToMedia = (text: string) =>
  text.replace(/( {2}metadata-extraction:\n)/, '$1    isolation: { namespace: media }\n');

/** The revisions a broker's credentials are written and imported with. */
function credentialRevisions(platform: Synthesized) {
  const secret = (id: string) => resourceOf(platform, 'kubernetes_secret_v1', id);
  const statefulSet = resourceOf(platform, 'kubernetes_stateful_set_v1', 'Broker-rabbitmq');
  return {
    users: secret('Broker-rabbitmq_Users').data_wo_revision as number,
    annotation: Number(
      statefulSet.spec.template.metadata.annotations['agent-fleet.dev/credentials'],
    ),
    keda: secret('KedaCredentials-rabbitmq').data_wo_revision as number,
    agent: secret('AgentCredentials-rabbitmq-metadata-extraction'),
    copies: Object.entries(resourcesById(platform, 'kubernetes_secret_v1'))
      .filter(([name]) => /Credentials-rabbitmq/.test(name))
      .map(([, secret]) => secret.data_wo_revision as number),
  };
}

describe('moving an agent to another namespace', () => {
  const before = synthesizeLocal();
  const after = synthesizeLocal(moveToMedia);
  const was = credentialRevisions(before.platform);
  const is = credentialRevisions(after.platform);

  it('replaces the agent credentials Secret: a new namespace, so a new password', () => {
    expect(was.agent.metadata.namespace).toContain('Namespace-metadata-extraction');
    expect(is.agent.metadata.namespace).toContain('Namespace-media');
  });

  it("changes the broker's users revision in the same apply, on every copy and the nodes", () => {
    expect(is.users).not.toBe(was.users);
    for (const revisions of [was, is]) {
      expect(revisions.annotation).toBe(revisions.users);
      expect(revisions.keda).toBe(revisions.users);
      expect(revisions.agent.data_wo_revision).toBe(revisions.users);
      expect(revisions.copies.length).toBeGreaterThan(3);
      expect(new Set(revisions.copies)).toEqual(new Set([revisions.users]));
    }
  });

  it('records in fleet.json which broker re-imports its users and why', () => {
    const credentials = (report: FleetReport) =>
      report.brokers.find((broker) => broker.name === 'rabbitmq')?.credentials;
    expect(credentials(before.report)?.revision).toBe(was.users);
    expect(credentials(after.report)?.revision).toBe(is.users);
    expect(credentials(after.report)?.usersSecret).toBe(
      'Kubernetes Secret rabbitmq/rabbitmq-users',
    );
    expect(
      credentials(after.report)?.users.find((user) => user.name === 'metadata-extraction'),
    ).toEqual({
      name: 'metadata-extraction',
      tags: [],
      permissions: ['/: configure ^$, write ^$, read ^(metadata_extraction_tasks)$'],
      copies: ['Kubernetes Secret media/metadata-extraction-rabbitmq-credentials'],
    });
    expect(credentialRotations(before.report, after.report)).toEqual([
      "broker 'rabbitmq' (site dev) writes every password anew and restarts its nodes to import them: metadata-extraction's password moves from Kubernetes Secret metadata-extraction/metadata-extraction-rabbitmq-credentials to Kubernetes Secret media/metadata-extraction-rabbitmq-credentials",
    ]);
    expect(credentialRotations(before.report, before.report)).toEqual([]);
  });

  it('leaves every password alone when nothing that identifies a copy changes', () => {
    const reordered = synthesizeLocal((text) =>
      text.replace(
        /( {2}reporting:\n)/,
        '$1    description: Read-heavy, bursty reports; no office-hours floor here.\n',
      ),
    );
    expect(credentialRevisions(reordered.platform).users).toBe(was.users);
  });
});

describe("what a broker's nodes start from, in fleet.json", () => {
  const { platform, report } = synthesizeLocal();
  const template = resourceOf(platform, 'kubernetes_stateful_set_v1', 'Broker-rabbitmq').spec
    .template;
  const { annotations } = template.metadata;
  const [container] = template.spec.container;
  const pools =
    template.spec.affinity.node_affinity.required_during_scheduling_ignored_during_execution
      .node_selector_term[0].match_expressions[0].values;

  it('records the revisions the pod template carries, the image, requests and pools', () => {
    const nodes = report.brokers.find((broker) => broker.name === 'rabbitmq')?.nodes;
    expect(nodes).toEqual({
      image: container.image,
      cpu: container.resources.requests.cpu,
      memory: container.resources.requests.memory,
      pools,
      configRevision: Number(annotations['agent-fleet.dev/config']),
      definitionsRevision: Number(annotations['agent-fleet.dev/definitions']),
    });
  });

  it('records no nodes for a broker the fleet does not run', () => {
    const external = report.brokers.filter((broker) => !broker.credentials);
    for (const broker of external) expect(broker.nodes).toBeUndefined();
  });
});

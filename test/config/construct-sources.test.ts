import * as path from 'path';
import { loadFleet } from '../../config';
import { formatPlacedFinding, formatValidationError } from '../../config/synth-problems';
import { ValidationError } from '../../model';

const loaded = loadFleet({ rootDir: path.resolve(__dirname, '../..') });
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const { sources } = loaded;

describe('the file and line a construct comes from', () => {
  it("places an agent's field at the line that set it, and its resources at its placement on the site", () => {
    expect(sources.locate('staging-eu-agents/image-processing', ['queue', 'queue'])).toEqual({
      file: 'fleet/agent-types.yaml',
      line: 35,
      column: 7,
      field: 'agentTypes.image-processing.queue.queue',
      exact: true,
    });
    expect(sources.locate('staging-eu-agents/image-processing/Deployment/Resource')).toMatchObject({
      file: 'environments/staging.yaml',
      line: 56,
      field: 'agents.image-processing.sites.eu',
    });
  });

  it("places a group's agents stack at its site, and the bound's problem at the group's last agent", () => {
    expect(sources.locate('staging-eu-agents-team-a/image-processing/Deployment/Resource')).toEqual(
      sources.locate('staging-eu-agents/image-processing/Deployment/Resource'),
    );
    expect(
      sources.locate('staging-eu-agents-team-a', ['agents', 'image-processing', 'stack', 'group']),
    ).toMatchObject({
      file: 'environments/staging.yaml',
      field: 'agents.image-processing.sites.eu',
    });
    expect(sources.locate('staging-nowhere-agents-team-a/x')).toBeUndefined();
  });

  it('places node groups at their pool, brokers at their entry and the rest at the site', () => {
    expect(sources.locate('staging-eu-infra/NodeGroup-general/Resource')).toMatchObject({
      file: 'environments/staging.yaml',
      line: 27,
      field: 'sites.eu.nodePools.general',
    });
    expect(sources.locate('staging-eu-platform/Broker-rabbitmq/NetworkPolicy')).toMatchObject({
      file: 'environments/staging.yaml',
      line: 48,
      field: 'brokers.rabbitmq',
    });
    expect(sources.locate('staging-eu-infra/Cluster/Resource')).toMatchObject({
      file: 'environments/staging.yaml',
      line: 15,
      field: 'sites.eu',
    });
    expect(sources.locate('staging-eu-infra', ['site', 'cluster', 'version'])).toMatchObject({
      line: 23,
      field: 'sites.eu.cluster.version',
    });
    // Broker `dc-rabbitmq`, not `rabbitmq`, which is declared first.
    expect(sources.locate('prod-nebraska-platform/Broker-dc-rabbitmq/Config')).toMatchObject({
      file: 'environments/prod.yaml',
      field: 'brokers.dc-rabbitmq',
    });
    expect(sources.locate('elsewhere-agents/x')).toBeUndefined();
  });
});

describe('problems found at synth, with file and line', () => {
  it("reports a construct's problem at the value that caused it, and the construct's field where the file has none", () => {
    const error = new ValidationError('staging-eu-agents/image-processing', [
      {
        path: ['queue', 'consumer', 'prefetch'],
        message: '(0) must be a whole number from 1 to 10000',
      },
    ]);
    expect(formatValidationError(error, sources)).toEqual([
      'fleet/agent-types.yaml:38:19 agentTypes.image-processing.queue.consumer.prefetch: (0) must be a whole number from 1 to 10000',
    ]);
    const cluster = new ValidationError('staging-eu-infra/Cluster', [
      { path: ['subnetIds'], message: '1 subnet(s) given' },
    ]);
    expect(formatValidationError(cluster, sources)).toEqual([
      "environments/staging.yaml:15:3 sites.eu: 1 subnet(s) given ('subnetIds' of staging-eu-infra/Cluster)",
    ]);
  });

  it('reports a guardrail finding at the placement its resource was built from', () => {
    const line = formatPlacedFinding(
      {
        rule: 'GR-WL-01',
        level: 'error',
        path: 'staging-eu-agents/gpu-inference/Deployment/Resource',
        message: 'set resource limits (none)',
      },
      sources,
    );
    expect(line).toMatch(
      /^environments\/staging\.yaml:\d+:7 agents\.gpu-inference\.sites\.eu: \[GR-WL-01\] error: set resource limits \(none\) \(staging-eu-agents\/gpu-inference\/Deployment\/Resource\)$/,
    );
  });
});

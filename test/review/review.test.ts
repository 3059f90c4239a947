import * as fs from 'fs';
import * as path from 'path';
import { FleetDocument } from '../../app/fleet-report';
import { loadPrices } from '../../review/cost';
import { renderReview } from '../../review/markdown';
import { runReview } from '../../review/review';
import { tempDir } from '../support/temp-dir';
import { REPO, section, synthesize } from './support';

// One synth of every example environment for the whole file.
const synthDir = synthesize(REPO);
const outDir = tempDir('fleet-review-out');
const files = runReview({ synth: synthDir, out: outDir });
const read = (environment: string) =>
  fs.readFileSync(path.join(outDir, `${environment}.md`), 'utf8');
const fleet = JSON.parse(
  fs.readFileSync(path.join(synthDir, 'fleet.json'), 'utf8'),
) as FleetDocument;

describe('fleet.json', () => {
  it('describes every example environment', () => {
    expect(Object.keys(fleet.environments).sort()).toEqual(['local', 'prod', 'staging']);
  });

  it('gives each agent its placement, bounds, signal, queue and state store', () => {
    const agents = fleet.environments.prod.agents;
    const at = (agent: string, site: string) =>
      agents.find((a) => a.agent === agent && a.site === site);
    expect(at('chimera-data-ingest', 'nebraska')).toMatchObject({
      minReplicas: 1,
      maxReplicas: 10,
      autoscaler: 'keda',
      signals: ['prometheus > 1000 for 5m'],
      prometheusQuery: 'sum(chimera_pending_messages_total)',
      placement: { kind: 'pools', pools: ['general'] },
    });
    expect(at('chimera-data-ingest', 'us-east')).toMatchObject({
      placement: { kind: 'scaling-group', group: 'ec2', instanceType: 'c7i.large' },
      source: { kind: 'queue', broker: 'telemetry', deadLetter: 'chimera-telemetry-dlq' },
    });
    expect(at('inventory-update', 'us-east')?.stateStore).toBe(
      'DynamoDB table prod-us-east-inventory-update',
    );
    expect(at('inventory-update', 'eu-west')?.stateStore).toBe(
      'Cosmos DB container fleet/inventory-update',
    );
    expect(at('inventory-update', 'nebraska')?.stateStore).toBe(
      'CockroachDB database inventory_update',
    );
    expect(at('order-tracking', 'nebraska')?.stateStore).toBe('MongoDB database order-tracking');
    expect(at('order-tracking', 'us-east')?.stateStore).toBe(
      "Amazon DocumentDB database order-tracking of the site's cluster",
    );
    expect(at('sensor-history', 'us-east')?.stateStore).toBe(
      'Amazon Keyspaces keyspace prod_us_east_sensor_history',
    );
    expect(at('sensor-history', 'nebraska')?.stateStore).toBe('Cassandra keyspace sensor_history');
    expect(at('ledger', 'us-east')?.stateStore).toBe(
      "Aurora DSQL schema ledger of the site's cluster",
    );
    expect(at('ledger', 'nebraska')?.stateStore).toBe('YugabyteDB database ledger, schema ledger');
    expect(at('sensor-ingest', 'us-east')).toMatchObject({
      signals: ['consumer lag 1000/replica'],
      source: { kind: 'topic', name: 'sensor-readings', deadLetter: 'sensor-readings.dlq' },
    });
    expect(at('gpu-inference', 'us-east')?.placement).toEqual({
      kind: 'pools',
      pools: ['gpu'],
      gpu: 1,
      spot: 'never',
    });
  });

  it('lists the add-ons each site runs', () => {
    const site = (name: string) => fleet.environments.prod.sites.find((s) => s.name === name);
    expect(site('nebraska')?.addOns).toEqual(
      expect.arrayContaining([
        'KEDA',
        'CockroachDB',
        "Strimzi (Kafka 'dc-events')",
        'Consul (datacenter nebraska, 3 server(s))',
        'Vault injector (https://vault.nebraska.example.com:8200)',
      ]),
    );
    expect(site('us-east')?.addOns).toContain('cluster autoscaler (cluster-autoscaler chart)');
    expect(site('us-east')?.nodePools.find((p) => p.name === 'spot')).toMatchObject({
      instanceTypes: ['c7i.2xlarge', 'c6i.2xlarge', 'c5.2xlarge'],
      minNodes: 0,
      maxNodes: 10,
      spot: true,
    });
  });
});

describe('the review of each environment', () => {
  it('writes one Markdown file per environment', () => {
    expect(files.map((file) => path.basename(file)).sort()).toEqual([
      'local.md',
      'prod.md',
      'staging.md',
    ]);
    expect(read('prod')).toMatch(/^# Fleet plan review: `prod`\n/);
  });

  it('has no change section without a base', () => {
    expect(read('prod')).not.toContain('## What changes');
  });

  it('shows each agent per site with placement, bounds, signal, queue, dead letter and store', () => {
    const table = section(read('prod'), '## Fleet');
    expect(table).toContain(
      '| `chimera-data-ingest` | nebraska | general | 1–10 | keda: prometheus > 1000 for 5m | — | — | stateless |',
    );
    expect(table).toContain(
      '| `chimera-data-ingest` | us-east | EC2 group c7i.large | 2–20 | asg: backlog 1000/instance | queue `chimera-telemetry` on telemetry | `chimera-telemetry-dlq` | stateless |',
    );
    expect(table).toContain(
      '| `image-processing` | us-east | general, memory, spot (spot allowed) | 2–10 | keda: queue depth 20/replica | queue `image_processing_tasks` on rabbitmq | `image_processing_tasks.dlq` | stateless |',
    );
    expect(table).toContain(
      '| `inventory-update` | nebraska | general | 2–6 | keda: queue depth 50/replica | queue `inventory_updates` on dc-rabbitmq | `inventory_updates.dlq` | CockroachDB database inventory_update |',
    );
    expect(table).toContain(
      '| `forecasting` | us-east | memory | 1 per run | cron-job: 0 2 * * * |',
    );
    expect(section(read('local'), '## Fleet')).toContain(
      '| `gpu-inference` | dev | gpu (1 GPU) | 1–1 | keda: queue depth 10/replica |',
    );
  });

  it('lists node pools, databases, add-ons and brokers per site', () => {
    const sites = section(read('prod'), '## Sites and brokers');
    expect(sites).toContain('### `us-east` (aws, us-east-1, EKS 1.35)');
    expect(sites).toContain('| gpu | g5.2xlarge | 0–4 | on-demand | 1× nvidia-a10g | amd64 |');
    expect(sites).toContain('| edge | own hardware | — | on-demand | — | arm64 |');
    expect(sites).toContain('Databases: CockroachDB, 3 node(s), 100Gi each.');
    expect(sites).toContain('cluster autoscaler (AKS built-in)');
    expect(sites).toContain(
      '| `dc-events` | Kafka | Kafka (Strimzi) in-cluster on nebraska, 3 node(s) |',
    );
    expect(section(read('staging'), '## Sites and brokers')).toContain(
      '| general | m7i.xlarge | 3–10 | on-demand | — | amd64 |',
    );
  });

  it('counts the guardrail findings of the synthesized output', () => {
    const guardrails = JSON.parse(fs.readFileSync(path.join(synthDir, 'guardrails.json'), 'utf8'));
    const open = guardrails.environments.prod.findings.filter((f: any) => !f.suppressedBecause);
    const count = (level: string) => open.filter((f: any) => f.level === level).length;
    expect(section(read('prod'), '## Guardrails')).toContain(
      `**${count('error')} error(s), ${count('warning')} warning(s)**`,
    );
  });

  it('prices each agent type and the environment, saying on-prem pools have no price', () => {
    const cost = section(read('prod'), '## Monthly cost of the agents');
    expect(cost).toContain('List prices recorded on ');
    expect(cost).toContain('On-prem and edge pools have no price.');
    // 1 to 4 whole g5.2xlarge nodes ($1.212/h) plus 1 to 4 Standard_NC4as_T4_v3 ($0.59/h).
    expect(cost).toMatch(/^\| `gpu-inference` \| \$1,315\.46 \| \$5,261\.84 \|/m);
    expect(cost).toContain('nebraska: on-prem/edge pool, no price');
    expect(cost).toMatch(/^\| \*\*total\*\* \| \*\*\$[\d,.]+\*\* \| \*\*\$[\d,.]+\*\* \|/m);
  });

  it('draws the topology as a Mermaid flowchart per site with its pools, brokers and agents', () => {
    const topology = section(read('prod'), '## Topology');
    expect(topology.match(/^### .*$/gm)).toEqual(
      fleet.environments.prod.sites.map((site) => `### \`${site.name}\``),
    );
    const diagram =
      /```mermaid\n([\s\S]*?)\n```/.exec(section(topology, '### `us-east`'))?.[1] ?? '';
    expect(diagram.split('\n')[0]).toBe('flowchart LR');
    expect(diagram).toContain('subgraph site__us_east["us-east (aws us-east-1)"]');
    expect(diagram).toContain(
      'pool__us_east__gpu[("pool gpu · g5.2xlarge · 0–4 nodes · 1× nvidia-a10g")]',
    );
    expect(diagram).toContain('broker__events{{"MSK events"}}');
    expect(diagram).toContain('agent__us_east__gpu_inference --> pool__us_east__gpu');
    expect(diagram).toContain(
      'agent__us_east__sensor_ingest -- "topic sensor-readings" --> broker__events',
    );
    expect(diagram).toContain('agent__us_east__dispatcher -. publishes .-> broker__rabbitmq');
    expect(diagram).toContain(
      'agent__us_east__chimera_data_ingest --> group__us_east__chimera_data_ingest',
    );
    // Every subgraph is closed.
    expect(diagram.match(/^\s*subgraph /gm)?.length).toBe(diagram.match(/^\s*end$/gm)?.length);
  });
});

describe('guardrail findings and suppressions', () => {
  const markdown = renderReview({
    environment: 'prod',
    fleet: fleet.environments.prod,
    prices: loadPrices(),
    guardrails: {
      findings: [
        {
          rule: 'GR-ENC-05',
          level: 'error',
          stack: 'prod-us-east-infra',
          path: 'prod-us-east-infra/Agents/Queue/Resource',
          address: 'aws_sqs_queue.q',
          message: 'Encrypt the queue with KMS (no kms_master_key_id)',
        },
        {
          rule: 'GR-AS-02',
          level: 'warning',
          stack: 'prod-nebraska-agents',
          path: 'prod-nebraska-agents/Kafka/dc-events',
          address: 'kubernetes_manifest.k',
          message: 'One autoscaler | per workload',
          suppressedBecause: 'the operator owns this object and scales it itself',
        },
      ],
      unusedSuppressions: [
        {
          rule: 'GR-NET-01',
          resource: 'prod-us-east-infra/Cluster',
          reason: 'a stale exception for the old cluster',
        },
      ],
    },
  });
  const guardrails = section(markdown, '## Guardrails');

  it('counts open errors and warnings, then lists each finding', () => {
    expect(guardrails).toContain(
      '**1 error(s), 0 warning(s)**, 1 suppressed, 1 unused suppression(s).',
    );
    expect(guardrails).toContain(
      '| GR-ENC-05 | error | `prod-us-east-infra/Agents/Queue/Resource` | Encrypt the queue with KMS (no kms_master_key_id) |',
    );
  });

  it('lists suppressions with their reasons, escaping table cells', () => {
    expect(guardrails).toContain(
      '| GR-AS-02 | warning | `prod-nebraska-agents/Kafka/dc-events` | One autoscaler \\| per workload | the operator owns this object and scales it itself |',
    );
  });

  it('lists unused suppressions', () => {
    expect(guardrails).toContain('### Unused suppressions');
    expect(guardrails).toContain(
      '| GR-NET-01 | `prod-us-east-infra/Cluster` | a stale exception for the old cluster |',
    );
  });
});

import { GUARDRAIL_RULES } from '../../guardrails';
import { exampleFindings } from '../support/guardrail-findings';

describe('the example environments', () => {
  const findings = exampleFindings(GUARDRAIL_RULES);

  it('raise exactly these warnings and suppressed findings', () => {
    const rows = findings
      .map((f) => [f.rule, f.level, f.path, f.suppressedBecause ? 'suppressed' : 'open'])
      .sort((a, b) => a.join().localeCompare(b.join()));
    expect(rows).toEqual([
      ['GR-AS-03', 'warning', 'local-dev-agents/dispatcher/Autoscaler/Resource', 'open'],
      ['GR-AS-03', 'warning', 'local-dev-agents/gpu-inference/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'local-dev-agents/inventory-update/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'local-dev-agents/metadata-extraction/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'local-dev-agents/order-tracking/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'local-dev-agents/reporting/Autoscaler/Resource', 'open'],
      ['GR-AS-03', 'warning', 'local-dev-agents/sensor-ingest/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'prod-eu-west-agents/gpu-inference/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'prod-nebraska-agents/chimera-data-ingest/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'prod-us-east-agents/gpu-inference/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'prod-us-east-agents/metadata-extraction/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'prod-us-east-agents/reporting/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'staging-eu-agents/gpu-inference/Autoscaler', 'open'],
      ['GR-AS-03', 'warning', 'staging-eu-agents/metadata-extraction/Autoscaler', 'open'],
      ['GR-DUR-08', 'warning', 'local-dev-platform/Services/Database/Resource', 'suppressed'],
      ['GR-DUR-12', 'warning', 'local-dev-agents/MongoDb/ReplicaSet/Resource', 'suppressed'],
      ['GR-DUR-13', 'warning', 'local-dev-agents/MongoDb/ReplicaSet/Resource', 'suppressed'],
      ['GR-DUR-13', 'warning', 'prod-nebraska-agents/Cassandra/Datacenter/Resource', 'suppressed'],
      ['GR-DUR-13', 'warning', 'prod-nebraska-agents/MongoDb/ReplicaSet/Resource', 'suppressed'],
      ['GR-ENC-10', 'warning', 'prod-eu-west-infra/Brokers/State/Account/Resource', 'suppressed'],
      ['GR-ENC-12', 'warning', 'local-dev-agents/Kafka/events/Resource', 'suppressed'],
      ['GR-ENC-12', 'warning', 'prod-nebraska-agents/Kafka/dc-events/Resource', 'suppressed'],
      ['GR-ST-07', 'warning', 'local-dev-agents/backend', 'suppressed'],
      ['GR-ST-07', 'warning', 'local-dev-platform/backend', 'suppressed'],
    ]);
  });

  it('have no error-level finding that is not suppressed in writing', () => {
    expect(
      findings
        .filter((f) => f.level === 'error' && !f.suppressedBecause)
        .map((f) => `${f.rule} ${f.path}`),
    ).toEqual([]);
  });
});

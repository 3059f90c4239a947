import { parse } from 'yaml';
import {
  AlertingRule,
  alertingRules,
  backlogThreshold,
  MonitoredAgent,
  promQlString,
  recordingRules,
  toRuleFile,
} from '../../generators/monitoring';
import {
  agents,
  brokers,
  chimera,
  dispatcher,
  forecasting,
  gpuInference,
  imageProcessing,
  inventoryUpdate,
  reporting,
  thumbnail,
} from './fixtures';

function alertsOf(agent: MonitoredAgent): AlertingRule[] {
  const group = alertingRules(brokers, [agent]).groups.find(
    (g) => g.name === `agent-fleet-alerts.${agent.name}`,
  );
  return group ? [...group.rules] : [];
}

function alert(agent: MonitoredAgent, name: string): AlertingRule {
  const found = alertsOf(agent).find((rule) => rule.alert === name);
  if (!found) throw new Error(`${agent.name} has no ${name}`);
  return found;
}

describe('which alerts each kind of agent gets', () => {
  test.each([
    [
      'a queue KEDA agent: all three',
      imageProcessing,
      ['AgentBacklogGrowing', 'AgentAtMaxReplicas', 'AgentScalingSourceFailing'],
    ],
    ['an HPA agent without a queue: at max replicas only', reporting, ['AgentAtMaxReplicas']],
    [
      'an HPA agent with a queue: backlog and max replicas',
      inventoryUpdate,
      ['AgentBacklogGrowing', 'AgentAtMaxReplicas'],
    ],
    [
      'a KEDA ScaledJob: backlog and scaling source, no HPA',
      thumbnail,
      ['AgentBacklogGrowing', 'AgentScalingSourceFailing'],
    ],
    [
      'KEDA with min == max: no max-replicas alert',
      gpuInference,
      ['AgentBacklogGrowing', 'AgentScalingSourceFailing'],
    ],
    [
      'a queue on a broker that is not scraped: no backlog alert',
      chimera,
      ['AgentAtMaxReplicas', 'AgentScalingSourceFailing'],
    ],
    ['a fixed agent without a queue: none', dispatcher, []],
    ['a cron job, even with a queue: none', forecasting, []],
  ])('%s', (_title, agent, expected) => {
    expect(alertsOf(agent).map((rule) => rule.alert)).toEqual(expected);
  });

  test('an agent with no alert gets no empty group', () => {
    const names = alertingRules(brokers, [forecasting, dispatcher]).groups.map((g) => g.name);
    expect(names).toEqual(['agent-fleet-alerts.brokers']);
  });

  test('one BrokerDown per broker, critical, labelled with the broker and its namespace', () => {
    const group = alertingRules(brokers, []).groups.find(
      (g) => g.name === 'agent-fleet-alerts.brokers',
    );
    expect(group?.rules.map((r) => [r.alert, r.labels])).toEqual([
      ['BrokerDown', { severity: 'critical', broker: 'main', namespace: 'rabbitmq' }],
      ['BrokerDown', { severity: 'critical', broker: 'spare', namespace: 'rabbitmq-spare' }],
    ]);
    expect(group?.rules[0].expr).toBe(
      'up{job="rabbitmq-main-node"} == 0\nor\nabsent(up{job="rabbitmq-main-node"})',
    );
    expect(group?.rules[0].for).toBe('2m');
  });

  test('every agent alert is labelled severity, agent, namespace and says what to do', () => {
    for (const agent of agents) {
      for (const rule of alertsOf(agent)) {
        expect(rule.labels).toEqual({
          severity: expect.stringMatching(/^(warning|critical)$/),
          agent: agent.name,
          namespace: agent.namespace,
        });
        expect(rule.annotations.summary).toContain(agent.name);
        expect(rule.annotations.description).toMatch(/Check /);
      }
    }
  });

  test('templates only reference labels: no queue or vhost name is ever parsed as a template', () => {
    const rules = alertingRules(brokers, agents).groups.flatMap((g) => g.rules);
    for (const rule of rules) {
      const text = [...Object.values(rule.labels), ...Object.values(rule.annotations)].join('\n');
      for (const action of text.match(/\{\{.*?\}\}/g) ?? []) {
        expect(action).toMatch(/^\{\{ \$labels\.[a-z_]+ \}\}$/);
      }
      expect(text).not.toContain('quoted');
    }
  });
});

describe('AgentBacklogGrowing', () => {
  test('depth above perReplica × maxReplicas and still growing, for 15 minutes', () => {
    const rule = alert(imageProcessing, 'AgentBacklogGrowing');
    const depth =
      'rabbitmq_detailed_queue_messages{broker="main", vhost="/", queue="image_processing_tasks"}';
    expect(rule.expr).toBe(
      `max by (broker, vhost, queue) (deriv(${depth}[10m])) > 0\n` +
        `and\n` +
        `max by (broker, vhost, queue) (${depth}) > 200`,
    );
    expect(rule.for).toBe('15m');
    expect(rule.labels.severity).toBe('warning');
  });

  test('without a per-replica target the floor applies', () => {
    expect(backlogThreshold(imageProcessing)).toBe(200);
    expect(backlogThreshold(inventoryUpdate)).toBe(100);
    expect(alert(inventoryUpdate, 'AgentBacklogGrowing').expr).toMatch(/\) > 100$/);
  });

  test('vhost and queue names are escaped inside the PromQL string literals', () => {
    const rule = alert(thumbnail, 'AgentBacklogGrowing');
    expect(rule.expr).toContain('vhost="we\\"ird\\\\vhost", queue="tasks \\"quoted\\""');
  });
});

describe('AgentAtMaxReplicas', () => {
  test('reads the HPA KEDA manages, keda-hpa-<name>', () => {
    const rule = alert(imageProcessing, 'AgentAtMaxReplicas');
    const hpa =
      '{namespace="image-processing", horizontalpodautoscaler="keda-hpa-image-processing"}';
    expect(rule.expr).toBe(
      `max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_status_current_replicas${hpa})\n` +
        `>=\n` +
        `max by (namespace, horizontalpodautoscaler) (kube_horizontalpodautoscaler_spec_max_replicas${hpa})`,
    );
    expect(rule.for).toBe('15m');
  });

  test('reads the native HPA named after the agent', () => {
    expect(alert(reporting, 'AgentAtMaxReplicas').expr).toContain(
      'kube_horizontalpodautoscaler_spec_max_replicas{namespace="reporting", horizontalpodautoscaler="reporting"}',
    );
  });
});

describe('AgentScalingSourceFailing', () => {
  test('KEDA per-scaler errors of the ScaledObject, under either namespace label', () => {
    const rule = alert(imageProcessing, 'AgentScalingSourceFailing');
    expect(rule.expr).toContain(
      'increase(keda_scaler_detail_errors_total{namespace="image-processing", scaledObject="image-processing", type="scaledobject"}[5m])',
    );
    expect(rule.expr).toContain(
      'or increase(keda_scaler_detail_errors_total{exported_namespace="image-processing", scaledObject="image-processing", type="scaledobject"}[5m])',
    );
    expect(rule.expr).toMatch(/^sum by \(scaler\) \(/);
    expect(rule.expr).toMatch(/\) > 0$/);
    expect(rule.for).toBe('5m');
    expect(rule.labels.severity).toBe('warning');
  });

  test('a ScaledJob, which has no fallback, is critical', () => {
    const rule = alert(thumbnail, 'AgentScalingSourceFailing');
    expect(rule.expr).toContain('scaledObject="thumbnail", type="scaledjob"');
    expect(rule.labels.severity).toBe('critical');
    expect(rule.annotations.description).toContain('no fallback');
  });
});

describe('recording rules', () => {
  const groups = recordingRules(agents).groups;

  test('one group per queue agent', () => {
    expect(groups.map((g) => g.name)).toEqual([
      'agent-fleet-records.image-processing',
      'agent-fleet-records.metadata-extraction',
      'agent-fleet-records.inventory-update',
      'agent-fleet-records.forecasting',
      'agent-fleet-records.thumbnail',
      'agent-fleet-records.gpu-inference',
      'agent-fleet-records.chimera-data-ingest',
    ]);
  });

  test('named level:metric:operations, labelled with the agent', () => {
    const rules = groups[0].rules;
    expect(rules.map((r) => r.record)).toEqual([
      'agent:rabbitmq_detailed_queue_messages:max',
      'agent:rabbitmq_detailed_queue_messages_ready:max',
      'agent:rabbitmq_detailed_queue_messages_unacked:max',
      'agent:rabbitmq_detailed_queue_consumers:max',
      'agent:queue_messages_per_replica:ratio',
    ]);
    for (const rule of rules) {
      expect(rule.record).toMatch(/^[a-z_]+:[a-z_]+:[a-z_]+$/);
      expect(rule.labels).toEqual({ agent: 'image-processing', namespace: 'image-processing' });
    }
  });

  test('depth per replica divides by the Deployment replicas that run, never by zero', () => {
    const perReplica = groups[0].rules[4];
    expect(perReplica.expr).toBe(
      'max by (broker, vhost, queue) (rabbitmq_detailed_queue_messages{broker="main", vhost="/", queue="image_processing_tasks"})\n' +
        '/ on () group_left ()\n' +
        '(max by (namespace, deployment) (kube_deployment_status_replicas{namespace="image-processing", deployment="image-processing"}) > 0)',
    );
  });

  test('Job agents get no per-replica ratio', () => {
    for (const name of ['forecasting', 'thumbnail']) {
      const group = groups.find((g) => g.name === `agent-fleet-records.${name}`);
      expect(group?.rules.map((r) => r.record)).not.toContain(
        'agent:queue_messages_per_replica:ratio',
      );
    }
  });
});

describe('rule files', () => {
  test('YAML that reads back as the same groups', () => {
    const file = alertingRules(brokers, agents);
    expect(parse(toRuleFile(file))).toEqual(JSON.parse(JSON.stringify(file)));
  });
});

describe('promQlString', () => {
  test.each([
    ['/', '"/"'],
    ['a"b', '"a\\"b"'],
    ['back\\slash', '"back\\\\slash"'],
    ['line\nbreak\ttab', '"line\\x0abreak\\x09tab"'],
    ['ünïcödé ✓', '"ünïcödé ✓"'],
  ])('%j → %s', (value, literal) => {
    expect(promQlString(value)).toBe(literal);
  });
});

describe('validation', () => {
  test('every problem at once, with its path', () => {
    const bad: MonitoredAgent = {
      ...imageProcessing,
      name: 'Image_Processing',
      minReplicas: 5,
      maxReplicas: 3,
      queue: { broker: 'main', vhost: '', queue: 'q', perReplica: 0 },
    };
    expect(() => alertingRules(brokers, [bad, reporting, reporting])).toThrow(
      [
        'monitoring: 5 problem(s)',
        "  - 'agents[0].name': 'Image_Processing' must be a DNS label (lowercase letters, digits, '-'; at most 63)",
        "  - 'agents[0].minReplicas': (5) must be <= 'maxReplicas' (3)",
        "  - 'agents[0].queue.vhost': must not be empty",
        "  - 'agents[0].queue.perReplica': (0) must be a number > 0",
        "  - 'agents[2].name': 'reporting' is repeated",
      ].join('\n'),
    );
  });

  test('brokers whose jobs would collide', () => {
    expect(() =>
      alertingRules(
        [
          { name: 'main', namespace: 'a' },
          { name: 'main-node', namespace: 'b' },
        ],
        [],
      ),
    ).toThrow("'brokers': 'main-node' clashes with the node job of broker 'main'");
  });
});

import { agentDashboard, dashboardUid, GrafanaDashboard } from '../../generators/monitoring';
import { agents, dispatcher, forecasting, imageProcessing, reporting, thumbnail } from './fixtures';

const titles = (dashboard: GrafanaDashboard) => dashboard.panels.map((panel) => panel.title);
const exprs = (dashboard: GrafanaDashboard, title: string) =>
  dashboard.panels.find((panel) => panel.title === title)?.targets.map((t) => t.expr) ?? [];

describe('agentDashboard', () => {
  test('deterministic: the same agent gives the same JSON, with no clock or random values', () => {
    const first = JSON.stringify(agentDashboard(imageProcessing));
    expect(JSON.stringify(agentDashboard({ ...imageProcessing }))).toBe(first);
    expect(first).not.toMatch(/20\d\d-\d\d-\d\dT/);
  });

  test('identity: uid from the name, title, tags, schema version', () => {
    expect(agentDashboard(imageProcessing)).toMatchObject({
      id: null,
      uid: 'agent-fleet-image-processing',
      title: 'Agent fleet / image-processing',
      tags: ['agent-fleet', 'agent:image-processing'],
      schemaVersion: 39,
      version: 1,
    });
  });

  test('uids stay within 40 characters and apart for long names sharing a prefix', () => {
    const a = dashboardUid('a'.repeat(40) + '-one');
    const b = dashboardUid('a'.repeat(40) + '-two');
    expect(a.length).toBeLessThanOrEqual(40);
    expect(b.length).toBeLessThanOrEqual(40);
    expect(a).not.toBe(b);
    expect(dashboardUid('a'.repeat(40) + '-one')).toBe(a);
    expect(a).toMatch(/^[a-z0-9-]+$/);
  });

  test('a queue KEDA agent: queue, replicas, CPU, memory and KEDA errors', () => {
    expect(titles(agentDashboard(imageProcessing))).toEqual([
      'Queue image_processing_tasks',
      'Replicas',
      'CPU per pod',
      'Memory per pod',
      'KEDA scaler errors',
    ]);
  });

  test('an HPA agent without a queue: no queue or KEDA panel', () => {
    expect(titles(agentDashboard(reporting))).toEqual([
      'Replicas',
      'CPU per pod',
      'Memory per pod',
    ]);
  });

  test('job agents count running Jobs', () => {
    expect(titles(agentDashboard(forecasting))).toContain('Running Jobs');
    expect(exprs(agentDashboard(forecasting), 'Running Jobs')[0]).toContain(
      'kube_job_owner{namespace="forecasting", owner_kind="CronJob", owner_name="forecasting"}',
    );
    expect(exprs(agentDashboard(thumbnail), 'Running Jobs')[0]).toContain(
      'owner_kind="ScaledJob", owner_name="thumbnail"',
    );
  });

  test('queue depth: ready and unacknowledged of the agent queue', () => {
    const [ready, unacked, consumers] = exprs(
      agentDashboard(imageProcessing),
      'Queue image_processing_tasks',
    );
    const where = '{broker="main", vhost="/", queue="image_processing_tasks"}';
    expect(ready).toBe(
      `max by (broker, vhost, queue) (rabbitmq_detailed_queue_messages_ready${where})`,
    );
    expect(unacked).toBe(
      `max by (broker, vhost, queue) (rabbitmq_detailed_queue_messages_unacked${where})`,
    );
    expect(consumers).toContain(`rabbitmq_detailed_queue_consumers${where}`);
    expect(exprs(agentDashboard(thumbnail), 'Queue tasks "quoted"')[0]).toContain(
      'vhost="we\\"ird\\\\vhost", queue="tasks \\"quoted\\""',
    );
  });

  test('replicas: current, desired and bounds of the HPA KEDA manages', () => {
    const replicas = exprs(agentDashboard(imageProcessing), 'Replicas');
    expect(replicas).toHaveLength(4);
    for (const expr of replicas) {
      expect(expr).toContain('horizontalpodautoscaler="keda-hpa-image-processing"');
    }
    expect(replicas.map((e) => e.match(/kube_horizontalpodautoscaler_\w+/)?.[0])).toEqual([
      'kube_horizontalpodautoscaler_status_current_replicas',
      'kube_horizontalpodautoscaler_status_desired_replicas',
      'kube_horizontalpodautoscaler_spec_min_replicas',
      'kube_horizontalpodautoscaler_spec_max_replicas',
    ]);
    expect(exprs(agentDashboard(dispatcher), 'Replicas')).toEqual([
      'max by (namespace, deployment) (kube_deployment_status_replicas{namespace="dispatcher", deployment="dispatcher"})',
      'max by (namespace, deployment) (kube_deployment_spec_replicas{namespace="dispatcher", deployment="dispatcher"})',
      'vector(2)',
      'vector(2)',
    ]);
  });

  test('CPU and memory per pod against requests, on the agent pods only', () => {
    const pods = 'namespace="image-processing", pod=~"image-processing-[a-z0-9]+-[a-z0-9]+"';
    expect(exprs(agentDashboard(imageProcessing), 'CPU per pod')).toEqual([
      `sum by (pod) (rate(container_cpu_usage_seconds_total{${pods}, container!=""}[5m]))`,
      `sum by (pod) (kube_pod_container_resource_requests{${pods}, resource="cpu"})`,
    ]);
    expect(exprs(agentDashboard(imageProcessing), 'Memory per pod')).toEqual([
      `sum by (pod) (container_memory_working_set_bytes{${pods}, container!=""})`,
      `sum by (pod) (kube_pod_container_resource_requests{${pods}, resource="memory"})`,
    ]);
  });

  test('KEDA errors of the ScaledObject or ScaledJob', () => {
    expect(exprs(agentDashboard(imageProcessing), 'KEDA scaler errors')[0]).toContain(
      'rate(keda_scaler_detail_errors_total{namespace="image-processing", scaledObject="image-processing", type="scaledobject"}[5m])',
    );
    expect(exprs(agentDashboard(thumbnail), 'KEDA scaler errors')[0]).toContain('type="scaledjob"');
  });

  test('every query reads the datasource variable, which starts on kube-prometheus-stack’s', () => {
    for (const agent of agents) {
      const dashboard = agentDashboard(agent);
      expect(dashboard.templating.list).toEqual([
        expect.objectContaining({
          name: 'datasource',
          type: 'datasource',
          query: 'prometheus',
          current: { text: 'Prometheus', value: 'prometheus' },
        }),
      ]);
      for (const panel of dashboard.panels) {
        expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        for (const target of panel.targets) expect(target.datasource).toBe(panel.datasource);
      }
    }
  });

  test('panel ids are unique and panels do not overlap', () => {
    const panels = agentDashboard(imageProcessing).panels;
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = panels.flatMap(({ gridPos: g }) =>
      Array.from(
        { length: g.w * g.h },
        (_, i) => `${g.x + (i % g.w)},${g.y + Math.floor(i / g.w)}`,
      ),
    );
    expect(new Set(cells).size).toBe(cells.length);
    for (const { gridPos } of panels) expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
  });
});

import { planSignal, queriedMetric } from './scaling-plan';

describe('planSignal', () => {
  it('aims between the bounds, with a lower value the HPA holds one replica below', () => {
    expect(planSignal({ min: 2, max: 10, perReplica: 20 })).toEqual({
      value: 120,
      replicas: 6,
      withinTolerance: { value: 108, held: 5 },
    });
  });

  it('asks for twice the maximum when the bounds leave no room, so the count is clamped', () => {
    expect(planSignal({ min: 1, max: 2, perReplica: 100 })).toEqual({ value: 400, replicas: 2 });
    expect(planSignal({ min: 1, max: 1, perReplica: 10 })).toEqual({ value: 20, replicas: 1 });
  });

  it('skips values another queue of the broker holds', () => {
    expect(planSignal({ min: 2, max: 10, perReplica: 20 }, new Set([120])).value).toBe(119);
    expect(planSignal({ min: 1, max: 2, perReplica: 100 }, new Set([400])).value).toBe(401);
  });

  it('refuses bounds where every count below the aim would see it within the tolerance', () => {
    expect(() => planSignal({ min: 10, max: 30, perReplica: 5 })).toThrow(
      'no clear-cut value for 10..30 replicas at 5 per replica',
    );
  });
});

describe('queriedMetric', () => {
  it('finds the one metric a query selects', () => {
    expect(queriedMetric('sum(sensor_ingest_consumer_lag{namespace="sensor-ingest"})')).toBe(
      'sensor_ingest_consumer_lag',
    );
    expect(queriedMetric('min_over_time((sum(chimera_pending_messages_total))[5m:])')).toBe(
      'chimera_pending_messages_total',
    );
    expect(queriedMetric('max by (queue) (rabbitmq_queue_messages{vhost="a b"}) > 10')).toBe(
      'rabbitmq_queue_messages',
    );
  });

  it('refuses a query over more than one metric, or none', () => {
    expect(() => queriedMetric('sum(a) / sum(b)')).toThrow('found a, b');
    expect(() => queriedMetric('vector(1)')).toThrow('found none');
  });
});

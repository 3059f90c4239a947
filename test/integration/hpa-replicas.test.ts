import { hpaDesiredReplicas, kedaReplicasOverTime, scaleUpLimit } from '../../model/replica-rule';

/** The scale-up behaviour every example ScaledObject sets: 4 pods or 100 % a minute, the larger. */
const SCALE_UP = {
  selectPolicy: 'Max' as const,
  policies: [
    { type: 'Pods' as const, value: 4, periodSeconds: 60 },
    { type: 'Percent' as const, value: 100, periodSeconds: 60 },
  ],
};

describe('the HPA replica calculation for an AverageValue external metric', () => {
  const sync = (metric: number, currentReplicas: number, bounds = { min: 2, max: 10 }) =>
    hpaDesiredReplicas({
      metric,
      targetPerReplica: 20,
      currentReplicas,
      minReplicas: bounds.min,
      maxReplicas: bounds.max,
      scaleUp: SCALE_UP,
    });

  it('asks for ceil(metric / target) outside the tolerance', () => {
    expect(sync(120, 2)).toBe(6);
    expect(sync(61, 2)).toBe(4);
  });

  it('keeps the current count while the usage ratio is within 10 % of 1', () => {
    // 108 over 5 × 20: ratio 1.08.
    expect(sync(108, 5)).toBe(5);
    // 111: ratio 1.11.
    expect(sync(111, 5)).toBe(6);
    // 91: ratio 0.91, though ceil(91 / 20) = 5.
    expect(sync(91, 5)).toBe(5);
  });

  it('clamps to the bounds', () => {
    expect(sync(1_000, 6)).toBe(10);
    expect(sync(0, 3)).toBe(2);
  });

  it('limits one scale-up by the behaviour, then gets there', () => {
    expect(sync(200, 2)).toBe(6);
    expect(
      kedaReplicasOverTime({
        metric: 200,
        targetPerReplica: 20,
        currentReplicas: 2,
        minReplicaCount: 2,
        maxReplicas: 10,
        activation: 0,
        scaleUp: SCALE_UP,
      }),
    ).toEqual([2, 6, 10]);
  });

  it('reads the scale-up policies as the controller does', () => {
    expect(scaleUpLimit(2, SCALE_UP)).toBe(6);
    expect(scaleUpLimit(10, SCALE_UP)).toBe(20);
    expect(scaleUpLimit(10, { ...SCALE_UP, selectPolicy: 'Min' })).toBe(14);
    expect(scaleUpLimit(10, { ...SCALE_UP, selectPolicy: 'Disabled' })).toBe(10);
    expect(scaleUpLimit(3, { policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] })).toBe(
      5,
    );
    // Without a behaviour: max(2 × current, 4).
    expect(scaleUpLimit(1)).toBe(4);
    expect(scaleUpLimit(5)).toBe(10);
  });
});

describe("KEDA's activation around zero", () => {
  const keda = (metric: number, currentReplicas: number) =>
    kedaReplicasOverTime({
      metric,
      targetPerReplica: 10,
      currentReplicas,
      minReplicaCount: 0,
      maxReplicas: 8,
      activation: 5,
      scaleUp: SCALE_UP,
    });

  it('scales to zero while the metric is not above the activation value', () => {
    expect(keda(5, 3)).toEqual([3, 0]);
  });

  it('wakes to one above it, from where the HPA takes over', () => {
    expect(keda(6, 0)).toEqual([0, 1]);
    expect(keda(25, 0)).toEqual([0, 1, 3]);
  });
});

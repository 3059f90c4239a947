import { Duration } from '../../model';
import { crdErrors, crdSchemasAvailable } from '../support/crd-schemas';
import { consumer, synthAgents } from '../support/fixtures';
import { manifestsOf } from '../support/synthesized';

const KEDA_KINDS = ['ScaledObject', 'ScaledJob', 'ClusterTriggerAuthentication'];
const describeWithCrds = crdSchemasAvailable() ? describe : describe.skip;

describeWithCrds('KEDA objects against the upstream CRD schemas', () => {
  const json = synthAgents([
    consumer(),
    consumer({
      name: 'chimera-data-ingest',
      queue: undefined,
      scaling: {
        minReplicas: 0,
        maxReplicas: 10,
        prometheus: {
          query: 'sum(chimera_pending_messages_total)',
          threshold: 1000,
          sustainedFor: Duration.minutes(5),
        },
        fallback: { replicas: 2, failureThreshold: 5 },
      },
    }),
    consumer({
      name: 'reporting',
      queue: undefined,
      scaling: {
        minReplicas: 2,
        maxReplicas: 6,
        cpu: { targetUtilization: 70 },
        memory: { targetUtilization: 80 },
        cron: [{ start: '0 8 * * 1-5', end: '0 18 * * 1-5', replicas: 4 }],
      },
    }),
    consumer({
      name: 'thumbnail',
      workload: 'per-message',
      scaling: { minReplicas: 0, maxReplicas: 20, queueDepth: { perReplica: 1 } },
    }),
  ]);
  const manifests = KEDA_KINDS.flatMap((kind) => manifestsOf(json, kind)) as {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
  }[];

  it('renders every KEDA kind the project uses', () => {
    expect(new Set(manifests.map((m) => m.kind))).toEqual(new Set(KEDA_KINDS));
    expect(manifests).toHaveLength(5);
  });

  it.each(manifests.map((m) => [`${m.kind} ${m.metadata.name}`, m] as const))(
    '%s is valid',
    (_name, manifest) => {
      expect(crdErrors('keda', manifest)).toEqual([]);
    },
  );

  it('catches an invalid object, so the check can fail', () => {
    const [scaled] = manifestsOf(json, 'ScaledObject') as { spec: Record<string, unknown> }[];
    const broken = { ...scaled, spec: { ...scaled.spec, fallback: { replicas: 'two' } } };
    expect(crdErrors('keda', broken)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/spec/fallback'),
        '/spec/fallback/replicas must be integer',
      ]),
    );
  });
});

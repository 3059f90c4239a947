import { Release } from '@cdktf/provider-helm/lib/release';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { TerraformStack } from 'cdktf';
import { cassandraNames } from '../../constructs/kubernetes/services/cassandra-access';
import {
  CassandraDatacenter,
  CassandraDatacenterProps,
} from '../../constructs/kubernetes/services/cassandra-datacenter';
import { cassOperatorPodLabels } from '../../constructs/kubernetes/services/cassandra-operator';
import { mongoDbNames } from '../../constructs/kubernetes/services/mongodb-access';
import {
  MongoDbReplicaSet,
  MongoDbReplicaSetProps,
} from '../../constructs/kubernetes/services/mongodb-replica-set';
import { yugabyteDbNames } from '../../constructs/kubernetes/services/yugabytedb-access';
import {
  YugabyteDbRelease,
  YugabyteDbReleaseProps,
} from '../../constructs/kubernetes/services/yugabytedb-release';
import { GuardrailRule } from '../../guardrails';
import { stateEngineAvailability } from '../../guardrails/rules/kubernetes/gr-dur-12-state-engine-availability';
import { stateEngineBackups } from '../../guardrails/rules/kubernetes/gr-dur-13-state-engine-backups';
import { KUBERNETES_RULES } from '../../guardrails/rules/kubernetes/index';
import { findingsOf } from '../support/guardrail-findings';

/** Rule id and the detail of each finding (the message without the rule's fix). */
function details(rule: GuardrailRule, build: (stack: TerraformStack) => void): string[][] {
  return findingsOf(rule, build).map((finding) => {
    expect(finding.message.startsWith(`${rule.fix} (`)).toBe(true);
    return [finding.rule, finding.message.slice(rule.fix.length + 2, -1)];
  });
}

const check = (build: (stack: TerraformStack) => void) => details(stateEngineAvailability, build);

const MONGODB: MongoDbReplicaSetProps = { names: mongoDbNames('documents', 'mongodb', 3) };

function mongoDb(stack: TerraformStack, overrides: Partial<MongoDbReplicaSetProps> = {}) {
  return new MongoDbReplicaSet(stack, 'MongoDb', { ...MONGODB, ...overrides });
}

const CASSANDRA: CassandraDatacenterProps = {
  names: cassandraNames('wide', 'dc1', 'cassandra'),
  operatorPodLabels: cassOperatorPodLabels('cassandra'),
};

function cassandra(stack: TerraformStack, overrides: Partial<CassandraDatacenterProps> = {}) {
  return new CassandraDatacenter(stack, 'Cassandra', { ...CASSANDRA, ...overrides });
}

const YUGABYTEDB: YugabyteDbReleaseProps = { names: yugabyteDbNames('sql', 'yugabytedb', 3) };

function yugabyteDb(stack: TerraformStack, overrides: Partial<YugabyteDbReleaseProps> = {}) {
  return new YugabyteDbRelease(stack, 'YugabyteDb', { ...YUGABYTEDB, ...overrides });
}

/** A release of the yugabyte chart with only these values: the chart's defaults for the rest. */
function yugabyteChart(stack: TerraformStack, values: object): void {
  new Release(stack, 'Chart', {
    name: 'sql',
    namespace: 'yugabytedb',
    repository: 'https://charts.yugabyte.com',
    chart: 'yugabyte',
    version: '2025.2.5',
    values: [JSON.stringify(values)],
  });
}

const ZONE_ANTI_AFFINITY = {
  podAntiAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      {
        weight: 100,
        podAffinityTerm: {
          topologyKey: 'topology.kubernetes.io/zone',
          labelSelector: { matchLabels: { app: 'yb-master' } },
        },
      },
    ],
  },
};

describe('GR-DUR-12 state engine availability', () => {
  it('is a warning of the Kubernetes rule set, over manifests and Helm releases', () => {
    expect(stateEngineAvailability.level).toBe('warning');
    expect(stateEngineAvailability.appliesTo).toEqual(['kubernetes_manifest', 'helm_release']);
    expect(KUBERNETES_RULES).toContain(stateEngineAvailability);
  });

  describe('MongoDB', () => {
    it('passes the replica set the fleet renders', () => {
      expect(check((stack) => mongoDb(stack))).toEqual([]);
    });

    it('passes members in a referenced namespace, and a budget written as a manifest', () => {
      expect(
        check((stack) => {
          const namespace = new NamespaceV1(stack, 'Namespace', { metadata: { name: 'mongodb' } });
          const replicaSet = mongoDb(stack, {
            names: { ...MONGODB.names, namespace: namespace.metadata.name },
          });
          replicaSet.node.tryRemoveChild('DisruptionBudget');
          new Manifest(stack, 'Budget', {
            manifest: {
              apiVersion: 'policy/v1',
              kind: 'PodDisruptionBudget',
              metadata: { name: 'documents', namespace: 'mongodb' },
              spec: {
                maxUnavailable: 1,
                selector: {
                  matchExpressions: [{ key: 'app', operator: 'In', values: ['documents-svc'] }],
                },
              },
            },
          });
        }),
      ).toEqual([]);
    });

    it('warns about one member', () => {
      expect(
        check((stack) =>
          mongoDb(stack, {
            names: mongoDbNames('documents', 'mongodb', 1),
            reason: 'a laptop cluster',
          }),
        ),
      ).toEqual([['GR-DUR-12', 'MongoDB replica set documents: 1 member(s)']]);
    });

    it('warns about members not spread over zones', () => {
      expect(
        check((stack) =>
          mongoDb(stack).resource.addOverride(
            'manifest.spec.statefulSet.spec.template.spec.topologySpreadConstraints',
            undefined,
          ),
        ),
      ).toEqual([['GR-DUR-12', 'MongoDB replica set documents: no zone topology spread']]);
    });

    it('warns about members no budget selects, or one of another namespace', () => {
      expect(check((stack) => mongoDb(stack).node.tryRemoveChild('DisruptionBudget'))).toEqual([
        ['GR-DUR-12', 'MongoDB replica set documents: no PodDisruptionBudget selects its members'],
      ]);
      expect(
        check((stack) => {
          mongoDb(stack).node.tryRemoveChild('DisruptionBudget');
          new Manifest(stack, 'Budget', {
            manifest: {
              apiVersion: 'policy/v1',
              kind: 'PodDisruptionBudget',
              metadata: { name: 'documents', namespace: 'default' },
              spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'documents-svc' } } },
            },
          });
        }),
      ).toEqual([
        ['GR-DUR-12', 'MongoDB replica set documents: no PodDisruptionBudget selects its members'],
      ]);
    });
  });

  describe('Cassandra', () => {
    it('passes the datacenter the fleet renders, whose budget the operator makes', () => {
      expect(check((stack) => cassandra(stack))).toEqual([]);
    });

    it('passes racks as the zone spread', () => {
      expect(
        check((stack) => {
          const datacenter = cassandra(stack).resource;
          datacenter.addOverride(
            'manifest.spec.podTemplateSpec.spec.topologySpreadConstraints',
            undefined,
          );
          // Added to the fleet's one rack, r1.
          datacenter.addOverride('manifest.spec.racks', [{ name: 'r2' }, { name: 'r3' }]);
        }),
      ).toEqual([]);
    });

    it('warns about one node', () => {
      expect(check((stack) => cassandra(stack, { nodes: 1, reason: 'a laptop cluster' }))).toEqual([
        ['GR-DUR-12', 'Cassandra datacenter dc1: 1 node(s)'],
      ]);
    });

    it('warns about nodes in one rack and no zone spread', () => {
      expect(
        check((stack) =>
          cassandra(stack).resource.addOverride(
            'manifest.spec.podTemplateSpec.spec.topologySpreadConstraints',
            undefined,
          ),
        ),
      ).toEqual([
        ['GR-DUR-12', 'Cassandra datacenter dc1: no zone topology spread and a single rack'],
      ]);
    });
  });

  describe('YugabyteDB', () => {
    it('passes the release the fleet renders, in a referenced namespace', () => {
      expect(check((stack) => yugabyteDb(stack))).toEqual([]);
      expect(
        check((stack) => {
          const namespace = new NamespaceV1(stack, 'Namespace', {
            metadata: { name: 'yugabytedb' },
          });
          yugabyteDb(stack, { namespace: namespace.metadata.name });
        }),
      ).toEqual([]);
    });

    it("passes the chart's default replicas and its own budgets", () => {
      expect(
        check((stack) =>
          yugabyteChart(stack, {
            master: { affinity: ZONE_ANTI_AFFINITY },
            tserver: { affinity: ZONE_ANTI_AFFINITY },
          }),
        ),
      ).toEqual([]);
    });

    it('warns about one master and one tablet server', () => {
      expect(
        check((stack) =>
          yugabyteDb(stack, {
            names: yugabyteDbNames('sql', 'yugabytedb', 1),
            reason: 'a laptop cluster',
          }),
        ),
      ).toEqual([['GR-DUR-12', 'YugabyteDB release sql: 1 master(s), 1 tablet server(s)']]);
    });

    it('warns about servers without a zone anti-affinity term', () => {
      // A later values document replaces the preferred terms, the zone's; the host's stay.
      const noPreferred = {
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] },
      };
      expect(
        check((stack) =>
          yugabyteDb(stack).release.addOverride('values', [
            JSON.stringify({
              master: { affinity: noPreferred },
              tserver: { affinity: noPreferred },
            }),
          ]),
        ),
      ).toEqual([
        [
          'GR-DUR-12',
          'YugabyteDB release sql: no zone anti-affinity in master.affinity, no zone anti-affinity in tserver.affinity',
        ],
      ]);
    });

    it("warns about servers no budget selects once the chart's are off", () => {
      expect(
        check((stack) => {
          const release = yugabyteDb(stack);
          release.node.tryRemoveChild('MasterDisruptionBudget');
          release.node.tryRemoveChild('TServerDisruptionBudget');
        }),
      ).toEqual([
        [
          'GR-DUR-12',
          'YugabyteDB release sql: no PodDisruptionBudget selects its masters, no PodDisruptionBudget selects its tablet servers',
        ],
      ]);
      expect(
        check((stack) =>
          yugabyteChart(stack, {
            isMultiAz: true,
            master: { affinity: ZONE_ANTI_AFFINITY },
            tserver: { affinity: ZONE_ANTI_AFFINITY },
          }),
        ),
      ).toEqual([
        [
          'GR-DUR-12',
          'YugabyteDB release sql: no PodDisruptionBudget selects its masters, no PodDisruptionBudget selects its tablet servers',
        ],
      ]);
    });

    it('does not apply to other charts and manifests', () => {
      expect(
        check((stack) => {
          new Release(stack, 'Other', { name: 'sql', chart: 'postgresql', values: ['{}'] });
          new Manifest(stack, 'ConfigMap', {
            manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
          });
        }),
      ).toEqual([]);
    });
  });
});

describe('GR-DUR-13 state engine backups', () => {
  const backups = (build: (stack: TerraformStack) => void) => details(stateEngineBackups, build);

  it('is a warning of the Kubernetes rule set, over manifests', () => {
    expect(stateEngineBackups.level).toBe('warning');
    expect(stateEngineBackups.appliesTo).toEqual(['kubernetes_manifest']);
    expect(KUBERNETES_RULES).toContain(stateEngineBackups);
  });

  it('finds every in-cluster MongoDB and Cassandra, whose operators take no backups', () => {
    expect(
      backups((stack) => {
        mongoDb(stack);
        cassandra(stack);
      }),
    ).toEqual([
      [
        'GR-DUR-13',
        'MongoDB replica set documents: the Community operator takes no backups (Ops Manager does)',
      ],
      [
        'GR-DUR-13',
        'Cassandra datacenter dc1: cass-operator takes no backups (Medusa comes with k8ssandra-operator)',
      ],
    ]);
  });

  it('leaves YugabyteDB, which keeps snapshot schedules, and other resources alone', () => {
    expect(backups((stack) => yugabyteDb(stack))).toEqual([]);
  });
});

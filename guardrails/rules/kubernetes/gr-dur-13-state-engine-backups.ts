import { GuardrailRule, violation } from '../../engine/types';

/** The in-cluster engines with no backup of their own, by the API group of their resource. */
const UNBACKED = [
  {
    kind: 'MongoDBCommunity',
    group: 'mongodbcommunity.mongodb.com/',
    engine: 'MongoDB replica set',
    why: 'the Community operator takes no backups (Ops Manager does)',
  },
  {
    kind: 'CassandraDatacenter',
    group: 'cassandra.datastax.com/',
    engine: 'Cassandra datacenter',
    why: 'cass-operator takes no backups (Medusa comes with k8ssandra-operator)',
  },
] as const;

/**
 * GR-DUR-13: state kept in the cluster is backed up. The fleet schedules point-in-time
 * recovery where the engine offers it (YugabyteDB's snapshot schedules, and the
 * cloud services'), but MongoDB's Community operator and cass-operator offer none,
 * so every `MongoDBCommunity` and `CassandraDatacenter` is a finding until a backup
 * of the site's own is written down: a warning whose suppression, with its reason,
 * records which tool backs the data up.
 * @see mongodb/mongodb-kubernetes `docs/mongodbcommunity` (no backup in the Community
 *   path); k8ssandra/cass-operator (backups are k8ssandra-operator's Medusa); custom
 */
export const stateEngineBackups: GuardrailRule = {
  id: 'GR-DUR-13',
  level: 'warning',
  summary: 'State in an in-cluster MongoDB or Cassandra is backed up',
  fix: "no environment-file field: the fleet schedules no backup of an in-cluster MongoDB or Cassandra, whose operators take none; back it up with the site's own tool and suppress the finding with a written reason in `suppressions`, or keep the state where the engine recovers to a point in time (Amazon DocumentDB, Amazon Keyspaces, YugabyteDB)",
  appliesTo: ['kubernetes_manifest'],
  evaluate(resource) {
    const manifest = resource.attributes.manifest;
    const engine = UNBACKED.find(
      (candidate) =>
        manifest?.kind === candidate.kind &&
        String(manifest.apiVersion).startsWith(candidate.group),
    );
    if (!engine) return 'not-applicable';
    return violation(`${engine.engine} ${manifest.metadata?.name}: ${engine.why}`);
  },
};

import { DatabaseUserNames } from './database-users';
import { ServerCertificateNames } from './server-certificates';

/** Port of the CQL native protocol, TLS only (cass-operator's `native` Service port). */
export const CASSANDRA_CQL_PORT = 9042;
/** Port of internode messaging, encrypted (Cassandra 4.0 and later use it for TLS too). */
export const CASSANDRA_INTERNODE_PORT = 7000;
/** Port of the Management API in each node's pod, which cass-operator calls (`mgmt-api`). */
export const CASSANDRA_MANAGEMENT_API_PORT = 8080;
/** Port of the Management API's metrics endpoint (`metrics`, path `/metrics`). */
export const CASSANDRA_METRICS_PORT = 9000;

/**
 * Key of the server Secret that holds the nodes' private key (PKCS#8) and
 * certificate in one PEM file: the `keystore` Cassandra's
 * `PEMBasedSslContextFactory` reads.
 */
export const CASSANDRA_KEYSTORE_KEY = 'keystore.pem';

/** The operator's label of a node's cluster (cass-operator `ClusterLabel`). */
const CLUSTER_LABEL = 'cassandra.datastax.com/cluster';
/** The operator's label of a node's datacenter (cass-operator `DatacenterLabel`). */
const DATACENTER_LABEL = 'cassandra.datastax.com/datacenter';

/**
 * The names a `CassandraDatacenter` and its Secrets take, shared by the stack
 * that writes the Secrets and installs the operator and the one that creates
 * the datacenter. The Services and the superuser Secret are named as
 * cass-operator v1.30.0 names them (`apis/cassandra/v1beta1/cassandradatacenter_types.go`:
 * `GetDatacenterServiceName`, `GetAllPodsServiceName`, `GetSeedServiceName`,
 * `GetSuperuserSecretNamespacedName`); the cluster and datacenter names must
 * be DNS-1035 labels so the operator uses them unchanged.
 */
export interface CassandraNames extends DatabaseUserNames {
  /** `spec.clusterName`: the name of the Cassandra cluster. */
  readonly cluster: string;
  /** Name of the `CassandraDatacenter` resource and of the Cassandra datacenter. */
  readonly datacenter: string;
  /** Namespace of the datacenter, its operator and its Secrets. */
  readonly namespace: string;
  /** The datacenter's Service, `<cluster>-<datacenter>-service` (CQL, metrics). */
  readonly service: string;
  /** The headless Service of every node, `<cluster>-<datacenter>-all-pods-service`. */
  readonly allPodsService: string;
  /** The seeds' Service, `<cluster>-seed-service`. */
  readonly seedService: string;
  /** Host name of the datacenter's Service: the agents' contact point. */
  readonly host: string;
  /** Labels the operator sets on every node's pod of the datacenter. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Secret with the CA certificate (`ca.crt`), in the datacenter's namespace and each agent's. */
  readonly caSecret: string;
  /** Secret with the nodes' certificate and key (`tls.crt`, `tls.key`, `keystore.pem`). */
  readonly serverSecret: string;
  /** The superuser Secret (`username`, `password`) the operator generates, `<cluster>-superuser`. */
  readonly superuserSecret: string;
}

/** The names of datacenter `datacenter` of cluster `cluster` in `namespace`. */
export function cassandraNames(
  cluster: string,
  datacenter: string,
  namespace: string,
): CassandraNames {
  const service = `${cluster}-${datacenter}-service`;
  return {
    cluster,
    datacenter,
    namespace,
    service,
    allPodsService: `${cluster}-${datacenter}-all-pods-service`,
    seedService: `${cluster}-seed-service`,
    host: `${service}.${namespace}.svc.cluster.local`,
    podLabels: { [CLUSTER_LABEL]: cluster, [DATACENTER_LABEL]: datacenter },
    caSecret: `${cluster}-ca`,
    serverSecret: `${cluster}-server-tls`,
    superuserSecret: `${cluster}-superuser`,
    userSecret: (agent) => `${cluster}-user-${agent}`,
    agentSecret: (agent) => `${agent}-${cluster}`,
  };
}

/**
 * The nodes' certificate names: the datacenter's Service (the agents' contact
 * point), the seeds' and every node's Service, and each node by its name under
 * the headless Service (`*.<all-pods-service>`), so nodes added later are held.
 */
export function cassandraCertificateNames(names: CassandraNames): ServerCertificateNames {
  const local = (service: string) => `${service}.${names.namespace}.svc.cluster.local`;
  return {
    name: names.cluster,
    namespace: names.namespace,
    caSecret: names.caSecret,
    serverSecret: names.serverSecret,
    dnsNames: [
      names.host,
      local(names.allPodsService),
      `*.${local(names.allPodsService)}`,
      local(names.seedService),
    ],
  };
}

import { ServerCertificateNames } from './server-certificates';

/** Port of YSQL, the Postgres wire protocol, on each tablet server. */
export const YUGABYTEDB_YSQL_PORT = 5433;
/** RPC port of the masters (the chart's `tcp-rpc-port` of `yb-masters`). */
export const YUGABYTEDB_MASTER_RPC_PORT = 7100;
/** RPC port of the tablet servers (the chart's `tcp-rpc-port` of `yb-tservers`). */
export const YUGABYTEDB_TSERVER_RPC_PORT = 9100;
/**
 * Ports the servers serve `/prometheus-metrics` on, plain HTTP: the masters'
 * web server (7000), the tablet servers' (9000) and YSQL's (13000), as the
 * chart's `Services` name them `http-ui` and `http-ysql-met`.
 */
export const YUGABYTEDB_METRICS_PORTS: readonly number[] = [7000, 9000, 13000];

/**
 * Base name of the servers' certificate and key in their certificates
 * folder: every server loads `node.yugabytedb.crt` and `node.yugabytedb.key`
 * (YugabyteDB's `--cert_node_filename`), one certificate for all of them.
 */
export const YUGABYTEDB_CERT_NODE_NAME = 'yugabytedb';

/**
 * The names a site's YugabyteDB universe and its Secrets take. The chart runs
 * with its default `oldNamingStyle: true`, so its StatefulSets are
 * `yb-master` and `yb-tserver` and their headless Services `yb-masters` and
 * `yb-tservers`, whatever the release is called.
 */
export interface YugabyteDbNames {
  /** Name of the Helm release; it labels every pod (`release`). */
  readonly name: string;
  /** Namespace of the universe. */
  readonly namespace: string;
  /** Masters and tablet servers each; also the replication factor. */
  readonly replicas: number;
  /** The masters' headless Service, `yb-masters`. */
  readonly masterService: string;
  /** The tablet servers' headless Service, `yb-tservers`. */
  readonly tserverService: string;
  /** DNS name of the tablet servers' Service, which agents connect to on YSQL. */
  readonly host: string;
  /** DNS names of the masters with their RPC port, as `yb-admin --master_addresses` takes them. */
  readonly masterAddresses: readonly string[];
  /** Labels of the masters' pods (the chart sets `app: yb-master` and `release`). */
  readonly masterPodLabels: Readonly<Record<string, string>>;
  /** Labels of the tablet servers' pods (the chart sets `app: yb-tserver` and `release`). */
  readonly tserverPodLabels: Readonly<Record<string, string>>;
  /** Secret with the CA certificate (`ca.crt`), in the universe's namespace and each agent's. */
  readonly caSecret: string;
  /** Secret with the servers' certificate and key (`tls.crt`, `tls.key`). */
  readonly serverSecret: string;
  /** Secret with the password of the `yugabyte` superuser, key `ysqlPassword` (the chart's). */
  readonly adminSecret: string;
  /** Name of an agent's credentials Secret in the universe's namespace. */
  readonly userSecret: (agent: string) => string;
  /** Name of an agent's credentials Secret in its own namespace. */
  readonly agentSecret: (agent: string) => string;
}

/** The names of universe `name` of `replicas` masters and tablet servers in `namespace`. */
export function yugabyteDbNames(
  name: string,
  namespace: string,
  replicas: number,
): YugabyteDbNames {
  const domain = `${namespace}.svc.cluster.local`;
  return {
    name,
    namespace,
    replicas,
    masterService: 'yb-masters',
    tserverService: 'yb-tservers',
    host: `yb-tservers.${domain}`,
    masterAddresses: Array.from(
      { length: replicas },
      (_, index) => `yb-master-${index}.yb-masters.${domain}:${YUGABYTEDB_MASTER_RPC_PORT}`,
    ),
    masterPodLabels: { app: 'yb-master', release: name },
    tserverPodLabels: { app: 'yb-tserver', release: name },
    caSecret: `${name}-ca`,
    serverSecret: `${name}-server-tls`,
    adminSecret: `${name}-admin`,
    userSecret: (agent) => `${name}-user-${agent}`,
    agentSecret: (agent) => `${agent}-${name}`,
  };
}

/**
 * The universe's certificate names: one certificate holds every master and
 * tablet server (`yb-master-<n>.yb-masters.<namespace>.svc.cluster.local`,
 * which the chart gives each server as its RPC address), servers added later
 * (wildcards) and both Services, which clients and `yb-admin` verify.
 */
export function yugabyteDbCertificateNames(names: YugabyteDbNames): ServerCertificateNames {
  const masters = `${names.masterService}.${names.namespace}.svc.cluster.local`;
  const tservers = `${names.tserverService}.${names.namespace}.svc.cluster.local`;
  return {
    name: names.name,
    namespace: names.namespace,
    caSecret: names.caSecret,
    serverSecret: names.serverSecret,
    dnsNames: [masters, `*.${masters}`, tservers, `*.${tservers}`],
  };
}

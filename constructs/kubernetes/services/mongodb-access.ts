import { DatabaseUserNames } from './database-users';
import { ServerCertificateNames } from './server-certificates';

/** Port of every member of a MongoDB replica set. */
export const MONGODB_PORT = 27017;

/**
 * The names a `MongoDBCommunity` replica set and its Secrets take, shared by
 * the stack that writes the Secrets and the one that creates the resource.
 */
export interface MongoDbNames extends DatabaseUserNames {
  /** Name of the `MongoDBCommunity` resource and of the replica set. */
  readonly name: string;
  /** Namespace of the replica set. */
  readonly namespace: string;
  /** The headless Service the operator creates, `<name>-svc`. */
  readonly service: string;
  /** Labels of the members' pods (the operator sets `app: <name>-svc`). */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Secret with the CA certificate (`ca.crt`), in the replica set's namespace and each agent's. */
  readonly caSecret: string;
  /** Secret with the members' certificate and key (`tls.crt`, `tls.key`). */
  readonly serverSecret: string;
  /** Host names of the members. */
  readonly hosts: readonly string[];
  /** The Secret with the metrics endpoint's basic-auth `username` and `password`. */
  readonly metricsSecret: string;
}

/** The basic-auth user of the members' metrics endpoint. */
export const MONGODB_METRICS_USER = 'prometheus';

/** The names of replica set `name` of `members` in `namespace`. */
export function mongoDbNames(name: string, namespace: string, members: number): MongoDbNames {
  const service = `${name}-svc`;
  return {
    name,
    namespace,
    service,
    podLabels: { app: service },
    caSecret: `${name}-ca`,
    serverSecret: `${name}-server-tls`,
    hosts: Array.from(
      { length: members },
      (_, index) => `${name}-${index}.${service}.${namespace}.svc.cluster.local`,
    ),
    userSecret: (agent) => `${name}-user-${agent}`,
    agentSecret: (agent) => `${agent}-${name}`,
    metricsSecret: `${name}-metrics`,
  };
}

/**
 * The replica set's certificate names: it holds each member, the Service, and
 * `*.<name>-svc.<namespace>.svc.cluster.local` for members added later.
 */
export function mongoDbCertificateNames(names: MongoDbNames): ServerCertificateNames {
  const service = `${names.service}.${names.namespace}.svc.cluster.local`;
  return { ...names, dnsNames: [...names.hosts, service, `*.${service}`] };
}

import { StateModel } from './state';
import { Cpu, Size } from './units';

/**
 * A cluster of the engine that the site's team already runs, outside the
 * fleet: the fleet runs nothing for it and creates no user, database or
 * keyspace in it. Its operators create each agent's (named after the agent,
 * `-` as `_` where the engine wants identifiers) and write the agent's
 * credentials (`username`, `password`) to the agent's `database` secret in the
 * site's Vault, which the site must declare; the agent reaches the cluster on
 * `cidrs` over TLS, verified with `caCertificate`.
 */
export interface ExternalStateCluster {
  /** Host names of the servers: MongoDB's members, Cassandra's contact points, YugabyteDB's YSQL endpoints. */
  readonly hosts: readonly string[];
  /** Port of the servers. @default - the engine's: 27017, 9042, 5433 */
  readonly port?: number;
  /** Networks the servers are in, opened to the agents' egress. */
  readonly cidrs: readonly string[];
  /** PEM certificate of the CA that signed the servers' certificates. */
  readonly caCertificate: string;
  /** MongoDB: the replica set's name. @default - none */
  readonly replicaSet?: string;
  /** Cassandra: the agents' local datacenter. @default - none */
  readonly datacenter?: string;
}

/**
 * MongoDB run in the site's cluster by MongoDB's Kubernetes operator
 * (MongoDB Controllers for Kubernetes, `MongoDBCommunity` replica set): each
 * document-state agent gets a database and a SCRAM user of its own.
 */
export interface InClusterMongoDbSpec {
  /** The engine: MongoDB in the cluster. */
  readonly kind: 'mongodb';
  /**
   * A cluster run outside the fleet, instead of one in the site's cluster: the
   * other settings then do not apply.
   * @default - none: the fleet runs the engine in the cluster
   */
  readonly external?: ExternalStateCluster;
  /** Namespace the replica set runs in. @default 'mongodb' */
  readonly namespace?: string;
  /**
   * Members of the replica set, one per zone where the pool has zones; 3 is
   * the smallest count that keeps a majority after the loss of one. Fewer
   * needs a written `reason`.
   * @default 3
   */
  readonly replicas?: number;
  /** Why fewer than 3 members are acceptable here (e.g. a laptop). @default - none */
  readonly reason?: string;
  /** Persistent volume of each member's data. @default 50Gi */
  readonly storage?: Size;
  /** StorageClass of the volumes; it decides encryption at rest. @default - the cluster's default */
  readonly storageClass?: string;
  /** CPU and memory of each member, requests equal to limits. @default - 1 CPU, 4Gi */
  readonly resources?: { readonly cpu?: Cpu; readonly memory?: Size };
}

/**
 * Amazon DocumentDB (MongoDB-compatible), built by the infra stack of an AWS
 * site: a cluster of instances across the site's zones, encrypted with a key
 * of the site, backed up with point-in-time recovery, protected from deletion.
 */
export interface DocumentDbSpec {
  /** The engine: Amazon DocumentDB. */
  readonly kind: 'documentdb';
  /** Instance class of the cluster's instances. @default 'db.r6g.large' */
  readonly instanceClass?: string;
  /**
   * Instances, spread over the site's zones: a primary and replicas. Fewer
   * than 3 needs a written `reason`.
   * @default 3
   */
  readonly instances?: number;
  /** Why fewer than 3 instances are acceptable here. @default - none */
  readonly reason?: string;
  /** Days of point-in-time recovery, 1 to 35. @default 7 */
  readonly backupRetentionDays?: number;
}

/**
 * Whether a site runs an engine in its cluster for a shape: it declares it
 * there, not as an external cluster (and is no cloud site, whose engines are
 * its services).
 */
export function runsInCluster(
  site: StateEngineSite,
  shape: keyof SiteStateEngines,
  kind: 'mongodb' | 'cassandra' | 'yugabytedb',
): boolean {
  const engine = site.stateEngines?.[shape];
  return !site.cloud && engine?.kind === kind && !('external' in engine && engine.external);
}

/** Namespace of a site's in-cluster MongoDB. */
export function mongoDbNamespace(spec: InClusterMongoDbSpec): string {
  return spec.namespace ?? 'mongodb';
}

/** The engine of document state on a site. */
export type DocumentEngineSpec = InClusterMongoDbSpec | DocumentDbSpec;

/**
 * Amazon Keyspaces (CQL), serverless: AWS keeps three copies of each row
 * across zones; the agent signs in with its IAM role, through a VPC endpoint.
 */
export interface KeyspacesSpec {
  /** The engine: Amazon Keyspaces. */
  readonly kind: 'keyspaces';
}

/**
 * Apache Cassandra run in the site's cluster by cass-operator (a
 * `CassandraDatacenter`, one rack per zone): each wide-column agent gets a
 * keyspace and a role of its own.
 */
export interface InClusterCassandraSpec {
  /** The engine: Cassandra in the cluster. */
  readonly kind: 'cassandra';
  /**
   * A cluster run outside the fleet, instead of one in the site's cluster: the
   * other settings then do not apply.
   * @default - none: the fleet runs the engine in the cluster
   */
  readonly external?: ExternalStateCluster;
  /** Namespace the datacenter runs in. @default 'cassandra' */
  readonly namespace?: string;
  /**
   * Cassandra nodes, spread over the pool's zones as racks; a keyspace keeps
   * at most this many copies of each row. Fewer than 3 needs a written `reason`.
   * @default 3
   */
  readonly replicas?: number;
  /** Why fewer than 3 nodes are acceptable here (e.g. a laptop). @default - none */
  readonly reason?: string;
  /** Persistent volume of each node's data. @default 100Gi */
  readonly storage?: Size;
  /** StorageClass of the volumes; it decides encryption at rest. @default - the cluster's default */
  readonly storageClass?: string;
  /** CPU and memory of each node, requests equal to limits. @default - 2 CPU, 8Gi */
  readonly resources?: { readonly cpu?: Cpu; readonly memory?: Size };
}

/** Namespace of a site's in-cluster Cassandra. */
export function cassandraNamespace(spec: InClusterCassandraSpec): string {
  return spec.namespace ?? 'cassandra';
}

/** The engine of wide-column state on a site. */
export type WideColumnEngineSpec = KeyspacesSpec | InClusterCassandraSpec;

/**
 * Amazon Aurora DSQL (distributed PostgreSQL-compatible SQL), serverless
 * across the region's zones; the agent signs in with an IAM token of its role.
 */
export interface AuroraDsqlSpec {
  /** The engine: Aurora DSQL. */
  readonly kind: 'aurora-dsql';
}

/**
 * YugabyteDB run in the site's cluster from its chart (masters and tablet
 * servers): each SQL agent gets a database and a role of its own, over YSQL.
 */
export interface InClusterYugabyteDbSpec {
  /** The engine: YugabyteDB in the cluster. */
  readonly kind: 'yugabytedb';
  /**
   * A cluster run outside the fleet, instead of one in the site's cluster: the
   * other settings then do not apply.
   * @default - none: the fleet runs the engine in the cluster
   */
  readonly external?: ExternalStateCluster;
  /** Namespace the universe runs in. @default 'yugabytedb' */
  readonly namespace?: string;
  /**
   * Masters and tablet servers each, spread over the pool's zones; the
   * replication factor is 3 at 3 or more. Fewer needs a written `reason`.
   * @default 3
   */
  readonly replicas?: number;
  /** Why fewer than 3 servers are acceptable here (e.g. a laptop). @default - none */
  readonly reason?: string;
  /** Persistent volume of each tablet server's data. @default 50Gi */
  readonly storage?: Size;
  /** StorageClass of the volumes; it decides encryption at rest. @default - the cluster's default */
  readonly storageClass?: string;
  /** CPU and memory of each tablet server, requests equal to limits. @default - 2 CPU, 4Gi */
  readonly resources?: { readonly cpu?: Cpu; readonly memory?: Size };
}

/** Namespace of a site's in-cluster YugabyteDB. */
export function yugabyteDbNamespace(spec: InClusterYugabyteDbSpec): string {
  return spec.namespace ?? 'yugabytedb';
}

/** The engine of SQL state on a site. */
export type SqlEngineSpec = AuroraDsqlSpec | InClusterYugabyteDbSpec;

/**
 * Which engine serves each shape of state on a site, where the site's kind
 * offers a choice or the engine needs settings; a shape not named takes the
 * site kind's default (see {@link stateEngineFor}).
 */
export interface SiteStateEngines {
  /** The engine of document state. @default - AWS: Amazon DocumentDB; other sites: none */
  readonly document?: DocumentEngineSpec;
  /** The engine of wide-column state. @default - AWS: Amazon Keyspaces; other sites: none */
  readonly wideColumn?: WideColumnEngineSpec;
  /** The engine of SQL state. @default - AWS: Aurora DSQL; Kubernetes sites: their `database` */
  readonly sql?: SqlEngineSpec;
}

/**
 * The engines that serve agent state:
 * - `dynamodb`: a DynamoDB table (AWS, key-value);
 * - `cosmos-nosql`: a container of the site's Cosmos DB account for NoSQL (Azure, key-value);
 * - `cockroachdb`: a database of the site's in-cluster CockroachDB (key-value, SQL);
 * - `yugabytedb`: a database of the site's in-cluster YugabyteDB (SQL);
 * - `mongodb`: a database of the site's in-cluster MongoDB replica set (document);
 * - `cassandra`: a keyspace of the site's in-cluster Cassandra datacenter (wide-column);
 * - `documentdb`: a database of the site's Amazon DocumentDB cluster (AWS, document);
 * - `keyspaces`: a keyspace of Amazon Keyspaces (AWS, wide-column);
 * - `aurora-dsql`: a schema and role of the site's Aurora DSQL cluster (AWS, SQL).
 */
export type StateEngine =
  | 'dynamodb'
  | 'cosmos-nosql'
  | 'cockroachdb'
  | 'yugabytedb'
  | 'mongodb'
  | 'cassandra'
  | 'documentdb'
  | 'keyspaces'
  | 'aurora-dsql';

/** The engine that serves a shape of state on a site, or why none does. */
export type StateEngineChoice =
  { readonly engine: StateEngine } | { readonly engine?: undefined; readonly refused: string };

/** How the documentation and messages name each engine. */
export const STATE_ENGINE_NAMES: Readonly<Record<StateEngine, string>> = {
  dynamodb: 'DynamoDB',
  'cosmos-nosql': 'Cosmos DB for NoSQL',
  cockroachdb: 'CockroachDB in the cluster',
  yugabytedb: 'YugabyteDB in the cluster',
  mongodb: 'MongoDB in the cluster',
  cassandra: 'Cassandra in the cluster',
  documentdb: 'Amazon DocumentDB',
  keyspaces: 'Amazon Keyspaces',
  'aurora-dsql': 'Aurora DSQL',
};

/**
 * What {@link stateEngineFor} reads of a site (a `KubernetesSiteSpec`): its
 * name, cloud, in-cluster database and the engines it declares.
 */
export interface StateEngineSite {
  /** The site's name, for messages. */
  readonly name: string;
  /** The cloud whose infra stack builds the cluster. @default - none: a cluster the user runs */
  readonly cloud?: 'aws' | 'azure';
  /** The site's in-cluster CockroachDB. @default - none */
  readonly database?: object;
  /** Which engine serves each shape on the site. @default - each shape's default */
  readonly stateEngines?: SiteStateEngines;
}

/** What a site is, in a message: its kind and name. */
function siteKind(site: StateEngineSite): string {
  if (site.cloud === 'aws') return `AWS site '${site.name}'`;
  if (site.cloud === 'azure') return `Azure site '${site.name}'`;
  return `site '${site.name}'`;
}

/**
 * The engine that serves state of the given shape on a site, by the site's
 * kind and the databases it declares:
 *
 * | shape       | AWS site | Azure site           | Kubernetes site          |
 * | ----------- | -------- | -------------------- | ------------------------ |
 * | key-value   | DynamoDB | Cosmos DB for NoSQL  | its `database` (CockroachDB) |
 * | sql         | Aurora DSQL | refused           | its `stateEngines.sql` (YugabyteDB), else its `database` (CockroachDB) |
 * | document    | Amazon DocumentDB | refused     | its `stateEngines.document` (MongoDB) |
 * | wide-column | Amazon Keyspaces | refused      | its `stateEngines.wideColumn` (Cassandra) |
 *
 * A refusal says why and what would serve the shape instead.
 */
export function stateEngineFor(site: StateEngineSite, model: StateModel): StateEngineChoice {
  switch (model) {
    case 'key-value':
      if (site.cloud === 'aws') return { engine: 'dynamodb' };
      if (site.cloud === 'azure') return { engine: 'cosmos-nosql' };
      if (site.database) return { engine: 'cockroachdb' };
      return {
        refused: `${siteKind(site)} offers no database: declare 'database' on the site (CockroachDB in its cluster), or place the agent on an AWS or Azure site (DynamoDB, Cosmos DB)`,
      };
    case 'sql':
      if (site.cloud === 'aws') return { engine: 'aurora-dsql' };
      if (site.cloud === 'azure') return { refused: azureRefusal(site, 'SQL', AZURE_SQL) };
      if (site.stateEngines?.sql?.kind === 'yugabytedb') return { engine: 'yugabytedb' };
      if (site.database) return { engine: 'cockroachdb' };
      return {
        refused: `${siteKind(site)} offers no database: declare 'database' on the site (CockroachDB in its cluster) or 'stateEngines: { sql: { kind: yugabytedb } }'`,
      };
    case 'wide-column':
      if (site.cloud === 'aws') return { engine: 'keyspaces' };
      if (site.cloud === 'azure') {
        return { refused: azureRefusal(site, 'wide-column', AZURE_WIDE_COLUMN) };
      }
      if (site.stateEngines?.wideColumn?.kind === 'cassandra') return { engine: 'cassandra' };
      return {
        refused: `${siteKind(site)} serves no wide-column state: declare 'stateEngines: { wideColumn: { kind: cassandra } }' on the site (Cassandra in its cluster), or place the agent on an AWS site (Amazon Keyspaces)`,
      };
    case 'document':
      if (!site.cloud) return inClusterDocumentEngine(site);
      if (site.cloud === 'azure')
        return { refused: azureRefusal(site, 'document', AZURE_DOCUMENT) };
      return { engine: 'documentdb' };
  }
}

/**
 * Why Azure offers no engine for a shape: every data-plane credential there is
 * Entra ID (Cosmos DB runs with local authentication off), and each service
 * that would serve the shape takes keys or keeps a password in the state.
 */
function azureRefusal(site: StateEngineSite, shape: string, services: string): string {
  return `${siteKind(site)} serves no ${shape} state: ${services}; agents on Azure sign in with Entra ID only, so place the agent on an AWS or Kubernetes site, or keep the state as 'key-value'`;
}

const AZURE_DOCUMENT =
  'Cosmos DB for MongoDB takes keys or passwords only, and Azure DocumentDB keeps its administrator password in the Terraform state';
const AZURE_WIDE_COLUMN =
  'Cosmos DB for Apache Cassandra takes account keys only (its Entra ID access is in a preview API the pinned azurerm provider lacks), and Managed Instance for Apache Cassandra keeps its administrator password in the Terraform state';
const AZURE_SQL =
  'Cosmos DB for PostgreSQL keeps its administrator password in the Terraform state';

/** Document state on a cluster the user runs: its MongoDB, if it declares one. */
function inClusterDocumentEngine(site: StateEngineSite): StateEngineChoice {
  if (site.stateEngines?.document?.kind === 'mongodb') return { engine: 'mongodb' };
  return {
    refused: `${siteKind(site)} serves no document state: declare 'stateEngines: { document: { kind: mongodb } }' on the site (MongoDB in its cluster), or keep the state as 'key-value' or 'sql'`,
  };
}

/**
 * An agent's name as a SQL or CQL identifier (`inventory-update` →
 * `inventory_update`): the name of its database, keyspace or role in an
 * in-cluster engine.
 */
export function stateIdentifier(agent: string): string {
  return agent.replace(/-/g, '_');
}

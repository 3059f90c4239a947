import { SiteCloud } from './site';
import { DocumentCollection } from './state';

/**
 * What a site built for one of its agents, as the values its Kubernetes
 * objects need: a cloud site's infra stack (a workload identity, a queue, a
 * Kafka cluster, a table), or the services of a cluster the user runs
 * (in-cluster Kafka, the site's database). Values may be Terraform tokens of
 * another stack.
 */
export interface AgentCloudBindings {
  /** The cloud identity its pods take. @default - none: no cloud identity */
  readonly identity?: WorkloadIdentity;
  /** The queue of its `queue` binding on a cloud broker (SQS, Service Bus). @default - none */
  readonly queue?: CloudQueue;
  /** The Kafka cluster of its `topic` binding. @default - none */
  readonly kafka?: KafkaEndpoint;
  /** Where it keeps its `state`. @default - none */
  readonly store?: StateStore;
  /**
   * Private networks the agent reaches its cloud services on, e.g. a VNet
   * whose private endpoints serve Service Bus and Cosmos DB. May be tokens.
   * @default - none
   */
  readonly privateEgress?: readonly { readonly cidr: string; readonly ports: readonly number[] }[];
}

/** The cloud identity an agent's pods take through their service account. */
export interface WorkloadIdentity {
  /** The cloud of the identity. */
  readonly cloud: SiteCloud;
  /** Region of the site's cloud services, passed to the agent as `AWS_REGION` on AWS. */
  readonly region: string;
  /**
   * Annotations of the agent's service account that give its pods the
   * identity, e.g. `{ 'eks.amazonaws.com/role-arn': <role ARN> }` (IRSA) or
   * `{ 'azure.workload.identity/client-id': <client id> }`.
   */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /** Labels the agent's pods need for the identity (Azure workload identity). @default - none */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** A queue a cloud site built for an agent's `queue` binding. */
export type CloudQueue = SqsQueueRef | ServiceBusQueueRef;

/** An SQS queue and its dead-letter queue. */
export interface SqsQueueRef {
  /** Discriminates the queue's kind. */
  readonly kind: 'sqs';
  /** URL of the queue. */
  readonly queueUrl: string;
  /** URL of its dead-letter queue. */
  readonly deadLetterQueueUrl: string;
}

/** A Service Bus queue. */
export interface ServiceBusQueueRef {
  /** Discriminates the queue's kind. */
  readonly kind: 'servicebus';
  /** Namespace name, as KEDA's `azure-servicebus` trigger wants it. */
  readonly namespace: string;
  /** `<namespace>.servicebus.windows.net`, for the agent's client. */
  readonly fullyQualifiedNamespace: string;
  /** Name of the queue. */
  readonly queue: string;
}

/** Where an agent keeps its state: a DynamoDB table, a Cosmos DB container, an in-cluster database or a keyspace. */
export type StateStore =
  | DynamoDbTableRef
  | CosmosContainerRef
  | AgentDatabase
  | KeyspacesRef
  | AgentDocumentDatabase
  | AgentWideColumnDatabase
  | AgentYugabyteDatabase
  | DocumentDbRef
  | AuroraDsqlRef;

/**
 * A schema of the site's Aurora DSQL cluster that the agent's database role
 * owns, reached through the cluster's VPC endpoint (private DNS); the agent
 * signs in with an IAM token of its role (`dsql:DbConnect`) as that role.
 */
export interface AuroraDsqlRef {
  /** Discriminates the store's kind. */
  readonly kind: 'aurora-dsql';
  /** The cluster's host through its VPC endpoint, `<id>.dsql-xxxx.<region>.on.aws`. */
  readonly host: string;
  /** The PostgreSQL port, 5432. */
  readonly port: number;
  /** The database, always `postgres` on DSQL. */
  readonly database: string;
  /** The schema the agent's role owns. */
  readonly schema: string;
  /** The agent's database role, mapped to its IAM role. */
  readonly user: string;
  /** Region of the cluster; the token is signed for it. */
  readonly region: string;
  /** How the agent signs in, passed as `FLEET_STATE_AUTH`. */
  readonly auth: 'aws-iam-token';
}

/** A database role of an Aurora DSQL cluster for one agent, and what it owns. */
export interface DsqlAgentRole {
  /** The agent's name. */
  readonly agent: string;
  /** Name of the database role (a lower-case SQL identifier). */
  readonly role: string;
  /** The schema the role owns. */
  readonly schema: string;
  /** ARN of the agent's IAM role, which `AWS IAM GRANT` maps to the database role. */
  readonly iamRoleArn: string;
}

/**
 * The database roles to create in a site's Aurora DSQL cluster, which only
 * SQL can do (`CREATE ROLE … WITH LOGIN; AWS IAM GRANT …`), and the identity
 * allowed to connect as its `admin` to do it.
 */
export interface DsqlRoleSet {
  /** The cluster's host through its VPC endpoint. */
  readonly host: string;
  /** The PostgreSQL port. */
  readonly port: number;
  /** Region of the cluster; the admin token is signed for it. */
  readonly region: string;
  /** The network the endpoint is in (the VPC CIDR), for egress rules. */
  readonly networkCidr: string;
  /** Service-account annotations of the Job's identity (IRSA), allowed `dsql:DbConnectAdmin`. */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /** The agents' roles, sorted by agent. */
  readonly roles: readonly DsqlAgentRole[];
}

/**
 * A database of the site's Amazon DocumentDB cluster, reached over TLS in the
 * VPC; the agent signs in as its IAM role (`MONGODB-AWS`, the credentials of
 * its service account), a user of `$external` whose role is `readWrite` on
 * this database only.
 */
export interface DocumentDbRef {
  /** Discriminates the store's kind. */
  readonly kind: 'documentdb';
  /** The cluster endpoint (the primary). */
  readonly host: string;
  /** The MongoDB port, 27017. */
  readonly port: number;
  /** Name of the agent's database. */
  readonly database: string;
  /** Region of the cluster, whose CA bundle verifies it. */
  readonly region: string;
  /** How the agent signs in: `MONGODB-AWS` with its IAM role. */
  readonly auth: 'mongodb-aws';
}

/** The `$external` user of one agent in a DocumentDB cluster, and what it may use. */
export interface DocumentDbAgentUser {
  /** The agent's name. */
  readonly agent: string;
  /** Name of its database, on which the user has `readWrite`. */
  readonly database: string;
  /** ARN of the agent's IAM role: the user's name. */
  readonly iamRoleArn: string;
  /** The collections to create, with their indexes. */
  readonly collections: readonly DocumentCollection[];
}

/**
 * The users to create in a site's DocumentDB cluster, which only the database
 * can do (`db.createUser` in `$external`), and the identity allowed to read the
 * master user's secret to do it.
 */
export interface DocumentDbUserSet {
  /** The cluster endpoint (the primary). */
  readonly host: string;
  /** The MongoDB port. */
  readonly port: number;
  /** Region of the cluster and its secret. */
  readonly region: string;
  /** The network the cluster is in (the VPC CIDR), for egress rules. */
  readonly networkCidr: string;
  /** ARN of the Secrets Manager secret DocumentDB keeps the master user in (JSON `username`, `password`). */
  readonly masterSecretArn: string;
  /** Service-account annotations of the Job's identity (IRSA), allowed to read that secret. */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /** The agents' users, sorted by agent. */
  readonly users: readonly DocumentDbAgentUser[];
}

/** How an agent signs in to a keyspace: SigV4 with its IAM role (the Keyspaces SigV4 plugin). */
export type KeyspacesAuth = 'aws-sigv4';

/**
 * A keyspace of Amazon Keyspaces, reached over CQL with TLS through the site's
 * interface VPC endpoint (private DNS: the service's regional host name
 * resolves to the endpoint's addresses in the VPC).
 */
export interface KeyspacesRef {
  /** Discriminates the store's kind. */
  readonly kind: 'keyspaces';
  /** The regional CQL host, `cassandra.<region>.amazonaws.com`. */
  readonly host: string;
  /** The CQL port over TLS, 9142. */
  readonly port: number;
  /** Name of the agent's keyspace. */
  readonly keyspace: string;
  /** Region of the keyspace; the client signs its requests for it. */
  readonly region: string;
  /** How the agent signs in, passed to it as `FLEET_STATE_AUTH`. */
  readonly auth: KeyspacesAuth;
}

/** A DynamoDB table. */
export interface DynamoDbTableRef {
  /** Discriminates the store's kind. */
  readonly kind: 'dynamodb';
  /** Name of the table. */
  readonly tableName: string;
}

/** A Cosmos DB container (API for NoSQL). */
export interface CosmosContainerRef {
  /** Discriminates the store's kind. */
  readonly kind: 'cosmos';
  /** The account's document endpoint. */
  readonly endpoint: string;
  /** Name of the database. */
  readonly database: string;
  /** Name of the container. */
  readonly container: string;
}

/** How a Kafka client signs in. */
export type KafkaAuth = 'aws-msk-iam' | 'azure-entra-id' | 'none';

/** Where clients reach a Kafka cluster. */
export interface KafkaEndpoint {
  /** `host:port` list, comma-separated. */
  readonly bootstrapServers: string;
  /** Port of the listeners (9098 MSK IAM, 9093 Event Hubs, 9092 in-cluster plain). */
  readonly port: number;
  /**
   * How the agents sign in to the brokers, passed to them as `FLEET_KAFKA_AUTH`
   * and to KEDA's `kafka` trigger.
   * @default 'aws-msk-iam'
   */
  readonly auth?: KafkaAuth;
  /** The network the brokers are in (a VPC or VNet CIDR), for egress rules. @default - in-cluster */
  readonly networkCidr?: string;
  /** The brokers' pods, for egress rules, when they run in the cluster. @default - none */
  readonly inCluster?: {
    readonly namespace: string;
    readonly podLabels: Readonly<Record<string, string>>;
  };
}

/** An agent's database on a site's in-cluster CockroachDB (Postgres wire protocol). */
export interface AgentDatabase {
  /** Discriminates the store's kind. */
  readonly kind: 'in-cluster-sql';
  /** Host name of the database's service. */
  readonly host: string;
  /** Port of its SQL (Postgres wire) listener. */
  readonly port: number;
  /** Name of the agent's database. */
  readonly database: string;
  /** The schema the agent's user owns, for SQL state. @default - none: key-value state */
  readonly schema?: string;
  /** Secret in the agent's namespace with keys `username` and `password`. */
  readonly credentialsSecret: string;
  /** The database's pods, for egress rules. */
  readonly namespace: string;
  /** Labels of the database's pods, for egress rules. */
  readonly podLabels: Readonly<Record<string, string>>;
}

/**
 * An agent's database on a site's in-cluster MongoDB replica set: TLS with
 * the replica set's CA, SCRAM-SHA-256 as the agent's own user, whose role is
 * `readWrite` on this database only.
 */
export interface AgentDocumentDatabase {
  /** Discriminates the store's kind. */
  readonly kind: 'in-cluster-mongodb';
  /** Host names of the replica set's members, one per member. */
  readonly hosts: readonly string[];
  /** Port of every member, 27017. */
  readonly port: number;
  /** Name of the replica set, for the client's `replicaSet` option. */
  readonly replicaSet: string;
  /** Name of the agent's database, also its user's authentication database. */
  readonly database: string;
  /** Secret in the agent's namespace with keys `username` and `password`. */
  readonly credentialsSecret: string;
  /** Secret in the agent's namespace with the replica set's CA certificate, key `ca.crt`. */
  readonly caSecret: string;
  /** Namespace of the members, for egress rules. @default - none: an external cluster, on `cidrs` */
  readonly namespace?: string;
  /** Labels of the members' pods, for egress rules. @default - none: an external cluster */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** The networks of an external cluster, for egress rules. @default - none: in the cluster */
  readonly cidrs?: readonly string[];
}

/**
 * An agent's keyspace on a site's in-cluster Cassandra datacenter: TLS with
 * the datacenter's CA, the agent's own role, which may use this keyspace only.
 */
export interface AgentWideColumnDatabase {
  /** Discriminates the store's kind. */
  readonly kind: 'in-cluster-cassandra';
  /** Host name of the datacenter's service, the client's contact point. */
  readonly host: string;
  /** Port of the CQL native protocol, 9042 (TLS only). */
  readonly port: number;
  /** Name of the datacenter, the client's local datacenter. */
  readonly datacenter: string;
  /** Name of the agent's keyspace. */
  readonly keyspace: string;
  /** Secret in the agent's namespace with keys `username` and `password`. */
  readonly credentialsSecret: string;
  /** Secret in the agent's namespace with the datacenter's CA certificate, key `ca.crt`. */
  readonly caSecret: string;
  /** Namespace of the nodes, for egress rules. @default - none: an external cluster, on `cidrs` */
  readonly namespace?: string;
  /** Labels of the nodes' pods, for egress rules. @default - none: an external cluster */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** The networks of an external cluster, for egress rules. @default - none: in the cluster */
  readonly cidrs?: readonly string[];
}

/**
 * An agent's database on a site's in-cluster YugabyteDB (YSQL, the Postgres
 * wire protocol): TLS with the universe's CA, the agent's own role, owner of
 * its database.
 */
export interface AgentYugabyteDatabase {
  /** Discriminates the store's kind. */
  readonly kind: 'in-cluster-yugabytedb';
  /** Host name of the tablet servers' service. */
  readonly host: string;
  /** Port of YSQL, 5433. */
  readonly port: number;
  /** Name of the agent's database. */
  readonly database: string;
  /** The schema the agent's role owns, for SQL state. @default - none: key-value state */
  readonly schema?: string;
  /** Secret in the agent's namespace with keys `username` and `password`. */
  readonly credentialsSecret: string;
  /** Secret in the agent's namespace with the universe's CA certificate, key `ca.crt`. */
  readonly caSecret: string;
  /** Namespace of the tablet servers, for egress rules. @default - none: an external cluster, on `cidrs` */
  readonly namespace?: string;
  /** Labels of the tablet servers' pods, for egress rules. @default - none: an external cluster */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** The networks of an external cluster, for egress rules. @default - none: in the cluster */
  readonly cidrs?: readonly string[];
}

/** An agent's store in an engine its site runs in the cluster. */
export type InClusterAgentStore =
  AgentDatabase | AgentDocumentDatabase | AgentWideColumnDatabase | AgentYugabyteDatabase;

/**
 * An agent's store in an in-cluster engine that takes TLS with the engine's
 * CA and the agent's own user (MongoDB, Cassandra, YugabyteDB): the agent
 * mounts both Secrets.
 */
export type InClusterTlsStore = Exclude<InClusterAgentStore, AgentDatabase>;

const IN_CLUSTER_STORES: ReadonlySet<StateStore['kind']> = new Set([
  'in-cluster-sql',
  'in-cluster-mongodb',
  'in-cluster-cassandra',
  'in-cluster-yugabytedb',
]);

/** Whether a store is in an engine the site runs in its cluster. */
export function isInClusterStore(store?: StateStore): store is InClusterAgentStore {
  return store !== undefined && IN_CLUSTER_STORES.has(store.kind);
}

/** Whether a store is in an in-cluster engine reached over TLS with a user of the agent's own. */
export function isInClusterTlsStore(store?: StateStore): store is InClusterTlsStore {
  return isInClusterStore(store) && store.kind !== 'in-cluster-sql';
}

/** What the infra stack of a cloud site gives the stacks of its cluster. */
export interface SiteCloudBindings {
  /**
   * The role KEDA's operator runs as (IRSA), allowed to read the depth of the
   * site's queues and the lag of its topics, nothing else.
   * @default - none: no agent of the site scales on a cloud queue or topic
   */
  readonly kedaRoleArn?: string;
  /**
   * The identity KEDA's operator runs as on Azure (workload identity),
   * allowed to read the site's Service Bus queues.
   * @default - none
   */
  readonly kedaAzureIdentity?: { readonly clientId: string; readonly tenantId: string };
  /** Per agent type placed on the site's cluster, by agent name. */
  readonly agents: Readonly<Record<string, AgentCloudBindings>>;
  /** The topics to create on each Kafka cluster of the site. @default - none */
  readonly kafkaTopics?: readonly KafkaTopicSet[];
  /** The database roles to create in the site's Aurora DSQL cluster. @default - none */
  readonly dsqlRoles?: DsqlRoleSet;
  /** The users to create in the site's Amazon DocumentDB cluster. @default - none */
  readonly documentDbUsers?: DocumentDbUserSet;
}

/** One Kafka topic, as it should exist on the cluster. */
export interface KafkaTopicSpec {
  /** Name of the topic: 1 to 249 letters, digits, `.`, `_` or `-`; not `.` or `..`. */
  readonly name: string;
  /** Partitions of the topic, 1 to 10000; they can grow later, never shrink. */
  readonly partitions: number;
  /**
   * Replicas of each partition, 1 to 7. Applied when the topic is created; an
   * existing topic with another factor fails the creating Job, since Kafka
   * changes it only by reassigning partitions.
   */
  readonly replicationFactor: number;
  /**
   * Topic-level configuration, e.g. `retention.ms` or `min.insync.replicas`,
   * set at creation and kept in step afterwards. Keys not listed are left as
   * they are on the cluster, not reset.
   * @see https://kafka.apache.org/documentation/#topicconfigs
   */
  readonly config: Readonly<Record<string, string>>;
}

/** The topics of one Kafka cluster and the identity allowed to create them. */
export interface KafkaTopicSet {
  /** Name of the Kafka broker of the environment. */
  readonly broker: string;
  /** Where the topic creator reaches the cluster, with the network (VPC CIDR) its egress is opened to. */
  readonly endpoint: KafkaEndpoint & { readonly networkCidr: string };
  /** Region of the cluster; the client signs its IAM authentication for it. */
  readonly region: string;
  /** Service-account annotations of the topic creator (IRSA). */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /** The topics to create on the cluster, sorted by name. */
  readonly topics: readonly KafkaTopicSpec[];
}

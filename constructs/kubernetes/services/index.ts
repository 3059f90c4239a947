/** Services a site runs in its cluster: RabbitMQ, Kafka (Strimzi) and its topics, CockroachDB, MongoDB, Cassandra, YugabyteDB, Consul, and Vault's wiring. */
export { CaCopies, caCopiesScript } from './ca-copies';
export type { CaCopiesProps, CaSource } from './ca-copies';
export { CASSANDRA_CQL_PORT, cassandraNames } from './cassandra-access';
export type { CassandraNames } from './cassandra-access';
export { CassandraDatacenter, CASSANDRA_VERSION } from './cassandra-datacenter';
export type { CassandraDatacenterProps, CassandraKeyspaceSpec } from './cassandra-datacenter';
export { CassandraOperatorRelease } from './cassandra-operator';
export type { CassandraOperatorReleaseProps } from './cassandra-operator';
export { CockroachDbRelease } from './cockroachdb';
export type {
  CockroachDbConnection,
  CockroachDbDatabaseSpec,
  CockroachDbReleaseProps,
} from './cockroachdb';
export { ConsulRegistration, ConsulRelease, consulTags } from './consul';
export type { ConsulRegistrationProps, ConsulReleaseProps, ConsulServicePort } from './consul';
export { KafkaTopics } from './kafka-topics';
export { DatabaseUsers } from './database-users';
export { collectionPlan } from './document-collections';
export type { CollectionPlan } from './document-collections';
export { DocumentDbUsers, usersScript } from './documentdb-users';
export type { DocumentDbUsersProps } from './documentdb-users';
export type { DatabaseUserNames, DatabaseUserSpec, DatabaseUsersProps } from './database-users';
export {
  MONGODB_METRICS_USER,
  MONGODB_PORT,
  mongoDbCertificateNames,
  mongoDbNames,
} from './mongodb-access';
export type { MongoDbNames } from './mongodb-access';
export { MongoDbOperatorRelease } from './mongodb-operator';
export type { MongoDbOperatorReleaseProps } from './mongodb-operator';
export {
  collectionsScript,
  MONGODB_VERSION,
  MongoDbReplicaSet,
  replicaSetManifest,
  serviceMonitorManifest,
} from './mongodb-replica-set';
export type { MongoDbDatabaseSpec, MongoDbReplicaSetProps } from './mongodb-replica-set';
export type { KafkaTopicsProps } from './kafka-topics';
export { certificatesScript, publishScript, ServerCertificates } from './server-certificates';
export type {
  CertificateFormats,
  ServerCertificateNames,
  ServerCertificatesProps,
} from './server-certificates';
export { provisioningJob } from './provisioning-job';
export type { ProvisioningJobProps, ProvisioningMount } from './provisioning-job';
export { RabbitMqCluster } from './rabbitmq-cluster';
export type { RabbitMqClusterProps, RabbitMqNodes } from './rabbitmq-cluster';
export { CassandraPlatform, SiteCassandra, siteCassandraPlan } from './site-cassandra';
export type {
  CassandraPlatformProps,
  SiteCassandraPlan,
  SiteCassandraProps,
} from './site-cassandra';
export { SiteKafka } from './site-kafka';
export type { SiteKafkaProps } from './site-kafka';
export { SITE_MONGODB_NAME, SiteMongoDb, siteMongoDbPlan } from './site-mongodb';
export type { SiteMongoDbPlan, SiteMongoDbProps } from './site-mongodb';
export { SiteServices, VAULT_CA_CONFIG_MAP, VAULT_CA_KEY } from './site-services';
export type { NamespaceFactory, SiteServicesProps } from './site-services';
export { StrimziKafkaCluster } from './strimzi-kafka';
export type {
  StrimziKafkaClusterProps,
  StrimziKafkaClusterRef,
  StrimziKafkaResources,
} from './strimzi-kafka';
export { StrimziOperatorRelease } from './strimzi-operator';
export type { StrimziOperatorReleaseProps, StrimziOperatorResources } from './strimzi-operator';
export { StrimziKafkaTopic } from './strimzi-topic';
export type { StrimziKafkaTopicProps } from './strimzi-topic';
export { siteYugabyteDbPlan, YugabyteDbPlatform } from './site-yugabytedb';
export type { SiteYugabyteDbPlan, YugabyteDbPlatformProps } from './site-yugabytedb';
export { YUGABYTEDB_YSQL_PORT, yugabyteDbNames } from './yugabytedb-access';
export type { YugabyteDbNames } from './yugabytedb-access';
export { YugabyteDbDatabases } from './yugabytedb-databases';
export type {
  YugabyteDbDatabaseSpec,
  YugabyteDbDatabasesProps,
  YugabyteDbProvisioning,
} from './yugabytedb-databases';
export { YUGABYTEDB_IMAGE, YugabyteDbRelease, yugabyteDbValues } from './yugabytedb-release';
export type { YugabyteDbReleaseProps } from './yugabytedb-release';

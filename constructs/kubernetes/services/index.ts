/** Services a site runs in its cluster: RabbitMQ, Kafka (Strimzi) and its topics, CockroachDB, MongoDB, Consul, and Vault's wiring. */
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
export type { ServerCertificateNames, ServerCertificatesProps } from './server-certificates';
export { RabbitMqCluster } from './rabbitmq-cluster';
export type { RabbitMqClusterProps } from './rabbitmq-cluster';
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

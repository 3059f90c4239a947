/** Services a site runs in its cluster: RabbitMQ, Kafka (Strimzi) and its topics, CockroachDB, Consul, and Vault's wiring. */
export { CockroachDbRelease } from './cockroachdb';
export type {
  CockroachDbConnection,
  CockroachDbDatabaseSpec,
  CockroachDbReleaseProps,
} from './cockroachdb';
export { ConsulRegistration, ConsulRelease, consulTags } from './consul';
export type { ConsulRegistrationProps, ConsulReleaseProps, ConsulServicePort } from './consul';
export { KafkaTopics } from './kafka-topics';
export type { KafkaTopicsProps } from './kafka-topics';
export { RabbitMqCluster } from './rabbitmq-cluster';
export type { RabbitMqClusterProps } from './rabbitmq-cluster';
export { SiteKafka } from './site-kafka';
export type { SiteKafkaProps } from './site-kafka';
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

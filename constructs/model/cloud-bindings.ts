/**
 * What the infra stack of an agent's cloud site built for it, as the values
 * its Kubernetes objects need. Values may be Terraform tokens of that stack.
 */
export interface AgentCloudBindings {
  /** Region of the services, passed to the agent as `AWS_REGION`. */
  readonly region: string;
  /**
   * Annotations of the agent's service account that give its pods their cloud
   * identity, e.g. `{ 'eks.amazonaws.com/role-arn': <role ARN> }` (IRSA).
   */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  /** The SQS queue of its `queue` binding on an SQS broker. @default - none */
  readonly sqs?: { readonly queueUrl: string; readonly deadLetterQueueUrl: string };
  /** The MSK cluster of its `topic` binding. @default - none */
  readonly kafka?: KafkaEndpoint;
  /** Its DynamoDB table. @default - none */
  readonly table?: { readonly name: string };
}

/** Where clients reach an MSK cluster: SASL/IAM over TLS. */
export interface KafkaEndpoint {
  /** `host:port` list, comma-separated. */
  readonly bootstrapServers: string;
  /** Port of the SASL/IAM listeners (9098). */
  readonly port: number;
  /** The network the brokers are in (the site's VPC CIDR), for egress rules. */
  readonly networkCidr: string;
}

/** What the infra stack of a cloud site gives the stacks of its cluster. */
export interface SiteCloudBindings {
  /**
   * The role KEDA's operator runs as (IRSA), allowed to read the depth of the
   * site's queues and the lag of its topics, nothing else.
   * @default - none: no agent of the site scales on a cloud queue or topic
   */
  readonly kedaRoleArn?: string;
  /** Per agent type placed on the site's cluster, by agent name. */
  readonly agents: Readonly<Record<string, AgentCloudBindings>>;
  /** The topics to create on each Kafka cluster of the site. @default - none */
  readonly kafkaTopics?: readonly KafkaTopicSet[];
}

/** One Kafka topic, as it should exist on the cluster. */
export interface KafkaTopicSpec {
  /** 1 to 249 letters, digits, `.`, `_` or `-`; not `.` or `..`. */
  readonly name: string;
  /** 1 to 10000. Partitions can grow later, never shrink. */
  readonly partitions: number;
  /**
   * 1 to 7. Applied when the topic is created; an existing topic with another
   * factor fails the creating Job, since Kafka changes it only by reassigning partitions.
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
  readonly endpoint: KafkaEndpoint;
  /** Region of the cluster; the client signs its IAM authentication for it. */
  readonly region: string;
  /** Service-account annotations of the topic creator (IRSA). */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  readonly topics: readonly KafkaTopicSpec[];
}

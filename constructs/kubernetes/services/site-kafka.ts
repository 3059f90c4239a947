import { Construct } from 'constructs';
import {
  BrokerSpec,
  brokerPoolMatch,
  DEFAULT_KEDA_NAMESPACE,
  inClusterKafkaOn,
  KafkaEndpoint,
  kafkaNamespace,
  kafkaTopicsOf,
  KubernetesSiteSpec,
  ResolvedAgent,
  tolerationsFor,
} from '../../../model';
import { StrimziKafkaCluster } from './strimzi-kafka';
import { StrimziKafkaTopic } from './strimzi-topic';

/** Props of {@link SiteKafka}. */
export interface SiteKafkaProps {
  /** The site: its node pools place the Kafka nodes. */
  readonly site: KubernetesSiteSpec;
  /** The environment's brokers; the site runs its in-cluster Kafka ones. */
  readonly brokers: readonly BrokerSpec[];
  /** The agent types placed on the site. */
  readonly agents: readonly ResolvedAgent[];
}

/**
 * The in-cluster Kafka clusters of a site, as Strimzi custom resources (the
 * operator comes with the platform stack): per cluster its nodes, on the
 * pools an in-cluster broker may use, and a `KafkaTopic` for every topic its
 * agents read (partitions at least the consumers' maximum replicas) and the
 * dead-letter topic beside it. Topics replicate as the cluster does: 3 copies
 * with `min.insync.replicas` 2 on 3 or more nodes.
 */
export class SiteKafka extends Construct {
  /** Where the site's agents reach each cluster, by broker name. */
  readonly endpoints: ReadonlyMap<string, KafkaEndpoint>;

  constructor(scope: Construct, id: string, props: SiteKafkaProps) {
    super(scope, id);
    const { site } = props;
    const pools = brokerPoolMatch(site.nodePools).pools;
    const endpoints = new Map<string, KafkaEndpoint>();
    for (const broker of inClusterKafkaOn(props.brokers, site.name)) {
      const consumers = props.agents.filter((agent) => agent.topic?.broker === broker.name);
      const inCluster = broker.inCluster ?? { site: site.name };
      const cluster = new StrimziKafkaCluster(this, broker.name, {
        name: broker.name,
        namespace: kafkaNamespace(broker),
        replicas: inCluster.replicas,
        reason: inCluster.reason,
        storage: inCluster.storage,
        storageClass: inCluster.storageClass,
        zoneAware: inCluster.zoneAware ?? site.cloud !== undefined,
        clientNamespaces: [...new Set(consumers.map((agent) => agent.namespace))],
        kedaNamespace: site.kedaNamespace ?? DEFAULT_KEDA_NAMESPACE,
        pools: pools.map((pool) => pool.name),
        tolerations: tolerationsFor(pools),
      });
      const topics = kafkaTopicsOf(consumers, {
        factor: cluster.replicationFactor,
        minInsyncReplicas: cluster.minInsyncReplicas,
      });
      for (const topic of topics) {
        const readers = consumers.filter((agent) => {
          const binding = agent.topic;
          const deadLetter = binding?.deadLetter.enabled ? binding.deadLetter.topic : undefined;
          return binding?.topic === topic.name || deadLetter === topic.name;
        });
        new StrimziKafkaTopic(cluster, `Topic-${topic.name}`, {
          cluster,
          topic,
          minPartitions: Math.max(...readers.map((agent) => agent.spec.scaling?.maxReplicas ?? 1)),
        });
      }
      endpoints.set(broker.name, {
        bootstrapServers: cluster.bootstrapServers,
        port: cluster.port,
        auth: 'none',
        inCluster: { namespace: cluster.namespace, podLabels: cluster.podLabels },
      });
    }
    this.endpoints = endpoints;
  }
}

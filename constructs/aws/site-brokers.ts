import { Construct } from 'constructs';
import { AwsSiteSpec, BrokerSpec } from '../../model';
import { AmazonMqBroker } from './amazon-mq-broker';
import { MskCluster } from './msk-cluster';

/** Props of {@link AwsSiteBrokers}. */
export interface AwsSiteBrokersProps {
  /** Name of the environment; with the site's, it prefixes the brokers' names. */
  readonly environment: string;
  /** The AWS site: its name, region and account. */
  readonly site: AwsSiteSpec;
  /** The environment's brokers; those the site builds are taken (MSK, Amazon MQ). */
  readonly brokers: readonly BrokerSpec[];
  /** Run managed brokers highly available. @default false */
  readonly production?: boolean;
  /** The site's VPC, where the brokers and their security groups are. */
  readonly vpcId: string;
  /** Private subnets, one per availability zone. */
  readonly subnetIds: readonly string[];
  /** Security groups of the clients, e.g. the EKS cluster's. */
  readonly clientSecurityGroupIds: readonly string[];
}

/** Default RabbitMQ version of Amazon MQ brokers. */
export const DEFAULT_AMAZON_MQ_VERSION = '3.13';

/**
 * The managed brokers an AWS site builds: an {@link MskCluster} per Kafka
 * broker and an {@link AmazonMqBroker} per RabbitMQ broker placed on the site,
 * each named `<environment>-<site>-<broker>` and reachable from the given
 * security groups only. Children are named after the brokers (`Kafka-<name>`,
 * `AmazonMq-<name>`): renaming a broker replaces it.
 */
export class AwsSiteBrokers extends Construct {
  /** MSK clusters by broker name. */
  readonly kafka: ReadonlyMap<string, MskCluster>;
  /** Amazon MQ brokers by broker name. */
  readonly rabbitMq: ReadonlyMap<string, AmazonMqBroker>;

  constructor(scope: Construct, id: string, props: AwsSiteBrokersProps) {
    super(scope, id);
    const { site } = props;
    const common = {
      vpcId: props.vpcId,
      accountId: site.accountId,
      region: site.region,
      clientSecurityGroupIds: props.clientSecurityGroupIds,
    };
    const name = (broker: string) => `${props.environment}-${site.name}-${broker}`;
    const kafka = new Map<string, MskCluster>();
    const rabbitMq = new Map<string, AmazonMqBroker>();
    for (const broker of props.brokers) {
      if (broker.kind === 'kafka' && broker.msk?.site === site.name) {
        const msk = broker.msk;
        kafka.set(
          broker.name,
          new MskCluster(this, `Kafka-${broker.name}`, {
            ...common,
            name: name(broker.name),
            subnetIds: props.subnetIds,
            kafkaVersion: msk.kafkaVersion,
            brokerCount: msk.brokerCount,
            instanceType: msk.instanceType,
            volumeSize: msk.volumeSize,
          }),
        );
      }
      if (broker.kind === 'rabbitmq' && broker.amazonMq?.site === site.name) {
        const mq = broker.amazonMq;
        rabbitMq.set(
          broker.name,
          new AmazonMqBroker(this, `AmazonMq-${broker.name}`, {
            ...common,
            name: name(broker.name),
            // A single instance lives in one zone; a cluster spans them.
            subnetIds: props.production ? props.subnetIds : props.subnetIds.slice(0, 1),
            production: props.production,
            engineVersion: mq.engineVersion ?? DEFAULT_AMAZON_MQ_VERSION,
            instanceType: mq.instanceType,
          }),
        );
      }
    }
    this.kafka = kafka;
    this.rabbitMq = rabbitMq;
  }
}

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';

/**
 * GR-DUR-06: Amazon MQ for RabbitMQ brokers run as a three-node
 * `CLUSTER_MULTI_AZ` cluster, which quorum queues need and which survives a
 * zone; the provider's default is `SINGLE_INSTANCE`. A warning, since a rule
 * cannot tell production from a test environment, where one instance is a
 * legitimate saving (the project's AmazonMqBroker renders a cluster when
 * `production` is set).
 * @see terraform-provider-aws `mq_broker` doc; custom
 */
export const mqRabbitMqCluster: GuardrailRule = {
  id: 'GR-DUR-06',
  level: 'warning',
  summary: 'Amazon MQ RabbitMQ brokers run as CLUSTER_MULTI_AZ (production)',
  fix: 'set `production` to true for an environment that serves production: its Amazon MQ brokers then run as CLUSTER_MULTI_AZ; a broker of your own needs deployment_mode = "CLUSTER_MULTI_AZ"',
  appliesTo: ['aws_mq_broker'],
  evaluate(broker) {
    if (String(broker.attributes.engine_type).toLowerCase() !== 'rabbitmq') return 'not-applicable';
    const mode: unknown = broker.attributes.deployment_mode ?? 'SINGLE_INSTANCE';
    return mode === 'CLUSTER_MULTI_AZ'
      ? COMPLIANT
      : violation(`deployment_mode is ${mode}: one broker in one zone, no quorum queues`);
  },
};

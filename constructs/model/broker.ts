/**
 * Where clients reach a broker: pods in a namespace of the same cluster, or
 * addresses outside it. Decides the agents' NetworkPolicy egress.
 */
export type BrokerEndpoint =
  | {
      readonly inCluster: {
        readonly namespace: string;
        /** Labels of the broker's pods. */
        readonly podLabels: Readonly<Record<string, string>>;
        /** Service DNS name. */
        readonly host: string;
      };
    }
  | { readonly external: { readonly host: string; readonly cidrs: readonly string[] } };

/**
 * A RabbitMQ broker of the environment. KEDA reads queue depth through the
 * management API with credentials from a Secret in KEDA's namespace (key
 * `host`: `http://<user>:<password>@<host>:<port>/`), referenced by a
 * ClusterTriggerAuthentication: no credential is in the synthesized output.
 */
export interface RabbitMqBrokerSpec {
  readonly name: string;
  readonly kind: 'rabbitmq';
  readonly endpoint: BrokerEndpoint;
  /** @default - amqp 5672, management 15672 */
  readonly ports?: { readonly amqp?: number; readonly management?: number };
  /** @default 'keda-rabbitmq-<name>' */
  readonly credentialsSecret?: string;
}

export type BrokerSpec = RabbitMqBrokerSpec;

export function brokerPorts(broker: BrokerSpec): { amqp: number; management: number } {
  return { amqp: broker.ports?.amqp ?? 5672, management: broker.ports?.management ?? 15672 };
}

export function brokerCredentialsSecret(broker: BrokerSpec): string {
  return broker.credentialsSecret ?? `keda-rabbitmq-${broker.name}`;
}

export function brokerHost(broker: BrokerSpec): string {
  return 'inCluster' in broker.endpoint
    ? broker.endpoint.inCluster.host
    : broker.endpoint.external.host;
}

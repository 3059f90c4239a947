import {
  NetworkPolicyV1,
  NetworkPolicyV1SpecEgress,
  NetworkPolicyV1SpecIngress,
} from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { Construct } from 'constructs';
import {
  InClusterAgentStore,
  brokerEndpoint,
  brokerPorts,
  KafkaEndpoint,
  RabbitMqBrokerSpec,
} from '../../../model';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * IPv4 ranges that are not public: private (RFC 1918), shared (carrier NAT),
 * link-local (instance metadata) and loopback. Egress to public endpoints
 * excepts them, so it reaches no pod, node or metadata service.
 */
export const NON_PUBLIC_IPV4: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '169.254.0.0/16',
  '127.0.0.0/8',
];

/**
 * The NetworkPolicy of a Job that calls AWS APIs: no ingress; egress to DNS,
 * to one network on one port (the service it works on), and to public
 * endpoints on 443 only (STS and the service's API), never a pod, node or the
 * metadata service. Returns the policy, which the Job should depend on.
 */
export function awsJobNetworkPolicy(
  scope: Construct,
  props: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly cidr: string;
    readonly port: number;
  },
): NetworkPolicyV1 {
  const { name, namespace, labels } = props;
  return new NetworkPolicyV1(scope, 'NetworkPolicy', {
    metadata: { name, namespace, labels: { ...labels } },
    spec: {
      podSelector: { matchLabels: { ...labels } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [
        DNS_EGRESS,
        {
          to: [{ ipBlock: { cidr: props.cidr } }],
          ports: [{ port: String(props.port), protocol: 'TCP' }],
        },
        {
          to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...NON_PUBLIC_IPV4] } }],
          ports: [{ port: '443', protocol: 'TCP' }],
        },
      ],
    },
  });
}

/** Egress to the cluster's DNS (kube-dns in `kube-system`), which every pod needs. */
export const DNS_EGRESS: NetworkPolicyV1SpecEgress = {
  to: [
    {
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { port: '53', protocol: 'UDP' },
    { port: '53', protocol: 'TCP' },
  ],
};

/** Props of {@link AgentNetworkPolicy}. */
export interface AgentNetworkPolicyProps {
  /** Name of the policy. */
  readonly name: string;
  /** Namespace of the policy and of the agent's pods. */
  readonly namespace: string;
  /** Labels that select the agent's pods. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** Brokers the agent talks AMQP to. @default - none */
  readonly brokers?: readonly RabbitMqBrokerSpec[];
  /** Named port Prometheus scrapes, admitted from the monitoring namespace only. @default - no ingress */
  readonly metricsPort?: string;
  /** Namespace of Prometheus, the only one admitted to the metrics port. */
  readonly monitoringNamespace: string;
  /** Extra egress as CIDRs and TCP ports. @default - none */
  readonly egress?: readonly { readonly cidr: string; readonly ports: readonly number[] }[];
  /**
   * The agent's Kafka cluster: its brokers' network (may be a Terraform
   * token) or pods, and listener port.
   * @default - none
   */
  readonly kafka?: Pick<KafkaEndpoint, 'networkCidr' | 'inCluster' | 'port'>;
  /**
   * The agent's in-cluster database: a CockroachDB Service, or the members of a
   * MongoDB replica set.
   * @default - none
   */
  readonly database?: InClusterAgentStore;
  /**
   * Reach the cloud's public regional endpoints (STS for the workload identity,
   * SQS, DynamoDB) over HTTPS: TCP 443 to any public address.
   * @default false
   */
  readonly cloudApis?: boolean;
}

/**
 * Default-deny NetworkPolicy for one agent: ingress only from the monitoring
 * namespace to the metrics port; egress only to cluster DNS, the agent's brokers
 * (RabbitMQ, a Kafka cluster's network), the cloud's public APIs when it has a
 * cloud identity, and the networks it declares.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export class AgentNetworkPolicy extends Construct {
  constructor(scope: Construct, id: string, props: AgentNetworkPolicyProps) {
    super(scope, id);
    const ingress: NetworkPolicyV1SpecIngress[] = props.metricsPort
      ? [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { [NAMESPACE_NAME_LABEL]: props.monitoringNamespace },
                },
              },
            ],
            ports: [{ port: props.metricsPort, protocol: 'TCP' }],
          },
        ]
      : [];
    const egress: NetworkPolicyV1SpecEgress[] = [DNS_EGRESS];
    egress.push(...(props.brokers ?? []).map(brokerEgress));
    const kafka = props.kafka;
    if (kafka?.inCluster) {
      egress.push(podEgress(kafka.inCluster, kafka.port));
    } else if (kafka?.networkCidr) {
      egress.push({
        to: [{ ipBlock: { cidr: kafka.networkCidr } }],
        ports: [{ port: String(kafka.port), protocol: 'TCP' }],
      });
    }
    if (props.database) egress.push(storeEgress(props.database));
    if (props.cloudApis) {
      // STS, SQS and DynamoDB answer on public regional endpoints, reached through
      // the NAT gateway: a NetworkPolicy cannot name them, so any public address is
      // allowed on 443 and the private ranges stay closed, so that this rule opens
      // no path to other workloads of the network. (VPC interface endpoints would
      // put them in the network's range and need a rule of their own.)
      egress.push({
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: [...NON_PUBLIC_IPV4] } }],
        ports: [{ port: '443', protocol: 'TCP' }],
      });
    }
    for (const rule of props.egress ?? []) {
      egress.push({
        to: [{ ipBlock: { cidr: rule.cidr } }],
        ports: rule.ports.map((port) => ({ port: String(port), protocol: 'TCP' })),
      });
    }
    new NetworkPolicyV1(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: { ...props.podLabels } },
        policyTypes: ['Ingress', 'Egress'],
        ingress,
        egress,
      },
    });
  }
}

/** Egress to the pods of a service in another namespace of the cluster. */
/** Egress to an agent's store: its engine's pods, or the networks of an external cluster. */
function storeEgress(store: InClusterAgentStore): NetworkPolicyV1SpecEgress {
  const ports = [{ port: String(store.port), protocol: 'TCP' }];
  if ('cidrs' in store && store.cidrs) {
    return { to: store.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports };
  }
  return podEgress(
    { namespace: store.namespace ?? '', podLabels: store.podLabels ?? {} },
    store.port,
  );
}

function podEgress(
  pods: { readonly namespace: string; readonly podLabels: Readonly<Record<string, string>> },
  port: number,
): NetworkPolicyV1SpecEgress {
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: pods.namespace } },
        podSelector: { matchLabels: { ...pods.podLabels } },
      },
    ],
    ports: [{ port: String(port), protocol: 'TCP' }],
  };
}

function brokerEgress(broker: RabbitMqBrokerSpec): NetworkPolicyV1SpecEgress {
  const ports = [{ port: String(brokerPorts(broker).amqp), protocol: 'TCP' }];
  const endpoint = brokerEndpoint(broker);
  if (endpoint.kind === 'in-cluster') {
    return {
      to: [
        {
          namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: endpoint.namespace } },
          podSelector: { matchLabels: { ...endpoint.podLabels } },
        },
      ],
      ports,
    };
  }
  return { to: endpoint.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports };
}

import {
  NetworkPolicyV1,
  NetworkPolicyV1SpecEgress,
  NetworkPolicyV1SpecIngress,
} from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { Construct } from 'constructs';
import { brokerEndpoint, brokerPorts, RabbitMqBrokerSpec } from '../model';

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Props of {@link AgentNetworkPolicy}. */
export interface AgentNetworkPolicyProps {
  readonly name: string;
  readonly namespace: string;
  readonly podLabels: Readonly<Record<string, string>>;
  /** Brokers the agent talks AMQP to. @default - none */
  readonly brokers?: readonly RabbitMqBrokerSpec[];
  /** Named port Prometheus scrapes, admitted from the monitoring namespace only. @default - no ingress */
  readonly metricsPort?: string;
  readonly monitoringNamespace: string;
  /** Extra egress as CIDRs and TCP ports. @default - none */
  readonly egress?: readonly { readonly cidr: string; readonly ports: readonly number[] }[];
}

/**
 * Default-deny NetworkPolicy for one agent: ingress only from the monitoring
 * namespace to the metrics port; egress only to cluster DNS, the agent's brokers
 * and the networks it declares.
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
    const egress: NetworkPolicyV1SpecEgress[] = [
      {
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
      },
    ];
    egress.push(...(props.brokers ?? []).map(brokerEgress));
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

import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { Construct } from 'constructs';

/** Pod Security Standard a namespace enforces. */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** Label that tells agent namespaces from platform ones (brokers admit agents by it). */
export const NAMESPACE_ROLE_LABEL = 'agent-fleet.dev/role';

/** Props of {@link FleetNamespace}. */
export interface FleetNamespaceProps {
  /** DNS label. */
  readonly name: string;
  /** What runs in it. */
  readonly role: 'agents' | 'platform';
  /**
   * Pod Security Standard enforced; `restricted` is always warned about, so
   * anything less is visible on every apply.
   * @default 'restricted'
   */
  readonly podSecurity?: PodSecurityLevel;
}

/**
 * A namespace of the fleet, enforcing a Pod Security Standard.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export class FleetNamespace extends Construct {
  /** The namespace's name, as a reference that orders its objects after it. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: FleetNamespaceProps) {
    super(scope, id);
    const namespace = new NamespaceV1(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          'app.kubernetes.io/part-of': 'agent-fleet',
          [NAMESPACE_ROLE_LABEL]: props.role,
          'pod-security.kubernetes.io/enforce': props.podSecurity ?? 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    this.name = namespace.metadata.name;
  }
}

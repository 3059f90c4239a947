import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Construct } from 'constructs';

/** Props of {@link WriteOnlySecret}. */
export interface WriteOnlySecretProps {
  /** Name of the Secret. */
  readonly name: string;
  /** Namespace of the Secret. */
  readonly namespace: string;
  /** Labels added to `app.kubernetes.io/part-of: agent-fleet`. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** Keys and values; values may hold ephemeral references. */
  readonly data: Readonly<Record<string, string>>;
  /**
   * Raise to write new values (e.g. to rotate a generated password).
   * @default 1
   */
  readonly revision?: number;
}

/**
 * A Kubernetes Secret whose data is a write-only argument (`data_wo`,
 * Terraform 1.11+): the values reach the cluster but never the plan, the state
 * or the synthesized output.
 * @see https://developer.hashicorp.com/terraform/language/resources/ephemeral/write-only
 */
export class WriteOnlySecret extends Construct {
  /** The Secret's name, as a reference. */
  readonly name: string;
  /** The `kubernetes_secret_v1` resource, for `dependsOn` of what reads the Secret. */
  readonly resource: SecretV1;

  constructor(scope: Construct, id: string, props: WriteOnlySecretProps) {
    super(scope, id);
    const secret = (this.resource = new SecretV1(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/part-of': 'agent-fleet', ...props.labels },
      },
      type: 'Opaque',
      dataWo: { ...props.data },
      dataWoRevision: props.revision ?? 1,
    }));
    this.name = secret.metadata.name;
  }
}

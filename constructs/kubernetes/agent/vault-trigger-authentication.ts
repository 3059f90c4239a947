import { Manifest as ManifestResource } from '@cdktf/provider-kubernetes/lib/manifest';
import { Construct } from 'constructs';
import { Manifest } from '../core/pod-manifest';
import { triggerAuthenticationName } from './keda';

/** Token file of KEDA's operator, with which it logs in to Vault as itself. */
const OPERATOR_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Inputs of {@link vaultClusterTriggerAuthentication}. */
export interface VaultTriggerAuthenticationOptions {
  /** RabbitMQ broker name. */
  readonly broker: string;
  /** Vault's address, e.g. `https://vault.dc1.example:8200`. */
  readonly address: string;
  /** The cluster's Kubernetes auth mount, without `auth/` (`VaultFleetAccess.authMount`). */
  readonly mount: string;
  /** Vault role bound to KEDA's operator (`KEDA_VAULT_ROLE`). */
  readonly role: string;
  /** API path of the KV v2 secret holding the management URI (`<kv>/data/...`). */
  readonly path: string;
  /** Key of the management URI in that secret. @default 'host' */
  readonly key?: string;
}

/**
 * ClusterTriggerAuthentication for a RabbitMQ broker whose management URI
 * (`http://<user>:<password>@<host>:<port>/`) is in Vault: KEDA's operator logs
 * in with its own service account token through the cluster's Kubernetes auth
 * mount and reads the `host` parameter of the `rabbitmq` scaler from a KV v2
 * secret. No credential is in the cluster or the output. KEDA must trust
 * Vault's CA (its Vault client reads `VAULT_CACERT`).
 * @see https://keda.sh/docs/2.20/authentication-providers/hashicorp-vault/
 */
export function vaultClusterTriggerAuthentication(
  options: VaultTriggerAuthenticationOptions,
): Manifest {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ClusterTriggerAuthentication',
    metadata: {
      name: triggerAuthenticationName({ name: options.broker }),
      labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
    },
    spec: {
      hashiCorpVault: {
        address: options.address,
        authentication: 'kubernetes',
        role: options.role,
        mount: options.mount,
        credential: { serviceAccount: OPERATOR_TOKEN },
        secrets: [
          { parameter: 'host', key: options.key ?? 'host', path: options.path, type: 'secretV2' },
        ],
      },
    },
  };
}

/** Props of {@link VaultTriggerAuthentication}. */
export type VaultTriggerAuthenticationProps = VaultTriggerAuthenticationOptions;

/**
 * The {@link vaultClusterTriggerAuthentication} of one broker as a cluster
 * object; belongs in the site's agents stack, like `BrokerTriggerAuthentication`,
 * whose place it takes on sites with Vault.
 */
export class VaultTriggerAuthentication extends Construct {
  constructor(scope: Construct, id: string, props: VaultTriggerAuthenticationProps) {
    super(scope, id);
    new ManifestResource(this, 'Resource', { manifest: vaultClusterTriggerAuthentication(props) });
  }
}

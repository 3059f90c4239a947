import { Release } from '@cdktf/provider-helm/lib/release';
import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { DataKubernetesConfigMapV1 } from '@cdktf/provider-kubernetes/lib/data-kubernetes-config-map-v1';
import { AuthBackend } from '@cdktf/provider-vault/lib/auth-backend';
import { KubernetesAuthBackendConfig } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-config';
import { KubernetesAuthBackendRole } from '@cdktf/provider-vault/lib/kubernetes-auth-backend-role';
import { KvSecretV2 } from '@cdktf/provider-vault/lib/kv-secret-v2';
import { Mount } from '@cdktf/provider-vault/lib/mount';
import { Policy } from '@cdktf/provider-vault/lib/policy';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Fn, ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Duration, KEDA_OPERATOR_SERVICE_ACCOUNT, Problem, ValidationError } from '../../../model';
import { NAMESPACE_ROLE_LABEL } from '../core/namespace';
import {
  agentSecretName,
  kedaBrokerSecretName,
  kubernetesAuthMount,
  kvDataPath,
} from '../core/vault-annotations';
import { CHARTS } from '../platform/charts';

/** Vault role through which KEDA reads broker credentials. */
export const KEDA_VAULT_ROLE = 'keda-operator';

const SEGMENT = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Props of {@link fleetVaultProvider}. */
export interface FleetVaultProviderProps {
  /** Vault's address. @default - `VAULT_ADDR` from the environment */
  readonly address?: string;
  /** PEM file of the CA that signed Vault's certificate. @default - `VAULT_CACERT`, else the system's CAs */
  readonly caCertFile?: string;
  /**
   * Log in with the CI job's OIDC token through Vault's JWT auth method; the
   * token itself comes from `TERRAFORM_VAULT_AUTH_JWT`.
   * @default - the token in `VAULT_TOKEN` (or `~/.vault-token`)
   */
  readonly jwtLogin?: { readonly mount: string; readonly role: string };
}

/**
 * The vault provider of a stack. It never holds a credential: the token comes
 * from `VAULT_TOKEN`, or a CI job logs in with its OIDC token from
 * `TERRAFORM_VAULT_AUTH_JWT`; without a child token, since a JWT role's token
 * usually may not create tokens.
 * @see https://registry.terraform.io/providers/hashicorp/vault/5.6.0/docs#vault-authentication-configuration-options
 */
export function fleetVaultProvider(
  scope: Construct,
  props: FleetVaultProviderProps = {},
): VaultProvider {
  return new VaultProvider(scope, 'vault', {
    address: props.address,
    caCertFile: props.caCertFile,
    ...(props.jwtLogin
      ? {
          skipChildToken: true,
          authLoginJwt: [{ mount: props.jwtLogin.mount, role: props.jwtLogin.role }],
        }
      : {}),
  });
}

/** Props of {@link VaultInjectorRelease}. */
export interface VaultInjectorReleaseProps {
  /** Namespace the injector runs in; it must not match `namespaceSelector`. */
  readonly namespace: string;
  /** Address of the datacenter's Vault, e.g. `https://vault.dc1.example:8200`. */
  readonly externalVaultAddr: string;
  /** This cluster's id in Vault: agents log in at `auth/kubernetes/<clusterId>`. */
  readonly clusterId: string;
  /**
   * ConfigMap, in `namespace`, holding the PEM of the CA that signed Vault's
   * certificate. Every injected Vault Agent trusts it.
   */
  readonly vaultCaConfigMap: string;
  /** Key of the PEM in {@link vaultCaConfigMap}. @default 'ca.crt' */
  readonly vaultCaKey?: string;
  /**
   * Labels of the namespaces whose pods the webhook sees. It fails closed
   * there (`failurePolicy: Fail`): a pod that asks for secrets is never
   * started without them.
   * @default - the fleet's agent namespaces (`agent-fleet.dev/role: agents`)
   */
  readonly namespaceSelector?: Readonly<Record<string, string>>;
  /** Injector replicas; with a failing-closed webhook, one is a single point of failure. @default 2 */
  readonly replicas?: number;
  /** What must exist first, e.g. the CA ConfigMap when this stack writes it. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Vault's Agent Injector, without a Vault server: a mutating webhook that adds
 * a Vault Agent to pods annotated for it (see {@link vaultAgentAnnotations}).
 * The agents log in to the datacenter's Vault with their pod's service account
 * through this cluster's Kubernetes auth mount and trust the CA from
 * `vaultCaConfigMap` (read at plan time, passed as
 * `AGENT_INJECT_VAULT_CACERT_BYTES`). The webhook admits nothing it could not
 * mutate in the selected namespaces; it runs two replicas with a disruption
 * budget and the chart's anti-affinity.
 * @see https://developer.hashicorp.com/vault/docs/platform/k8s/injector
 * @see https://developer.hashicorp.com/vault/docs/platform/k8s/helm/configuration
 */
export class VaultInjectorRelease extends Construct {
  /** The `helm_release` of HashiCorp's Vault chart, with only the injector enabled. */
  readonly release: Release;

  constructor(scope: Construct, id: string, props: VaultInjectorReleaseProps) {
    super(scope, id);
    const replicas = props.replicas ?? 2;
    const problems: Problem[] = [];
    if (!props.externalVaultAddr.startsWith('https://')) {
      problems.push({
        path: ['externalVaultAddr'],
        message: `'${props.externalVaultAddr}' must be an https:// address`,
      });
    }
    if (!SEGMENT.test(props.clusterId)) {
      problems.push({ path: ['clusterId'], message: `'${props.clusterId}' must be a DNS label` });
    }
    if (!Number.isInteger(replicas) || replicas < 1) {
      problems.push({ path: ['replicas'], message: `(${replicas}) must be a whole number >= 1` });
    }
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const ca = new DataKubernetesConfigMapV1(this, 'VaultCa', {
      metadata: { name: props.vaultCaConfigMap, namespace: props.namespace },
      dependsOn: props.dependsOn,
    });
    const selector = props.namespaceSelector ?? { [NAMESPACE_ROLE_LABEL]: 'agents' };
    const injectorLabels = {
      'app.kubernetes.io/name': 'vault-agent-injector',
      'app.kubernetes.io/instance': 'vault',
      component: 'webhook',
    };
    this.release = new Release(this, 'Resource', {
      name: 'vault',
      namespace: props.namespace,
      ...CHARTS.vault,
      atomic: true,
      cleanupOnFail: true,
      dependsOn: props.dependsOn,
      values: [
        JSON.stringify({
          global: { enabled: true, externalVaultAddr: props.externalVaultAddr, tlsDisable: false },
          server: { enabled: false },
          csi: { enabled: false },
          ui: { enabled: false },
          injector: {
            enabled: true,
            replicas,
            leaderElector: { enabled: true },
            metrics: { enabled: true },
            authPath: `auth/${kubernetesAuthMount(props.clusterId)}`,
            logFormat: 'json',
            revokeOnShutdown: true,
            resources: {
              requests: { cpu: '50m', memory: '64Mi' },
              limits: { cpu: '250m', memory: '128Mi' },
            },
            agentDefaults: {
              cpuRequest: '50m',
              cpuLimit: '250m',
              memRequest: '64Mi',
              memLimit: '128Mi',
              template: 'map',
              templateConfig: { exitOnRetryFailure: true },
            },
            webhook: {
              failurePolicy: 'Fail',
              timeoutSeconds: 10,
              namespaceSelector: { matchLabels: { ...selector } },
            },
            podDisruptionBudget: { maxUnavailable: 1 },
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: injectorLabels },
              },
            ],
          },
        }),
        // A document of its own, as the reference's quotes are not JSON until Terraform resolves them;
        // base64, as the PEM's line breaks would not survive the values document.
        JSON.stringify({
          injector: {
            extraEnvironmentVars: {
              AGENT_INJECT_VAULT_CACERT_BYTES: Fn.base64encode(
                ca.data.lookup(props.vaultCaKey ?? 'ca.crt'),
              ),
            },
          },
        }),
      ],
    });
  }
}

/** A workload that logs in to Vault with its service account. */
export interface VaultWorkloadIdentity {
  /** Agent type; also its Vault role. */
  readonly name: string;
  /** Namespace the workload's pods run in. */
  readonly namespace: string;
  /** Name of the service account the workload's pods run as, which its Vault role is bound to. */
  readonly serviceAccount: string;
}

/** KEDA's access to broker credentials in Vault. */
export interface VaultKedaAccess {
  /** Namespace KEDA's operator runs in. */
  readonly namespace: string;
  /** The operator's service account. @default 'keda-operator' */
  readonly serviceAccount?: string;
  /** RabbitMQ brokers whose management URI KEDA reads. */
  readonly brokers: readonly string[];
}

/** Props of {@link VaultFleetAccess}. */
export interface VaultFleetAccessProps {
  /** This cluster's id; its auth mount is `kubernetes/<clusterId>`. */
  readonly clusterId: string;
  /** The cluster's API server as Vault reaches it, e.g. `https://10.0.0.1:6443`. */
  readonly kubernetesHost: string;
  /**
   * PEM of the CA of the cluster's API server (public).
   * @default - Vault verifies the API server against its system's trusted CAs
   */
  readonly kubernetesCaCertificate?: string;
  /** Environment name: first segment of every secret path. */
  readonly environment: string;
  /** Site name: second segment of every secret path. */
  readonly site: string;
  /** Path of the KV v2 mount holding the fleet's secrets. */
  readonly kvMount: string;
  /**
   * Create the KV v2 mount here. One Vault serves many sites, so only one
   * stack may create it; the others name it.
   * @default false
   */
  readonly createKvMount?: boolean;
  /** Agents of the site that read their own secrets. */
  readonly agents: readonly VaultWorkloadIdentity[];
  /** KEDA's role. @default - none */
  readonly keda?: VaultKedaAccess;
  /** Lifetime of a login's token; agents renew it. @default 1 hour */
  readonly tokenTtl?: Duration;
  /** Longest life of a token, renewals included; agents then log in again. @default 24 hours */
  readonly tokenMaxTtl?: Duration;
}

/**
 * What Vault needs to know about one cluster of the fleet: a Kubernetes auth
 * mount at `kubernetes/<clusterId>`, and per agent a policy reading only
 * `<kv>/data/<env>/<site>/<agent>/*` and a role bound to the agent's service
 * account in its namespace; for KEDA, a policy reading only the listed
 * brokers' credentials and a role bound to KEDA's operator.
 *
 * Token review: no reviewer token is configured and `disable_local_ca_jwt`
 * is set, so Vault calls the cluster's TokenReview API with the very JWT it
 * is asked to accept. Nothing long-lived is stored in Vault or in the output,
 * but each logging-in service account must hold `system:auth-delegator`
 * ({@link VaultAuthDelegation}, in the cluster's platform stack).
 * @see https://developer.hashicorp.com/vault/docs/auth/kubernetes#use-the-vault-client-s-jwt-as-the-reviewer-jwt
 * @see https://registry.terraform.io/providers/hashicorp/vault/5.6.0/docs/resources/kubernetes_auth_backend_config
 */
export class VaultFleetAccess extends Construct {
  /** The auth mount's path, without `auth/` (for KEDA's `mount` and `auth-path`). */
  readonly authMount: string;
  /** Path of the KV v2 mount holding the fleet's secrets. */
  readonly kvMount: string;
  /** The `vault_auth_backend` of the cluster's Kubernetes auth mount. */
  readonly resource: AuthBackend;

  constructor(scope: Construct, id: string, props: VaultFleetAccessProps) {
    super(scope, id);
    const { environment: env, site, kvMount } = props;
    const problems: Problem[] = [];
    for (const [field, value] of [
      ['clusterId', props.clusterId],
      ['environment', env],
      ['site', site],
    ] as const) {
      if (!SEGMENT.test(value))
        problems.push({ path: [field], message: `'${value}' must be a DNS label` });
    }
    const seen = new Set<string>();
    props.agents.forEach((agent, index) => {
      if (!SEGMENT.test(agent.name)) {
        problems.push({
          path: ['agents', index, 'name'],
          message: `'${agent.name}' must be a DNS label`,
        });
      }
      if (seen.has(agent.name)) {
        problems.push({
          path: ['agents', index, 'name'],
          message: `'${agent.name}' appears twice`,
        });
      }
      if (props.keda && agent.name === KEDA_VAULT_ROLE) {
        problems.push({
          path: ['agents', index, 'name'],
          message: `'${agent.name}' is KEDA's Vault role`,
        });
      }
      seen.add(agent.name);
    });
    if (props.keda?.brokers.length === 0) {
      problems.push({ path: ['keda', 'brokers'], message: 'must name at least one broker' });
    }
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const tokenTtl = (props.tokenTtl ?? Duration.hours(1)).toSeconds();
    const tokenMaxTtl = (props.tokenMaxTtl ?? Duration.hours(24)).toSeconds();
    this.kvMount = kvMount;
    this.authMount = kubernetesAuthMount(props.clusterId);
    const auth = (this.resource = new AuthBackend(this, 'Resource', {
      type: 'kubernetes',
      path: this.authMount,
      description: `agent-fleet ${env}/${site}: cluster ${props.clusterId}`,
    }));
    new KubernetesAuthBackendConfig(this, 'Config', {
      backend: auth.path,
      kubernetesHost: props.kubernetesHost,
      kubernetesCaCert: props.kubernetesCaCertificate,
      disableLocalCaJwt: true,
    });
    const kv = props.createKvMount
      ? new Mount(this, 'Kv', {
          path: kvMount,
          type: 'kv',
          options: { version: '2' },
          description: 'agent-fleet secrets',
        })
      : undefined;

    const grant = (
      owner: Construct,
      policyName: string,
      paths: readonly string[],
      identity: { role: string; namespace: string; serviceAccount: string },
    ) => {
      const policy = new Policy(owner, 'Policy', {
        name: policyName,
        policy: readPolicy(paths),
        dependsOn: kv ? [kv] : undefined,
      });
      new KubernetesAuthBackendRole(owner, 'Role', {
        backend: auth.path,
        roleName: identity.role,
        boundServiceAccountNames: [identity.serviceAccount],
        boundServiceAccountNamespaces: [identity.namespace],
        aliasNameSource: 'serviceaccount_name',
        tokenPolicies: [policy.name],
        tokenTtl,
        tokenMaxTtl,
      });
    };
    for (const agent of props.agents) {
      grant(
        new Construct(this, agent.name),
        vaultPolicyName(env, site, agent.name),
        [kvDataPath(kvMount, agentSecretName(env, site, agent.name, '*'))],
        { role: agent.name, namespace: agent.namespace, serviceAccount: agent.serviceAccount },
      );
    }
    if (props.keda) {
      grant(
        new Construct(this, 'Keda'),
        vaultPolicyName(env, site, 'keda'),
        props.keda.brokers.map((broker) =>
          kvDataPath(kvMount, kedaBrokerSecretName(env, site, broker)),
        ),
        {
          role: KEDA_VAULT_ROLE,
          namespace: props.keda.namespace,
          serviceAccount: props.keda.serviceAccount ?? KEDA_OPERATOR_SERVICE_ACCOUNT,
        },
      );
    }
  }
}

/** Name of the Vault policy of an agent (or of KEDA) on a site; policies are global to Vault. */
export function vaultPolicyName(env: string, site: string, subject: string): string {
  return `agent-fleet-${env}-${site}-${subject}`;
}

/** A Vault policy granting `read` on exactly the given paths. */
function readPolicy(paths: readonly string[]): string {
  return paths.map((path) => `path "${path}" {\n  capabilities = ["read"]\n}\n`).join('\n');
}

/** Props of {@link VaultAuthDelegation}. */
export interface VaultAuthDelegationProps {
  /** Service accounts that log in to Vault: agents and KEDA's operator. */
  readonly serviceAccounts: readonly { readonly namespace: string; readonly name: string }[];
}

/**
 * Lets the listed service accounts' tokens call the TokenReview API, which
 * Vault does with the token being reviewed (see {@link VaultFleetAccess}):
 * one ClusterRoleBinding to `system:auth-delegator`. Belongs in the cluster's
 * platform stack.
 * @see https://developer.hashicorp.com/vault/docs/auth/kubernetes#use-the-vault-client-s-jwt-as-the-reviewer-jwt
 */
export class VaultAuthDelegation extends Construct {
  constructor(scope: Construct, id: string, props: VaultAuthDelegationProps) {
    super(scope, id);
    if (props.serviceAccounts.length === 0) {
      throw new ValidationError(this.node.path, [
        { path: ['serviceAccounts'], message: 'must name at least one service account' },
      ]);
    }
    new ClusterRoleBindingV1(this, 'Resource', {
      metadata: {
        name: 'agent-fleet-vault-auth-delegator',
        labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
      },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'system:auth-delegator',
      },
      subject: props.serviceAccounts.map((account) => ({
        kind: 'ServiceAccount',
        name: account.name,
        namespace: account.namespace,
      })),
    });
  }
}

/** Props of {@link VaultSecret}. */
export interface VaultSecretProps {
  /** Path of the KV v2 mount. */
  readonly kvMount: string;
  /** Name under the mount, e.g. from {@link agentSecretName}. */
  readonly name: string;
  /**
   * Keys and values. Values are Terraform strings: they may hold references,
   * ephemeral ones included (see `EphemeralPassword`).
   */
  readonly data: Readonly<Record<string, string>>;
  /**
   * Raise to write new values (e.g. with the broker's credentials revision).
   * @default 1
   */
  readonly revision?: number;
}

/**
 * One KV v2 secret whose data is a write-only argument (`data_json_wo`,
 * Terraform 1.11+, vault provider 5.0+): the values reach Vault but never the
 * plan or the state. Reading back is disabled, so the provider never copies the
 * stored data into the state either; drift made in Vault is not detected, and
 * raising `revision` writes the values again.
 * @see https://registry.terraform.io/providers/hashicorp/vault/5.6.0/docs/resources/kv_secret_v2
 * @see https://developer.hashicorp.com/terraform/language/resources/ephemeral/write-only
 */
export class VaultSecret extends Construct {
  /** API path of the secret (`<mount>/data/<name>`), for templates and KEDA. */
  readonly path: string;
  /** The `vault_kv_secret_v2` that writes the secret. */
  readonly resource: KvSecretV2;

  constructor(scope: Construct, id: string, props: VaultSecretProps) {
    super(scope, id);
    if (Object.keys(props.data).length === 0) {
      throw new ValidationError(this.node.path, [
        { path: ['data'], message: 'must hold at least one key' },
      ]);
    }
    this.path = kvDataPath(props.kvMount, props.name);
    this.resource = new KvSecretV2(this, 'Resource', {
      mount: props.kvMount,
      name: props.name,
      dataJsonWo: `\${jsonencode({${Object.entries(props.data)
        .map(([key, value]) => `${hclString(key)} = ${hclString(value)}`)
        .join(', ')}})}`,
      dataJsonWoVersion: props.revision ?? 1,
      disableRead: true,
    });
  }
}

/**
 * An HCL string literal that keeps Terraform interpolations (`\${...}`) live:
 * cdktf's `Fn.jsonencode` would escape them into literal text.
 */
function hclString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

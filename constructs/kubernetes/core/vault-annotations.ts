import { Problem, ValidationError } from '../../../model';

/**
 * Pod annotations for Vault's Agent Injector and the paths they name: pure
 * functions, kept apart from the Vault constructs so that rendering a pod
 * loads no provider bindings.
 */

/** Where the injected Vault Agent writes rendered secrets in every container. */
export const VAULT_SECRETS_DIR = '/vault/secrets';

const INJECT = 'vault.hashicorp.com';

/** The annotation that has the Agent Injector add its sidecar to a pod. */
export const VAULT_INJECT_ANNOTATION = `${INJECT}/agent-inject`;

/** Folder, beside the agents' folders, of the credentials KEDA reads; not a DNS label, so no agent can own it. */
const KEDA_FOLDER = '_keda';

/** Path of a cluster's Kubernetes auth mount in Vault, without the `auth/` prefix. */
export function kubernetesAuthMount(clusterId: string): string {
  return `kubernetes/${clusterId}`;
}

/** Name, under the KV mount, of one secret of an agent: `<env>/<site>/<agent>/<secret>`. */
export function agentSecretName(env: string, site: string, agent: string, secret: string): string {
  return `${env}/${site}/${agent}/${secret}`;
}

/** KV version 2 mount of the fleet's credentials when a site's Vault names none. */
export const DEFAULT_KV_MOUNT = 'fleet';

/** Vault's name for a site's cluster, as its Kubernetes auth mount and injector know it. */
export function vaultClusterId(environment: string, site: string): string {
  return `${environment}-${site}`;
}

/** Name, in an agent's folder, of its credentials for an in-cluster RabbitMQ broker. */
export function vaultBrokerSecret(broker: string): string {
  return `rabbitmq-${broker}`;
}

/** Name, under the KV mount, of the management URI KEDA reads for a broker. */
export function kedaBrokerSecretName(env: string, site: string, broker: string): string {
  return `${env}/${site}/${KEDA_FOLDER}/${vaultBrokerSecret(broker)}`;
}

/** API path of a KV v2 secret (`<mount>/data/<name>`), as policies, templates and KEDA name it. */
export function kvDataPath(mount: string, name: string): string {
  return `${mount}/data/${name}`;
}

/** One file the Vault Agent renders into the pod. */
export interface VaultAgentSecret {
  /** File name under `/vault/secrets/`; letters, digits, `-`, `_` and `.`. */
  readonly name: string;
  /** API path of the KV v2 secret, e.g. `VaultSecret.path`. */
  readonly path: string;
  /**
   * Consul Template rendering the file, e.g. {@link vaultKeyTemplate}.
   * @default - the injector's `map` rendering of the whole secret
   */
  readonly template?: string;
  /** File name the secret is rendered to (`agent-inject-file-*`). @default - `name` */
  readonly file?: string;
  /** Directory the file is rendered in (`secret-volume-path-*`). @default `/vault/secrets` */
  readonly dir?: string;
}

/** Inputs of {@link vaultAgentAnnotations}. */
export interface VaultAgentAnnotationsOptions {
  /** Vault role of the workload: the agent type's name. */
  readonly role: string;
  readonly secrets: readonly VaultAgentSecret[];
  /**
   * A Job or other run-to-completion pod: only the init container is
   * injected, since a sidecar that never exits would keep the Job running.
   * Secrets are then not renewed during the run.
   * @default false
   */
  readonly runToCompletion?: boolean;
  /** Kubernetes auth mount. @default - the injector's (`auth/kubernetes/<clusterId>`) */
  readonly authPath?: string;
  /**
   * A Secret in the pod's namespace (mounted at `/vault/tls`) with the CA of
   * Vault's certificate, and the server name to verify.
   * @default - the CA the injector was given (`VaultInjectorReleaseProps.vaultCaConfigMap`)
   */
  readonly tls?: {
    readonly secretName: string;
    readonly caFile?: string;
    readonly serverName?: string;
  };
}

const FILE_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,39}[A-Za-z0-9])?$/;

/**
 * Pod annotations for Vault's Agent Injector. Each secret is rendered to
 * `/vault/secrets/<name>` in every container of the pod (an in-memory
 * volume), before the containers start (init container) and, unless
 * `runToCompletion`, kept current by a sidecar. The agent containers run as
 * the first container's user, so the files are readable under the fleet's
 * non-root security context.
 * @see https://developer.hashicorp.com/vault/docs/platform/k8s/injector/annotations
 */
export function vaultAgentAnnotations(
  options: VaultAgentAnnotationsOptions,
): Record<string, string> {
  const problems: Problem[] = [];
  if (options.secrets.length === 0)
    problems.push({ path: ['secrets'], message: 'must list at least one secret' });
  const names = new Set<string>();
  options.secrets.forEach((secret, index) => {
    if (!FILE_NAME.test(secret.name)) {
      problems.push({
        path: ['secrets', index, 'name'],
        message: `'${secret.name}' must be 1-41 letters, digits, '.', '-' or '_'`,
      });
    }
    if (names.has(secret.name)) {
      problems.push({
        path: ['secrets', index, 'name'],
        message: `'${secret.name}' appears twice`,
      });
    }
    names.add(secret.name);
  });
  if (problems.length > 0) throw new ValidationError(`vault role '${options.role}'`, problems);

  const annotations: Record<string, string> = {
    [VAULT_INJECT_ANNOTATION]: 'true',
    [`${INJECT}/role`]: options.role,
    [`${INJECT}/agent-init-first`]: 'true',
    [`${INJECT}/agent-run-as-same-user`]: 'true',
    [`${INJECT}/tls-skip-verify`]: 'false',
  };
  if (options.runToCompletion) annotations[`${INJECT}/agent-pre-populate-only`] = 'true';
  if (options.authPath) annotations[`${INJECT}/auth-path`] = options.authPath;
  if (options.tls) {
    annotations[`${INJECT}/tls-secret`] = options.tls.secretName;
    annotations[`${INJECT}/ca-cert`] = `/vault/tls/${options.tls.caFile ?? 'ca.crt'}`;
    if (options.tls.serverName) annotations[`${INJECT}/tls-server-name`] = options.tls.serverName;
  }
  for (const secret of options.secrets) {
    annotations[`${INJECT}/agent-inject-secret-${secret.name}`] = secret.path;
    if (secret.template !== undefined) {
      annotations[`${INJECT}/agent-inject-template-${secret.name}`] = secret.template;
    }
    if (secret.file !== undefined)
      annotations[`${INJECT}/agent-inject-file-${secret.name}`] = secret.file;
    if (secret.dir !== undefined)
      annotations[`${INJECT}/secret-volume-path-${secret.name}`] = secret.dir;
  }
  return annotations;
}

/** A Consul Template that renders one key of a KV v2 secret, and nothing else. */
export function vaultKeyTemplate(path: string, key: string): string {
  return `{{- with secret ${JSON.stringify(path)} -}}{{ index .Data.data ${JSON.stringify(key)} }}{{- end -}}`;
}

import { createHash } from 'crypto';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { PROVIDER_CONTAINER_SECURITY, PROVIDER_POD_SECURITY } from '../core/pod-spec';
import { IMAGES } from '../platform/charts';
import {
  API_TOKEN_DIR,
  API_TOKEN_MOUNT,
  API_TOKEN_VOLUME,
  apiServerOnlyPolicy,
  ApiWriterAccount,
  grantAccount,
} from './api-writer';
import { CaCopies } from './ca-copies';
import { COCKROACHDB_IMAGE } from './cockroachdb';

/** What an engine's certificates are for and where they go. */
export interface ServerCertificateNames {
  /** The engine's short name (`mongodb`): it names the Job, its account and labels. */
  readonly name: string;
  /** Namespace of the engine's servers. */
  readonly namespace: string;
  /** Secret of the CA certificate, key `ca.crt`, in the engine's and the clients' namespaces. */
  readonly caSecret: string;
  /** Secret of the servers' certificate and key (`kubernetes.io/tls`), in the engine's namespace. */
  readonly serverSecret: string;
  /** DNS names the servers' certificate holds (wildcards allowed). */
  readonly dnsNames: readonly string[];
}

/** Props of {@link ServerCertificates}. */
export interface ServerCertificatesProps {
  /** The certificates' names and DNS names. */
  readonly names: ServerCertificateNames;
  /** Namespaces of the agents, which get the CA certificate. Plain names. */
  readonly clientNamespaces: readonly string[];
  /**
   * References of the namespaces (the namespace resources' name attributes)
   * by name, so the Job, its account and roles follow them.
   * @default - the plain names
   */
  readonly namespaceReferences?: ReadonlyMap<string, string>;
  /**
   * Raise to issue a new CA and certificate (rotation).
   * @default 1
   */
  readonly revision?: number;
  /**
   * Also write, under this key of the server Secret, the servers' private key
   * converted to PKCS#8 followed by their certificate, as one PEM file: what
   * Java's PEM readers take (Cassandra's `PEMBasedSslContextFactory` parses
   * PKCS#8 only, and `cockroach cert` writes the key as PKCS#1).
   * @default - none: `tls.crt` and `tls.key` only
   */
  readonly pkcs8KeystoreKey?: string;
  /** What must exist first (the namespaces). @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/** Extra formats the certificates Job writes besides `tls.crt` and `tls.key`. */
export interface CertificateFormats {
  /** See {@link ServerCertificatesProps.pkcs8KeystoreKey}. @default - none */
  readonly pkcs8KeystoreKey?: string;
}

/**
 * An in-cluster engine's TLS certificates, made in the cluster so that no
 * private key is ever in the synthesized output, the plan or the state (a
 * Terraform `tls_private_key` would keep it in the state). The platform
 * installs no cert-manager: the engines' operators and charts only read
 * Secrets. So a Job does what the CockroachDB chart's self-signer does: an
 * init container generates a CA and the servers' certificate (the DNS names
 * given) with `cockroach cert`, from the CockroachDB image the site already
 * pins, into a memory-backed volume; a second container (the curl image)
 * writes them with the Job's service account: the server Secret (`tls.crt`,
 * `tls.key`) and the CA Secret (`ca.crt` only: the CA key is thrown away with
 * the pod) in the engine's namespace. Only that container gets an API token
 * (a projected, one-hour token of the Job's account; the pod mounts none),
 * and the Job's NetworkPolicy lets it reach only DNS and the API server's
 * usual private ranges on 443 and 6443. A second Job ({@link CaCopies})
 * copies the CA Secret into each client's namespace, which the agents mount
 * to verify the servers.
 *
 * The Job's name ends in a hash of what it signs (DNS names, formats,
 * revision), neither of the clients nor of the images: a change gives a new
 * Job, which issues a new CA and certificate, the engine's operator rolls onto
 * them and the copies follow; adding an agent or pinning a newer image leaves
 * the CA as it is. The service account may create Secrets and update only
 * those names.
 */
export class ServerCertificates extends Construct {
  /** The Job that writes the Secrets; the engine's servers depend on it. */
  readonly job: JobV1;
  /** The Job that copies the CA into the clients' namespaces, when there are any. @default - none */
  readonly caCopies?: CaCopies;

  constructor(scope: Construct, id: string, props: ServerCertificatesProps) {
    super(scope, id);
    const { names } = props;
    const account: ApiWriterAccount = {
      name: `${names.name}-certificates`,
      namespace: names.namespace,
      labels: {
        'app.kubernetes.io/name': `${names.name}-certificates`,
        'app.kubernetes.io/instance': names.name,
        'app.kubernetes.io/part-of': 'agent-fleet',
      },
      ref: (namespace) => props.namespaceReferences?.get(namespace) ?? namespace,
      dependsOn: props.dependsOn,
    };
    const serviceAccount = new ServiceAccountV1(this, 'ServiceAccount', {
      metadata: {
        name: account.name,
        namespace: account.ref(names.namespace),
        labels: account.labels,
      },
      automountServiceAccountToken: false,
      dependsOn: props.dependsOn,
    });
    const grants = [
      serviceAccount,
      ...grantAccount(this, account, 'Own', names.namespace, [
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: [names.caSecret, names.serverSecret],
          verbs: ['get', 'update'],
        },
      ]),
    ];
    const policy = apiServerOnlyPolicy(this, account);
    const generate = certificatesScript(names, { pkcs8KeystoreKey: props.pkcs8KeystoreKey });
    const publish = publishScript(names);
    // Not the images: a newer one makes the same certificates, and a new CA would
    // roll the engine's servers for nothing.
    const hash = createHash('sha256')
      .update(JSON.stringify({ generate, publish, revision: props.revision ?? 1 }))
      .digest('hex')
      .slice(0, 10);
    const container = (name: string, image: string, script: string, shell: string) => ({
      name,
      image,
      command: [shell, '-c', script],
      env: [{ name: 'HOME', value: '/tmp' }],
      securityContext: { ...PROVIDER_CONTAINER_SECURITY },
      resources: {
        requests: { cpu: '50m', memory: '64Mi', 'ephemeral-storage': '16Mi' },
        limits: { cpu: '500m', memory: '128Mi', 'ephemeral-storage': '16Mi' },
      },
      volumeMount: [
        { name: 'certs', mountPath: '/certs' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    });
    const publisher = container('publish', IMAGES.curl, publish, '/bin/sh');
    this.job = new JobV1(this, 'Job', {
      metadata: {
        name: `${account.name}-${hash}`,
        namespace: account.ref(names.namespace),
        labels: account.labels,
      },
      waitForCompletion: true,
      timeouts: { create: '10m', update: '10m' },
      spec: {
        activeDeadlineSeconds: 600,
        backoffLimit: 3,
        template: {
          metadata: { labels: account.labels },
          spec: {
            serviceAccountName: account.name,
            // Only the publishing container calls the Kubernetes API: it alone mounts
            // a short-lived token of this account (projected below), not the pod.
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            restartPolicy: 'Never',
            securityContext: { ...PROVIDER_POD_SECURITY },
            initContainer: [
              container(
                'generate',
                `${COCKROACHDB_IMAGE.repository}:${COCKROACHDB_IMAGE.tag}`,
                generate,
                '/bin/bash',
              ),
            ],
            container: [{ ...publisher, volumeMount: [...publisher.volumeMount, API_TOKEN_MOUNT] }],
            volume: [
              API_TOKEN_VOLUME,
              { name: 'certs', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
            ],
          },
        },
      },
      dependsOn: [...grants, policy],
    });
    const clients = props.clientNamespaces.filter((namespace) => namespace !== names.namespace);
    if (clients.length > 0) {
      this.caCopies = new CaCopies(this, 'CaCopies', {
        source: names,
        clientNamespaces: clients,
        namespaceReferences: props.namespaceReferences,
        certificatesJob: this.job,
      });
    }
  }
}

/**
 * Generates the CA and the servers' certificate with `cockroach cert`, then
 * the Secrets' bodies as JSON, base64 as the API wants. Exported for tests.
 */
export function certificatesScript(
  names: ServerCertificateNames,
  formats: CertificateFormats = {},
): string {
  const hosts = names.dnsNames;
  const keystore = formats.pkcs8KeystoreKey;
  return `set -euo pipefail
umask 077
work=/tmp/ca
mkdir -p "$work"
/cockroach/cockroach cert create-ca --certs-dir="$work" --ca-key="$work/ca.key" --lifetime=87600h
/cockroach/cockroach cert create-node ${hosts.map((host) => `'${host}'`).join(' ')} --certs-dir="$work" --ca-key="$work/ca.key" --lifetime=43800h
${keystore === undefined ? '' : pkcs8KeystoreCommands('"$work/node.key"', '"$work/node.crt"', '"$work/keystore.pem"')}b64() { base64 -w0 "$1"; }
labels='{"app.kubernetes.io/part-of":"agent-fleet","app.kubernetes.io/component":"${names.name}-tls"}'
printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"${names.caSecret}","labels":%s},"type":"Opaque","data":{"ca.crt":"%s"}}' "$labels" "$(b64 "$work/ca.crt")" > /certs/ca.json
${
  keystore === undefined
    ? `printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"${names.serverSecret}","labels":%s},"type":"kubernetes.io/tls","data":{"tls.crt":"%s","tls.key":"%s"}}' "$labels" "$(b64 "$work/node.crt")" "$(b64 "$work/node.key")" > /certs/server.json`
    : `printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"${names.serverSecret}","labels":%s},"type":"kubernetes.io/tls","data":{"tls.crt":"%s","tls.key":"%s","${keystore}":"%s"}}' "$labels" "$(b64 "$work/node.crt")" "$(b64 "$work/node.key")" "$(b64 "$work/keystore.pem")" > /certs/server.json`
}
rm -rf "$work"
echo "certificates for ${hosts.length} names generated"
`;
}

/**
 * Bash commands that write `keystore` (shell words, quoted): the RSA key of
 * `key` (PKCS#1 PEM, as `cockroach cert` writes it) wrapped as PKCS#8
 * (RFC 5208 PrivateKeyInfo: version 0, the rsaEncryption algorithm, the
 * PKCS#1 key as an octet string; the CockroachDB image has no `openssl`),
 * then the certificate of `certificate`; its scratch files go in `$work`.
 * Exported for tests.
 */
export function pkcs8KeystoreCommands(key: string, certificate: string, keystore: string): string {
  return `grep -q 'BEGIN RSA PRIVATE KEY' ${key}
der_length() { printf '%b' "$(printf '\\\\x%02x\\\\x%02x' $(($1 >> 8)) $(($1 & 255)))"; }
sed '/-----/d' ${key} | base64 -d > "$work/pkcs1.der"
n=$(wc -c < "$work/pkcs1.der")
if [ "$n" -lt 256 ] || [ "$n" -gt 65000 ]; then echo "unexpected RSA key length $n" >&2; exit 1; fi
{
  printf '\\x30\\x82'
  der_length $((n + 22))
  printf '\\x02\\x01\\x00\\x30\\x0d\\x06\\x09\\x2a\\x86\\x48\\x86\\xf7\\x0d\\x01\\x01\\x01\\x05\\x00\\x04\\x82'
  der_length "$n"
  cat "$work/pkcs1.der"
} > "$work/pkcs8.der"
{
  echo '-----BEGIN PRIVATE KEY-----'
  base64 -w64 "$work/pkcs8.der"
  echo '-----END PRIVATE KEY-----'
  cat ${certificate}
} > ${keystore}
rm -f "$work/pkcs1.der" "$work/pkcs8.der"
`;
}

/**
 * Writes each Secret: created, or replaced where it exists (409 on create).
 * Exported for tests.
 */
export function publishScript(names: ServerCertificateNames): string {
  const targets = [
    [names.namespace, names.serverSecret, 'server'],
    [names.namespace, names.caSecret, 'ca'],
  ];
  return `set -eu
sa=${API_TOKEN_DIR}
api=https://kubernetes.default.svc
token=$(cat "$sa/token")
write() {
  namespace=$1; name=$2; body=/certs/$3.json
  code=$(curl -sS -o /tmp/response -w '%{http_code}' --cacert "$sa/ca.crt" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -X POST --data-binary "@$body" "$api/api/v1/namespaces/$namespace/secrets")
  if [ "$code" = 409 ]; then
    code=$(curl -sS -o /tmp/response -w '%{http_code}' --cacert "$sa/ca.crt" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -X PUT --data-binary "@$body" "$api/api/v1/namespaces/$namespace/secrets/$name")
  fi
  case "$code" in
    200|201) echo "secret $namespace/$name written" ;;
    *) echo "writing secret $namespace/$name failed with HTTP $code" >&2; cat /tmp/response >&2; exit 1 ;;
  esac
}
${targets.map(([namespace, name, body]) => `write ${namespace} ${name} ${body}`).join('\n')}
rm -f /certs/*.json
`;
}

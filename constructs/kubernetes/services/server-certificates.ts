import { createHash } from 'crypto';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1 } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { DNS_EGRESS } from '../core/network-policy';
import { PROVIDER_CONTAINER_SECURITY, PROVIDER_POD_SECURITY } from '../core/pod-spec';
import { IMAGES } from '../platform/charts';
import { COCKROACHDB_IMAGE } from './cockroachdb';

/** Where the certificates Job's publishing container finds its API token and the cluster's CA. */
const API_TOKEN_DIR = '/var/run/secrets/agent-fleet/api';
/** Private ranges a cluster's API server usually answers on (RFC 1918, carrier NAT). */
const API_SERVER_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

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
  /** What must exist first (the namespaces). @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
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
 * the pod) in the engine's namespace, and the CA Secret in each client's
 * namespace, which the agents mount to verify the servers. Only that container gets an API
 * token (a projected, one-hour token of the Job's account; the pod mounts
 * none), and the Job's NetworkPolicy lets it reach only DNS and the API
 * server's usual private ranges on 443 and 6443.
 *
 * The Job's name ends in a hash of what it signs and where it writes
 * (members, namespaces, images, revision): a change gives a new Job, which
 * issues a new CA and certificate; the engine's operator rolls onto them
 * and agents read the new CA file when they reconnect. The service account may
 * create Secrets and update only those names.
 */
export class ServerCertificates extends Construct {
  /** The Job that writes the Secrets; the engine's servers depend on it. */
  readonly job: JobV1;

  constructor(scope: Construct, id: string, props: ServerCertificatesProps) {
    super(scope, id);
    const { names } = props;
    const namespaces = [...new Set(props.clientNamespaces)].sort();
    const account = `${names.name}-certificates`;
    const ref = (namespace: string) => props.namespaceReferences?.get(namespace) ?? namespace;
    const labels = {
      'app.kubernetes.io/name': `${names.name}-certificates`,
      'app.kubernetes.io/instance': names.name,
      'app.kubernetes.io/part-of': 'agent-fleet',
    };
    const serviceAccount = new ServiceAccountV1(this, 'ServiceAccount', {
      metadata: { name: account, namespace: ref(names.namespace), labels },
      automountServiceAccountToken: false,
      dependsOn: props.dependsOn,
    });
    const grants: ITerraformDependable[] = [serviceAccount];
    const grant = (namespace: string, secretNames: string[], key: string) => {
      const role = new RoleV1(this, `Role-${key}`, {
        metadata: { name: account, namespace: ref(namespace), labels },
        rule: [
          { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
          {
            apiGroups: [''],
            resources: ['secrets'],
            resourceNames: secretNames,
            verbs: ['get', 'update'],
          },
        ],
        dependsOn: props.dependsOn,
      });
      grants.push(
        role,
        new RoleBindingV1(this, `RoleBinding-${key}`, {
          metadata: { name: account, namespace: ref(namespace), labels },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: account },
          subject: [{ kind: 'ServiceAccount', name: account, namespace: names.namespace }],
          dependsOn: [role],
        }),
      );
    };
    grant(names.namespace, [names.caSecret, names.serverSecret], 'Own');
    namespaces
      .filter((namespace) => namespace !== names.namespace)
      .forEach((namespace) => grant(namespace, [names.caSecret], namespace));

    // DNS and the API server, whose address the fleet does not know: its usual
    // private ranges, on the ports API servers listen on. Nothing may connect in.
    const policy = new NetworkPolicyV1(this, 'NetworkPolicy', {
      metadata: { name: account, namespace: ref(names.namespace), labels },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [],
        egress: [
          DNS_EGRESS,
          {
            to: API_SERVER_RANGES.map((cidr) => ({ ipBlock: { cidr } })),
            ports: [443, 6443].map((port) => ({ port: String(port), protocol: 'TCP' })),
          },
        ],
      },
      dependsOn: props.dependsOn,
    });
    const generate = certificatesScript(names);
    const publish = publishScript(names, namespaces);
    const hash = createHash('sha256')
      .update(
        JSON.stringify({
          generate,
          publish,
          images: [COCKROACHDB_IMAGE, IMAGES.curl],
          revision: props.revision ?? 1,
        }),
      )
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
    this.job = new JobV1(this, 'Job', {
      metadata: { name: `${account}-${hash}`, namespace: ref(names.namespace), labels },
      waitForCompletion: true,
      timeouts: { create: '10m', update: '10m' },
      spec: {
        activeDeadlineSeconds: 600,
        backoffLimit: 3,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: account,
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
            container: [
              (() => {
                const publisher = container('publish', IMAGES.curl, publish, '/bin/sh');
                return {
                  ...publisher,
                  volumeMount: [
                    ...publisher.volumeMount,
                    { name: 'api-token', mountPath: API_TOKEN_DIR, readOnly: true },
                  ],
                };
              })(),
            ],
            volume: [
              {
                name: 'api-token',
                projected: [
                  {
                    defaultMode: '0440',
                    sources: [
                      { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
                      {
                        configMap: [
                          { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
                        ],
                      },
                    ],
                  },
                ],
              },
              { name: 'certs', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
            ],
          },
        },
      },
      dependsOn: [...grants, policy],
    });
  }
}

/**
 * Generates the CA and the servers' certificate with `cockroach cert`, then
 * the Secrets' bodies as JSON, base64 as the API wants. Exported for tests.
 */
export function certificatesScript(names: ServerCertificateNames): string {
  const hosts = names.dnsNames;
  return `set -euo pipefail
umask 077
work=/tmp/ca
mkdir -p "$work"
/cockroach/cockroach cert create-ca --certs-dir="$work" --ca-key="$work/ca.key" --lifetime=87600h
/cockroach/cockroach cert create-node ${hosts.map((host) => `'${host}'`).join(' ')} --certs-dir="$work" --ca-key="$work/ca.key" --lifetime=43800h
b64() { base64 -w0 "$1"; }
labels='{"app.kubernetes.io/part-of":"agent-fleet","app.kubernetes.io/component":"${names.name}-tls"}'
printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"${names.caSecret}","labels":%s},"type":"Opaque","data":{"ca.crt":"%s"}}' "$labels" "$(b64 "$work/ca.crt")" > /certs/ca.json
printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"${names.serverSecret}","labels":%s},"type":"kubernetes.io/tls","data":{"tls.crt":"%s","tls.key":"%s"}}' "$labels" "$(b64 "$work/node.crt")" "$(b64 "$work/node.key")" > /certs/server.json
rm -rf "$work"
echo "certificates for ${hosts.length} names generated"
`;
}

/**
 * Writes each Secret: created, or replaced where it exists (409 on create).
 * Exported for tests.
 */
export function publishScript(
  names: ServerCertificateNames,
  clientNamespaces: readonly string[],
): string {
  const targets = [
    [names.namespace, names.serverSecret, 'server'],
    [names.namespace, names.caSecret, 'ca'],
    ...clientNamespaces
      .filter((namespace) => namespace !== names.namespace)
      .map((namespace) => [namespace, names.caSecret, 'ca']),
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

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

/** The CA Secret of an engine, and where it lives. */
export interface CaSource {
  /** The engine's short name: it names the Job, its account and labels. */
  readonly name: string;
  /** Namespace of the engine, where the CA Secret is written. */
  readonly namespace: string;
  /** The CA Secret, key `ca.crt`; the copies take the same name. */
  readonly caSecret: string;
}

/** Props of {@link CaCopies}. */
export interface CaCopiesProps {
  /** The CA Secret to copy. */
  readonly source: CaSource;
  /** Namespaces of the clients (plain names), which get the CA Secret. */
  readonly clientNamespaces: readonly string[];
  /**
   * References of the namespaces (the namespace resources' name attributes)
   * by name, so the Job, its account and roles follow them.
   * @default - the plain names
   */
  readonly namespaceReferences?: ReadonlyMap<string, string>;
  /**
   * The Job that writes the CA Secret: the copies wait for it, and its
   * replacement (a new CA) replaces this Job, which copies the new CA.
   */
  readonly certificatesJob: JobV1;
}

/**
 * Copies an engine's CA certificate (`ca.crt` of its CA Secret) into each
 * client's namespace under the same name, which the agents mount to verify
 * the servers. The certificates Job issues the CA for the engine's namespace
 * alone, so that adding an agent copies the same CA again and leaves the
 * servers alone: a new CA would roll them, unable to talk while old and new
 * certificates mix.
 *
 * The Job runs the curl image with a projected one-hour API token of its own
 * account, which may read only the CA Secret in the engine's namespace and
 * create it, or update only it, in the clients' namespaces; its NetworkPolicy
 * lets it reach only DNS and the API server's usual private ranges on 443
 * and 6443. Its name ends in a hash of its script and image.
 */
export class CaCopies extends Construct {
  /** The Job that writes the copies; agents' pods need them. */
  readonly job: JobV1;

  constructor(scope: Construct, id: string, props: CaCopiesProps) {
    super(scope, id);
    const { source, certificatesJob } = props;
    const namespaces = [...new Set(props.clientNamespaces)]
      .filter((namespace) => namespace !== source.namespace)
      .sort();
    const account: ApiWriterAccount = {
      name: `${source.name}-ca-copies`,
      namespace: source.namespace,
      labels: {
        'app.kubernetes.io/name': `${source.name}-ca-copies`,
        'app.kubernetes.io/instance': source.name,
        'app.kubernetes.io/part-of': 'agent-fleet',
      },
      ref: (namespace) => props.namespaceReferences?.get(namespace) ?? namespace,
    };
    const caSecret = (verbs: string[]) => ({
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: [source.caSecret],
      verbs,
    });
    const grants: ITerraformDependable[] = [
      new ServiceAccountV1(this, 'ServiceAccount', {
        metadata: {
          name: account.name,
          namespace: account.ref(source.namespace),
          labels: account.labels,
        },
        automountServiceAccountToken: false,
      }),
      ...grantAccount(this, account, 'Source', source.namespace, [caSecret(['get'])]),
      ...namespaces.flatMap((namespace) =>
        grantAccount(this, account, namespace, namespace, [
          { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
          caSecret(['get', 'update']),
        ]),
      ),
    ];
    const policy = apiServerOnlyPolicy(this, account);
    const script = caCopiesScript(source, namespaces);
    const hash = createHash('sha256')
      .update(JSON.stringify({ script, image: IMAGES.curl }))
      .digest('hex')
      .slice(0, 10);
    this.job = new JobV1(this, 'Job', {
      metadata: {
        name: `${account.name}-${hash}`,
        namespace: account.ref(source.namespace),
        labels: account.labels,
      },
      waitForCompletion: true,
      timeouts: { create: '10m', update: '10m' },
      spec: {
        activeDeadlineSeconds: 600,
        backoffLimit: 3,
        template: {
          metadata: {
            labels: account.labels,
            annotations: { 'agent-fleet.dev/certificates': certificatesJob.metadata.name },
          },
          spec: {
            serviceAccountName: account.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            restartPolicy: 'Never',
            securityContext: { ...PROVIDER_POD_SECURITY },
            container: [
              {
                name: 'copy',
                image: IMAGES.curl,
                command: ['/bin/sh', '-c', script],
                env: [{ name: 'HOME', value: '/tmp' }],
                securityContext: { ...PROVIDER_CONTAINER_SECURITY },
                resources: {
                  requests: { cpu: '50m', memory: '64Mi', 'ephemeral-storage': '16Mi' },
                  limits: { cpu: '500m', memory: '128Mi', 'ephemeral-storage': '16Mi' },
                },
                volumeMount: [API_TOKEN_MOUNT, { name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volume: [
              API_TOKEN_VOLUME,
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
            ],
          },
        },
      },
      dependsOn: [...grants, policy, certificatesJob],
      // A bare address: cdktf 0.21 writes a resource given here as "${...}",
      // which Terraform refuses in replace_triggered_by.
      lifecycle: {
        replaceTriggeredBy: [
          `${certificatesJob.terraformResourceType}.${certificatesJob.friendlyUniqueId}`,
        ],
      },
    });
  }
}

/**
 * The CA copies Job's script (POSIX sh): reads the CA Secret, then creates
 * each copy, or replaces it where it exists (409 on create). Exported for
 * tests.
 */
export function caCopiesScript(names: CaSource, namespaces: readonly string[]): string {
  const base = 'https://kubernetes.default.svc/api/v1/namespaces';
  return `set -eu
sa=${API_TOKEN_DIR}
token=$(cat "$sa/token")
call() {
  curl -sS -o /tmp/response -w '%{http_code}' --cacert "$sa/ca.crt" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$@"
}
code=$(call '${base}/${names.namespace}/secrets/${names.caSecret}')
if [ "$code" != 200 ]; then echo "reading secret ${names.namespace}/${names.caSecret} failed with HTTP $code" >&2; exit 1; fi
ca=$(sed -n 's|.*"ca\\.crt": *"\\([A-Za-z0-9+/=]*\\)".*|\\1|p' /tmp/response)
if [ -z "$ca" ]; then echo "secret ${names.namespace}/${names.caSecret} has no ca.crt" >&2; exit 1; fi
printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"${names.caSecret}","labels":{"app.kubernetes.io/part-of":"agent-fleet","app.kubernetes.io/component":"${names.name}-tls"}},"type":"Opaque","data":{"ca.crt":"%s"}}' "$ca" > /tmp/ca.json
copy() {
  code=$(call -X POST --data-binary @/tmp/ca.json "${base}/$1/secrets")
  if [ "$code" = 409 ]; then
    code=$(call -X PUT --data-binary @/tmp/ca.json "${base}/$1/secrets/${names.caSecret}")
  fi
  case "$code" in
    200|201) echo "secret $1/${names.caSecret} written" ;;
    *) echo "writing secret $1/${names.caSecret} failed with HTTP $code" >&2; cat /tmp/response >&2; exit 1 ;;
  esac
}
${namespaces.map((namespace) => `copy ${namespace}`).join('\n')}
`;
}

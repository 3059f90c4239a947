import { createHash } from 'crypto';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1, RoleV1Rule } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Problem, ValidationError } from '../../../model/problems';
import { stateIdentifier } from '../../../model/state-engines';
import { Duration } from '../../../model/units';
import { DNS_EGRESS } from '../core/network-policy';
import { PROVIDER_CONTAINER_SECURITY, PROVIDER_POD_SECURITY } from '../core/pod-spec';
import { IMAGES } from '../platform/charts';
import {
  YUGABYTEDB_MASTER_RPC_PORT,
  YUGABYTEDB_YSQL_PORT,
  YugabyteDbNames,
} from './yugabytedb-access';
import { YUGABYTEDB_IMAGE } from './yugabytedb-release';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Names YugabyteDB keeps for itself. */
const RESERVED = new Set(['yugabyte', 'postgres', 'system_platform', 'template0', 'template1']);

/**
 * How often each agent database is snapshotted for point-in-time recovery:
 * daily, the interval of YugabyteDB's own example. The servers keep every
 * change for one interval (history retention), so a restore may pick any
 * moment between snapshots, and a shorter interval would only add snapshots.
 */
export const YUGABYTEDB_SNAPSHOT_INTERVAL = Duration.days(1);
/**
 * How long snapshots are kept: 7 days, the window of Amazon DocumentDB's
 * default backup retention the fleet's other engines get.
 */
export const YUGABYTEDB_SNAPSHOT_RETENTION = Duration.days(7);

/** The database of one agent. */
export interface YugabyteDbDatabaseSpec {
  /** The agent's name, a DNS label of at most 30 characters: it names the Job and Secrets. */
  readonly agent: string;
  /**
   * The schema of the database the agent's role owns; `public` is handed to
   * the role, any other is created.
   * @default 'public'
   */
  readonly schema?: string;
  /**
   * The revision of the agent's password Secret: raising it runs the Job
   * again, which sets the new password on the role.
   * @default 1
   */
  readonly passwordRevision?: number;
}

/** Props of {@link YugabyteDbDatabases}. */
export interface YugabyteDbDatabasesProps {
  /** The universe's names: hosts, masters, Secrets. */
  readonly names: YugabyteDbNames;
  /**
   * The namespace as a reference (the namespace resource's name attribute).
   * @default - `names.namespace`
   */
  readonly namespace?: string;
  /** The agents' databases. */
  readonly databases: readonly YugabyteDbDatabaseSpec[];
  /** How often each database is snapshotted, whole minutes. @default YUGABYTEDB_SNAPSHOT_INTERVAL (1 day) */
  readonly snapshotInterval?: Duration;
  /** How long snapshots are kept, whole minutes. @default YUGABYTEDB_SNAPSHOT_RETENTION (7 days) */
  readonly snapshotRetention?: Duration;
  /** What must exist first: the release, the Secrets. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/** Labels of every provisioning Job's pods; the universe's NetworkPolicy admits them. */
export function yugabyteDbProvisioningLabels(names: YugabyteDbNames): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'yugabytedb-provisioning',
    'app.kubernetes.io/instance': names.name,
    'app.kubernetes.io/part-of': 'agent-fleet',
  };
}

/**
 * Per agent, a Job in the universe's namespace that signs in to YSQL as the
 * `yugabyte` superuser (its password from the chart's admin Secret, through
 * a password file, never an argument) over TLS with `sslmode=verify-full`
 * against the universe's CA, and, idempotently:
 * - creates the agent's role (`stateIdentifier(agent)`) when missing and sets
 *   its password (`ALTER ROLE ... LOGIN PASSWORD`), so a rotated password is
 *   applied: `ysqlsh` reads it from the agent's mounted Secret into a
 *   variable and quotes it as a literal (`:'password'`), so it is neither an
 *   argument nor part of the script;
 * - creates its database of the same name owned by the role, or hands an
 *   existing one to it, and revokes `PUBLIC`'s access to it (other agents'
 *   roles cannot connect);
 * - gives the role its schema: `public` becomes the role's, another is
 *   created with the role as owner;
 * - creates a snapshot schedule for the database with `yb-admin
 *   create_snapshot_schedule` (point-in-time recovery) unless one exists for
 *   it: every {@link YUGABYTEDB_SNAPSHOT_INTERVAL}, kept
 *   {@link YUGABYTEDB_SNAPSHOT_RETENTION}. An existing schedule keeps its
 *   settings; change them with `yb-admin edit_snapshot_schedule`.
 *
 * Identifiers are double-quoted and checked (`[a-z_][a-z0-9_]*`). The Job's name ends in a hash of its
 * script, image and password revision, so any change gives a new Job,
 * which Terraform replaces and runs. It runs the pinned server image, which
 * ships `ysqlsh` and `yb-admin`, as the fleet's UID with a read-only root.
 * @see https://docs.yugabyte.com/stable/manage/backup-restore/point-in-time-recovery/enable-pitr/
 * @see https://docs.yugabyte.com/stable/admin/yb-admin/#create-snapshot-schedule
 */
export class YugabyteDbDatabases extends Construct {
  /** The provisioning Jobs, by agent name; the agents start after theirs. */
  readonly jobs: ReadonlyMap<string, JobV1>;

  constructor(scope: Construct, id: string, props: YugabyteDbDatabasesProps) {
    super(scope, id);
    const problems = validateDatabases(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const { names } = props;
    const namespace = props.namespace ?? names.namespace;
    const image = `${YUGABYTEDB_IMAGE.repository}:${YUGABYTEDB_IMAGE.tag}`;
    const interval = props.snapshotInterval ?? YUGABYTEDB_SNAPSHOT_INTERVAL;
    const retention = props.snapshotRetention ?? YUGABYTEDB_SNAPSHOT_RETENTION;
    const jobs = new Map<string, JobV1>();
    for (const spec of props.databases) {
      const agent = spec.agent;
      const script = provisioningScript(names, {
        agent,
        schema: spec.schema,
        snapshotInterval: interval,
        snapshotRetention: retention,
      });
      const hash = createHash('sha256')
        .update(JSON.stringify({ script, image, revision: spec.passwordRevision ?? 1 }))
        .digest('hex')
        .slice(0, 10);
      const labels = { ...yugabyteDbProvisioningLabels(names), 'agent-fleet.dev/agent': agent };
      const policy = new NetworkPolicyV1(this, `NetworkPolicy-${agent}`, {
        metadata: { name: `${names.name}-provision-${agent}`, namespace, labels },
        spec: {
          podSelector: { matchLabels: labels },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [],
          egress: [
            DNS_EGRESS,
            {
              to: [{ podSelector: { matchLabels: { ...names.tserverPodLabels } } }],
              ports: [{ port: String(YUGABYTEDB_YSQL_PORT), protocol: 'TCP' }],
            },
            {
              to: [{ podSelector: { matchLabels: { ...names.masterPodLabels } } }],
              ports: [{ port: String(YUGABYTEDB_MASTER_RPC_PORT), protocol: 'TCP' }],
            },
          ],
        },
      });
      jobs.set(
        agent,
        new JobV1(this, `Job-${agent}`, {
          metadata: { name: `${names.name}-provision-${agent}-${hash}`, namespace, labels },
          waitForCompletion: true,
          timeouts: { create: '20m', update: '20m' },
          spec: {
            activeDeadlineSeconds: 900,
            backoffLimit: 3,
            template: {
              metadata: { labels },
              spec: {
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                restartPolicy: 'Never',
                securityContext: { ...PROVIDER_POD_SECURITY },
                container: [
                  {
                    name: 'provision',
                    image,
                    command: ['/bin/bash', '-c', script],
                    env: [{ name: 'HOME', value: '/tmp' }],
                    securityContext: { ...PROVIDER_CONTAINER_SECURITY },
                    resources: {
                      requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
                      limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
                    },
                    volumeMount: [
                      { name: 'admin', mountPath: '/admin', readOnly: true },
                      { name: 'credentials', mountPath: '/credentials', readOnly: true },
                      { name: 'ca', mountPath: '/ca', readOnly: true },
                      { name: 'tmp', mountPath: '/tmp' },
                    ],
                  },
                ],
                volume: [
                  {
                    name: 'admin',
                    secret: { secretName: names.adminSecret, defaultMode: '0440' },
                  },
                  {
                    name: 'credentials',
                    secret: { secretName: names.userSecret(agent), defaultMode: '0440' },
                  },
                  {
                    name: 'ca',
                    secret: {
                      secretName: names.caSecret,
                      defaultMode: '0440',
                      items: [{ key: 'ca.crt', path: 'ca.crt' }],
                    },
                  },
                  { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
                ],
              },
            },
          },
          dependsOn: [policy, ...(props.dependsOn ?? [])],
        }),
      );
    }
    this.jobs = jobs;
  }
}

/** What {@link provisioningScript} provisions for one agent. */
export interface YugabyteDbProvisioning {
  /** The agent's name; its role and database are `stateIdentifier(agent)`. */
  readonly agent: string;
  /** The schema the role owns. @default 'public' */
  readonly schema?: string;
  /** How often the database is snapshotted. @default YUGABYTEDB_SNAPSHOT_INTERVAL */
  readonly snapshotInterval?: Duration;
  /** How long snapshots are kept. @default YUGABYTEDB_SNAPSHOT_RETENTION */
  readonly snapshotRetention?: Duration;
}

/**
 * The bash script of an agent's provisioning Job: the SQL (fed to `ysqlsh`
 * on standard input) and the snapshot schedule. Exported for tests (`bash
 * -n`, shellcheck).
 */
export function provisioningScript(names: YugabyteDbNames, spec: YugabyteDbProvisioning): string {
  const role = stateIdentifier(spec.agent);
  const database = role;
  const schema = spec.schema ?? 'public';
  const interval = (spec.snapshotInterval ?? YUGABYTEDB_SNAPSHOT_INTERVAL).toSeconds() / 60;
  const retention = (spec.snapshotRetention ?? YUGABYTEDB_SNAPSHOT_RETENTION).toSeconds() / 60;
  const conninfo = (db: string) =>
    `host=${names.host} port=${YUGABYTEDB_YSQL_PORT} user=yugabyte dbname=${db} sslmode=verify-full sslrootcert=/ca/ca.crt`;
  const ownership =
    schema === 'public'
      ? `ALTER SCHEMA public OWNER TO "${role}";`
      : `CREATE SCHEMA IF NOT EXISTS "${schema}" AUTHORIZATION "${role}";
ALTER SCHEMA "${schema}" OWNER TO "${role}";`;
  return `set -euo pipefail
umask 077
bin=/home/yugabyte/bin
admin=$(cat /admin/ysqlPassword)
# A password file, so no password is ever an argument.
export PGPASSFILE=/tmp/pgpass
admin=\${admin//\\\\/\\\\\\\\}
printf '%s:%s:*:yugabyte:%s\\n' '${names.host}' '${YUGABYTEDB_YSQL_PORT}' "\${admin//:/\\\\:}" > "$PGPASSFILE"
for attempt in $(seq 1 60); do
  if "$bin/ysqlsh" '${conninfo('yugabyte')}' -c 'SELECT 1' >/dev/null 2>&1; then break; fi
  if [ "$attempt" -eq 60 ]; then echo "YSQL at ${names.host} did not answer" >&2; exit 1; fi
  sleep 5
done
"$bin/ysqlsh" '${conninfo('yugabyte')}' -v ON_ERROR_STOP=1 --quiet <<'SQL'
\\set password \`cat /credentials/password\`
SELECT 'CREATE ROLE "${role}"' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}')\\gexec
ALTER ROLE "${role}" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
SELECT 'CREATE DATABASE "${database}" OWNER "${role}"' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${database}')\\gexec
ALTER DATABASE "${database}" OWNER TO "${role}";
REVOKE ALL ON DATABASE "${database}" FROM PUBLIC;
\\connect '${conninfo(database)}'
${ownership}
SQL
echo "role and database ${database} are provisioned, schema ${schema} owned by ${role}"
yb_admin=("$bin/yb-admin" --master_addresses '${names.masterAddresses.join(',')}' --certs_dir_name /ca)
schedules=$("\${yb_admin[@]}" list_snapshot_schedules)
if grep -Eq '"filter": *"ysql\\.${database}"' <<<"$schedules"; then
  echo "snapshot schedule of ysql.${database} exists"
else
  "\${yb_admin[@]}" create_snapshot_schedule ${interval} ${retention} 'ysql.${database}'
  echo "snapshot schedule of ysql.${database} created: every ${interval} min, kept ${retention} min"
fi
`;
}

function validateDatabases(props: YugabyteDbDatabasesProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: readonly (string | number)[], message: string) =>
    problems.push({ path, message });
  for (const [field, duration] of [
    ['snapshotInterval', props.snapshotInterval],
    ['snapshotRetention', props.snapshotRetention],
  ] as const) {
    if (duration !== undefined && (duration.toSeconds() % 60 !== 0 || duration.toSeconds() < 60)) {
      add([field], `(${duration}) must be whole minutes, at least 1m`);
    }
  }
  const interval = props.snapshotInterval ?? YUGABYTEDB_SNAPSHOT_INTERVAL;
  const retention = props.snapshotRetention ?? YUGABYTEDB_SNAPSHOT_RETENTION;
  if (interval.isLongerThan(retention)) {
    add(['snapshotRetention'], `(${retention}) must be at least the interval (${interval})`);
  }
  const agents = new Map<string, number>();
  props.databases.forEach((spec, index) => {
    const path = ['databases', index];
    if (!DNS_LABEL.test(spec.agent) || spec.agent.length > 30) {
      add(
        [...path, 'agent'],
        `'${spec.agent}' must be a DNS label of at most 30 characters (the Job's name adds 32)`,
      );
    }
    const role = stateIdentifier(spec.agent);
    if (!SQL_NAME.test(role) || RESERVED.has(role) || role.startsWith('yb_')) {
      add(
        [...path, 'agent'],
        `'${role}' must be a SQL name of lowercase letters, digits or '_', not starting with a digit or 'yb_', and not one of ${[...RESERVED].join(', ')}`,
      );
    }
    const schema = spec.schema ?? 'public';
    if (!SQL_NAME.test(schema) || schema.startsWith('pg_')) {
      add(
        [...path, 'schema'],
        `'${schema}' must be 1 to 63 lowercase letters, digits or '_', not starting with a digit or 'pg_'`,
      );
    }
    const first = agents.get(role);
    if (first !== undefined) {
      add([...path, 'agent'], `'${spec.agent}' has the role and database of databases[${first}]`);
    } else {
      agents.set(role, index);
    }
    if (
      spec.passwordRevision !== undefined &&
      (!Number.isInteger(spec.passwordRevision) || spec.passwordRevision < 1)
    ) {
      add([...path, 'passwordRevision'], `(${spec.passwordRevision}) must be a whole number >= 1`);
    }
  });
  return problems;
}

/** Where the CA copies Job finds its API token and the cluster's CA. */
const API_TOKEN_DIR = '/var/run/secrets/agent-fleet/api';
/** Private ranges a cluster's API server usually answers on (RFC 1918, carrier NAT). */
const API_SERVER_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

/** Props of {@link YugabyteDbCaCopies}. */
export interface YugabyteDbCaCopiesProps {
  /** The universe's names: its namespace and CA Secret. */
  readonly names: YugabyteDbNames;
  /** Namespaces of the agents (plain names), which get the CA Secret. */
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
   * @default - none
   */
  readonly certificatesJob?: JobV1;
  /** What must exist first. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Copies the universe's CA certificate (`ca.crt` of `names.caSecret`) into
 * each agent's namespace under the same name, which the agents mount to
 * verify the servers. `ServerCertificates` can write these copies itself,
 * but its Job, and so the CA, is then made anew whenever the list of
 * namespaces changes, and YugabyteDB's servers read their certificates only
 * at start: every agent added would restart the universe onto a new CA, its
 * servers unable to talk while old and new mix. So the CA is issued for the
 * universe's namespace alone and this Job copies it: adding an agent copies
 * the same CA again and leaves the servers alone.
 *
 * The Job runs the curl image with a projected one-hour API token of its own
 * account, which may read only the CA Secret in the universe's namespace and
 * create it, or update only it, in the agents' namespaces; its NetworkPolicy
 * lets it reach only DNS and the API server's usual private ranges on 443
 * and 6443. Its name ends in a hash of its script and image.
 */
export class YugabyteDbCaCopies extends Construct {
  /** The Job that writes the copies; agents' pods need them. */
  readonly job: JobV1;

  constructor(scope: Construct, id: string, props: YugabyteDbCaCopiesProps) {
    super(scope, id);
    const { names } = props;
    const namespaces = [...new Set(props.clientNamespaces)]
      .filter((namespace) => namespace !== names.namespace)
      .sort();
    const account = `${names.name}-ca-copies`;
    const ref = (namespace: string) => props.namespaceReferences?.get(namespace) ?? namespace;
    const labels = {
      'app.kubernetes.io/name': account,
      'app.kubernetes.io/instance': names.name,
      'app.kubernetes.io/part-of': 'agent-fleet',
    };
    const grants: ITerraformDependable[] = [
      new ServiceAccountV1(this, 'ServiceAccount', {
        metadata: { name: account, namespace: ref(names.namespace), labels },
        automountServiceAccountToken: false,
      }),
    ];
    const grant = (key: string, namespace: string, rule: RoleV1Rule[]) => {
      const role = new RoleV1(this, `Role-${key}`, {
        metadata: { name: account, namespace: ref(namespace), labels },
        rule,
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
    const secrets = (verbs: string[]) => ({
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: [names.caSecret],
      verbs,
    });
    grant('Source', names.namespace, [secrets(['get'])]);
    for (const namespace of namespaces) {
      grant(namespace, namespace, [
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        secrets(['get', 'update']),
      ]);
    }
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
    });
    const script = caCopiesScript(names, namespaces);
    const hash = createHash('sha256')
      .update(JSON.stringify({ script, image: IMAGES.curl }))
      .digest('hex')
      .slice(0, 10);
    this.job = new JobV1(this, 'Job', {
      metadata: { name: `${account}-${hash}`, namespace: ref(names.namespace), labels },
      waitForCompletion: true,
      timeouts: { create: '10m', update: '10m' },
      spec: {
        activeDeadlineSeconds: 600,
        backoffLimit: 3,
        template: {
          metadata: {
            labels,
            annotations: props.certificatesJob
              ? { 'agent-fleet.dev/certificates': props.certificatesJob.metadata.name }
              : {},
          },
          spec: {
            serviceAccountName: account,
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
                volumeMount: [
                  { name: 'api-token', mountPath: API_TOKEN_DIR, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
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
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
            ],
          },
        },
      },
      dependsOn: [
        ...grants,
        policy,
        ...(props.certificatesJob ? [props.certificatesJob] : []),
        ...(props.dependsOn ?? []),
      ],
      // A bare address: cdktf 0.21 writes a resource given here as "${...}",
      // which Terraform refuses in replace_triggered_by.
      lifecycle: props.certificatesJob
        ? {
            replaceTriggeredBy: [
              `${props.certificatesJob.terraformResourceType}.${props.certificatesJob.friendlyUniqueId}`,
            ],
          }
        : undefined,
    });
  }
}

/**
 * The CA copies Job's script (POSIX sh): reads the CA Secret, then creates
 * each copy, or replaces it where it exists (409 on create). Exported for
 * tests.
 */
export function caCopiesScript(names: YugabyteDbNames, namespaces: readonly string[]): string {
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

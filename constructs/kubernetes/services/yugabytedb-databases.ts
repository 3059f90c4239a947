import { createHash } from 'crypto';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Problem, ValidationError } from '../../../model/problems';
import { stateIdentifier } from '../../../model/state-engines';
import { Duration } from '../../../model/units';
import { provisioningJob } from './provisioning-job';
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
      jobs.set(
        agent,
        provisioningJob(this, {
          ids: { job: `Job-${agent}`, policy: `NetworkPolicy-${agent}` },
          name: `${names.name}-provision-${agent}-${hash}`,
          policyName: `${names.name}-provision-${agent}`,
          namespace,
          labels,
          image,
          command: ['/bin/bash', '-c', script],
          mounts: [
            { name: 'admin', mountPath: '/admin', secret: { name: names.adminSecret } },
            {
              name: 'credentials',
              mountPath: '/credentials',
              secret: { name: names.userSecret(agent) },
            },
            { name: 'ca', mountPath: '/ca', secret: { name: names.caSecret, keys: ['ca.crt'] } },
          ],
          egress: [
            { podLabels: names.tserverPodLabels, ports: [YUGABYTEDB_YSQL_PORT] },
            { podLabels: names.masterPodLabels, ports: [YUGABYTEDB_MASTER_RPC_PORT] },
          ],
          timeoutMinutes: 20,
          activeDeadlineSeconds: 900,
          backoffLimit: 3,
          dependsOn: props.dependsOn,
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

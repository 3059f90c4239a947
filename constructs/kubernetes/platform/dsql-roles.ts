import { createHash } from 'crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { Construct } from 'constructs';
import { DsqlRoleSet, Problem, ValidationError } from '../../../model';
import { awsJobNetworkPolicy } from '../core/network-policy';
import { PROVIDER_CONTAINER_SECURITY, PROVIDER_POD_SECURITY } from '../core/pod-spec';
import { IMAGES } from './charts';

/** Props of {@link DsqlRoles}. */
export interface DsqlRolesProps {
  /**
   * Namespace the Job runs in. The construct does not create it: pass the
   * namespace resource's name attribute so the objects depend on it.
   */
  readonly namespace: string;
  /** Name of the ServiceAccount, ConfigMap, NetworkPolicy and (with a suffix) the Job. */
  readonly name: string;
  /** The cluster, the roles to create and the Job's identity, from the infra stack. */
  readonly roles: DsqlRoleSet;
}

const SQL_DIR = '/etc/dsql-roles';
const TOKEN_DIR = '/run/dsql';
const LOWER_SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Creates each agent's database role in the site's Aurora DSQL cluster, which
 * no Terraform resource can do: a Kubernetes Job, signed in as the cluster's
 * `admin` with an IAM token of its own IRSA role (`dsql:DbConnectAdmin`), runs
 * per agent, idempotently:
 * - `CREATE ROLE <role> WITH LOGIN` unless it exists;
 * - `AWS IAM GRANT <role> TO '<agent's IAM role ARN>'` unless mapped already
 *   (`sys.iam_pg_role_mappings`), so the agent's role may sign in as it, and
 *   only as it (`dsql:DbConnect` alone cannot take `admin`);
 * - `CREATE SCHEMA IF NOT EXISTS <schema>` and `GRANT USAGE, CREATE` on it to
 *   the role, which then creates and owns its tables there.
 * An init container (AWS's CLI) signs the admin token into a memory volume;
 * `psql` (the PostgreSQL image) runs the statements with `ON_ERROR_STOP`, one
 * transaction each as DSQL requires for DDL. It never drops a role, schema or
 * mapping. The NetworkPolicy lets the pod reach DNS, the cluster's endpoint
 * on its port, and HTTPS on public addresses (STS for IRSA). The Job's name
 * ends in a hash of the roles and schemas, so a new agent reruns it.
 * @see https://docs.aws.amazon.com/aurora-dsql/latest/userguide/using-database-and-iam-roles.html
 * @see https://docs.aws.amazon.com/aurora-dsql/latest/userguide/SECTION_authentication-token.html
 */
export class DsqlRoles extends Construct {
  /** Name of the Job; it changes whenever the roles or schemas do. */
  readonly jobName: string;

  constructor(scope: Construct, id: string, props: DsqlRolesProps) {
    super(scope, id);
    const problems = validateRoles(props.roles);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const { name, namespace, roles } = props;
    const labels = {
      'app.kubernetes.io/name': 'dsql-roles',
      'app.kubernetes.io/instance': name,
      'app.kubernetes.io/part-of': 'agent-fleet',
    };
    const what = roles.roles.map(({ agent, role, schema }) => ({ agent, role, schema }));
    this.jobName = `${name}-${createHash('sha256')
      .update(JSON.stringify({ what, images: [IMAGES.awsCli, IMAGES.postgres] }))
      .digest('hex')
      .slice(0, 10)}`;

    const account = new ServiceAccountV1(this, 'ServiceAccount', {
      metadata: { name, namespace, labels, annotations: { ...roles.serviceAccountAnnotations } },
      automountServiceAccountToken: false,
    });
    const config = new ConfigMapV1(this, 'Config', {
      metadata: { name, namespace, labels },
      data: { 'roles.sql': rolesSql(roles) },
    });
    const policy = awsJobNetworkPolicy(this, {
      name,
      namespace,
      labels,
      cidr: roles.networkCidr,
      port: roles.port,
    });
    const resources = {
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
      limits: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
    };
    const tokenMount = { name: 'token', mountPath: TOKEN_DIR };
    new JobV1(this, 'Resource', {
      metadata: { name: this.jobName, namespace, labels },
      waitForCompletion: true,
      timeouts: { create: '15m', update: '15m' },
      spec: {
        activeDeadlineSeconds: 600,
        backoffLimit: 2,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: account.metadata.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            restartPolicy: 'Never',
            securityContext: { ...PROVIDER_POD_SECURITY },
            initContainer: [
              {
                name: 'admin-token',
                image: IMAGES.awsCli,
                command: [
                  'sh',
                  '-c',
                  `aws dsql generate-db-connect-admin-auth-token --region "$AWS_REGION" --hostname "$PGHOST" > ${TOKEN_DIR}/token`,
                ],
                env: [
                  { name: 'AWS_REGION', value: roles.region },
                  { name: 'PGHOST', value: roles.host },
                  // The CLI writes its cache under HOME; the image's is read-only.
                  { name: 'HOME', value: '/tmp' },
                ],
                securityContext: { ...PROVIDER_CONTAINER_SECURITY },
                resources,
                volumeMount: [tokenMount, { name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            container: [
              {
                name: 'create-roles',
                image: IMAGES.postgres,
                command: [
                  'sh',
                  '-c',
                  `PGPASSWORD="$(cat ${TOKEN_DIR}/token)" exec psql -v ON_ERROR_STOP=1 -f ${SQL_DIR}/roles.sql`,
                ],
                env: [
                  { name: 'PGHOST', value: roles.host },
                  { name: 'PGPORT', value: String(roles.port) },
                  { name: 'PGDATABASE', value: 'postgres' },
                  { name: 'PGUSER', value: 'admin' },
                  { name: 'PGSSLMODE', value: 'require' },
                ],
                securityContext: { ...PROVIDER_CONTAINER_SECURITY },
                resources,
                volumeMount: [
                  { name: 'sql', mountPath: SQL_DIR, readOnly: true },
                  { ...tokenMount, readOnly: true },
                ],
              },
            ],
            volume: [
              { name: 'sql', configMap: { name: config.metadata.name, defaultMode: '0444' } },
              { name: 'token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ],
          },
        },
      },
      dependsOn: [policy],
    });
  }
}

/** The idempotent statements: per agent its role, its IAM mapping and its schema. */
function rolesSql(set: DsqlRoleSet): string {
  const lines = [
    '-- Per agent: a login role, mapped to its IAM role, with a schema it may create in.',
    '-- Idempotent; nothing is ever dropped. Each statement is its own transaction.',
  ];
  for (const { agent, role, schema, iamRoleArn } of set.roles) {
    lines.push(
      '',
      `-- agent ${agent}`,
      `SELECT 'CREATE ROLE ${role} WITH LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') \\gexec`,
      `SELECT format('AWS IAM GRANT ${role} TO %L', '${iamRoleArn}') WHERE NOT EXISTS (SELECT 1 FROM sys.iam_pg_role_mappings WHERE pg_role_name = '${role}' AND arn = '${iamRoleArn}') \\gexec`,
      `CREATE SCHEMA IF NOT EXISTS ${schema};`,
      `GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${role};`,
    );
  }
  return lines.join('\n') + '\n';
}

function validateRoles(set: DsqlRoleSet): Problem[] {
  const problems: Problem[] = [];
  if (set.roles.length === 0) problems.push({ path: ['roles'], message: 'no role to create' });
  set.roles.forEach((role, i) => {
    for (const field of ['role', 'schema'] as const) {
      if (!LOWER_SQL_NAME.test(role[field])) {
        problems.push({
          path: ['roles', i, field],
          message: `'${role[field]}' is not a lower-case SQL identifier`,
        });
      }
    }
  });
  return problems;
}

import { createHash } from 'crypto';
import { Release } from '@cdktf/provider-helm/lib/release';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Taint } from '../../../model/placement';
import { Problem, ValidationError } from '../../../model/problems';
import { stateIdentifier } from '../../../model/state-engines';
import { Cpu, Duration, Size } from '../../../model/units';
import { EphemeralPassword } from '../../terraform/ephemeral-password';
import { DNS_EGRESS } from '../core/network-policy';
import { poolNodeAffinity, tolerationsOf } from '../core/pod-plan';
import { PROVIDER_CONTAINER_SECURITY, PROVIDER_POD_SECURITY } from '../core/pod-spec';
import { WriteOnlySecret } from '../core/write-only-secret';
import { CHARTS } from '../platform/charts';
import { COCKROACHDB_NODE_SIZE } from '../platform/footprint';

/** The official image, pinned: the 25.3 patch release the chart runs. */
export const COCKROACHDB_IMAGE = { repository: 'cockroachdb/cockroach', tag: 'v25.3.3' } as const;

/** SQL and inter-node port of the chart's Services. */
const SQL_PORT = 26257;
const ZONE_KEY = 'topology.kubernetes.io/zone';
const HOST_KEY = 'kubernetes.io/hostname';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Keys of every credentials Secret this construct writes. */
const USERNAME_KEY = 'username';
const PASSWORD_KEY = 'password';

/** A database and SQL user for one agent. */
export interface CockroachDbDatabaseSpec {
  /** The agent's name: a DNS label; it names the Secrets and the Job. */
  readonly agent: string;
  /** The agent's namespace, where its credentials Secret is written. */
  readonly namespace: string;
  /**
   * Database name: lowercase letters, digits and `_`, not starting with a digit.
   * @default - the agent's name with '-' turned into '_'
   */
  readonly database?: string;
  /**
   * SQL user, same rules as the database name.
   * @default - the agent's name with '-' turned into '_'
   */
  readonly user?: string;
  /**
   * A schema of the database the agent's user owns (SQL state), created when
   * it is not `public`; `public` is handed to the user.
   * @default - none: the user is granted the database only (key-value state)
   */
  readonly ownedSchema?: string;
  /**
   * Raise to generate and write a new password (rotation): both Secrets get
   * it in the same apply and the provisioning Job sets it on the user.
   * @default 1
   */
  readonly passwordRevision?: number;
}

/** The SQL host of a CockroachDB release in a namespace (its public Service). */
export function cockroachDbHost(name: string, namespace: string): string {
  return `${name}-public.${namespace}.svc.cluster.local`;
}

/** How an agent connects to its database; no value here is secret. */
export interface CockroachDbConnection {
  /** The public Service's DNS name. */
  readonly host: string;
  /** The SQL port, 26257. */
  readonly port: number;
  /** The agent's database. */
  readonly database: string;
  /** The SQL user, also under {@link usernameKey} in the Secret. */
  readonly user: string;
  /** Secret in the agent's namespace holding the username and password. */
  readonly secretName: string;
  /** Key of the username in the Secret, `username`. */
  readonly usernameKey: string;
  /** Key of the password in the Secret, `password`. */
  readonly passwordKey: string;
  /**
   * `require`: TLS without verifying the server's certificate, since the CA
   * the chart's self-signer creates lives only in the database's namespace.
   */
  readonly sslMode: 'require';
}

/** Props of {@link CockroachDbRelease}. */
export interface CockroachDbReleaseProps {
  /** Namespace of the database; pass the namespace resource's name attribute. */
  readonly namespace: string;
  /**
   * Release name and the chart's `fullnameOverride`: the StatefulSet, the
   * `<name>-public` Service and the `<name>-client-secret` root certificate
   * are named after it. A DNS label of at most 30 characters.
   * @default 'cockroachdb'
   */
  readonly name?: string;
  /**
   * Nodes. CockroachDB replicates every range 3 times: fewer nodes cannot
   * lose one and keep a majority.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * Why this database runs fewer than 3 nodes; required below 3.
   * @default - none, and at least 3 nodes
   */
  readonly reason?: string;
  /** Size of each node's persistent volume. @default Size.gibibytes(100) */
  readonly storage?: Size;
  /** StorageClass of the volumes; prefer SSDs. @default - the cluster's default class */
  readonly storageClass?: string;
  /** Requested and limited CPU per node. @default Cpu.cores(2) */
  readonly cpu?: Cpu;
  /**
   * Requested and limited memory per node; CockroachDB's cache and SQL memory
   * take a quarter of it each.
   * @default Size.gibibytes(8)
   */
  readonly memory?: Size;
  /**
   * Node pools the database may run on, matched on the `agent-fleet.dev/pool` node label.
   * @default - any node
   */
  readonly pools?: readonly string[];
  /** Taints of those pools the database tolerates. @default - none */
  readonly tolerations?: readonly Taint[];
  /** The agents' databases and users. @default - none */
  readonly databases?: readonly CockroachDbDatabaseSpec[];
  /**
   * Whether each agent's credentials are written as a Secret in its namespace.
   * Turn it off where they go elsewhere (Vault), written with
   * {@link CockroachDbRelease.credentialsOf}.
   * @default true
   */
  readonly agentSecrets?: boolean;
  /**
   * Namespace of Prometheus, the only one admitted to the HTTP port (metrics
   * and the admin UI).
   * @default - any namespace may reach the HTTP port
   */
  readonly monitoringNamespace?: string;
  /** How long an install or upgrade may take before it fails. @default Duration.minutes(20) */
  readonly timeout?: Duration;
  /** What must be installed first. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A CockroachDB cluster from CockroachDB's own Helm chart, with a database and
 * a SQL user per agent. Everything it renders is a built-in Kubernetes kind,
 * so it belongs in a site's platform stack, before the agents that use it.
 *
 * The cluster: 3 nodes by default, a PodDisruptionBudget of `maxUnavailable:
 * 1`, one node per host (required anti-affinity on `kubernetes.io/hostname`)
 * and nodes spread over zones ({@link ZONE_KEY}, best effort so single-zone
 * edge sites still schedule), a 300 s grace period to drain, TLS between
 * nodes and clients with certificates from the chart's self-signer (it
 * creates `<name>-ca-secret`, `<name>-node-secret` and the root client
 * certificate `<name>-client-secret` and rotates them), persistent volumes,
 * and the chart's NetworkPolicy admitting SQL connections only from the
 * agents' namespaces, the provisioning Jobs and the nodes themselves. The
 * release is `prevent_destroy`; volumes outlive it.
 *
 * Per agent, a password generated by Terraform as an ephemeral value
 * ({@link EphemeralPassword}) is written through write-only Secret data
 * ({@link WriteOnlySecret}) into the database's namespace and the agent's:
 * no password is in the synthesized output, the plan or the state. A Job in
 * the database's namespace then connects as `root` with the client
 * certificate and runs, idempotently, `CREATE DATABASE IF NOT EXISTS`,
 * `CREATE USER IF NOT EXISTS`, `ALTER USER ... WITH LOGIN PASSWORD` (read from
 * the mounted Secret and fed on standard input, never in arguments) and
 * `GRANT ALL ON DATABASE`. The Job's name ends in a hash of what it does
 * (statements, image, password revision), so a change gives a new Job, which
 * Terraform replaces and runs.
 *
 * Agents connect with `sslmode=require`: encrypted, but the server
 * certificate is not verified. `verify-full` needs the CA certificate in the
 * agent's namespace; the self-signer keeps it in the database's namespace and
 * renews it, and copying it with Terraform would read it at plan time and go
 * stale at each renewal. Sync `ca.crt` from `<name>-ca-secret` in-cluster
 * (e.g. a trust-manager Bundle) to move to `verify-full`.
 * @see https://www.cockroachlabs.com/docs/stable/deploy-cockroachdb-with-kubernetes
 * @see https://github.com/cockroachdb/helm-charts/blob/master/docs/certificate-management/self-signer.md
 * @see https://www.cockroachlabs.com/docs/stable/create-user
 */
export class CockroachDbRelease extends Construct {
  /** The `helm_release` of CockroachDB's chart, which the provisioning Jobs depend on. */
  readonly release: Release;
  /** Release name; the chart's resources are named after it. */
  readonly name: string;
  /** The public Service's DNS name. */
  readonly host: string;
  /** The SQL port of the public Service, 26257. */
  readonly port: number = SQL_PORT;
  /** Labels of the database pods, for the agents' egress rules on {@link port}. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The root client certificate's Secret, in the database's namespace. */
  readonly rootClientSecret: string;
  private readonly connections = new Map<string, CockroachDbConnection>();
  private readonly credentials = new Map<
    string,
    { username: string; password: string; revision: number }
  >();

  constructor(scope: Construct, id: string, props: CockroachDbReleaseProps) {
    super(scope, id);
    const problems = validateRelease(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const name = props.name ?? 'cockroachdb';
    const namespace = props.namespace;
    const replicas = props.replicas ?? 3;
    const databases = props.databases ?? [];
    this.name = name;
    this.host = cockroachDbHost(name, namespace);
    this.podLabels = {
      'app.kubernetes.io/name': 'cockroachdb',
      'app.kubernetes.io/instance': name,
    };
    this.rootClientSecret = `${name}-client-secret`;
    const clientLabel = { [`${name}-client`]: 'true' };

    const byName = (ns: string) => ({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
    });
    this.release = new Release(this, 'Resource', {
      name,
      namespace,
      ...CHARTS.cockroachdb,
      // The nodes turn ready only once the chart's post-install hook has run
      // `cockroach init`, which Helm would hold back while waiting for them.
      wait: false,
      timeout: (props.timeout ?? Duration.minutes(20)).toSecondsCeil(),
      dependsOn: props.dependsOn,
      lifecycle: { preventDestroy: true },
      values: [
        JSON.stringify(
          releaseValues(
            props,
            name,
            replicas,
            [...new Set(databases.map((database) => database.namespace))].map(byName),
          ),
        ),
      ],
    });

    for (const spec of databases) {
      const agent = spec.agent;
      const database = spec.database ?? stateIdentifier(agent);
      const user = spec.user ?? stateIdentifier(agent);
      const revision = spec.passwordRevision ?? 1;
      const password = new EphemeralPassword(this, `Password-${agent}`);
      const data = { [USERNAME_KEY]: user, [PASSWORD_KEY]: password.value };
      const labels = {
        'app.kubernetes.io/component': 'database-credentials',
        'agent-fleet.dev/agent': agent,
      };
      const provisioning = new WriteOnlySecret(this, `ProvisioningSecret-${agent}`, {
        name: `${name}-user-${agent}`,
        namespace,
        labels,
        revision,
        data,
      });
      const agentSecret =
        (props.agentSecrets ?? true)
          ? new WriteOnlySecret(this, `AgentSecret-${agent}`, {
              name: `${agent}-${name}`,
              namespace: spec.namespace,
              labels,
              revision,
              data,
            })
          : undefined;
      this.credentials.set(agent, { username: user, password: password.value, revision });
      this.provisioningJob(agent, {
        namespace,
        clientLabel,
        database,
        user,
        ownedSchema: spec.ownedSchema,
        revision,
        credentialsSecret: provisioning.name,
        dependsOn: [
          this.release,
          provisioning.resource,
          ...(agentSecret ? [agentSecret.resource] : []),
        ],
      });
      this.connections.set(agent, {
        host: this.host,
        port: SQL_PORT,
        database,
        user,
        // A plain name, so the agents stack can mount it without a cross-stack reference.
        secretName: `${agent}-${name}`,
        usernameKey: USERNAME_KEY,
        passwordKey: PASSWORD_KEY,
        sslMode: 'require',
      });
    }
  }

  /**
   * An agent's SQL user and password, for write-only arguments of this stack
   * only (the password is an ephemeral value), and the revision that rewrites them.
   */
  credentialsOf(agent: string): { username: string; password: string; revision: number } {
    const credentials = this.credentials.get(agent);
    if (!credentials) throw new Error(`${this.node.path}: agent '${agent}' has no database here`);
    return credentials;
  }

  /** How an agent listed in `databases` connects; throws for any other agent. */
  connectionOf(agent: string): CockroachDbConnection {
    const connection = this.connections.get(agent);
    if (!connection) {
      throw new Error(
        `${this.node.path}: agent '${agent}' has no database here; declared: ${[...this.connections.keys()].join(', ') || 'none'}`,
      );
    }
    return connection;
  }

  private provisioningJob(
    agent: string,
    options: {
      namespace: string;
      clientLabel: Record<string, string>;
      database: string;
      user: string;
      ownedSchema?: string;
      revision: number;
      credentialsSecret: string;
      dependsOn: ITerraformDependable[];
    },
  ): JobV1 {
    const { namespace, database, user } = options;
    const image = `${COCKROACHDB_IMAGE.repository}:${COCKROACHDB_IMAGE.tag}`;
    const script = provisioningScript(`${this.name}-public`, database, user, options.ownedSchema);
    const hash = createHash('sha256')
      .update(JSON.stringify({ script, image, revision: options.revision }))
      .digest('hex')
      .slice(0, 10);
    const labels = {
      'app.kubernetes.io/name': 'cockroachdb-provisioning',
      'app.kubernetes.io/instance': `${this.name}-${agent}`,
      'app.kubernetes.io/part-of': 'agent-fleet',
      ...options.clientLabel,
    };
    // The provisioning Job runs as the fleet's UID: the image's binary runs as any user and the
    // mounted certificates are readable through fsGroup.
    const hardened = { ...PROVIDER_CONTAINER_SECURITY };
    const policy = new NetworkPolicyV1(this, `ProvisioningNetworkPolicy-${agent}`, {
      metadata: { name: `${this.name}-provision-${agent}`, namespace, labels },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [],
        egress: [
          DNS_EGRESS,
          {
            to: [{ podSelector: { matchLabels: { ...this.podLabels } } }],
            ports: [{ port: String(SQL_PORT), protocol: 'TCP' }],
          },
        ],
      },
    });
    return new JobV1(this, `Provisioning-${agent}`, {
      metadata: { name: `${this.name}-provision-${agent}-${hash}`, namespace, labels },
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
                securityContext: hardened,
                resources: {
                  requests: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
                  limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
                },
                volumeMount: [
                  { name: 'client-certs', mountPath: '/client-certs', readOnly: true },
                  { name: 'credentials', mountPath: '/credentials', readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volume: [
              {
                name: 'client-certs',
                secret: { secretName: this.rootClientSecret, defaultMode: '0440' },
              },
              {
                name: 'credentials',
                secret: { secretName: options.credentialsSecret, defaultMode: '0440' },
              },
              { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
            ],
          },
        },
      },
      dependsOn: [policy, ...options.dependsOn],
    });
  }
}

/** The chart's values. */
function releaseValues(
  props: CockroachDbReleaseProps,
  name: string,
  replicas: number,
  sqlPeers: readonly object[],
): object {
  const cpu = (props.cpu ?? COCKROACHDB_NODE_SIZE.cpu).toKubernetes();
  const memory = (props.memory ?? COCKROACHDB_NODE_SIZE.memory).toKubernetes();
  const pools = props.pools ?? [];
  return {
    fullnameOverride: name,
    image: { ...COCKROACHDB_IMAGE },
    conf: { cache: '25%', 'max-sql-memory': '25%' },
    statefulset: {
      replicas,
      budget: { maxUnavailable: 1 },
      terminationGracePeriodSeconds: 300,
      resources: { requests: { cpu, memory }, limits: { cpu, memory } },
      podAntiAffinity: { type: 'hard', topologyKey: HOST_KEY },
      topologySpreadConstraints: {
        maxSkew: 1,
        topologyKey: ZONE_KEY,
        whenUnsatisfiable: 'ScheduleAnyway',
      },
      nodeAffinity: pools.length > 0 ? poolNodeAffinity(pools) : {},
      tolerations: tolerationsOf(props.tolerations ?? []),
    },
    storage: {
      persistentVolume: {
        enabled: true,
        size: (props.storage ?? Size.gibibytes(100)).toKubernetes(),
        storageClass: props.storageClass ?? '',
      },
    },
    tls: {
      enabled: true,
      certs: {
        provided: false,
        certManager: false,
        selfSigner: { enabled: true, rotateCerts: true },
      },
    },
    networkPolicy: {
      enabled: true,
      ingress: {
        grpc: sqlPeers,
        http:
          props.monitoringNamespace !== undefined
            ? [
                {
                  namespaceSelector: {
                    matchLabels: { 'kubernetes.io/metadata.name': props.monitoringNamespace },
                  },
                },
              ]
            : [],
      },
    },
  };
}

/**
 * The provisioning script. The root key is copied with mode 0400 because
 * CockroachDB refuses keys readable by others; the password is read from the
 * mounted Secret and reaches `cockroach sql` only on standard input.
 */
function provisioningScript(
  host: string,
  database: string,
  user: string,
  ownedSchema?: string,
): string {
  return `set -euo pipefail
umask 077
certs=/tmp/certs
mkdir -p "$certs"
cp /client-certs/ca.crt "$certs/ca.crt"
cp /client-certs/tls.crt "$certs/client.root.crt"
cp /client-certs/tls.key "$certs/client.root.key"
chmod 0400 "$certs/client.root.key"
password=$(cat /credentials/${PASSWORD_KEY})
escaped=\${password//\\'/\\'\\'}
connect=(--certs-dir="$certs" --host=${host}:${SQL_PORT})
for attempt in $(seq 1 60); do
  if /cockroach/cockroach sql "\${connect[@]}" --execute='SELECT 1' >/dev/null 2>&1; then break; fi
  if [ "$attempt" -eq 60 ]; then echo "CockroachDB at ${host} did not answer" >&2; exit 1; fi
  sleep 5
done
/cockroach/cockroach sql "\${connect[@]}" <<SQL
CREATE DATABASE IF NOT EXISTS "${database}";
CREATE USER IF NOT EXISTS "${user}";
ALTER USER "${user}" WITH LOGIN PASSWORD '$escaped';
GRANT ALL ON DATABASE "${database}" TO "${user}";${ownership(database, user, ownedSchema)}
SQL
echo "database ${database} and user ${user} are provisioned"
`;
}

/** The statement that gives the agent's user its schema, if it owns one. */
function ownership(database: string, user: string, schema: string | undefined): string {
  if (schema === undefined) return '';
  if (schema === 'public') return `\nALTER SCHEMA "${database}".public OWNER TO "${user}";`;
  return `\nCREATE SCHEMA IF NOT EXISTS "${database}"."${schema}" AUTHORIZATION "${user}";`;
}

function validateRelease(props: CockroachDbReleaseProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: readonly (string | number)[], message: string) =>
    problems.push({ path, message });
  const name = props.name ?? 'cockroachdb';
  if (!DNS_LABEL.test(name) || name.length > 30) {
    add(
      ['name'],
      `'${name}' must be at most 30 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    );
  }
  const replicas = props.replicas ?? 3;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 99) {
    add(['replicas'], `(${replicas}) must be a whole number from 1 to 99`);
  } else if (replicas < 3 && (props.reason?.trim() ?? '') === '') {
    add(
      ['replicas'],
      `(${replicas}) must be at least 3, so CockroachDB's 3 replicas of every range survive the loss of a node; give 'reason' to run fewer`,
    );
  }
  if (props.pools !== undefined && props.pools.length === 0) {
    add(['pools'], 'must list at least one pool, or be left out');
  }
  if (props.timeout !== undefined && !props.timeout.isLongerThan(Duration.minutes(4))) {
    add(['timeout'], `(${props.timeout.toSecondsCeil()}s) must be at least 300s`);
  }
  const agents = new Map<string, number>();
  const databases = new Map<string, number>();
  (props.databases ?? []).forEach((spec, index) => {
    const path = ['databases', index];
    if (!DNS_LABEL.test(spec.agent) || spec.agent.length > 30) {
      add([...path, 'agent'], `'${spec.agent}' must be a DNS label of at most 30 characters`);
    }
    const first = agents.get(spec.agent);
    if (first !== undefined) {
      add([...path, 'agent'], `'${spec.agent}' is already declared at databases[${first}]`);
    } else {
      agents.set(spec.agent, index);
    }
    const database = spec.database ?? stateIdentifier(spec.agent);
    const user = spec.user ?? stateIdentifier(spec.agent);
    for (const [field, value] of [
      ['database', database],
      ['user', user],
    ] as const) {
      if (!SQL_NAME.test(value) || value === 'root' || value === 'admin' || value === 'system') {
        add(
          [...path, field],
          `'${value}' must be 1 to 63 lowercase letters, digits or '_', not starting with a digit, and not root, admin or system`,
        );
      }
    }
    const other = databases.get(database);
    if (other !== undefined) {
      add([...path, 'database'], `'${database}' is already the database of databases[${other}]`);
    } else {
      databases.set(database, index);
    }
    if (!Token.isUnresolved(spec.namespace) && !DNS_LABEL.test(spec.namespace)) {
      add([...path, 'namespace'], `'${spec.namespace}' is not a namespace name`);
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

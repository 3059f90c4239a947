import { createHash } from 'crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { Manifest as ManifestResource } from '@cdktf/provider-kubernetes/lib/manifest';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Taint } from '../../../model/placement';
import { Problem, ValidationError } from '../../../model/problems';
import { WideColumnTable } from '../../../model/state';
import { stateIdentifier } from '../../../model/state-engines';
import { Cpu, Size } from '../../../model/units';
import { Manifest } from '../core/pod-manifest';
import { POOL_LABEL, tolerationsOf } from '../core/pod-plan';
import { CASSANDRA_LOGGER_RESOURCES, CASSANDRA_NODE_SIZE } from '../platform/footprint';
import {
  CASSANDRA_CQL_PORT,
  CASSANDRA_INTERNODE_PORT,
  CASSANDRA_KEYSTORE_KEY,
  CASSANDRA_MANAGEMENT_API_PORT,
  CASSANDRA_METRICS_PORT,
  CassandraNames,
} from './cassandra-access';
import { provisioningJob } from './provisioning-job';

/**
 * The Apache Cassandra version the datacenters run: the 5.0 line, the one
 * cass-operator v1.30.0 runs its integration tests on (`5.0.6`,
 * k8ssandra/cass-operator `.github/workflows/kindIntegTest.yml` at v1.30.0,
 * unchanged to v1.30.3). 5.0 has `PEMBasedSslContextFactory` (Cassandra 4.1
 * and later, `src/java/org/apache/cassandra/security/`).
 */
export const CASSANDRA_VERSION = '5.0.6';

/**
 * The Management API release whose server image the nodes run: its release
 * workflow (k8ssandra/management-api-for-apache-cassandra `v0.1.125`,
 * `.github/workflows/release.yaml` job `build-oss-5-0x`) publishes
 * `k8ssandra/cass-management-api:<version>-ubi-<release>` for every 5.0 patch
 * from 5.0.1, a tag it never rebuilds, where `<version>-ubi` (what the
 * operator's ImageConfig would derive) moves with each release.
 */
export const CASSANDRA_MANAGEMENT_API_RELEASE = 'v0.1.125';

/** The server image of a Cassandra version: Cassandra with the Management API as PID 1. */
export function cassandraServerImage(version: string): string {
  return `docker.io/k8ssandra/cass-management-api:${version}-ubi-${CASSANDRA_MANAGEMENT_API_RELEASE}`;
}

/**
 * The init container that writes each node's configuration
 * (`server-config-init`): the operator's default limits (1 CPU, 384Mi), a
 * smaller CPU request, since it runs once per start.
 */
export const CASSANDRA_CONFIG_BUILDER_RESOURCES = {
  requests: { cpu: '200m', memory: '256Mi' },
  limits: { cpu: '1', memory: '384Mi' },
} as const;

const ZONE_KEY = 'topology.kubernetes.io/zone';
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Where the nodes find their TLS files (a projected volume of the two Secrets). */
const TLS_DIR = '/etc/cassandra-tls';
/** The one rack: the site's pools declare no zones to pin racks to. */
const RACK = 'r1';
/** Largest heap Cassandra should get: compressed object pointers stop at 32G. */
const MAX_HEAP_MIB = 31 * 1024;

/** The keyspace of one agent and the tables it keeps. */
export interface CassandraKeyspaceSpec {
  /** The agent's name: its role's name; its keyspace is `stateIdentifier(agent)`. */
  readonly agent: string;
  /** The agent's namespace, a plain name: admitted to the nodes on 9042. */
  readonly namespace: string;
  /** The tables, created before the agent runs. */
  readonly tables: readonly WideColumnTable[];
  /**
   * Copies of each row in the datacenter, capped at the node count.
   * @default 3
   */
  readonly replicationFactor?: number;
}

/** Props of {@link CassandraDatacenter}. */
export interface CassandraDatacenterProps {
  /** The datacenter's names (see `cassandraNames`). */
  readonly names: CassandraNames;
  /** Cassandra nodes (`spec.size`), one per Kubernetes node. @default 3 */
  readonly nodes?: number;
  /**
   * Why fewer than 3 nodes are acceptable here; required below 3.
   * @default - none, and at least 3 nodes
   */
  readonly reason?: string;
  /** The Cassandra version, of the 5.0 line. @default CASSANDRA_VERSION */
  readonly version?: string;
  /** Size of each node's data volume. @default Size.gibibytes(100) */
  readonly storage?: Size;
  /** StorageClass of the volumes; it decides encryption at rest. @default - the cluster's default */
  readonly storageClass?: string;
  /** Requested and limited CPU of each node. @default CASSANDRA_NODE_SIZE.cpu (2 cores) */
  readonly cpu?: Cpu;
  /** Requested and limited memory of each node; the heap is half of it. @default CASSANDRA_NODE_SIZE.memory (8Gi) */
  readonly memory?: Size;
  /**
   * Node pools the nodes may run on, matched on the `agent-fleet.dev/pool` node label.
   * @default - any node
   */
  readonly pools?: readonly string[];
  /** Taints of those pools the nodes tolerate. @default - none */
  readonly tolerations?: readonly Taint[];
  /** Labels of the operator's pods, admitted to the Management API (8080). */
  readonly operatorPodLabels: Readonly<Record<string, string>>;
  /**
   * Namespace of Prometheus: when set, it is admitted to the nodes' metrics
   * endpoint (9000) and a ServiceMonitor scrapes it.
   * @default - no metrics
   */
  readonly monitoringNamespace?: string;
  /** The agents' keyspaces: a role and tables each. @default - none */
  readonly keyspaces?: readonly CassandraKeyspaceSpec[];
  /** What must exist first: the operator's CRD, the Secrets. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * An Apache Cassandra datacenter run by cass-operator: one
 * `CassandraDatacenter` resource (so it belongs in a stack after the one that
 * installs the operator and its CRD), with what the operator does not make.
 *
 * - Nodes: 3 by default, one per Kubernetes node (the operator's default
 *   anti-affinity), spread over zones (`maxSkew: 1`, best effort so
 *   single-zone sites schedule) in one rack, with data volumes of the
 *   StorageClass given, kept when the resource goes
 *   (`cassandra.datastax.com/delete-pvc: "false"`; the resource is
 *   `prevent_destroy`).
 * - No PodDisruptionBudget of its own: the operator makes `<datacenter>-pdb`
 *   with `minAvailable: size - 1` (`pkg/reconciliation/constructor.go`
 *   `newPodDisruptionBudgetForDatacenter`, v1.30.0).
 * - TLS between nodes (`internode_encryption: all`, client certificates
 *   required) and for clients (`client_encryption_options`, not optional),
 *   with the certificate Secrets `ServerCertificates` writes, read by
 *   `PEMBasedSslContextFactory` from a projected volume; certificates are
 *   checked against the CA, not against peers' addresses (nodes reach each
 *   other by IP, the certificate holds DNS names).
 * - `PasswordAuthenticator` and `CassandraAuthorizer`; the superuser is the
 *   one the operator generates (`<cluster>-superuser`); the Management API
 *   starts Cassandra with `-Dcassandra.skip_default_role_setup=true`, so the
 *   `cassandra`/`cassandra` role cannot log in. `system_auth`,
 *   `system_distributed` and `system_traces` keep min(3, nodes) copies.
 * - Per agent a role (`spec.users`, password from the Secret
 *   `DatabaseUsers` writes; the operator creates and updates it through the
 *   Management API) and a Job that, as the superuser over TLS checked with
 *   the CA, creates its keyspace (`NetworkTopologyStrategy`, the agent's
 *   factor capped at the node count), its tables and grants the role all
 *   permissions on that keyspace only, idempotently. Its name ends in a hash
 *   of what it does, so a change gives a new Job. It runs the server image,
 *   which ships `cqlsh`.
 * - Ingress to the nodes only from the agents' namespaces and the Jobs on
 *   9042, each other on 7000, the operator on 8080 and Prometheus on 9000.
 *
 * The Management API (8080) runs without mTLS (`managementApiAuth.insecure`,
 * the operator's default): the NetworkPolicy admits only the operator to it.
 * @see https://github.com/k8ssandra/cass-operator/tree/v1.30.0/docs/user
 */
export class CassandraDatacenter extends Construct {
  /** The `CassandraDatacenter` resource. */
  readonly resource: ManifestResource;
  /** The keyspace Jobs, by agent name. */
  readonly provisioning: ReadonlyMap<string, JobV1>;

  constructor(scope: Construct, id: string, props: CassandraDatacenterProps) {
    super(scope, id);
    const problems = validateDatacenter(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const { names } = props;
    const nodes = props.nodes ?? 3;
    const keyspaces = props.keyspaces ?? [];
    const labels = { 'app.kubernetes.io/part-of': 'agent-fleet' };
    const jobLabels = {
      'app.kubernetes.io/name': 'cassandra-provisioning',
      'app.kubernetes.io/instance': names.datacenter,
      ...labels,
    };
    const tcp = (port: number) => [{ port: String(port), protocol: 'TCP' }];
    const namespaceSelector = (namespace: string) => ({
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
    });

    new NetworkPolicyV1(this, 'NetworkPolicy', {
      metadata: {
        name: `${names.cluster}-${names.datacenter}-nodes`,
        namespace: names.namespace,
        labels,
      },
      spec: {
        podSelector: { matchLabels: { ...names.podLabels } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: jobLabels } },
              ...[...new Set(keyspaces.map((keyspace) => keyspace.namespace))].map(
                namespaceSelector,
              ),
            ],
            ports: tcp(CASSANDRA_CQL_PORT),
          },
          {
            from: [{ podSelector: { matchLabels: { ...names.podLabels } } }],
            ports: tcp(CASSANDRA_INTERNODE_PORT),
          },
          {
            from: [{ podSelector: { matchLabels: { ...props.operatorPodLabels } } }],
            ports: tcp(CASSANDRA_MANAGEMENT_API_PORT),
          },
          ...(props.monitoringNamespace !== undefined
            ? [
                {
                  from: [namespaceSelector(props.monitoringNamespace)],
                  ports: tcp(CASSANDRA_METRICS_PORT),
                },
              ]
            : []),
        ],
      },
    });
    this.resource = new ManifestResource(this, 'Resource', {
      manifest: datacenterManifest(props),
      lifecycle: { preventDestroy: true },
      dependsOn: props.dependsOn,
    });
    if (props.monitoringNamespace !== undefined) {
      new ManifestResource(this, 'ServiceMonitor', {
        manifest: cassandraServiceMonitorManifest(names),
        dependsOn: [this.resource],
      });
    }

    const image = cassandraServerImage(props.version ?? CASSANDRA_VERSION);
    const jobs = new Map<string, JobV1>();
    for (const keyspace of keyspaces) {
      const agent = keyspace.agent;
      const factor = Math.min(keyspace.replicationFactor ?? 3, nodes);
      const cql = keyspaceCql(names.datacenter, agent, keyspace.tables, factor);
      const script = provisioningScript(names, agent);
      const hash = createHash('sha256')
        .update(JSON.stringify({ cql, script, image }))
        .digest('hex')
        .slice(0, 10);
      const instanceLabels = { ...jobLabels, 'agent-fleet.dev/agent': agent };
      const scripts = new ConfigMapV1(this, `Keyspace-${agent}`, {
        metadata: {
          // Updated in place; the Job, whose name has the hash, runs it again.
          name: `${names.cluster}-keyspace-${agent}`,
          namespace: names.namespace,
          labels: instanceLabels,
        },
        data: { 'keyspace.cql': cql, 'provision.sh': script },
      });
      jobs.set(
        agent,
        provisioningJob(this, {
          ids: { job: `Provisioning-${agent}`, policy: `ProvisioningNetworkPolicy-${agent}` },
          name: keyspaceJobName(agent, hash),
          policyName: `${names.cluster}-keyspace-${agent}`,
          namespace: names.namespace,
          labels: instanceLabels,
          image,
          command: ['/bin/bash', '/scripts/provision.sh'],
          mounts: [
            { name: 'scripts', mountPath: '/scripts', configMap: scripts.metadata.name },
            { name: 'superuser', mountPath: '/superuser', secret: { name: names.superuserSecret } },
            { name: 'ca', mountPath: '/ca', secret: { name: names.caSecret } },
          ],
          egress: [{ podLabels: names.podLabels, ports: [CASSANDRA_CQL_PORT] }],
          // The first run waits for every node to start, one after another.
          timeoutMinutes: 40,
          activeDeadlineSeconds: 2100,
          backoffLimit: 2,
          dependsOn: [this.resource, scripts],
        }),
      );
    }
    this.provisioning = jobs;
  }
}

/** The name of an agent's keyspace Job, with the hash of what it does. */
function keyspaceJobName(agent: string, hash: string): string {
  return `keyspace-${agent}-${hash}`;
}

/** The `CassandraDatacenter` object. */
export function datacenterManifest(props: CassandraDatacenterProps): Manifest {
  const { names } = props;
  const nodes = props.nodes ?? 3;
  const version = props.version ?? CASSANDRA_VERSION;
  const cpu = (props.cpu ?? CASSANDRA_NODE_SIZE.cpu).toKubernetes();
  const memory = props.memory ?? CASSANDRA_NODE_SIZE.memory;
  const heap = `${Math.min(Math.floor(memory.toMebibytes() / 2), MAX_HEAP_MIB)}M`;
  const pools = props.pools ?? [];
  const tls = (extra: Record<string, unknown>) => ({
    ssl_context_factory: { class_name: 'org.apache.cassandra.security.PEMBasedSslContextFactory' },
    keystore: `${TLS_DIR}/${CASSANDRA_KEYSTORE_KEY}`,
    truststore: `${TLS_DIR}/ca.crt`,
    accepted_protocols: ['TLSv1.3', 'TLSv1.2'],
    ...extra,
  });
  return {
    apiVersion: 'cassandra.datastax.com/v1beta1',
    kind: 'CassandraDatacenter',
    metadata: {
      name: names.datacenter,
      namespace: names.namespace,
      labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
      // Deleting the resource must not delete the data.
      annotations: { 'cassandra.datastax.com/delete-pvc': 'false' },
    },
    spec: {
      clusterName: names.cluster,
      serverType: 'cassandra',
      serverVersion: version,
      serverImage: cassandraServerImage(version),
      // The operator turns this on for 4.1 and later, unless the image is set as here.
      readOnlyRootFilesystem: true,
      size: nodes,
      racks: [{ name: RACK }],
      managementApiAuth: { insecure: {} },
      resources: {
        requests: { cpu, memory: memory.toKubernetes() },
        limits: { cpu, memory: memory.toKubernetes() },
      },
      systemLoggerResources: CASSANDRA_LOGGER_RESOURCES,
      configBuilderResources: CASSANDRA_CONFIG_BUILDER_RESOURCES,
      storageConfig: {
        cassandraDataVolumeClaimSpec: {
          accessModes: ['ReadWriteOnce'],
          ...(props.storageClass ? { storageClassName: props.storageClass } : {}),
          resources: {
            requests: { storage: (props.storage ?? Size.gibibytes(100)).toKubernetes() },
          },
        },
        additionalVolumes: [
          {
            name: 'server-tls',
            mountPath: TLS_DIR,
            volumeSource: {
              projected: {
                defaultMode: 0o440,
                sources: [
                  {
                    secret: {
                      name: names.serverSecret,
                      items: [{ key: CASSANDRA_KEYSTORE_KEY, path: CASSANDRA_KEYSTORE_KEY }],
                    },
                  },
                  { secret: { name: names.caSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
                ],
              },
            },
          },
        ],
      },
      users: (props.keyspaces ?? []).map(({ agent }) => ({
        secretName: names.userSecret(agent),
        superuser: false,
      })),
      tolerations: tolerationsOf(props.tolerations ?? []),
      podTemplateSpec: {
        spec: {
          containers: [{ name: 'cassandra' }],
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: ZONE_KEY,
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: { ...names.podLabels } },
            },
          ],
          ...(pools.length > 0
            ? {
                affinity: {
                  nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                      nodeSelectorTerms: [
                        {
                          matchExpressions: [
                            { key: POOL_LABEL, operator: 'In', values: [...pools] },
                          ],
                        },
                      ],
                    },
                  },
                },
              }
            : {}),
        },
      },
      config: {
        'jvm-server-options': {
          initial_heap_size: heap,
          max_heap_size: heap,
          'additional-jvm-opts': [
            // Read by the Management API's agent when the auth, traces and
            // distributed system keyspaces are created (`SystemDistributedReplicationInterceptor`).
            `-Dcassandra.system_distributed_replication=${names.datacenter}:${Math.min(3, nodes)}`,
          ],
        },
        'cassandra-yaml': {
          // Cassandra 5.0 reads the authenticator as a class with parameters and
          // the authorizer and role manager as class names (`cassandra_latest.yaml`).
          authenticator: { class_name: 'org.apache.cassandra.auth.PasswordAuthenticator' },
          authorizer: 'org.apache.cassandra.auth.CassandraAuthorizer',
          role_manager: 'org.apache.cassandra.auth.CassandraRoleManager',
          server_encryption_options: tls({
            internode_encryption: 'all',
            legacy_ssl_storage_port_enabled: false,
            require_client_auth: true,
            require_endpoint_verification: false,
          }),
          client_encryption_options: tls({
            enabled: true,
            optional: false,
            require_client_auth: false,
          }),
        },
      },
    },
  };
}

/**
 * The ServiceMonitor of the nodes' metrics endpoint: port `metrics` (9000,
 * `/metrics`) of the all-pods Service, the one the operator labels
 * `cassandra.datastax.com/prom-metrics: "true"` (`construct_service.go`).
 */
export function cassandraServiceMonitorManifest(names: CassandraNames): Manifest {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name: `${names.cluster}-${names.datacenter}`,
      namespace: names.namespace,
      labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
    },
    spec: {
      selector: {
        matchLabels: { ...names.podLabels, 'cassandra.datastax.com/prom-metrics': 'true' },
      },
      namespaceSelector: { matchNames: [names.namespace] },
      endpoints: [{ port: 'metrics', path: '/metrics', scheme: 'http' }],
    },
  };
}

/** A CQL identifier, double-quoted: its case is kept and a `"` in it doubled. */
export function cqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A CQL string literal, single-quoted, a `'` in it doubled. */
function cqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The CQL of one table, created if missing, its default TTL kept in step. */
function tableCql(keyspace: string, table: WideColumnTable): string[] {
  const name = `${cqlIdentifier(keyspace)}.${cqlIdentifier(table.name)}`;
  const clustering = table.clusteringKey ?? [];
  const partition = `(${table.partitionKey.map(cqlIdentifier).join(', ')})`;
  const primaryKey = [partition, ...clustering.map((key) => cqlIdentifier(key.column))].join(', ');
  const ttl = table.defaultTtl ? table.defaultTtl.toSecondsCeil() : 0;
  const options = [
    ...(clustering.length > 0
      ? [
          `CLUSTERING ORDER BY (${clustering
            .map((key) => `${cqlIdentifier(key.column)} ${key.order === 'asc' ? 'ASC' : 'DESC'}`)
            .join(', ')})`,
        ]
      : []),
    `default_time_to_live = ${ttl}`,
  ];
  const columns = table.columns.map((column) => `  ${cqlIdentifier(column.name)} ${column.type},`);
  return [
    `CREATE TABLE IF NOT EXISTS ${name} (`,
    ...columns,
    `  PRIMARY KEY (${primaryKey})`,
    `) WITH ${options.join(' AND ')};`,
    `ALTER TABLE ${name} WITH default_time_to_live = ${ttl};`,
  ];
}

/**
 * The CQL that creates an agent's keyspace and tables and grants its role
 * all permissions on that keyspace only; every statement is safe to run
 * again. A keyspace or table that exists keeps its replication and columns
 * (changing them takes `ALTER` and, for replication, a full repair); only the
 * default TTL is kept in step. Exported for tests.
 */
export function keyspaceCql(
  datacenter: string,
  agent: string,
  tables: readonly WideColumnTable[],
  factor: number,
): string {
  const keyspace = stateIdentifier(agent);
  return [
    `-- Keyspace, tables and grants of agent '${agent}'; safe to run again.`,
    `CREATE KEYSPACE IF NOT EXISTS ${cqlIdentifier(keyspace)} WITH replication = {'class': 'NetworkTopologyStrategy', ${cqlString(datacenter)}: ${factor}} AND durable_writes = true;`,
    ...tables.flatMap((table) => tableCql(keyspace, table)),
    `GRANT ALL PERMISSIONS ON KEYSPACE ${cqlIdentifier(keyspace)} TO ${cqlIdentifier(agent)};`,
    '',
  ].join('\n');
}

/**
 * The Job's script: `cqlsh` runs the keyspace CQL as the superuser, over TLS
 * checked with the CA, retrying while the datacenter starts and until the
 * operator has created the agent's role. The superuser's password goes into a
 * credentials file only the Job's user may read (cqlsh ignores one others can
 * read), never into an argument. Exported for tests (shellcheck).
 */
export function provisioningScript(names: CassandraNames, agent: string): string {
  return `#!/bin/bash
# Creates the keyspace of agent '${agent}' as the superuser; safe to run again.
set -euo pipefail
umask 077
config=/tmp/cqlsh
mkdir -p "$config"
username=$(cat /superuser/username)
password=$(cat /superuser/password)
# cqlsh 6.x reads the section named after the auth provider, older ones plain_text_auth.
for section in PlainTextAuthProvider plain_text_auth; do
  printf '[%s]\\nusername = %s\\npassword = %s\\n\\n' "$section" "$username" "$password"
done > "$config/credentials"
cat > "$config/cqlshrc" <<'EOF'
[connection]
ssl = true
timeout = 30
request_timeout = 60

[ssl]
certfile = /ca/ca.crt
validate = true
EOF
for attempt in $(seq 1 180); do
  if cqlsh --ssl --cqlshrc="$config/cqlshrc" --credentials="$config/credentials" --file=/scripts/keyspace.cql '${names.host}' ${CASSANDRA_CQL_PORT}; then
    echo "keyspace of agent '${agent}' is ready"
    exit 0
  fi
  echo "attempt $attempt: Cassandra or the role of '${agent}' is not ready yet" >&2
  sleep 10
done
echo "gave up after $attempt attempts" >&2
exit 1
`;
}

function validateDatacenter(props: CassandraDatacenterProps): Problem[] {
  const problems: Problem[] = [];
  const nodes = props.nodes ?? 3;
  if (!Number.isInteger(nodes) || nodes < 1) {
    problems.push({ path: ['nodes'], message: `(${nodes}) must be a whole number of at least 1` });
  } else if (nodes < 3 && (props.reason?.trim() ?? '') === '') {
    problems.push({
      path: ['reason'],
      message: `(${nodes} nodes) keeps fewer than 3 copies: give 'reason' to run fewer`,
    });
  }
  if (props.version !== undefined && !/^5\.0\.\d+$/.test(props.version)) {
    problems.push({
      path: ['version'],
      message: `'${props.version}' must be a 5.0 release, the line cass-operator v1.30 is tested with`,
    });
  }
  if (props.pools !== undefined && props.pools.length === 0) {
    problems.push({ path: ['pools'], message: 'must list at least one pool, or be left out' });
  }
  const agents = new Set<string>();
  (props.keyspaces ?? []).forEach((keyspace, index) => {
    if (agents.has(keyspace.agent)) {
      problems.push({
        path: ['keyspaces', index, 'agent'],
        message: `'${keyspace.agent}' is listed twice`,
      });
    }
    agents.add(keyspace.agent);
    const jobName = keyspaceJobName(keyspace.agent, '0123456789');
    if (jobName.length > 63) {
      problems.push({
        path: ['keyspaces', index, 'agent'],
        message: `'${keyspace.agent}' makes the keyspace Job's name ${jobName.length} characters long: at most 63, so at most ${63 - jobName.length + keyspace.agent.length} for the agent's name`,
      });
    }
    const factor = keyspace.replicationFactor;
    if (factor !== undefined && (!Number.isInteger(factor) || factor < 1)) {
      problems.push({
        path: ['keyspaces', index, 'replicationFactor'],
        message: `(${factor}) must be a whole number of at least 1`,
      });
    }
    if (keyspace.tables.length === 0) {
      problems.push({ path: ['keyspaces', index, 'tables'], message: 'needs at least one table' });
    }
  });
  return problems;
}

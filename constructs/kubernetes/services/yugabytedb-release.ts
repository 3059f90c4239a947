import { Release } from '@cdktf/provider-helm/lib/release';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Taint } from '../../../model/placement';
import { Problem, ValidationError } from '../../../model/problems';
import { Cpu, Duration, Size } from '../../../model/units';
import { POOL_LABEL, poolNodeAffinity, tolerationsOf } from '../core/pod-plan';
import { CHARTS } from '../platform/charts';
import {
  YUGABYTEDB_CLEANUP_SIZE,
  YUGABYTEDB_MASTER_SIZE,
  YUGABYTEDB_TSERVER_SIZE,
} from '../platform/footprint';
import {
  YUGABYTEDB_CERT_NODE_NAME,
  YUGABYTEDB_MASTER_RPC_PORT,
  YUGABYTEDB_METRICS_PORTS,
  YUGABYTEDB_YSQL_PORT,
  YugabyteDbNames,
} from './yugabytedb-access';

/**
 * The server image the chart pins (`Image` in yugabyte/charts
 * `stable/yugabyte/values.yaml`, branch 2025.2, commit d97fc010): the
 * provisioning Jobs run its `ysqlsh` and `yb-admin`.
 */
export const YUGABYTEDB_IMAGE = {
  repository: 'yugabytedb/yugabyte',
  tag: '2025.2.5.2-b5',
} as const;

/** Each master's data volume: the chart's `storage.master.size`. */
export const YUGABYTEDB_MASTER_STORAGE = Size.gibibytes(10);

/** Where the servers find the CA and their certificate (the chart's own path). */
const CERTS_DIR = '/opt/certs/yugabyte';
const ZONE_KEY = 'topology.kubernetes.io/zone';
const HOST_KEY = 'kubernetes.io/hostname';
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const GIBIBYTE = 1024 * 1024 * 1024;

/** Props of {@link YugabyteDbRelease}. */
export interface YugabyteDbReleaseProps {
  /** The universe's names; `names.replicas` masters and tablet servers, the replication factor. */
  readonly names: YugabyteDbNames;
  /**
   * The namespace as a reference (the namespace resource's name attribute),
   * so the release follows it.
   * @default - `names.namespace`
   */
  readonly namespace?: string;
  /**
   * Why fewer than 3 servers are acceptable here; required below 3.
   * @default - none, and at least 3 masters and tablet servers
   */
  readonly reason?: string;
  /** Size of each tablet server's data volume. @default Size.gibibytes(50) */
  readonly storage?: Size;
  /** StorageClass of every volume; it decides encryption at rest. @default - the cluster's default */
  readonly storageClass?: string;
  /** Requested and limited CPU of each tablet server, whole cores. @default YUGABYTEDB_TSERVER_SIZE.cpu (2) */
  readonly cpu?: Cpu;
  /** Requested and limited memory of each tablet server, whole Gi. @default YUGABYTEDB_TSERVER_SIZE.memory (4Gi) */
  readonly memory?: Size;
  /**
   * Node pools the servers may run on, matched on the `agent-fleet.dev/pool` node label.
   * @default - any node
   */
  readonly pools?: readonly string[];
  /** Taints of those pools the servers tolerate. @default - none */
  readonly tolerations?: readonly Taint[];
  /**
   * Namespaces of the agents (plain names), admitted to YSQL (5433) only.
   * @default - none
   */
  readonly clientNamespaces?: readonly string[];
  /**
   * Labels of the pods of the provisioning Jobs, admitted to YSQL and to the
   * masters' RPC port (`yb-admin`).
   * @default - none
   */
  readonly provisioningPodLabels?: Readonly<Record<string, string>>;
  /**
   * Namespace of Prometheus: admitted to the metrics ports, and the chart's
   * ServiceMonitors scrape the servers.
   * @default - no ServiceMonitor, and no namespace admitted to the metrics ports
   */
  readonly monitoringNamespace?: string;
  /**
   * What identifies the certificates the servers load (e.g. the name of the
   * Job that wrote them): the servers read them at start only, so a new
   * value rolls the pods onto the new ones.
   * @default - none
   */
  readonly certificatesRevision?: string;
  /** How long an install or upgrade may take before it fails. @default Duration.minutes(20) */
  readonly timeout?: Duration;
  /** What must exist first: the certificates and the admin Secret. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A YugabyteDB universe from YugabyteDB's own chart ({@link CHARTS}.yugabyte),
 * masters and tablet servers as StatefulSets, with no operator. Everything it
 * renders is a built-in Kubernetes kind (and the chart's ServiceMonitors,
 * whose CRD the platform's monitoring installs), so it belongs in the
 * platform stack.
 *
 * - Replicas: `names.replicas` masters and tablet servers (3 by default),
 *   and that replication factor (the chart's `--replication_factor`).
 * - Placement: required anti-affinity of one master and one tablet server
 *   per node, and a preferred anti-affinity on `topology.kubernetes.io/zone`
 *   that spreads them over zones where there are several (the chart has no
 *   topology spread value; its own term, preferred on the host, stays). One
 *   release, not one per zone: the site's pools declare no zones to pin
 *   releases to. With 3 tablet servers every one holds a copy of each
 *   tablet, so spreading the servers spreads the copies.
 * - PodDisruptionBudgets of our own, for masters and tablet servers, each
 *   allowing `(replicas - 1) / 2` down (1 of 3), which keeps a majority of
 *   the masters and of every tablet's copies; the chart's
 *   (`useOldPodDisruptionBudget`) is turned off so they are ours to test.
 * - No LoadBalancer: `enableLoadBalancer: false` (the chart's default makes
 *   its `serviceEndpoints` LoadBalancer Services) and no endpoints at all;
 *   the UI sidecar `yugabyted-ui` is off. Only the headless Services remain.
 * - TLS between servers and from clients, insecure connections refused, with
 *   the certificates `ServerCertificates` makes in the cluster. The chart
 *   cannot take certificates from Secrets it does not render: with
 *   `tls.enabled` and no cert-manager it writes `<label>-yugabyte-tls-cert`
 *   from `tls.rootCA.key` or `tls.nodeCert.key` in the values (which would
 *   put a private key in the Terraform state), and with
 *   `tls.certManager.enabled` it renders cert-manager objects. So the
 *   chart's `tls.enabled` stays false and the same server flags it would set
 *   (`--use_node_to_node_encryption`, `--use_client_to_server_encryption`,
 *   `--allow_insecure_connections=false`, `--certs_dir`) are given as
 *   `gflags`, with the Secrets mounted at `/opt/certs/yugabyte` as
 *   `ca.crt` and `node.yugabytedb.{crt,key}` (`--cert_node_filename`).
 * - YSQL only: the YCQL and YEDIS (Redis) proxies, on by default and
 *   without authentication (`--start_cql_proxy`, `--start_redis_proxy`),
 *   are off.
 * - Authentication: `authCredentials.ysql.passwordSecretName` (never a
 *   password in the values) turns on `--ysql_enable_auth`; the chart's
 *   post-install hook sets the `yugabyte` superuser's password from that
 *   Secret. With TLS and authentication the servers' generated `ysql_hba.conf`
 *   admits only `hostssl` connections with a password.
 * - Resources: requests equal to limits for masters, tablet servers and
 *   their log cleaners; persistent volumes (one each) of the StorageClass
 *   given. The pods run as UID 10001 (the chart's `podSecurityContext`).
 * - A NetworkPolicy admitting the agents' namespaces to YSQL (5433) only,
 *   Prometheus to the metrics ports only, the provisioning Jobs to YSQL and
 *   the masters' RPC, and the universe's pods to each other.
 *
 * Encryption at rest is the StorageClass's: the open-source server's own
 * encryption needs universe keys loaded by hand with `yb-admin`.
 * @see https://github.com/yugabyte/charts/tree/2025.2/stable/yugabyte
 * @see https://docs.yugabyte.com/stable/secure/tls-encryption/server-to-server/
 * @see https://docs.yugabyte.com/stable/secure/tls-encryption/tls-authentication/
 */
export class YugabyteDbRelease extends Construct {
  /** The `helm_release`, which the provisioning Jobs depend on. */
  readonly release: Release;

  constructor(scope: Construct, id: string, props: YugabyteDbReleaseProps) {
    super(scope, id);
    const problems = validateRelease(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const { names } = props;
    const namespace = props.namespace ?? names.namespace;
    const labels = { 'app.kubernetes.io/part-of': 'agent-fleet' };
    new NetworkPolicyV1(this, 'NetworkPolicy', {
      metadata: { name: `${names.name}-servers`, namespace, labels },
      spec: {
        podSelector: {
          matchExpressions: [
            { key: 'app', operator: 'In', values: ['yb-master', 'yb-tserver'] },
            { key: 'release', operator: 'In', values: [names.name] },
          ],
        },
        policyTypes: ['Ingress'],
        ingress: networkPolicyIngress(props),
      },
    });
    const budget = yugabyteDbMaxUnavailable(names.replicas);
    for (const [key, podLabels] of [
      ['Master', names.masterPodLabels],
      ['TServer', names.tserverPodLabels],
    ] as const) {
      new PodDisruptionBudgetV1(this, `${key}DisruptionBudget`, {
        metadata: { name: `${names.name}-${podLabels.app}`, namespace, labels },
        spec: {
          maxUnavailable: String(budget),
          selector: { matchLabels: { ...podLabels } },
        },
      });
    }
    this.release = new Release(this, 'Resource', {
      name: names.name,
      namespace,
      ...CHARTS.yugabyte,
      // The chart's post-install hook sets the admin password once the servers answer.
      wait: true,
      timeout: (props.timeout ?? Duration.minutes(20)).toSecondsCeil(),
      dependsOn: props.dependsOn,
      lifecycle: { preventDestroy: true },
      values: [JSON.stringify(yugabyteDbValues(props))],
    });
  }
}

/**
 * Masters or tablet servers that may be down at once while a majority of
 * `replicas` stays: 1 of 3, 2 of 5. One of one or two, which keeps nothing
 * anyway, so that a single-server universe never blocks a node drain.
 */
export function yugabyteDbMaxUnavailable(replicas: number): number {
  return Math.max(1, Math.floor((replicas - 1) / 2));
}

/** The chart's values; every key exists in the chart's `values.yaml`. */
export function yugabyteDbValues(props: YugabyteDbReleaseProps): Record<string, unknown> {
  const { names } = props;
  const cpu = props.cpu ?? YUGABYTEDB_TSERVER_SIZE.cpu;
  const memory = props.memory ?? YUGABYTEDB_TSERVER_SIZE.memory;
  const pools = props.pools ?? [];
  const storageClass = props.storageClass ?? '';
  const exact = (size: { cpu: Cpu; memory: Size }, memory = size.memory.toKubernetes()) => {
    const quantity = { cpu: size.cpu.toKubernetes(), memory };
    return { requests: quantity, limits: quantity };
  };
  // The chart derives --memory_limit_hard_bytes from a server's limit, read in Gi only.
  const server = (size: { cpu: Cpu; memory: Size }) =>
    exact(size, `${size.memory.bytes / GIBIBYTE}Gi`);
  const placement = (app: string) => ({
    affinity: {
      ...(pools.length > 0 ? { nodeAffinity: poolNodeAffinity(pools) } : {}),
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: HOST_KEY, labelSelector: { matchLabels: { app, release: names.name } } },
        ],
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: ZONE_KEY,
              labelSelector: { matchLabels: { app, release: names.name } },
            },
          },
        ],
      },
    },
    tolerations: tolerationsOf(props.tolerations ?? []),
    extraVolumes: [
      {
        name: 'agent-fleet-certs',
        projected: {
          defaultMode: 0o440,
          sources: [
            { secret: { name: names.caSecret, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            {
              secret: {
                name: names.serverSecret,
                items: [
                  { key: 'tls.crt', path: `node.${YUGABYTEDB_CERT_NODE_NAME}.crt` },
                  { key: 'tls.key', path: `node.${YUGABYTEDB_CERT_NODE_NAME}.key` },
                ],
              },
            },
          ],
        },
      },
    ],
    extraVolumeMounts: [{ name: 'agent-fleet-certs', mountPath: CERTS_DIR, readOnly: true }],
    podAnnotations:
      props.certificatesRevision !== undefined
        ? { 'agent-fleet.dev/certificates': props.certificatesRevision }
        : {},
  });
  const tls = {
    certs_dir: CERTS_DIR,
    cert_node_filename: YUGABYTEDB_CERT_NODE_NAME,
    use_node_to_node_encryption: true,
    allow_insecure_connections: false,
  };
  const monitored = props.monitoringNamespace !== undefined;
  return {
    Image: { ...YUGABYTEDB_IMAGE },
    replicas: { master: names.replicas, tserver: names.replicas, totalMasters: names.replicas },
    storage: {
      ephemeral: false,
      master: { count: 1, size: YUGABYTEDB_MASTER_STORAGE.toKubernetes(), storageClass },
      tserver: {
        count: 1,
        size: (props.storage ?? Size.gibibytes(50)).toKubernetes(),
        storageClass,
      },
    },
    resource: {
      master: server(YUGABYTEDB_MASTER_SIZE),
      tserver: server({ cpu, memory }),
    },
    ybCleanup: { resources: exact(YUGABYTEDB_CLEANUP_SIZE) },
    enableLoadBalancer: false,
    serviceEndpoints: [],
    yugabytedUi: { enabled: false },
    tls: { enabled: false, certManager: { enabled: false } },
    gflags: {
      master: tls,
      tserver: {
        ...tls,
        use_client_to_server_encryption: true,
        certs_for_client_dir: CERTS_DIR,
        // YCQL and YEDIS start by default without authentication; agents use YSQL only.
        start_cql_proxy: false,
        start_redis_proxy: false,
      },
    },
    authCredentials: {
      ysql: { passwordSecretName: names.adminSecret },
    },
    useOldPodDisruptionBudget: false,
    podSecurityContext: {
      enabled: true,
      runAsNonRoot: true,
      fsGroup: 10001,
      runAsUser: 10001,
      runAsGroup: 10001,
    },
    // The chart's post-install hook takes only the global nodeSelector (and the
    // tablet servers' tolerations): with one pool, it runs there too.
    nodeSelector: pools.length === 1 ? { [POOL_LABEL]: pools[0] } : {},
    master: placement('yb-master'),
    tserver: placement('yb-tserver'),
    serviceMonitor: {
      enabled: monitored,
      ycql: { enabled: false },
      yedis: { enabled: false },
    },
  };
}

/** Who may reach the servers, on which ports. */
function networkPolicyIngress(props: YugabyteDbReleaseProps) {
  const { names } = props;
  const byNamespace = (namespace: string) => ({
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
  });
  const tcp = (port: number) => ({ port: String(port), protocol: 'TCP' });
  const servers = {
    podSelector: {
      matchExpressions: [
        { key: 'app', operator: 'In', values: ['yb-master', 'yb-tserver'] },
        { key: 'release', operator: 'In', values: [names.name] },
      ],
    },
  };
  // The chart's post-install hook (`<release>-setup-credentials`) signs in on YSQL.
  const hook = { podSelector: { matchLabels: { app: 'yugabyte', release: names.name } } };
  const provisioning = props.provisioningPodLabels
    ? [{ podSelector: { matchLabels: { ...props.provisioningPodLabels } } }]
    : [];
  const clients = [...new Set(props.clientNamespaces ?? [])].sort();
  return [
    // The servers among themselves: every port, as the chart opens them.
    { from: [servers] },
    {
      from: [hook, ...provisioning, ...clients.map(byNamespace)],
      ports: [tcp(YUGABYTEDB_YSQL_PORT)],
    },
    ...(provisioning.length > 0
      ? [{ from: provisioning, ports: [tcp(YUGABYTEDB_MASTER_RPC_PORT)] }]
      : []),
    ...(props.monitoringNamespace !== undefined
      ? [
          {
            from: [byNamespace(props.monitoringNamespace)],
            ports: YUGABYTEDB_METRICS_PORTS.map(tcp),
          },
        ]
      : []),
  ];
}

function validateRelease(props: YugabyteDbReleaseProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: readonly (string | number)[], message: string) =>
    problems.push({ path, message });
  const replicas = props.names.replicas;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 7 || replicas % 2 === 0) {
    add(
      ['names', 'replicas'],
      `(${replicas}) must be odd, from 1 to 7: the masters and every tablet elect a leader by a majority`,
    );
  } else if (replicas < 3 && (props.reason?.trim() ?? '') === '') {
    add(
      ['reason'],
      `(${replicas} servers) keeps fewer than 3 copies of each tablet: give 'reason' to run fewer`,
    );
  }
  if (props.cpu !== undefined && props.cpu.millicores % 1000 !== 0) {
    add(
      ['cpu'],
      `(${props.cpu.toKubernetes()}) must be whole cores: the chart passes it to --num_cpus`,
    );
  }
  if (props.memory !== undefined && props.memory.bytes % GIBIBYTE !== 0) {
    add(
      ['memory'],
      `(${props.memory.toKubernetes()}) must be whole Gi: the chart reads the limit in Gi only`,
    );
  }
  if (props.pools !== undefined && props.pools.length === 0) {
    add(['pools'], 'must list at least one pool, or be left out');
  }
  if (props.timeout !== undefined && !props.timeout.isLongerThan(Duration.minutes(4))) {
    add(['timeout'], `(${props.timeout.toSecondsCeil()}s) must be at least 300s`);
  }
  for (const [index, namespace] of (props.clientNamespaces ?? []).entries()) {
    if (!Token.isUnresolved(namespace) && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) {
      add(['clientNamespaces', index], `'${namespace}' is not a namespace name`);
    }
  }
  return problems;
}

import { createHash } from 'crypto';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { Manifest as ManifestResource } from '@cdktf/provider-kubernetes/lib/manifest';
import { NetworkPolicyV1 } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1 } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Taint } from '../../../model/placement';
import { Problem, ValidationError } from '../../../model/problems';
import { DocumentCollection } from '../../../model/state';
import { Cpu, Size } from '../../../model/units';
import { Manifest } from '../core/pod-manifest';
import { POOL_LABEL, tolerationsOf } from '../core/pod-plan';
import { CHARTS } from '../platform/charts';
import { MONGODB_AGENT_RESOURCES, MONGODB_MEMBER_SIZE } from '../platform/footprint';
import { collectionPlan } from './document-collections';
import { MONGODB_METRICS_USER, MONGODB_PORT, MongoDbNames } from './mongodb-access';
import { provisioningJob } from './provisioning-job';

/**
 * The MongoDB server version the replica sets run: the 8.0 line, which the
 * automation agent MCK 1.10.0 pins (`108.0.25`) manages; its image is
 * `<CHARTS.mongodbKubernetes.images.server>:8.0.6-ubi8`.
 */
export const MONGODB_VERSION = '8.0.6';

/** The feature compatibility version that goes with {@link MONGODB_VERSION}. */
const FEATURE_COMPATIBILITY = '8.0';
const ZONE_KEY = 'topology.kubernetes.io/zone';
const HOST_KEY = 'kubernetes.io/hostname';
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Port of the members' metrics endpoint (the operator's default). */
const METRICS_PORT = 9216;

/** The database of one agent and the collections it keeps. */
export interface MongoDbDatabaseSpec {
  /** The agent's name: its database's and user's name. */
  readonly agent: string;
  /** The agent's namespace, a plain name: admitted to the members. */
  readonly namespace: string;
  /** The collections, created with their indexes before the agent needs them. */
  readonly collections: readonly DocumentCollection[];
}

/** Props of {@link MongoDbReplicaSet}. */
export interface MongoDbReplicaSetProps {
  /** The replica set's names (see `mongoDbNames`); its hosts give the member count. */
  readonly names: MongoDbNames;
  /**
   * Why fewer than 3 members are acceptable here; required below 3.
   * @default - none, and at least 3 members
   */
  readonly reason?: string;
  /** The server version, of the 8.0 line. @default MONGODB_VERSION */
  readonly version?: string;
  /** Size of each member's data volume. @default Size.gibibytes(50) */
  readonly storage?: Size;
  /** StorageClass of the volumes; it decides encryption at rest. @default - the cluster's default */
  readonly storageClass?: string;
  /** Requested and limited CPU of each member's `mongod`. @default MONGODB_MEMBER_SIZE.cpu (1 core) */
  readonly cpu?: Cpu;
  /** Requested and limited memory of each member's `mongod`. @default MONGODB_MEMBER_SIZE.memory (4Gi) */
  readonly memory?: Size;
  /**
   * Node pools the members may run on, matched on the `agent-fleet.dev/pool` node label.
   * @default - any node
   */
  readonly pools?: readonly string[];
  /** Taints of those pools the members tolerate. @default - none */
  readonly tolerations?: readonly Taint[];
  /**
   * Namespace of Prometheus: when set, the members serve metrics (basic auth
   * with the Secret `MongoDbUsers` writes) on 9216 to that namespace only, and
   * a ServiceMonitor scrapes them.
   * @default - no metrics
   */
  readonly monitoringNamespace?: string;
  /** The agents' databases: a user and collections each. @default - none */
  readonly databases?: readonly MongoDbDatabaseSpec[];
  /** What must exist first: the operator's CRD, the Secrets. @default - nothing */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A MongoDB replica set run by MongoDB Controllers for Kubernetes: one
 * `MongoDBCommunity` resource (so it belongs in a stack after the one that
 * installs the operator and its CRD), with what the operator does not make.
 *
 * - Members: 3 by default, odd, spread over zones (`maxSkew: 1`, best effort
 *   so single-zone edge sites schedule) and one per node (required
 *   anti-affinity), with persistent data volumes of the StorageClass given
 *   (volumes outlive the resource; the resource is `prevent_destroy`).
 * - A PodDisruptionBudget of `maxUnavailable: 1`: the operator creates none.
 * - TLS required (`optional: false`) with the certificate Secrets
 *   `MongoDbCertificates` writes; SCRAM-SHA-256 only.
 * - Per agent a user named after it, in a database named after it, with
 *   `readWrite` on that database only; its password comes from the Secret
 *   `MongoDbUsers` writes (`passwordSecretRef`).
 * - Ingress to the members only from each other, the provisioning Jobs and
 *   the agents' namespaces, on 27017.
 * - Per agent a Job that signs in as the agent's user and creates its
 *   collections and indexes (unique, TTL) with `mongosh`, idempotently: an
 *   existing collection is kept, an index with the same keys and options is
 *   a no-op, and one whose options changed fails the Job rather than drop
 *   it. Its name ends in a hash of its script and image, so a change gives a
 *   new Job. It runs the server image, which ships `mongosh`.
 * @see https://github.com/mongodb/mongodb-kubernetes/blob/master/docs/mongodbcommunity/deploy-configure.md
 */
export class MongoDbReplicaSet extends Construct {
  /** The `MongoDBCommunity` resource. */
  readonly resource: ManifestResource;
  /** The collections Jobs, by agent name. */
  readonly provisioning: ReadonlyMap<string, JobV1>;

  constructor(scope: Construct, id: string, props: MongoDbReplicaSetProps) {
    super(scope, id);
    const problems = validateReplicaSet(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const { names } = props;
    const databases = props.databases ?? [];
    const labels = { 'app.kubernetes.io/part-of': 'agent-fleet' };
    const jobLabels = {
      'app.kubernetes.io/name': 'mongodb-provisioning',
      'app.kubernetes.io/instance': names.name,
      ...labels,
    };

    new NetworkPolicyV1(this, 'NetworkPolicy', {
      metadata: { name: `${names.name}-members`, namespace: names.namespace, labels },
      spec: {
        podSelector: { matchLabels: { ...names.podLabels } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { ...names.podLabels } } },
              { podSelector: { matchLabels: jobLabels } },
              ...[...new Set(databases.map((database) => database.namespace))].map((namespace) => ({
                namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
              })),
            ],
            ports: [{ port: String(MONGODB_PORT), protocol: 'TCP' }],
          },
          ...(props.monitoringNamespace !== undefined
            ? [
                {
                  from: [
                    {
                      namespaceSelector: {
                        matchLabels: { [NAMESPACE_NAME_LABEL]: props.monitoringNamespace },
                      },
                    },
                  ],
                  ports: [{ port: String(METRICS_PORT), protocol: 'TCP' }],
                },
              ]
            : []),
        ],
      },
    });
    new PodDisruptionBudgetV1(this, 'DisruptionBudget', {
      metadata: { name: names.name, namespace: names.namespace, labels },
      spec: { maxUnavailable: '1', selector: { matchLabels: { ...names.podLabels } } },
    });
    this.resource = new ManifestResource(this, 'Resource', {
      manifest: replicaSetManifest(props, databases),
      lifecycle: { preventDestroy: true },
      dependsOn: props.dependsOn,
    });

    if (props.monitoringNamespace !== undefined) {
      new ManifestResource(this, 'ServiceMonitor', {
        manifest: serviceMonitorManifest(names),
        dependsOn: [this.resource],
      });
    }

    const version = props.version ?? MONGODB_VERSION;
    const image = `${CHARTS.mongodbKubernetes.images.server}:${version}-ubi8`;
    const jobs = new Map<string, JobV1>();
    for (const database of databases) {
      const agent = database.agent;
      const script = collectionsScript(names, agent, database.collections);
      const hash = createHash('sha256')
        .update(JSON.stringify({ script, image }))
        .digest('hex')
        .slice(0, 10);
      const instanceLabels = { ...jobLabels, 'agent-fleet.dev/agent': agent };
      const scripts = new ConfigMapV1(this, `Collections-${agent}`, {
        metadata: {
          // Updated in place; the Job, whose name has the hash, runs it again.
          name: `${names.name}-collections-${agent}`,
          namespace: names.namespace,
          labels: instanceLabels,
        },
        data: { 'collections.js': script },
      });
      jobs.set(
        agent,
        provisioningJob(this, {
          ids: { job: `Provisioning-${agent}`, policy: `ProvisioningNetworkPolicy-${agent}` },
          name: `${names.name}-provision-${agent}-${hash}`,
          policyName: `${names.name}-provision-${agent}`,
          namespace: names.namespace,
          labels: instanceLabels,
          image,
          command: ['mongosh', '--nodb', '--quiet', '--file', '/scripts/collections.js'],
          mounts: [
            { name: 'scripts', mountPath: '/scripts', configMap: scripts.metadata.name },
            {
              name: 'credentials',
              mountPath: '/credentials',
              secret: { name: names.userSecret(agent) },
            },
            { name: 'ca', mountPath: '/ca', secret: { name: names.caSecret } },
          ],
          egress: [{ podLabels: names.podLabels, ports: [MONGODB_PORT] }],
          timeoutMinutes: 20,
          activeDeadlineSeconds: 900,
          backoffLimit: 3,
          dependsOn: [this.resource, scripts],
        }),
      );
    }
    this.provisioning = jobs;
  }
}

/** The `MongoDBCommunity` object. */
export function replicaSetManifest(
  props: MongoDbReplicaSetProps,
  databases: readonly MongoDbDatabaseSpec[],
): Manifest {
  const { names } = props;
  const cpu = (props.cpu ?? MONGODB_MEMBER_SIZE.cpu).toKubernetes();
  const memory = (props.memory ?? MONGODB_MEMBER_SIZE.memory).toKubernetes();
  const pools = props.pools ?? [];
  const selector = { matchLabels: { ...names.podLabels } };
  return {
    apiVersion: 'mongodbcommunity.mongodb.com/v1',
    kind: 'MongoDBCommunity',
    metadata: {
      name: names.name,
      namespace: names.namespace,
      labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
    },
    spec: {
      type: 'ReplicaSet',
      members: names.hosts.length,
      version: props.version ?? MONGODB_VERSION,
      featureCompatibilityVersion: FEATURE_COMPATIBILITY,
      security: {
        authentication: { modes: ['SCRAM-SHA-256'], ignoreUnknownUsers: true },
        tls: {
          enabled: true,
          optional: false,
          certificateKeySecretRef: { name: names.serverSecret },
          caCertificateSecretRef: { name: names.caSecret },
        },
      },
      users: databases.map(({ agent }) => ({
        name: agent,
        db: agent,
        passwordSecretRef: { name: names.userSecret(agent), key: 'password' },
        roles: [{ name: 'readWrite', db: agent }],
        scramCredentialsSecretName: `${names.name}-scram-${agent}`,
      })),
      ...(props.monitoringNamespace !== undefined
        ? {
            prometheus: {
              username: MONGODB_METRICS_USER,
              passwordSecretRef: { name: names.metricsSecret, key: 'password' },
              port: METRICS_PORT,
            },
          }
        : {}),
      statefulSet: {
        spec: {
          template: {
            spec: {
              terminationGracePeriodSeconds: 120,
              containers: [
                {
                  name: 'mongod',
                  resources: { requests: { cpu, memory }, limits: { cpu, memory } },
                },
                { name: 'mongodb-agent', resources: MONGODB_AGENT_RESOURCES },
              ],
              tolerations: tolerationsOf(props.tolerations ?? []),
              topologySpreadConstraints: [
                {
                  maxSkew: 1,
                  topologyKey: ZONE_KEY,
                  whenUnsatisfiable: 'ScheduleAnyway',
                  labelSelector: selector,
                },
              ],
              affinity: {
                podAntiAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: [
                    { topologyKey: HOST_KEY, labelSelector: selector },
                  ],
                },
                ...(pools.length > 0
                  ? {
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
                    }
                  : {}),
              },
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data-volume' },
              spec: {
                accessModes: ['ReadWriteOnce'],
                ...(props.storageClass ? { storageClassName: props.storageClass } : {}),
                resources: {
                  requests: { storage: (props.storage ?? Size.gibibytes(50)).toKubernetes() },
                },
              },
            },
          ],
        },
      },
    },
  };
}

/**
 * The ServiceMonitor of the members' metrics endpoint: the port `prometheus`
 * the operator adds to `<name>-svc`, with basic auth from the metrics Secret.
 */
export function serviceMonitorManifest(names: MongoDbNames): Manifest {
  const secret = (key: string) => ({ name: names.metricsSecret, key });
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: {
      name: names.name,
      namespace: names.namespace,
      labels: { 'app.kubernetes.io/part-of': 'agent-fleet' },
    },
    spec: {
      selector: { matchLabels: { ...names.podLabels } },
      namespaceSelector: { matchNames: [names.namespace] },
      endpoints: [
        {
          port: 'prometheus',
          scheme: 'http',
          basicAuth: { username: secret('username'), password: secret('password') },
        },
      ],
    },
  };
}

/**
 * The `mongosh` script that creates an agent's collections and indexes.
 * It signs in as the agent's user over TLS, retrying while the replica set
 * comes up; the password is read from the mounted Secret, never an argument.
 * Exported for tests (`node --check`).
 */
export function collectionsScript(
  names: MongoDbNames,
  agent: string,
  collections: readonly DocumentCollection[],
): string {
  const plan = collectionPlan(collections);
  const options = `replicaSet=${names.name}&tls=true&tlsCAFile=/ca/ca.crt&authSource=${agent}&authMechanism=SCRAM-SHA-256`;
  return `// Collections and indexes of agent '${agent}' in its database; safe to run again.
const fs = require('fs');
const read = (key) => fs.readFileSync('/credentials/' + key, 'utf8');
const user = read('username').trim();
const secret = read('password');
const hosts = ${JSON.stringify(names.hosts.map((host) => `${host}:${MONGODB_PORT}`).join(','))};
const uri =
  'mongodb://' + encodeURIComponent(user) + ':' + encodeURIComponent(secret) + '@' + hosts +
  '/${agent}?${options}';
const collections = ${JSON.stringify(plan, null, 2)};
let database;
for (let attempt = 1; ; attempt++) {
  try {
    database = new Mongo(uri).getDB(${JSON.stringify(agent)});
    database.runCommand({ ping: 1 });
    break;
  } catch (error) {
    if (attempt >= 60) throw new Error('MongoDB did not accept the agent user: ' + error.message);
    sleep(5000);
  }
}
const existing = database.getCollectionNames();
for (const collection of collections) {
  if (!existing.includes(collection.name)) database.createCollection(collection.name);
  if (collection.indexes.length > 0) {
    database.runCommand({ createIndexes: collection.name, indexes: collection.indexes });
  }
  print('collection ' + collection.name + ': ' + collection.indexes.length + ' index(es)');
}
`;
}

function validateReplicaSet(props: MongoDbReplicaSetProps): Problem[] {
  const problems: Problem[] = [];
  const members = props.names.hosts.length;
  if (members < 1 || members > 7 || members % 2 === 0) {
    problems.push({
      path: ['names', 'hosts'],
      message: `(${members} members) must be odd, from 1 to 7: a replica set elects its primary by a majority`,
    });
  } else if (members < 3 && (props.reason?.trim() ?? '') === '') {
    problems.push({
      path: ['reason'],
      message: `(${members} members) keeps fewer than 3 copies: give 'reason' to run fewer`,
    });
  }
  if (props.version !== undefined && !/^8\.0\.\d+$/.test(props.version)) {
    problems.push({
      path: ['version'],
      message: `'${props.version}' must be an 8.0 release, the line the pinned operator's agent manages`,
    });
  }
  if (props.pools !== undefined && props.pools.length === 0) {
    problems.push({ path: ['pools'], message: 'must list at least one pool, or be left out' });
  }
  const agents = new Set<string>();
  (props.databases ?? []).forEach((database, index) => {
    if (agents.has(database.agent)) {
      problems.push({
        path: ['databases', index, 'agent'],
        message: `'${database.agent}' is listed twice`,
      });
    }
    agents.add(database.agent);
  });
  return problems;
}

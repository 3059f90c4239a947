import { Manifest as ManifestResource } from '@cdktf/provider-kubernetes/lib/manifest';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Taint } from '../../../model/placement';
import { Problem, ValidationError } from '../../../model/problems';
import { Cpu, Size } from '../../../model/units';
import { Manifest } from '../core/pod-manifest';
import { poolNodeAffinity, tolerationsOf } from '../core/pod-plan';
import { KAFKA_NODE_SIZE } from '../platform/footprint';

/** API group and version Strimzi 1.2.0 serves (and stores) for its kinds. */
export const STRIMZI_API_VERSION = 'kafka.strimzi.io/v1';

/** The node label rack awareness and zone spread use. */
const ZONE_KEY = 'topology.kubernetes.io/zone';
const HOST_KEY = 'kubernetes.io/hostname';
/** Port of the plain internal listener. */
const CLIENT_PORT = 9092;
/** The single node pool: every node is a broker and a KRaft controller. */
const POOL_NAME = 'dual-role';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What a KafkaTopic needs to know about the cluster it belongs to. */
export interface StrimziKafkaClusterRef {
  /** The `Kafka` object's name: KafkaTopics carry it as `strimzi.io/cluster`. */
  readonly name: string;
  /** Namespace of the cluster; its topic operator watches KafkaTopics there. */
  readonly namespace: string;
  /** Number of brokers, the ceiling of a topic's replication factor. */
  readonly brokers: number;
  /** The brokers' `min.insync.replicas`, which topics inherit unless they set their own. */
  readonly minInsyncReplicas: number;
}

/** Compute resources of each Kafka node. */
export interface StrimziKafkaResources {
  /** Requested and limited CPU. @default Cpu.cores(1) */
  readonly cpu?: Cpu;
  /** Requested and limited memory; Strimzi sizes the JVM heap from it. @default Size.gibibytes(4) */
  readonly memory?: Size;
}

/** Props of {@link StrimziKafkaCluster}. */
export interface StrimziKafkaClusterProps {
  /**
   * Name of the `Kafka` object: a DNS label of at most 40 characters, so the
   * pod names Strimzi derives from it (`<name>-dual-role-<n>`) stay valid.
   */
  readonly name: string;
  /** Namespace of the cluster; the Strimzi operator must watch it. */
  readonly namespace: string;
  /**
   * Number of Kafka nodes, each a broker and a KRaft controller. Odd, so the
   * controller quorum gains from every node; at least 3 unless `reason` says
   * why fewer will do.
   * @default 3
   */
  readonly replicas?: number;
  /**
   * Why this cluster runs fewer than 3 nodes (e.g. a one-node edge site whose
   * data is replayable). Required below 3, where losing a node loses
   * acknowledged writes or stops the cluster.
   * @default - none, and at least 3 nodes
   */
  readonly reason?: string;
  /** Size of each node's persistent volume. @default Size.gibibytes(100) */
  readonly storage?: Size;
  /** StorageClass of the volumes. @default - the cluster's default class */
  readonly storageClass?: string;
  /** CPU and memory of each node, requests equal to limits. @default - one core and 4Gi per node */
  readonly resources?: StrimziKafkaResources;
  /**
   * Namespaces of the agents bound to this cluster: the only namespaces, with
   * KEDA's, whose pods may open connections to the client listener.
   */
  readonly clientNamespaces: readonly string[];
  /** Namespace of KEDA, which reads consumer lag through the client listener. */
  readonly kedaNamespace: string;
  /**
   * Node pools the Kafka nodes may run on, matched on the `agent-fleet.dev/pool`
   * node label (the caller matches the site's pools).
   * @default - any node
   */
  readonly pools?: readonly string[];
  /** Taints of those pools the Kafka nodes tolerate. @default - none */
  readonly tolerations?: readonly Taint[];
  /**
   * Spread replicas over zones with Strimzi's rack awareness: each broker's
   * `broker.rack` is its node's {@link ZONE_KEY} label, and Kafka places a
   * partition's replicas in different zones. Strimzi then schedules Kafka
   * pods only on nodes that carry the label: on clusters without zones, label
   * the nodes (one zone per rack or room) or turn this off.
   * @default true
   */
  readonly zoneAware?: boolean;
  /**
   * Kafka version, one the operator release supports.
   * @default - the operator's default version
   */
  readonly kafkaVersion?: string;
}

/**
 * An in-cluster Kafka cluster run by Strimzi in KRaft mode, rendered as
 * `kubernetes_manifest` objects (`Kafka` and `KafkaNodePool`,
 * `kafka.strimzi.io/v1`). It belongs in the stack after the one that installs
 * {@link StrimziOperatorRelease} (the agents stack), since the objects need
 * Strimzi's CRDs when they are planned.
 *
 * One node pool whose nodes are both brokers and controllers: a 3-node
 * cluster survives the loss of any one node for both the controller quorum
 * and the in-sync replicas, on the 3 machines an edge or small on-prem site
 * has. Separate controller pools would need 6 pods to tolerate the same single
 * failure; Strimzi recommends them for large clusters, which this site size is
 * not.
 *
 * Durability: `default.replication.factor` 3, `min.insync.replicas` 2, the
 * offsets and transaction-state topics replicated 3 times with 2 in sync,
 * unclean leader election off and `auto.create.topics.enable=false` (topics
 * come from KafkaTopics, reconciled by the entity operator's topic operator).
 * A cluster given fewer nodes (with a `reason`) replicates over all of them
 * and keeps one fewer in sync, at least one. Volumes are persistent claims
 * that outlive the cluster (`deleteClaim: false`); the `Kafka` and node pool
 * objects are `prevent_destroy`.
 *
 * Listener security: one internal listener, `plain` on {@link CLIENT_PORT},
 * without TLS or client authentication, whose NetworkPolicy (generated by
 * Strimzi from `networkPolicyPeers`) admits only the namespaces of the agents
 * bound to the cluster and KEDA's. mTLS or SCRAM would need each client's
 * KafkaUser Secret, which Strimzi writes only in the cluster's namespace, in
 * the agent's and in KEDA's; copying it through Terraform would put the key
 * in the state. The price: traffic inside the cluster network is not
 * encrypted, and every pod of an admitted namespace can read and write every
 * topic. Agents and KEDA connect with the bootstrap address alone.
 * @see https://strimzi.io/docs/operators/latest/configuring.html#type-Kafka-reference
 * @see https://strimzi.io/docs/operators/latest/configuring.html#type-KafkaNodePool-reference
 * @see https://strimzi.io/docs/operators/latest/deploying.html#type-GenericKafkaListener-reference
 */
export class StrimziKafkaCluster extends Construct implements StrimziKafkaClusterRef {
  /** The `Kafka` object's name: KafkaTopics carry it as `strimzi.io/cluster`. */
  readonly name: string;
  /** Namespace of the cluster; its topic operator watches KafkaTopics there. */
  readonly namespace: string;
  /** Number of brokers (every node is one), the ceiling of a topic's replication factor. */
  readonly brokers: number;
  /** The brokers' `min.insync.replicas`: one fewer than the replication factor, at least 1. */
  readonly minInsyncReplicas: number;
  /** The brokers' `default.replication.factor`. */
  readonly replicationFactor: number;
  /** Port of the client listener: plain TCP, no authentication. */
  readonly port: number = CLIENT_PORT;
  /** `<name>-kafka-bootstrap.<namespace>.svc:9092`, for agents and KEDA's `kafka` trigger. */
  readonly bootstrapServers: string;
  /**
   * Labels of the Kafka pods, for the clients' egress rules: clients reach the
   * bootstrap Service, then every broker pod directly, on {@link port}.
   */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The `Kafka` object. */
  readonly kafka: ManifestResource;
  /** The `KafkaNodePool` object. */
  readonly nodePool: ManifestResource;

  constructor(scope: Construct, id: string, props: StrimziKafkaClusterProps) {
    super(scope, id);
    const problems = validateCluster(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const { name, namespace } = props;
    const replicas = props.replicas ?? 3;
    this.name = name;
    this.namespace = namespace;
    this.brokers = replicas;
    this.replicationFactor = Math.min(3, replicas);
    this.minInsyncReplicas = Math.max(1, this.replicationFactor - 1);
    this.bootstrapServers = `${name}-kafka-bootstrap.${namespace}.svc:${CLIENT_PORT}`;
    this.podLabels = { 'strimzi.io/cluster': name, 'strimzi.io/kind': 'Kafka' };

    this.kafka = new ManifestResource(this, 'Resource', {
      manifest: kafkaManifest(props, this.replicationFactor, this.minInsyncReplicas),
      lifecycle: { preventDestroy: true },
    });
    this.nodePool = new ManifestResource(this, 'NodePool', {
      manifest: nodePoolManifest(props, replicas),
      lifecycle: { preventDestroy: true },
    });
  }
}

const labels = { 'app.kubernetes.io/part-of': 'agent-fleet' };

/** The `Kafka` object: listeners, broker configuration, rack and the topic operator. */
function kafkaManifest(
  props: StrimziKafkaClusterProps,
  replicationFactor: number,
  minInsyncReplicas: number,
): Manifest {
  const byName = (namespace: string) => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
  });
  const peers = [...new Set([...props.clientNamespaces, props.kedaNamespace])].map(byName);
  return {
    apiVersion: STRIMZI_API_VERSION,
    kind: 'Kafka',
    metadata: { name: props.name, namespace: props.namespace, labels },
    spec: {
      kafka: {
        ...(props.kafkaVersion !== undefined ? { version: props.kafkaVersion } : {}),
        listeners: [
          {
            name: 'plain',
            port: CLIENT_PORT,
            type: 'internal',
            tls: false,
            networkPolicyPeers: peers,
          },
        ],
        config: {
          'default.replication.factor': replicationFactor,
          'min.insync.replicas': minInsyncReplicas,
          'offsets.topic.replication.factor': replicationFactor,
          'transaction.state.log.replication.factor': replicationFactor,
          'transaction.state.log.min.isr': minInsyncReplicas,
          'unclean.leader.election.enable': false,
          'auto.create.topics.enable': false,
        },
        ...((props.zoneAware ?? true) ? { rack: { topologyKey: ZONE_KEY } } : {}),
      },
      entityOperator: {
        topicOperator: {
          resources: {
            requests: { cpu: '100m', memory: '512Mi' },
            limits: { cpu: '500m', memory: '512Mi' },
          },
        },
      },
    },
  };
}

/** The node pool: replicas, roles, storage, resources and scheduling. */
function nodePoolManifest(props: StrimziKafkaClusterProps, replicas: number): Manifest {
  const cpu = props.resources?.cpu ?? KAFKA_NODE_SIZE.cpu;
  const memory = props.resources?.memory ?? KAFKA_NODE_SIZE.memory;
  const selector = {
    matchLabels: { 'strimzi.io/cluster': props.name, 'strimzi.io/pool-name': POOL_NAME },
  };
  const pools = props.pools ?? [];
  return {
    apiVersion: STRIMZI_API_VERSION,
    kind: 'KafkaNodePool',
    metadata: {
      name: POOL_NAME,
      namespace: props.namespace,
      labels: { ...labels, 'strimzi.io/cluster': props.name },
    },
    spec: {
      replicas,
      roles: ['controller', 'broker'],
      storage: {
        type: 'jbod',
        volumes: [
          {
            id: 0,
            type: 'persistent-claim',
            size: (props.storage ?? Size.gibibytes(100)).toKubernetes(),
            ...(props.storageClass !== undefined ? { class: props.storageClass } : {}),
            deleteClaim: false,
            kraftMetadata: 'shared',
          },
        ],
      },
      resources: {
        requests: { cpu: cpu.toKubernetes(), memory: memory.toKubernetes() },
        limits: { cpu: cpu.toKubernetes(), memory: memory.toKubernetes() },
      },
      template: {
        pod: {
          affinity: {
            ...(pools.length > 0 ? { nodeAffinity: poolNodeAffinity(pools) } : {}),
            // One node per host: a host failure takes one replica of each partition at most.
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { topologyKey: HOST_KEY, labelSelector: selector },
              ],
            },
          },
          tolerations: tolerationsOf(props.tolerations ?? []),
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: ZONE_KEY,
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: selector,
            },
          ],
        },
      },
    },
  };
}

function validateCluster(props: StrimziKafkaClusterProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: readonly (string | number)[], message: string) =>
    problems.push({ path, message });
  if (!Token.isUnresolved(props.name) && (!DNS_LABEL.test(props.name) || props.name.length > 40)) {
    add(
      ['name'],
      `'${props.name}' must be at most 40 lowercase letters, digits or '-', starting and ending with a letter or digit`,
    );
  }
  const replicas = props.replicas ?? 3;
  const reason = props.reason?.trim() ?? '';
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 15) {
    add(['replicas'], `(${replicas}) must be a whole number from 1 to 15`);
  } else {
    if (replicas % 2 === 0) {
      add(
        ['replicas'],
        `(${replicas}) must be odd: every node is a KRaft controller, and a quorum of ${replicas} tolerates no more failures than one of ${replicas - 1}`,
      );
    }
    if (replicas < 3 && reason === '') {
      add(
        ['replicas'],
        `(${replicas}) must be at least 3, so one node can be lost without losing acknowledged writes; give 'reason' to run fewer`,
      );
    }
  }
  if (props.pools !== undefined && props.pools.length === 0) {
    add(['pools'], 'must list at least one pool, or be left out');
  }
  if (props.storage !== undefined && props.storage.bytes < 2 ** 30) {
    add(['storage'], `(${props.storage.toKubernetes()}) must be at least 1Gi`);
  }
  return problems;
}

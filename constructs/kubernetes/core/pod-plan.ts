import {
  AgentCloudBindings,
  agentCredentialsSecret,
  BrokerSpec,
  documentDbCaBundleUrl,
  isInClusterTlsStore,
  rabbitMqBrokers,
  RabbitMqBrokerSpec,
  brokerHost,
  brokerPorts,
  KubernetesSiteSpec,
  matchPools,
  POOL_LABEL,
  ProbeSpec,
  probeTimings,
  ResolvedAgent,
  StateEngine,
  stateModelOf,
  StateStore,
  Taint,
  tolerationsFor,
  ValidationError,
} from '../../../model';
import {
  kvDataPath,
  vaultAgentAnnotations,
  vaultBrokerSecret,
  vaultKeyTemplate,
} from './vault-annotations';

/** UID and GID agents run as: non-root and above the host's user range. */
export const AGENT_UID = 10001;

/** Pod-level security context, in Kubernetes API form. */
export const POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: AGENT_UID,
  runAsGroup: AGENT_UID,
  fsGroup: AGENT_UID,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** Container security context, in Kubernetes API form: nothing beyond what an agent needs. */
export const CONTAINER_SECURITY = {
  runAsNonRoot: true,
  runAsUser: AGENT_UID,
  runAsGroup: AGENT_UID,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** Mount point of the writable scratch volume (the root filesystem is read-only). */
export const SCRATCH_PATH = '/tmp';

/** A probe in target-neutral form. */
export interface ProbePlan {
  /** What the probe checks: an HTTP GET, a TCP connection to a named port, or a command. */
  readonly handler:
    | { readonly httpGet: { readonly path: string; readonly port: string } }
    | { readonly tcpSocket: { readonly port: string } }
    | { readonly exec: readonly string[] };
  /** Same keys in the Kubernetes API and the provider. */
  readonly timings: {
    readonly periodSeconds: number;
    readonly failureThreshold: number;
    readonly initialDelaySeconds: number;
    readonly timeoutSeconds: number;
  };
}

/**
 * Every decision about an agent's pod, taken once and rendered by both the typed
 * Terraform resources and the KEDA ScaledJob manifest.
 */
export interface PodPlan {
  /** Labels of the pod: the selector labels, the workload kind and the cloud identity's. */
  readonly labels: Readonly<Record<string, string>>;
  /** Annotations of the pod: the eviction guards of run-to-completion work and Vault's injection. */
  readonly annotations: Readonly<Record<string, string>>;
  /** Scalar pod fields, same keys in the Kubernetes API and the provider. */
  readonly settings: {
    readonly serviceAccountName: string;
    readonly automountServiceAccountToken: boolean;
    readonly priorityClassName: string;
    readonly terminationGracePeriodSeconds: number;
    readonly restartPolicy: 'Always' | 'Never';
    readonly enableServiceLinks: boolean;
  };
  /** Required node affinity: the node's pool label is one of these pools. */
  readonly pools: readonly string[];
  /** Taints of the pools the pod tolerates. */
  readonly tolerations: readonly Taint[];
  /** Soft spread over these topology keys, max skew 1. */
  readonly spreadKeys: readonly string[];
  /** The agent's one container, named `agent`: image, env, ports, resources, probes, pre-stop hook. */
  readonly container: {
    readonly name: string;
    readonly image: string;
    readonly command?: readonly string[];
    readonly args?: readonly string[];
    readonly env: readonly { readonly name: string; readonly value: string }[];
    readonly ports: readonly { readonly name: string; readonly containerPort: number }[];
    readonly requests: Readonly<Record<string, string>>;
    readonly limits: Readonly<Record<string, string>>;
    readonly readiness?: ProbePlan;
    readonly liveness?: ProbePlan;
    readonly preStop?: readonly string[];
  };
  /** Size limit of the scratch volume at {@link SCRATCH_PATH}, a Kubernetes quantity: the ephemeral-storage limit. */
  readonly scratchSizeLimit: string;
  /** Secrets mounted read-only as files, by volume name. */
  readonly credentials: readonly { readonly volume: string; readonly secret: string }[];
  /** The container's volume mounts: the scratch directory and the credentials. */
  readonly mounts: readonly {
    readonly name: string;
    readonly mountPath: string;
    readonly readOnly?: boolean;
  }[];
}

/** Where broker credentials are mounted: `<dir>/<broker>/username` and `/password`. */
export const CREDENTIALS_DIR = '/var/run/secrets/agent-fleet/brokers';

/** The engine behind each kind of store, as `FLEET_STATE_ENGINE` names it. */
const STORE_ENGINES: Readonly<Record<StateStore['kind'], StateEngine>> = {
  dynamodb: 'dynamodb',
  cosmos: 'cosmos-nosql',
  'in-cluster-sql': 'cockroachdb',
  'in-cluster-mongodb': 'mongodb',
  'in-cluster-cassandra': 'cassandra',
  'in-cluster-yugabytedb': 'yugabytedb',
  documentdb: 'documentdb',
  keyspaces: 'keyspaces',
  'aurora-dsql': 'aurora-dsql',
};

/** Name, under an agent's Vault folder, of its database credentials. */
export const VAULT_DATABASE_SECRET = 'database';

/** Where the database credentials are mounted: `<dir>/username` and `/password`. */
export const DATABASE_CREDENTIALS_DIR = '/var/run/secrets/agent-fleet/database';

/** Where the credentials of a document database are mounted: `<dir>/username` and `/password`. */
export const STATE_CREDENTIALS_DIR = '/var/run/secrets/agent-fleet/state';

/** Where the CA of an in-cluster state engine is mounted: `<dir>/ca.crt`. */
export const STATE_CA_DIR = '/var/run/secrets/agent-fleet/state-ca';

/** A Kubernetes toleration of a taint; `Exists` when the taint has no value. */
export interface Toleration {
  /** Key of the taint tolerated. */
  readonly key: string;
  /** `Equal` to match the taint's value, `Exists` to match any value. */
  readonly operator: 'Exists' | 'Equal';
  /**
   * Value of the taint tolerated, with `Equal`.
   * @default - none, with `Exists`
   */
  readonly value?: string;
  /** Effect of the taint tolerated: `NoSchedule`, `PreferNoSchedule` or `NoExecute`. */
  readonly effect: string;
}

/**
 * A node affinity, in Kubernetes API form, that requires nodes of the given
 * pools (by their {@link POOL_LABEL} label).
 */
export function poolNodeAffinity(pools: readonly string[]) {
  return {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: POOL_LABEL, operator: 'In', values: [...pools] }] },
      ],
    },
  };
}

/** Tolerations of taints, in the form the Kubernetes API and the provider share. */
export function tolerationsOf(taints: readonly Taint[]): Toleration[] {
  return taints.map((taint) =>
    taint.value === undefined
      ? { key: taint.key, operator: 'Exists', effect: taint.effect }
      : { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect },
  );
}

/** The labels that select an agent's pods. */
export function selectorLabels(agentName: string): Record<string, string> {
  return { 'app.kubernetes.io/name': agentName, 'app.kubernetes.io/part-of': 'agent-fleet' };
}

/**
 * Plans an agent's pod on a site: placement is matched against the site's
 * pools here, and a site without a fitting pool throws naming what is missing.
 */
export function planPod(
  agent: ResolvedAgent,
  site: KubernetesSiteSpec,
  priorityClassName: string,
  brokers: readonly BrokerSpec[],
  cloud?: AgentCloudBindings,
  vault?: VaultCredentials,
): PodPlan {
  const rabbitMq = rabbitMqBrokers(brokers);
  const broker = rabbitMq.find((candidate) => candidate.name === agent.queue?.broker);
  // In-cluster brokers get a user per agent; the platform stack writes its Secret.
  const inClusterBrokers = rabbitMq
    .filter((candidate) => candidate.inCluster && agent.brokers.includes(candidate.name))
    .map((candidate) => candidate.name);
  // With Vault, its Agent Injector writes the same files; no Secret is mounted.
  const brokerCredentials = rabbitMq
    .filter((candidate) => !vault && inClusterBrokers.includes(candidate.name))
    .map((candidate) => ({
      volume: `broker-${candidate.name}`,
      secret: agentCredentialsSecret(agent.spec.name, candidate.name),
      mountPath: `${CREDENTIALS_DIR}/${candidate.name}`,
    }));
  const database =
    agent.spec.state && cloud?.store?.kind === 'in-cluster-sql' ? cloud.store : undefined;
  // MongoDB, Cassandra and YugabyteDB: the agent's own user, and the engine's CA.
  const engineStore =
    agent.spec.state && isInClusterTlsStore(cloud?.store) ? cloud?.store : undefined;
  const credentials = [
    ...brokerCredentials,
    ...(engineStore && !vault
      ? [
          {
            volume: 'state',
            secret: engineStore.credentialsSecret,
            mountPath: STATE_CREDENTIALS_DIR,
          },
        ]
      : []),
    ...(engineStore
      ? [{ volume: 'state-ca', secret: engineStore.caSecret, mountPath: STATE_CA_DIR }]
      : []),
    ...(database && !vault
      ? [
          {
            volume: 'database',
            secret: database.credentialsSecret,
            mountPath: DATABASE_CREDENTIALS_DIR,
          },
        ]
      : []),
  ];
  const vaultFiles: VaultCredentialFiles[] = vault
    ? [
        ...inClusterBrokers.map((broker) => ({
          prefix: broker,
          secret: vaultBrokerSecret(broker),
          dir: `${CREDENTIALS_DIR}/${broker}`,
        })),
        ...(database
          ? [{ prefix: 'database', secret: VAULT_DATABASE_SECRET, dir: DATABASE_CREDENTIALS_DIR }]
          : []),
        ...(engineStore
          ? [{ prefix: 'state', secret: VAULT_DATABASE_SECRET, dir: STATE_CREDENTIALS_DIR }]
          : []),
      ]
    : [];
  const { spec, resources } = agent;
  const match = matchPools(spec.placement, resources.gpu, site.nodePools, 'agent', {
    cpu: resources.requests.cpu,
    memory: resources.requests.memory,
  });
  if (match.pools.length === 0) {
    const why = match.refusals.map((r) => `${r.pool}: ${r.reasons.join('; ')}`).join(' | ');
    throw new ValidationError(`agent '${spec.name}' on site '${site.name}'`, [
      {
        path: ['placement'],
        message: `fits no node pool (${why || 'the site has no node pools'})`,
      },
    ]);
  }
  const longRunning = agent.workload === 'consumer';
  const requests: Record<string, string> = {
    cpu: resources.requests.cpu.toKubernetes(),
    memory: resources.requests.memory.toKubernetes(),
    'ephemeral-storage': resources.requests.ephemeralStorage.toKubernetes(),
  };
  const limits: Record<string, string> = {
    cpu: resources.limits.cpu.toKubernetes(),
    memory: resources.limits.memory.toKubernetes(),
    'ephemeral-storage': resources.limits.ephemeralStorage.toKubernetes(),
  };
  if (resources.gpu > 0) {
    requests['nvidia.com/gpu'] = String(resources.gpu);
    limits['nvidia.com/gpu'] = String(resources.gpu);
  }
  const probes = spec.container.probes;
  return {
    labels: {
      ...cloud?.identity?.podLabels,
      ...selectorLabels(spec.name),
      'agent-fleet.dev/workload': agent.workload,
    },
    annotations: {
      ...(longRunning
        ? {}
        : {
            // Run-to-completion work must not be evicted by node consolidation.
            'karpenter.sh/do-not-disrupt': 'true',
            'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
          }),
      ...(vault && vaultFiles.length > 0
        ? vaultCredentialAnnotations(agent.spec.name, vaultFiles, vault, !longRunning)
        : {}),
    },
    settings: {
      serviceAccountName: spec.name,
      // Vault's agent logs in with the pod's service account token.
      automountServiceAccountToken: agent.serviceAccountToken || vaultFiles.length > 0,
      priorityClassName,
      terminationGracePeriodSeconds: agent.gracePeriod.toSecondsCeil(),
      restartPolicy: longRunning ? 'Always' : 'Never',
      enableServiceLinks: false,
    },
    pools: match.pools.map((pool) => pool.name),
    tolerations: tolerationsFor(match.pools),
    spreadKeys: ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'],
    container: {
      name: 'agent',
      image: spec.container.image.toString(),
      command: spec.container.command,
      args: spec.container.args,
      env: [
        ...Object.entries(spec.container.env ?? {}).map(([name, value]) => ({ name, value })),
        ...bindingEnv(agent, broker),
        ...cloudEnv(agent, cloud),
        ...(inClusterBrokers.length > 0
          ? [{ name: 'FLEET_BROKER_CREDENTIALS_DIR', value: CREDENTIALS_DIR }]
          : []),
      ],
      ports: Object.entries(spec.container.ports ?? {}).map(([name, containerPort]) => ({
        name,
        containerPort,
      })),
      requests,
      limits,
      readiness: probes ? planProbe(probes.readiness) : undefined,
      liveness: probes ? planProbe(probes.liveness) : undefined,
      preStop: longRunning ? agent.preStop : undefined,
    },
    scratchSizeLimit: resources.limits.ephemeralStorage.toKubernetes(),
    credentials: credentials.map(({ volume, secret }) => ({ volume, secret })),
    mounts: [
      { name: 'scratch', mountPath: SCRATCH_PATH },
      ...credentials.map(({ volume, mountPath }) => ({ name: volume, mountPath, readOnly: true })),
    ],
  };
}

/** Where a site's Vault keeps the credentials its agents read. */
export interface VaultCredentials {
  /** The cluster's Kubernetes auth mount, without `auth/`. */
  readonly authMount: string;
  /** KV version 2 mount. */
  readonly kvMount: string;
  /** Name of one of an agent's secrets under the mount. */
  readonly secretName: (agent: string, secret: string) => string;
  /** Where the Vault server answers, for the egress of the pods' Vault sidecar. */
  readonly server: { readonly cidrs: readonly string[]; readonly port: number };
}

/** One of an agent's Vault secrets, written as `username` and `password` files in `dir`. */
interface VaultCredentialFiles {
  /** Prefix of the injector's secret names, e.g. the broker's name. */
  readonly prefix: string;
  /** Name of the secret under the agent's Vault folder. */
  readonly secret: string;
  readonly dir: string;
}

/**
 * Vault Agent Injector annotations that write each credential's `username`
 * and `password` to the same files a Secret volume would (e.g.
 * `<CREDENTIALS_DIR>/<broker>/username`), so an agent reads its credentials
 * the same way on every site.
 * @see https://developer.hashicorp.com/vault/docs/platform/k8s/injector/annotations
 */
function vaultCredentialAnnotations(
  agent: string,
  credentials: readonly VaultCredentialFiles[],
  vault: VaultCredentials,
  runToCompletion: boolean,
): Record<string, string> {
  const secrets = credentials.flatMap(({ prefix, secret, dir }) => {
    const path = kvDataPath(vault.kvMount, vault.secretName(agent, secret));
    return (['username', 'password'] as const).map((key) => ({
      name: `${prefix}-${key}`,
      path,
      template: vaultKeyTemplate(path, key),
      file: key,
      dir,
    }));
  });
  return vaultAgentAnnotations({
    role: agent,
    authPath: `auth/${vault.authMount}`,
    runToCompletion,
    secrets,
  });
}

/**
 * Where an agent's consumer group starts when it has no committed offsets
 * (`auto.offset.reset`); KEDA's `kafka` trigger computes the lag with the same
 * policy, so they agree on what is pending.
 */
export const KAFKA_OFFSET_RESET = 'earliest';

/** Prefix of the environment variables that tell an agent its queue binding. */
export const BINDING_ENV_PREFIX = 'FLEET_';

/**
 * The queue binding as environment variables, so the agent consumes with the
 * declared prefetch and knows its processing budget. No credentials: those
 * come from Vault or workload identity.
 */
function bindingEnv(
  agent: ResolvedAgent,
  broker?: RabbitMqBrokerSpec,
): { name: string; value: string }[] {
  const queue = agent.queue;
  if (!queue || !broker) return [];
  const env: Record<string, string> = {
    FLEET_BROKER_HOST: brokerHost(broker),
    FLEET_BROKER_PORT: String(brokerPorts(broker).amqp),
    FLEET_QUEUE_VHOST: queue.vhost,
    FLEET_QUEUE_NAME: queue.queue,
    FLEET_QUEUE_PREFETCH: String(queue.prefetch),
    FLEET_MAX_PROCESSING_SECONDS: String(queue.maxProcessingTime.toSecondsCeil()),
  };
  if (queue.maxPriority !== undefined) env.FLEET_QUEUE_MAX_PRIORITY = String(queue.maxPriority);
  if (queue.deadLetter.enabled) env.FLEET_DEAD_LETTER_EXCHANGE = queue.deadLetter.exchange;
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}

/**
 * What the site built for the agent, as environment variables: the region,
 * its queue, topic, table or database. Credentials come from the service
 * account's cloud identity or mounted files, never from here.
 */
function cloudEnv(
  agent: ResolvedAgent,
  cloud?: AgentCloudBindings,
): { name: string; value: string }[] {
  if (!cloud) return [];
  const env: Record<string, string> = {};
  if (cloud.identity?.cloud === 'aws') env.AWS_REGION = cloud.identity.region;
  const { queue, topic } = agent;
  if (queue && cloud.queue?.kind === 'sqs') {
    env.FLEET_QUEUE_URL = cloud.queue.queueUrl;
    env.FLEET_DEAD_LETTER_QUEUE_URL = cloud.queue.deadLetterQueueUrl;
  }
  if (queue && cloud.queue?.kind === 'servicebus') {
    env.FLEET_SERVICEBUS_NAMESPACE = cloud.queue.fullyQualifiedNamespace;
  }
  if (queue && cloud.queue) {
    env.FLEET_QUEUE_NAME = queue.queue;
    env.FLEET_MAX_PROCESSING_SECONDS = String(queue.maxProcessingTime.toSecondsCeil());
  }
  if (topic && cloud.kafka) {
    env.FLEET_KAFKA_BOOTSTRAP_SERVERS = cloud.kafka.bootstrapServers;
    env.FLEET_KAFKA_TOPIC = topic.topic;
    env.FLEET_KAFKA_CONSUMER_GROUP = topic.consumerGroup;
    if (topic.deadLetter.enabled) env.FLEET_KAFKA_DEAD_LETTER_TOPIC = topic.deadLetter.topic;
    env.FLEET_KAFKA_AUTH = cloud.kafka.auth ?? 'aws-msk-iam';
    env.FLEET_KAFKA_AUTO_OFFSET_RESET = KAFKA_OFFSET_RESET;
    env.FLEET_MAX_PROCESSING_SECONDS = String(topic.maxProcessingTime.toSecondsCeil());
  }
  const store = agent.spec.state ? cloud.store : undefined;
  if (agent.spec.state && store) {
    env.FLEET_STATE_MODEL = stateModelOf(agent.spec.state);
    env.FLEET_STATE_ENGINE = STORE_ENGINES[store.kind];
  }
  if (store?.kind === 'dynamodb') env.FLEET_TABLE_NAME = store.tableName;
  if (store?.kind === 'cosmos') {
    env.FLEET_COSMOS_ENDPOINT = store.endpoint;
    env.FLEET_COSMOS_DATABASE = store.database;
    env.FLEET_COSMOS_CONTAINER = store.container;
    // Direct mode needs a port range the NetworkPolicy does not open; gateway mode uses 443.
    env.FLEET_COSMOS_CONNECTION_MODE = 'Gateway';
  }
  if (store?.kind === 'in-cluster-sql') {
    env.FLEET_DATABASE_HOST = store.host;
    env.FLEET_DATABASE_PORT = String(store.port);
    env.FLEET_DATABASE_NAME = store.database;
    if (store.schema) env.FLEET_DATABASE_SCHEMA = store.schema;
    env.FLEET_DATABASE_CREDENTIALS_DIR = DATABASE_CREDENTIALS_DIR;
  }
  if (store?.kind === 'aurora-dsql') {
    env.FLEET_STATE_HOST = store.host;
    env.FLEET_STATE_PORT = String(store.port);
    env.FLEET_STATE_DATABASE = store.database;
    env.FLEET_STATE_USER = store.user;
    env.FLEET_DATABASE_SCHEMA = store.schema;
    env.FLEET_STATE_AUTH = store.auth;
  }
  if (store?.kind === 'keyspaces') {
    env.FLEET_STATE_HOST = store.host;
    env.FLEET_STATE_PORT = String(store.port);
    env.FLEET_STATE_KEYSPACE = store.keyspace;
    env.FLEET_STATE_AUTH = store.auth;
  }
  if (store?.kind === 'documentdb') {
    env.FLEET_STATE_HOSTS = store.host;
    env.FLEET_STATE_PORT = String(store.port);
    env.FLEET_STATE_DATABASE = store.database;
    env.FLEET_STATE_AUTH = store.auth;
    // The CA bundle of the cluster's region, which AWS publishes and rotates.
    env.FLEET_STATE_TLS_CA_URL = documentDbCaBundleUrl(store.region);
  }
  if (store?.kind === 'in-cluster-mongodb') {
    env.FLEET_STATE_HOSTS = store.hosts.join(',');
    env.FLEET_STATE_PORT = String(store.port);
    env.FLEET_STATE_DATABASE = store.database;
    env.FLEET_STATE_REPLICA_SET = store.replicaSet;
  }
  if (store?.kind === 'in-cluster-cassandra') {
    env.FLEET_STATE_HOSTS = store.host;
    env.FLEET_STATE_PORT = String(store.port);
    env.FLEET_STATE_DATACENTER = store.datacenter;
    env.FLEET_STATE_KEYSPACE = store.keyspace;
  }
  if (store?.kind === 'in-cluster-yugabytedb') {
    env.FLEET_STATE_HOST = store.host;
    env.FLEET_STATE_PORT = String(store.port);
    env.FLEET_STATE_DATABASE = store.database;
    if (store.schema) env.FLEET_DATABASE_SCHEMA = store.schema;
  }
  if (isInClusterTlsStore(store)) {
    env.FLEET_STATE_CREDENTIALS_DIR = STATE_CREDENTIALS_DIR;
    env.FLEET_STATE_TLS_CA_FILE = `${STATE_CA_DIR}/ca.crt`;
  }
  return Object.entries(env).map(([name, value]) => ({ name, value }));
}

function planProbe(probe: ProbeSpec): ProbePlan {
  const timings = probeTimings(probe);
  const handler = probe.httpGet
    ? { httpGet: { path: probe.httpGet.path, port: String(probe.httpGet.port) } }
    : probe.tcpSocket
      ? { tcpSocket: { port: String(probe.tcpSocket.port) } }
      : { exec: probe.exec ?? [] };
  return {
    handler,
    timings: {
      periodSeconds: timings.period,
      failureThreshold: timings.failureThreshold,
      initialDelaySeconds: timings.initialDelay,
      timeoutSeconds: timings.timeout,
    },
  };
}

export { POOL_LABEL };

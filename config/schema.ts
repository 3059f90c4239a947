import { agentTypeSchema } from './schema-agent';
import {
  cpuSchema,
  dnsLabelSchema,
  enumSchema,
  integerSchema,
  listSchema,
  mapSchema,
  objectSchema,
  PATTERNS,
  sizeSchema,
  stringSchema,
} from './formats';
import { JsonSchema, partialOf } from './json-schema';

/**
 * The JSON Schemas of the configuration files, written once here and published
 * to `schema/` by `npm run schema` for editors (yaml-language-server).
 */

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** `fleet/agent-types.yaml`: the catalogue of agent types shared by every environment. */
export const agentTypesSchema: JsonSchema = {
  $schema: DRAFT_07,
  title: 'Agent fleet: agent type catalogue',
  ...objectSchema(
    'Agent types declared once and placed on sites by the environment files.',
    {
      agentTypes: {
        ...mapSchema(
          'Agent types by name. The name (a DNS label of at most 50 characters) names the Kubernetes objects.',
          { $ref: '#/definitions/agentType' },
          dnsLabelSchema(50),
        ),
        minProperties: 1,
      },
    },
    ['agentTypes'],
  ),
  definitions: { agentType: agentTypeSchema },
};

const overrideKeys = Object.keys(agentTypeSchema.properties ?? {});
const partialAgent = partialOf(agentTypeSchema);

/**
 * One definition per overridable field, shared by the environment-wide and the
 * per-site overrides so that validators compile each once.
 */
const overrideDefinitions: Record<string, JsonSchema> = Object.fromEntries(
  overrideKeys.map((key) => [`${key}Override`, partialAgent.properties?.[key] ?? {}]),
);

const overrideRefs = (): Record<string, JsonSchema> =>
  Object.fromEntries(overrideKeys.map((key) => [key, { $ref: `#/definitions/${key}Override` }]));

const agentOverride: JsonSchema = {
  ...partialAgent,
  description:
    'Overrides of the agent type: mappings merge key by key, lists and scalars replace, null removes the key.',
  properties: overrideRefs(),
};

const agentPlacement = objectSchema(
  'An agent type of the catalogue placed on sites of this environment, with overrides for the whole environment.',
  {
    sites: {
      ...mapSchema(
        'Sites the agent type runs on, each with overrides for that site only (may be empty: {}).',
        { $ref: '#/definitions/agentOverride' },
      ),
      minProperties: 1,
    },
    ...overrideRefs(),
  },
  ['sites'],
);

const nodePool = objectSchema('A node pool: what its nodes offer and their taints.', {
  arch: enumSchema("CPU architecture. Default 'amd64'.", ['amd64', 'arm64']),
  capacity: enumSchema("Default 'on-demand'.", ['on-demand', 'spot']),
  gpu: objectSchema(
    'GPUs per node and their model.',
    {
      count: integerSchema('GPUs per node.', 1, 16),
      model: stringSchema('GPU model, e.g. nvidia-tesla-t4.', { minLength: 1 }),
    },
    ['count', 'model'],
  ),
  labels: mapSchema('Node labels such as location, datacenter, hardware-type.', { type: 'string' }),
  taints: listSchema(
    'Node taints; agents that match the pool tolerate them.',
    objectSchema(
      'A taint.',
      {
        key: stringSchema('Taint key, e.g. nvidia.com/gpu.', { minLength: 1 }),
        value: stringSchema('Taint value. Default: none.'),
        effect: enumSchema('Taint effect.', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
      },
      ['key', 'effect'],
    ),
  ),
});

const kubernetesSite = objectSchema(
  'A Kubernetes cluster reached through a kubeconfig context.',
  {
    kind: enumSchema('Kind of site.', ['kubernetes']),
    kubeconfig: objectSchema(
      'How to reach the cluster.',
      {
        path: stringSchema('Path to the kubeconfig file; ~ is expanded.', { minLength: 1 }),
        context: stringSchema('Context of the kubeconfig.', { minLength: 1 }),
      },
      ['path', 'context'],
    ),
    nodePools: {
      ...mapSchema('Node pools by name (DNS label).', nodePool, dnsLabelSchema(63)),
      minProperties: 1,
    },
    monitoring: objectSchema('Where monitoring runs.', {
      namespace: stringSchema("Namespace of monitoring. Default 'monitoring'."),
      prometheusUrl: stringSchema('Prometheus URL. Default: the kube-prometheus-stack Prometheus.'),
    }),
    kedaNamespace: stringSchema("Namespace of KEDA. Default 'keda'."),
  },
  ['kind', 'kubeconfig', 'nodePools'],
);

const awsNodePool: JsonSchema = {
  ...nodePool,
  description: 'A managed node group: what its nodes offer, their instances and bounds.',
  properties: {
    ...nodePool.properties,
    instanceTypes: listSchema(
      'EC2 instance types, e.g. m7i.large.',
      stringSchema('Instance type.', { minLength: 1 }),
      1,
    ),
    minSize: integerSchema('Fewest nodes; 0 lets the cluster autoscaler empty the pool.', 0, 1000),
    maxSize: integerSchema('Most nodes.', 1, 1000),
    desiredSize: integerSchema('Nodes at creation. Default: minSize.', 0, 1000),
    diskSize: sizeSchema('Root volume of each node. Default 50Gi.'),
  },
  required: ['instanceTypes', 'minSize', 'maxSize'],
};

const awsSite = objectSchema(
  'An AWS region: a private network, an EKS cluster and managed node groups (stack <env>-<site>-infra).',
  {
    kind: enumSchema('Kind of site.', ['aws']),
    accountId: stringSchema('The 12-digit AWS account.', { pattern: PATTERNS.awsAccount }),
    region: stringSchema('AWS region, e.g. eu-west-1.', { pattern: PATTERNS.awsRegion }),
    network: objectSchema(
      'The private network.',
      {
        cidr: stringSchema('VPC CIDR, /16 to /20.', { pattern: PATTERNS.cidr }),
        availabilityZones: {
          ...listSchema(
            'Two or three zones of the region, e.g. eu-west-1a.',
            stringSchema('Zone.', { minLength: 1 }),
            2,
          ),
          maxItems: 3,
        },
      },
      ['cidr', 'availabilityZones'],
    ),
    cluster: objectSchema(
      'The EKS cluster.',
      {
        version: stringSchema('Kubernetes version, e.g. 1.33.', { pattern: '^1\\.[0-9]+$' }),
        publicAccessCidrs: listSchema(
          'CIDRs allowed to reach the API publicly. Default: private endpoint only.',
          stringSchema('IPv4 CIDR.', { pattern: PATTERNS.cidr }),
        ),
        admins: mapSchema(
          'IAM roles with cluster-admin access, by entry name.',
          stringSchema('IAM role ARN.', { pattern: PATTERNS.iamRoleArn }),
        ),
      },
      ['version'],
    ),
    nodePools: {
      ...mapSchema('Node groups by name (DNS label).', awsNodePool, dnsLabelSchema(63)),
      minProperties: 1,
    },
  },
  ['kind', 'accountId', 'region', 'network', 'cluster', 'nodePools'],
);

/** A site: its `kind` picks the schema that applies. */
const site: JsonSchema = {
  if: { type: 'object', properties: { kind: { const: 'aws' } }, required: ['kind'] },
  then: awsSite,
  else: kubernetesSite,
};

const exactlyOne = (schema: JsonSchema): JsonSchema => ({
  ...schema,
  minProperties: 1,
  maxProperties: 1,
});

const rabbitMqBroker = objectSchema(
  "A RabbitMQ broker: exactly one of 'inCluster', 'amazonMq' or 'external'. KEDA reads queue depth through its management API.",
  {
    kind: enumSchema('Kind of broker.', ['rabbitmq']),
    inCluster: objectSchema(
      "Run by the platform stack of a Kubernetes site: the official image as a StatefulSet loading the fleet's topology at boot.",
      {
        site: stringSchema('Site whose cluster runs the broker.', { minLength: 1 }),
        namespace: stringSchema("Namespace of the broker. Default 'rabbitmq'.", { minLength: 1 }),
        replicas: integerSchema(
          'Nodes, odd. Default 3, the smallest count that survives the loss of one; lower it only on purpose.',
          1,
          7,
        ),
        storage: sizeSchema('Persistent volume of each node. Default 10Gi.'),
        storageClass: stringSchema("StorageClass of the volumes. Default: the cluster's default."),
        resources: objectSchema('CPU and memory of each node, requests equal to limits.', {
          cpu: cpuSchema('CPU of each node. Default 1.'),
          memory: sizeSchema('Memory of each node. Default 2Gi.'),
        }),
      },
      ['site'],
    ),
    amazonMq: objectSchema(
      "Amazon MQ for RabbitMQ, built by the infra stack of an AWS site (broker '<environment>-<site>-<broker>', at most 50 characters): private, encrypted with a key of its own. A single instance, or a three-node cluster across zones (CLUSTER_MULTI_AZ) in a production environment. Takes no agent bindings yet.",
      {
        site: stringSchema('AWS site whose infra stack builds the broker.', { minLength: 1 }),
        engineVersion: stringSchema("RabbitMQ version as Amazon MQ names it. Default '3.13'.", {
          pattern: PATTERNS.rabbitMqVersion,
        }),
        instanceType: stringSchema(
          "Broker instance type; a production cluster needs an mq.m5 type. Default 'mq.m5.large'.",
          { pattern: PATTERNS.amazonMqInstanceType },
        ),
      },
      ['site'],
    ),
    external: objectSchema(
      'A broker outside the cluster.',
      {
        host: stringSchema('Host name.', { minLength: 1 }),
        cidrs: listSchema(
          'Networks the agents may reach the broker on.',
          stringSchema('IPv4 CIDR.', { pattern: PATTERNS.cidr }),
          1,
        ),
      },
      ['host', 'cidrs'],
    ),
    ports: objectSchema('Broker ports. Default: amqp 5672, management 15672.', {
      amqp: integerSchema('AMQP port.', 1, 65535),
      management: integerSchema('Management API port.', 1, 65535),
    }),
    credentialsSecret: stringSchema(
      "Secret in KEDA's namespace with the management URL (key 'host'). Default 'keda-rabbitmq-<name>'; written by the platform stack for an in-cluster broker.",
    ),
  },
  ['kind'],
);

const kafkaBroker = objectSchema(
  "A Kafka cluster. Agents bind to its topics with 'topic'; the fleet creates each bound topic (replication 3, min.insync.replicas 2) with at least as many partitions as its consumer's maxReplicas.",
  {
    kind: enumSchema('Kind of broker.', ['kafka']),
    msk: objectSchema(
      "Amazon MSK, built by the infra stack of an AWS site (cluster '<environment>-<site>-<broker>', at most 64 characters): TLS everywhere, IAM client authentication. Agents of that site's EKS cluster reach it.",
      {
        site: stringSchema('AWS site whose infra stack builds the cluster.', { minLength: 1 }),
        kafkaVersion: stringSchema("Kafka version as MSK names it, e.g. '3.8.x' or '3.6.0'.", {
          pattern: PATTERNS.kafkaVersion,
        }),
        brokerCount: integerSchema(
          "Brokers, a multiple of the site's availability zones. Default: the smallest such multiple that is at least 3.",
          3,
          30,
        ),
        instanceType: stringSchema("Broker instance type. Default 'kafka.m7g.large'.", {
          pattern: PATTERNS.mskInstanceType,
        }),
        volumeSize: sizeSchema('Storage of each broker, whole GiB up to 16384Gi. Default 100Gi.'),
      },
      ['site', 'kafkaVersion'],
    ),
  },
  ['kind', 'msk'],
);

const sqsBroker = objectSchema(
  "Amazon SQS in the region of an AWS site: each agent binding ('queue') gets a queue and a dead-letter queue of its own, built by that site's infra stack. Only agents of that site bind to it.",
  {
    kind: enumSchema('Kind of broker.', ['sqs']),
    site: stringSchema('AWS site whose infra stack builds the queues.', { minLength: 1 }),
  },
  ['kind', 'site'],
);

const BROKER_KINDS: readonly [string, JsonSchema][] = [
  ['rabbitmq', rabbitMqBroker],
  ['kafka', kafkaBroker],
  ['sqs', sqsBroker],
];

/**
 * A broker: its `kind` picks the schema that applies, so each kind accepts its
 * own keys only. Without a known kind, only `kind` itself is checked.
 */
const broker: JsonSchema = BROKER_KINDS.reduceRight<JsonSchema>(
  (otherwise, [kind, schema]) => ({
    if: { type: 'object', properties: { kind: { const: kind } }, required: ['kind'] },
    then: schema,
    else: otherwise,
  }),
  {
    type: 'object',
    description: 'A broker; its kind picks the keys that apply.',
    properties: {
      kind: enumSchema(
        'Kind of broker.',
        BROKER_KINDS.map(([kind]) => kind),
      ),
    },
    required: ['kind'],
  },
);

const backend = exactlyOne(
  objectSchema('Where Terraform keeps state: exactly one of local or s3. Default: local.', {
    local: objectSchema('Local state files.', {
      dir: stringSchema("Directory of the state files. Default 'terraform-state'.", {
        minLength: 1,
      }),
    }),
    s3: objectSchema(
      'An S3 bucket with KMS encryption and lock files.',
      {
        bucket: stringSchema('Bucket name.', { minLength: 1 }),
        region: stringSchema('Region of the bucket.', { minLength: 1 }),
        keyPrefix: stringSchema('Prefix of the state keys. Default: the environment name.'),
        kmsKeyId: stringSchema('KMS key that encrypts the state objects.', { minLength: 1 }),
      },
      ['bucket', 'region', 'kmsKeyId'],
    ),
  }),
);

/** `environments/<name>.yaml`: one environment's sites, brokers and agent placements. */
export const environmentSchema: JsonSchema = {
  $schema: DRAFT_07,
  title: 'Agent fleet: environment',
  ...objectSchema(
    'One environment; the file name is its name (a DNS label).',
    {
      description: stringSchema('What the environment is for.'),
      production: {
        type: 'boolean',
        description:
          'Whether the environment serves production: managed brokers then run highly available (Amazon MQ CLUSTER_MULTI_AZ). Default false.',
      },
      backend,
      sites: {
        ...mapSchema('Sites by name (DNS label).', site, dnsLabelSchema(63)),
        minProperties: 1,
      },
      brokers: mapSchema('Brokers by name (DNS label).', broker, dnsLabelSchema(63)),
      agents: mapSchema(
        'Agent types of the catalogue (fleet/agent-types.yaml) and the sites they run on.',
        agentPlacement,
      ),
    },
    ['sites'],
  ),
  definitions: { agentOverride, ...overrideDefinitions },
};

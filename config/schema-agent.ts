import { Static, Type } from '@sinclair/typebox';
import { DEFAULT_AGENT_GROUP, MAX_AGENT_GROUP_NAME, MAX_PER_REPLICA } from '../model';
import { PATTERNS } from './formats';
import {
  booleanSchema,
  cpuSchema,
  dnsLabelSchema,
  durationSchema,
  enumSchema,
  imageSchema,
  integerSchema,
  kindSchema,
  listSchema,
  mapSchema,
  objectSchema,
  sizeSchema,
  stringSchema,
} from './schema-types';

/** The agent spec (`AgentSpec` of the model, without `name`) as the catalogue writes it. */

const portRef = Type.Unsafe<string | number>({
  type: ['string', 'integer'],
  minimum: 1,
  maximum: 65535,
  description: 'Name of a declared container port, or a port number.',
});

const stringList = (description: string) => listSchema(description, Type.String());

function probeSchema(description: string) {
  return objectSchema(`${description} Exactly one of httpGet, tcpSocket or exec.`, {
    httpGet: objectSchema(
      'HTTP GET on a container port; healthy on a 2xx or 3xx status.',
      { path: stringSchema('Request path, e.g. /healthz.', { pattern: '^/' }), port: portRef },
      ['path', 'port'],
    ),
    tcpSocket: objectSchema('TCP connect to a container port.', { port: portRef }, ['port']),
    exec: listSchema('Command run in the container; exit 0 is healthy.', Type.String(), 1),
    period: durationSchema('How often the probe runs. Default 10s.'),
    failureThreshold: integerSchema('Failures in a row before the probe fails. Default 3.', 1, 100),
    initialDelay: durationSchema('Wait after the container starts. Default 0s.'),
    timeout: durationSchema('Time one probe may take. Default 1s.'),
  });
}

const container = objectSchema(
  'The agent container.',
  {
    image: imageSchema(
      "Image pinned by digest ('repository@sha256:<64 hex digits>') or by an immutable version tag (not 'latest').",
    ),
    command: stringList("Entrypoint. Default: the image's entrypoint."),
    args: stringList("Arguments. Default: the image's arguments."),
    env: mapSchema(
      'Plain configuration values. Never secrets: those come from Vault or workload identity.',
      Type.String(),
    ),
    ports: mapSchema(
      'Named container ports, e.g. { metrics: 9102 }. Names are DNS labels of at most 15 characters.',
      integerSchema('Port number.', 1, 65535),
    ),
    metricsPort: stringSchema(
      "Name of the port Prometheus scrapes at /metrics. Default: 'metrics' when such a port is declared.",
    ),
    probes: objectSchema(
      'Readiness and liveness probes; required for consumers.',
      {
        readiness: probeSchema('Whether the agent takes work; failing removes it from service.'),
        liveness: probeSchema('Whether the agent is alive; failing restarts the container.'),
      },
      ['readiness', 'liveness'],
    ),
    shutdown: objectSchema('Graceful shutdown, so work in flight finishes before SIGKILL.', {
      drainCommand: listSchema(
        'preStop command that tells the agent to stop fetching work. Default: sleep <preStopDelay>.',
        Type.String(),
        1,
      ),
      preStopDelay: durationSchema('Time the preStop hook is given. Default 5s.'),
    }),
  },
  ['image'],
);

const resources = objectSchema(
  'CPU, memory, ephemeral storage and GPUs of one replica.',
  {
    requests: objectSchema(
      'What the scheduler reserves.',
      {
        cpu: cpuSchema('CPU request.'),
        memory: sizeSchema('Memory request.'),
        ephemeralStorage: sizeSchema('Ephemeral storage request. Default 256Mi.'),
      },
      ['cpu', 'memory'],
    ),
    limits: objectSchema('Caps. Default: equal to the requests.', {
      cpu: cpuSchema('CPU limit.'),
      memory: sizeSchema('Memory limit.'),
      ephemeralStorage: sizeSchema('Ephemeral storage limit.'),
    }),
    gpu: integerSchema('Whole NVIDIA GPUs (nvidia.com/gpu) per replica. Default 0.', 0, 16),
  },
  ['requests'],
);

const queue = objectSchema(
  "The queue the agent consumes: a RabbitMQ quorum queue with manual acknowledgements, or on an SQS broker a queue and dead-letter queue of the agent's own. At most one of 'queue' and 'topic'.",
  {
    broker: stringSchema('Name of a RabbitMQ or SQS broker of the environment.'),
    vhost: stringSchema("Virtual host (RabbitMQ only). Default '/'."),
    queue: stringSchema(
      "Queue name. On SQS 1 to 80 letters, digits, '-' or '_', unique on the site.",
      { maxLength: 200 },
    ),
    maxPriority: integerSchema(
      'Highest message priority publishers use, passed to the agent; quorum queues (RabbitMQ 4) deliver priority 5 and above first (RabbitMQ only). Default: no priorities.',
      1,
      10,
    ),
    maxLength: integerSchema(
      'Messages the queue holds before it refuses publishes (overflow reject-publish; RabbitMQ only). Default 100000.',
      1,
      100_000_000,
    ),
    deadLetter: objectSchema('Dead-lettering; on by default.', {
      enabled: booleanSchema(
        'Turning it off needs a written reason; SQS queues always have it. Default true.',
      ),
      reason: stringSchema('Why dead-lettering is off (at least 10 characters).'),
      exchange: stringSchema("Dead-letter exchange (RabbitMQ only). Default '<queue>.dlx'."),
      queue: stringSchema(
        "Dead-letter queue. Default '<queue>.dlq' on RabbitMQ, '<queue>-dlq' on SQS.",
      ),
      deliveryLimit: integerSchema(
        'Deliveries before a message is dead-lettered. Default 5.',
        1,
        1000,
      ),
    }),
    consumer: objectSchema('How the agent consumes.', {
      prefetch: integerSchema(
        'Unacknowledged messages a replica holds at once (RabbitMQ only). Default 10.',
        1,
        10000,
      ),
      maxProcessingTime: durationSchema(
        'Longest time one message may take; sizes the graceful shutdown and the SQS visibility timeout. At most 2h. Default 30s.',
      ),
    }),
  },
  ['broker', 'queue'],
);

const topic = objectSchema(
  "The Kafka topic the agent consumes, on a Kafka broker of the environment. The fleet creates the topic (replication 3, min.insync.replicas 2) and its dead-letter topic; KEDA scales the agent on its consumer group's lag (scaling.consumerLag). Long-running consumers only; at most one of 'queue' and 'topic'.",
  {
    broker: stringSchema('Name of a Kafka broker of the environment.'),
    topic: stringSchema("Topic name: 1 to 249 letters, digits, '.', '_' or '-'.", {
      maxLength: 249,
    }),
    consumerGroup: stringSchema(
      "Consumer group of the agent's replicas: 1 to 255 letters, digits, '.', '_', ':' or '-', its own among the agents reading the topic. Default: the agent's name.",
      { maxLength: 255 },
    ),
    partitions: integerSchema(
      'Partitions of the topic, at least scaling.maxReplicas: a partition feeds one consumer of a group, so replicas beyond the partition count idle. Partitions can grow later, never shrink. Default: scaling.maxReplicas, at least 3.',
      3,
      10_000,
    ),
    retention: durationSchema('How long records are kept, at least 1h. Default 7d.'),
    deadLetter: objectSchema(
      'Dead-letter topic for records the agent cannot process; on by default.',
      {
        enabled: booleanSchema('Turning it off needs a written reason. Default true.'),
        reason: stringSchema('Why dead-lettering is off (at least 10 characters).'),
        topic: stringSchema("Dead-letter topic, created beside the topic. Default '<topic>.dlq'.", {
          maxLength: 249,
        }),
      },
    ),
    consumer: objectSchema('How the agent consumes.', {
      maxProcessingTime: durationSchema(
        'Longest time one record may take; sizes the graceful shutdown. At most 2h. Default 30s.',
      ),
    }),
  },
  ['broker', 'topic'],
);

const publishes = listSchema(
  "Queues the agent publishes to (a dispatcher, say); opens its egress to those brokers, or on SQS grants it sending. The queues are declared by their consumers' bindings; an SQS queue must be consumed by an agent of the broker's site.",
  objectSchema(
    'A queue the agent publishes to.',
    {
      broker: stringSchema('Name of a broker of the environment.'),
      vhost: stringSchema("Virtual host. Default '/'."),
      queue: stringSchema('Queue name.', { maxLength: 200 }),
    },
    ['broker', 'queue'],
  ),
);

function scalingRulesSchema(direction: string) {
  return objectSchema(`Rate limits when scaling ${direction}.`, {
    stabilizationWindow: durationSchema('Recommendations considered over this window; at most 1h.'),
    policies: listSchema(
      'At most value pods or percent per period each.',
      objectSchema(
        'One scaling policy.',
        {
          type: enumSchema('Pods or percent of the current replicas.', ['pods', 'percent']),
          value: integerSchema('Pods or percent per period.', 1, 1000),
          period: durationSchema('Period of the policy, 1s to 30m.'),
        },
        ['type', 'value', 'period'],
      ),
    ),
    select: enumSchema("Which policy wins when several apply. Default 'max'.", [
      'max',
      'min',
      'disabled',
    ]),
  });
}

const utilization = (resource: string) =>
  objectSchema(
    `Average ${resource} utilisation signal (native HPA unless an event signal is present).`,
    { targetUtilization: integerSchema(`Target percent of the ${resource} request.`, 1, 100) },
    ['targetUtilization'],
  );

const cronExpression = (description: string) =>
  stringSchema(description, { pattern: PATTERNS.cron });

const scaling = objectSchema(
  'Replica bounds and the signals the agent scales on. No signal: a fixed count. Only cpu/memory: an HPA. Any of queueDepth, consumerLag, prometheus, cron: a KEDA ScaledObject.',
  {
    minReplicas: integerSchema('Fewest replicas; 0 only with an event signal (KEDA).', 0, 1000),
    maxReplicas: integerSchema('Most replicas.', 1, 1000),
    cpu: utilization('CPU'),
    memory: utilization('memory'),
    queueDepth: objectSchema(
      "Messages in the agent's queue (ready and unacknowledged) per replica; needs a queue binding.",
      {
        perReplica: integerSchema('Messages one replica handles.', 1, 1_000_000),
        activation: integerSchema('Depth above which a scaled-to-zero agent wakes. Default 0.', 0),
      },
      ['perReplica'],
    ),
    consumerLag: objectSchema(
      "Records of the agent's topic its consumer group has not yet committed, per replica (KEDA kafka trigger, lagThreshold); needs a topic binding.",
      {
        perReplica: integerSchema('Lag one replica handles.', 1, 10_000_000),
        activation: integerSchema('Lag above which a scaled-to-zero agent wakes. Default 0.', 0),
      },
      ['perReplica'],
    ),
    prometheus: objectSchema(
      'A Prometheus query as a scaling signal: desired replicas = ceil(value / threshold).',
      {
        query: stringSchema('PromQL query returning one value.'),
        threshold: Type.Number({ exclusiveMinimum: 0, description: 'Value one replica handles.' }),
        sustainedFor: durationSchema(
          'Scale only when the value stayed above the threshold this long (min_over_time).',
        ),
        activationThreshold: Type.Number({
          minimum: 0,
          description: 'Value at which the agent wakes from zero. Default 0.',
        }),
        serverAddress: stringSchema("Prometheus URL. Default: the site's Prometheus."),
      },
      ['query', 'threshold'],
    ),
    cron: listSchema(
      'Windows of time with a floor of replicas, e.g. office hours.',
      objectSchema(
        'One window.',
        {
          timezone: stringSchema("IANA time zone. Default 'Etc/UTC'."),
          start: cronExpression('Cron expression where the window opens.'),
          end: cronExpression('Cron expression where the window closes.'),
          replicas: integerSchema(
            'Replicas held during the window (at most maxReplicas).',
            1,
            1000,
          ),
        },
        ['start', 'end', 'replicas'],
      ),
    ),
    behavior: objectSchema(
      'HPA behaviour. Default: up at most 4 pods or 100% per minute; down at most 2 pods per minute after a 5m window.',
      { scaleUp: scalingRulesSchema('up'), scaleDown: scalingRulesSchema('down') },
    ),
    fallback: objectSchema(
      'What KEDA holds when the source of a queueDepth, consumerLag or prometheus signal fails, at zero replicas too (KEDA wakes the agent). On by default: half-way between the bounds after 3 failed reads. Not with cpu or memory signals.',
      {
        enabled: booleanSchema(
          "Turning the fallback off needs a written reason, listed in the plan review as the agent's exception to GR-AS-06. Default true.",
        ),
        reason: stringSchema(
          'Why the agent has no fallback (at least 20 characters); only with enabled: false.',
          { minLength: 20 },
        ),
        replicas: integerSchema(
          'Replicas held, within the bounds. Default: half-way between them, at least 1.',
          1,
          1000,
        ),
        failureThreshold: integerSchema(
          'Failed reads in a row before the fallback applies. Default 3.',
          1,
          100,
        ),
      },
    ),
    pollingInterval: durationSchema('How often KEDA reads the signals. Default 15s.'),
    cooldownPeriod: durationSchema(
      'Wait after the last activity before scaling to zero. Default 5m.',
    ),
  },
  ['minReplicas', 'maxReplicas'],
);

const schedule = objectSchema(
  "Schedule of a 'scheduled' agent (CronJob).",
  {
    cron: cronExpression("Five-field cron expression, e.g. '0 2 * * *'."),
    timezone: stringSchema("IANA time zone. Default 'Etc/UTC'."),
    deadline: durationSchema('Longest a run may take before it is stopped. Default 1h.'),
    retries: integerSchema('Retries of a failed run. Default 2.', 0, 10),
    concurrency: enumSchema("What to do when the previous run is still going. Default 'forbid'.", [
      'forbid',
      'replace',
      'allow',
    ]),
  },
  ['cron'],
);

const placement = objectSchema(
  'What the nodes must offer; matched against the node pools of each site.',
  {
    arch: listSchema(
      'Architectures the image is built for. Default [amd64].',
      enumSchema('CPU architecture.', ['amd64', 'arm64']),
      1,
      { uniqueItems: true },
    ),
    gpuModel: stringSchema(
      'GPU model needed, e.g. nvidia-tesla-t4 (count is resources.gpu). Default: any.',
    ),
    spot: enumSchema("Whether spot capacity is acceptable. Default 'never'.", [
      'never',
      'allowed',
      'required',
    ]),
    labels: mapSchema(
      'Node labels the pool must carry, e.g. { datacenter: nebraska }.',
      Type.String(),
    ),
    scalingGroup: objectSchema(
      "Run on machines of the agent's own instead of a node pool: an EC2 Auto Scaling group of an AWS site, one container per machine, tracking the backlog per instance of the agent's SQS queue (scaling.queueDepth.perReplica). Usually set per site; the other placement needs then do not apply. Long-running consumers of an SQS queue only, at least 1 replica, no GPUs.",
      {
        instanceType: stringSchema("EC2 instance type, e.g. 'c7i.large'."),
        image: stringSchema(
          "Machine image that runs Docker: an AMI id ('ami-0123456789abcdef0') or 'resolve:ssm:/<parameter>', resolved at launch. Default: the ECS-optimized Amazon Linux 2023 image.",
        ),
        sessionManager: objectSchema(
          'Shells on the machines through AWS Systems Manager Session Manager (EC2 groups only): the instance role gets the SSM agent heartbeat and Session Manager channel actions, nothing else of Systems Manager. Default: off, no Systems Manager permissions.',
          {
            reason: stringSchema(
              'Why operators need shells on these machines (at least 20 characters).',
              { minLength: 20 },
            ),
          },
          ['reason'],
        ),
      },
      ['instanceType'],
    ),
  },
);

const stateKey = (description: string) =>
  objectSchema(
    description,
    {
      name: stringSchema('Attribute name, 1 to 255 characters.', { maxLength: 255 }),
      type: enumSchema('Attribute type.', ['string', 'number', 'binary']),
    },
    ['name', 'type'],
  );

const capacityBounds = (side: string) =>
  objectSchema(
    `${side} capacity units, auto scaled between the bounds.`,
    {
      min: integerSchema('Fewest units.', 1, 40_000),
      max: integerSchema('Most units, at least min.', 1, 40_000),
    },
    ['min', 'max'],
  );

const keyValueState = objectSchema(
  "Items by key in a table of the agent's own, in the key-value store its site offers (DynamoDB on AWS sites, table '<environment>-<site>-<agent>'; a Cosmos DB container on Azure; a CockroachDB database in the cluster): protected from deletion, backed up continuously, encrypted with a key of the site; only the agent's identity may read and write it.",
  {
    model: enumSchema("The shape of the state. Default 'key-value'.", ['key-value']),
    partitionKey: stateKey('The partition key.'),
    sortKey: stateKey('The sort key. Default: none.'),
    capacity: objectSchema(
      'Provisioned capacity. Default: on demand, billed per request, which absorbs fleet bursts.',
      {
        read: capacityBounds('Read'),
        write: capacityBounds('Write'),
        targetUtilization: integerSchema(
          'Percent of the provisioned capacity auto scaling keeps in use. Default 70.',
          20,
          90,
        ),
      },
      ['read', 'write'],
    ),
  },
  ['partitionKey'],
);

const sortOrder = (description: string) => enumSchema(description, ['asc', 'desc']);

const documentState = objectSchema(
  "Documents in collections of a database of the agent's own, in the MongoDB-compatible store its site offers; the agent's user may read and write that database only.",
  {
    model: enumSchema('The shape of the state.', ['document']),
    collections: listSchema(
      'The collections, created with their indexes before the agent runs.',
      objectSchema(
        'A collection.',
        {
          name: stringSchema("Name: 1 to 64 letters, digits, '_' or '-'."),
          indexes: listSchema(
            'Secondary indexes; _id is always indexed. Default: none.',
            objectSchema(
              'A secondary index.',
              {
                keys: listSchema(
                  'The indexed fields, in order.',
                  objectSchema(
                    'An indexed field.',
                    {
                      field: stringSchema('Field path; dotted paths reach nested fields.'),
                      order: sortOrder('Ascending or descending.'),
                    },
                    ['field', 'order'],
                  ),
                  1,
                ),
                unique: booleanSchema('No two documents may share the keys. Default false.'),
                expireAfter: durationSchema(
                  'A TTL index: documents expire this long after the time in its one date field. Default: never.',
                ),
              },
              ['keys'],
            ),
          ),
        },
        ['name'],
      ),
      1,
    ),
  },
  ['model', 'collections'],
);

const cqlTypes = [
  'ascii',
  'bigint',
  'blob',
  'boolean',
  'date',
  'decimal',
  'double',
  'float',
  'inet',
  'int',
  'smallint',
  'text',
  'time',
  'timestamp',
  'timeuuid',
  'tinyint',
  'uuid',
  'varint',
] as const;

const wideColumnState = objectSchema(
  "Rows in tables of a keyspace of the agent's own, in the CQL store its site offers; the agent's role may read and write that keyspace only.",
  {
    model: enumSchema('The shape of the state.', ['wide-column']),
    tables: listSchema(
      'The tables, created before the agent runs.',
      objectSchema(
        'A table.',
        {
          name: stringSchema("Name: a letter, then letters, digits or '_', at most 48 characters."),
          columns: listSchema(
            'Its columns, the key columns included.',
            objectSchema(
              'A column.',
              {
                name: stringSchema("Name: a letter, then letters, digits or '_'."),
                type: enumSchema('CQL type.', cqlTypes),
              },
              ['name', 'type'],
            ),
            1,
          ),
          partitionKey: listSchema(
            'Columns whose values place a row, in order.',
            stringSchema('A column.'),
            1,
          ),
          clusteringKey: listSchema(
            'Columns that order rows within a partition, in order. Default: none.',
            objectSchema(
              'A clustering column.',
              { column: stringSchema('A column.'), order: sortOrder('Ascending or descending.') },
              ['column', 'order'],
            ),
          ),
          defaultTtl: durationSchema(
            'Rows expire this long after they are written. Default: never.',
          ),
        },
        ['name', 'columns', 'partitionKey'],
      ),
      1,
    ),
    replication: objectSchema(
      'Copies of each row. Default 3, one per zone.',
      {
        factor: integerSchema('Copies of each row; fewer than 3 needs a reason.', 1, 7),
        reason: stringSchema('Why fewer than 3 copies are acceptable here.'),
      },
      ['factor'],
    ),
  },
  ['model', 'tables'],
);

const sqlState = objectSchema(
  "A relational database of the agent's own, in the distributed SQL engine its site offers (PostgreSQL wire protocol); the agent's user owns its schema.",
  {
    model: enumSchema('The shape of the state.', ['sql']),
    schema: stringSchema("The schema the agent's user owns and migrates. Default 'public'.", {
      maxLength: 63,
    }),
  },
  ['model'],
);

/** State an agent keeps: `model` picks the shape, key-value where it is not given. */
const state = kindSchema<RawState>(
  [
    ['document', documentState],
    ['wide-column', wideColumnState],
    ['sql', sqlState],
  ],
  keyValueState,
  {
    key: 'model',
    description:
      "State the agent keeps, in the engine its site offers for the shape: 'model' is key-value (the default), document, wide-column or sql.",
  },
);

/** The state of an agent as the files write it. */
type RawState =
  | Static<typeof keyValueState>
  | Static<typeof documentState>
  | Static<typeof wideColumnState>
  | Static<typeof sqlState>;

const isolation = objectSchema('Failure isolation of the agent type.', {
  namespace: stringSchema('Namespace the agent runs in. Default: its own, named after the agent.'),
  serviceAccountToken: booleanSchema('Mount a Kubernetes API token in the pods. Default false.'),
  priority: enumSchema('PriorityClass tier. Default: standard for consumers, batch otherwise.', [
    'realtime',
    'standard',
    'batch',
  ]),
  egress: listSchema(
    'Extra egress beyond DNS and the broker.',
    objectSchema(
      'Networks and TCP ports the agent may reach.',
      {
        cidr: stringSchema('IPv4 CIDR, e.g. 10.0.0.0/16.', { pattern: PATTERNS.cidr }),
        ports: listSchema('TCP ports.', integerSchema('Port number.', 1, 65535), 1),
      },
      ['cidr', 'ports'],
    ),
  ),
});

const processing = objectSchema(
  'What one replica does, for the scaling simulator (npm run simulate); it changes nothing that is deployed.',
  {
    perReplica: Type.Number({
      exclusiveMinimum: 0,
      maximum: MAX_PER_REPLICA,
      description:
        'Work one ready replica completes per second: messages of its queue or records of its topic, units of its Prometheus signal, or requests of a cpu- or memory-scaled agent. At most 1,000,000.',
    }),
    readyAfter: durationSchema(
      "From a replica's start on a node with room to ready: image pull, start-up, readiness probe. At most 1h. Default 30s.",
    ),
  },
  ['perReplica'],
);

const groupName = (description: string) =>
  Type.String({ ...dnsLabelSchema(MAX_AGENT_GROUP_NAME), description });

const stack = objectSchema(
  'Which agents stack of its site the agent lands in (Kubernetes sites). Agents are grouped by name, never by count: adding an agent never moves another.',
  {
    group: groupName(
      `Its group: the agents of a group share the stack <env>-<site>-agents-<group>; '${DEFAULT_AGENT_GROUP}' (the default) is <env>-<site>-agents. A DNS label of at most ${MAX_AGENT_GROUP_NAME} characters.`,
    ),
    movedFrom: groupName(
      "The group it was deployed in before, for one deployment: that group's stack forgets its resources (a removed block, nothing destroyed) and its new group's stack imports them. Remove it once deployed.",
    ),
  },
);

/** One agent type of the catalogue: every `AgentSpec` field except `name`, which is its key. */
export const agentTypeSchema = objectSchema(
  'An agent type: what it runs, what it needs, what it reads and how it scales.',
  {
    description: stringSchema('What the agent does.'),
    workload: enumSchema(
      "consumer: long-running (Deployment); scheduled: cron batch (CronJob); per-message: one Job per batch of messages (KEDA ScaledJob). Default 'consumer'.",
      ['consumer', 'scheduled', 'per-message'],
    ),
    container,
    resources,
    queue,
    topic,
    publishes,
    scaling,
    schedule,
    state,
    placement,
    isolation,
    processing,
    stack,
  },
  ['container', 'resources'],
);

/** An agent type as the catalogue writes it, and as overrides merged into it give it. */
export type RawAgent = Static<typeof agentTypeSchema>;

import { AgentSpec } from './agent-spec';
import { BrokerSpec, brokerSite, describeBrokerKind, isCloudBroker } from './broker';
import { AddProblem as Add, checkRange as checkWhole, listOf } from './checks';
import { Problem } from './problems';
import { QueueBinding } from './queue-binding';
import { KubernetesSiteSpec } from './site';
import { stateModelOf } from './state';
import { stateEngineFor } from './state-engines';
import { MIN_TOPIC_PARTITIONS } from './topic-binding';
import { Duration } from './units';
import { validateState } from './validate-state';

const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const KAFKA_GROUP = /^[A-Za-z0-9._:-]{1,255}$/;
const MACHINE_IMAGE = /^(ami-[0-9a-f]{8,17}|resolve:ssm:\/[A-Za-z0-9_./-]+)$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const AZURE_VM_SIZE = /^Standard_[A-Za-z0-9_]+$/;
const SQS_QUEUE = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * Name of the dead-letter queue of a binding on an SQS broker: `deadLetter.queue`,
 * or `<queue>-dlq` (SQS names take no `.`).
 */
export function sqsDeadLetterQueue(binding: Pick<QueueBinding, 'queue' | 'deadLetter'>): string {
  return binding.deadLetter?.queue ?? `${binding.queue}-dlq`;
}

/**
 * Whether agents of a site reach a broker: cloud brokers only from their own
 * site, in-cluster ones only in their own cluster, external ones from anywhere.
 */
function inReach(broker: BrokerSpec, site: KubernetesSiteSpec): boolean {
  if (isCloudBroker(broker)) return brokerSite(broker) === site.name;
  if (broker.kind === 'kafka') return broker.inCluster?.site === site.name;
  return true;
}

/** Added to a Service Bus consumer's processing time to make its message lock. */
export const SERVICE_BUS_LOCK_MARGIN = Duration.seconds(30);

const SERVICE_BUS_QUEUE = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,258}[A-Za-z0-9_])?$/;

/** Service Bus queues: names it accepts, always dead-lettering, at most 5 minutes' lock. */
function validateServiceBusBinding(spec: AgentSpec, add: Add): void {
  const queue = spec.queue as QueueBinding;
  if (!SERVICE_BUS_QUEUE.test(queue.queue)) {
    add(
      ['queue', 'queue'],
      `'${queue.queue}' is not a Service Bus queue name: 1 to 260 letters, digits, '.', '-' or '_', starting with a letter or digit`,
    );
  }
  for (const field of ['vhost', 'maxPriority', 'maxLength'] as const) {
    if (queue[field] !== undefined) add(['queue', field], 'does not apply to Service Bus');
  }
  const dead = queue.deadLetter;
  if (dead?.enabled === false) {
    add(
      ['queue', 'deadLetter', 'enabled'],
      'false is not allowed on Service Bus: every agent queue parks poison messages in its dead-letter subqueue',
    );
  }
  for (const field of ['queue', 'exchange'] as const) {
    if (dead?.[field] !== undefined) {
      add(
        ['queue', 'deadLetter', field],
        "does not apply to Service Bus: dead letters go to the queue's own $DeadLetterQueue",
      );
    }
  }
  const processing = queue.consumer?.maxProcessingTime;
  if (processing && processing.plus(SERVICE_BUS_LOCK_MARGIN).isLongerThan(Duration.minutes(5))) {
    add(
      ['queue', 'consumer', 'maxProcessingTime'],
      `(${processing}) must be at most 4m30s on Service Bus: the message lock, at most 5m, is the processing time plus ${SERVICE_BUS_LOCK_MARGIN}`,
    );
  }
}

/** Problems of an agent's topic, state and scaling-group placement on their own. */
export function validateBindings(spec: AgentSpec, add: Add): void {
  if (spec.queue && spec.topic) {
    add(['topic'], "an agent consumes one source: set 'queue' or 'topic', not both");
  }
  validateTopic(spec, add);
  if (spec.state) validateState(spec.state, add);
  if (spec.placement?.scalingGroup) validateScalingGroup(spec, add);
  const scaling = spec.scaling;
  if (scaling?.consumerLag) {
    if (!spec.topic) add(['scaling', 'consumerLag'], "needs a 'topic' binding to read the lag of");
    checkWhole(
      scaling.consumerLag.perReplica,
      1,
      10_000_000,
      ['scaling', 'consumerLag', 'perReplica'],
      add,
    );
  }
  if (scaling?.queueDepth && !spec.queue && spec.topic) {
    add(['scaling', 'queueDepth'], "reads a queue; a 'topic' binding scales on 'consumerLag'");
  }
}

function validateTopic(spec: AgentSpec, add: Add): void {
  const topic = spec.topic;
  if (!topic) return;
  if (!KAFKA_TOPIC.test(topic.topic) || topic.topic === '.' || topic.topic === '..') {
    add(['topic', 'topic'], `'${topic.topic}' must be 1 to 249 letters, digits, '.', '_' or '-'`);
  }
  if (topic.consumerGroup !== undefined && !KAFKA_GROUP.test(topic.consumerGroup)) {
    add(
      ['topic', 'consumerGroup'],
      `'${topic.consumerGroup}' must be 1 to 255 letters, digits, '.', '_', ':' or '-'`,
    );
  }
  const maxReplicas = spec.scaling?.maxReplicas ?? 1;
  if (topic.partitions !== undefined) {
    checkWhole(topic.partitions, MIN_TOPIC_PARTITIONS, 10_000, ['topic', 'partitions'], add);
    if (topic.partitions < maxReplicas) {
      add(
        ['topic', 'partitions'],
        `(${topic.partitions}) must be >= 'scaling.maxReplicas' (${maxReplicas}): a partition feeds one consumer of a group, so replicas beyond the partition count idle`,
      );
    }
  }
  if (topic.retention && !topic.retention.isLongerThan(Duration.minutes(59))) {
    add(['topic', 'retention'], `(${topic.retention}) must be at least 1h`);
  }
  const dead = topic.deadLetter;
  if (dead?.enabled === false && (dead.reason ?? '').trim().length < 10) {
    add(
      ['topic', 'deadLetter', 'reason'],
      'turning dead-lettering off needs a written reason (at least 10 characters)',
    );
  }
  if (dead?.topic !== undefined) {
    if (!KAFKA_TOPIC.test(dead.topic)) {
      add(
        ['topic', 'deadLetter', 'topic'],
        `'${dead.topic}' must be 1 to 249 letters, digits, '.', '_' or '-'`,
      );
    } else if (dead.topic === topic.topic) {
      add(['topic', 'deadLetter', 'topic'], 'must differ from the topic it takes the failures of');
    }
  }
  const processing = topic.consumer?.maxProcessingTime;
  if (processing && processing.isLongerThan(Duration.minutes(120))) {
    add(
      ['topic', 'consumer', 'maxProcessingTime'],
      `(${processing}) must be at most 2h; longer work belongs in workload 'per-message'`,
    );
  }
  if ((spec.workload ?? 'consumer') !== 'consumer') {
    add(['topic'], `is read by long-running consumers only, not workload '${spec.workload}'`);
  }
}

/** SQS names: the queue and its dead-letter queue; SQS always dead-letters. */
function validateSqsNames(queue: QueueBinding, add: Add): void {
  if (!SQS_QUEUE.test(queue.queue)) {
    add(
      ['queue', 'queue'],
      `'${queue.queue}' is not an SQS queue name: 1 to 80 letters, digits, '-' or '_' (FIFO queues are not supported)`,
    );
  }
  const dead = queue.deadLetter;
  if (dead?.enabled === false) {
    add(
      ['queue', 'deadLetter', 'enabled'],
      'false is not allowed on SQS: every agent queue parks poison messages in a dead-letter queue',
    );
  }
  const deadLetterName = sqsDeadLetterQueue(queue);
  if (!SQS_QUEUE.test(deadLetterName)) {
    const message = `dead-letter queue name '${deadLetterName}' is not an SQS queue name: 1 to 80 letters, digits, '-' or '_'`;
    if (dead?.queue !== undefined) add(['queue', 'deadLetter', 'queue'], message);
    else if (SQS_QUEUE.test(queue.queue)) {
      add(['queue', 'queue'], `${message}; shorten the queue name or set 'deadLetter.queue'`);
    }
  } else if (deadLetterName === queue.queue) {
    add(['queue', 'deadLetter', 'queue'], 'must differ from the queue it takes the failures of');
  }
}

/** Whether a name has the shape of an EC2 instance type or an Azure VM size (of one cloud, if given). */
export function isMachineTypeName(name: string, cloud?: 'aws' | 'azure'): boolean {
  if (cloud) return (cloud === 'aws' ? INSTANCE_TYPE : AZURE_VM_SIZE).test(name);
  return INSTANCE_TYPE.test(name) || AZURE_VM_SIZE.test(name);
}

function validateScalingGroup(spec: AgentSpec, add: Add): void {
  const group = spec.placement?.scalingGroup;
  if (!group) return;
  const path = ['placement', 'scalingGroup'];
  if (!isMachineTypeName(group.instanceType)) {
    add(
      [...path, 'instanceType'],
      `'${group.instanceType}' is not a machine type such as 'c7i.large' (EC2) or 'Standard_D2s_v5' (Azure)`,
    );
  }
  if (group.image !== undefined && !MACHINE_IMAGE.test(group.image)) {
    add(
      [...path, 'image'],
      `'${group.image}' must be an AMI id such as 'ami-0123456789abcdef0' or 'resolve:ssm:/<parameter>'`,
    );
  }
  if (group.sessionManager !== undefined && group.sessionManager.reason.trim().length < 20) {
    add(
      [...path, 'sessionManager', 'reason'],
      'Session Manager lets operators open shells on the machines: give a written reason (at least 20 characters)',
    );
  }
  if ((spec.workload ?? 'consumer') !== 'consumer') {
    add(path, `runs long-running consumers only, not workload '${spec.workload}'`);
  }
  if (!spec.queue) add(path, "needs a 'queue' binding: the group scales on the queue's backlog");
  else if (!spec.scaling?.queueDepth) {
    add(path, "needs 'scaling.queueDepth': the group tracks the backlog per instance");
  }
  if (spec.scaling && spec.scaling.minReplicas < 1) {
    add(
      ['scaling', 'minReplicas'],
      '(0) must be at least 1 on a scaling group: backlog per instance has no value at zero instances',
    );
  }
  if ((spec.resources.gpu ?? 0) > 0)
    add(['resources', 'gpu'], 'GPUs need a node pool, not a scaling group');
}

/**
 * Problems between an agent's bindings and the brokers and site it is placed
 * on: the broker's kind fits the binding, cloud brokers and tables live on the
 * agent's own site, SQS names are names SQS accepts (queue and dead-letter
 * queue) and SQS queues always dead-letter, publish targets are RabbitMQ or SQS
 * queues the agent can reach.
 */
export function validateBindingsOnSite(
  spec: AgentSpec,
  site: KubernetesSiteSpec,
  brokers: readonly BrokerSpec[],
): Problem[] {
  const problems: Problem[] = [];
  const add: Add = (path, message) => problems.push({ path, message });
  const find = (name: string) => brokers.find((broker) => broker.name === name);
  const queueBroker = spec.queue && find(spec.queue.broker);
  if (queueBroker?.kind === 'kafka') {
    add(['queue', 'broker'], `'${queueBroker.name}' is a Kafka broker: bind to it with 'topic'`);
  }
  if (queueBroker?.kind === 'sqs') {
    for (const field of ['vhost', 'maxPriority', 'maxLength'] as const) {
      if (spec.queue?.[field] !== undefined) {
        add(['queue', field], `does not apply to SQS broker '${queueBroker.name}'`);
      }
    }
    if (spec.queue?.consumer?.prefetch !== undefined) {
      add(['queue', 'consumer', 'prefetch'], `does not apply to SQS broker '${queueBroker.name}'`);
    }
    if (spec.queue?.deadLetter?.exchange !== undefined) {
      add(
        ['queue', 'deadLetter', 'exchange'],
        `does not apply to SQS broker '${queueBroker.name}'`,
      );
    }
    if (spec.queue) validateSqsNames(spec.queue, add);
  }
  const topicBroker = spec.topic && find(spec.topic.broker);
  if (spec.topic && !topicBroker) {
    problems.push({
      path: ['topic', 'broker'],
      message: `'${spec.topic.broker}' is not a broker of the environment (${listOf(brokers.map((b) => b.name))})`,
      reference: true,
    });
  } else if (topicBroker && topicBroker.kind !== 'kafka') {
    add(
      ['topic', 'broker'],
      `'${topicBroker.name}' is a ${topicBroker.kind} broker: bind to it with 'queue'`,
    );
  }
  for (const [broker, path] of [
    [queueBroker, ['queue', 'broker']],
    [topicBroker, ['topic', 'broker']],
  ] as const) {
    if (!broker || !inReach(broker, site)) {
      if (broker) {
        add(
          path,
          `${describeBrokerKind(broker)} broker '${broker.name}' belongs to site '${brokerSite(broker)}'; agents on site '${site.name}' reach only their own site's cloud and in-cluster brokers`,
        );
      }
    }
  }
  if (queueBroker?.kind === 'servicebus' && spec.queue) validateServiceBusBinding(spec, add);
  const onCluster = !spec.placement?.scalingGroup;
  const standardBus = (broker: BrokerSpec | undefined) =>
    broker?.kind === 'servicebus' && broker.sku === 'Standard';
  const standardMessage = (name: string) =>
    `Service Bus broker '${name}' is Standard, which has no private endpoint, and agents on the cluster reach Service Bus only through one: use sku Premium`;
  if (onCluster && queueBroker && standardBus(queueBroker)) {
    add(['queue', 'broker'], standardMessage(queueBroker.name));
  }
  if (topicBroker?.kind === 'kafka' && topicBroker.eventHubs && spec.scaling?.consumerLag) {
    add(
      ['scaling', 'consumerLag'],
      `KEDA's kafka scaler cannot sign in to Event Hubs broker '${topicBroker.name}' with workload identity (local auth is off): scale on 'prometheus' (the agent's own lag metric) or 'cpu' instead`,
    );
  }
  if (queueBroker?.kind === 'rabbitmq' && queueBroker.amazonMq) {
    add(
      ['queue', 'broker'],
      `Amazon MQ broker '${queueBroker.name}' takes no agent bindings yet: bind to an in-cluster or external RabbitMQ, or to SQS`,
    );
  }
  (spec.publishes ?? []).forEach((target, index) => {
    const broker = find(target.broker);
    const path = ['publishes', index, 'broker'];
    if (onCluster && broker && standardBus(broker)) add(path, standardMessage(broker.name));
    if (broker?.kind === 'kafka') {
      add(path, `'${broker.name}' is a Kafka broker: agents publish to RabbitMQ or SQS queues`);
    } else if (broker?.kind === 'rabbitmq' && broker.amazonMq) {
      add(
        path,
        `Amazon MQ broker '${broker.name}' takes no agent bindings yet: publish to an in-cluster or external RabbitMQ, or to SQS`,
      );
    } else if (broker && !inReach(broker, site)) {
      add(
        path,
        `${describeBrokerKind(broker)} broker '${broker.name}' belongs to site '${brokerSite(broker)}'; agents on site '${site.name}' reach only their own site's cloud and in-cluster brokers`,
      );
    }
  });
  if (spec.state) {
    const choice = stateEngineFor(site, stateModelOf(spec.state));
    if (!choice.engine) add(spec.state.model ? ['state', 'model'] : ['state'], choice.refused);
  }
  const group = spec.placement?.scalingGroup;
  if (group) {
    if (!site.cloud) {
      add(
        ['placement', 'scalingGroup'],
        `site '${site.name}' has no scaling groups: they run on AWS and Azure sites`,
      );
    } else {
      const queueKind = site.cloud === 'aws' ? 'sqs' : 'servicebus';
      if (queueBroker && queueBroker.kind !== queueKind) {
        add(
          ['placement', 'scalingGroup'],
          `a scaling group on ${site.cloud === 'aws' ? 'AWS scales on an SQS' : 'Azure scales on a Service Bus'} queue; broker '${queueBroker.name}' is ${queueBroker.kind}`,
        );
      }
      const sizePattern = site.cloud === 'aws' ? INSTANCE_TYPE : AZURE_VM_SIZE;
      const otherCloud = site.cloud === 'aws' ? AZURE_VM_SIZE : INSTANCE_TYPE;
      // A name of neither cloud is reported once, where the group is read.
      if (!sizePattern.test(group.instanceType) && otherCloud.test(group.instanceType)) {
        add(
          ['placement', 'scalingGroup', 'instanceType'],
          `'${group.instanceType}' is not ${site.cloud === 'aws' ? "an EC2 instance type such as 'c7i.large'" : "an Azure VM size such as 'Standard_D2s_v5'"}`,
        );
      }
      if (site.cloud === 'azure' && group.image !== undefined) {
        add(
          ['placement', 'scalingGroup', 'image'],
          "applies to EC2 groups only: Azure scale sets run the fleet's Docker-ready image",
        );
      }
      if (site.cloud === 'azure' && group.sessionManager !== undefined) {
        add(
          ['placement', 'scalingGroup', 'sessionManager'],
          'applies to EC2 groups only: it is AWS Systems Manager Session Manager',
        );
      }
    }
  }
  return problems;
}

import { Duration } from './units';

/**
 * Dead-lettering of a queue. On by default: a message rejected or redelivered
 * more than `deliveryLimit` times is moved to the dead-letter queue through the
 * dead-letter exchange, at least once.
 */
export interface DeadLetterSpec {
  /** Turning dead-lettering off needs a written `reason`. @default true */
  readonly enabled?: boolean;
  /** Why dead-lettering is off; required when `enabled` is false. @default - none */
  readonly reason?: string;
  /**
   * Dead-letter exchange the queue routes its dead letters through (RabbitMQ only).
   * @default '<queue>.dlx'
   */
  readonly exchange?: string;
  /**
   * Dead-letter queue; on SQS the default is `<queue>-dlq`, and Service Bus
   * keeps its own dead-letter subqueue.
   * @default '<queue>.dlq'
   */
  readonly queue?: string;
  /** Deliveries before a message is dead-lettered (quorum `x-delivery-limit`). @default 5 */
  readonly deliveryLimit?: number;
}

/** How the agent consumes. */
export interface ConsumerSpec {
  /** Unacknowledged messages a replica holds at once (AMQP prefetch). @default 10 */
  readonly prefetch?: number;
  /**
   * Longest time one message may take to process. Sizes the graceful shutdown
   * and, for cloud queues, the visibility timeout.
   * @default 30s
   */
  readonly maxProcessingTime?: Duration;
}

/**
 * The queue an agent consumes, on a broker the environment declares.
 * RabbitMQ queues are quorum queues with manual acknowledgements.
 */
export interface QueueBinding {
  /** Name of a broker of the environment. */
  readonly broker: string;
  /** Virtual host of the queue (RabbitMQ only). @default '/' */
  readonly vhost?: string;
  /** Name of the queue; on SQS 1 to 80 letters, digits, `-` or `_`, unique on the site. */
  readonly queue: string;
  /**
   * Highest message priority publishers use (1..10), passed to the agent.
   * Quorum queues (RabbitMQ 4) deliver messages of priority 5 and above first.
   * @default - no priorities
   */
  readonly maxPriority?: number;
  /**
   * Messages the queue holds before it refuses publishes (`overflow:
   * reject-publish`, so publishers with confirms see the refusal and nothing is
   * dropped).
   * @default 100000
   */
  readonly maxLength?: number;
  /**
   * Dead-lettering of messages the agent cannot process.
   * @default - on, see {@link DeadLetterSpec}
   */
  readonly deadLetter?: DeadLetterSpec;
  /**
   * How the agent consumes: its prefetch and longest processing time.
   * @default - prefetch 10, 30 s processing time
   */
  readonly consumer?: ConsumerSpec;
}

/**
 * A queue the agent publishes to (a dispatcher, say). It opens the agent's
 * egress to that broker; the queue itself is declared by its consumer's binding.
 */
export interface PublishTarget {
  /** Name of a broker of the environment. */
  readonly broker: string;
  /** Virtual host of the queue (RabbitMQ only). @default '/' */
  readonly vhost?: string;
  /** Name of the queue, as its consumer's binding declares it. */
  readonly queue: string;
}

/** Binding with every default applied. */
export interface ResolvedQueueBinding {
  /** Name of a broker of the environment. */
  readonly broker: string;
  /** Virtual host of the queue (`/` unless set). */
  readonly vhost: string;
  /** Name of the queue. */
  readonly queue: string;
  /** Highest message priority publishers use (1..10). @default - no priorities */
  readonly maxPriority?: number;
  /** Messages the queue holds before it refuses publishes (100000 unless set). */
  readonly maxLength: number;
  /** Dead-lettering: its exchange, queue and delivery limit, or the reason it is off. */
  readonly deadLetter:
    | {
        readonly enabled: true;
        readonly exchange: string;
        readonly queue: string;
        readonly deliveryLimit: number;
      }
    | { readonly enabled: false; readonly reason: string };
  /** Unacknowledged messages a replica holds at once (10 unless set). */
  readonly prefetch: number;
  /** Longest time one message may take to process (30 s unless set). */
  readonly maxProcessingTime: Duration;
}

/** Applies the defaults documented on {@link QueueBinding}. */
export function resolveQueueBinding(binding: QueueBinding): ResolvedQueueBinding {
  const dead = binding.deadLetter ?? {};
  return {
    broker: binding.broker,
    vhost: binding.vhost ?? '/',
    queue: binding.queue,
    maxPriority: binding.maxPriority,
    maxLength: binding.maxLength ?? 100_000,
    deadLetter:
      dead.enabled === false
        ? { enabled: false, reason: dead.reason ?? '' }
        : {
            enabled: true,
            exchange: dead.exchange ?? `${binding.queue}.dlx`,
            queue: dead.queue ?? `${binding.queue}.dlq`,
            deliveryLimit: dead.deliveryLimit ?? 5,
          },
    prefetch: binding.consumer?.prefetch ?? 10,
    maxProcessingTime: binding.consumer?.maxProcessingTime ?? Duration.seconds(30),
  };
}

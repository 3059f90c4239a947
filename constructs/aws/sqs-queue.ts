import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Duration, Problem, QueueBinding, sqsDeadLetterQueue, ValidationError } from '../../model';
import { validateAccountAndRegion } from './client-access';
import { AwsGrantee } from './grants';
import { IamPolicyStatement } from './iam-statement';
import { ownKey } from './key-policy';

/** Receives before SQS moves a message to the dead-letter queue, when the binding does not say. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

/** Processing time of one message, when the binding does not say (as the model's default). */
export const DEFAULT_MAX_PROCESSING_TIME = Duration.seconds(30);

/** Added to the processing time to make the visibility timeout, when the props do not say. */
export const DEFAULT_VISIBILITY_MARGIN = Duration.seconds(30);

/** Retention of the dead-letter queue: the SQS maximum, 14 days. */
export const DEAD_LETTER_RETENTION = Duration.millis(14 * 86_400_000);

/** Longest visibility timeout SQS accepts: 12 hours. */
const MAX_VISIBILITY = Duration.millis(12 * 3_600_000);
const MIN_RETENTION = Duration.seconds(60);
const DEFAULT_RETENTION = Duration.millis(4 * 86_400_000);

/** Props of {@link AgentQueue}. */
export interface AgentQueueProps {
  /**
   * The agent's binding: `queue` names the SQS queue (1 to 80 letters, digits, `-`
   * or `_`); `deadLetter.deliveryLimit` becomes the redrive `maxReceiveCount`
   * (1 to 1000, default {@link DEFAULT_MAX_RECEIVE_COUNT}); `deadLetter.queue` names
   * the dead-letter queue (default `<queue>-dlq`); `consumer.maxProcessingTime`
   * sizes the visibility timeout (default 30 s). Dead-lettering cannot be turned off
   * on SQS (GR-DUR-07). The broker and AMQP-only fields are ignored.
   */
  readonly binding: Pick<QueueBinding, 'queue' | 'deadLetter' | 'consumer'>;
  /** The 12-digit account of the queue; written into the key policy. */
  readonly accountId: string;
  /** The queue's region, e.g. `eu-west-1`; scopes the grants' KMS use to SQS there. */
  readonly region: string;
  /**
   * Time added to `consumer.maxProcessingTime` to make the visibility timeout, so a
   * message is not redelivered while a replica still works on it. Whole seconds, at
   * least 1 s; processing time (rounded up to seconds) plus margin at most 12 h.
   * @default 30 s
   */
  readonly visibilityMargin?: Duration;
  /**
   * How long the queue keeps a message: 60 s to 14 days. The dead-letter queue keeps
   * messages {@link DEAD_LETTER_RETENTION}, never less than the queue.
   * @default 4 days (the SQS default)
   */
  readonly retentionPeriod?: Duration;
  /**
   * ARN of an existing KMS key that encrypts both queues. Its key policy must let
   * this account's IAM policies grant its use.
   * @default - a new key with rotation, used by these two queues only
   */
  readonly encryptionKeyArn?: string;
}

/**
 * An SQS queue for one agent binding, with its dead-letter queue:
 * - encrypted with a customer-managed KMS key (GR-ENC-05): a new key with rotation
 *   whose policy names the account root only (GR-ENC-07), kept by
 *   `prevent_destroy` (GR-DUR-09), or the key given;
 * - a redrive policy to the dead-letter queue with a finite `maxReceiveCount`, the
 *   visibility timeout longer than the processing time (GR-DUR-07), and a redrive
 *   allow policy that lets only this queue use the dead-letter queue, which keeps
 *   messages 14 days;
 * - queue policies on both that deny every `sqs:*` request not made over TLS and
 *   allow nothing (GR-ENC-05, GR-NET-06): access is granted through IAM, with
 *   {@link consumeStatements} and {@link sendStatements}.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html
 */
export class AgentQueue extends Construct {
  /** The ARN of the queue. */
  readonly queueArn: string;
  /** The URL of the queue, which clients send to and receive from. */
  readonly queueUrl: string;
  /** The name of the queue: the binding's `queue`. */
  readonly queueName: string;
  /** The ARN of the dead-letter queue. */
  readonly deadLetterQueueArn: string;
  /** The URL of the dead-letter queue. */
  readonly deadLetterQueueUrl: string;
  /** The key that encrypts both queues. */
  readonly kmsKeyArn: string;
  /** Receives of a message before it moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** The queue's visibility timeout: processing time plus margin. */
  readonly visibilityTimeout: Duration;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: AgentQueueProps) {
    super(scope, id);
    const problems = validateQueue(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const { binding } = props;
    this.region = props.region;
    this.maxReceiveCount = binding.deadLetter?.deliveryLimit ?? DEFAULT_MAX_RECEIVE_COUNT;
    this.visibilityTimeout = visibilityTimeout(props);
    const deadLetterName = sqsDeadLetterQueue(props.binding);

    this.kmsKeyArn =
      props.encryptionKeyArn ??
      ownKey(this, {
        description: `Encrypts SQS queues ${binding.queue} and ${deadLetterName}`,
        alias: `alias/sqs/${binding.queue}`,
        accountId: props.accountId,
      });

    const deadLetters = new SqsQueue(this, 'DeadLetterQueue', {
      name: deadLetterName,
      messageRetentionSeconds: DEAD_LETTER_RETENTION.toSeconds(),
      kmsMasterKeyId: this.kmsKeyArn,
    });
    const queue = new SqsQueue(this, 'Resource', {
      name: binding.queue,
      visibilityTimeoutSeconds: this.visibilityTimeout.toSeconds(),
      messageRetentionSeconds: (props.retentionPeriod ?? DEFAULT_RETENTION).toSeconds(),
      kmsMasterKeyId: this.kmsKeyArn,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: deadLetters.arn,
        maxReceiveCount: this.maxReceiveCount,
      }),
    });
    new SqsQueueRedriveAllowPolicy(this, 'DeadLetterRedriveAllow', {
      queueUrl: deadLetters.url,
      redriveAllowPolicy: JSON.stringify({
        redrivePermission: 'byQueue',
        sourceQueueArns: [queue.arn],
      }),
    });
    new SqsQueuePolicy(this, 'Policy', {
      queueUrl: queue.url,
      policy: tlsOnlyQueuePolicy(queue.arn),
    });
    new SqsQueuePolicy(this, 'DeadLetterPolicy', {
      queueUrl: deadLetters.url,
      policy: tlsOnlyQueuePolicy(deadLetters.arn),
    });

    this.queueArn = queue.arn;
    this.queueUrl = queue.url;
    this.queueName = queue.name;
    this.deadLetterQueueArn = deadLetters.arn;
    this.deadLetterQueueUrl = deadLetters.url;
  }

  /**
   * Lets the grantee consume the queue: `sqs:ReceiveMessage`, `sqs:DeleteMessage`,
   * `sqs:ChangeMessageVisibility` and `sqs:GetQueueAttributes` on this queue only,
   * and `kms:Decrypt` on its key through SQS.
   */
  grantConsumeMessages(grantee: AwsGrantee): void {
    grantee.addToPrincipalPolicy(
      {
        Effect: 'Allow',
        Action: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
        ],
        Resource: [this.queueArn],
      },
      this.keyStatement(['kms:Decrypt']),
    );
  }

  /** Lets the grantee read the queue's depth (KEDA's aws-sqs-queue scaler): `sqs:GetQueueAttributes` only. */
  grantReadDepth(grantee: AwsGrantee): void {
    grantee.addToPrincipalPolicy({
      Effect: 'Allow',
      Action: ['sqs:GetQueueAttributes'],
      Resource: [this.queueArn],
    });
  }

  /**
   * Lets the grantee send to the queue: `sqs:SendMessage` on this queue only, and
   * `kms:GenerateDataKey` and `kms:Decrypt` on its key through SQS.
   */
  grantSendMessages(grantee: AwsGrantee): void {
    grantee.addToPrincipalPolicy(
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [this.queueArn] },
      this.keyStatement(['kms:GenerateDataKey', 'kms:Decrypt']),
    );
  }

  private keyStatement(actions: string[]): IamPolicyStatement {
    return {
      Effect: 'Allow',
      Action: actions,
      Resource: [this.kmsKeyArn],
      Condition: { StringEquals: { 'kms:ViaService': `sqs.${this.region}.amazonaws.com` } },
    };
  }
}

/** Denies every request not made over TLS; allows nothing. */
function tlsOnlyQueuePolicy(queueArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sqs:*',
        Resource: queueArn,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });
}

/** Processing time rounded up to whole seconds, plus the margin. */
function visibilityTimeout(props: AgentQueueProps): Duration {
  const processing = props.binding.consumer?.maxProcessingTime ?? DEFAULT_MAX_PROCESSING_TIME;
  const margin = props.visibilityMargin ?? DEFAULT_VISIBILITY_MARGIN;
  return Duration.seconds(processing.toSecondsCeil()).plus(margin);
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

function validateQueue(props: AgentQueueProps): Problem[] {
  const problems: Problem[] = [];
  const { binding } = props;
  if (!QUEUE_NAME.test(binding.queue)) {
    problems.push({
      path: ['binding', 'queue'],
      message: `'${binding.queue}' is not an SQS queue name: 1 to 80 letters, digits, '-' or '_' (FIFO queues are not supported)`,
    });
  }
  const dead = binding.deadLetter;
  if (dead?.enabled === false) {
    problems.push({
      path: ['binding', 'deadLetter', 'enabled'],
      message: `false is not allowed on SQS (GR-DUR-07): every agent queue parks poison messages in a dead-letter queue`,
    });
  }
  const deadLetterName = sqsDeadLetterQueue(props.binding);
  if (!QUEUE_NAME.test(deadLetterName)) {
    problems.push({
      path: dead?.queue === undefined ? ['binding', 'queue'] : ['binding', 'deadLetter', 'queue'],
      message: `dead-letter queue name '${deadLetterName}' is not an SQS queue name: 1 to 80 letters, digits, '-' or '_'`,
    });
  }
  const limit = dead?.deliveryLimit;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) {
    problems.push({
      path: ['binding', 'deadLetter', 'deliveryLimit'],
      message: `${limit} is not an SQS maxReceiveCount: a whole number from 1 to 1000`,
    });
  }
  const processing = binding.consumer?.maxProcessingTime ?? DEFAULT_MAX_PROCESSING_TIME;
  if (processing.millis === 0) {
    problems.push({
      path: ['binding', 'consumer', 'maxProcessingTime'],
      message: `0s is not a processing time: more than 0s, at most 12h minus the visibility margin`,
    });
  }
  const margin = props.visibilityMargin ?? DEFAULT_VISIBILITY_MARGIN;
  if (margin.millis < 1000 || margin.millis % 1000 !== 0) {
    problems.push({
      path: ['visibilityMargin'],
      message: `${margin} is not a visibility margin: whole seconds, at least 1s, so the visibility timeout is strictly longer than the processing time`,
    });
  } else if (visibilityTimeout(props).isLongerThan(MAX_VISIBILITY)) {
    problems.push({
      path: ['binding', 'consumer', 'maxProcessingTime'],
      message: `${processing} plus the visibility margin ${margin} is ${visibilityTimeout(props)}: the SQS visibility timeout is at most 12h, so the processing time must be at most ${Duration.millis(MAX_VISIBILITY.millis - margin.millis)}`,
    });
  }
  const retention = props.retentionPeriod;
  if (
    retention !== undefined &&
    (retention.millis % 1000 !== 0 ||
      MIN_RETENTION.isLongerThan(retention) ||
      retention.isLongerThan(DEAD_LETTER_RETENTION))
  ) {
    problems.push({
      path: ['retentionPeriod'],
      message: `${retention} is not an SQS retention period: whole seconds from 60s to 14d`,
    });
  }
  problems.push(...validateAccountAndRegion(props.accountId, props.region));
  const key = props.encryptionKeyArn;
  if (
    key !== undefined &&
    !Token.isUnresolved(key) &&
    !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/.test(key)
  ) {
    problems.push({
      path: ['encryptionKeyArn'],
      message: `'${key}' is not a KMS key ARN such as 'arn:aws:kms:eu-west-1:123456789012:key/<id>'`,
    });
  }
  return problems;
}

import { AgentQueue, AgentQueueProps } from '../../constructs/aws/sqs-queue';
import { Duration, ValidationError } from '../../model';
import { Block, Synthesized, resourcesById, resourcesOf, resourceOf } from '../support/synthesized';
import { ACCOUNT_ID, granted, REGION, synthAws, SQS_CONSUME_ACTIONS } from './support';

const BASE: AgentQueueProps = {
  accountId: ACCOUNT_ID,
  region: REGION,
  binding: { queue: 'tasks' },
};

function synthQueue(props: Partial<AgentQueueProps> = {}): {
  json: Synthesized;
  queue: AgentQueue;
} {
  let queue!: AgentQueue;
  const json = synthAws((stack) => {
    queue = new AgentQueue(stack, 'tasks', { ...BASE, ...props });
  });
  return { json, queue };
}

function queueNamed(json: Synthesized, name: string): Block {
  return resourcesOf(json, 'aws_sqs_queue').find((queue) => queue.name === name)!;
}

/** The `${aws_sqs_queue.<logical id>.arn}` reference of the queue with this name. */
function arnOf(json: Synthesized, name: string): string {
  const [id] = Object.entries(resourcesById(json, 'aws_sqs_queue')).find(
    ([, queue]) => queue.name === name,
  )!;
  return `\${aws_sqs_queue.${id}.arn}`;
}

const ref = (type: string, id: string, attribute: string) =>
  new RegExp(`^\\$\\{${type}\\.tasks_${id}_\\w+\\.${attribute}\\}$`);

describe('defaults of an agent queue', () => {
  const { json, queue } = synthQueue();
  const main = queueNamed(json, 'tasks');
  const dead = queueNamed(json, 'tasks-dlq');

  it('redrives to a dead-letter queue after 5 receives (GR-DUR-07)', () => {
    expect(JSON.parse(main.redrive_policy)).toEqual({
      deadLetterTargetArn: expect.stringMatching(ref('aws_sqs_queue', 'DeadLetterQueue', 'arn')),
      maxReceiveCount: 5,
    });
    expect(queue.maxReceiveCount).toBe(5);
  });

  it('keeps dead letters 14 days and queue messages 4 days', () => {
    expect(dead.message_retention_seconds).toBe(1_209_600);
    expect(main.message_retention_seconds).toBe(345_600);
  });

  it('sets the visibility timeout to the 30 s processing time plus a 30 s margin', () => {
    expect(main.visibility_timeout_seconds).toBe(60);
  });

  it('lets only the queue redrive into its dead-letter queue', () => {
    const allow = resourceOf(json, 'aws_sqs_queue_redrive_allow_policy');
    expect(allow.queue_url).toMatch(ref('aws_sqs_queue', 'DeadLetterQueue', 'url'));
    expect(JSON.parse(allow.redrive_allow_policy)).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [arnOf(json, 'tasks')],
    });
  });
});

describe('encryption', () => {
  it('encrypts both queues with a new rotated key whose policy names the account root only (GR-ENC-05, GR-ENC-07)', () => {
    const { json, queue } = synthQueue();
    const keyArn = ref('aws_kms_key', 'Key', 'arn');
    for (const q of resourcesOf(json, 'aws_sqs_queue')) {
      expect(q.kms_master_key_id).toMatch(keyArn);
      expect(q).not.toHaveProperty('sqs_managed_sse_enabled');
    }
    expect(queue.kmsKeyArn).toBeDefined();
    const key = resourceOf(json, 'aws_kms_key');
    expect(key).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
      lifecycle: { prevent_destroy: true },
    });
    const policy = JSON.parse(key.policy);
    expect(policy.Statement.map((s: Block) => s.Principal)).toEqual([
      { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
    ]);
    expect(resourceOf(json, 'aws_kms_alias').name).toBe('alias/sqs/tasks');
  });

  it('uses an existing key when given, creating none', () => {
    const existing = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const { json, queue } = synthQueue({ encryptionKeyArn: existing });
    expect(resourcesOf(json, 'aws_kms_key')).toHaveLength(0);
    expect(resourcesOf(json, 'aws_kms_alias')).toHaveLength(0);
    for (const q of resourcesOf(json, 'aws_sqs_queue')) expect(q.kms_master_key_id).toBe(existing);
    expect(queue.kmsKeyArn).toBe(existing);
  });
});

describe('queue policies', () => {
  const { json } = synthQueue();
  const policies = resourcesOf(json, 'aws_sqs_queue_policy');

  it('deny every request without TLS on both queues and allow nothing (GR-ENC-05, GR-NET-06)', () => {
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      const document = JSON.parse(policy.policy);
      expect(document.Statement).toEqual([
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'sqs:*',
          Resource: expect.stringMatching(/^\$\{aws_sqs_queue\.tasks_\w+\.arn\}$/),
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ]);
    }
    expect(policies.map((p) => JSON.parse(p.policy).Statement[0].Resource).sort()).toEqual(
      [arnOf(json, 'tasks'), arnOf(json, 'tasks-dlq')].sort(),
    );
  });
});

describe('binding', () => {
  it('takes maxReceiveCount from the delivery limit and the visibility from the processing time', () => {
    const { json, queue } = synthQueue({
      binding: {
        queue: 'tasks',
        deadLetter: { deliveryLimit: 3, queue: 'tasks-parked' },
        consumer: { maxProcessingTime: Duration.parse('10m500ms') },
      },
      visibilityMargin: Duration.seconds(10),
    });
    const main = queueNamed(json, 'tasks');
    expect(JSON.parse(main.redrive_policy).maxReceiveCount).toBe(3);
    // 600.5 s rounds up to 601 s, plus 10 s: strictly longer than the processing time.
    expect(main.visibility_timeout_seconds).toBe(611);
    expect(queue.visibilityTimeout.isLongerThan(Duration.parse('10m500ms'))).toBe(true);
    expect(queueNamed(json, 'tasks-parked')).toBeDefined();
  });
});

describe('grant statements', () => {
  const { queue } = synthQueue();

  it('consume: the four receive actions on exactly the queue, decrypt through SQS', () => {
    expect(granted((grantee) => queue.grantConsumeMessages(grantee))).toEqual([
      {
        Effect: 'Allow',
        Action: SQS_CONSUME_ACTIONS,
        Resource: [queue.queueArn],
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: [queue.kmsKeyArn],
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  it('send: SendMessage on exactly the queue, data keys through SQS', () => {
    expect(granted((grantee) => queue.grantSendMessages(grantee))).toEqual([
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queue.queueArn] },
      {
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: [queue.kmsKeyArn],
        Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } },
      },
    ]);
  });
});

describe('validation', () => {
  const attempt = (props: Partial<AgentQueueProps>) => () => synthQueue(props);

  it('refuses dead-lettering off, a bad delivery limit and a bad name, all at once', () => {
    const build = attempt({
      binding: {
        queue: 'tasks.v1',
        deadLetter: { enabled: false, reason: 'not wanted here', deliveryLimit: 0 },
      },
    });
    expect(build).toThrow(ValidationError);
    expect(build).toThrow(/test\/tasks: 4 problem\(s\)/);
    expect(build).toThrow(
      "'binding.queue': 'tasks.v1' is not an SQS queue name: 1 to 80 letters, digits, '-' or '_'",
    );
    expect(build).toThrow("'binding.deadLetter.enabled': false is not allowed on SQS (GR-DUR-07)");
    expect(build).toThrow(
      "'binding.deadLetter.deliveryLimit': 0 is not an SQS maxReceiveCount: a whole number from 1 to 1000",
    );
  });

  it('refuses a visibility timeout over 12 h, naming the processing time allowed', () => {
    expect(
      attempt({
        binding: { queue: 'tasks', consumer: { maxProcessingTime: Duration.parse('12h') } },
      }),
    ).toThrow(
      "'binding.consumer.maxProcessingTime': 12h plus the visibility margin 30s is 43230s: the SQS visibility timeout is at most 12h, so the processing time must be at most 43170s",
    );
  });

  it('accepts exactly 12 h of visibility', () => {
    const { json } = synthQueue({
      binding: { queue: 'tasks', consumer: { maxProcessingTime: Duration.parse('11h59m30s') } },
    });
    expect(queueNamed(json, 'tasks').visibility_timeout_seconds).toBe(43_200);
  });

  it('refuses a zero margin, a zero processing time and a retention out of range', () => {
    const build = attempt({
      binding: { queue: 'tasks', consumer: { maxProcessingTime: Duration.seconds(0) } },
      visibilityMargin: Duration.seconds(0),
      retentionPeriod: Duration.parse('15d'),
    });
    expect(build).toThrow("'binding.consumer.maxProcessingTime': 0s is not a processing time");
    expect(build).toThrow(
      "'visibilityMargin': 0ms is not a visibility margin: whole seconds, at least 1s",
    );
    expect(build).toThrow(
      "'retentionPeriod': 15d is not an SQS retention period: whole seconds from 60s to 14d",
    );
  });

  it('refuses a key that is not a KMS ARN', () => {
    expect(attempt({ encryptionKeyArn: 'my-key' })).toThrow(
      "'encryptionKeyArn': 'my-key' is not a KMS key ARN",
    );
  });
});

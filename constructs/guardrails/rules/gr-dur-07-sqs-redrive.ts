import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../types';
import { isSet } from './gr-terraform-support';

/** Whether another queue of the scope dead-letters into this one, or this one admits redrives. */
function isDeadLetterQueue(queue: ResourceView, scope: RuleScope): boolean {
  if (isSet(queue.attributes.redrive_allow_policy)) return true;
  const arn = `\${${queue.address}.arn}`;
  const url = [`\${${queue.address}.url}`, `\${${queue.address}.id}`];
  const sameStack = (r: ResourceView) => r.stack === queue.stack;
  const sources = [
    ...scope
      .ofType('aws_sqs_queue')
      .filter(sameStack)
      .map((q) => q.attributes.redrive_policy),
    ...scope
      .ofType('aws_sqs_queue_redrive_policy')
      .filter(sameStack)
      .map((p) => p.attributes.redrive_policy),
  ];
  return (
    sources.some((policy) => typeof policy === 'string' && policy.includes(arn)) ||
    scope
      .ofType('aws_sqs_queue_redrive_allow_policy')
      .filter(sameStack)
      .some((p) => url.includes(p.attributes.queue_url))
  );
}

/** The redrive policy of a queue, inline or from an `aws_sqs_queue_redrive_policy`. */
function redrivePolicyOf(queue: ResourceView, scope: RuleScope): string | undefined {
  if (isSet(queue.attributes.redrive_policy)) return queue.attributes.redrive_policy;
  const url = [`\${${queue.address}.url}`, `\${${queue.address}.id}`];
  const attached = scope
    .ofType('aws_sqs_queue_redrive_policy')
    .find((policy) => policy.stack === queue.stack && url.includes(policy.attributes.queue_url));
  const policy: unknown = attached?.attributes.redrive_policy;
  return isSet(policy) ? policy : undefined;
}

/** `deadLetterTargetArn` and `maxReceiveCount` of a redrive policy, from JSON or, failing that, its text. */
function readRedrive(policy: string): { target?: unknown; maxReceiveCount?: unknown } {
  try {
    const parsed = JSON.parse(policy);
    return { target: parsed.deadLetterTargetArn, maxReceiveCount: parsed.maxReceiveCount };
  } catch {
    const target = /deadLetterTargetArn/.test(policy) ? 'stated' : undefined;
    const count = /maxReceiveCount\W*(\d+)/.exec(policy)?.[1];
    return { target, maxReceiveCount: count };
  }
}

/**
 * GR-DUR-07: SQS queues that agents consume park poison messages in a
 * dead-letter queue after a finite number of receives (`redrive_policy` with
 * `deadLetterTargetArn` and a `maxReceiveCount` of at least 1), and state
 * their visibility timeout (the default 30 s is rarely the agent's processing
 * time; GR-AS-07 sizes it). Dead-letter queues themselves, recognised by a
 * redrive-allow policy or another queue's redrive policy in scope, are
 * exempt.
 * @see cdk-nag AwsSolutions-SQS3; AWS SQS docs (dead-letter queues, visibility timeout)
 */
export const sqsRedrive: GuardrailRule = {
  id: 'GR-DUR-07',
  level: 'error',
  summary:
    'SQS queues dead-letter after a finite maxReceiveCount and state their visibility timeout',
  fix: 'set redrive_policy = {deadLetterTargetArn = <DLQ ARN>, maxReceiveCount = <n>} and visibility_timeout_seconds',
  appliesTo: ['aws_sqs_queue'],
  evaluate(queue, scope) {
    if (isDeadLetterQueue(queue, scope)) return 'not-applicable';
    const problems: string[] = [];
    const policy = redrivePolicyOf(queue, scope);
    if (!policy) {
      problems.push('no redrive_policy: poison messages are received forever');
    } else {
      const { target, maxReceiveCount } = readRedrive(policy);
      if (!isSet(target)) problems.push('redrive_policy has no deadLetterTargetArn');
      const count = Number(maxReceiveCount);
      if (!Number.isInteger(count) || count < 1)
        problems.push(
          `maxReceiveCount is ${JSON.stringify(maxReceiveCount ?? null)}, not a count of at least 1`,
        );
    }
    if (typeof queue.attributes.visibility_timeout_seconds !== 'number')
      problems.push('visibility_timeout_seconds is not stated (default 30 s)');
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

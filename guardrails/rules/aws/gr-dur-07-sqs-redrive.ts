import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../../engine/types';
import { isSet } from '../support/terraform';

/** What the SQS redrive resources of a site say, indexed once per site by `<stack> <text>`. */
interface RedriveIndex {
  /** `${<queue>.arn}` references found in a redrive policy (inline or separate). */
  readonly deadLetterArns: ReadonlySet<string>;
  /** `queue_url` of each redrive-allow policy. */
  readonly allowedQueueUrls: ReadonlySet<string>;
  /** The first separate redrive policy per `queue_url`. */
  readonly policiesByQueueUrl: ReadonlyMap<string, ResourceView>;
}

const ARN_REFERENCE = /\$\{[^{}]*\.arn\}/g;

function redriveIndex(scope: RuleScope): RedriveIndex {
  return scope.memo('dur:sqs-redrive', () => {
    const deadLetterArns = new Set<string>();
    const separate = scope.ofType('aws_sqs_queue_redrive_policy');
    for (const resource of [...scope.ofType('aws_sqs_queue'), ...separate]) {
      const policy: unknown = resource.attributes.redrive_policy;
      if (typeof policy !== 'string') continue;
      for (const [arn] of policy.matchAll(ARN_REFERENCE))
        deadLetterArns.add(`${resource.stack} ${arn}`);
    }
    const allowedQueueUrls = new Set(
      scope
        .ofType('aws_sqs_queue_redrive_allow_policy')
        .map((p) => `${p.stack} ${p.attributes.queue_url}`),
    );
    const policiesByQueueUrl = new Map<string, ResourceView>();
    for (const policy of separate) {
      const key = `${policy.stack} ${policy.attributes.queue_url}`;
      if (!policiesByQueueUrl.has(key)) policiesByQueueUrl.set(key, policy);
    }
    return { deadLetterArns, allowedQueueUrls, policiesByQueueUrl };
  });
}

/** `${<queue>.url}` and `${<queue>.id}`: how a separate policy names its queue. */
const queueUrls = (queue: ResourceView) =>
  [`\${${queue.address}.url}`, `\${${queue.address}.id}`].map((url) => `${queue.stack} ${url}`);

/** Whether another queue of the scope dead-letters into this one, or this one admits redrives. */
function isDeadLetterQueue(queue: ResourceView, scope: RuleScope): boolean {
  if (isSet(queue.attributes.redrive_allow_policy)) return true;
  const index = redriveIndex(scope);
  return (
    index.deadLetterArns.has(`${queue.stack} \${${queue.address}.arn}`) ||
    queueUrls(queue).some((url) => index.allowedQueueUrls.has(url))
  );
}

/** The redrive policy of a queue, inline or from an `aws_sqs_queue_redrive_policy`. */
function redrivePolicyOf(queue: ResourceView, scope: RuleScope): string | undefined {
  if (isSet(queue.attributes.redrive_policy)) return queue.attributes.redrive_policy;
  const index = redriveIndex(scope);
  // The first in scope order, as a search of the site would find it.
  const separate = scope.ofType('aws_sqs_queue_redrive_policy');
  const attached = queueUrls(queue)
    .map((url) => index.policiesByQueueUrl.get(url))
    .filter((policy) => policy !== undefined)
    .sort((x, y) => separate.indexOf(x) - separate.indexOf(y))[0];
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
  fix: "no environment-file field: every SQS queue the fleet builds dead-letters after a finite receive count, with a visibility timeout above the agent's processing time; a queue of your own needs redrive_policy {deadLetterTargetArn, maxReceiveCount} and visibility_timeout_seconds",
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

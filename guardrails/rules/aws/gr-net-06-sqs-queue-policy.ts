import {
  COMPLIANT,
  GuardrailRule,
  ResourceView,
  RuleScope,
  Verdict,
  violation,
} from '../../engine/types';
import {
  asList,
  hasCondition,
  isSet,
  isWildcardAction,
  PolicyStatement,
  policyStatements,
  principalIsAnyone,
  referrersOf,
} from '../support/terraform';

/** A Deny of requests made without TLS (`aws:SecureTransport` false). */
function deniesPlainTransport(statement: PolicyStatement): boolean {
  if (statement.Effect !== 'Deny') return false;
  const bool = statement.Condition?.Bool as Record<string, unknown> | undefined;
  const secure = bool?.['aws:SecureTransport'];
  return [secure, ...(Array.isArray(secure) ? secure : [])].some(
    (value) => value === false || value === 'false',
  );
}

/** What is wrong with a queue policy document, if anything. */
function judgePolicy(document: unknown): Verdict {
  const statements = policyStatements(document);
  if (!statements) return violation('the queue policy is not readable at synth');
  const problems: string[] = [];
  statements.forEach((statement, i) => {
    if (statement.Effect !== 'Allow' || hasCondition(statement)) return;
    const name = statement.Sid ?? `statement ${i}`;
    if (principalIsAnyone(statement.Principal))
      problems.push(`${name} allows a * principal without conditions`);
    const wildcard = asList(statement.Action).filter(isWildcardAction);
    if (wildcard.length > 0)
      problems.push(`${name} allows ${wildcard.join(', ')} without conditions`);
  });
  if (!statements.some(deniesPlainTransport))
    problems.push('no statement denies requests without TLS (aws:SecureTransport false)');
  return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
}

function attachedPolicies(queue: ResourceView, scope: RuleScope): ResourceView[] {
  return referrersOf(queue, scope).filter((r) => r.type === 'aws_sqs_queue_policy');
}

/**
 * GR-NET-06: SQS queue policies are not world-open and deny plain-text
 * transport. A policy (`aws_sqs_queue_policy` or a queue's inline `policy`)
 * allows no `*` principal and no `*`/`sqs:*` action without conditions, and
 * denies requests made without TLS; every queue has such a policy, inline or
 * attached in the site's stacks (an attached one is judged on its own).
 * @see Checkov CKV_AWS_168, CKV_AWS_72, CKV_AWS_387, CKV2_AWS_73 (TLS), Trivy AWS-0097, cdk-nag AwsSolutions-SQS4
 */
export const sqsQueuePolicy: GuardrailRule = {
  id: 'GR-NET-06',
  level: 'error',
  summary:
    'SQS queue policies deny non-TLS requests and allow no * principal or action without conditions',
  fix: 'no environment-file field: every SQS queue the fleet builds denies non-TLS access and allows only named principals; give a queue of your own such a policy',
  appliesTo: ['aws_sqs_queue', 'aws_sqs_queue_policy'],
  evaluate(resource, scope) {
    if (resource.type === 'aws_sqs_queue_policy') return judgePolicy(resource.attributes.policy);
    if (isSet(resource.attributes.policy)) return judgePolicy(resource.attributes.policy);
    if (attachedPolicies(resource, scope).length > 0) return COMPLIANT;
    return violation('no queue policy: nothing denies requests without TLS');
  },
};

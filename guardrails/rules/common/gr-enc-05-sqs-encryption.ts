import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';

/**
 * GR-ENC-05: SQS queues are encrypted at rest, with a customer-managed key
 * rather than SQS-managed SSE. (The TLS-only queue policy is GR-NET-06's.)
 * @see Checkov CKV_AWS_27, Trivy AWS-0096, cdk-nag AwsSolutions-SQS2
 */
export const sqsEncryption: GuardrailRule = {
  id: 'GR-ENC-05',
  level: 'error',
  summary: 'SQS queues are encrypted with a customer-managed KMS key',
  fix: "no environment-file field: the fleet's SQS queues encrypt with a customer-managed KMS key; set kms_master_key_id on a queue of your own",
  appliesTo: ['aws_sqs_queue'],
  evaluate(queue) {
    const key = queue.attributes.kms_master_key_id;
    if (typeof key === 'string' && key !== '' && key !== 'alias/aws/sqs') return COMPLIANT;
    return violation(
      queue.attributes.sqs_managed_sse_enabled === true
        ? 'SQS-managed SSE only'
        : 'no encryption key',
    );
  },
};

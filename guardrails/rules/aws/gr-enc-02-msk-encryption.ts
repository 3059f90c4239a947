import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block, isSet, isTrue } from '../support/terraform';

/**
 * GR-ENC-02: MSK clusters state TLS between clients and brokers and between
 * brokers, and encrypt data at rest with a customer-managed key. The values
 * are asserted, not the mere presence of `encryption_info` (which is all
 * Checkov's CKV_AWS_81 looks at).
 * @see Checkov CKV_AWS_81, Trivy AWS-0073 and AWS-0179, cdk-nag AwsSolutions-MSK2 and MSK3
 */
export const mskEncryption: GuardrailRule = {
  id: 'GR-ENC-02',
  level: 'error',
  summary: 'MSK clusters use TLS in transit (client-broker and in-cluster) and a KMS key at rest',
  fix: 'no environment-file field: the fleet\'s MSK clusters use TLS between clients and brokers and a KMS key at rest; set encryption_info { encryption_in_transit { client_broker = "TLS", in_cluster = true }, encryption_at_rest_kms_key_arn = <key> } on a cluster of your own',
  appliesTo: ['aws_msk_cluster'],
  evaluate(cluster) {
    const info = block(cluster.attributes.encryption_info);
    const transit = block(info?.encryption_in_transit);
    const problems: string[] = [];
    if (transit?.client_broker !== 'TLS')
      problems.push(
        `client_broker is ${JSON.stringify(transit?.client_broker ?? null)}, not "TLS"`,
      );
    if (!isTrue(transit?.in_cluster))
      problems.push(`in_cluster is ${JSON.stringify(transit?.in_cluster ?? null)}, not true`);
    if (!isSet(info?.encryption_at_rest_kms_key_arn))
      problems.push('no encryption_at_rest_kms_key_arn (an AWS-managed key)');
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

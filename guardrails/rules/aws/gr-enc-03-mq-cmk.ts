import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block, isFalse, isSet } from '../support/terraform';

/**
 * GR-ENC-03: Amazon MQ brokers encrypt their data with a customer-managed KMS
 * key (the provider's default is an AWS-owned key, `use_aws_owned_key = true`).
 * @see Checkov CKV_AWS_209
 */
export const mqCustomerManagedKey: GuardrailRule = {
  id: 'GR-ENC-03',
  level: 'error',
  summary: 'Amazon MQ brokers encrypt data with a customer-managed KMS key',
  fix: "no environment-file field: the fleet's Amazon MQ brokers encrypt with a customer-managed KMS key; set encryption_options { use_aws_owned_key = false, kms_key_id = <key ARN> } on a broker of your own",
  appliesTo: ['aws_mq_broker'],
  evaluate(broker) {
    const options = block(broker.attributes.encryption_options);
    if (!isFalse(options?.use_aws_owned_key))
      return violation('use_aws_owned_key is not false: an AWS-owned key encrypts the broker');
    if (!isSet(options?.kms_key_id)) return violation('no kms_key_id');
    return COMPLIANT;
  },
};

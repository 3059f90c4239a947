import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { isTrue } from '../support/terraform';

/**
 * GR-NET-04: Amazon MQ brokers are not publicly accessible (the provider's
 * default is `false`).
 * @see Checkov CKV_AWS_69, Trivy AWS-0072
 */
export const mqPrivate: GuardrailRule = {
  id: 'GR-NET-04',
  level: 'error',
  summary: 'Amazon MQ brokers are not publicly accessible',
  fix: "no environment-file field: the fleet's Amazon MQ brokers are private; set publicly_accessible = false on a broker of your own and reach it from inside the VPC",
  appliesTo: ['aws_mq_broker'],
  evaluate(broker) {
    return isTrue(broker.attributes.publicly_accessible)
      ? violation('publicly_accessible is true')
      : COMPLIANT;
  },
};

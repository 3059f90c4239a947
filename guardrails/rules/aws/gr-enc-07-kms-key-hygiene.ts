import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { isSet, isTrue, policyStatements, principalIsAnyone } from '../support/terraform';

/** Key specs KMS can rotate automatically: symmetric encryption keys only. */
function rotatable(spec: unknown): boolean {
  return spec === undefined || spec === null || spec === 'SYMMETRIC_DEFAULT';
}

/**
 * GR-ENC-07: customer-managed KMS keys rotate (symmetric keys; asymmetric and
 * HMAC keys cannot) and have a key policy of their own that grants nothing
 * to a `*` principal. A Deny with a `*` principal (a guard) is fine.
 * @see Checkov CKV_AWS_7, CKV_AWS_33, CKV2_AWS_64, Trivy AWS-0065, cdk-nag AwsSolutions-KMS5
 */
export const kmsKeyHygiene: GuardrailRule = {
  id: 'GR-ENC-07',
  level: 'error',
  summary: 'KMS keys rotate and have a key policy that allows no `*` principal',
  fix: "no environment-file field: the fleet's KMS keys rotate and name exact principals in their policies; set enable_key_rotation = true and Allow statements with exact principals (e.g. the account root) on a key of your own",
  appliesTo: ['aws_kms_key'],
  evaluate(key) {
    const problems: string[] = [];
    const spec = key.attributes.customer_master_key_spec ?? key.attributes.key_spec;
    if (rotatable(spec) && !isTrue(key.attributes.enable_key_rotation))
      problems.push('enable_key_rotation is not true');
    if (!isSet(key.attributes.policy)) {
      problems.push('no key policy: the default policy applies');
    } else {
      const statements = policyStatements(key.attributes.policy);
      const open = (statements ?? []).filter(
        (s) => s.Effect === 'Allow' && principalIsAnyone(s.Principal),
      );
      if (open.length > 0)
        problems.push(
          `the policy allows a * principal (${open.map((s, i) => s.Sid ?? `statement ${i}`).join(', ')})`,
        );
    }
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

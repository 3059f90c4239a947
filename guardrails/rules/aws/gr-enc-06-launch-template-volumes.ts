import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block, blocks, isFalse, isTrue } from '../support/terraform';

/**
 * GR-ENC-06: every EBS volume a launch template maps is encrypted. A template
 * that maps no volume takes the AMI's, which are encrypted only if the
 * account's EBS encryption by default is on: that passes only when an
 * `aws_ebs_encryption_by_default` in the site's stacks turns it on. Checkov's
 * EBS check (CKV_AWS_8) covers launch configurations and instances, not
 * launch templates.
 * @see Checkov CKV_AWS_8 (LC/instance only), CKV_AWS_106, Trivy AWS-0008, cdk-nag AwsSolutions-EC26; custom for launch templates
 */
export const launchTemplateVolumeEncryption: GuardrailRule = {
  id: 'GR-ENC-06',
  level: 'error',
  summary: 'Launch templates encrypt every EBS volume they map',
  fix: "no environment-file field: the fleet's launch templates encrypt every volume they map; set ebs.encrypted = true on every block_device_mappings entry of a template of your own",
  appliesTo: ['aws_launch_template'],
  evaluate(template, scope) {
    const volumes = blocks(template.attributes.block_device_mappings).filter(
      (mapping) => block(mapping.ebs) !== undefined,
    );
    if (volumes.length === 0) {
      const byDefault = scope
        .ofType('aws_ebs_encryption_by_default')
        .some((r) => !isFalse(r.attributes.enabled));
      return byDefault
        ? COMPLIANT
        : violation(
            "no block_device_mappings: the AMI's volumes are encrypted only if the account encrypts EBS by default",
          );
    }
    const plain = volumes
      .filter((mapping) => !isTrue(block(mapping.ebs)?.encrypted))
      .map((mapping) => String(mapping.device_name));
    if (plain.length > 0) return violation(`unencrypted volumes: ${plain.join(', ')}`);
    return COMPLIANT;
  },
};

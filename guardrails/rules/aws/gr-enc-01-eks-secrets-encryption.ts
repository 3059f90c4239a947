import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block, isTrue, parseReference, referenced } from '../support/terraform';

/**
 * GR-ENC-01: EKS clusters encrypt Kubernetes Secrets (envelope encryption of
 * etcd) with a customer-managed KMS key that rotates. The key is looked up in
 * scope by the reference in `encryption_config.provider.key_arn`; a key not
 * managed in the site's stacks (a literal ARN) cannot be inspected and is
 * taken as given, its rotation being GR-ENC-07's where it is managed.
 * @see Checkov CKV_AWS_58, Trivy AWS-0039; terraform-aws-eks `create_kms_key`, `enable_kms_key_rotation`
 */
export const eksSecretsEncryption: GuardrailRule = {
  id: 'GR-ENC-01',
  level: 'error',
  summary: 'EKS clusters encrypt Kubernetes Secrets with a rotated customer-managed KMS key',
  fix: 'no environment-file field: the fleet\'s EKS clusters encrypt Secrets with a rotated KMS key of their own; set encryption_config { resources = ["secrets"], provider.key_arn = <rotated KMS key> } on a cluster of your own',
  appliesTo: ['aws_eks_cluster'],
  evaluate(cluster, scope) {
    const config = block(cluster.attributes.encryption_config);
    if (!config)
      return violation('no encryption_config: Secrets are stored without envelope encryption');
    const resources: unknown = config.resources;
    if (!Array.isArray(resources) || !resources.includes('secrets'))
      return violation(
        `encryption_config.resources is ${JSON.stringify(resources)}, without "secrets"`,
      );
    const keyArn: unknown = block(config.provider)?.key_arn;
    if (typeof keyArn !== 'string' || keyArn.trim() === '')
      return violation('encryption_config has no provider.key_arn');
    const ref = parseReference(keyArn);
    if (!ref) return COMPLIANT;
    if (ref.type !== 'aws_kms_key')
      return violation(`key_arn refers to a ${ref.type}, not a KMS key`);
    const key = referenced(keyArn, cluster, scope);
    if (!key) return COMPLIANT;
    if (!isTrue(key.attributes.enable_key_rotation))
      return violation(`key ${key.address} does not rotate (enable_key_rotation is not true)`);
    return COMPLIANT;
  },
};

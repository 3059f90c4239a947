import { publicExposure } from '../../../model/cidr';
import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { asList, block, isFalse } from '../support/terraform';

/**
 * GR-NET-01: the EKS API endpoint is private, or public only to listed CIDRs.
 * The provider's defaults are a public endpoint (`endpoint_public_access =
 * true`) open to `0.0.0.0/0`, so both must be stated. The CIDRs are judged by
 * what they cover together, so `0.0.0.0/1` and `128.0.0.0/1` are refused too.
 * @see Checkov CKV_AWS_39, CKV_AWS_38, Trivy AWS-0040, AWS-0041, cdk-nag AwsSolutions-EKS1
 */
export const eksEndpointAccess: GuardrailRule = {
  id: 'GR-NET-01',
  level: 'error',
  summary: 'EKS API endpoints are private, or public only to listed CIDRs',
  fix: 'list in `sites.<site>.cluster.publicAccessCidrs` only ranges that together cover no more than a /8 of public addresses (no 0.0.0.0/0, ::/0 or a split of it), or none for a private endpoint',
  appliesTo: ['aws_eks_cluster'],
  evaluate(cluster) {
    const vpc = block(cluster.attributes.vpc_config);
    if (isFalse(vpc?.endpoint_public_access)) return COMPLIANT;
    const cidrs = asList(vpc?.public_access_cidrs);
    if (cidrs.length === 0)
      return violation('public endpoint without public_access_cidrs (open to 0.0.0.0/0)');
    const exposure = publicExposure(cidrs.map((cidr) => cidr.trim()));
    return exposure ? violation(`public endpoint: ${exposure}`) : COMPLIANT;
  },
};

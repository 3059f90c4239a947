import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { asList, block, blocks } from '../support/terraform';

const ANYWHERE = ['0.0.0.0/0', '::/0'];

/** `tcp 22-22`, `all ports`: what an ingress rule opens. */
function ports(rule: Record<string, any>): string {
  const protocol = String(rule.protocol ?? rule.ip_protocol ?? '-1');
  if (protocol === '-1' || protocol === 'all') return 'all ports';
  return `${protocol} ${rule.from_port}-${rule.to_port}`;
}

/** Open sources of an ingress rule or block, whichever form it takes. */
function openSources(rule: Record<string, any>): string[] {
  const sources = [
    ...asList(rule.cidr_blocks),
    ...asList(rule.ipv6_cidr_blocks),
    ...asList(rule.cidr_ipv4),
    ...asList(rule.cidr_ipv6),
  ];
  return sources.filter((cidr) => ANYWHERE.includes(cidr.trim()));
}

/**
 * GR-NET-02: nothing admits ingress from the whole internet: no security group
 * (inline `ingress`, `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule`)
 * opens any port to `0.0.0.0/0` or `::/0`, and no EKS node group has
 * `remote_access`, which opens SSH to the world unless source groups are set.
 * The fleet has no internet-facing load balancer: workers, agents and brokers
 * are reached from inside the VPC only.
 * @see Checkov CKV_AWS_24, CKV_AWS_25, CKV_AWS_277, CKV_AWS_100, Trivy AWS-0107, cdk-nag AwsSolutions-EC23
 */
export const noOpenIngress: GuardrailRule = {
  id: 'GR-NET-02',
  level: 'error',
  summary:
    'No security group admits ingress from 0.0.0.0/0 or ::/0; node groups have no remote access',
  fix: "no environment-file field: the fleet's security groups admit ingress from security groups and private ranges only, and its node groups have no remote access; do the same on your own (use SSM)",
  appliesTo: [
    'aws_security_group',
    'aws_default_security_group',
    'aws_security_group_rule',
    'aws_vpc_security_group_ingress_rule',
    'aws_eks_node_group',
  ],
  evaluate(resource) {
    const attributes = resource.attributes;
    switch (resource.type) {
      case 'aws_eks_node_group': {
        const remote = block(attributes.remote_access);
        if (!remote) return COMPLIANT;
        return asList(remote.source_security_group_ids).length === 0
          ? violation('remote_access without source_security_group_ids opens SSH to 0.0.0.0/0')
          : violation('remote_access opens SSH to the nodes');
      }
      case 'aws_security_group_rule':
        if (attributes.type !== 'ingress') return 'not-applicable';
        break;
      case 'aws_security_group':
      case 'aws_default_security_group': {
        const open = blocks(attributes.ingress).filter((rule) => openSources(rule).length > 0);
        if (open.length === 0) return COMPLIANT;
        return violation(
          open
            .map((rule) => `ingress from ${openSources(rule).join(', ')} on ${ports(rule)}`)
            .join('; '),
        );
      }
    }
    const open = openSources(attributes);
    return open.length === 0
      ? COMPLIANT
      : violation(`ingress from ${open.join(', ')} on ${ports(attributes)}`);
  },
};

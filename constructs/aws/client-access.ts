import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { parseCidr, Problem } from '../../model';

/** Who may open connections to a broker's client port: CIDRs, security groups or both. */
export interface ClientSources {
  /**
   * IPv4 CIDRs of clients, e.g. the VPC's private subnets. A /0 is refused
   * (GR-NET-03/04: brokers are private).
   * @default [] - none
   */
  readonly clientCidrs?: readonly string[];
  /**
   * Security groups of clients, e.g. the EKS cluster security group.
   * @default [] - none
   */
  readonly clientSecurityGroupIds?: readonly string[];
}

/**
 * One ingress rule per client CIDR and per client security group, on one TCP
 * port. Construct ids are positions in the lists, so reordering a list replaces
 * the rules (a brief gap for those clients, nothing stateful).
 */
export function addClientIngress(
  scope: Construct,
  securityGroupId: string,
  port: number,
  what: string,
  sources: ClientSources,
): void {
  (sources.clientCidrs ?? []).forEach((cidr, i) => {
    new VpcSecurityGroupIngressRule(scope, `ClientCidr${i}`, {
      securityGroupId,
      description: `${what} from ${cidr}`,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      cidrIpv4: cidr,
    });
  });
  (sources.clientSecurityGroupIds ?? []).forEach((group, i) => {
    new VpcSecurityGroupIngressRule(scope, `ClientSecurityGroup${i}`, {
      securityGroupId,
      description: `${what} from a client security group`,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: group,
    });
  });
}

/** Problems of {@link ClientSources}: at least one source, private CIDRs only, no /0. */
export function validateClientSources(sources: ClientSources): Problem[] {
  const problems: Problem[] = [];
  const cidrs = sources.clientCidrs ?? [];
  if (cidrs.length === 0 && (sources.clientSecurityGroupIds ?? []).length === 0) {
    problems.push({
      path: ['clientCidrs'],
      message:
        'no client source given: list at least one CIDR in clientCidrs or security group in clientSecurityGroupIds, else no client can connect',
    });
  }
  cidrs.forEach((cidr, i) => {
    if (Token.isUnresolved(cidr)) return;
    const prefix = cidrPrefix(cidr);
    if (prefix === undefined) {
      problems.push({
        path: ['clientCidrs', i],
        message: `'${cidr}' is not an IPv4 CIDR such as '10.40.0.0/16'`,
      });
    } else if (prefix === 0) {
      problems.push({
        path: ['clientCidrs', i],
        message: `'${cidr}' admits the whole internet (GR-NET-03/04): list the clients' private CIDRs or security groups`,
      });
    }
  });
  return problems;
}

/** Problems shared by the brokers: account id and region. */
export function validateAccountAndRegion(accountId: string, region: string): Problem[] {
  const problems: Problem[] = [];
  if (!/^\d{12}$/.test(accountId)) {
    problems.push({
      path: ['accountId'],
      message: `'${accountId}' is not an AWS account id: 12 digits`,
    });
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    problems.push({
      path: ['region'],
      message: `'${region}' is not an AWS region such as 'eu-west-1'`,
    });
  }
  return problems;
}

/** The prefix length of an IPv4 CIDR, or undefined when it is not one. */
export function cidrPrefix(cidr: string): number | undefined {
  return parseCidr(cidr)?.prefix;
}

import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Problem, ValidationError } from '../../model';
import { grantsResourcelessReadsOnly, IamPolicyStatement } from './iam-statement';

/** The service-account annotation through which EKS injects the role (IRSA). */
export const IRSA_ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';

/** The audience EKS puts in projected service-account tokens for IRSA. */
const IRSA_AUDIENCE = 'sts.amazonaws.com';

/** Props of {@link AgentRole}. */
export interface AgentRoleProps {
  /** ARN of the cluster's IAM OIDC provider (`EksCluster.oidcProviderArn`). */
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer URL, `https://oidc.eks.<region>.amazonaws.com/id/<id>` (`EksCluster.oidcIssuer`). */
  readonly oidcIssuer: string;
  /** Namespace of the agent's service account: a DNS-1123 label (1 to 63 characters). */
  readonly namespace: string;
  /** Name of the agent's service account: a DNS-1123 subdomain (1 to 253 characters). */
  readonly serviceAccount: string;
  /**
   * What the agent may do: the statements of the role's one inline policy. None
   * gives a role with no policy, an identity only (for DocumentDB's `MONGODB-AWS`
   * sign-in, which needs no statement). A statement with a `*` or whole-service action (`*`, `sqs:*`) or a `*`
   * resource is refused (GR-IAM-04).
   */
  readonly statements: readonly IamPolicyStatement[];
}

/**
 * An IAM role for one agent's Kubernetes service account (IRSA, GR-IAM-03):
 * - trusted by the cluster's OIDC provider only, for tokens whose subject is
 *   `system:serviceaccount:<namespace>:<serviceAccount>` and whose audience is
 *   `sts.amazonaws.com` (`sts:AssumeRoleWithWebIdentity`);
 * - one inline policy (`aws_iam_role_policy`) with exactly the statements given,
 *   without wildcard actions or resources (GR-IAM-04), or none when none is
 *   given; no managed policies.
 *
 * Put {@link serviceAccountAnnotations} on the service account to use it.
 * @see https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
 */
export class AgentRole extends Construct {
  /** The ARN of the IAM role the agent's service account assumes. */
  readonly roleArn: string;
  /** The name of the IAM role, generated from the prefix `<namespace>-<serviceAccount>-`. */
  readonly roleName: string;
  /** `{ 'eks.amazonaws.com/role-arn': <role ARN> }`, for the agent's service account. */
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: AgentRoleProps) {
    super(scope, id);
    const problems = validateRole(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const role = new IamRole(this, 'Resource', {
      namePrefix: `${props.namespace}-${props.serviceAccount}`.slice(0, 37) + '-',
      description: `IRSA role of service account ${props.namespace}/${props.serviceAccount}`,
      assumeRolePolicy: irsaTrustPolicy(props),
    });
    if (props.statements.length > 0) {
      new IamRolePolicy(this, 'Policy', {
        name: 'agent',
        role: role.name,
        policy: JSON.stringify({ Version: '2012-10-17', Statement: props.statements }),
      });
    }
    this.roleArn = role.arn;
    this.roleName = role.name;
    this.serviceAccountAnnotations = { [IRSA_ROLE_ANNOTATION]: this.roleArn };
  }
}

/**
 * Trust policy of an IAM role for one Kubernetes service account (IRSA): the
 * cluster's OIDC provider only, for tokens of exactly that account and audience.
 */
export function irsaTrustPolicy(props: {
  readonly oidcProviderArn: string;
  readonly oidcIssuer: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}): string {
  const issuerHost = Token.isUnresolved(props.oidcIssuer)
    ? Fn.replace(props.oidcIssuer, 'https://', '')
    : props.oidcIssuer.replace(/^https:\/\//, '');
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: props.oidcProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${issuerHost}:sub`]: `system:serviceaccount:${props.namespace}:${props.serviceAccount}`,
            [`${issuerHost}:aud`]: IRSA_AUDIENCE,
          },
        },
      },
    ],
  });
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function validateRole(props: AgentRoleProps): Problem[] {
  const problems: Problem[] = [];
  if (
    !Token.isUnresolved(props.oidcProviderArn) &&
    !/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/.+$/.test(props.oidcProviderArn)
  ) {
    problems.push({
      path: ['oidcProviderArn'],
      message: `'${props.oidcProviderArn}' is not an IAM OIDC provider ARN such as 'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE'`,
    });
  }
  if (
    !Token.isUnresolved(props.oidcIssuer) &&
    !/^https:\/\/[^\s/]+(\/\S*)?$/.test(props.oidcIssuer)
  ) {
    problems.push({
      path: ['oidcIssuer'],
      message: `'${props.oidcIssuer}' is not an OIDC issuer URL: 'https://' followed by a host, e.g. 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE'`,
    });
  }
  if (!DNS_LABEL.test(props.namespace)) {
    problems.push({
      path: ['namespace'],
      message: `'${props.namespace}' is not a namespace name: 1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit`,
    });
  }
  if (!DNS_SUBDOMAIN.test(props.serviceAccount)) {
    problems.push({
      path: ['serviceAccount'],
      message: `'${props.serviceAccount}' is not a service account name: 1 to 253 lower-case letters, digits, '-' or '.', each part starting and ending with a letter or digit`,
    });
  }
  props.statements.forEach((statement, i) => {
    const actions = typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
    const resources =
      typeof statement.Resource === 'string' ? [statement.Resource] : statement.Resource;
    if (actions.length === 0) {
      problems.push({
        path: ['statements', i, 'Action'],
        message: 'empty: list at least 1 action',
      });
    }
    actions.forEach((action, j) => {
      if (action === '*' || /^[^:]+:\*$/.test(action)) {
        problems.push({
          path: ['statements', i, 'Action', j],
          message: `'${action}' allows every action${action === '*' ? '' : ' of the service'} (GR-IAM-04): list the actions the agent needs, e.g. 'sqs:ReceiveMessage'`,
        });
      }
    });
    if (resources.length === 0) {
      problems.push({ path: ['statements', i, 'Resource'], message: 'empty: list at least 1 ARN' });
    }
    resources.forEach((resource, j) => {
      if (resource.trim() === '*' && !grantsResourcelessReadsOnly(statement)) {
        problems.push({
          path: ['statements', i, 'Resource', j],
          message: `'*' applies the statement to every resource (GR-IAM-04): list the ARNs the agent needs`,
        });
      }
    });
  });
  return problems;
}

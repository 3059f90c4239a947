import recordedPolicies from '../../data/aws-managed-policies.json';
import { COMPLIANT, GuardrailRule, ResourceView, RuleScope, violation } from '../../engine/types';
import {
  asList,
  blocks,
  hasCondition,
  isWildcardAction,
  parseReference,
  PolicyStatement,
  policyStatements,
  principalIsAnyone,
  referenced,
  referrersOf,
} from '../support/terraform';

/** AWS-managed policies that grant (nearly) everything. */
const BROAD_MANAGED_POLICIES = ['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess'];

/**
 * Read calls that return data rather than metadata: never on `*`, even
 * though their verb is `Get`.
 */
const DATA_READS = [
  's3:GetObject',
  's3:GetObjectVersion',
  'secretsmanager:GetSecretValue',
  'ssm:GetParameter',
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:GetRecords',
  'kinesis:GetRecords',
  'logs:GetLogEvents',
  'sts:GetFederationToken',
  'sts:GetSessionToken',
];

/**
 * What the SSM agent calls for Session Manager, and nothing else: its
 * heartbeat and the four channel actions of Amazon Message Gateway Service,
 * which the Service Authorization Reference gives no resource type, so AWS's
 * own Session Manager instance policy grants them on `*`. Only an instance
 * that opts in to Session Manager holds them (`placement.scalingGroup.sessionManager`,
 * with a written reason); parameters, documents, inventory and Run Command
 * are not among them.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmessagegatewayservice.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/getting-started-create-iam-instance-profile.html
 */
export const SESSION_MANAGER_ACTIONS: readonly string[] = [
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];

/** Actions with which a principal can grant itself more rights. */
const ESCALATIONS = [
  'iam:CreatePolicyVersion',
  'iam:SetDefaultPolicyVersion',
  'iam:AttachUserPolicy',
  'iam:AttachGroupPolicy',
  'iam:AttachRolePolicy',
  'iam:PutUserPolicy',
  'iam:PutGroupPolicy',
  'iam:PutRolePolicy',
  'iam:UpdateAssumeRolePolicy',
  'iam:AddUserToGroup',
  'iam:CreateAccessKey',
  'iam:CreateLoginProfile',
  'iam:UpdateLoginProfile',
];

/** Whether an action pattern such as `iam:Put*` covers an action (IAM matching is case-insensitive). */
function covers(pattern: string, action: string): boolean {
  const regex = pattern
    .trim()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

/**
 * Whether an action may run on `*`: a describe-style call (`Describe*`,
 * `List*`, `Get*`) that reads metadata, as the AWS describe calls cannot be
 * scoped to resources (e.g. the cluster autoscaler's `autoscaling:Describe*`),
 * or one of {@link SESSION_MANAGER_ACTIONS}.
 */
function describeStyle(action: string): boolean {
  if (SESSION_MANAGER_ACTIONS.some((allowed) => allowed.toLowerCase() === action.toLowerCase()))
    return true;
  const verb = action.split(':')[1] ?? '';
  if (!/^(Describe|List|Get)/i.test(verb)) return false;
  return !DATA_READS.some((read) => covers(action, read));
}

/** Whether a statement allows its actions only through a VPC endpoint (`aws:SourceVpce`). */
function requiresVpcEndpoint(statement: PolicyStatement): boolean {
  const condition = (statement as { Condition?: Record<string, Record<string, unknown>> })
    .Condition;
  return Object.values(condition ?? {}).some((keys) =>
    Object.keys(keys ?? {}).some((key) => key.toLowerCase() === 'aws:sourcevpce'),
  );
}

/** What is wrong with the statements of one identity policy. */
function judgeIdentityPolicy(label: string, statements: readonly PolicyStatement[]): string[] {
  const problems: string[] = [];
  statements.forEach((statement, i) => {
    if (statement.Effect !== 'Allow') return;
    const name = `${label} ${statement.Sid ?? `statement ${i}`}`;
    const actions = asList(statement.Action);
    if (statement.NotAction !== undefined) problems.push(`${name} allows NotAction`);
    const wildcard = actions.filter(isWildcardAction);
    if (wildcard.length > 0) problems.push(`${name} allows action ${wildcard.join(', ')}`);
    const anyResource =
      asList(statement.Resource).some((r) => r.trim() === '*') ||
      statement.NotResource !== undefined;
    if (anyResource) {
      const writes = actions.filter((a) => !isWildcardAction(a) && !describeStyle(a));
      if (writes.length > 0) problems.push(`${name} allows ${writes.join(', ')} on resource *`);
    }
    const cql = actions.filter((a) => !isWildcardAction(a) && /^cassandra:/i.test(a));
    if (cql.length > 0 && !requiresVpcEndpoint(statement)) {
      problems.push(
        `${name} allows ${cql.join(', ')} without an aws:SourceVpce condition: Amazon Keyspaces also answers on a public endpoint`,
      );
    }
    const escalations = ESCALATIONS.filter((e) =>
      actions.some((a) => !isWildcardAction(a) && covers(a, e)),
    );
    if (escalations.length > 0)
      problems.push(`${name} allows privilege escalation through ${escalations.join(', ')}`);
    if (
      anyResource &&
      actions.some((a) => !isWildcardAction(a) && covers(a, 'iam:PassRole')) &&
      !hasCondition(statement)
    )
      problems.push(`${name} allows iam:PassRole on every role`);
  });
  return problems;
}

/** What is wrong with a trust policy: anyone may assume the role without conditions. */
function judgeTrustPolicy(statements: readonly PolicyStatement[]): string[] {
  return statements
    .filter((s) => s.Effect === 'Allow' && principalIsAnyone(s.Principal) && !hasCondition(s))
    .map((s, i) => `trust policy ${s.Sid ?? `statement ${i}`} lets any principal assume the role`);
}

/** An EKS role AWS requires certain managed policies on. */
type ServiceRole = 'eks-cluster-role' | 'eks-node-role';

/** A managed policy as recorded in `data/aws-managed-policies.json`. */
interface RecordedPolicy {
  readonly arn: string;
  readonly versionId: string;
  readonly source: string;
  /**
   * The EKS role AWS requires this policy on, where its `*` grants are accepted.
   * @default - none: its `*` grants are refused on every role
   */
  readonly requiredOn?: ServiceRole;
  readonly document: { readonly Statement: readonly PolicyStatement[] };
}

/** The recorded documents by the part of the ARN after `:policy/` (path and name). */
const RECORDED = new Map<string, RecordedPolicy>(
  Object.values(recordedPolicies.policies as Record<string, RecordedPolicy>).map((policy) => [
    awsManagedName(policy.arn)!,
    policy,
  ]),
);

/** `service-role/X` of `arn:aws:iam::aws:policy/service-role/X`; undefined for any other ARN. */
function awsManagedName(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn.trim())?.[1];
}

/**
 * The EKS role `role` is: the cluster role of an `aws_eks_cluster` or the node
 * role of an `aws_eks_node_group` of its stack. Their pods reach neither
 * (IMDS hop limit 1, no host network), so they are no agent's role.
 */
function serviceRoleOf(role: ResourceView, scope: RuleScope): ServiceRole | undefined {
  const names = (value: unknown) => {
    const ref = parseReference(value);
    return ref?.type === 'aws_iam_role' && `${ref.type}.${ref.name}` === role.address;
  };
  for (const referrer of referrersOf(role, scope)) {
    if (referrer.type === 'aws_eks_cluster' && names(referrer.attributes.role_arn))
      return 'eks-cluster-role';
    if (referrer.type === 'aws_eks_node_group' && names(referrer.attributes.node_role_arn))
      return 'eks-node-role';
  }
  return undefined;
}

/**
 * What is wrong with attaching `arn` to `role` (undefined for users, groups
 * and roles not found in the stack): AdministratorAccess, PowerUserAccess or
 * IAMFullAccess; an AWS managed policy whose document is not recorded; or
 * one whose recorded document fails {@link judgeIdentityPolicy}, unless AWS
 * requires it on the EKS role `role` is. Customer managed policies are
 * judged as `aws_iam_policy` resources; references are not readable.
 */
function managedPolicyProblems(
  arn: string,
  role: ResourceView | undefined,
  scope: RuleScope,
): string[] {
  if (BROAD_MANAGED_POLICIES.some((name) => arn.endsWith(`:policy/${name}`)))
    return [`attaches ${arn}`];
  const name = awsManagedName(arn);
  if (name === undefined) return [];
  const recorded = RECORDED.get(name);
  if (!recorded) {
    return [
      `attaches ${arn}, whose document is not recorded: add it with its source and date to guardrails/data/aws-managed-policies.json`,
    ];
  }
  const problems = judgeIdentityPolicy(
    `managed policy ${name} (${recorded.versionId})`,
    recorded.document.Statement,
  );
  if (problems.length === 0) return [];
  if (recorded.requiredOn && role && serviceRoleOf(role, scope) === recorded.requiredOn) return [];
  return [`attaches ${arn}: ${problems.join('; ')}`];
}

/** The roles an attachment names, as resources of its stack where they are found. */
function attachedRoles(resource: ResourceView, scope: RuleScope): (ResourceView | undefined)[] {
  const { attributes } = resource;
  switch (resource.type) {
    case 'aws_iam_role_policy_attachment':
      return [referenced(attributes.role, resource, scope)];
    case 'aws_iam_policy_attachment':
      return [
        ...asList(attributes.roles).map((role) => referenced(role, resource, scope)),
        ...(asList(attributes.users).length + asList(attributes.groups).length > 0
          ? [undefined]
          : []),
      ];
    default:
      return [undefined];
  }
}

function problemsOf(resource: ResourceView, scope: RuleScope): string[] | undefined {
  const attributes = resource.attributes;
  switch (resource.type) {
    case 'aws_iam_policy':
    case 'aws_iam_role_policy':
    case 'aws_iam_user_policy':
    case 'aws_iam_group_policy': {
      const statements = policyStatements(attributes.policy);
      return statements && judgeIdentityPolicy('policy', statements);
    }
    case 'aws_iam_role': {
      const trust = policyStatements(attributes.assume_role_policy) ?? [];
      const inline = blocks(attributes.inline_policy).flatMap((policy) =>
        judgeIdentityPolicy(
          `inline policy ${policy.name ?? ''}`.trim(),
          policyStatements(policy.policy) ?? [],
        ),
      );
      return [
        ...judgeTrustPolicy(trust),
        ...inline,
        ...asList(attributes.managed_policy_arns).flatMap((arn) =>
          managedPolicyProblems(arn, resource, scope),
        ),
      ];
    }
    default: {
      const roles = attachedRoles(resource, scope);
      return asList(attributes.policy_arn).flatMap((arn) => [
        ...new Set(roles.flatMap((role) => managedPolicyProblems(arn, role, scope))),
      ]);
    }
  }
}

/**
 * GR-IAM-04: IAM grants are least-privilege: no `*` or whole-service action
 * (`sqs:*`), no `NotAction`, no action on resource `*` except describe-style
 * reads of metadata (`Describe*`, `List*`, `Get*` other than data reads such
 * as `s3:GetObject` or `ssm:GetParameter`), which AWS cannot scope and the
 * project grants deliberately (the cluster autoscaler's describe calls), and
 * Session Manager's channel ({@link SESSION_MANAGER_ACTIONS}); no
 * privilege-escalation actions (`iam:Put*Policy`, `iam:Attach*Policy`,
 * `iam:CreatePolicyVersion`, `iam:PassRole` on `*`, ...); no
 * AdministratorAccess, PowerUserAccess or IAMFullAccess; no trust policy that
 * lets anyone assume a role unconditionally; no Amazon Keyspaces action
 * (`cassandra:*`) without an `aws:SourceVpce` condition, since Keyspaces also
 * answers on a public endpoint and only the condition keeps a role's
 * credentials from being used there.
 *
 * An AWS managed policy is judged by its document as recorded, with its
 * source, version and date, in `data/aws-managed-policies.json`, the same way
 * as an inline one: on an agent's role (an instance role, an IRSA role, any
 * role but the two below) one with `*` resources is an error, e.g.
 * `AmazonSSMManagedInstanceCore` for its `ssm:GetParameter(s)` on `*`. AWS
 * requires some on the EKS cluster role (`AmazonEKSClusterPolicy`) and node
 * role (`AmazonEKSWorkerNodePolicy`, `AmazonEKS_CNI_Policy`,
 * `AmazonEC2ContainerRegistryReadOnly`); there, the record's `requiredOn`
 * accepts them. A managed policy that is not recorded is refused until it is.
 * A policy that is not readable at synth (a reference to a data source) is
 * not judged.
 * @see Checkov CKV_AWS_274, CKV_AWS_62, CKV_AWS_355, CKV_AWS_286, CKV_AWS_290, Trivy AWS-0057, cdk-nag AwsSolutions-IAM4 and IAM5
 */
export const iamLeastPrivilege: GuardrailRule = {
  id: 'GR-IAM-04',
  level: 'error',
  summary:
    'IAM policies, the recorded documents of attached AWS managed policies included, grant exact actions on exact resources, describe-style reads excepted',
  fix: 'no environment-file field: the fleet grants each role the exact actions on the exact resources its bindings need; in a policy of your own list them, keeping * for Describe/List/Get metadata calls only',
  appliesTo: [
    'aws_iam_policy',
    'aws_iam_role_policy',
    'aws_iam_user_policy',
    'aws_iam_group_policy',
    'aws_iam_role',
    'aws_iam_role_policy_attachment',
    'aws_iam_user_policy_attachment',
    'aws_iam_group_policy_attachment',
    'aws_iam_policy_attachment',
  ],
  evaluate(resource, scope) {
    const problems = problemsOf(resource, scope);
    if (problems === undefined) return 'not-applicable';
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

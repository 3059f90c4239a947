import { AgentRole, AgentRoleProps } from '../../constructs/aws/agent-role';
import { IamPolicyStatement } from '../../constructs/aws/iam-statement';
import { AgentQueue } from '../../constructs/aws/sqs-queue';
import { ValidationError } from '../../model';
import { Block, Synthesized, resourcesOf, resourceOf } from '../support/synthesized';
import { ACCOUNT_ID, granted, addSite, REGION, synthAws } from './support';

const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const PROVIDER = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:tasks`;
const STATEMENT: IamPolicyStatement = {
  Effect: 'Allow',
  Action: ['sqs:ReceiveMessage'],
  Resource: [QUEUE_ARN],
};

const BASE: AgentRoleProps = {
  oidcProviderArn: PROVIDER,
  oidcIssuer: ISSUER,
  namespace: 'agents',
  serviceAccount: 'summarizer',
  statements: [STATEMENT],
};

function synthRole(props: Partial<AgentRoleProps> = {}): { json: Synthesized; role: AgentRole } {
  let role!: AgentRole;
  const json = synthAws((stack) => {
    role = new AgentRole(stack, 'summarizer', { ...BASE, ...props });
  });
  return { json, role };
}

describe('defaults of an agent role', () => {
  const { json, role } = synthRole();

  it('trusts the OIDC provider for exactly the service account and the STS audience (GR-IAM-03)', () => {
    expect(JSON.parse(resourceOf(json, 'aws_iam_role').assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: PROVIDER },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub':
                'system:serviceaccount:agents:summarizer',
              'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud':
                'sts.amazonaws.com',
            },
          },
        },
      ],
    });
    expect(resourceOf(json, 'aws_iam_role').name_prefix).toBe('agents-summarizer-');
  });

  it('has one inline policy with exactly the statements given, and no managed policy', () => {
    const policy = resourceOf(json, 'aws_iam_role_policy');
    expect(policy.role).toMatch(/^\$\{aws_iam_role\.summarizer_\w+\.name\}$/);
    expect(JSON.parse(policy.policy)).toEqual({ Version: '2012-10-17', Statement: [STATEMENT] });
    expect(resourcesOf(json, 'aws_iam_role_policy_attachment')).toHaveLength(0);
  });

  it('exposes the role ARN as the service-account annotation', () => {
    expect(role.serviceAccountAnnotations).toEqual({ 'eks.amazonaws.com/role-arn': role.roleArn });
  });
});

describe('a role with no statement', () => {
  it('is an identity only: trusted by the service account, with no policy', () => {
    const { json } = synthRole({ statements: [] });
    expect(resourcesOf(json, 'aws_iam_role')).toHaveLength(1);
    expect(resourcesOf(json, 'aws_iam_role_policy')).toHaveLength(0);
    expect(resourcesOf(json, 'aws_iam_role_policy_attachment')).toHaveLength(0);
  });
});

describe('on a cluster of the project', () => {
  it('strips the scheme from the issuer in Terraform, and grants exactly the queue ARNs', () => {
    const json = synthAws((stack) => {
      const { cluster } = addSite(stack);
      const queue = new AgentQueue(stack, 'tasks', {
        accountId: ACCOUNT_ID,
        region: REGION,
        binding: { queue: 'tasks' },
      });
      new AgentRole(stack, 'worker', {
        oidcProviderArn: cluster.oidcProviderArn,
        oidcIssuer: cluster.oidcIssuer,
        namespace: 'agents',
        serviceAccount: 'worker',
        statements: granted((grantee) => queue.grantConsumeMessages(grantee)),
      });
    });
    const role = resourcesOf(json, 'aws_iam_role').find((r) => r.name_prefix === 'agents-worker-')!;
    // The issuer is only known after apply: Terraform strips the scheme in the
    // template, so the rendered string is JSON once Terraform has evaluated it.
    const host =
      '\\$\\{replace\\(aws_eks_cluster\\.cluster_\\w+\\.identity\\[0\\]\\.oidc\\[0\\]\\.issuer, "https://", ""\\)\\}';
    expect(role.assume_role_policy).toMatch(
      new RegExp(
        `"StringEquals":\\{"${host}:sub":"system:serviceaccount:agents:worker","${host}:aud":"sts\\.amazonaws\\.com"\\}`,
      ),
    );
    expect(role.assume_role_policy).toMatch(
      /"Principal":\{"Federated":"\$\{aws_iam_openid_connect_provider\.cluster_OidcProvider_\w+\.arn\}"\}/,
    );
    const statements = JSON.parse(resourceOf(json, 'aws_iam_role_policy').policy).Statement;
    expect(statements.map((s: Block) => s.Resource)).toEqual([
      [expect.stringMatching(/^\$\{aws_sqs_queue\.tasks_\w+\.arn\}$/)],
      [expect.stringMatching(/^\$\{aws_kms_key\.tasks_Key_\w+\.arn\}$/)],
    ]);
  });
});

describe('validation', () => {
  const attempt = (props: Partial<AgentRoleProps>) => () => synthRole(props);

  it('refuses wildcard actions and resources (GR-IAM-04), all at once', () => {
    const build = attempt({
      statements: [
        { Effect: 'Allow', Action: ['*'], Resource: [QUEUE_ARN] },
        { Effect: 'Allow', Action: ['sqs:*'], Resource: ['*'] },
      ],
    });
    expect(build).toThrow(ValidationError);
    expect(build).toThrow(/test\/summarizer: 3 problem\(s\)/);
    expect(build).toThrow("'statements[0].Action[0]': '*' allows every action (GR-IAM-04)");
    expect(build).toThrow(
      "'statements[1].Action[0]': 'sqs:*' allows every action of the service (GR-IAM-04)",
    );
    expect(build).toThrow(
      "'statements[1].Resource[0]': '*' applies the statement to every resource (GR-IAM-04)",
    );
  });

  it('refuses empty lists and bad names', () => {
    const build = attempt({
      namespace: 'Agents',
      serviceAccount: '-worker',
      oidcIssuer: 'oidc.eks.eu-west-1.amazonaws.com/id/X',
      oidcProviderArn: 'arn:aws:iam::123:role/x',
      statements: [{ Effect: 'Allow', Action: [], Resource: [] }],
    });
    expect(build).toThrow(/6 problem\(s\)/);
    expect(build).toThrow("'namespace': 'Agents' is not a namespace name");
    expect(build).toThrow("'serviceAccount': '-worker' is not a service account name");
    expect(build).toThrow(
      "'oidcIssuer': 'oidc.eks.eu-west-1.amazonaws.com/id/X' is not an OIDC issuer URL",
    );
    expect(build).toThrow(
      "'oidcProviderArn': 'arn:aws:iam::123:role/x' is not an IAM OIDC provider ARN",
    );
    expect(build).toThrow("'statements[0].Action': empty: list at least 1 action");
    expect(build).toThrow("'statements[0].Resource': empty: list at least 1 ARN");
  });
});

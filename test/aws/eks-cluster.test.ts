import { EksCluster, EksClusterProps } from '../../constructs/aws';
import { Block, Synthesized, resourceOf } from '../support/synthesized';
import { ACCOUNT_ID, ADMIN_ROLE, addSite, CLUSTER, synthAws } from './support';

function synthCluster(overrides: Parameters<typeof addSite>[1] = {}): Synthesized {
  return synthAws((stack) => addSite(stack, overrides));
}

function cluster(json: Synthesized): Block {
  return resourceOf(json, 'aws_eks_cluster');
}

describe('defaults of an EKS cluster', () => {
  const json = synthCluster();

  it('keeps the API endpoint private', () => {
    expect(cluster(json).vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: false,
    });
    expect(cluster(json).vpc_config).not.toHaveProperty('public_access_cidrs');
    expect(cluster(json).vpc_config.subnet_ids).toHaveLength(3);
  });

  it('encrypts Secrets with its own rotated key (GR-ENC-01)', () => {
    expect(cluster(json).encryption_config).toEqual({
      resources: ['secrets'],
      provider: { key_arn: expect.stringMatching(/^\$\{aws_kms_key\.cluster_Key_\w+\.arn\}$/) },
    });
    expect(resourceOf(json, 'aws_kms_key')).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 30,
    });
    expect(resourceOf(json, 'aws_kms_alias').name).toBe(`alias/eks/${CLUSTER}`);
  });

  it('names no wildcard principal in the key policy', () => {
    const policy = JSON.parse(resourceOf(json, 'aws_kms_key').policy);
    const principals = policy.Statement.map((statement: Block) => statement.Principal);
    expect(principals).toEqual([
      { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
      { AWS: expect.stringMatching(/^\$\{aws_iam_role\.cluster_Role_\w+\.arn\}$/) },
      { Service: 'logs.eu-west-1.amazonaws.com' },
    ]);
    expect(policy.Statement[2].Condition).toEqual({
      ArnEquals: {
        'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT_ID}:log-group:/aws/eks/${CLUSTER}/cluster`,
      },
    });
  });

  it('sends every control-plane log type to a log group with retention, created first', () => {
    expect(cluster(json).enabled_cluster_log_types).toEqual([
      'api',
      'audit',
      'authenticator',
      'controllerManager',
      'scheduler',
    ]);
    expect(resourceOf(json, 'aws_cloudwatch_log_group')).toMatchObject({
      name: `/aws/eks/${CLUSTER}/cluster`,
      retention_in_days: 90,
    });
    expect(cluster(json).depends_on).toEqual(
      expect.arrayContaining([expect.stringMatching(/^aws_cloudwatch_log_group\./)]),
    );
  });

  it('uses access entries only, with admins named in code rather than the creator', () => {
    expect(cluster(json).access_config).toEqual({
      authentication_mode: 'API',
      bootstrap_cluster_creator_admin_permissions: false,
    });
    expect(resourceOf(json, 'aws_eks_access_entry')).toMatchObject({
      principal_arn: ADMIN_ROLE,
      type: 'STANDARD',
    });
    expect(resourceOf(json, 'aws_eks_access_policy_association')).toMatchObject({
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    });
  });

  it('gives the cluster role AmazonEKSClusterPolicy and nothing else', () => {
    const role = resourceOf(json, 'aws_iam_role');
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({
      Service: 'eks.amazonaws.com',
    });
    expect(resourceOf(json, 'aws_iam_role_policy_attachment').policy_arn).toBe(
      'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    );
    expect(json.resource.aws_iam_role_policy).toBeUndefined();
  });

  it('trusts the cluster OIDC issuer for IRSA (GR-IAM-03)', () => {
    expect(resourceOf(json, 'aws_iam_openid_connect_provider')).toMatchObject({
      url: expect.stringMatching(
        /^\$\{aws_eks_cluster\.cluster_\w+\.identity\[0\]\.oidc\[0\]\.issuer\}$/,
      ),
      client_id_list: ['sts.amazonaws.com'],
    });
  });
});

describe('public endpoint', () => {
  it('opens the endpoint to exactly the listed CIDRs', () => {
    const json = synthCluster({ publicAccessCidrs: ['203.0.113.0/24', '198.51.100.7/32'] });
    expect(cluster(json).vpc_config).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: true,
      public_access_cidrs: ['203.0.113.0/24', '198.51.100.7/32'],
    });
  });

  it('refuses 0.0.0.0/0 (GR-NET-01)', () => {
    expect(() => synthCluster({ publicAccessCidrs: ['203.0.113.0/24', '0.0.0.0/0'] })).toThrow(
      "'publicAccessCidrs': '203.0.113.0/24', '0.0.0.0/0' together cover 3,702,390,784 public IPv4 addresses (the whole Internet), more than the 16,777,216 (a /8) allowed: the API endpoint would be open to the Internet (GR-NET-01); list the CIDRs of operators and CI runners, or leave publicAccessCidrs empty for a private endpoint",
    );
  });

  it('judges the CIDRs by what they cover together: a split of 0.0.0.0/0 is refused', () => {
    expect(() => synthCluster({ publicAccessCidrs: ['0.0.0.0/1', '128.0.0.0/1'] })).toThrow(
      "'publicAccessCidrs': '0.0.0.0/1', '128.0.0.0/1' together cover 3,702,390,784 public IPv4 addresses (the whole Internet)",
    );
    expect(() =>
      synthCluster({ publicAccessCidrs: ['10.0.0.0/8', '198.51.100.0/24'] }),
    ).not.toThrow();
  });
});

describe('validation', () => {
  it('reports every problem of the props at once', () => {
    const props: EksClusterProps = {
      name: '-fleet',
      version: '1.33.1',
      accountId: '1234',
      region: 'Europe',
      subnetIds: ['subnet-1'],
      publicAccessCidrs: ['10.0.0.300/8'],
      clusterAdmins: { ops: 'ops-role' },
    };
    expect(() => synthAws((stack) => new EksCluster(stack, 'cluster', props))).toThrow(
      [
        'test/cluster: 7 problem(s)',
        "  - 'name': '-fleet' is not an EKS cluster name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit",
        "  - 'version': '1.33.1' is not a Kubernetes minor version: use '<major>.<minor>', e.g. '1.35'",
        "  - 'accountId': '1234' is not an AWS account id: 12 digits",
        "  - 'region': 'Europe' is not an AWS region such as 'eu-west-1'",
        "  - 'subnetIds': 1 subnet(s) given: EKS needs subnets in at least two availability zones",
        "  - 'publicAccessCidrs[0]': '10.0.0.300/8' is not an IPv4 CIDR such as '203.0.113.0/24'",
        "  - 'clusterAdmins.ops': 'ops-role' is not an IAM role or user ARN such as 'arn:aws:iam::123456789012:role/platform-admin'",
      ].join('\n'),
    );
  });
});

describe('Kubernetes version', () => {
  it('takes a version in standard support, and one on extended support only with a written reason', () => {
    expect(() => synthCluster({ version: '1.33' })).toThrow(
      "'version': Amazon EKS 1.33 left standard support on 2026-07-29 and runs on paid extended support until 2027-07-29",
    );
    const extended = synthCluster({
      version: '1.33',
      extendedSupport: { reason: 'the GPU driver image is certified for 1.33 only' },
    });
    expect(cluster(extended).upgrade_policy).toEqual({ support_type: 'EXTENDED' });
    expect(cluster(synthCluster()).upgrade_policy).toEqual({ support_type: 'STANDARD' });
    expect(() => synthCluster({ version: '1.29' })).toThrow(
      "'version': '1.29' is not a version of Amazon EKS the fleet knows",
    );
  });
});

import { App, TerraformStack, TerraformVariable } from 'cdktf';
import { awsProvider, DocumentDbCluster } from '../../constructs/aws';
import { applyBackend } from '../../constructs/terraform/backend';
import { describePlanFixture, plannedValues } from '../support/offline-plan';
import { resourcesOf } from '../support/synthesized';
import { ACCOUNT_ID, addSite, NETWORK_ADDS, REGION, synthAws, ZONES } from './support';

const PROPS = {
  name: 'test-eu',
  accountId: ACCOUNT_ID,
  region: REGION,
  vpcId: 'vpc-1',
  subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
  availabilityZones: ZONES,
  clientCidrs: ['10.40.0.0/16'],
};

describe('DocumentDbCluster', () => {
  const json = synthAws((stack) => {
    new DocumentDbCluster(stack, 'Docdb', PROPS);
  });

  it('encrypts, backs up and protects the cluster, with TLS required', () => {
    const [cluster] = resourcesOf(json, 'aws_docdb_cluster');
    expect(cluster).toMatchObject({
      cluster_identifier: 'test-eu',
      storage_encrypted: true,
      kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\.\w+\.arn\}$/),
      backup_retention_period: 7,
      deletion_protection: true,
      skip_final_snapshot: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(resourcesOf(json, 'aws_docdb_cluster_parameter_group')).toEqual([
      expect.objectContaining({ parameter: [{ name: 'tls', value: 'enabled' }] }),
    ]);
  });

  it('sets the master password write-only, from an ephemeral password, and keeps it in a secret', () => {
    const [cluster] = resourcesOf(json, 'aws_docdb_cluster');
    expect(cluster.master_password).toBeUndefined();
    expect(cluster.master_password_wo).toMatch(/^\$\{ephemeral\.random_password\.\w+\.result\}$/);
    expect(cluster.master_password_wo_version).toBe(1);
    const [version] = resourcesOf(json, 'aws_secretsmanager_secret_version');
    expect(version.secret_string_wo).toBe(cluster.master_password_wo);
    expect(version.secret_string).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/"master_password":/);
  });

  it('spreads three instances over the zones', () => {
    expect(resourcesOf(json, 'aws_docdb_cluster_instance').map((i) => i.availability_zone)).toEqual(
      ZONES,
    );
  });

  it('refuses one zone, too many backup days and a name it cannot extend', () => {
    expect(() =>
      synthAws((stack) => {
        new DocumentDbCluster(stack, 'Bad', {
          ...PROPS,
          name: 'Test_EU',
          subnetIds: ['subnet-a'],
          availabilityZones: ['eu-west-1a'],
          backupRetentionDays: 40,
        });
      }),
    ).toThrow(/'name'[\s\S]*'subnetIds'[\s\S]*'backupRetentionDays'/);
  });
});

const DOCDB_STACK = 'agent-docdb-fixture-eu-infra';

describePlanFixture(
  {
    fixture: 'the DocumentDB fixture',
    title: 'a real terraform plan of a DocumentDB cluster, offline',
    stack: DOCDB_STACK,
    build: (app: App) => {
      const stack = new TerraformStack(app, DOCDB_STACK);
      applyBackend(stack, DOCDB_STACK, undefined, { offline: true });
      awsProvider(stack, { region: REGION, accountId: ACCOUNT_ID, offline: true });
      const { network } = addSite(stack);
      // The mirror holds only the AWS provider: a sensitive variable stands in
      // for the ephemeral random password in write-only arguments.
      const password = new TerraformVariable(stack, 'docdb_password', {
        type: 'string',
        sensitive: true,
      });
      new DocumentDbCluster(stack, 'docdb', {
        ...PROPS,
        name: 'fixture-eu',
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        masterPassword: password.stringValue,
      });
      return stack;
    },
    env: { ...process.env, TF_VAR_docdb_password: 'placeholder-password-0123456789' },
    expected: {
      ...NETWORK_ADDS,
      aws_cloudwatch_log_group: 1,
      aws_iam_role: 1,
      aws_iam_role_policy_attachment: 1,
      aws_eks_cluster: 1,
      aws_iam_openid_connect_provider: 1,
      aws_eks_access_entry: 1,
      aws_eks_access_policy_association: 1,
      aws_kms_key: 1 + 1,
      aws_kms_alias: 1 + 1,
      aws_secretsmanager_secret: 1,
      aws_secretsmanager_secret_version: 1,
      aws_docdb_subnet_group: 1,
      aws_docdb_cluster_parameter_group: 1,
      aws_security_group: 1,
      aws_vpc_security_group_ingress_rule: 1,
      aws_docdb_cluster: 1,
      aws_docdb_cluster_instance: 3,
    },
  },
  {
    planned: (results) => {
      it('keeps the values the provider accepted, and no password', () => {
        const result = results.plan();
        const [cluster] = plannedValues(result, 'aws_docdb_cluster');
        expect(cluster).toMatchObject({
          storage_encrypted: true,
          deletion_protection: true,
          backup_retention_period: 7,
        });
        expect(cluster.master_password_wo ?? null).toBeNull();
      });
    },
  },
);

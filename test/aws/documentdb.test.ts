import { App, TerraformStack, Testing } from 'cdktf';
import { awsProvider, DocumentDbCluster } from '../../constructs/aws';
import { applyBackend } from '../../constructs/terraform/backend';
import {
  AgentSpec,
  AwsSiteSpec,
  clusterSiteOf,
  documentDbClusterName,
  planSite,
} from '../../model';
import { AwsInfraStack } from '../../stacks/aws-infra-stack';
import { consumer } from '../support/fixtures';
import { describePlanFixture, plannedValues } from '../support/offline-plan';
import { resourcesById, resourcesOf, synthesized } from '../support/synthesized';
import { ACCOUNT_ID, addSite, AWS_SITE, NETWORK_ADDS, REGION, synthAws, ZONES } from './support';

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

  it('leaves the master password to DocumentDB, which keeps it in Secrets Manager', () => {
    const [cluster] = resourcesOf(json, 'aws_docdb_cluster');
    expect(cluster.manage_master_user_password).toBe(true);
    expect(cluster.master_password).toBeUndefined();
    expect(cluster.master_password_wo).toBeUndefined();
    expect(resourcesOf(json, 'aws_secretsmanager_secret')).toEqual([]);
    expect(JSON.stringify(json)).not.toMatch(/"master_password/);
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
      new DocumentDbCluster(stack, 'docdb', {
        ...PROPS,
        name: 'fixture-eu',
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
      });
      return stack;
    },
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
          manage_master_user_password: true,
        });
        expect(cluster.master_password ?? null).toBeNull();
      });
    },
  },
);

describe('document state on an AWS site', () => {
  const documentAgent = (name: string, queue: { broker: string; queue: string }) =>
    consumer({
      name,
      queue,
      state: {
        model: 'document',
        collections: [
          {
            name: 'orders',
            indexes: [{ keys: [{ field: 'number', order: 'asc' }], unique: true }],
          },
        ],
      },
      scaling: { minReplicas: 1, maxReplicas: 2, queueDepth: { perReplica: 10 } },
    });
  const build = (agents: AgentSpec[], site: AwsSiteSpec = AWS_SITE) =>
    new AwsInfraStack(Testing.app(), 'test-eu-infra', {
      site,
      plan: planSite({
        environment: 'test',
        site: clusterSiteOf(site),
        brokers: [
          { name: 'queues', kind: 'sqs', site: 'eu' },
          { name: 'rabbit', kind: 'rabbitmq', inCluster: { site: 'eu' } },
        ],
        agents,
      }),
    });
  const stack = build([
    documentAgent('orders', { broker: 'queues', queue: 'orders' }),
    documentAgent('order-events', { broker: 'rabbit', queue: 'order_events' }),
  ]);
  const json = synthesized(stack);

  it('builds one cluster for the site, named by it, with an instance in each zone', () => {
    expect(resourcesOf(json, 'aws_docdb_cluster')).toEqual([
      expect.objectContaining({ cluster_identifier: documentDbClusterName('test', 'eu') }),
    ]);
    const zones = resourcesOf(json, 'aws_docdb_cluster_instance').map((i) => i.availability_zone);
    expect(zones.sort()).toEqual([...ZONES].sort());
  });

  it('tells each agent its database, host and region, and opens 27017 to the VPC', () => {
    const orders = stack.bindings.agents.orders;
    expect(orders.store).toEqual({
      kind: 'documentdb',
      host: expect.any(String),
      port: 27017,
      database: 'orders',
      region: REGION,
      auth: 'mongodb-aws',
    });
    expect(orders.privateEgress).toEqual([{ cidr: AWS_SITE.network.cidr, ports: [27017] }]);
  });

  it('gives an agent with nothing else to be granted a role of its own, without a policy, to sign in as', () => {
    const events = stack.bindings.agents['order-events'];
    expect(Object.keys(events.identity?.serviceAccountAnnotations ?? {})).toEqual([
      'eks.amazonaws.com/role-arn',
    ]);
    const roles = Object.entries(resourcesById(json, 'aws_iam_role')).filter(([, role]) =>
      String(role.name_prefix).includes('-order-events-'),
    );
    expect(roles).toHaveLength(1);
    const [[id]] = roles;
    const policies = resourcesOf(json, 'aws_iam_role_policy').map((p) => String(p.role));
    expect(policies.filter((role) => role.includes(`aws_iam_role.${id}.`))).toEqual([]);
    expect(policies.some((role) => role.includes('aws_iam_role.'))).toBe(true);
  });

  it('hands the platform the users to create, and an identity that may read only the master secret', () => {
    const set = stack.bindings.documentDbUsers!;
    expect(set.users.map((user) => [user.agent, user.database])).toEqual([
      ['order-events', 'order-events'],
      ['orders', 'orders'],
    ]);
    expect(set.users[1].iamRoleArn).toBe(
      stack.bindings.agents.orders.identity?.serviceAccountAnnotations?.[
        'eks.amazonaws.com/role-arn'
      ],
    );
    expect(set).toMatchObject({ port: 27017, region: REGION });
    const policies = resourcesOf(json, 'aws_iam_role_policy').map((p) => JSON.parse(p.policy));
    const readers = policies.filter((policy) =>
      JSON.stringify(policy).includes('secretsmanager:GetSecretValue'),
    );
    expect(readers).toHaveLength(1);
    expect(readers[0].Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [
          expect.stringMatching(/aws_docdb_cluster\.\w+\.master_user_secret\[0\]\.secret_arn/),
        ],
      },
    ]);
  });

  it('takes the instances, class and recovery window the site sets', () => {
    const site: AwsSiteSpec = {
      ...AWS_SITE,
      stateEngines: {
        document: {
          kind: 'documentdb',
          instanceClass: 'db.r6g.xlarge',
          instances: 2,
          reason: 'a staging copy',
          backupRetentionDays: 14,
        },
      },
    };
    const custom = synthesized(
      build([documentAgent('orders', { broker: 'queues', queue: 'orders' })], site),
    );
    const instances = resourcesOf(custom, 'aws_docdb_cluster_instance');
    expect(instances.map((i) => i.instance_class)).toEqual(['db.r6g.xlarge', 'db.r6g.xlarge']);
    expect(resourcesOf(custom, 'aws_docdb_cluster')[0].backup_retention_period).toBe(14);
  });

  it('builds nothing for a site without document state', () => {
    expect(resourcesOf(synthesized(build([])), 'aws_docdb_cluster')).toHaveLength(0);
  });
});

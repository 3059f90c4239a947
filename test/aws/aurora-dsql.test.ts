import { Testing } from 'cdktf';
import { AuroraDsqlCluster, PendingGrants } from '../../constructs/aws';
import { AgentSpec, clusterSiteOf, planSite } from '../../model';
import { AwsInfraStack } from '../../stacks/aws-infra-stack';
import { consumer } from '../support/fixtures';
import { resourcesOf, synthesized } from '../support/synthesized';
import { ACCOUNT_ID, AWS_SITE, REGION, synthAws } from './support';

const PROPS = {
  name: 'test-eu',
  accountId: ACCOUNT_ID,
  region: REGION,
  vpcId: 'vpc-1',
  subnetIds: ['subnet-a', 'subnet-b'],
  clientCidrs: ['10.40.0.0/16'],
};

describe('AuroraDsqlCluster', () => {
  const json = synthAws((stack) => {
    new AuroraDsqlCluster(stack, 'Dsql', PROPS);
  });

  it('protects the cluster and encrypts it with a key of its own', () => {
    const [cluster] = resourcesOf(json, 'aws_dsql_cluster');
    expect(cluster).toMatchObject({
      deletion_protection_enabled: true,
      kms_encryption_key: expect.stringMatching(/^\$\{aws_kms_key\.\w+\.arn\}$/),
      tags: { Name: 'test-eu' },
      lifecycle: { prevent_destroy: true },
    });
    expect(resourcesOf(json, 'aws_kms_alias')[0].name).toBe('alias/dsql/test-eu');
  });

  it('reaches the cluster through its own PrivateLink service, on 5432 from the VPC only', () => {
    expect(resourcesOf(json, 'aws_vpc_endpoint')).toEqual([
      expect.objectContaining({
        service_name: expect.stringMatching(/aws_dsql_cluster\.\w+\.vpc_endpoint_service_name/),
        vpc_endpoint_type: 'Interface',
        subnet_ids: ['subnet-a', 'subnet-b'],
        private_dns_enabled: true,
      }),
    ]);
    expect(resourcesOf(json, 'aws_vpc_security_group_ingress_rule')).toEqual([
      expect.objectContaining({ from_port: 5432, to_port: 5432, cidr_ipv4: '10.40.0.0/16' }),
    ]);
  });

  it('grants connect and admin connect on this cluster only', () => {
    const agent = new PendingGrants();
    const admin = new PendingGrants();
    synthAws((stack) => {
      const dsql = new AuroraDsqlCluster(stack, 'Dsql', PROPS);
      dsql.grantConnect(agent);
      dsql.grantConnectAdmin(admin);
    });
    expect(agent.statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['dsql:DbConnect'],
        Resource: [expect.stringMatching(/TOKEN/)],
      },
    ]);
    expect(admin.statements.map((s) => s.Action)).toEqual([['dsql:DbConnectAdmin']]);
  });
});

describe('SQL state on an AWS site', () => {
  const SITE = AWS_SITE;
  const sqlAgent = (name: string, schema?: string) =>
    consumer({
      name,
      queue: { broker: 'queues', queue: name },
      state: { model: 'sql', ...(schema ? { schema } : {}) },
      scaling: { minReplicas: 1, maxReplicas: 2, queueDepth: { perReplica: 10 } },
    });
  const build = (agents: AgentSpec[]) =>
    new AwsInfraStack(Testing.app(), 'test-eu-infra', {
      site: SITE,
      plan: planSite({
        environment: 'test',
        site: clusterSiteOf(SITE),
        brokers: [{ name: 'queues', kind: 'sqs', site: 'eu' }],
        agents,
      }),
    });

  const stack = build([sqlAgent('ledger-writer'), sqlAgent('billing', 'invoices')]);
  const json = synthesized(stack);

  it('builds one cluster for the site, with one endpoint', () => {
    expect(resourcesOf(json, 'aws_dsql_cluster')).toHaveLength(1);
    expect(resourcesOf(json, 'aws_vpc_endpoint')).toHaveLength(1);
  });

  it('tells each agent its role and schema, and opens 5432 to the VPC', () => {
    const ledger = stack.bindings.agents['ledger-writer'];
    expect(ledger.store).toMatchObject({
      kind: 'aurora-dsql',
      port: 5432,
      database: 'postgres',
      user: 'ledger_writer',
      schema: 'ledger_writer',
      region: REGION,
      auth: 'aws-iam-token',
    });
    expect(stack.bindings.agents.billing.store).toMatchObject({
      user: 'billing',
      schema: 'invoices',
    });
    expect(ledger.privateEgress).toEqual([{ cidr: '10.40.0.0/16', ports: [5432] }]);
  });

  it('hands the platform the roles to create and the admin identity of the Job', () => {
    const set = stack.bindings.dsqlRoles!;
    expect(set.roles.map(({ agent, role, schema }) => [agent, role, schema])).toEqual([
      ['billing', 'billing', 'invoices'],
      ['ledger-writer', 'ledger_writer', 'ledger_writer'],
    ]);
    expect(Object.keys(set.serviceAccountAnnotations)).toEqual(['eks.amazonaws.com/role-arn']);
    const policies = resourcesOf(json, 'aws_iam_role_policy').map((p) => String(p.policy));
    expect(policies.filter((p) => p.includes('dsql:DbConnectAdmin'))).toHaveLength(1);
    expect(policies.filter((p) => p.includes('"dsql:DbConnect"'))).toHaveLength(2);
  });

  it('refuses two agents that claim one schema', () => {
    expect(() => build([sqlAgent('a', 'shared'), sqlAgent('b', 'shared')])).toThrow(
      /schema 'shared' is already owned by agent 'a'/,
    );
  });
});

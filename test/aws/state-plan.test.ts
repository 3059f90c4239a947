import { App, TerraformStack } from 'cdktf';
import { awsProvider } from '../../constructs/aws';
import { AgentRole } from '../../constructs/aws/agent-role';
import { AuroraDsqlCluster } from '../../constructs/aws/aurora-dsql';
import { AgentKeyspace, KeyspacesEndpoint } from '../../constructs/aws/keyspaces';
import { applyBackend } from '../../constructs/terraform/backend';
import { describePlanFixture, plannedValues } from '../support/offline-plan';
import { ACCOUNT_ID, addSite, granted, READINGS_TABLES, REGION, SITE_ADDS } from './support';

const STATE_STACK = 'agent-state-fixture-eu-infra';

/**
 * The fixture: an EKS site (for its network and OIDC provider), the Keyspaces
 * interface endpoint in its private subnets, a keyspace of two tables (one
 * with a clustering key and a default time to live) and the role of the agent
 * that keeps its rows there; an Aurora DSQL cluster with its own endpoint,
 * the role of an agent that connects to it and the role that administers it.
 */
function addStateFixtureStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, STATE_STACK);
  applyBackend(stack, STATE_STACK, undefined, { offline: true });
  awsProvider(stack, { region: REGION, accountId: ACCOUNT_ID, offline: true });
  const { cluster, network } = addSite(stack);
  const endpoint = new KeyspacesEndpoint(stack, 'keyspaces-endpoint', {
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    region: REGION,
    clientCidrs: ['10.40.0.0/16'],
  });
  const keyspace = new AgentKeyspace(stack, 'readings', {
    name: 'fixture_eu_sensor_history',
    accountId: ACCOUNT_ID,
    region: REGION,
    tables: READINGS_TABLES,
  });
  new AgentRole(stack, 'sensor-history', {
    oidcProviderArn: cluster.oidcProviderArn,
    oidcIssuer: cluster.oidcIssuer,
    namespace: 'agents',
    serviceAccount: 'sensor-history',
    statements: granted((grantee) => keyspace.grantReadWriteData(grantee, endpoint.endpointId)),
  });
  const dsql = new AuroraDsqlCluster(stack, 'dsql', {
    name: 'fixture-eu',
    accountId: ACCOUNT_ID,
    region: REGION,
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    clientCidrs: ['10.40.0.0/16'],
  });
  new AgentRole(stack, 'ledger', {
    oidcProviderArn: cluster.oidcProviderArn,
    oidcIssuer: cluster.oidcIssuer,
    namespace: 'agents',
    serviceAccount: 'ledger',
    statements: granted((grantee) => dsql.grantConnect(grantee)),
  });
  new AgentRole(stack, 'dsql-roles', {
    oidcProviderArn: cluster.oidcProviderArn,
    oidcIssuer: cluster.oidcIssuer,
    namespace: 'dsql-roles',
    serviceAccount: 'dsql-roles',
    statements: granted((grantee) => dsql.grantConnectAdmin(grantee)),
  });
  return stack;
}

/**
 * What the plan adds, by type: the site; the endpoint with its security group
 * and one ingress rule; the keyspace, its two tables, its key and alias; the
 * agent's role with its inline policy; the DSQL cluster with its key, alias,
 * endpoint, security group and ingress rule, and two roles.
 */
const EXPECTED_ADDS: Readonly<Record<string, number>> = {
  ...SITE_ADDS,
  aws_kms_key: 1 + 1 + 1,
  aws_kms_alias: 1 + 1 + 1,
  aws_iam_role: 1 + 1 + 2,
  aws_iam_role_policy: 1 + 2,
  aws_security_group: 1 + 1,
  aws_vpc_security_group_ingress_rule: 1 + 1,
  aws_vpc_endpoint: 1 + 1,
  aws_dsql_cluster: 1,
  aws_keyspaces_keyspace: 1,
  aws_keyspaces_table: 2,
};

describePlanFixture(
  {
    fixture: 'the agent state fixture',
    title: 'a real terraform plan of a keyspace, its endpoint and role, offline',
    stack: STATE_STACK,
    build: addStateFixtureStack,
    expected: EXPECTED_ADDS,
  },
  {
    planned: (results) => {
      it('keeps the values the provider accepted: schema, PITR, CMK, TTL, private DNS', () => {
        const result = results.plan();
        const after = (type: string) => plannedValues(result, type);
        const tables = Object.fromEntries(
          after('aws_keyspaces_table').map((table) => [table.table_name, table]),
        );
        expect(tables.readings_by_sensor).toMatchObject({
          keyspace_name: 'fixture_eu_sensor_history',
          default_time_to_live: 2_592_000,
          ttl: [{ status: 'ENABLED' }],
          point_in_time_recovery: [{ status: 'ENABLED' }],
          capacity_specification: [{ throughput_mode: 'PAY_PER_REQUEST' }],
          encryption_specification: [{ type: 'CUSTOMER_MANAGED_KMS_KEY' }],
          schema_definition: [
            expect.objectContaining({ clustering_key: [{ name: 'at', order_by: 'DESC' }] }),
          ],
        });
        expect(tables.sensors.ttl).toEqual([]);
        const endpoints = after('aws_vpc_endpoint');
        expect(endpoints).toContainEqual(
          expect.objectContaining({
            service_name: `com.amazonaws.${REGION}.cassandra`,
            vpc_endpoint_type: 'Interface',
            private_dns_enabled: true,
          }),
        );
        expect(endpoints.map((endpoint) => endpoint.private_dns_enabled)).toEqual([true, true]);
        const ports = after('aws_vpc_security_group_ingress_rule').map((rule) => rule.from_port);
        expect(ports.sort()).toEqual([5432, 9142]);
        const [dsql] = after('aws_dsql_cluster');
        expect(dsql).toMatchObject({ deletion_protection_enabled: true });
      });
    },
  },
);

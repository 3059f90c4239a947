import { App, TerraformStack } from 'cdktf';
import { awsProvider } from '../../constructs/aws';
import { AgentRole } from '../../constructs/aws/agent-role';
import { AgentKeyspace, KeyspacesEndpoint } from '../../constructs/aws/keyspaces';
import { applyBackend } from '../../constructs/terraform/backend';
import { Duration } from '../../model';
import { describePlanFixture, plannedValues } from '../support/offline-plan';
import { ACCOUNT_ID, addSite, granted, NETWORK_ADDS, REGION } from './support';

const STATE_STACK = 'agent-state-fixture-eu-infra';

/**
 * The fixture: an EKS site (for its network and OIDC provider), the Keyspaces
 * interface endpoint in its private subnets, a keyspace of two tables (one
 * with a clustering key and a default time to live) and the role of the agent
 * that keeps its rows there.
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
    tables: [
      {
        name: 'readings_by_sensor',
        columns: [
          { name: 'sensor_id', type: 'text' },
          { name: 'day', type: 'date' },
          { name: 'at', type: 'timestamp' },
          { name: 'value', type: 'double' },
        ],
        partitionKey: ['sensor_id', 'day'],
        clusteringKey: [{ column: 'at', order: 'desc' }],
        defaultTtl: Duration.days(30),
      },
      {
        name: 'sensors',
        columns: [
          { name: 'sensor_id', type: 'text' },
          { name: 'model', type: 'text' },
        ],
        partitionKey: ['sensor_id'],
      },
    ],
  });
  new AgentRole(stack, 'sensor-history', {
    oidcProviderArn: cluster.oidcProviderArn,
    oidcIssuer: cluster.oidcIssuer,
    namespace: 'agents',
    serviceAccount: 'sensor-history',
    statements: granted((grantee) => keyspace.grantReadWriteData(grantee, endpoint.endpointId)),
  });
  return stack;
}

/** The site: network over three zones, cluster with one admin (see eks-plan.test.ts). */
const SITE_ADDS: Readonly<Record<string, number>> = {
  ...NETWORK_ADDS,
  aws_cloudwatch_log_group: 1,
  aws_iam_role_policy_attachment: 1,
  aws_eks_cluster: 1,
  aws_iam_openid_connect_provider: 1,
  aws_eks_access_entry: 1,
  aws_eks_access_policy_association: 1,
};

/**
 * What the plan adds, by type: the site; the endpoint with its security group
 * and one ingress rule; the keyspace, its two tables, its key and alias; the
 * agent's role with its inline policy.
 */
const EXPECTED_ADDS: Readonly<Record<string, number>> = {
  ...SITE_ADDS,
  aws_kms_key: 1 + 1,
  aws_kms_alias: 1 + 1,
  aws_iam_role: 1 + 1,
  aws_iam_role_policy: 1,
  aws_security_group: 1,
  aws_vpc_security_group_ingress_rule: 1,
  aws_vpc_endpoint: 1,
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
        const [endpoint] = after('aws_vpc_endpoint');
        expect(endpoint).toMatchObject({
          service_name: `com.amazonaws.${REGION}.cassandra`,
          vpc_endpoint_type: 'Interface',
          private_dns_enabled: true,
        });
        const [rule] = after('aws_vpc_security_group_ingress_rule');
        expect(rule).toMatchObject({ from_port: 9142, to_port: 9142, ip_protocol: 'tcp' });
      });
    },
  },
);

import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { App, TerraformStack } from 'cdktf';
import { AmazonMqBroker } from '../../constructs/aws/amazon-mq-broker';
import { MskCluster } from '../../constructs/aws/msk-cluster';
import { PrivateNetwork } from '../../constructs/aws/network';
import { awsProvider } from '../../constructs/aws/provider';
import { applyBackend } from '../../constructs/terraform/backend';
import { describePlanFixture, plannedValues } from '../support/offline-plan';
import { ACCOUNT_ID, CLUSTER, REGION, ZONES, NETWORK_ADDS } from './support';

const STACK = 'broker-fixture-eu-infra';
const PASSWORD_VARIABLE = 'mq_fleet_eu_rabbit_admin_password';
/**
 * What the plan of the fixture adds, by type: the network over three zones, an
 * MSK cluster (key, alias, log group, configuration, security group with one
 * CIDR and one security-group rule) and a production broker (key, alias,
 * security group with one CIDR rule).
 */
const EXPECTED_ADDS: Readonly<Record<string, number>> = {
  ...NETWORK_ADDS,
  aws_kms_key: 2,
  aws_kms_alias: 2,
  aws_cloudwatch_log_group: 1,
  aws_security_group: 3,
  aws_vpc_security_group_ingress_rule: 2 + 1,
  aws_msk_configuration: 1,
  aws_msk_cluster: 1,
  aws_mq_broker: 1,
};

function addBrokerFixtureStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, STACK);
  applyBackend(stack, STACK, undefined, { offline: true });
  awsProvider(stack, { region: REGION, accountId: ACCOUNT_ID, offline: true });
  const network = new PrivateNetwork(stack, 'network', {
    cidr: '10.40.0.0/16',
    availabilityZones: ZONES,
    clusterName: CLUSTER,
  });
  // Stands in for the agents' security group (the EKS cluster's, on a site).
  const agents = new SecurityGroup(stack, 'agents', {
    name: 'agents',
    description: 'Agents',
    vpcId: network.vpcId,
  });
  new MskCluster(stack, 'kafka', {
    name: 'fleet-eu-kafka',
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    kafkaVersion: '3.8.x',
    clientCidrs: ['10.40.0.0/16'],
    clientSecurityGroupIds: [agents.id],
    accountId: ACCOUNT_ID,
    region: REGION,
  });
  new AmazonMqBroker(stack, 'rabbit', {
    name: 'fleet-eu-rabbit',
    production: true,
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds,
    engineVersion: '3.13',
    clientCidrs: ['10.40.0.0/16'],
    accountId: ACCOUNT_ID,
    region: REGION,
  });
  return stack;
}

// Only in the Terraform process's environment, never in cdk.tf.json.
const PASSWORD = `offline-plan-${process.pid}-placeholder`;

describePlanFixture(
  {
    fixture: 'the broker fixture',
    title: 'a real terraform plan of MSK and Amazon MQ, offline',
    stack: STACK,
    build: addBrokerFixtureStack,
    expected: EXPECTED_ADDS,
    env: { ...process.env, [`TF_VAR_${PASSWORD_VARIABLE}`]: PASSWORD },
  },
  {
    declared: (results) => {
      it('declares the administrator password as a sensitive variable without a default', () => {
        const config = results.config();
        expect(config.variable[PASSWORD_VARIABLE]).toMatchObject({ sensitive: true });
        expect(config.variable[PASSWORD_VARIABLE]).not.toHaveProperty('default');
      });
    },
    planned: (results) => {
      it('never wrote the password into the synthesized configuration', () => {
        expect(results.text()).not.toContain(PASSWORD);
      });

      it('keeps the values the provider accepted: encryption, auth, privacy, deployment mode', () => {
        const after = (type: string) => plannedValues(results.plan(), type);
        const [msk] = after('aws_msk_cluster');
        expect(msk.encryption_info[0].encryption_in_transit).toEqual([
          { client_broker: 'TLS', in_cluster: true },
        ]);
        expect(msk.client_authentication[0]).toMatchObject({
          sasl: [{ iam: true, scram: false }],
          unauthenticated: false,
        });
        expect(msk.broker_node_group_info[0].connectivity_info[0].public_access).toEqual([
          { type: 'DISABLED' },
        ]);
        expect(msk.number_of_broker_nodes).toBe(3);
        const [mq] = after('aws_mq_broker');
        expect(mq).toMatchObject({
          engine_type: 'RabbitMQ',
          deployment_mode: 'CLUSTER_MULTI_AZ',
          publicly_accessible: false,
        });
        expect(mq.encryption_options).toEqual([
          expect.objectContaining({ use_aws_owned_key: false }),
        ]);
      });
    },
  },
);

import { App, TerraformStack } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { applyBackend } from '../../constructs/backend';
import { AmazonMqBroker } from '../../constructs/aws/amazon-mq-broker';
import { MskCluster } from '../../constructs/aws/msk-cluster';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { PrivateNetwork } from '../../constructs/aws/network';
import { awsProvider } from '../../constructs/aws/provider';
import { findProviderMirror } from '../../scripts/terraform/cli-config';
import { planStacks, StackPlan, terraformVersion } from '../../scripts/terraform/offline-plan';
import { tempDir } from '../support/temp-dir';
import { ACCOUNT_ID, CLUSTER, REGION, ZONES } from './support';

const STACK = 'broker-fixture-eu-infra';
const PASSWORD_VARIABLE = 'mq_fleet_eu_rabbit_admin_password';
const zones = ZONES.length;

/**
 * What the plan of the fixture adds, by type: the network over three zones, an
 * MSK cluster (key, alias, log group, configuration, security group with one
 * CIDR and one security-group rule) and a production broker (key, alias,
 * security group with one CIDR rule).
 */
const EXPECTED_ADDS: Readonly<Record<string, number>> = {
  aws_vpc: 1,
  aws_default_security_group: 1,
  aws_internet_gateway: 1,
  aws_subnet: 2 * zones,
  aws_eip: zones,
  aws_nat_gateway: zones,
  aws_route_table: 1 + zones,
  aws_route: 1 + zones,
  aws_route_table_association: 2 * zones,
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

/**
 * Terraform and the AWS provider mirror. Outside CI their absence skips the
 * plan, saying so; under `CI=true` it fails.
 */
function planSetup(): { mirror: string } | undefined {
  let mirror: string | undefined;
  let reason: string | undefined;
  try {
    mirror = findProviderMirror();
    if (!mirror) reason = 'no AWS provider mirror: set TF_PROVIDER_MIRROR';
  } catch (error) {
    reason = (error as Error).message;
  }
  if (!terraformVersion()) reason = 'terraform is not on the PATH';
  if (!reason && mirror) return { mirror };
  if (process.env.CI === 'true') throw new Error(`The offline broker plan cannot run: ${reason}`);
  console.warn(`Skipping the offline terraform plan of the broker fixture. ${reason}`);
  return undefined;
}

function synthFixture(dir: string): string {
  const outdir = path.join(dir, 'cdktf.out');
  const app = new App({ outdir });
  addBrokerFixtureStack(app);
  app.synth();
  return outdir;
}

function readConfig(outdir: string): { text: string; config: Record<string, any> } {
  const text = fs.readFileSync(path.join(outdir, 'stacks', STACK, 'cdk.tf.json'), 'utf8');
  return { text, config: JSON.parse(text) };
}

describe('the broker fixture', () => {
  it('declares exactly the resources the plan is expected to add, and no password', () => {
    const { config } = readConfig(synthFixture(tempDir('fleet-broker-synth')));
    const declared = Object.fromEntries(
      Object.entries(config.resource).map(([type, byName]) => [
        type,
        Object.keys(byName as object).length,
      ]),
    );
    expect(declared).toEqual(EXPECTED_ADDS);
    expect(config.data).toBeUndefined();
    expect(config.variable[PASSWORD_VARIABLE]).toMatchObject({ sensitive: true });
    expect(config.variable[PASSWORD_VARIABLE]).not.toHaveProperty('default');
  });
});

const setup = planSetup();
const describeWithTerraform = setup ? describe : describe.skip;

describeWithTerraform('a real terraform plan of MSK and Amazon MQ, offline', () => {
  // Only in the Terraform process's environment, never in cdk.tf.json.
  const password = `offline-plan-${process.pid}-placeholder`;
  const dir = tempDir('fleet-broker-plan');
  let result: StackPlan;
  let synthesized: string;

  beforeAll(async () => {
    const outdir = synthFixture(dir);
    synthesized = readConfig(outdir).text;
    [result] = await planStacks({
      outdir,
      mirror: setup!.mirror,
      workDir: dir,
      env: { ...process.env, [`TF_VAR_${PASSWORD_VARIABLE}`]: password },
    });
    console.log(
      `offline plan of ${STACK}: ${result.seconds.toFixed(1)} s ` +
        `(init ${result.phases.init?.toFixed(1)} s, plan ${result.phases.plan?.toFixed(1)} s, ` +
        `show ${result.phases.show?.toFixed(1)} s), ${result.counts.add} to add`,
    );
  }, 180_000);

  it('plans without errors or warnings, only additions', () => {
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.ok).toBe(true);
    const total = Object.values(EXPECTED_ADDS).reduce((sum, count) => sum + count, 0);
    expect(result.counts).toEqual({ add: total, change: 0, destroy: 0 });
  });

  it('adds exactly the expected resources, by type', () => {
    expect(result.byType).toEqual(
      Object.fromEntries(
        Object.entries(EXPECTED_ADDS).map(([type, add]) => [type, { add, change: 0, destroy: 0 }]),
      ),
    );
  });

  it('never wrote the password into the synthesized configuration', () => {
    expect(synthesized).not.toContain(password);
  });

  it('keeps the values the provider accepted: encryption, auth, privacy, deployment mode', () => {
    const after = (type: string) =>
      (result.plan?.resource_changes ?? [])
        .filter((change) => change.type === type)
        .map((change) => change.change.after as Record<string, any>);
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
    expect(mq.encryption_options).toEqual([expect.objectContaining({ use_aws_owned_key: false })]);
  });
});

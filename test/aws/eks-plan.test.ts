import { App } from 'cdktf';
import * as fs from 'fs';
import * as path from 'path';
import { findProviderMirror } from '../../scripts/terraform/cli-config';
import { planStacks, StackPlan, terraformVersion } from '../../scripts/terraform/offline-plan';
import { tempDir } from '../support/temp-dir';
import { addEksFixtureStack, PLAN_STACK, ZONES } from './support';

const zones = ZONES.length;

/**
 * What the plan of the fixture adds, by type: the network over three zones, the
 * cluster with one admin, and two pools (general: 2 labels, so 4 ASG tags; gpu:
 * 2 labels, 2 taints and the GPU count, so 7).
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
  aws_kms_key: 1,
  aws_kms_alias: 1,
  aws_cloudwatch_log_group: 1,
  aws_iam_role: 1 + 2,
  aws_iam_role_policy_attachment: 1 + 2 * 3,
  aws_eks_cluster: 1,
  aws_iam_openid_connect_provider: 1,
  aws_eks_access_entry: 1,
  aws_eks_access_policy_association: 1,
  aws_launch_template: 2,
  aws_eks_node_group: 2,
  aws_autoscaling_group_tag: 4 + 7,
};

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
  if (process.env.CI === 'true') throw new Error(`The offline EKS plan cannot run: ${reason}`);
  console.warn(`Skipping the offline terraform plan of the EKS fixture. ${reason}`);
  return undefined;
}

function synthFixture(dir: string): string {
  const outdir = path.join(dir, 'cdktf.out');
  const app = new App({ outdir });
  addEksFixtureStack(app);
  app.synth();
  return outdir;
}

describe('the EKS fixture', () => {
  it('declares exactly the resources the plan is expected to add', () => {
    const outdir = synthFixture(tempDir('fleet-eks-synth'));
    const config = JSON.parse(
      fs.readFileSync(path.join(outdir, 'stacks', PLAN_STACK, 'cdk.tf.json'), 'utf8'),
    );
    const declared = Object.fromEntries(
      Object.entries(config.resource).map(([type, byName]) => [
        type,
        Object.keys(byName as object).length,
      ]),
    );
    expect(declared).toEqual(EXPECTED_ADDS);
    expect(config.data).toBeUndefined();
  });
});

const setup = planSetup();
const describeWithTerraform = setup ? describe : describe.skip;

describeWithTerraform('a real terraform plan of an EKS site, offline', () => {
  const dir = tempDir('fleet-eks-plan');
  let result: StackPlan;

  beforeAll(async () => {
    const outdir = synthFixture(dir);
    [result] = await planStacks({ outdir, mirror: setup!.mirror, workDir: dir });
    console.log(
      `offline plan of ${PLAN_STACK}: ${result.seconds.toFixed(1)} s ` +
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

  it('keeps the values the provider accepted: AMI types, endpoint, IMDSv2', () => {
    const after = (type: string) =>
      (result.plan?.resource_changes ?? [])
        .filter((change) => change.type === type)
        .map((change) => change.change.after as Record<string, any>);
    expect(after('aws_eks_node_group').map((group) => group.ami_type)).toEqual([
      'AL2023_x86_64_STANDARD',
      'AL2023_x86_64_NVIDIA',
    ]);
    expect(after('aws_eks_cluster')[0].vpc_config[0]).toMatchObject({
      endpoint_private_access: true,
      endpoint_public_access: false,
    });
    for (const template of after('aws_launch_template')) {
      expect(template.metadata_options[0]).toMatchObject({
        http_tokens: 'required',
        http_put_response_hop_limit: 1,
      });
    }
  });
});

import { StackPlan } from '../../scripts/terraform/offline-plan';
import {
  declaredCounts,
  expectOnlyAdditions,
  offlinePlanMirror,
  planFixture,
  plannedValues,
  stackConfig,
  synthFixture,
} from '../support/offline-plan';
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

describe('the EKS fixture', () => {
  it('declares exactly the resources the plan is expected to add', () => {
    const config = stackConfig(
      synthFixture(tempDir('fleet-eks-synth'), addEksFixtureStack),
      PLAN_STACK,
    );
    expect(declaredCounts(config)).toEqual(EXPECTED_ADDS);
    expect(config.data).toBeUndefined();
  });
});

const mirror = offlinePlanMirror('the EKS fixture');

(mirror ? describe : describe.skip)('a real terraform plan of an EKS site, offline', () => {
  const dir = tempDir('fleet-eks-plan');
  let result: StackPlan;

  beforeAll(async () => {
    const outdir = synthFixture(dir, addEksFixtureStack);
    result = await planFixture(outdir, { mirror: mirror!, workDir: dir });
  }, 180_000);

  it('plans without errors or warnings, adding exactly the expected resources', () => {
    expectOnlyAdditions(result, EXPECTED_ADDS);
  });

  it('keeps the values the provider accepted: AMI types, endpoint, IMDSv2', () => {
    const after = (type: string) => plannedValues(result, type);
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

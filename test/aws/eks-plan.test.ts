import { describePlanFixture, plannedValues } from '../support/offline-plan';
import { addEksFixtureStack, PLAN_STACK, NETWORK_ADDS } from './support';

/**
 * What the plan of the fixture adds, by type: the network over three zones, the
 * cluster with one admin, and two pools (general: 2 labels, so 4 ASG tags; gpu:
 * 2 labels, 2 taints and the GPU count, so 7).
 */
const EXPECTED_ADDS: Readonly<Record<string, number>> = {
  ...NETWORK_ADDS,
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

describePlanFixture(
  {
    fixture: 'the EKS fixture',
    title: 'a real terraform plan of an EKS site, offline',
    stack: PLAN_STACK,
    build: addEksFixtureStack,
    expected: EXPECTED_ADDS,
  },
  {
    planned: (results) => {
      it('keeps the values the provider accepted: AMI types, endpoint, IMDSv2', () => {
        const result = results.plan();
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
    },
  },
);

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block, blocks, referrersOf } from '../support/terraform';

/**
 * GR-AS-08: EC2 Auto Scaling groups of agents launch from a launch template
 * (not a deprecated launch configuration), state a health-check grace period,
 * and have a lifecycle hook (inline `initial_lifecycle_hook` or an
 * `aws_autoscaling_lifecycle_hook` in scope) so scale-in drains an instance
 * before terminating it. ELB health checks (CKV2_AWS_15) are not required:
 * queue consumers sit behind no load balancer.
 * @see Checkov CKV_AWS_315, CKV2_AWS_15, cdk-nag AwsSolutions-AS1, AS2, AS3
 */
export const autoscalingGroup: GuardrailRule = {
  id: 'GR-AS-08',
  level: 'error',
  summary:
    'Auto Scaling groups use a launch template, a health-check grace period and a lifecycle hook',
  fix: 'no environment-file field: the fleet gives the Auto Scaling group of an agent on `agents.<agent>.placement.scalingGroup` a launch template, a health-check grace period and a termination lifecycle hook; give a group of your own the same',
  appliesTo: ['aws_autoscaling_group'],
  evaluate(group, scope) {
    const attributes = group.attributes;
    const problems: string[] = [];
    const mixed = block(block(attributes.mixed_instances_policy)?.launch_template);
    if (attributes.launch_configuration !== undefined) problems.push('uses a launch configuration');
    else if (!block(attributes.launch_template) && !mixed) problems.push('no launch template');
    const grace: unknown = attributes.health_check_grace_period;
    if (typeof grace !== 'number' || grace <= 0)
      problems.push('health_check_grace_period is not stated');
    const hooks =
      blocks(attributes.initial_lifecycle_hook).length +
      referrersOf(group, scope).filter((r) => r.type === 'aws_autoscaling_lifecycle_hook').length;
    if (hooks === 0) problems.push('no lifecycle hook: instances terminate without draining');
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { field, int, kubernetesEffect, many } from './support';

const TEMPLATE = 'k8s.io/cluster-autoscaler/node-template';

/**
 * GR-FLEET-10: scale-from-zero pools carry the autoscaler's template tags. At
 * zero nodes the cluster autoscaler has no node to read labels and taints
 * from: it builds a template node from the Auto Scaling group's tags
 * `k8s.io/cluster-autoscaler/node-template/label/<key>` = value and
 * `.../taint/<key>` = `<value>:<Effect>`. Without them it believes the pool
 * cannot host a pod that needs its `agent-fleet.dev/pool` label (so a pending
 * GPU agent never scales the GPU pool up), or, missing a taint, keeps
 * scaling up a pool whose nodes then refuse the pod. EKS does not propagate
 * node group tags to the group's Auto Scaling group, so the tags must be
 * `aws_autoscaling_group_tag` resources on it (node-group.ts writes them);
 * node-group `tags` do not count. (The autoscaler may also read managed
 * node groups through `eks:DescribeNodegroup`, but only with that permission
 * and not for every attribute; the tags are the documented contract.)
 * @see https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md#auto-discovery-setup
 * @see https://github.com/aws/containers-roadmap/issues/608
 */
export const scaleFromZeroTags: GuardrailRule = {
  id: 'GR-FLEET-10',
  level: 'error',
  summary:
    'EKS node groups with min_size 0 tag their Auto Scaling group with node-template labels and taints',
  fix: 'no environment-file field: the fleet tags the Auto Scaling group of every node group with its node-template labels and taints; add aws_autoscaling_group_tag node-template/label and node-template/taint tags to a group of your own',
  appliesTo: ['aws_eks_node_group'],
  evaluate(group, scope) {
    const min = int(field(field(group.attributes, 'scaling_config'), 'min_size'));
    if (min !== 0) return 'not-applicable';
    const tags = new Map<string, string>();
    for (const tag of scope.ofType('aws_autoscaling_group_tag')) {
      const target = String(tag.attributes.autoscaling_group_name ?? '');
      if (!target.includes(`\${${group.address}.`)) continue;
      const { key, value } = field(tag.attributes, 'tag') ?? {};
      if (typeof key === 'string') tags.set(key, String(value ?? ''));
    }
    const expected: [string, string][] = [
      ...Object.entries((field(group.attributes, 'labels') ?? {}) as Record<string, string>).map(
        ([key, value]): [string, string] => [`${TEMPLATE}/label/${key}`, String(value)],
      ),
      ...many(field(group.attributes, 'taint')).map((taint): [string, string] => [
        `${TEMPLATE}/taint/${taint.key}`,
        `${taint.value ?? ''}:${kubernetesEffect(String(taint.effect))}`,
      ]),
    ];
    const missing = expected
      .filter(([key, value]) => tags.get(key) !== value)
      .map(([key, value]) => `${key.slice(TEMPLATE.length + 1)}=${value}`);
    return missing.length === 0
      ? COMPLIANT
      : violation(`min_size 0 without Auto Scaling group tag(s) ${missing.join(', ')}`);
  },
};

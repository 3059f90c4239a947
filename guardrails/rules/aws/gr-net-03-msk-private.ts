import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block } from '../support/terraform';

/**
 * GR-NET-03: MSK brokers have no public access
 * (`connectivity_info.public_access.type` absent or `DISABLED`).
 * @see Checkov CKV_AWS_291
 */
export const mskPrivate: GuardrailRule = {
  id: 'GR-NET-03',
  level: 'error',
  summary: 'MSK brokers are not publicly accessible',
  fix: 'no environment-file field: the fleet\'s MSK brokers are private; leave broker_node_group_info.connectivity_info.public_access.type unset or "DISABLED" on a cluster of your own',
  appliesTo: ['aws_msk_cluster'],
  evaluate(cluster) {
    const nodes = block(cluster.attributes.broker_node_group_info);
    const type: unknown = block(block(nodes?.connectivity_info)?.public_access)?.type;
    if (type === undefined || type === null || type === 'DISABLED') return COMPLIANT;
    return violation(`public_access.type is ${JSON.stringify(type)}`);
  },
};

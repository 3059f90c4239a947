import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { blocks, isTrue } from '../support/terraform';

/**
 * GR-NET-05: launch templates give no network interface a public IP address.
 * Agents and nodes live in private subnets and leave through NAT.
 * @see Checkov CKV_AWS_389 (launch configurations), CKV_AWS_88; custom for launch-template network interfaces
 */
export const launchTemplateNoPublicIp: GuardrailRule = {
  id: 'GR-NET-05',
  level: 'error',
  summary: 'Launch templates give instances no public IP address',
  fix: "no environment-file field: the fleet's launch templates give no public IP address on private subnets; set associate_public_ip_address = false on every network_interfaces entry of a template of your own",
  appliesTo: ['aws_launch_template'],
  evaluate(template) {
    const exposed = blocks(template.attributes.network_interfaces)
      .map((nic, i) => ({ nic, i }))
      .filter(({ nic }) => isTrue(nic.associate_public_ip_address));
    if (exposed.length === 0) return COMPLIANT;
    return violation(
      `associate_public_ip_address is true on network interface ${exposed.map(({ nic, i }) => nic.device_index ?? i).join(', ')}`,
    );
  },
};

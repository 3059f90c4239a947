import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { block, blocks } from '../support/terraform';

/**
 * GR-IAM-07: Linux scale set instances accept SSH keys only: password
 * authentication disabled (`disable_password_authentication`, which the
 * provider defaults to true, so only an explicit false or an `admin_password`
 * fails), and at least one `admin_ssh_key`. For an orchestrated scale set, the
 * same settings under `os_profile.linux_configuration`; a Windows profile there
 * has no key login and fails.
 * @see Checkov CKV_AZURE_49, CKV_AZURE_149, CKV_AZURE_178; Trivy AZU-0039
 * @see https://learn.microsoft.com/azure/virtual-machines/linux/create-ssh-keys-detailed
 */
export const vmssSshOnly: GuardrailRule = {
  id: 'GR-IAM-07',
  level: 'error',
  summary: 'Linux VM scale sets disable password login and use SSH keys',
  fix: "no environment-file field: the fleet's scale sets sign in with `sites.<site>.vmAdmin.sshPublicKey` only; set disable_password_authentication = true, drop admin_password and add an admin_ssh_key on a scale set of your own",
  appliesTo: [
    'azurerm_linux_virtual_machine_scale_set',
    'azurerm_orchestrated_virtual_machine_scale_set',
  ],
  evaluate(scaleSet) {
    let linux: Readonly<Record<string, any>> | undefined = scaleSet.attributes;
    if (scaleSet.type === 'azurerm_orchestrated_virtual_machine_scale_set') {
      const profile = block(scaleSet.attributes.os_profile);
      if (!profile) return 'not-applicable';
      if (block(profile.windows_configuration))
        return violation('a Windows profile logs in with a password');
      linux = block(profile.linux_configuration);
      if (!linux) return 'not-applicable';
    }
    const problems: string[] = [];
    if (linux.disable_password_authentication === false) {
      problems.push('password authentication enabled');
    }
    if (typeof linux.admin_password === 'string' && linux.admin_password !== '') {
      problems.push('admin_password set');
    }
    if (blocks(linux.admin_ssh_key).length === 0) problems.push('no admin_ssh_key');
    return problems.length === 0 ? COMPLIANT : violation(problems.join('; '));
  },
};

import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';

/**
 * GR-ENC-09: virtual machine scale sets encrypt at the host
 * (`encryption_at_host_enabled = true`), so temp disks and OS/data disk caches
 * are encrypted, not only the managed disks. The provider's default is off.
 * @see Checkov CKV_AZURE_97, Trivy AZU-0038
 * @see https://learn.microsoft.com/azure/virtual-machines/disk-encryption#encryption-at-host---end-to-end-encryption-for-your-vm-data
 */
export const vmssEncryptionAtHost: GuardrailRule = {
  id: 'GR-ENC-09',
  level: 'error',
  summary: 'VM scale sets have encryption at host enabled',
  fix: 'no environment-file field: the fleet turns encryption at host on for every scale set it builds; set encryption_at_host_enabled = true on a scale set of your own',
  appliesTo: [
    'azurerm_linux_virtual_machine_scale_set',
    'azurerm_windows_virtual_machine_scale_set',
    'azurerm_orchestrated_virtual_machine_scale_set',
  ],
  evaluate(scaleSet) {
    const enabled = scaleSet.attributes.encryption_at_host_enabled;
    if (enabled === true) return COMPLIANT;
    return violation(
      enabled === undefined
        ? 'encryption_at_host_enabled not set (off by default)'
        : `encryption_at_host_enabled is ${JSON.stringify(enabled)}`,
    );
  },
};

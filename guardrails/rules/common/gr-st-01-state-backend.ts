import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';

/**
 * GR-ST-01: a shared state backend is safe. An S3 backend encrypts with a KMS
 * key and locks with S3's own lock file (DynamoDB locking is deprecated); an
 * azurerm backend signs in with Entra ID, never a storage key. Local state
 * files are GR-ST-07's.
 * @see https://developer.hashicorp.com/terraform/language/backend/s3
 * @see https://developer.hashicorp.com/terraform/language/backend/azurerm
 */
export const stateBackend: GuardrailRule = {
  id: 'GR-ST-01',
  level: 'error',
  summary: 'A shared state backend is encrypted, locked and signed into without keys',
  fix: "no environment-file field: the fleet's s3 backend encrypts with `backend.s3.kmsKeyId` and locks with use_lockfile, and an azurerm backend signs in with Entra ID; a backend of your own needs encrypt, kms_key_id and use_lockfile, or use_azuread_auth",
  appliesTo: ['backend.s3', 'backend.azurerm'],
  evaluate(backend) {
    const attributes = backend.attributes;
    switch (backend.type) {
      case 'backend.s3': {
        const missing = [
          attributes.encrypt !== true && 'encrypt',
          !attributes.kms_key_id && 'kms_key_id',
          attributes.use_lockfile !== true && 'use_lockfile',
        ].filter(Boolean);
        return missing.length === 0
          ? COMPLIANT
          : violation(`S3 backend without ${missing.join(', ')}`);
      }
      default:
        return attributes.use_azuread_auth === true && !attributes.access_key
          ? COMPLIANT
          : violation('azurerm backend without Entra ID authentication');
    }
  },
};

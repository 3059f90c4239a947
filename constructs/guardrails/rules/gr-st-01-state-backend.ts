import { COMPLIANT, GuardrailRule, violation } from '../types';

/**
 * GR-ST-01: state is kept where a team can share it safely. An S3 backend
 * encrypts with a KMS key and locks with S3's own lock file (DynamoDB locking
 * is deprecated); an azurerm backend signs in with Entra ID, never a storage
 * key. Local state files are fine on a laptop only, hence a warning.
 * @see https://developer.hashicorp.com/terraform/language/backend/s3
 * @see https://developer.hashicorp.com/terraform/language/backend/azurerm
 */
export const stateBackend: GuardrailRule = {
  id: 'GR-ST-01',
  level: 'warning',
  summary: 'State lives in an encrypted, locked, shared backend',
  fix: "name an 's3' (KMS key, lock file) or 'azurerm' (Entra ID) backend in the environment file",
  appliesTo: ['backend.s3', 'backend.azurerm', 'backend.local'],
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
      case 'backend.azurerm':
        return attributes.use_azuread_auth === true && !attributes.access_key
          ? COMPLIANT
          : violation('azurerm backend without Entra ID authentication');
      default:
        return violation('local state files');
    }
  },
};

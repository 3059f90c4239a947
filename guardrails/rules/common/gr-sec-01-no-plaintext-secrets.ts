import { ANY_TYPE, COMPLIANT, GuardrailRule, violation } from '../../engine/types';

/** Attribute names that hold a secret. */
const SECRET_NAME =
  /(^|_)(password|passwd|secret|token|private_key|access_key|client_secret|connection_string|sas_key)$/i;

/** Values that are references, not literals: Terraform expressions, ephemeral values, variables. */
const REFERENCE = /^\$\{/;

/** Paths of string attributes whose name looks secret and whose value is a literal. */
function literalSecrets(value: unknown, path: string[] = []): string[] {
  if (Array.isArray(value))
    return value.flatMap((item, i) => literalSecrets(item, [...path, String(i)]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const here = [...path, key];
    if (
      typeof child === 'string' &&
      SECRET_NAME.test(key) &&
      child !== '' &&
      !REFERENCE.test(child)
    ) {
      return [here.join('.')];
    }
    // Write-only arguments take ephemeral values and never reach the state.
    if (key.endsWith('_wo')) return [];
    return literalSecrets(child, here);
  });
}

/**
 * GR-SEC-01: no plaintext secret in the synthesized output (and so none in
 * the plan or state): secrets are generated at apply time as ephemeral values
 * for write-only arguments, or come from workload identity and Vault.
 * @see https://developer.hashicorp.com/terraform/language/resources/ephemeral/write-only
 */
export const noPlaintextSecrets: GuardrailRule = {
  id: 'GR-SEC-01',
  level: 'error',
  summary: 'No secret value is written into the synthesized output',
  fix: 'no environment-file field: the fleet generates secrets at apply time into write-only arguments and uses workload identity or Vault; do the same for a resource of your own',
  appliesTo: [ANY_TYPE],
  evaluate(resource) {
    const found = literalSecrets(resource.attributes);
    return found.length === 0 ? COMPLIANT : violation(`literal value in ${found.join(', ')}`);
  },
};

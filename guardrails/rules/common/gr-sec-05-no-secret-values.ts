import { scanEach, SecretFinding } from '../../engine/secret-scan';
import {
  ANY_TYPE,
  fieldViolations,
  FieldViolation,
  GuardrailRule,
  ResourceView,
} from '../../engine/types';

/** Each field of a resource that holds what looks like a secret, with all that was found there. */
function fieldsOf(found: readonly SecretFinding[]): FieldViolation[] {
  const byField = new Map<string, string[]>();
  for (const { where, what } of found) byField.set(where, [...(byField.get(where) ?? []), what]);
  return [...byField].map(([field, whats]) => ({ field, detail: whats.join('; ') }));
}

/**
 * GR-SEC-05: no string of any resource holds a credential, whatever its name:
 * every string the output carries (env values, args, annotations, labels, user
 * data and cloud-init, Helm values, ConfigMaps, backends) is scanned by value
 * with secretlint's recommended rules and the patterns they lack (see
 * `secret-scan.ts`). GR-SEC-01 and GR-SEC-04 judge names; this rule judges
 * values, so `BROKER_URL: amqp://admin:<password>@rabbitmq/` or an access key
 * id under a neutral name is found too. One finding per field, which a
 * suppression names with its reason when the value is no secret.
 */
export const noSecretValues: GuardrailRule = {
  id: 'GR-SEC-05',
  level: 'error',
  summary:
    'No string of any resource holds a credential: passwords in URLs or secret-named fields, cloud keys, provider tokens, private keys',
  fix: "take the credential out of `agents.<agent>.container.env` or `agents.<agent>.container.args` (or the resource's field named) and pass it as a secret, never as a value: a broker's credentials are mounted for its agents (FLEET_BROKER_CREDENTIALS_DIR), anything else comes from the site's Vault or a Kubernetes Secret mounted as a file, whose path the agent reads",
  appliesTo: [ANY_TYPE],
  evaluate(resource, scope) {
    // All resources of the scope are scanned in one pass, once.
    const found = scope.memo('GR-SEC-05 secret values', () => {
      const results = scanEach(scope.resources.map((view) => view.attributes));
      return new Map<ResourceView, SecretFinding[]>(
        scope.resources.map((view, i) => [view, results[i]]),
      );
    });
    return fieldViolations(fieldsOf(found.get(resource) ?? scanEach([resource.attributes])[0]));
  },
};

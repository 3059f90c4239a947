import { COMPLIANT, GuardrailRule, violation } from '../../engine/types';
import { workloadLabel, workloadOf, WORKLOAD_TYPES } from '../support/kubernetes';

/** Words of an env var name that say it holds a secret. */
const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'SECRET', 'TOKEN', 'KEY', 'APIKEY']);
/** A last word saying the variable names where a secret is, not the secret itself. */
const POINTER_WORDS = new Set(['FILE', 'PATH', 'DIR', 'NAME', 'ID', 'REF', 'ARN']);

/** Whether an env var name looks like it holds a secret, e.g. `DB_PASSWORD`, `API_KEY`. */
export function looksSecret(name: string): boolean {
  const words = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  if (words.length === 0 || POINTER_WORDS.has(words[words.length - 1])) return false;
  return words.some((word) => SECRET_WORDS.has(word));
}

/**
 * GR-SEC-04: no container has an env var whose name looks secret (PASSWORD,
 * SECRET, TOKEN, KEY) with a literal `value`: the secret would sit in the
 * synthesized JSON, in state and in the pod spec. Mount it as a file (the
 * fleet's `*_CREDENTIALS_DIR` pattern, or Vault injection); names ending in
 * FILE, PATH, DIR, NAME, ID, REF or ARN point at a secret and pass.
 * @see Checkov CKV_K8S_35, Polaris sensitiveContainerEnvVar, Trivy KSV-01010
 */
export const noSecretEnv: GuardrailRule = {
  id: 'GR-SEC-04',
  level: 'error',
  summary: 'No container env var with a secret-looking name holds a literal value',
  fix: 'remove the variable from `agents.<agent>.container.env` and read the secret from a mounted file instead: the broker credentials (FLEET_BROKER_CREDENTIALS_DIR), Vault or a Secret volume',
  appliesTo: WORKLOAD_TYPES,
  evaluate(resource) {
    const workload = workloadOf(resource);
    if (!workload) return 'not-applicable';
    const found = workload.containers.flatMap((container) =>
      container.env
        .filter(
          (entry) =>
            looksSecret(entry.name) &&
            entry.value !== undefined &&
            entry.value !== null &&
            entry.value !== '',
        )
        .map((entry) => `${container.name}: ${entry.name}`),
    );
    if (found.length === 0) return COMPLIANT;
    return violation(`${workloadLabel(workload)} has literal secrets in env (${found.join(', ')})`);
  },
};

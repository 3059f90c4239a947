import { GuardrailRule } from '../types';
import { AWS_RULES } from './aws';
import { AZURE_RULES } from './azure';
import { FLEET_RULES } from './fleet';
import { preventDestroy } from './gr-dur-09-prevent-destroy';
import { KUBERNETES_RULES } from './kubernetes';
import { oneAutoscaler } from './gr-as-02-one-autoscaler';
import { sqsEncryption } from './gr-enc-05-sqs-encryption';
import { noPlaintextSecrets } from './gr-sec-01-no-plaintext-secrets';
import { noSecretValues } from './gr-sec-05-no-secret-values';
import { stateBackend } from './gr-st-01-state-backend';
import { localState } from './gr-st-07-local-state';

/** Every guardrail rule, in id order. */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = [
  ...AWS_RULES,
  ...AZURE_RULES,
  ...KUBERNETES_RULES,
  ...FLEET_RULES,
  preventDestroy,
  oneAutoscaler,
  sqsEncryption,
  noPlaintextSecrets,
  noSecretValues,
  stateBackend,
  localState,
].sort((a, b) => a.id.localeCompare(b.id));

import { GuardrailRule } from '../types';
import { oneAutoscaler } from './gr-as-02-one-autoscaler';
import { sqsEncryption } from './gr-enc-05-sqs-encryption';
import { noPlaintextSecrets } from './gr-sec-01-no-plaintext-secrets';
import { stateBackend } from './gr-st-01-state-backend';

/** Every guardrail rule, in id order. */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = [
  oneAutoscaler,
  sqsEncryption,
  noPlaintextSecrets,
  stateBackend,
].sort((a, b) => a.id.localeCompare(b.id));

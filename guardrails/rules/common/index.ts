import { GuardrailRule } from '../../engine/types';
import { oneAutoscaler } from './gr-as-02-one-autoscaler';
import { preventDestroy } from './gr-dur-09-prevent-destroy';
import { sqsEncryption } from './gr-enc-05-sqs-encryption';
import { noPlaintextSecrets } from './gr-sec-01-no-plaintext-secrets';
import { noSecretValues } from './gr-sec-05-no-secret-values';
import { stateBackend } from './gr-st-01-state-backend';
import { localState } from './gr-st-07-local-state';

/**
 * The rules shared by every target, in id order: one autoscaler per workload
 * (GR-AS-02), destroy protection (GR-DUR-09), SQS encryption (GR-ENC-05), no
 * secret in the output (GR-SEC-01, GR-SEC-05) and the state backend (GR-ST-01,
 * GR-ST-07).
 */
export const COMMON_RULES: readonly GuardrailRule[] = [
  oneAutoscaler,
  preventDestroy,
  sqsEncryption,
  noPlaintextSecrets,
  noSecretValues,
  stateBackend,
  localState,
];

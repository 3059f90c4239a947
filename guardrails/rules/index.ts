import { GuardrailRule } from '../engine/types';
import { AWS_RULES } from './aws/index';
import { AZURE_RULES } from './azure/index';
import { FLEET_RULES } from './fleet/index';
import { preventDestroy } from './common/gr-dur-09-prevent-destroy';
import { KUBERNETES_RULES } from './kubernetes/index';
import { oneAutoscaler } from './common/gr-as-02-one-autoscaler';
import { sqsEncryption } from './common/gr-enc-05-sqs-encryption';
import { noPlaintextSecrets } from './common/gr-sec-01-no-plaintext-secrets';
import { noSecretValues } from './common/gr-sec-05-no-secret-values';
import { stateBackend } from './common/gr-st-01-state-backend';
import { localState } from './common/gr-st-07-local-state';

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

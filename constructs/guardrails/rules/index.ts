import { GuardrailRule } from '../types';
import { oneAutoscaler } from './gr-as-02-one-autoscaler';
import { sqsEncryption } from './gr-enc-05-sqs-encryption';

/** Every guardrail rule, in id order. */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = [oneAutoscaler, sqsEncryption].sort(
  (a, b) => a.id.localeCompare(b.id),
);

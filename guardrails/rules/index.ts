import { GuardrailRule } from '../engine/types';
import { AWS_RULES } from './aws/index';
import { AZURE_RULES } from './azure/index';
import { COMMON_RULES } from './common/index';
import { FLEET_RULES } from './fleet/index';
import { KUBERNETES_RULES } from './kubernetes/index';

export { kedaFallback } from './kubernetes/index';

/** Every guardrail rule, in id order. */
export const GUARDRAIL_RULES: readonly GuardrailRule[] = [
  ...AWS_RULES,
  ...AZURE_RULES,
  ...KUBERNETES_RULES,
  ...FLEET_RULES,
  ...COMMON_RULES,
].sort((a, b) => a.id.localeCompare(b.id));

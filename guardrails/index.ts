export * from './engine/types';
export { evaluate, formatFinding } from './engine/engine';
export type { Evaluation } from './engine/engine';
export { resourceViews, scopeOf } from './engine/resources';
export { applyGuardrails, GuardrailLog } from './engine/aspect';
export type { GuardrailOptions } from './engine/aspect';
export { GUARDRAIL_RULES, kedaFallback } from './rules';
export { CheckedStack, renderStack } from './engine/rendering';

export * from './types';
export { evaluate, formatFinding } from './engine';
export type { Evaluation } from './engine';
export { resourceViews, scopeOf } from './resources';
export { applyGuardrails, GuardrailLog } from './aspect';
export type { GuardrailOptions } from './aspect';
export { GUARDRAIL_RULES } from './rules';
export { CheckedStack, renderStack } from './rendering';

import { GuardrailRule } from './types';

/**
 * The rule set as a Markdown page (`docs/guardrails.md`): id, level, what it
 * checks, how to fix a finding and the resources it reads.
 */
export function guardrailCatalogue(rules: readonly GuardrailRule[]): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = rules.map(
    (rule) =>
      `| ${rule.id} | ${rule.level} | ${cell(rule.summary)} | ${cell(rule.fix)} | ${rule.appliesTo
        .map((type) => `\`${type}\``)
        .join(', ')} |`,
  );
  const errors = rules.filter((rule) => rule.level === 'error').length;
  return [
    '# Guardrails',
    '',
    `Every synth checks the fleet with these ${rules.length} rules (${errors} errors, ${rules.length - errors} warnings).`,
    'An error fails synth and nothing is written; a warning is reported. A finding can be',
    'suppressed only for one rule and one resource, in the environment file, with a written',
    'reason (`suppressions`); `npm run review` lists every suppression. This page is generated',
    'by `npm run guardrails:doc` from `constructs/guardrails/rules/`.',
    '',
    '| Id | Level | Checks | Fix | Reads |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

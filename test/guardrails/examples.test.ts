import { GUARDRAIL_RULES } from '../../constructs/guardrails';
import { exampleFindings } from './support';

describe('the example environments', () => {
  const findings = exampleFindings(GUARDRAIL_RULES);

  it('have no error-level finding that is not suppressed in writing', () => {
    expect(
      findings
        .filter((f) => f.level === 'error' && !f.suppressedBecause)
        .map((f) => `${f.rule} ${f.path}`),
    ).toEqual([]);
  });
});

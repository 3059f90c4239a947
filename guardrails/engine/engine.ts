import { GuardrailSuppression } from '../../model';
import { scopeOf } from './resources';
import {
  ANY_TYPE,
  Finding,
  GuardrailRule,
  ResourceView,
  RuleScope,
  Verdict,
  violation,
} from './types';

/** What the rules found in some resources. */
export interface Evaluation {
  /** Every finding, in rule order, suppressed ones included. */
  readonly findings: readonly Finding[];
  /** Suppressions that matched no finding: stale, or naming the wrong resource. */
  readonly unusedSuppressions: readonly GuardrailSuppression[];
}

/**
 * Runs every rule over the resources it applies to, with the whole set as
 * its scope. A finding is suppressed only by a suppression naming its rule
 * and exactly its resource's construct path, as the finding shows it, and,
 * when the finding is about a field, exactly that field (a suppression
 * without a field suppresses no field's finding). A rule that throws on a
 * resource is itself an error finding.
 */
export function evaluate(
  rules: readonly GuardrailRule[],
  resources: readonly ResourceView[],
  suppressions: readonly GuardrailSuppression[] = [],
): Evaluation {
  const scope = scopeOf(resources);
  const used = new Set<GuardrailSuppression>();
  const findings: Finding[] = [];
  for (const rule of rules) {
    const subjects = rule.appliesTo.includes(ANY_TYPE)
      ? scope.resources
      : rule.appliesTo.flatMap((type) => scope.ofType(type));
    for (const resource of subjects) {
      const verdict = verdictOf(rule, resource, scope);
      if (verdict === 'not-applicable' || verdict.compliant) continue;
      const parts: { field?: string; detail: string }[] =
        'fields' in verdict ? [...verdict.fields] : [{ detail: verdict.detail }];
      for (const { field, detail } of parts) {
        const suppression = suppressions.find(
          (candidate) =>
            candidate.rule === rule.id &&
            candidate.resource === resource.path &&
            candidate.field === field,
        );
        if (suppression) used.add(suppression);
        findings.push({
          rule: rule.id,
          level: rule.level,
          stack: resource.stack,
          path: resource.path,
          address: resource.address,
          message: `${rule.fix} (${field !== undefined ? `${field}: ` : ''}${detail})`,
          ...(suppression ? { suppressedBecause: suppression.reason } : {}),
        });
      }
    }
  }
  return { findings, unusedSuppressions: suppressions.filter((s) => !used.has(s)) };
}

/** A rule's verdict; a rule that throws yields a finding naming the failure. */
function verdictOf(rule: GuardrailRule, resource: ResourceView, scope: RuleScope): Verdict {
  try {
    return rule.evaluate(resource, scope);
  } catch (error) {
    return violation(`the rule could not read the resource: ${(error as Error).message}`);
  }
}

/** A finding as one line: `[GR-ENC-05] error prod-us-east-infra/...: message`. */
export function formatFinding(finding: Finding): string {
  const suppressed = finding.suppressedBecause ? ` [suppressed: ${finding.suppressedBecause}]` : '';
  return `[${finding.rule}] ${finding.level} ${finding.path}: ${finding.message}${suppressed}`;
}

import { GuardrailSuppression } from '../model';
import { scopeOf } from './resources';
import { ANY_TYPE, Finding, GuardrailRule, ResourceView } from './types';

/** What the rules found in some resources. */
export interface Evaluation {
  readonly findings: readonly Finding[];
  /** Suppressions that matched no finding: stale, or naming the wrong resource. */
  readonly unusedSuppressions: readonly GuardrailSuppression[];
}

/**
 * Runs every rule over the resources it applies to, with the whole set as
 * its scope. A finding is suppressed by a suppression naming its rule and its
 * resource's construct path (or a path above it).
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
      const verdict = rule.evaluate(resource, scope);
      if (verdict === 'not-applicable' || verdict.compliant) continue;
      const suppression = suppressions.find(
        (candidate) =>
          candidate.rule === rule.id &&
          (resource.path === candidate.resource ||
            resource.path.startsWith(`${candidate.resource}/`)),
      );
      if (suppression) used.add(suppression);
      findings.push({
        rule: rule.id,
        level: rule.level,
        stack: resource.stack,
        path: resource.path,
        address: resource.address,
        message: `${rule.fix} (${verdict.detail})`,
        ...(suppression ? { suppressedBecause: suppression.reason } : {}),
      });
    }
  }
  return { findings, unusedSuppressions: suppressions.filter((s) => !used.has(s)) };
}

/** A finding as one line: `[GR-ENC-05] error prod-us-east-infra/...: message`. */
export function formatFinding(finding: Finding): string {
  const suppressed = finding.suppressedBecause ? ` [suppressed: ${finding.suppressedBecause}]` : '';
  return `[${finding.rule}] ${finding.level} ${finding.path}: ${finding.message}${suppressed}`;
}

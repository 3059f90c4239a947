import { IConstruct } from 'constructs';

/** What a finding does: `error` fails synth, `warning` is reported. */
export type GuardrailLevel = 'error' | 'warning';

/**
 * One Terraform resource as a rule sees it: its synthesized attributes
 * (snake_case, references resolved to `${type.name.attribute}` strings).
 */
export interface ResourceView {
  /** Id of the stack the resource belongs to, e.g. `prod-us-east-infra`. */
  readonly stack: string;
  /** Construct path, e.g. `prod-us-east-infra/Agents/inventory-update/Table/Resource`. */
  readonly path: string;
  /** Terraform resource type, e.g. `aws_sqs_queue`. */
  readonly type: string;
  /** Terraform address in its stack, e.g. `aws_sqs_queue.Agents_Queue_1A2B3C4D`. */
  readonly address: string;
  /** The resource's synthesized arguments, by their Terraform (snake_case) names. */
  readonly attributes: Readonly<Record<string, any>>;
  /** The construct, for annotations. */
  readonly node: IConstruct;
}

/**
 * A rule's finding about one field of a resource, named by its path inside
 * the resource's attributes (e.g. `spec.template.spec.container[0].env[2].value`):
 * kept, or suppressed for that field alone.
 */
export interface FieldViolation {
  /** Path of the field inside the resource's attributes. */
  readonly field: string;
  /** What was found in the field, e.g. its offending value. */
  readonly detail: string;
}

/**
 * What a rule concluded about one resource: compliant, one finding about the
 * resource, or findings about some of its fields.
 */
export type Verdict =
  | { readonly compliant: true }
  | { readonly compliant: false; readonly detail: string }
  | { readonly compliant: false; readonly fields: readonly FieldViolation[] }
  | 'not-applicable';

/** The resources a rule may look across: its site's stacks (infra, platform, agents). */
export interface RuleScope {
  /** Every resource in scope. */
  readonly resources: readonly ResourceView[];
  /** Resources of one type in scope. */
  ofType(type: string): readonly ResourceView[];
  /**
   * A value derived from the whole scope, computed once per key: rules that
   * look across the site read such indexes per resource without rescanning it.
   */
  memo<T>(key: string, compute: () => T): T;
}

/**
 * A policy check: a stable id, a level, a one-line message saying how to fix
 * it, and a pure function from one resource (and the resources of its site)
 * to a verdict. One rule per file under `rules/`.
 */
export interface GuardrailRule {
  /** Stable id from the guardrail catalogue, e.g. `GR-ENC-05`; never reused. */
  readonly id: string;
  /** What a finding of the rule does: `error` fails synth, `warning` is reported. */
  readonly level: GuardrailLevel;
  /** What the rule checks, for reports. */
  readonly summary: string;
  /**
   * How to fix a finding, in one line, in the terms of whoever can fix it.
   * Where a value of an environment file can cause the finding, the fix names
   * the field to change, in backquotes from the file's root with `<...>` for
   * names (`agents.<agent>.scaling.minReplicas`); where no field controls it,
   * it starts with {@link NO_FILE_FIELD} and says what the fleet does
   * instead, then how to fix a resource of one's own.
   */
  readonly fix: string;
  /**
   * Terraform resource types the rule inspects, {@link ANY_TYPE} for all, or
   * `backend.<type>` for a stack's state backend (e.g. `backend.s3`).
   */
  readonly appliesTo: readonly string[];
  /** Judges one resource of an applicable type, pure: compliant, not compliant, or not applicable. */
  evaluate(resource: ResourceView, scope: RuleScope): Verdict;
}

/**
 * A rule's finding that a resource does not comply, kept or suppressed in
 * writing (per rule and resource, and field for rules that report fields, in
 * the environment file).
 */
export interface Finding {
  /** Id of the rule that found it, e.g. `GR-ENC-05`. */
  readonly rule: string;
  /** The rule's level: `error` fails synth unless suppressed, `warning` is reported. */
  readonly level: GuardrailLevel;
  /** Id of the stack the resource belongs to. */
  readonly stack: string;
  /** Construct path of the resource, which a suppression names. */
  readonly path: string;
  /** Terraform address of the resource in its stack. */
  readonly address: string;
  /** The fix, with what was found (and where, for a finding about a field: `(<field>: <what>)`). */
  readonly message: string;
  /** The written reason, when the finding is suppressed. @default - not suppressed */
  readonly suppressedBecause?: string;
}

/** In {@link GuardrailRule.appliesTo}: every resource. */
export const ANY_TYPE = '*';

/** How a {@link GuardrailRule.fix} starts when no field of an environment file controls what it checks. */
export const NO_FILE_FIELD = 'no environment-file field:';

/** Shorthands for rule bodies. */
export const COMPLIANT: Verdict = { compliant: true };
/** One finding about the whole resource, with what was found. */
export function violation(detail: string): Verdict {
  return { compliant: false, detail };
}
/** Findings about fields; none is compliant. */
export function fieldViolations(fields: readonly FieldViolation[]): Verdict {
  return fields.length === 0 ? COMPLIANT : { compliant: false, fields };
}

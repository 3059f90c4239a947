import { Annotations, Aspects, IAspect, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { GuardrailSuppression } from '../model';
import { evaluate, formatFinding } from './engine';
import { resourceViews } from './resources';
import { Finding, GuardrailRule } from './types';

/** Where the findings of every checked group of stacks are collected, for reports. */
export class GuardrailLog {
  private readonly recorded: Finding[] = [];
  private readonly stale: { group: string; suppression: GuardrailSuppression }[] = [];

  record(findings: readonly Finding[]): void {
    this.recorded.push(...findings);
  }

  recordUnused(group: string, suppressions: readonly GuardrailSuppression[]): void {
    this.stale.push(...suppressions.map((suppression) => ({ group, suppression })));
  }

  /** Every finding, suppressed ones included. */
  get findings(): readonly Finding[] {
    return this.recorded;
  }

  /** Findings that fail synth: error level, not suppressed. */
  get errors(): readonly Finding[] {
    return this.recorded.filter((f) => f.level === 'error' && !f.suppressedBecause);
  }

  /** Suppressions that matched nothing, by the group of stacks they were given to. */
  get unusedSuppressions(): readonly { group: string; suppression: GuardrailSuppression }[] {
    return this.stale;
  }
}

/** Props of {@link applyGuardrails}. */
export interface GuardrailOptions {
  readonly rules: readonly GuardrailRule[];
  /** Written exceptions, per rule and resource path. @default - none */
  readonly suppressions?: readonly GuardrailSuppression[];
  /** Where findings are collected. @default - a log of their own */
  readonly log?: GuardrailLog;
  /** Name of the group in reports, e.g. the site. @default - the first stack's id */
  readonly group?: string;
}

/**
 * Checks a group of stacks that share a site (its infra, platform and agents
 * stacks) with the guardrail rules, as a cdktf Aspect: when synth reaches the
 * first of them, every rule runs over the resources of all of them, so rules
 * can look across stacks (e.g. a Deployment and the ScaledObject of another
 * stack). Each finding is an annotation on its resource: an error fails synth
 * unless suppressed, a warning is reported; both go to the log.
 */
export function applyGuardrails(
  stacks: readonly TerraformStack[],
  options: GuardrailOptions,
): GuardrailLog {
  const log = options.log ?? new GuardrailLog();
  const aspect = new GuardrailAspect(stacks, options, log);
  for (const stack of stacks) Aspects.of(stack).add(aspect);
  return log;
}

class GuardrailAspect implements IAspect {
  private done = false;

  constructor(
    private readonly stacks: readonly TerraformStack[],
    private readonly options: GuardrailOptions,
    private readonly log: GuardrailLog,
  ) {}

  visit(node: IConstruct): void {
    if (this.done || !(node instanceof TerraformStack)) return;
    this.done = true;
    const resources = this.stacks.flatMap(resourceViews);
    const { findings, unusedSuppressions } = evaluate(
      this.options.rules,
      resources,
      this.options.suppressions,
    );
    this.log.record(findings);
    this.log.recordUnused(this.options.group ?? this.stacks[0]?.node.id ?? '', unusedSuppressions);
    const nodes = new Map(
      resources.map((resource) => [resource.address + resource.stack, resource.node]),
    );
    for (const finding of findings) {
      const target = nodes.get(finding.address + finding.stack) as IConstruct;
      const annotations = Annotations.of(target);
      if (finding.suppressedBecause) annotations.addInfo(formatFinding(finding));
      else if (finding.level === 'error') annotations.addError(formatFinding(finding));
      else annotations.addWarning(formatFinding(finding));
    }
  }
}

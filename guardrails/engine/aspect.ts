import { Annotations, Aspects, IAspect, TerraformStack } from 'cdktf';
import { IConstruct } from 'constructs';
import { GuardrailSuppression } from '../../model';
import { evaluate, formatFinding } from './engine';
import { READ_ONLY_ASPECT } from './rendering';
import { resourceViews } from './resources';
import { Finding, GuardrailRule } from './types';

/** Where the findings of every checked group of stacks are collected, for reports. */
export class GuardrailLog {
  private readonly recorded: Finding[] = [];
  private readonly offered = new Set<GuardrailSuppression>();
  private readonly used = new Set<GuardrailSuppression>();

  /** Adds the findings of one checked group of stacks. */
  record(findings: readonly Finding[]): void {
    this.recorded.push(...findings);
  }

  /** Notes the suppressions given to a check, and those that matched a finding. */
  recordSuppressions(
    offered: readonly GuardrailSuppression[],
    unused: readonly GuardrailSuppression[],
  ): void {
    for (const suppression of offered) {
      this.offered.add(suppression);
      if (!unused.includes(suppression)) this.used.add(suppression);
    }
  }

  /** Every finding, suppressed ones included. */
  get findings(): readonly Finding[] {
    return this.recorded;
  }

  /** Findings that fail synth: error level, not suppressed. */
  get errors(): readonly Finding[] {
    return this.recorded.filter((f) => f.level === 'error' && !f.suppressedBecause);
  }

  /** Suppressions that matched no finding in any checked group: stale, or naming the wrong resource. */
  get unusedSuppressions(): readonly GuardrailSuppression[] {
    return [...this.offered].filter((suppression) => !this.used.has(suppression));
  }
}

/** Props of {@link applyGuardrails}. */
export interface GuardrailOptions {
  /** The rules to check the stacks with, e.g. a pack's. */
  readonly rules: readonly GuardrailRule[];
  /** Written exceptions, per rule and resource path. @default - none */
  readonly suppressions?: readonly GuardrailSuppression[];
  /** Where findings are collected. @default - a log of their own */
  readonly log?: GuardrailLog;
}

/**
 * Checks a group of stacks that share a site (its infra, platform and agents
 * stacks) with the guardrail rules, as a cdktf Aspect. Every rule runs over
 * the resources of the whole group, so rules can look across stacks (e.g. a
 * Deployment and the ScaledObject of another stack). When synth reaches the
 * first stack of the app, every group of the app is checked at once (all
 * stacks are built and their cross-stack references prepared by then), so a
 * failing synth reports the findings of every group, not of the first only.
 * Each finding is an annotation on its resource: an error fails synth unless
 * suppressed, a warning is reported; both go to the log.
 */
export function applyGuardrails(
  stacks: readonly TerraformStack[],
  options: GuardrailOptions,
): GuardrailLog {
  const log = options.log ?? new GuardrailLog();
  const root = stacks[0]?.node.root;
  if (!root) return log;
  let run = runs.get(root);
  if (!run) {
    run = new GuardrailRun();
    runs.set(root, run);
  }
  run.groups.push({ stacks, options, log });
  for (const stack of stacks) Aspects.of(stack).add(run);
  return log;
}

/** The guardrail groups of one app, checked together. */
const runs = new WeakMap<IConstruct, GuardrailRun>();

class GuardrailRun implements IAspect {
  readonly [READ_ONLY_ASPECT] = true;
  readonly groups: {
    stacks: readonly TerraformStack[];
    options: GuardrailOptions;
    log: GuardrailLog;
  }[] = [];
  private done = false;

  visit(node: IConstruct): void {
    if (this.done || !(node instanceof TerraformStack)) return;
    this.done = true;
    for (const group of this.groups) check(group.stacks, group.options, group.log);
  }
}

function check(
  stacks: readonly TerraformStack[],
  options: GuardrailOptions,
  log: GuardrailLog,
): void {
  const resources = stacks.flatMap(resourceViews);
  const { findings, unusedSuppressions } = evaluate(options.rules, resources, options.suppressions);
  log.record(findings);
  log.recordSuppressions(options.suppressions ?? [], unusedSuppressions);
  const nodes = new Map(
    resources.map((resource) => [resource.stack + resource.address, resource.node]),
  );
  for (const finding of findings) {
    const annotations = Annotations.of(nodes.get(finding.stack + finding.address) as IConstruct);
    if (finding.suppressedBecause) annotations.addInfo(formatFinding(finding));
    else if (finding.level === 'error') annotations.addError(formatFinding(finding));
    else annotations.addWarning(formatFinding(finding));
  }
}

import { App, Testing, TerraformStack } from 'cdktf';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { awsProvider } from '../../constructs/aws/provider';
import {
  applyGuardrails,
  evaluate,
  formatFinding,
  GuardrailLog,
  GUARDRAIL_RULES,
  resourceViews,
} from '../../constructs/guardrails';
import { sqsEncryption } from '../../constructs/guardrails/rules/gr-enc-05-sqs-encryption';

function stackWith(queues: { id: string; kmsMasterKeyId?: string }[]): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test-eu-infra');
  awsProvider(stack, { region: 'eu-west-1', accountId: '123456789012' });
  for (const { id, kmsMasterKeyId } of queues)
    new SqsQueue(stack, id, { name: id, kmsMasterKeyId });
  return stack;
}

describe('evaluate', () => {
  const stack = stackWith([
    { id: 'plain' },
    { id: 'sealed', kmsMasterKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1' },
  ]);

  it('finds the resources a rule refuses, with its fix and what it found', () => {
    const { findings } = evaluate([sqsEncryption], resourceViews(stack));
    expect(findings).toEqual([
      {
        rule: 'GR-ENC-05',
        level: 'error',
        stack: 'test-eu-infra',
        path: 'test-eu-infra/plain',
        address: 'aws_sqs_queue.plain',
        message: "set the queue's kms_master_key_id to a customer-managed key (no encryption key)",
      },
    ]);
    expect(formatFinding(findings[0])).toBe(
      "[GR-ENC-05] error test-eu-infra/plain: set the queue's kms_master_key_id to a customer-managed key (no encryption key)",
    );
  });

  it('keeps a suppressed finding with its reason, and reports suppressions that match nothing', () => {
    const reason = 'a throwaway queue of the load test, holding no data';
    const stale = { rule: 'GR-ENC-05', resource: 'test-eu-infra/gone', reason };
    const { findings, unusedSuppressions } = evaluate([sqsEncryption], resourceViews(stack), [
      { rule: 'GR-ENC-05', resource: 'test-eu-infra', reason },
      stale,
    ]);
    expect(findings.map((f) => [f.path, f.suppressedBecause])).toEqual([
      ['test-eu-infra/plain', reason],
    ]);
    expect(unusedSuppressions).toEqual([stale]);
  });
});

describe('applyGuardrails', () => {
  it('fails synth on an error-level finding, naming the rule and the resource', () => {
    const stack = stackWith([{ id: 'plain' }]);
    const log = applyGuardrails([stack], { rules: [sqsEncryption] });
    expect(() => (stack.node.root as App).synth()).toThrow(
      /\[GR-ENC-05\] error test-eu-infra\/plain/,
    );
    expect(log.errors.map((f) => f.path)).toEqual(['test-eu-infra/plain']);
  });

  it('synthesizes when the finding is suppressed in writing, and logs it', () => {
    const stack = stackWith([{ id: 'plain' }]);
    const log = new GuardrailLog();
    applyGuardrails([stack], {
      rules: [sqsEncryption],
      log,
      suppressions: [
        {
          rule: 'GR-ENC-05',
          resource: 'test-eu-infra/plain',
          reason: 'a throwaway queue of the load test, holding no data',
        },
      ],
    });
    expect(() => (stack.node.root as App).synth()).not.toThrow();
    expect(log.errors).toEqual([]);
    expect(log.findings).toHaveLength(1);
  });
});

describe('the rule set', () => {
  it('has unique ids, each with a level, a summary and a one-line fix', () => {
    const ids = GUARDRAIL_RULES.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of GUARDRAIL_RULES) {
      expect(rule.id).toMatch(/^GR-[A-Z]+-\d{2}$/);
      expect(['error', 'warning']).toContain(rule.level);
      expect(rule.fix).not.toContain('\n');
      expect(rule.summary.length).toBeGreaterThan(10);
      expect(rule.appliesTo.length).toBeGreaterThan(0);
    }
  });
});

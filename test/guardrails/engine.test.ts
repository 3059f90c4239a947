import * as fs from 'fs';
import * as path from 'path';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { App, Testing, TerraformStack } from 'cdktf';
import { awsProvider } from '../../constructs/aws/provider';
import {
  applyGuardrails,
  evaluate,
  formatFinding,
  GuardrailLog,
  GUARDRAIL_RULES,
  resourceViews,
} from '../../guardrails';
import { guardrailCatalogue } from '../../guardrails/engine/catalogue';
import { sqsEncryption } from '../../guardrails/rules/common/gr-enc-05-sqs-encryption';

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
        message:
          "no environment-file field: the fleet's SQS queues encrypt with a customer-managed KMS key; set kms_master_key_id on a queue of your own (no encryption key)",
      },
    ]);
    expect(formatFinding(findings[0])).toBe(
      "[GR-ENC-05] error test-eu-infra/plain: no environment-file field: the fleet's SQS queues encrypt with a customer-managed KMS key; set kms_master_key_id on a queue of your own (no encryption key)",
    );
  });

  it('turns a rule that throws into a finding', () => {
    const broken = {
      ...sqsEncryption,
      evaluate: () => {
        throw new Error('no such attribute');
      },
    };
    expect(evaluate([broken], resourceViews(stack)).findings.map((f) => f.message)).toEqual([
      "no environment-file field: the fleet's SQS queues encrypt with a customer-managed KMS key; set kms_master_key_id on a queue of your own (the rule could not read the resource: no such attribute)",
      "no environment-file field: the fleet's SQS queues encrypt with a customer-managed KMS key; set kms_master_key_id on a queue of your own (the rule could not read the resource: no such attribute)",
    ]);
  });

  it('keeps a suppressed finding with its reason, and reports suppressions that match nothing', () => {
    const reason = 'a throwaway queue of the load test, holding no data';
    const stale = { rule: 'GR-ENC-05', resource: 'test-eu-infra/gone', reason };
    const { findings, unusedSuppressions } = evaluate([sqsEncryption], resourceViews(stack), [
      { rule: 'GR-ENC-05', resource: 'test-eu-infra/plain', reason },
      { rule: 'GR-ENC-05', resource: 'test-eu-infra', reason },
      stale,
    ]);
    expect(findings.map((f) => [f.path, f.suppressedBecause])).toEqual([
      ['test-eu-infra/plain', reason],
    ]);
    // Only the exact resource path suppresses: a stack-wide entry matches nothing.
    expect(unusedSuppressions.map((s) => s.resource)).toEqual([
      'test-eu-infra',
      'test-eu-infra/gone',
    ]);
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
  it('is exactly these 78 rules, with these levels', () => {
    expect(GUARDRAIL_RULES.map((rule) => [rule.id, rule.level])).toEqual([
      ['GR-AS-01', 'error'],
      ['GR-AS-02', 'error'],
      ['GR-AS-03', 'warning'],
      ['GR-AS-04', 'error'],
      ['GR-AS-05', 'warning'],
      ['GR-AS-06', 'error'],
      ['GR-AS-08', 'error'],
      ['GR-AS-09', 'warning'],
      ['GR-DUR-01', 'error'],
      ['GR-DUR-02', 'error'],
      ['GR-DUR-03', 'error'],
      ['GR-DUR-04', 'error'],
      ['GR-DUR-06', 'warning'],
      ['GR-DUR-07', 'error'],
      ['GR-DUR-08', 'warning'],
      ['GR-DUR-09', 'error'],
      ['GR-DUR-12', 'warning'],
      ['GR-DUR-13', 'warning'],
      ['GR-ENC-01', 'error'],
      ['GR-ENC-02', 'error'],
      ['GR-ENC-03', 'error'],
      ['GR-ENC-04', 'error'],
      ['GR-ENC-05', 'error'],
      ['GR-ENC-06', 'error'],
      ['GR-ENC-07', 'error'],
      ['GR-ENC-08', 'error'],
      ['GR-ENC-09', 'error'],
      ['GR-ENC-10', 'warning'],
      ['GR-ENC-11', 'error'],
      ['GR-ENC-12', 'warning'],
      ['GR-FLEET-01', 'error'],
      ['GR-FLEET-02', 'error'],
      ['GR-FLEET-03', 'error'],
      ['GR-FLEET-04', 'error'],
      ['GR-FLEET-05', 'warning'],
      ['GR-FLEET-06', 'error'],
      ['GR-FLEET-07', 'error'],
      ['GR-FLEET-08', 'error'],
      ['GR-FLEET-09', 'error'],
      ['GR-FLEET-10', 'error'],
      ['GR-FLEET-11', 'error'],
      ['GR-IAM-01', 'error'],
      ['GR-IAM-02', 'error'],
      ['GR-IAM-03', 'error'],
      ['GR-IAM-04', 'error'],
      ['GR-IAM-05', 'error'],
      ['GR-IAM-06', 'error'],
      ['GR-IAM-07', 'error'],
      ['GR-IAM-08', 'error'],
      ['GR-IAM-09', 'error'],
      ['GR-IAM-10', 'error'],
      ['GR-NET-01', 'error'],
      ['GR-NET-02', 'error'],
      ['GR-NET-03', 'error'],
      ['GR-NET-04', 'error'],
      ['GR-NET-05', 'error'],
      ['GR-NET-06', 'error'],
      ['GR-NET-07', 'error'],
      ['GR-NET-08', 'error'],
      ['GR-NET-09', 'error'],
      ['GR-NET-10', 'error'],
      ['GR-NET-11', 'error'],
      ['GR-NET-12', 'error'],
      ['GR-SEC-01', 'error'],
      ['GR-SEC-04', 'error'],
      ['GR-SEC-05', 'error'],
      ['GR-ST-01', 'error'],
      ['GR-ST-07', 'warning'],
      ['GR-WL-01', 'error'],
      ['GR-WL-02', 'error'],
      ['GR-WL-03', 'error'],
      ['GR-WL-04', 'error'],
      ['GR-WL-05', 'error'],
      ['GR-WL-06', 'error'],
      ['GR-WL-07', 'error'],
      ['GR-WL-08', 'error'],
      ['GR-WL-09', 'warning'],
      ['GR-WL-10', 'error'],
    ]);
  });

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

describe('docs/guardrails.md', () => {
  it('is up to date (run `npm run guardrails:doc`)', () => {
    const page = fs.readFileSync(path.resolve(__dirname, '../../docs/guardrails.md'), 'utf8');
    expect(page).toBe(guardrailCatalogue(GUARDRAIL_RULES));
  });
});

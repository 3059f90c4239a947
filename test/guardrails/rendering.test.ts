import * as fs from 'fs';
import * as path from 'path';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { App, Aspects, IAspect, LocalBackend, TerraformStack, Testing } from 'cdktf';
import { IConstruct } from 'constructs';
import { awsProvider } from '../../constructs/aws/provider';
import { applyGuardrails, CheckedStack, resourceViews } from '../../guardrails';
import { sqsEncryption } from '../../guardrails/rules/common/gr-enc-05-sqs-encryption';

function checkedStack(app: App, id: string): CheckedStack {
  const stack = new CheckedStack(app, id);
  awsProvider(stack, { region: 'eu-west-1', accountId: '123456789012' });
  new LocalBackend(stack, { path: `${id}.tfstate` });
  new SqsQueue(stack, 'tasks', {
    name: 'tasks',
    kmsMasterKeyId: 'arn:aws:kms:eu-west-1:123456789012:key/1',
  });
  return stack;
}

function written(app: App, stack: TerraformStack): any {
  const file = path.join(app.outdir, 'stacks', stack.node.id, 'cdk.tf.json');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

describe('a checked stack', () => {
  afterEach(() => jest.restoreAllMocks());

  it('resolves each element once per synth, for the guardrails and the synthesizer together', () => {
    const app = Testing.app();
    const stacks = [checkedStack(app, 'test-eu-infra'), checkedStack(app, 'test-eu-agents')];
    applyGuardrails(stacks, { rules: [sqsEncryption] });
    const renderQueue = jest.spyOn(SqsQueue.prototype, 'toTerraform');
    app.synth();
    expect(renderQueue).toHaveBeenCalledTimes(2);
    for (const stack of stacks) {
      expect(written(app, stack).resource.aws_sqs_queue.tasks.kms_master_key_id).toMatch(/key\/1$/);
    }
  });

  it('shows what an aspect changes after preparation, with or without guardrails', () => {
    class LongerVisibility implements IAspect {
      visit(node: IConstruct): void {
        if (node instanceof SqsQueue) node.visibilityTimeoutSeconds = 99;
      }
    }
    for (const guarded of [false, true]) {
      const app = Testing.app();
      const stacks = [checkedStack(app, 'test-eu-infra'), checkedStack(app, 'test-eu-agents')];
      for (const stack of stacks) Aspects.of(stack).add(new LongerVisibility());
      if (guarded) applyGuardrails(stacks, { rules: [sqsEncryption] });
      app.synth();
      const timeouts = stacks.map(
        (stack) => written(app, stack).resource.aws_sqs_queue.tasks.visibility_timeout_seconds,
      );
      expect({ guarded, timeouts }).toEqual({ guarded, timeouts: [99, 99] });
    }
  });

  it('keeps no rendering for a later call when the stack was not prepared in this synth', () => {
    const stack = checkedStack(Testing.app(), 'test-eu-infra');
    stack.renderForChecks();
    new SqsQueue(stack, 'late', { name: 'late' });
    expect(Object.keys(stack.toTerraform().resource.aws_sqs_queue)).toEqual(['tasks', 'late']);
  });

  it('renders afresh once that rendering was taken, so later changes show', () => {
    const stack = checkedStack(Testing.app(), 'test-eu-infra');
    stack.prepareStack();
    stack.renderForChecks();
    stack.toTerraform();
    new SqsQueue(stack, 'late', { name: 'late' });
    expect(Object.keys(stack.toTerraform().resource.aws_sqs_queue)).toEqual(['tasks', 'late']);
  });

  it('gives views with construct paths, attributes without metadata, and the backend', () => {
    const views = resourceViews(checkedStack(Testing.app(), 'test-eu-infra'));
    expect(views.map((v) => [v.path, v.type, v.address])).toEqual([
      ['test-eu-infra/tasks', 'aws_sqs_queue', 'aws_sqs_queue.tasks'],
      ['test-eu-infra/backend', 'backend.local', 'terraform.backend.local'],
    ]);
    expect(views[0].attributes).not.toHaveProperty('//');
  });
});

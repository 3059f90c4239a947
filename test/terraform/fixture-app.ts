/**
 * A small AWS app for the offline plan tests: a KMS key and two SQS queues,
 * nothing that reads from AWS at plan time. Run as an entry file (`tsx
 * test/terraform/fixture-app.ts`) it behaves like `main.ts`: `FLEET_OFFLINE`
 * and `CDKTF_OUTDIR` from the environment.
 */
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { App, Fn, TerraformOutput, TerraformStack } from 'cdktf';
import { awsProvider, parseOfflineMode } from '../../constructs/aws';
import { applyBackend } from '../../constructs/terraform/backend';

export const ACCOUNT_ID = '123456789012';
export const AWS_STACK = 'fixture-eu-infra';
export const OTHER_STACK = 'fixture-eu-notes';

/** What the plan of {@link AWS_STACK} adds, by resource type. */
export const EXPECTED_ADDS: Readonly<Record<string, number>> = {
  aws_kms_key: 1,
  aws_kms_alias: 1,
  aws_sqs_queue: 2,
  aws_sqs_queue_redrive_allow_policy: 1,
};

/** The key policy: the account administers the key, SQS of this account uses it. */
function keyPolicy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AccountAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'SqsEncryptsMessages',
        Effect: 'Allow',
        Principal: { Service: 'sqs.amazonaws.com' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT_ID } },
      },
    ],
  });
}

/** Adds the fixture's stacks: one on AWS with an S3 backend, one without any provider. */
export function addFixtureStacks(app: App, options: { offline: boolean }): TerraformStack {
  const stack = new TerraformStack(app, AWS_STACK);
  applyBackend(
    stack,
    AWS_STACK,
    { s3: { bucket: 'fleet-state', region: 'eu-west-1', kmsKeyId: 'alias/fleet-state' } },
    { offline: options.offline, environment: 'fixture' },
  );
  awsProvider(stack, {
    region: 'eu-west-1',
    accountId: ACCOUNT_ID,
    offline: options.offline,
    defaultTags: { environment: 'fixture' },
  });

  const key = new KmsKey(stack, 'queue-key', {
    description: 'Encrypts the fixture task queues',
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: keyPolicy(),
  });
  new KmsAlias(stack, 'queue-key-alias', { name: 'alias/fixture-tasks', targetKeyId: key.keyId });

  const deadLetters = new SqsQueue(stack, 'tasks-dlq', {
    name: 'fixture-tasks-dlq',
    messageRetentionSeconds: 14 * 24 * 3600,
    kmsMasterKeyId: key.arn,
  });
  const tasks = new SqsQueue(stack, 'tasks', {
    name: 'fixture-tasks',
    visibilityTimeoutSeconds: 300,
    kmsMasterKeyId: key.arn,
    kmsDataKeyReusePeriodSeconds: 300,
    redrivePolicy: Fn.jsonencode({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount: 5 }),
  });
  new SqsQueueRedriveAllowPolicy(stack, 'tasks-dlq-redrive-allow', {
    queueUrl: deadLetters.url,
    redriveAllowPolicy: Fn.jsonencode({
      redrivePermission: 'byQueue',
      sourceQueueArns: [tasks.arn],
    }),
  });

  const other = new TerraformStack(app, OTHER_STACK);
  applyBackend(other, OTHER_STACK, undefined, { offline: options.offline });
  // A provider that is not mirrored here: the stack cannot plan offline.
  new KubernetesProvider(other, 'kubernetes', { configPath: '~/.kube/config' });
  new TerraformOutput(other, 'note', { value: 'no AWS provider here' });
  return stack;
}

if (require.main === module) {
  const app = new App({ outdir: process.env.CDKTF_OUTDIR ?? 'cdktf.out' });
  addFixtureStacks(app, { offline: parseOfflineMode(process.env.FLEET_OFFLINE) });
  app.synth();
}

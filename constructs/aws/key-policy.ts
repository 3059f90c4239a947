import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Problem } from '../../model';

/**
 * Statements of the fleet's KMS key policies. No statement names a wildcard
 * principal: the account administers each key and its IAM policies grant use.
 */

/** The account administers the key; its IAM policies grant the key's use. */
export function accountAdministersKey(accountId: string): object {
  return {
    Sid: 'AccountAdministersKey',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${accountId}:root` },
    Action: 'kms:*',
    Resource: '*',
  };
}

/** CloudWatch Logs of the region may encrypt one log group with the key, and nothing else. */
export function logsEncryptLogGroup(
  sid: string,
  accountId: string,
  region: string,
  logGroupName: string,
): object {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: [
      'kms:Encrypt*',
      'kms:Decrypt*',
      'kms:ReEncrypt*',
      'kms:GenerateDataKey*',
      'kms:Describe*',
    ],
    Resource: '*',
    Condition: {
      ArnEquals: {
        'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${region}:${accountId}:log-group:${logGroupName}`,
      },
    },
  };
}

/** A key policy of the given statements. */
export function keyPolicyDocument(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** A key policy that names nobody but the account. */
export function rootOnlyKeyPolicy(accountId: string): string {
  return keyPolicyDocument(accountAdministersKey(accountId));
}

/**
 * A customer-managed key of one resource (children `Key` and `KeyAlias` of
 * `scope`): rotated yearly, 30 days' deletion window, `prevent_destroy`, a
 * policy that names only the account (its IAM policies grant the key's use).
 * @returns the key's ARN
 */
export function ownKey(
  scope: Construct,
  props: { readonly description: string; readonly alias: string; readonly accountId: string },
): string {
  const key = new KmsKey(scope, 'Key', {
    description: props.description,
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: rootOnlyKeyPolicy(props.accountId),
    lifecycle: { preventDestroy: true },
  });
  new KmsAlias(scope, 'KeyAlias', { name: props.alias, targetKeyId: key.keyId });
  return key.arn;
}

/**
 * The problem of a KMS key ARN given for a resource's encryption, if it is
 * not one (a token passes: it is resolved at apply time).
 */
export function kmsKeyArnProblems(key: string | undefined): Problem[] {
  if (key === undefined || Token.isUnresolved(key)) return [];
  if (/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/.test(key)) return [];
  return [
    {
      path: ['encryptionKeyArn'],
      message: `'${key}' is not a KMS key ARN such as 'arn:aws:kms:eu-west-1:123456789012:key/<id>'`,
    },
  ];
}

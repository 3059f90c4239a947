import { GuardrailRule } from '../../engine/types';
import { autoscalingGroup } from './gr-as-08-autoscaling-group';
import { dynamodbAutoscaling } from './gr-as-09-dynamodb-autoscaling';
import { dynamodbPointInTimeRecovery } from './gr-dur-01-dynamodb-pitr';
import { dynamodbDeletionProtection } from './gr-dur-02-dynamodb-deletion-protection';
import { mqRabbitMqCluster } from './gr-dur-06-mq-rabbitmq-cluster';
import { sqsRedrive } from './gr-dur-07-sqs-redrive';
import { eksSecretsEncryption } from './gr-enc-01-eks-secrets-encryption';
import { mskEncryption } from './gr-enc-02-msk-encryption';
import { mqCustomerManagedKey } from './gr-enc-03-mq-cmk';
import { dynamodbCustomerManagedKey } from './gr-enc-04-dynamodb-cmk';
import { launchTemplateVolumeEncryption } from './gr-enc-06-launch-template-volumes';
import { kmsKeyHygiene } from './gr-enc-07-kms-key-hygiene';
import { launchTemplateImdsV2 } from './gr-iam-01-launch-template-imdsv2';
import { iamLeastPrivilege } from './gr-iam-04-least-privilege';
import { mskAclDefault } from './gr-iam-09-msk-acl-default';
import { eksEndpointAccess } from './gr-net-01-eks-endpoint';
import { noOpenIngress } from './gr-net-02-no-open-ingress';
import { mskPrivate } from './gr-net-03-msk-private';
import { mqPrivate } from './gr-net-04-mq-private';
import { launchTemplateNoPublicIp } from './gr-net-05-launch-template-no-public-ip';
import { sqsQueuePolicy } from './gr-net-06-sqs-queue-policy';

/** The AWS guardrail rules (GR-ENC-05 is registered on its own), in id order. */
export const AWS_RULES: readonly GuardrailRule[] = [
  autoscalingGroup,
  dynamodbAutoscaling,
  dynamodbPointInTimeRecovery,
  dynamodbDeletionProtection,
  mqRabbitMqCluster,
  sqsRedrive,
  eksSecretsEncryption,
  mskEncryption,
  mqCustomerManagedKey,
  dynamodbCustomerManagedKey,
  launchTemplateVolumeEncryption,
  kmsKeyHygiene,
  launchTemplateImdsV2,
  iamLeastPrivilege,
  mskAclDefault,
  eksEndpointAccess,
  noOpenIngress,
  mskPrivate,
  mqPrivate,
  launchTemplateNoPublicIp,
  sqsQueuePolicy,
];

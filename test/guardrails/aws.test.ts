import { AppautoscalingTarget } from '@cdktf/provider-aws/lib/appautoscaling-target';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { AutoscalingLifecycleHook } from '@cdktf/provider-aws/lib/autoscaling-lifecycle-hook';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DocdbCluster, DocdbClusterConfig } from '@cdktf/provider-aws/lib/docdb-cluster';
import { DsqlCluster, DsqlClusterConfig } from '@cdktf/provider-aws/lib/dsql-cluster';
import { DynamodbTable, DynamodbTableConfig } from '@cdktf/provider-aws/lib/dynamodb-table';
import { EbsEncryptionByDefault } from '@cdktf/provider-aws/lib/ebs-encryption-by-default';
import { EksCluster, EksClusterConfig } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { KeyspacesKeyspace } from '@cdktf/provider-aws/lib/keyspaces-keyspace';
import { KeyspacesTable, KeyspacesTableConfig } from '@cdktf/provider-aws/lib/keyspaces-table';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { LaunchTemplate, LaunchTemplateConfig } from '@cdktf/provider-aws/lib/launch-template';
import { MqBroker, MqBrokerConfig } from '@cdktf/provider-aws/lib/mq-broker';
import { MskCluster, MskClusterConfig } from '@cdktf/provider-aws/lib/msk-cluster';
import { MskConfiguration } from '@cdktf/provider-aws/lib/msk-configuration';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { TerraformStack } from 'cdktf';
import { AmazonMqBroker } from '../../constructs/aws/amazon-mq-broker';
import { ClusterAutoscalerRole } from '../../constructs/aws/cluster-autoscaler-role';
import { ownKey, rootOnlyKeyPolicy } from '../../constructs/aws/key-policy';
import { GuardrailRule } from '../../guardrails';
import { autoscalingGroup } from '../../guardrails/rules/aws/gr-as-08-autoscaling-group';
import { dynamodbAutoscaling } from '../../guardrails/rules/aws/gr-as-09-dynamodb-autoscaling';
import { dynamodbPointInTimeRecovery } from '../../guardrails/rules/aws/gr-dur-01-dynamodb-pitr';
import { dynamodbDeletionProtection } from '../../guardrails/rules/aws/gr-dur-02-dynamodb-deletion-protection';
import { mqRabbitMqCluster } from '../../guardrails/rules/aws/gr-dur-06-mq-rabbitmq-cluster';
import { sqsRedrive } from '../../guardrails/rules/aws/gr-dur-07-sqs-redrive';
import { eksSecretsEncryption } from '../../guardrails/rules/aws/gr-enc-01-eks-secrets-encryption';
import { mskEncryption } from '../../guardrails/rules/aws/gr-enc-02-msk-encryption';
import { mqCustomerManagedKey } from '../../guardrails/rules/aws/gr-enc-03-mq-cmk';
import { dynamodbCustomerManagedKey } from '../../guardrails/rules/aws/gr-enc-04-dynamodb-cmk';
import { launchTemplateVolumeEncryption } from '../../guardrails/rules/aws/gr-enc-06-launch-template-volumes';
import { kmsKeyHygiene } from '../../guardrails/rules/aws/gr-enc-07-kms-key-hygiene';
import { launchTemplateImdsV2 } from '../../guardrails/rules/aws/gr-iam-01-launch-template-imdsv2';
import { iamLeastPrivilege } from '../../guardrails/rules/aws/gr-iam-04-least-privilege';
import { mskAclDefault } from '../../guardrails/rules/aws/gr-iam-09-msk-acl-default';
import { eksEndpointAccess } from '../../guardrails/rules/aws/gr-net-01-eks-endpoint';
import { noOpenIngress } from '../../guardrails/rules/aws/gr-net-02-no-open-ingress';
import { mskPrivate } from '../../guardrails/rules/aws/gr-net-03-msk-private';
import { mqPrivate } from '../../guardrails/rules/aws/gr-net-04-mq-private';
import { launchTemplateNoPublicIp } from '../../guardrails/rules/aws/gr-net-05-launch-template-no-public-ip';
import { sqsQueuePolicy } from '../../guardrails/rules/aws/gr-net-06-sqs-queue-policy';
import { AWS_RULES } from '../../guardrails/rules/aws/index';
import { preventDestroy } from '../../guardrails/rules/common/gr-dur-09-prevent-destroy';
import { findingsOf } from '../support/guardrail-findings';

const ACCOUNT = '123456789012';
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/00000000-0000-4000-8000-000000000001`;
const SUBNETS = ['subnet-a', 'subnet-b', 'subnet-c'];

/** `[rule, level, message]` of each finding of one rule over what `build` adds. */
function found(rule: GuardrailRule, build: (stack: TerraformStack) => void): string[][] {
  return findingsOf(rule, build).map((f) => [f.rule, f.level, f.message]);
}

/** The single finding's message, after checking it is the rule's, at its level. */
function messageOf(rule: GuardrailRule, build: (stack: TerraformStack) => void): string {
  const findings = found(rule, build);
  expect(findings).toHaveLength(1);
  expect(findings[0].slice(0, 2)).toEqual([rule.id, rule.level]);
  expect(findings[0][2].startsWith(rule.fix)).toBe(true);
  return findings[0][2];
}

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const DENY_PLAIN_TRANSPORT = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'sqs:*',
  Resource: '*',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

function rotatedKey(stack: TerraformStack, id = 'Key', rotation = true): KmsKey {
  return new KmsKey(stack, id, {
    enableKeyRotation: rotation,
    policy: rootOnlyKeyPolicy(ACCOUNT),
    lifecycle: { preventDestroy: true },
  });
}

function eks(
  stack: TerraformStack,
  overrides: Partial<EksClusterConfig> & { vpcConfig?: EksClusterConfig['vpcConfig'] } = {},
): EksCluster {
  return new EksCluster(stack, 'Cluster', {
    name: 'test',
    roleArn: `arn:aws:iam::${ACCOUNT}:role/eks`,
    vpcConfig: { subnetIds: SUBNETS, endpointPublicAccess: false, endpointPrivateAccess: true },
    encryptionConfig: { resources: ['secrets'], provider: { keyArn: KEY_ARN } },
    ...overrides,
  });
}

function msk(stack: TerraformStack, overrides: Partial<MskClusterConfig> = {}): MskCluster {
  return new MskCluster(stack, 'Kafka', {
    clusterName: 'events',
    kafkaVersion: '3.8.x',
    numberOfBrokerNodes: 3,
    brokerNodeGroupInfo: {
      clientSubnets: SUBNETS,
      instanceType: 'kafka.m7g.large',
      securityGroups: ['sg-1'],
    },
    encryptionInfo: {
      encryptionAtRestKmsKeyArn: KEY_ARN,
      encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
    },
    clientAuthentication: { sasl: { iam: true }, unauthenticated: false },
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
}

function mq(stack: TerraformStack, overrides: Partial<MqBrokerConfig> = {}): MqBroker {
  return new MqBroker(stack, 'Broker', {
    brokerName: 'jobs',
    engineType: 'RabbitMQ',
    engineVersion: '3.13',
    hostInstanceType: 'mq.m5.large',
    user: [{ username: 'admin', password: 'not-a-real-password' }],
    ...overrides,
  });
}

/** The project's broker, as a site builds it. */
function projectBroker(stack: TerraformStack, production: boolean): AmazonMqBroker {
  return new AmazonMqBroker(stack, 'AmazonMq', {
    name: 'test-eu-jobs',
    vpcId: 'vpc-1',
    subnetIds: production ? SUBNETS : SUBNETS.slice(0, 1),
    production,
    engineVersion: '3.13',
    accountId: ACCOUNT,
    region: 'eu-west-1',
    clientSecurityGroupIds: ['sg-clients'],
  });
}

function table(stack: TerraformStack, overrides: Partial<DynamodbTableConfig> = {}): DynamodbTable {
  return new DynamodbTable(stack, 'Table', {
    name: 'inventory',
    hashKey: 'sku',
    attribute: [{ name: 'sku', type: 'S' }],
    billingMode: 'PAY_PER_REQUEST',
    serverSideEncryption: { enabled: true, kmsKeyArn: KEY_ARN },
    pointInTimeRecovery: { enabled: true },
    deletionProtectionEnabled: true,
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
}

/** An Aurora DSQL cluster as the fleet builds it: deletion protection, its own key, prevent_destroy. */
function dsqlCluster(
  stack: TerraformStack,
  overrides: Partial<DsqlClusterConfig> = {},
): DsqlCluster {
  return new DsqlCluster(stack, 'Dsql', {
    deletionProtectionEnabled: true,
    kmsEncryptionKey: KEY_ARN,
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
}

/** A DocumentDB cluster as the fleet builds it: encrypted with its key, protected. */
function docdbCluster(
  stack: TerraformStack,
  overrides: Partial<DocdbClusterConfig> = {},
): DocdbCluster {
  return new DocdbCluster(stack, 'Docdb', {
    clusterIdentifier: 'test-eu',
    storageEncrypted: true,
    kmsKeyId: KEY_ARN,
    deletionProtection: true,
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
}

/** A Keyspaces table as the fleet builds it: PITR, a customer-managed key, prevent_destroy. */
function keyspacesTable(
  stack: TerraformStack,
  overrides: Partial<KeyspacesTableConfig> = {},
): KeyspacesTable {
  return new KeyspacesTable(stack, 'KeyspacesTable', {
    keyspaceName: 'test_eu_readings',
    tableName: 'readings',
    schemaDefinition: { column: [{ name: 'id', type: 'text' }], partitionKey: [{ name: 'id' }] },
    pointInTimeRecovery: { status: 'ENABLED' },
    encryptionSpecification: { type: 'CUSTOMER_MANAGED_KMS_KEY', kmsKeyIdentifier: KEY_ARN },
    lifecycle: { preventDestroy: true },
    ...overrides,
  });
}

function launchTemplate(
  stack: TerraformStack,
  overrides: Partial<LaunchTemplateConfig> = {},
): LaunchTemplate {
  return new LaunchTemplate(stack, 'LaunchTemplate', {
    namePrefix: 'agents-',
    blockDeviceMappings: [
      { deviceName: '/dev/xvda', ebs: { encrypted: 'true', volumeSize: 30, volumeType: 'gp3' } },
    ],
    metadataOptions: {
      httpEndpoint: 'enabled',
      httpTokens: 'required',
      httpPutResponseHopLimit: 1,
    },
    networkInterfaces: [{ associatePublicIpAddress: 'false', securityGroups: ['sg-1'] }],
    ...overrides,
  });
}

function queue(stack: TerraformStack, id: string, withPolicy: object[] | undefined): SqsQueue {
  const q = new SqsQueue(stack, id, { name: id, kmsMasterKeyId: KEY_ARN });
  if (withPolicy)
    new SqsQueuePolicy(stack, `${id}Policy`, { queueUrl: q.url, policy: policy(...withPolicy) });
  return q;
}

describe('GR-ENC-01 EKS secrets encryption', () => {
  it('accepts Secrets encrypted with a rotated key of the stack', () => {
    expect(
      found(eksSecretsEncryption, (stack) => {
        const key = rotatedKey(stack);
        eks(stack, { encryptionConfig: { resources: ['secrets'], provider: { keyArn: key.arn } } });
      }),
    ).toEqual([]);
  });

  it('refuses a key of the stack that does not rotate', () => {
    const message = messageOf(eksSecretsEncryption, (stack) => {
      const key = rotatedKey(stack, 'Key', false);
      eks(stack, { encryptionConfig: { resources: ['secrets'], provider: { keyArn: key.arn } } });
    });
    expect(message).toMatch(/key aws_kms_key\.Key does not rotate/);
  });

  it('refuses a cluster without encryption_config', () => {
    expect(
      messageOf(eksSecretsEncryption, (stack) => eks(stack, { encryptionConfig: undefined })),
    ).toMatch(/no encryption_config/);
  });
});

describe('GR-ENC-02 MSK encryption', () => {
  it('accepts TLS in transit, in the cluster and a key at rest', () => {
    expect(found(mskEncryption, (stack) => msk(stack))).toEqual([]);
  });

  it('refuses plaintext to clients and between brokers, and no key at rest', () => {
    const message = messageOf(mskEncryption, (stack) =>
      msk(stack, {
        encryptionInfo: {
          encryptionInTransit: { clientBroker: 'TLS_PLAINTEXT', inCluster: false },
        },
      }),
    );
    expect(message).toMatch(/client_broker is "TLS_PLAINTEXT", not "TLS"/);
    expect(message).toMatch(/in_cluster is false, not true/);
    expect(message).toMatch(/no encryption_at_rest_kms_key_arn/);
  });
});

describe('GR-ENC-03 Amazon MQ CMK', () => {
  it("accepts the project's broker, encrypted with its own key", () => {
    expect(found(mqCustomerManagedKey, (stack) => projectBroker(stack, false))).toEqual([]);
  });

  it('refuses the AWS-owned key (the default)', () => {
    expect(messageOf(mqCustomerManagedKey, (stack) => mq(stack))).toMatch(
      /use_aws_owned_key is not false/,
    );
  });
});

describe('GR-ENC-04 DynamoDB CMK', () => {
  it('accepts SSE with a customer-managed key', () => {
    expect(found(dynamodbCustomerManagedKey, (stack) => table(stack))).toEqual([]);
  });

  it('refuses SSE with the AWS-managed key', () => {
    expect(
      messageOf(dynamodbCustomerManagedKey, (stack) =>
        table(stack, { serverSideEncryption: { enabled: true } }),
      ),
    ).toMatch(/no customer-managed kms_key_arn/);
  });

  it('refuses a replica without a key', () => {
    expect(
      messageOf(dynamodbCustomerManagedKey, (stack) =>
        table(stack, { replica: [{ regionName: 'eu-central-1' }] }),
      ),
    ).toMatch(/replicas without kms_key_arn: eu-central-1/);
  });
});

describe('GR-ENC-04 Keyspaces CMK', () => {
  it('accepts a table encrypted with a customer-managed key', () => {
    expect(found(dynamodbCustomerManagedKey, (stack) => keyspacesTable(stack))).toEqual([]);
  });

  it('refuses the AWS-owned key (the default)', () => {
    expect(
      messageOf(dynamodbCustomerManagedKey, (stack) =>
        keyspacesTable(stack, { encryptionSpecification: undefined }),
      ),
    ).toMatch(/encryption_specification\.type is unset: an AWS-owned key encrypts the table/);
  });
});

describe('GR-ENC-04 Aurora DSQL CMK', () => {
  it('accepts a cluster encrypted with a customer-managed key', () => {
    expect(found(dynamodbCustomerManagedKey, (stack) => dsqlCluster(stack))).toEqual([]);
  });

  it('refuses the AWS-owned key (the default)', () => {
    expect(
      messageOf(dynamodbCustomerManagedKey, (stack) =>
        dsqlCluster(stack, { kmsEncryptionKey: undefined }),
      ),
    ).toMatch(/no customer-managed kms_encryption_key/);
  });
});

describe('GR-ENC-04 DocumentDB CMK', () => {
  it('accepts storage encrypted with a customer-managed key', () => {
    expect(found(dynamodbCustomerManagedKey, (stack) => docdbCluster(stack))).toEqual([]);
  });

  it('refuses unencrypted storage (the default) and the AWS-managed key', () => {
    expect(
      messageOf(dynamodbCustomerManagedKey, (stack) =>
        docdbCluster(stack, { storageEncrypted: undefined }),
      ),
    ).toMatch(/storage_encrypted is not true/);
    expect(
      messageOf(dynamodbCustomerManagedKey, (stack) =>
        docdbCluster(stack, { kmsKeyId: undefined }),
      ),
    ).toMatch(/no kms_key_id/);
  });
});

describe('GR-ENC-06 launch template volumes', () => {
  it('accepts encrypted volumes', () => {
    expect(found(launchTemplateVolumeEncryption, (stack) => launchTemplate(stack))).toEqual([]);
  });

  it("accepts the AMI's volumes when the account encrypts EBS by default", () => {
    expect(
      found(launchTemplateVolumeEncryption, (stack) => {
        new EbsEncryptionByDefault(stack, 'EbsDefault', { enabled: true });
        launchTemplate(stack, { blockDeviceMappings: undefined });
      }),
    ).toEqual([]);
  });

  it('refuses an unencrypted volume', () => {
    expect(
      messageOf(launchTemplateVolumeEncryption, (stack) =>
        launchTemplate(stack, {
          blockDeviceMappings: [{ deviceName: '/dev/xvdb', ebs: { encrypted: 'false' } }],
        }),
      ),
    ).toMatch(/unencrypted volumes: \/dev\/xvdb/);
  });
});

describe('GR-ENC-07 KMS key hygiene', () => {
  it("accepts the project's key: rotated, the account root only", () => {
    expect(
      found(kmsKeyHygiene, (stack) =>
        ownKey(stack, { description: 'test', alias: 'alias/test', accountId: ACCOUNT }),
      ),
    ).toEqual([]);
  });

  it('refuses a key without rotation whose policy allows anyone', () => {
    const message = messageOf(kmsKeyHygiene, (stack) => {
      new KmsKey(stack, 'Key', {
        policy: policy({
          Sid: 'Anyone',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'kms:Decrypt',
          Resource: '*',
        }),
      });
    });
    expect(message).toMatch(/enable_key_rotation is not true/);
    expect(message).toMatch(/the policy allows a \* principal \(Anyone\)/);
  });
});

describe('GR-NET-01 EKS endpoint', () => {
  it('accepts a private endpoint, or a public one for listed CIDRs', () => {
    expect(found(eksEndpointAccess, (stack) => eks(stack))).toEqual([]);
    expect(
      found(eksEndpointAccess, (stack) =>
        eks(stack, {
          vpcConfig: {
            subnetIds: SUBNETS,
            endpointPublicAccess: true,
            publicAccessCidrs: ['203.0.113.0/24'],
          },
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a public endpoint open to the internet, stated or by default', () => {
    expect(
      messageOf(eksEndpointAccess, (stack) =>
        eks(stack, {
          vpcConfig: {
            subnetIds: SUBNETS,
            endpointPublicAccess: true,
            publicAccessCidrs: ['0.0.0.0/0'],
          },
        }),
      ),
    ).toMatch(/public endpoint: '0\.0\.0\.0\/0' covers 3,702,390,784 public IPv4 addresses/);
    expect(
      messageOf(eksEndpointAccess, (stack) =>
        eks(stack, {
          vpcConfig: {
            subnetIds: SUBNETS,
            endpointPublicAccess: true,
            publicAccessCidrs: ['0.0.0.0/1', '128.0.0.0/1'],
          },
        }),
      ),
    ).toMatch(
      /'0\.0\.0\.0\/1', '128\.0\.0\.0\/1' together cover 3,702,390,784 public IPv4 addresses/,
    );
    expect(
      messageOf(eksEndpointAccess, (stack) => eks(stack, { vpcConfig: { subnetIds: SUBNETS } })),
    ).toMatch(/public endpoint without public_access_cidrs/);
  });
});

describe('GR-NET-02 no open ingress', () => {
  it('accepts ingress from private CIDRs and security groups, and node groups without SSH', () => {
    expect(
      found(noOpenIngress, (stack) => {
        const group = new SecurityGroup(stack, 'Group', {
          vpcId: 'vpc-1',
          ingress: [{ fromPort: 443, toPort: 443, protocol: 'tcp', cidrBlocks: ['10.0.0.0/8'] }],
        });
        new VpcSecurityGroupIngressRule(stack, 'FromClients', {
          securityGroupId: group.id,
          referencedSecurityGroupId: 'sg-clients',
          ipProtocol: 'tcp',
          fromPort: 9098,
          toPort: 9098,
        });
        new EksNodeGroup(stack, 'Nodes', {
          clusterName: 'test',
          nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/node`,
          subnetIds: SUBNETS,
          scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 },
        });
      }),
    ).toEqual([]);
  });

  it('refuses SSH from the internet', () => {
    expect(
      messageOf(
        noOpenIngress,
        (stack) =>
          new VpcSecurityGroupIngressRule(stack, 'Ssh', {
            securityGroupId: 'sg-1',
            cidrIpv4: '0.0.0.0/0',
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
          }),
      ),
    ).toMatch(/ingress from 0\.0\.0\.0\/0 on tcp 22-22/);
  });

  it('refuses an inline ingress block open to IPv6 anywhere', () => {
    expect(
      messageOf(
        noOpenIngress,
        (stack) =>
          new SecurityGroup(stack, 'Group', {
            vpcId: 'vpc-1',
            ingress: [{ fromPort: 0, toPort: 0, protocol: '-1', ipv6CidrBlocks: ['::/0'] }],
          }),
      ),
    ).toMatch(/ingress from ::\/0 on all ports/);
  });

  it('refuses a node group with remote access', () => {
    expect(
      messageOf(
        noOpenIngress,
        (stack) =>
          new EksNodeGroup(stack, 'Nodes', {
            clusterName: 'test',
            nodeRoleArn: `arn:aws:iam::${ACCOUNT}:role/node`,
            subnetIds: SUBNETS,
            scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 1 },
            remoteAccess: { ec2SshKey: 'ops' },
          }),
      ),
    ).toMatch(/remote_access without source_security_group_ids opens SSH to 0\.0\.0\.0\/0/);
  });
});

describe('GR-NET-03 MSK private', () => {
  it('accepts public access disabled', () => {
    expect(found(mskPrivate, (stack) => msk(stack))).toEqual([]);
  });

  it('refuses public access through service-provided EIPs', () => {
    expect(
      messageOf(mskPrivate, (stack) =>
        msk(stack, {
          brokerNodeGroupInfo: {
            clientSubnets: SUBNETS,
            instanceType: 'kafka.m7g.large',
            securityGroups: ['sg-1'],
            connectivityInfo: { publicAccess: { type: 'SERVICE_PROVIDED_EIPS' } },
          },
        }),
      ),
    ).toMatch(/public_access\.type is "SERVICE_PROVIDED_EIPS"/);
  });
});

describe('GR-NET-04 Amazon MQ private', () => {
  it("accepts the project's broker", () => {
    expect(found(mqPrivate, (stack) => projectBroker(stack, false))).toEqual([]);
  });

  it('refuses a publicly accessible broker', () => {
    expect(messageOf(mqPrivate, (stack) => mq(stack, { publiclyAccessible: true }))).toMatch(
      /publicly_accessible is true/,
    );
  });
});

describe('GR-NET-05 launch template without public IP', () => {
  it('accepts interfaces without a public IP', () => {
    expect(found(launchTemplateNoPublicIp, (stack) => launchTemplate(stack))).toEqual([]);
  });

  it('refuses an interface with a public IP', () => {
    expect(
      messageOf(launchTemplateNoPublicIp, (stack) =>
        launchTemplate(stack, {
          networkInterfaces: [{ associatePublicIpAddress: 'true', deviceIndex: 0 }],
        }),
      ),
    ).toMatch(/associate_public_ip_address is true on network interface 0/);
  });
});

describe('GR-NET-06 SQS queue policy', () => {
  it('accepts a queue whose policy denies plain transport and grants a named principal', () => {
    expect(
      found(sqsQueuePolicy, (stack) =>
        queue(stack, 'jobs', [
          DENY_PLAIN_TRANSPORT,
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/producer` },
            Action: 'sqs:SendMessage',
            Resource: '*',
          },
        ]),
      ),
    ).toEqual([]);
  });

  it('refuses a world-open policy without a TLS deny', () => {
    const message = messageOf(sqsQueuePolicy, (stack) =>
      queue(stack, 'jobs', [
        { Sid: 'Open', Effect: 'Allow', Principal: '*', Action: 'sqs:*', Resource: '*' },
      ]),
    );
    expect(message).toMatch(/Open allows a \* principal without conditions/);
    expect(message).toMatch(/Open allows sqs:\* without conditions/);
    expect(message).toMatch(/no statement denies requests without TLS/);
  });

  it('refuses a queue without a policy', () => {
    expect(messageOf(sqsQueuePolicy, (stack) => queue(stack, 'jobs', undefined))).toMatch(
      /no queue policy: nothing denies requests without TLS/,
    );
  });
});

describe('GR-IAM-01 launch template IMDSv2', () => {
  it('accepts required tokens with a hop limit of 1', () => {
    expect(found(launchTemplateImdsV2, (stack) => launchTemplate(stack))).toEqual([]);
  });

  it('refuses optional tokens and a hop limit of 2', () => {
    const message = messageOf(launchTemplateImdsV2, (stack) =>
      launchTemplate(stack, {
        metadataOptions: { httpTokens: 'optional', httpPutResponseHopLimit: 2 },
      }),
    );
    expect(message).toMatch(/http_tokens is "optional", not "required"/);
    expect(message).toMatch(/http_put_response_hop_limit is 2, not 1/);
  });

  it('refuses a template without metadata options', () => {
    expect(
      messageOf(launchTemplateImdsV2, (stack) =>
        launchTemplate(stack, { metadataOptions: undefined }),
      ),
    ).toMatch(/http_tokens is null/);
  });
});

describe('GR-IAM-04 least privilege', () => {
  it("accepts the project's cluster autoscaler role: describe calls on *, scaling on tagged groups", () => {
    expect(
      found(
        iamLeastPrivilege,
        (stack) =>
          new ClusterAutoscalerRole(stack, 'ClusterAutoscaler', {
            clusterName: 'test',
            accountId: ACCOUNT,
            oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE`,
            oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE',
          }),
      ),
    ).toEqual([]);
  });

  it('accepts Keyspaces actions through a VPC endpoint only, and refuses them without it', () => {
    const keyspaces = (condition?: object) =>
      policy({
        Sid: 'Rows',
        Effect: 'Allow',
        Action: ['cassandra:Select', 'cassandra:Modify'],
        Resource: 'arn:aws:cassandra:eu-west-1:1:/keyspace/k/table/t',
        ...(condition ? { Condition: condition } : {}),
      });
    expect(
      found(
        iamLeastPrivilege,
        (stack) =>
          new IamRolePolicy(stack, 'Policy', {
            role: 'agent',
            policy: keyspaces({ StringEquals: { 'aws:SourceVpce': 'vpce-1' } }),
          }),
      ),
    ).toEqual([]);
    expect(
      messageOf(
        iamLeastPrivilege,
        (stack) => new IamRolePolicy(stack, 'Policy', { role: 'agent', policy: keyspaces() }),
      ),
    ).toMatch(/Rows allows cassandra:Select, cassandra:Modify without an aws:SourceVpce condition/);
  });

  it('refuses a whole-service action, a write on *, a data read on * and role passing', () => {
    const message = messageOf(
      iamLeastPrivilege,
      (stack) =>
        new IamRolePolicy(stack, 'Policy', {
          role: 'agent',
          policy: policy(
            {
              Sid: 'Queue',
              Effect: 'Allow',
              Action: 'sqs:*',
              Resource: 'arn:aws:sqs:eu-west-1:1:q',
            },
            {
              Sid: 'Ec2',
              Effect: 'Allow',
              Action: ['ec2:DescribeInstances', 'ec2:TerminateInstances'],
              Resource: '*',
            },
            { Sid: 'Objects', Effect: 'Allow', Action: 's3:Get*', Resource: '*' },
            { Sid: 'Pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
          ),
        }),
    );
    expect(message).toMatch(/policy Queue allows action sqs:\*/);
    expect(message).toMatch(/policy Ec2 allows ec2:TerminateInstances on resource \*/);
    expect(message).not.toMatch(/ec2:DescribeInstances/);
    expect(message).toMatch(/policy Objects allows s3:Get\* on resource \*/);
    expect(message).toMatch(/policy Pass allows iam:PassRole on every role/);
  });

  it('reads policies whose interpolations hold quotes, as Terraform evaluates them first', () => {
    const topic =
      'arn:aws:kafka:eu-west-1:1:topic/events/${element(split("/", aws_msk_cluster.k.arn), 2)}/t';
    expect(
      messageOf(
        iamLeastPrivilege,
        (stack) =>
          new IamRolePolicy(stack, 'Policy', {
            role: 'agent',
            policy: `{"Statement":[{"Sid":"Topics","Effect":"Allow","Action":"kafka-cluster:*","Resource":"${topic}"}]}`,
          }),
      ),
    ).toMatch(/policy Topics allows action kafka-cluster:\*/);
  });

  it('refuses privilege escalation and AdministratorAccess', () => {
    expect(
      messageOf(
        iamLeastPrivilege,
        (stack) =>
          new IamRolePolicy(stack, 'Policy', {
            role: 'agent',
            policy: policy({
              Sid: 'Escalate',
              Effect: 'Allow',
              Action: 'iam:Put*',
              Resource: `arn:aws:iam::${ACCOUNT}:role/agent`,
            }),
          }),
      ),
    ).toMatch(/policy Escalate allows privilege escalation through iam:PutUserPolicy/);
    expect(
      messageOf(
        iamLeastPrivilege,
        (stack) =>
          new IamRolePolicyAttachment(stack, 'Admin', {
            role: 'agent',
            policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
          }),
      ),
    ).toMatch(/attaches arn:aws:iam::aws:policy\/AdministratorAccess/);
  });
});

describe('GR-IAM-09 MSK ACL default', () => {
  it('accepts a configuration that denies access without an ACL, and IAM clients', () => {
    expect(
      found(mskAclDefault, (stack) => {
        const configuration = new MskConfiguration(stack, 'Configuration', {
          name: 'events',
          kafkaVersions: ['3.8.x'],
          serverProperties: 'min.insync.replicas=2\nallow.everyone.if.no.acl.found=false',
        });
        msk(stack, {
          configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
        });
      }),
    ).toEqual([]);
  });

  it("refuses a configuration that leaves MSK's default (true)", () => {
    expect(
      messageOf(
        mskAclDefault,
        (stack) =>
          new MskConfiguration(stack, 'Configuration', {
            name: 'events',
            kafkaVersions: ['3.8.x'],
            serverProperties: 'min.insync.replicas=2',
          }),
      ),
    ).toMatch(/allow\.everyone\.if\.no\.acl\.found is not stated: MSK's default is true/);
  });

  it('refuses SCRAM clients on the default configuration, and unauthenticated clients', () => {
    expect(
      messageOf(mskAclDefault, (stack) =>
        msk(stack, { clientAuthentication: { sasl: { scram: true }, unauthenticated: false } }),
      ),
    ).toMatch(/Kafka ACLs with MSK's default configuration/);
    expect(
      messageOf(mskAclDefault, (stack) =>
        msk(stack, { clientAuthentication: { unauthenticated: true } }),
      ),
    ).toMatch(/clients may connect unauthenticated/);
  });
});

describe('GR-DUR-01 DynamoDB PITR', () => {
  it('accepts point-in-time recovery', () => {
    expect(found(dynamodbPointInTimeRecovery, (stack) => table(stack))).toEqual([]);
  });

  it('refuses a table without it', () => {
    expect(
      messageOf(dynamodbPointInTimeRecovery, (stack) =>
        table(stack, { pointInTimeRecovery: { enabled: false } }),
      ),
    ).toMatch(/point_in_time_recovery\.enabled is not true/);
  });
});

describe('GR-DUR-01 Keyspaces PITR', () => {
  it('accepts point-in-time recovery', () => {
    expect(found(dynamodbPointInTimeRecovery, (stack) => keyspacesTable(stack))).toEqual([]);
  });

  it('refuses a table without it (the default)', () => {
    expect(
      messageOf(dynamodbPointInTimeRecovery, (stack) =>
        keyspacesTable(stack, { pointInTimeRecovery: undefined }),
      ),
    ).toMatch(/point_in_time_recovery\.status is unset, not ENABLED/);
  });
});

describe('GR-DUR-02 DynamoDB deletion protection', () => {
  it('accepts deletion protection with prevent_destroy', () => {
    expect(found(dynamodbDeletionProtection, (stack) => table(stack))).toEqual([]);
  });

  it('refuses a table with neither', () => {
    const message = messageOf(dynamodbDeletionProtection, (stack) =>
      table(stack, { deletionProtectionEnabled: undefined, lifecycle: undefined }),
    );
    expect(message).toMatch(
      /deletion_protection_enabled is not true; no lifecycle\.prevent_destroy/,
    );
  });
});

describe('GR-DUR-02 Aurora DSQL deletion protection', () => {
  it('accepts deletion protection with prevent_destroy', () => {
    expect(found(dynamodbDeletionProtection, (stack) => dsqlCluster(stack))).toEqual([]);
  });

  it('refuses a cluster without deletion protection', () => {
    expect(
      messageOf(dynamodbDeletionProtection, (stack) =>
        dsqlCluster(stack, { deletionProtectionEnabled: false }),
      ),
    ).toMatch(/\(deletion_protection_enabled is not true\)$/);
  });
});

describe('GR-DUR-02 DocumentDB deletion protection', () => {
  it('accepts deletion protection with prevent_destroy', () => {
    expect(found(dynamodbDeletionProtection, (stack) => docdbCluster(stack))).toEqual([]);
  });

  it('refuses a cluster without either (the defaults)', () => {
    expect(
      messageOf(dynamodbDeletionProtection, (stack) =>
        docdbCluster(stack, { deletionProtection: undefined, lifecycle: undefined }),
      ),
    ).toMatch(/deletion_protection is not true; no lifecycle\.prevent_destroy/);
  });
});

describe('GR-DUR-06 Amazon MQ RabbitMQ cluster', () => {
  it("accepts the project's production broker (CLUSTER_MULTI_AZ)", () => {
    expect(found(mqRabbitMqCluster, (stack) => projectBroker(stack, true))).toEqual([]);
  });

  it('warns on a single instance (the default)', () => {
    expect(messageOf(mqRabbitMqCluster, (stack) => mq(stack))).toMatch(
      /deployment_mode is SINGLE_INSTANCE/,
    );
  });
});

describe('GR-DUR-07 SQS redrive', () => {
  it('accepts a queue dead-lettering after 5 receives, and exempts its DLQ', () => {
    expect(
      found(sqsRedrive, (stack) => {
        const dlq = new SqsQueue(stack, 'Dlq', { name: 'jobs-dlq' });
        new SqsQueue(stack, 'Jobs', {
          name: 'jobs',
          visibilityTimeoutSeconds: 90,
          redrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
        });
      }),
    ).toEqual([]);
  });

  it('judges a source queue that its DLQ names in a redrive-allow policy', () => {
    const findings = findingsOf(sqsRedrive, (stack) => {
      const dlq = new SqsQueue(stack, 'Dlq', { name: 'jobs-dlq' });
      const jobs = new SqsQueue(stack, 'Jobs', { name: 'jobs' });
      new SqsQueueRedriveAllowPolicy(stack, 'DlqAllow', {
        queueUrl: dlq.url,
        redriveAllowPolicy: JSON.stringify({
          redrivePermission: 'byQueue',
          sourceQueueArns: [jobs.arn],
        }),
      });
    });
    expect(findings.map((f) => [f.rule, f.address])).toEqual([['GR-DUR-07', 'aws_sqs_queue.Jobs']]);
  });

  it('refuses a queue without redrive or visibility timeout', () => {
    const message = messageOf(sqsRedrive, (stack) => new SqsQueue(stack, 'Jobs', { name: 'jobs' }));
    expect(message).toMatch(/no redrive_policy/);
    expect(message).toMatch(/visibility_timeout_seconds is not stated/);
  });

  it('refuses a redrive without a finite count', () => {
    expect(
      messageOf(
        sqsRedrive,
        (stack) =>
          new SqsQueue(stack, 'Jobs', {
            name: 'jobs',
            visibilityTimeoutSeconds: 90,
            redrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:1:dlq' }),
          }),
      ),
    ).toMatch(/maxReceiveCount is null, not a count of at least 1/);
  });
});

describe('GR-DUR-09 AWS prevent_destroy', () => {
  it('accepts protected stateful resources, and an EKS-only key without it', () => {
    expect(
      found(preventDestroy, (stack) => {
        msk(stack);
        projectBroker(stack, false);
        table(stack);
        const clusterKey = new KmsKey(stack, 'ClusterKey', { enableKeyRotation: true });
        new CloudwatchLogGroup(stack, 'Logs', {
          name: '/aws/eks/test/cluster',
          kmsKeyId: clusterKey.arn,
        });
        eks(stack, {
          encryptionConfig: { resources: ['secrets'], provider: { keyArn: clusterKey.arn } },
        });
      }),
    ).toEqual([]);
  });

  it('accepts a protected keyspace and table, and refuses them unprotected', () => {
    expect(
      found(preventDestroy, (stack) => {
        new KeyspacesKeyspace(stack, 'Keyspace', {
          name: 'test_eu_readings',
          lifecycle: { preventDestroy: true },
        });
        keyspacesTable(stack);
      }),
    ).toEqual([]);
    const findings = findingsOf(preventDestroy, (stack) => {
      new KeyspacesKeyspace(stack, 'Keyspace', { name: 'test_eu_readings' });
      keyspacesTable(stack, { lifecycle: undefined });
    });
    expect(findings.map((f) => [f.rule, f.address])).toEqual([
      ['GR-DUR-09', 'aws_keyspaces_keyspace.Keyspace'],
      ['GR-DUR-09', 'aws_keyspaces_table.KeyspacesTable'],
    ]);
  });

  it('refuses an unprotected MSK cluster', () => {
    expect(messageOf(preventDestroy, (stack) => msk(stack, { lifecycle: undefined }))).toMatch(
      /no lifecycle\.prevent_destroy/,
    );
  });

  it("refuses an unprotected key that encrypts a table's data", () => {
    const findings = findingsOf(preventDestroy, (stack) => {
      const key = new KmsKey(stack, 'TableKey', { enableKeyRotation: true });
      table(stack, { serverSideEncryption: { enabled: true, kmsKeyArn: key.arn } });
    });
    expect(findings.map((f) => [f.rule, f.address])).toEqual([
      ['GR-DUR-09', 'aws_kms_key.TableKey'],
    ]);
  });
});

describe('GR-AS-08 Auto Scaling group', () => {
  it('accepts a launch template, a grace period and a termination hook', () => {
    expect(
      found(autoscalingGroup, (stack) => {
        const template = launchTemplate(stack);
        const group = new AutoscalingGroup(stack, 'Group', {
          minSize: 1,
          maxSize: 4,
          vpcZoneIdentifier: SUBNETS,
          launchTemplate: { id: template.id, version: template.latestVersion.toString() },
          healthCheckGracePeriod: 180,
        });
        new AutoscalingLifecycleHook(stack, 'Drain', {
          name: 'drain',
          autoscalingGroupName: group.name,
          lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
          heartbeatTimeout: 105,
        });
      }),
    ).toEqual([]);
  });

  it('refuses a launch configuration without grace period or hook', () => {
    const message = messageOf(
      autoscalingGroup,
      (stack) =>
        new AutoscalingGroup(stack, 'Group', {
          minSize: 1,
          maxSize: 4,
          vpcZoneIdentifier: SUBNETS,
          launchConfiguration: 'agents',
        }),
    );
    expect(message).toMatch(/uses a launch configuration/);
    expect(message).toMatch(/health_check_grace_period is not stated/);
    expect(message).toMatch(/no lifecycle hook/);
  });
});

describe('GR-AS-09 DynamoDB auto scaling', () => {
  const provisioned = { billingMode: 'PROVISIONED', readCapacity: 5, writeCapacity: 5 };

  it('accepts a provisioned table with read and write targets', () => {
    expect(
      found(dynamodbAutoscaling, (stack) => {
        const t = table(stack, provisioned);
        for (const unit of ['Read', 'Write'])
          new AppautoscalingTarget(stack, `${unit}Scaling`, {
            serviceNamespace: 'dynamodb',
            resourceId: `table/${t.name}`,
            scalableDimension: `dynamodb:table:${unit}CapacityUnits`,
            minCapacity: 5,
            maxCapacity: 100,
          });
      }),
    ).toEqual([]);
  });

  it('warns on a provisioned table without write scaling', () => {
    expect(
      messageOf(dynamodbAutoscaling, (stack) => {
        const t = table(stack, provisioned);
        new AppautoscalingTarget(stack, 'ReadScaling', {
          serviceNamespace: 'dynamodb',
          resourceId: `table/${t.name}`,
          scalableDimension: 'dynamodb:table:ReadCapacityUnits',
          minCapacity: 5,
          maxCapacity: 100,
        });
      }),
    ).toMatch(/no auto scaling of WriteCapacityUnits/);
  });
});

describe('the AWS rule set', () => {
  it('lists exactly the AWS rules, once each', () => {
    expect(AWS_RULES.map((rule) => rule.id)).toEqual([
      'GR-AS-08',
      'GR-AS-09',
      'GR-DUR-01',
      'GR-DUR-02',
      'GR-DUR-06',
      'GR-DUR-07',
      'GR-ENC-01',
      'GR-ENC-02',
      'GR-ENC-03',
      'GR-ENC-04',
      'GR-ENC-06',
      'GR-ENC-07',
      'GR-IAM-01',
      'GR-IAM-04',
      'GR-IAM-09',
      'GR-NET-01',
      'GR-NET-02',
      'GR-NET-03',
      'GR-NET-04',
      'GR-NET-05',
      'GR-NET-06',
    ]);
    for (const rule of AWS_RULES) {
      expect(rule.fix).not.toContain('\n');
      expect(rule.appliesTo.every((type) => type.startsWith('aws_'))).toBe(true);
    }
  });

  it("finds nothing on the project's production Amazon MQ broker, which no example environment renders", () => {
    expect(findingsOf(AWS_RULES, (stack) => projectBroker(stack, true))).toEqual([]);
  });
});

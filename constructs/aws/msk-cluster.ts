import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { MskCluster as CfnMskCluster } from '@cdktf/provider-aws/lib/msk-cluster';
import { MskConfiguration } from '@cdktf/provider-aws/lib/msk-configuration';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Problem, Size, ValidationError } from '../../model';
import {
  addClientIngress,
  ClientSources,
  validateAccountAndRegion,
  validateClientSources,
} from './client-access';
import { AwsGrantee } from './grants';
import { accountAdministersKey, logsEncryptLogGroup } from './key-policy';

/**
 * The broker configuration every cluster gets (GR-DUR-04, GR-IAM-09): three
 * replicas of every topic, internal ones included, and acknowledged writes on
 * two of them, so losing one broker loses no acknowledged write; no unclean
 * leader election; topics only as declared; no access where no ACL grants it.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-default-configuration.html
 */
export const MSK_SERVER_PROPERTIES: Readonly<Record<string, string>> = {
  'default.replication.factor': '3',
  'min.insync.replicas': '2',
  'unclean.leader.election.enable': 'false',
  'auto.create.topics.enable': 'false',
  'allow.everyone.if.no.acl.found': 'false',
  'offsets.topic.replication.factor': '3',
  'transaction.state.log.replication.factor': '3',
  'transaction.state.log.min.isr': '2',
};

/** Port of the brokers' SASL/IAM listener inside the VPC (TLS). */
export const MSK_IAM_PORT = 9098;

/** Days the broker logs are kept. */
export const MSK_LOG_RETENTION_DAYS = 90;

/** EBS volume size per broker MSK accepts, in GiB. */
export const MSK_VOLUME_GIB_RANGE = { min: 1, max: 16384 } as const;

/** Props of {@link MskCluster}. */
export interface MskClusterProps extends ClientSources {
  /** Cluster name: 1 to 64 letters, digits or `-`, starting with a letter. */
  readonly name: string;
  /** The VPC of the subnets; the brokers' security group is created in it. */
  readonly vpcId: string;
  /** Private subnets in 2 or 3 distinct availability zones, one per zone. */
  readonly subnetIds: readonly string[];
  /** Kafka version as MSK names it, e.g. `'3.8.x'` (latest patch) or `'3.6.0'`. */
  readonly kafkaVersion: string;
  /**
   * Brokers: a multiple of the subnet count (MSK spreads them evenly), at least 3
   * (replication factor 3).
   * @default - the smallest multiple of the subnet count that is at least 3
   */
  readonly brokerCount?: number;
  /**
   * Broker instance type.
   * @default 'kafka.m7g.large'
   */
  readonly instanceType?: string;
  /**
   * EBS volume per broker, in whole GiB from 1 to 16384.
   * @default Size.gibibytes(100)
   */
  readonly volumeSize?: Size;
  /** The 12-digit account of the cluster; written into the key policy and ARNs. */
  readonly accountId: string;
  /** The cluster's region, e.g. `eu-west-1`; written into the key policy and ARNs. */
  readonly region: string;
}

/**
 * A provisioned MSK cluster for agent fleets:
 * - the broker configuration {@link MSK_SERVER_PROPERTIES} (GR-DUR-04, GR-IAM-09);
 * - data at rest encrypted with a customer-managed key with rotation (GR-ENC-02,
 *   GR-ENC-07) whose policy names only the account root and CloudWatch Logs for
 *   this cluster's log group; TLS between clients and brokers and between brokers,
 *   both stated explicitly (GR-ENC-02);
 * - clients authenticate with IAM only (SASL/IAM, port {@link MSK_IAM_PORT});
 *   unauthenticated access off; no public access (GR-NET-03);
 * - a security group admitting {@link MSK_IAM_PORT} from the listed clients only;
 *   it admits nothing else, so a Prometheus outside those sources needs its own
 *   rule for the JMX (11001) and node (11002) exporters, which are enabled;
 * - broker logs in `/aws/msk/<name>/broker`, kept {@link MSK_LOG_RETENTION_DAYS} days;
 * - `prevent_destroy` on the cluster and its key (GR-DUR-09).
 *
 * **Topics.** The AWS provider has no MSK topic resource. Topics are to be created
 * by a Kubernetes Job in the site's cluster-platform stack that runs
 * `kafka-topics.sh --create --if-not-exists` (replication factor 3,
 * `min.insync.replicas=2`) against {@link bootstrapBrokersSaslIam} with the
 * `aws-msk-iam-auth` client library and an IRSA role allowed `kafka-cluster:CreateTopic`
 * and `AlterTopicDynamicConfiguration` on the declared topics only. Reasons:
 * the brokers are private, so only something inside the VPC reaches them, and
 * the platform stack already runs there with workload identity (no static
 * credentials, DESIGN "Secrets never in the output"); the tool is Kafka's own,
 * idempotent, and speaks IAM auth. Rejected: the `Mongey/kafka` Terraform
 * provider (needs a broker connection at plan time from wherever Terraform
 * runs, which a private cluster forbids, and no binary exists here to verify
 * it); Strimzi's topic operator (it manages the topics of a Strimzi `Kafka`,
 * and its unidirectional mode still needs a connection we would have to
 * configure for IAM auth by hand, with a whole operator to run for it).
 * With `auto.create.topics.enable=false`, a topic missing from that Job is an
 * error at the client, not a silently created one-replica topic.
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
 * @see https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/msk_cluster
 */
export class MskCluster extends Construct {
  /** The ARN of the MSK cluster, which IAM grants on its topics and groups derive from. */
  readonly clusterArn: string;
  /** `host:port` list of the SASL/IAM listeners (port {@link MSK_IAM_PORT}), comma-separated. */
  readonly bootstrapBrokersSaslIam: string;
  /** The brokers' security group. */
  readonly securityGroupId: string;
  /** The key that encrypts the data at rest and the broker logs. */
  readonly kmsKeyArn: string;
  private readonly props: MskClusterProps;

  constructor(scope: Construct, id: string, props: MskClusterProps) {
    super(scope, id);
    const problems = validateMsk(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.props = props;
    const logGroupName = `/aws/msk/${props.name}/broker`;
    const volumeGib = (props.volumeSize ?? Size.gibibytes(100)).toMebibytes() / 1024;

    const key = new KmsKey(this, 'Key', {
      description: `Encrypts the data at rest and broker logs of MSK cluster ${props.name}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: keyPolicy(props.accountId, props.region, logGroupName),
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, 'KeyAlias', { name: `alias/msk/${props.name}`, targetKeyId: key.keyId });
    this.kmsKeyArn = key.arn;

    const logGroup = new CloudwatchLogGroup(this, 'LogGroup', {
      name: logGroupName,
      retentionInDays: MSK_LOG_RETENTION_DAYS,
      kmsKeyId: key.arn,
    });

    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      namePrefix: `${props.name.slice(0, 40)}-msk-`,
      description: `MSK cluster ${props.name}: SASL/IAM clients on ${MSK_IAM_PORT}`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-msk` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupId = securityGroup.id;
    addClientIngress(this, securityGroup.id, MSK_IAM_PORT, 'Kafka SASL/IAM over TLS', props);

    const configuration = new MskConfiguration(this, 'Configuration', {
      name: props.name,
      kafkaVersions: [props.kafkaVersion],
      description: `Durable defaults of MSK cluster ${props.name}`,
      serverProperties: Object.entries(MSK_SERVER_PROPERTIES)
        .map(([property, value]) => `${property}=${value}`)
        .join('\n'),
    });

    const cluster = new CfnMskCluster(this, 'Resource', {
      clusterName: props.name,
      kafkaVersion: props.kafkaVersion,
      numberOfBrokerNodes: props.brokerCount ?? defaultBrokerCount(props.subnetIds.length),
      brokerNodeGroupInfo: {
        instanceType: props.instanceType ?? 'kafka.m7g.large',
        clientSubnets: [...props.subnetIds],
        securityGroups: [securityGroup.id],
        storageInfo: { ebsStorageInfo: { volumeSize: volumeGib } },
        connectivityInfo: { publicAccess: { type: 'DISABLED' } },
      },
      configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
      encryptionInfo: {
        encryptionAtRestKmsKeyArn: key.arn,
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      clientAuthentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
      openMonitoring: {
        prometheus: {
          jmxExporter: { enabledInBroker: true },
          nodeExporter: { enabledInBroker: true },
        },
      },
      loggingInfo: {
        brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logGroup.name } },
      },
      lifecycle: { preventDestroy: true },
    });
    this.clusterArn = cluster.arn;
    this.bootstrapBrokersSaslIam = cluster.bootstrapBrokersSaslIam;
  }

  /** ARN of a topic of this cluster, for IAM policies: `arn:aws:kafka:<region>:<account>:topic/<cluster>/<uuid>/<topic>`. */
  topicArn(topic: string): string {
    return this.childArn('topic', 'topic', topic);
  }

  /** ARN of a consumer group of this cluster, for IAM policies. */
  groupArn(group: string): string {
    return this.childArn('group', 'group', group);
  }

  /**
   * Lets the grantee consume one topic in one group, and nothing more:
   * `kafka-cluster:Connect` on the cluster, `DescribeTopic` and `ReadData` on the
   * topic, `DescribeGroup` and `AlterGroup` (committing offsets) on the group.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html#kafka-actions
   */
  grantConsume(grantee: AwsGrantee, topic: string, group: string): void {
    grantee.addToPrincipalPolicy(
      { Effect: 'Allow', Action: ['kafka-cluster:Connect'], Resource: [this.clusterArn] },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        Resource: [this.topicArn(topic)],
      },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        Resource: [this.groupArn(group)],
      },
    );
  }

  /**
   * Lets the grantee produce to one topic: `kafka-cluster:Connect` on the cluster,
   * `DescribeTopic` and `WriteData` on the topic.
   */
  grantProduce(grantee: AwsGrantee, topic: string): void {
    grantee.addToPrincipalPolicy(
      { Effect: 'Allow', Action: ['kafka-cluster:Connect'], Resource: [this.clusterArn] },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        Resource: [this.topicArn(topic)],
      },
    );
  }

  /**
   * Lets the grantee read a group's lag (KEDA's kafka scaler): `Connect`, then
   * `DescribeTopic` on the topic and `DescribeGroup` on the group; no data.
   */
  grantReadLag(grantee: AwsGrantee, topic: string, group: string): void {
    grantee.addToPrincipalPolicy(
      { Effect: 'Allow', Action: ['kafka-cluster:Connect'], Resource: [this.clusterArn] },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic'],
        Resource: [this.topicArn(topic)],
      },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeGroup'],
        Resource: [this.groupArn(group)],
      },
    );
  }

  /**
   * Lets the grantee create and configure topics: `Connect`, and on the topics only
   * `CreateTopic`, `DescribeTopic`, `AlterTopic` (adding partitions) and reading
   * and altering their dynamic configuration.
   */
  grantTopicAdmin(grantee: AwsGrantee, topics: readonly string[]): void {
    grantee.addToPrincipalPolicy(
      { Effect: 'Allow', Action: ['kafka-cluster:Connect'], Resource: [this.clusterArn] },
      {
        Effect: 'Allow',
        Action: [
          'kafka-cluster:CreateTopic',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
        ],
        Resource: topics.map((topic) => this.topicArn(topic)),
      },
    );
  }

  private childArn(kind: 'topic' | 'group', field: string, name: string): string {
    // Wildcards would widen the grant; Kafka names are [a-zA-Z0-9._-], groups a bit wider.
    const pattern = kind === 'topic' ? /^[A-Za-z0-9._-]{1,249}$/ : /^[A-Za-z0-9._:-]{1,255}$/;
    if (!pattern.test(name)) {
      throw new ValidationError(this.node.path, [
        {
          path: [field],
          message: `'${name}' is not a Kafka ${kind} name: 1 to ${kind === 'topic' ? '249' : '255'} letters, digits, '.', '_' or '-'${kind === 'group' ? ", ':'" : ''}; no wildcards`,
        },
      ]);
    }
    const uuid = Fn.element(Fn.split('/', this.clusterArn), 2);
    const { region, accountId, name: cluster } = this.props;
    return `arn:aws:kafka:${region}:${accountId}:${kind}/${cluster}/${uuid}/${name}`;
  }
}

/** The smallest multiple of the subnet count that is at least 3. */
function defaultBrokerCount(subnets: number): number {
  return Math.max(1, Math.ceil(3 / Math.max(subnets, 1))) * Math.max(subnets, 1);
}

/**
 * The key policy: the account administers the key (IAM policies grant its use,
 * MSK creates its grants on the caller's behalf), CloudWatch Logs encrypts this
 * cluster's log group only. No wildcard principal.
 */
function keyPolicy(accountId: string, region: string, logGroupName: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      accountAdministersKey(accountId),
      logsEncryptLogGroup('LogsEncryptBrokerLogs', accountId, region, logGroupName),
    ],
  });
}

function validateMsk(props: MskClusterProps): Problem[] {
  const problems: Problem[] = [];
  if (!/^[A-Za-z][A-Za-z0-9-]{0,63}$/.test(props.name)) {
    problems.push({
      path: ['name'],
      message: `'${props.name}' is not an MSK cluster name: 1 to 64 letters, digits or '-', starting with a letter`,
    });
  }
  if (!/^\d+\.\d+\.(\d+|x)(\.[a-z0-9]+)*$/.test(props.kafkaVersion)) {
    problems.push({
      path: ['kafkaVersion'],
      message: `'${props.kafkaVersion}' is not an MSK Kafka version such as '3.8.x' or '3.6.0'`,
    });
  }
  // A list token (e.g. from a remote state) has one element here: skip the count checks.
  const subnets = props.subnetIds.length;
  const subnetsKnown = !props.subnetIds.some((id) => Token.isUnresolved(id));
  if (subnetsKnown && (subnets < 2 || subnets > 3)) {
    problems.push({
      path: ['subnetIds'],
      message: `${subnets} subnet(s) given: MSK needs 2 or 3 subnets, one per availability zone`,
    });
  }
  if (props.brokerCount !== undefined) {
    const count = props.brokerCount;
    if (!Number.isInteger(count) || count < 3) {
      problems.push({
        path: ['brokerCount'],
        message: `${count} broker(s): at least 3 whole brokers, for replication factor 3`,
      });
    } else if (subnetsKnown && subnets > 0 && count % subnets !== 0) {
      problems.push({
        path: ['brokerCount'],
        message: `${count} broker(s) over ${subnets} subnets: use a multiple of the subnet count, e.g. ${defaultBrokerCount(subnets)}`,
      });
    }
  }
  if (
    props.instanceType !== undefined &&
    !/^kafka\.[a-z0-9]+\.[a-z0-9]+$/.test(props.instanceType)
  ) {
    problems.push({
      path: ['instanceType'],
      message: `'${props.instanceType}' is not an MSK broker instance type such as 'kafka.m7g.large'`,
    });
  }
  if (props.volumeSize !== undefined) {
    const mib = props.volumeSize.bytes / 2 ** 20;
    const gib = mib / 1024;
    if (
      !Number.isInteger(gib) ||
      gib < MSK_VOLUME_GIB_RANGE.min ||
      gib > MSK_VOLUME_GIB_RANGE.max
    ) {
      problems.push({
        path: ['volumeSize'],
        message: `${props.volumeSize.toKubernetes()} per broker: use whole GiB from ${MSK_VOLUME_GIB_RANGE.min}Gi to ${MSK_VOLUME_GIB_RANGE.max}Gi`,
      });
    }
  }
  problems.push(...validateAccountAndRegion(props.accountId, props.region));
  problems.push(...validateClientSources(props));
  return problems;
}

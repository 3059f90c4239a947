import { TerraformOutput, TerraformStack } from 'cdktf';
import { MskCluster, MskClusterProps } from '../../constructs/aws/msk-cluster';
import { Size, ValidationError } from '../../model';
import { Block, Synthesized, resourcesOf, resourceOf } from '../support/synthesized';
import { ACCOUNT_ID, granted, REGION, synthAws } from './support';

const NAME = 'fleet-eu-kafka';
const SUBNETS = ['subnet-a', 'subnet-b', 'subnet-c'];

function props(overrides: Partial<MskClusterProps> = {}): MskClusterProps {
  return {
    name: NAME,
    vpcId: 'vpc-1',
    subnetIds: SUBNETS,
    kafkaVersion: '3.8.x',
    clientCidrs: ['10.40.0.0/16'],
    accountId: ACCOUNT_ID,
    region: REGION,
    ...overrides,
  };
}

function synthMsk(
  overrides: Partial<MskClusterProps> = {},
  extra?: (stack: TerraformStack, msk: MskCluster) => void,
): Synthesized {
  return synthAws((stack) => {
    const msk = new MskCluster(stack, 'kafka', props(overrides));
    extra?.(stack, msk);
  });
}

function cluster(json: Synthesized): Block {
  return resourceOf(json, 'aws_msk_cluster');
}

function refusal(overrides: Partial<MskClusterProps>): string {
  try {
    synthMsk(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('no ValidationError');
}

describe('defaults of an MSK cluster', () => {
  const json = synthMsk();

  it('runs 3 brokers of kafka.m7g.large with 100 GiB each over the 3 subnets', () => {
    expect(cluster(json)).toMatchObject({
      cluster_name: NAME,
      kafka_version: '3.8.x',
      number_of_broker_nodes: 3,
      broker_node_group_info: {
        instance_type: 'kafka.m7g.large',
        client_subnets: SUBNETS,
        storage_info: { ebs_storage_info: { volume_size: 100 } },
      },
    });
  });

  it('protects the cluster and its key from destroy (GR-DUR-09)', () => {
    expect(cluster(json).lifecycle).toEqual({ prevent_destroy: true });
    expect(resourceOf(json, 'aws_kms_key').lifecycle).toEqual({ prevent_destroy: true });
  });

  it('sends broker logs to a log group with retention', () => {
    const logGroup = resourceOf(json, 'aws_cloudwatch_log_group');
    expect(logGroup).toMatchObject({ name: `/aws/msk/${NAME}/broker`, retention_in_days: 90 });
    expect(cluster(json).logging_info).toEqual({
      broker_logs: {
        cloudwatch_logs: {
          enabled: true,
          log_group: expect.stringMatching(
            /^\$\{aws_cloudwatch_log_group\.kafka_LogGroup_\w+\.name\}$/,
          ),
        },
      },
    });
  });

  it('enables the Prometheus JMX and node exporters', () => {
    expect(cluster(json).open_monitoring).toEqual({
      prometheus: {
        jmx_exporter: { enabled_in_broker: true },
        node_exporter: { enabled_in_broker: true },
      },
    });
  });
});

describe('durability: the broker configuration (GR-DUR-04, GR-IAM-09)', () => {
  const json = synthMsk();
  const configuration = resourceOf(json, 'aws_msk_configuration');

  it('sets every server property, and only these', () => {
    expect(configuration.server_properties.split('\n').sort()).toEqual(
      [
        'allow.everyone.if.no.acl.found=false',
        'auto.create.topics.enable=false',
        'default.replication.factor=3',
        'min.insync.replicas=2',
        'offsets.topic.replication.factor=3',
        'transaction.state.log.min.isr=2',
        'transaction.state.log.replication.factor=3',
        'unclean.leader.election.enable=false',
      ].sort(),
    );
    expect(configuration.kafka_versions).toEqual(['3.8.x']);
  });

  it('is the latest revision of the configuration the cluster uses', () => {
    expect(cluster(json).configuration_info).toEqual({
      arn: expect.stringMatching(/^\$\{aws_msk_configuration\.kafka_Configuration_\w+\.arn\}$/),
      revision: expect.stringMatching(
        /^\$\{aws_msk_configuration\.kafka_Configuration_\w+\.latest_revision\}$/,
      ),
    });
  });
});

describe('encryption (GR-ENC-02, GR-ENC-07)', () => {
  const json = synthMsk();

  it('states TLS client-broker and in-cluster, and a customer key at rest', () => {
    expect(cluster(json).encryption_info).toEqual({
      encryption_at_rest_kms_key_arn: expect.stringMatching(
        /^\$\{aws_kms_key\.kafka_Key_\w+\.arn\}$/,
      ),
      encryption_in_transit: { client_broker: 'TLS', in_cluster: true },
    });
  });

  it('rotates the key, whose policy names the account root and Logs for this log group only', () => {
    const key = resourceOf(json, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    expect(resourceOf(json, 'aws_kms_alias').name).toBe(`alias/msk/${NAME}`);
    const policy = JSON.parse(key.policy);
    expect(policy.Statement.map((statement: Block) => statement.Principal)).toEqual([
      { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
      { Service: `logs.${REGION}.amazonaws.com` },
    ]);
    expect(policy.Statement[1].Condition).toEqual({
      ArnEquals: {
        'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/msk/${NAME}/broker`,
      },
    });
  });
});

describe('access: IAM only, private (GR-NET-03)', () => {
  const json = synthMsk({ clientSecurityGroupIds: ['sg-agents'] });

  it('authenticates clients with IAM and nothing else', () => {
    expect(cluster(json).client_authentication).toEqual({
      sasl: { iam: true, scram: false },
      unauthenticated: false,
    });
  });

  it('disables public access', () => {
    expect(cluster(json).broker_node_group_info.connectivity_info).toEqual({
      public_access: { type: 'DISABLED' },
    });
  });

  it('admits 9098 from the listed CIDRs and security groups only', () => {
    const rules = resourcesOf(json, 'aws_vpc_security_group_ingress_rule');
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule).toMatchObject({ ip_protocol: 'tcp', from_port: 9098, to_port: 9098 });
    }
    expect(rules.map((rule) => rule.cidr_ipv4 ?? rule.referenced_security_group_id)).toEqual([
      '10.40.0.0/16',
      'sg-agents',
    ]);
    const group = resourceOf(json, 'aws_security_group');
    expect(group).not.toHaveProperty('ingress');
    expect(group.vpc_id).toBe('vpc-1');
    expect(cluster(json).broker_node_group_info.security_groups).toEqual([
      expect.stringMatching(/^\$\{aws_security_group\.kafka_SecurityGroup_\w+\.id\}$/),
    ]);
  });
});

describe('ARNs and consumer statements', () => {
  const uuid = String.raw`\$\{element\(split\("/", aws_msk_cluster\.kafka_\w+\.arn\), 2\)\}`;
  const clusterArn = /^\$\{aws_msk_cluster\.kafka_\w+\.arn\}$/;
  const json = synthMsk({}, (stack, msk) => {
    new TerraformOutput(stack, 'statements', {
      value: granted((grantee) => msk.grantConsume(grantee, 'jobs', 'workers')),
    });
  });
  const statements = json.output.statements.value as Block[];
  const arnPrefix = `arn:aws:kafka:${REGION}:${ACCOUNT_ID}`;

  it('grants Connect on the cluster, read on the topic, offsets on the group, nothing else', () => {
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:Connect'],
        Resource: [expect.stringMatching(clusterArn)],
      },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        Resource: [expect.stringMatching(new RegExp(`^${arnPrefix}:topic/${NAME}/${uuid}/jobs$`))],
      },
      {
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        Resource: [
          expect.stringMatching(new RegExp(`^${arnPrefix}:group/${NAME}/${uuid}/workers$`)),
        ],
      },
    ]);
  });

  it('refuses wildcards in topic and group names', () => {
    synthAws((stack) => {
      const msk = new MskCluster(stack, 'kafka', props());
      expect(() => msk.topicArn('*')).toThrow(/'topic': '\*' is not a Kafka topic name/);
      expect(() => msk.groupArn('work*')).toThrow(/'group': 'work\*' is not a Kafka group name/);
    });
  });
});

describe('broker count', () => {
  it('defaults to 4 over 2 subnets', () => {
    expect(cluster(synthMsk({ subnetIds: ['subnet-a', 'subnet-b'] })).number_of_broker_nodes).toBe(
      4,
    );
  });

  it('takes a multiple of the subnet count', () => {
    expect(cluster(synthMsk({ brokerCount: 6 })).number_of_broker_nodes).toBe(6);
  });
});

describe('refusals', () => {
  it('refuses a broker count that is not a multiple of the subnets, or below 3', () => {
    expect(refusal({ brokerCount: 4 })).toContain(
      "'brokerCount': 4 broker(s) over 3 subnets: use a multiple of the subnet count, e.g. 3",
    );
    expect(refusal({ brokerCount: 2, subnetIds: ['subnet-a', 'subnet-b'] })).toContain(
      "'brokerCount': 2 broker(s): at least 3 whole brokers, for replication factor 3",
    );
  });

  it('refuses 1 or 4 subnets', () => {
    expect(refusal({ subnetIds: ['subnet-a'] })).toContain(
      "'subnetIds': 1 subnet(s) given: MSK needs 2 or 3 subnets, one per availability zone",
    );
    expect(refusal({ subnetIds: ['a', 'b', 'c', 'd'] })).toContain(
      "'subnetIds': 4 subnet(s) given",
    );
  });

  it('refuses 0.0.0.0/0 and no client source at all', () => {
    expect(refusal({ clientCidrs: ['0.0.0.0/0'] })).toContain(
      "'clientCidrs[0]': '0.0.0.0/0' admits the whole internet (GR-NET-03/04)",
    );
    expect(refusal({ clientCidrs: [] })).toContain("'clientCidrs': no client source given");
  });

  it('refuses a volume outside 1 to 16384 whole GiB', () => {
    expect(refusal({ volumeSize: Size.mebibytes(1536) })).toContain(
      "'volumeSize': 1536Mi per broker: use whole GiB from 1Gi to 16384Gi",
    );
    expect(refusal({ volumeSize: Size.gibibytes(20000) })).toContain("'volumeSize': 20000Gi");
  });

  it('lists every problem at once, naming the construct path', () => {
    const message = refusal({
      name: '1-bad',
      kafkaVersion: 'latest',
      instanceType: 'm5.large',
      accountId: '42',
      region: 'Europe',
    });
    expect(message).toMatch(/^test\/kafka: 5 problem\(s\)/);
    expect(message).toContain("'name': '1-bad' is not an MSK cluster name");
    expect(message).toContain("'kafkaVersion': 'latest' is not an MSK Kafka version");
    expect(message).toContain("'instanceType': 'm5.large' is not an MSK broker instance type");
    expect(message).toContain("'accountId': '42' is not an AWS account id");
    expect(message).toContain("'region': 'Europe' is not an AWS region");
  });
});

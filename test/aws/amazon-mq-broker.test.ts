import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { AmazonMqBroker, AmazonMqBrokerProps } from '../../constructs/aws/amazon-mq-broker';
import { awsProvider } from '../../constructs/aws/provider';
import { ValidationError } from '../../model';
import {
  Block,
  Synthesized,
  parseSynthesized,
  resourcesOf,
  resourceOf,
} from '../support/synthesized';
import { ACCOUNT_ID, REGION, synthAws } from './support';

const NAME = 'fleet-eu-rabbit';
const VARIABLE = 'mq_fleet_eu_rabbit_admin_password';

function props(overrides: Partial<AmazonMqBrokerProps> = {}): AmazonMqBrokerProps {
  return {
    name: NAME,
    vpcId: 'vpc-1',
    subnetIds: ['subnet-a'],
    engineVersion: '3.13',
    clientSecurityGroupIds: ['sg-agents'],
    accountId: ACCOUNT_ID,
    region: REGION,
    ...overrides,
  };
}

function synthBroker(overrides: Partial<AmazonMqBrokerProps> = {}): Synthesized {
  return synthAws((stack) => {
    const broker = new AmazonMqBroker(stack, 'rabbit', props(overrides));
    new TerraformOutput(stack, 'amqp', { value: broker.amqpEndpoint });
  });
}

function broker(json: Synthesized): Block {
  return resourceOf(json, 'aws_mq_broker');
}

function refusal(overrides: Partial<AmazonMqBrokerProps>): string {
  try {
    synthBroker(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error('no ValidationError');
}

const PRODUCTION = { production: true, subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'] };

describe('defaults of an Amazon MQ broker', () => {
  const json = synthBroker();

  it('is a single RabbitMQ instance on mq.m5.large in the one subnet', () => {
    expect(broker(json)).toMatchObject({
      broker_name: NAME,
      engine_type: 'RabbitMQ',
      engine_version: '3.13',
      host_instance_type: 'mq.m5.large',
      deployment_mode: 'SINGLE_INSTANCE',
      subnet_ids: ['subnet-a'],
      auto_minor_version_upgrade: true,
      logs: { general: true },
    });
  });

  it('protects the broker and its key from destroy (GR-DUR-09)', () => {
    expect(broker(json).lifecycle).toEqual({ prevent_destroy: true });
    expect(resourceOf(json, 'aws_kms_key').lifecycle).toEqual({ prevent_destroy: true });
  });

  it('exposes the first endpoint', () => {
    expect(json.output.amqp.value).toMatch(
      /^\$\{element\(aws_mq_broker\.rabbit_\w+\.instances\[0\]\.endpoints, 0\)\}$/,
    );
  });
});

describe('production (GR-DUR-06)', () => {
  it('is a multi-AZ cluster over the given subnets', () => {
    expect(broker(synthBroker(PRODUCTION))).toMatchObject({
      deployment_mode: 'CLUSTER_MULTI_AZ',
      subnet_ids: PRODUCTION.subnetIds,
    });
  });
});

describe('private and encrypted (GR-NET-04, GR-ENC-03, GR-ENC-07)', () => {
  const json = synthBroker({ ...PRODUCTION, clientCidrs: ['10.40.0.0/16'] });

  it('is not publicly accessible', () => {
    expect(broker(json).publicly_accessible).toBe(false);
  });

  it('encrypts with its own rotated key, whose policy names the account root only', () => {
    expect(broker(json).encryption_options).toEqual({
      use_aws_owned_key: false,
      kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\.rabbit_Key_\w+\.arn\}$/),
    });
    const key = resourceOf(json, 'aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    expect(JSON.parse(key.policy).Statement.map((statement: Block) => statement.Principal)).toEqual(
      [{ AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }],
    );
    expect(resourceOf(json, 'aws_kms_alias').name).toBe(`alias/mq/${NAME}`);
  });

  it('admits 5671 from the listed CIDRs and security groups only', () => {
    const rules = resourcesOf(json, 'aws_vpc_security_group_ingress_rule');
    expect(rules.map((rule) => rule.cidr_ipv4 ?? rule.referenced_security_group_id)).toEqual([
      '10.40.0.0/16',
      'sg-agents',
    ]);
    for (const rule of rules) {
      expect(rule).toMatchObject({ ip_protocol: 'tcp', from_port: 5671, to_port: 5671 });
    }
    expect(resourceOf(json, 'aws_security_group')).not.toHaveProperty('ingress');
    expect(broker(json).security_groups).toEqual([
      expect.stringMatching(/^\$\{aws_security_group\.rabbit_SecurityGroup_\w+\.id\}$/),
    ]);
  });
});

describe('the administrator password (GR-SEC-01/02)', () => {
  const PASSWORD = 'correct-horse-battery-staple';
  let text: string;
  let json: Synthesized;
  let variableName: string;

  beforeAll(() => {
    const stack = new TerraformStack(Testing.app(), 'test');
    awsProvider(stack, { region: REGION, accountId: ACCOUNT_ID });
    const mq = new AmazonMqBroker(stack, 'rabbit', props(PRODUCTION));
    variableName = mq.adminPasswordVariable;
    text = Testing.synth(stack, true);
    json = parseSynthesized(text);
  });

  it('comes from a sensitive variable without default, with a clear name', () => {
    expect(variableName).toBe(VARIABLE);
    const variable = json.variable[VARIABLE];
    expect(variable).toMatchObject({ type: 'string', sensitive: true, nullable: false });
    expect(variable).not.toHaveProperty('default');
    expect(broker(json).user).toEqual([
      { username: 'fleet-admin', password: `\${var.${VARIABLE}}` },
    ]);
  });

  it('is checked against the Amazon MQ rules without printing it', () => {
    const [validation] = json.variable[VARIABLE].validation;
    expect(validation.condition).toBe(
      `\${length(var.${VARIABLE}) >= 12 && length(var.${VARIABLE}) <= 250 && !can(regex("[,:=]", var.${VARIABLE}))}`,
    );
    expect(validation.error_message).not.toContain('var.');
  });

  it('never appears in the synthesized JSON', () => {
    expect(text).not.toContain(PASSWORD);
    const passwords = resourcesOf(json, 'aws_mq_broker').flatMap((mq) =>
      (mq.user as Block[]).map((user) => user.password),
    );
    expect(passwords).toEqual([`\${var.${VARIABLE}}`]);
  });
});

describe('refusals', () => {
  it('refuses a production cluster in one subnet, or on a t3 instance', () => {
    const message = refusal({ production: true, instanceType: 'mq.t3.micro' });
    expect(message).toContain(
      "'subnetIds': 1 subnet(s) given for a production cluster: use at least 2, in different availability zones",
    );
    expect(message).toContain(
      "'instanceType': 'mq.t3.micro' cannot run a production cluster (CLUSTER_MULTI_AZ): use an mq.m5 type",
    );
  });

  it('refuses several subnets for a single instance, and a subnet twice', () => {
    expect(refusal({ subnetIds: ['subnet-a', 'subnet-b'] })).toContain(
      "'subnetIds': 2 subnet(s) given: a single-instance broker (production: false) takes exactly 1",
    );
    expect(refusal({ production: true, subnetIds: ['subnet-a', 'subnet-a'] })).toContain(
      "'subnetIds': a subnet is listed twice",
    );
  });

  it('refuses 0.0.0.0/0 and no client source at all', () => {
    expect(refusal({ clientCidrs: ['0.0.0.0/0'] })).toContain(
      "'clientCidrs[0]': '0.0.0.0/0' admits the whole internet (GR-NET-03/04)",
    );
    expect(refusal({ clientSecurityGroupIds: [] })).toContain(
      "'clientCidrs': no client source given",
    );
  });

  it('lists every problem at once, naming the construct path', () => {
    const message = refusal({
      name: 'rabbit broker',
      engineVersion: 'latest',
      adminUsername: 'a',
      accountId: '1',
      region: 'x',
    });
    expect(message).toMatch(/^test\/rabbit: 5 problem\(s\)/);
    expect(message).toContain("'name': 'rabbit broker' is not an Amazon MQ broker name");
    expect(message).toContain("'engineVersion': 'latest' is not a RabbitMQ version");
    expect(message).toContain("'adminUsername': 'a' is not an Amazon MQ user name");
    expect(message).toContain("'accountId': '1' is not an AWS account id");
    expect(message).toContain("'region': 'x' is not an AWS region");
  });
});

import { MqBroker } from '@cdktf/provider-aws/lib/mq-broker';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Fn, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { Problem, ValidationError } from '../../model';
import {
  addClientIngress,
  ClientSources,
  validateAccountAndRegion,
  validateClientSources,
} from './client-access';
import { ownKey } from './key-policy';

/** Port of the brokers' AMQP listener (AMQP 0-9-1 over TLS). */
export const AMQPS_PORT = 5671;

/** Props of {@link AmazonMqBroker}. */
export interface AmazonMqBrokerProps extends ClientSources {
  /** Broker name: 1 to 50 letters, digits, `-` or `_`. Also names the password variable. */
  readonly name: string;
  /** The VPC of the subnets; the broker's security group is created in it. */
  readonly vpcId: string;
  /**
   * Private subnets, each in a different availability zone: exactly one for a
   * single instance; at least two for production (see {@link production}).
   */
  readonly subnetIds: readonly string[];
  /**
   * A three-node cluster across availability zones (`CLUSTER_MULTI_AZ`, which
   * quorum queues need: GR-DUR-06) rather than one instance (`SINGLE_INSTANCE`).
   * @default false
   */
  readonly production?: boolean;
  /**
   * RabbitMQ version as Amazon MQ names it, e.g. `'3.13'`. Minor upgrades are
   * automatic (Amazon MQ requires it from 3.13 on).
   */
  readonly engineVersion: string;
  /**
   * Broker instance type; a production cluster needs an `mq.m5` type.
   * @default 'mq.m5.large'
   */
  readonly instanceType?: string;
  /**
   * Name of the broker's administrator: 2 to 100 letters, digits, `.`, `_`, `-` or `~`.
   * @default 'fleet-admin'
   */
  readonly adminUsername?: string;
  /** The 12-digit account of the broker; written into the key policy. */
  readonly accountId: string;
  /** The broker's region, e.g. `eu-west-1`. */
  readonly region: string;
}

/**
 * An Amazon MQ for RabbitMQ broker for agent fleets:
 * - a three-node `CLUSTER_MULTI_AZ` cluster when {@link AmazonMqBrokerProps.production},
 *   else `SINGLE_INSTANCE` (GR-DUR-06);
 * - not publicly accessible (GR-NET-04); a security group admitting
 *   {@link AMQPS_PORT} from the listed clients only (the web console and
 *   management API on 443 are not admitted);
 * - data encrypted with a customer-managed key with rotation (GR-ENC-03,
 *   GR-ENC-07), whose policy names only the account root;
 * - general logs to CloudWatch Logs; automatic minor version upgrades;
 * - `prevent_destroy` on the broker and its key (GR-DUR-09).
 *
 * **The administrator's password** comes from the sensitive Terraform variable
 * {@link adminPasswordVariable} (no default), set at plan and apply time, e.g. as
 * `TF_VAR_<name>` from the CI secret store, so `cdk.tf.json` never holds it. The
 * sensitive flag only hides it in Terraform's output: the `aws_mq_broker` resource
 * keeps the password in plain text in the state (GR-SEC-01/02), and no write-only
 * argument exists for it in provider 5.100. The stack holding this broker must
 * therefore have its own state, in a KMS-encrypted backend whose readers are
 * restricted like the password's; rotate the password through the RabbitMQ API
 * after the first apply, and give agents their own users, never this one.
 * @see https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/mq_broker
 * @see https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-broker-architecture.html
 */
export class AmazonMqBroker extends Construct {
  /** The ARN of the Amazon MQ broker. */
  readonly brokerArn: string;
  /** The first AMQPS endpoint, `amqps://<host>:5671`. */
  readonly amqpEndpoint: string;
  /** Name of the sensitive Terraform variable that holds the administrator's password. */
  readonly adminPasswordVariable: string;
  /** The broker's security group. */
  readonly securityGroupId: string;
  /** The key that encrypts the broker's data. */
  readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: AmazonMqBrokerProps) {
    super(scope, id);
    const problems = validateBroker(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const production = props.production ?? false;

    const variable = passwordVariableName(props.name);
    const password = new TerraformVariable(this, 'AdminPassword', {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: `Password of '${props.adminUsername ?? 'fleet-admin'}', the administrator of Amazon MQ broker ${props.name}: 12 to 250 characters, at least 4 distinct, no ',', ':' or '='`,
      validation: [
        {
          condition: `\${length(var.${variable}) >= 12 && length(var.${variable}) <= 250 && !can(regex("[,:=]", var.${variable}))}`,
          errorMessage:
            "The Amazon MQ administrator's password must have 12 to 250 characters and no ',', ':' or '='.",
        },
      ],
    });
    // A clear name, since it is set from outside (TF_VAR_<name>).
    password.overrideLogicalId(variable);
    this.adminPasswordVariable = variable;

    // Amazon MQ creates its grant with the caller's rights, through IAM.
    this.kmsKeyArn = ownKey(this, {
      description: `Encrypts the data of Amazon MQ broker ${props.name}`,
      alias: `alias/mq/${props.name}`,
      accountId: props.accountId,
    });

    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      namePrefix: `${props.name.slice(0, 40)}-mq-`,
      description: `Amazon MQ broker ${props.name}: AMQPS clients on ${AMQPS_PORT}`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-mq` },
      lifecycle: { createBeforeDestroy: true },
    });
    this.securityGroupId = securityGroup.id;
    addClientIngress(this, securityGroup.id, AMQPS_PORT, 'AMQP over TLS', props);

    const broker = new MqBroker(this, 'Resource', {
      brokerName: props.name,
      engineType: 'RabbitMQ',
      engineVersion: props.engineVersion,
      hostInstanceType: props.instanceType ?? 'mq.m5.large',
      deploymentMode: production ? 'CLUSTER_MULTI_AZ' : 'SINGLE_INSTANCE',
      subnetIds: [...props.subnetIds],
      securityGroups: [securityGroup.id],
      publiclyAccessible: false,
      autoMinorVersionUpgrade: true,
      encryptionOptions: { useAwsOwnedKey: false, kmsKeyId: this.kmsKeyArn },
      logs: { general: true },
      user: [{ username: props.adminUsername ?? 'fleet-admin', password: password.stringValue }],
      lifecycle: { preventDestroy: true },
    });
    this.brokerArn = broker.arn;
    this.amqpEndpoint = Fn.element(broker.instances.get(0).endpoints, 0);
  }
}

/** `fleet-eu` → `mq_fleet_eu_admin_password`: a name that is also a valid environment variable. */
function passwordVariableName(brokerName: string): string {
  return `mq_${brokerName.replace(/[^A-Za-z0-9_]/g, '_')}_admin_password`;
}

function validateBroker(props: AmazonMqBrokerProps): Problem[] {
  const problems: Problem[] = [];
  const production = props.production ?? false;
  if (!/^[A-Za-z0-9_-]{1,50}$/.test(props.name)) {
    problems.push({
      path: ['name'],
      message: `'${props.name}' is not an Amazon MQ broker name: 1 to 50 letters, digits, '-' or '_'`,
    });
  }
  if (!/^\d+\.\d+(\.\d+)?$/.test(props.engineVersion)) {
    problems.push({
      path: ['engineVersion'],
      message: `'${props.engineVersion}' is not a RabbitMQ version such as '3.13'`,
    });
  }
  const instanceType = props.instanceType ?? 'mq.m5.large';
  if (!/^mq\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceType)) {
    problems.push({
      path: ['instanceType'],
      message: `'${instanceType}' is not an Amazon MQ instance type such as 'mq.m5.large'`,
    });
  } else if (production && !instanceType.startsWith('mq.m5.')) {
    problems.push({
      path: ['instanceType'],
      message: `'${instanceType}' cannot run a production cluster (CLUSTER_MULTI_AZ): use an mq.m5 type such as 'mq.m5.large'`,
    });
  }
  const username = props.adminUsername;
  if (username !== undefined && !/^[A-Za-z0-9._~-]{2,100}$/.test(username)) {
    problems.push({
      path: ['adminUsername'],
      message: `'${username}' is not an Amazon MQ user name: 2 to 100 letters, digits, '.', '_', '-' or '~'`,
    });
  }
  // A list token (e.g. from a remote state) has one element here: skip the count checks.
  const subnets = props.subnetIds.length;
  if (!props.subnetIds.some((id) => Token.isUnresolved(id))) {
    if (production && subnets < 2) {
      problems.push({
        path: ['subnetIds'],
        message: `${subnets} subnet(s) given for a production cluster: use at least 2, in different availability zones, so its endpoint survives a zone`,
      });
    } else if (!production && subnets !== 1) {
      problems.push({
        path: ['subnetIds'],
        message: `${subnets} subnet(s) given: a single-instance broker (production: false) takes exactly 1`,
      });
    }
    if (new Set(props.subnetIds).size !== subnets) {
      problems.push({
        path: ['subnetIds'],
        message: 'a subnet is listed twice: each subnet once, one per availability zone',
      });
    }
  }
  problems.push(...validateAccountAndRegion(props.accountId, props.region));
  problems.push(...validateClientSources(props));
  return problems;
}

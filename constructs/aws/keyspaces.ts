import { KeyspacesKeyspace } from '@cdktf/provider-aws/lib/keyspaces-keyspace';
import { KeyspacesTable } from '@cdktf/provider-aws/lib/keyspaces-table';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';
import { Problem, ValidationError, WideColumnTable } from '../../model';
import { addClientIngress, validateAccountAndRegion, validateClientSources } from './client-access';
import { AwsGrantee } from './grants';
import { kmsKeyArnProblems, ownKey } from './key-policy';

/** The CQL port of Amazon Keyspaces: TLS only. */
export const KEYSPACES_PORT = 9142;

/** Keyspace and table names Amazon Keyspaces accepts: a letter or digit, then up to 47 letters, digits or `_`. */
const KEYSPACES_NAME = /^[A-Za-z0-9][A-Za-z0-9_]{0,47}$/;

/** Props of {@link KeyspacesEndpoint}. */
export interface KeyspacesEndpointProps {
  /** The site's VPC. */
  readonly vpcId: string;
  /** Private subnets, one per zone: the endpoint has an address in each. */
  readonly subnetIds: readonly string[];
  /** The site's region: the endpoint serves `com.amazonaws.<region>.cassandra`. */
  readonly region: string;
  /**
   * CIDRs of the clients, admitted to port 9142 only: the site's VPC, where
   * the cluster's pods and the agents' scaling groups have their addresses.
   */
  readonly clientCidrs: readonly string[];
}

/**
 * The interface VPC endpoint of Amazon Keyspaces in a site's private subnets,
 * with private DNS, so that `cassandra.<region>.amazonaws.com` resolves to
 * addresses in the VPC and CQL never leaves it; its security group admits the
 * clients' CIDRs on 9142 (TLS) and nothing else. The agents' grants
 * require requests to come through it (`aws:SourceVpce`).
 * @see https://docs.aws.amazon.com/keyspaces/latest/devguide/vpc-endpoints.html
 */
export class KeyspacesEndpoint extends Construct {
  /** ID of the endpoint, for `aws:SourceVpce` conditions. */
  readonly endpointId: string;
  /** The regional host name, which private DNS resolves to the endpoint. */
  readonly host: string;
  /** The CQL port over TLS. */
  readonly port = KEYSPACES_PORT;

  constructor(scope: Construct, id: string, props: KeyspacesEndpointProps) {
    super(scope, id);
    const problems: Problem[] = [
      ...validateAccountAndRegion('000000000000', props.region),
      ...validateClientSources({ clientCidrs: props.clientCidrs }),
    ];
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const group = new SecurityGroup(this, 'SecurityGroup', {
      vpcId: props.vpcId,
      description: 'Amazon Keyspaces interface endpoint: CQL over TLS from the cluster',
      revokeRulesOnDelete: true,
    });
    addClientIngress(this, group.id, KEYSPACES_PORT, 'CQL over TLS to Amazon Keyspaces', {
      clientCidrs: props.clientCidrs,
    });
    const endpoint = new VpcEndpoint(this, 'Resource', {
      vpcId: props.vpcId,
      serviceName: `com.amazonaws.${props.region}.cassandra`,
      vpcEndpointType: 'Interface',
      subnetIds: [...props.subnetIds],
      securityGroupIds: [group.id],
      privateDnsEnabled: true,
    });
    this.endpointId = endpoint.id;
    this.host = `cassandra.${props.region}.amazonaws.com`;
  }
}

/** Props of {@link AgentKeyspace}. */
export interface AgentKeyspaceProps {
  /** Keyspace name: a letter or digit, then up to 47 letters, digits or `_`. */
  readonly name: string;
  /** The 12-digit account of the keyspace; written into the key policy and the grants' ARNs. */
  readonly accountId: string;
  /** The keyspace's region. */
  readonly region: string;
  /** The tables, with their columns, keys and time to live (validated by the model's rules). */
  readonly tables: readonly WideColumnTable[];
  /**
   * ARN of an existing KMS key that encrypts the tables. Its key policy must
   * let this account's IAM policies grant its use.
   * @default - a new key with rotation, used by this keyspace only
   */
  readonly encryptionKeyArn?: string;
}

/**
 * A keyspace of Amazon Keyspaces for an agent's wide-column state, and its
 * tables:
 * - each table's schema from the agent's declaration (columns, partition key,
 *   clustering key with its order), on-demand capacity, point-in-time
 *   recovery (GR-DUR-01), encryption with a customer-managed KMS key
 *   (GR-ENC-04: a new rotated key per keyspace, or the key given), a default
 *   time to live with TTL enabled where the agent sets one;
 * - `prevent_destroy` on the keyspace, its tables and its key (GR-DUR-09);
 *   Keyspaces has no deletion-protection setting of its own.
 * The service keeps three copies of every row across the region's zones
 * (single-region replication), which is what the state's `replication`
 * asks for: the setting is not rendered, and fewer copies cannot be chosen.
 * @see https://docs.aws.amazon.com/keyspaces/latest/devguide/Storage.html
 * @see https://docs.aws.amazon.com/keyspaces/latest/devguide/EncryptionAtRest.html
 */
export class AgentKeyspace extends Construct {
  /** Name of the keyspace. */
  readonly keyspaceName: string;
  /** The key that encrypts the tables. */
  readonly kmsKeyArn: string;
  private readonly region: string;
  private readonly accountId: string;
  private readonly tableNames: readonly string[];

  constructor(scope: Construct, id: string, props: AgentKeyspaceProps) {
    super(scope, id);
    const problems = validateKeyspace(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    this.region = props.region;
    this.accountId = props.accountId;
    this.kmsKeyArn =
      props.encryptionKeyArn ??
      ownKey(this, {
        description: `Encrypts the tables of Amazon Keyspaces keyspace ${props.name}`,
        alias: `alias/keyspaces/${props.name}`,
        accountId: props.accountId,
      });
    const keyspace = new KeyspacesKeyspace(this, 'Resource', {
      name: props.name,
      lifecycle: { preventDestroy: true },
    });
    this.keyspaceName = props.name;
    this.tableNames = props.tables.map((table) => table.name);
    for (const table of props.tables) {
      const ttl = table.defaultTtl;
      new KeyspacesTable(this, `Table-${table.name}`, {
        keyspaceName: keyspace.name,
        tableName: table.name,
        schemaDefinition: {
          column: table.columns.map((column) => ({ name: column.name, type: column.type })),
          partitionKey: table.partitionKey.map((name) => ({ name })),
          clusteringKey: (table.clusteringKey ?? []).map((key) => ({
            name: key.column,
            orderBy: key.order === 'desc' ? 'DESC' : 'ASC',
          })),
        },
        capacitySpecification: { throughputMode: 'PAY_PER_REQUEST' },
        pointInTimeRecovery: { status: 'ENABLED' },
        encryptionSpecification: {
          type: 'CUSTOMER_MANAGED_KMS_KEY',
          kmsKeyIdentifier: this.kmsKeyArn,
        },
        ...(ttl ? { ttl: { status: 'ENABLED' }, defaultTimeToLive: ttl.toSecondsCeil() } : {}),
        lifecycle: { preventDestroy: true },
      });
    }
  }

  /**
   * Lets the grantee keep state in the keyspace: `cassandra:Select` and
   * `cassandra:Modify` on its tables only; `cassandra:Select` on the system
   * keyspaces, which every CQL driver reads on connecting (`system.local`,
   * `system.peers`, the schema tables); `ec2:DescribeNetworkInterfaces` and
   * `ec2:DescribeVpcEndpoints`, with which Keyspaces fills `system.peers`
   * with the endpoint's addresses; and the key's use through Keyspaces.
   * With `endpointId`, the CQL actions are allowed only through that VPC
   * endpoint (`aws:SourceVpce`), so the role's credentials are useless
   * outside the site's network.
   * @see https://docs.aws.amazon.com/keyspaces/latest/devguide/vpc-endpoints.html#system_peers
   */
  grantReadWriteData(grantee: AwsGrantee, endpointId?: string): void {
    const base = `arn:aws:cassandra:${this.region}:${this.accountId}:/keyspace`;
    const throughEndpoint = endpointId
      ? { Condition: { StringEquals: { 'aws:SourceVpce': endpointId } } }
      : {};
    grantee.addToPrincipalPolicy(
      {
        Effect: 'Allow',
        Action: ['cassandra:Select', 'cassandra:Modify'],
        Resource: this.tableNames.map((table) => `${base}/${this.keyspaceName}/table/${table}`),
        ...throughEndpoint,
      },
      {
        Effect: 'Allow',
        Action: ['cassandra:Select'],
        Resource: [`${base}/system*`],
        ...throughEndpoint,
      },
      {
        Effect: 'Allow',
        Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcEndpoints'],
        Resource: ['*'],
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        Resource: [this.kmsKeyArn],
        Condition: { StringEquals: { 'kms:ViaService': `cassandra.${this.region}.amazonaws.com` } },
      },
    );
  }
}

function validateKeyspace(props: AgentKeyspaceProps): Problem[] {
  const problems: Problem[] = [];
  if (!KEYSPACES_NAME.test(props.name)) {
    problems.push({
      path: ['name'],
      message: `'${props.name}' is not a keyspace name: a letter or digit, then up to 47 letters, digits or '_'`,
    });
  }
  problems.push(...validateAccountAndRegion(props.accountId, props.region));
  if (props.tables.length === 0) {
    problems.push({ path: ['tables'], message: 'needs at least one table' });
  }
  props.tables.forEach((table, i) => {
    if (!KEYSPACES_NAME.test(table.name)) {
      problems.push({
        path: ['tables', i, 'name'],
        message: `'${table.name}' is not a table name: a letter or digit, then up to 47 letters, digits or '_'`,
      });
    }
  });
  problems.push(...kmsKeyArnProblems(props.encryptionKeyArn));
  return problems;
}

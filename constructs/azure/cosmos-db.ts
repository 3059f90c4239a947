import { CosmosdbAccount } from '@cdktf/provider-azurerm/lib/cosmosdb-account';
import { CosmosdbSqlContainer } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-container';
import { CosmosdbSqlDatabase } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-database';
import { CosmosdbSqlRoleAssignment } from '@cdktf/provider-azurerm/lib/cosmosdb-sql-role-assignment';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Duration, Problem, StateKey, ValidationError } from '../../model';
import { AzureGrantee, granteeScope } from './agent-identity';
import { AZURE_MANAGED_BY_TAG } from './provider';

/** The one SQL database of the fleet's account; every agent gets a container in it. */
export const FLEET_DATABASE = 'fleet';

/**
 * Id of the built-in data-plane role "Cosmos DB Built-in Data Contributor": read,
 * write, query and delete items, nothing on the account's control plane.
 * @see https://learn.microsoft.com/azure/cosmos-db/nosql/security/reference-data-plane-roles
 */
export const COSMOS_DATA_CONTRIBUTOR_ROLE_ID = '00000000-0000-0000-0000-000000000002';

/** Autoscale ceiling of a container's request units, when the props do not say. */
export const DEFAULT_MAX_THROUGHPUT = 1000;

/** Props of {@link CosmosDbAccount}. */
export interface CosmosDbAccountProps {
  /** Account name, global: 3 to 44 lower-case letters, digits or `-`, starting and ending with a letter or digit. */
  readonly name: string;
  /** Resource group of the account; the caller creates it. */
  readonly resourceGroupName: string;
  /** Azure region of the write location, e.g. `westeurope`. */
  readonly location: string;
  /**
   * Read regions to fail over to, in failover order. With any, automatic failover is
   * turned on; every location is zone redundant.
   * @default - none: one region, automatic failover off
   */
  readonly failoverLocations?: readonly string[];
  /**
   * How far back continuous backup can restore: 7 or 30 days (GR-DUR-03 asks 30 in
   * production). Switching an account from periodic to continuous is one-way.
   * @default 30 days
   */
  readonly backupRetention?: Duration;
  /** Tags besides {@link AZURE_MANAGED_BY_TAG}. @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A Cosmos DB account (API for NoSQL) for the fleet's stateful agents, with the SQL
 * database {@link FLEET_DATABASE}:
 * - key authentication off (`local_authentication_disabled`) and no key-based
 *   metadata writes (GR-IAM-06): data access only through Microsoft Entra ID and
 *   Cosmos DB data-plane role assignments;
 * - public network access off (GR-NET-09): reach it through a private endpoint;
 * - minimal TLS 1.2; session consistency;
 * - continuous backup, point-in-time restore within 30 days by default (GR-DUR-03);
 * - zone-redundant locations; automatic failover only with failover locations;
 * - `prevent_destroy` on the account, the database and every container (GR-DUR-09).
 *
 * Encryption at rest uses service-managed keys; GR-ENC-10 (customer-managed key)
 * is not applied here.
 * Containers come from {@link addContainer}, one per agent.
 * @see https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac
 * @see https://learn.microsoft.com/azure/cosmos-db/continuous-backup-restore-introduction
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/cosmosdb_account
 */
export class CosmosDbAccount extends Construct {
  /** The resource id of the Cosmos DB account. */
  readonly accountId: string;
  /** The name of the Cosmos DB account. */
  readonly accountName: string;
  /** `https://<name>.documents.azure.com:443/`: what SDKs connect to. */
  readonly endpoint: string;
  /** The resource group of the account. */
  readonly resourceGroupName: string;
  /** Name of the SQL database, {@link FLEET_DATABASE}. */
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: CosmosDbAccountProps) {
    super(scope, id);
    const problems = validateAccount(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const failover = props.failoverLocations ?? [];
    const days = (props.backupRetention ?? Duration.days(30)).millis / 86_400_000;
    const account = new CosmosdbAccount(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      offerType: 'Standard',
      kind: 'GlobalDocumentDB',
      localAuthenticationDisabled: true,
      accessKeyMetadataWritesEnabled: false,
      publicNetworkAccessEnabled: false,
      minimalTlsVersion: 'Tls12',
      consistencyPolicy: { consistencyLevel: 'Session' },
      automaticFailoverEnabled: failover.length > 0,
      geoLocation: [props.location, ...failover].map((location, priority) => ({
        location,
        failoverPriority: priority,
        zoneRedundant: true,
      })),
      backup: { type: 'Continuous', tier: `Continuous${days}Days` },
      tags: { ...props.tags, ...AZURE_MANAGED_BY_TAG },
      lifecycle: { preventDestroy: true },
    });
    const database = new CosmosdbSqlDatabase(this, 'Database', {
      name: FLEET_DATABASE,
      resourceGroupName: props.resourceGroupName,
      accountName: account.name,
      lifecycle: { preventDestroy: true },
    });
    this.accountId = account.id;
    this.accountName = account.name;
    this.endpoint = account.endpoint;
    this.resourceGroupName = props.resourceGroupName;
    this.databaseName = database.name;
  }

  /** A container for one agent; the container name is the construct id. */
  addContainer(props: Omit<CosmosDbContainerProps, 'account'>): CosmosDbContainer {
    return new CosmosDbContainer(this, props.name, { ...props, account: this });
  }
}

/** Props of {@link CosmosDbContainer}. */
export interface CosmosDbContainerProps {
  /** The account whose fleet database holds the container. */
  readonly account: CosmosDbAccount;
  /** Container name, usually the agent's: 1 to 255 characters, none of `/ \ # ?`, no trailing space. */
  readonly name: string;
  /**
   * The agent's partition key: its name becomes the path `/<name>` (a top-level
   * property; letters, digits and `_`). Items are addressed by partition key and
   * `id`: Cosmos DB has no sort key.
   */
  readonly partitionKey: StateKey;
  /**
   * Autoscale ceiling in request units per second: 1000 or more, in steps of 1000;
   * the container scales between a tenth of it and it.
   * @default 1000
   */
  readonly maxThroughput?: number;
}

/**
 * A container of the fleet's database for one stateful agent: hash partitioned on
 * `/<partition key>` (version 2, long keys), autoscale throughput, `prevent_destroy`.
 * Access is given with {@link grantReadWrite}: a data-plane role assignment on this
 * container only.
 * @see https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/cosmosdb_sql_container
 */
export class CosmosDbContainer extends Construct {
  /** The name of the container. */
  readonly containerName: string;
  /** `/<partition key>`. */
  readonly partitionKeyPath: string;
  /** The container as a data-plane scope: `<account id>/dbs/<database>/colls/<container>`. */
  readonly scope: string;
  private readonly account: CosmosDbAccount;

  constructor(scope: Construct, id: string, props: CosmosDbContainerProps) {
    super(scope, id);
    const problems = validateContainer(props);
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);
    const { account } = props;
    this.account = account;
    this.partitionKeyPath = `/${props.partitionKey.name}`;
    const container = new CosmosdbSqlContainer(this, 'Resource', {
      name: props.name,
      resourceGroupName: account.resourceGroupName,
      accountName: account.accountName,
      databaseName: account.databaseName,
      partitionKeyPaths: [this.partitionKeyPath],
      partitionKeyKind: 'Hash',
      partitionKeyVersion: 2,
      autoscaleSettings: { maxThroughput: props.maxThroughput ?? DEFAULT_MAX_THROUGHPUT },
      lifecycle: { preventDestroy: true },
    });
    this.containerName = container.name;
    this.scope = `${account.accountId}/dbs/${account.databaseName}/colls/${container.name}`;
  }

  /**
   * Lets the grantee read and write items of this container only: the built-in
   * "Cosmos DB Built-in Data Contributor" ({@link COSMOS_DATA_CONTRIBUTOR_ROLE_ID}),
   * assigned with `azurerm_cosmosdb_sql_role_assignment` (a data-plane assignment,
   * not Azure RBAC).
   */
  grantReadWrite(grantee: AzureGrantee): CosmosdbSqlRoleAssignment {
    return new CosmosdbSqlRoleAssignment(granteeScope(this, grantee), 'ReadWrite', {
      resourceGroupName: this.account.resourceGroupName,
      accountName: this.account.accountName,
      roleDefinitionId: `${this.account.accountId}/sqlRoleDefinitions/${COSMOS_DATA_CONTRIBUTOR_ROLE_ID}`,
      principalId: grantee.principalId,
      scope: this.scope,
    });
  }
}

const ACCOUNT_NAME = /^[a-z0-9]([a-z0-9-]{1,42}[a-z0-9])$/;

/** Whether Azure accepts a Cosmos DB account name. */
export function isCosmosAccountName(name: string): boolean {
  return ACCOUNT_NAME.test(name);
}
const PARTITION_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

function validateAccount(props: CosmosDbAccountProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (!Token.isUnresolved(props.name) && !isCosmosAccountName(props.name)) {
    add(
      ['name'],
      `'${props.name}' is not a Cosmos DB account name: 3 to 44 lower-case letters, digits or '-', starting and ending with a letter or digit`,
    );
  }
  const retention = props.backupRetention;
  if (
    retention !== undefined &&
    retention.millis !== Duration.days(7).millis &&
    retention.millis !== Duration.days(30).millis
  ) {
    add(['backupRetention'], `${retention} is not a continuous backup tier: 7d or 30d`);
  }
  const seen = new Set([props.location]);
  (props.failoverLocations ?? []).forEach((location, i) => {
    if (seen.has(location)) {
      add(['failoverLocations', i], `'${location}' is already a location of the account`);
    }
    seen.add(location);
  });
  return problems;
}

function validateContainer(props: CosmosDbContainerProps): Problem[] {
  const problems: Problem[] = [];
  const add = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (
    props.name.length < 1 ||
    props.name.length > 255 ||
    /[/\\#?]/.test(props.name) ||
    props.name.endsWith(' ')
  ) {
    add(
      ['name'],
      `'${props.name}' is not a Cosmos DB container name: 1 to 255 characters, none of '/', '\\', '#' or '?', no trailing space`,
    );
  }
  if (!PARTITION_KEY.test(props.partitionKey.name)) {
    add(
      ['partitionKey', 'name'],
      `'${props.partitionKey.name}' is not a partition key property here: a top-level property name of letters, digits and '_', not starting with a digit`,
    );
  }
  const max = props.maxThroughput;
  if (max !== undefined && (!Number.isInteger(max) || max < 1000 || max % 1000 !== 0)) {
    add(
      ['maxThroughput'],
      `${max} is not an autoscale maximum: 1000 request units or more, in steps of 1000`,
    );
  }
  return problems;
}

import { Duration } from './units';

/**
 * The shape of the state an agent keeps: its site decides which engine serves
 * it (see `stateEngineFor`), the agent only says what it stores.
 * - `key-value`: items by partition and sort key (DynamoDB, Cosmos DB for NoSQL, CockroachDB);
 * - `document`: collections of documents with secondary indexes (MongoDB's API);
 * - `wide-column`: tables of rows by partition and clustering key (CQL);
 * - `sql`: a relational database of its own (PostgreSQL wire protocol).
 */
export type StateModel = 'key-value' | 'document' | 'wide-column' | 'sql';

/** Every shape of state, in the order the documentation lists them. */
export const STATE_MODELS: readonly StateModel[] = ['key-value', 'document', 'wide-column', 'sql'];

/** Type of a key attribute of an agent's table. */
export type KeyType = 'string' | 'number' | 'binary';

/** A key attribute of an agent's table. */
export interface StateKey {
  /** Attribute name, 1 to 255 characters. */
  readonly name: string;
  /** The attribute's type: string, number or binary. */
  readonly type: KeyType;
}

/** Capacity bounds of a provisioned table, in capacity units. */
export interface CapacityBounds {
  /** Fewest capacity units, at least 1. */
  readonly min: number;
  /** Most capacity units, at least `min`. */
  readonly max: number;
}

/**
 * Items by key in a table of the agent's own, in the key-value store its site
 * offers (DynamoDB on AWS, a Cosmos DB container on Azure, a CockroachDB
 * database in the cluster). The table is protected from deletion, backed up
 * continuously and encrypted with a key of the site; only the agent's identity
 * may read and write it.
 */
export interface KeyValueStateSpec {
  /** The shape of the state: items by key. @default 'key-value' */
  readonly model?: 'key-value';
  /** The table's partition (hash) key. */
  readonly partitionKey: StateKey;
  /** The table's sort (range) key. @default - none */
  readonly sortKey?: StateKey;
  /**
   * Provisioned capacity, auto scaled between the bounds to keep
   * `targetUtilization` percent in use.
   * @default - on demand: billed per request, absorbs fleet bursts
   */
  readonly capacity?: {
    /** Read capacity units, auto scaled between the bounds. */
    readonly read: CapacityBounds;
    /** Write capacity units, auto scaled between the bounds. */
    readonly write: CapacityBounds;
    /** Percent of the provisioned capacity auto scaling keeps in use, 20 to 90. @default 70 */
    readonly targetUtilization?: number;
  };
}

/** Sort order of a field in an index or of a clustering column. */
export type SortOrder = 'asc' | 'desc';

/** A secondary index of a document collection. */
export interface DocumentIndex {
  /** The indexed fields, in order, each ascending or descending; dotted paths reach nested fields. */
  readonly keys: readonly { readonly field: string; readonly order: SortOrder }[];
  /** No two documents may have the same values of the keys. @default false */
  readonly unique?: boolean;
  /**
   * Documents expire this long after the time in the (single, date) key field:
   * a TTL index.
   * @default - documents never expire
   */
  readonly expireAfter?: Duration;
}

/** A collection of the agent's document database. */
export interface DocumentCollection {
  /** Name of the collection: letters, digits, `_` and `-`, at most 64 characters. */
  readonly name: string;
  /** Its secondary indexes; `_id` is always indexed. @default - none */
  readonly indexes?: readonly DocumentIndex[];
}

/**
 * Documents in collections of a database of the agent's own, in the
 * MongoDB-compatible store its site offers; the agent's user may read and
 * write that database only.
 */
export interface DocumentStateSpec {
  /** The shape of the state: documents. */
  readonly model: 'document';
  /** The collections, created with their indexes before the agent runs. At least one. */
  readonly collections: readonly DocumentCollection[];
}

/** CQL types a wide-column table's columns may have. */
export type CqlType =
  | 'ascii'
  | 'bigint'
  | 'blob'
  | 'boolean'
  | 'date'
  | 'decimal'
  | 'double'
  | 'float'
  | 'inet'
  | 'int'
  | 'smallint'
  | 'text'
  | 'time'
  | 'timestamp'
  | 'timeuuid'
  | 'tinyint'
  | 'uuid'
  | 'varint';

/** A table of the agent's keyspace. */
export interface WideColumnTable {
  /** Name of the table: a letter, then letters, digits and `_`, at most 48 characters. */
  readonly name: string;
  /** Its columns, the key columns included, by name. At least one. */
  readonly columns: readonly { readonly name: string; readonly type: CqlType }[];
  /** Columns whose values place a row: the partition key, in order. At least one. */
  readonly partitionKey: readonly string[];
  /** Columns that order the rows within a partition, in order. @default - none */
  readonly clusteringKey?: readonly { readonly column: string; readonly order: SortOrder }[];
  /** Rows expire this long after they are written. @default - rows never expire */
  readonly defaultTtl?: Duration;
}

/**
 * Rows in tables of a keyspace of the agent's own, in the CQL store its site
 * offers; the agent's role may read and write that keyspace only.
 */
export interface WideColumnStateSpec {
  /** The shape of the state: wide rows. */
  readonly model: 'wide-column';
  /** The tables, created before the agent runs. At least one. */
  readonly tables: readonly WideColumnTable[];
  /**
   * Copies of each row. Fewer than 3 needs a written `reason`; managed
   * services that replicate on their own (Amazon Keyspaces keeps 3 copies
   * across zones) ignore it.
   * @default - 3 copies, one per zone
   */
  readonly replication?: { readonly factor: number; readonly reason?: string };
}

/**
 * A relational database of the agent's own, in the distributed SQL engine its
 * site offers (PostgreSQL wire protocol); the agent's user owns its schema.
 */
export interface SqlStateSpec {
  /** The shape of the state: a SQL database. */
  readonly model: 'sql';
  /**
   * The schema the agent's user owns and migrates, in its database. On an AWS
   * site's Aurora DSQL cluster, which the site's agents share, two agents may
   * not name the same schema.
   * @default 'public' (on Aurora DSQL: the agent's name with `-` as `_`)
   */
  readonly schema?: string;
}

/** State an agent keeps, of one of the {@link StateModel} shapes. */
export type StateSpec = KeyValueStateSpec | DocumentStateSpec | WideColumnStateSpec | SqlStateSpec;

/** The shape of an agent's state; key-value where the spec does not name one. */
export function stateModelOf(state: StateSpec): StateModel {
  return state.model ?? 'key-value';
}

/** The agent's state when it is a key-value table, else undefined. */
export function keyValueState(state: StateSpec | undefined): KeyValueStateSpec | undefined {
  return state && stateModelOf(state) === 'key-value' ? (state as KeyValueStateSpec) : undefined;
}

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
 * State an agent keeps in a table of its own, in the database its site offers
 * (DynamoDB on AWS). The table is protected from deletion, backed up
 * continuously and encrypted with a key of its own; only the agent's identity
 * may read and write it.
 */
export interface StateSpec {
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
    readonly read: CapacityBounds;
    readonly write: CapacityBounds;
    /** Percent of the provisioned capacity auto scaling keeps in use, 20 to 90. @default 70 */
    readonly targetUtilization?: number;
  };
}

import { DocumentCollection, DocumentIndex } from '../../../model/state';

/** A collection as a `mongosh` script creates it: its name and `createIndexes` specs. */
export interface CollectionPlan {
  /** Name of the collection. */
  readonly name: string;
  /** The indexes, as the `createIndexes` command takes them. */
  readonly indexes: readonly {
    readonly name: string;
    readonly key: Readonly<Record<string, 1 | -1>>;
    readonly unique?: true;
    readonly expireAfterSeconds?: number;
  }[];
}

/**
 * An agent's collections and their indexes (unique, TTL) as the provisioning
 * scripts of MongoDB and Amazon DocumentDB create them.
 */
export function collectionPlan(collections: readonly DocumentCollection[]): CollectionPlan[] {
  return collections.map((collection) => ({
    name: collection.name,
    indexes: (collection.indexes ?? []).map((index) => ({
      name: indexName(index),
      key: Object.fromEntries(index.keys.map((key) => [key.field, key.order === 'asc' ? 1 : -1])),
      ...(index.unique ? { unique: true as const } : {}),
      ...(index.expireAfter ? { expireAfterSeconds: index.expireAfter.toSecondsCeil() } : {}),
    })),
  }));
}

/** An index's name as MongoDB would make it: `customer.id_1_createdAt_-1`. */
function indexName(index: DocumentIndex): string {
  return index.keys.map((key) => `${key.field}_${key.order === 'asc' ? 1 : -1}`).join('_');
}

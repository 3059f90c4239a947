import { AddProblem as Add, checkRange, Path } from './checks';
import {
  DocumentStateSpec,
  KeyValueStateSpec,
  SqlStateSpec,
  StateKey,
  StateSpec,
  WideColumnStateSpec,
} from './state';
import { Duration } from './units';

/** MongoDB collection names the engines accept here: no `$`, no `system.` prefix. */
const COLLECTION = /^[A-Za-z0-9_-]{1,64}$/;
/** CQL identifiers unquoted, as Cassandra and Amazon Keyspaces accept table and column names. */
const CQL_NAME = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;
/** PostgreSQL identifiers unquoted, at most 63 bytes. */
const SQL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Longest time to live Cassandra and Keyspaces accept: 20 years. */
const MAX_TTL = Duration.days(20 * 365);

/** Problems of an agent's state on its own, whatever engine will serve it. */
export function validateState(state: StateSpec, add: Add): void {
  switch (state.model) {
    case 'document':
      return validateDocuments(state, add);
    case 'wide-column':
      return validateWideColumns(state, add);
    case 'sql':
      return validateSql(state, add);
    default:
      return validateKeyValue(state, add);
  }
}

function validateKeyValue(state: KeyValueStateSpec, add: Add): void {
  const key = (value: StateKey, path: Path) => {
    if (value.name.length === 0 || value.name.length > 255)
      add([...path, 'name'], 'must be 1 to 255 characters');
  };
  key(state.partitionKey, ['state', 'partitionKey']);
  if (state.sortKey) {
    key(state.sortKey, ['state', 'sortKey']);
    if (state.sortKey.name === state.partitionKey.name) {
      add(['state', 'sortKey', 'name'], `'${state.sortKey.name}' is already the partition key`);
    }
  }
  const capacity = state.capacity;
  if (capacity) {
    for (const side of ['read', 'write'] as const) {
      const bounds = capacity[side];
      checkRange(bounds.min, 1, 40_000, ['state', 'capacity', side, 'min'], add);
      checkRange(bounds.max, 1, 40_000, ['state', 'capacity', side, 'max'], add);
      if (bounds.min > bounds.max) {
        add(['state', 'capacity', side, 'min'], `(${bounds.min}) must be <= 'max' (${bounds.max})`);
      }
    }
    if (capacity.targetUtilization !== undefined) {
      checkRange(
        capacity.targetUtilization,
        20,
        90,
        ['state', 'capacity', 'targetUtilization'],
        add,
      );
    }
  }
}

/** Adds a problem for each name given twice in a list, at its second place. */
function checkUnique(names: readonly string[], path: (index: number) => Path, add: Add): void {
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (seen.has(name)) add(path(index), `'${name}' is given twice`);
    seen.add(name);
  });
}

function validateDocuments(state: DocumentStateSpec, add: Add): void {
  if (state.collections.length === 0) {
    add(['state', 'collections'], 'needs at least one collection');
  }
  state.collections.forEach((collection, c) => {
    const at = ['state', 'collections', c];
    if (!COLLECTION.test(collection.name)) {
      add(
        [...at, 'name'],
        `'${collection.name}' must be 1 to 64 letters, digits, '_' or '-' (MongoDB reserves '$' and 'system.')`,
      );
    }
    (collection.indexes ?? []).forEach((index, i) => {
      const where = [...at, 'indexes', i];
      if (index.keys.length === 0) add([...where, 'keys'], 'needs at least one field');
      index.keys.forEach((key, k) => {
        if (key.field.length === 0 || key.field.startsWith('$') || key.field.includes('..')) {
          add(
            [...where, 'keys', k, 'field'],
            `'${key.field}' is not a field path: names joined by '.', none starting with '$'`,
          );
        }
      });
      checkUnique(
        index.keys.map((key) => key.field),
        (k) => [...where, 'keys', k, 'field'],
        add,
      );
      if (index.expireAfter && index.keys.length !== 1) {
        add(
          [...where, 'expireAfter'],
          `a TTL index has exactly one key, a date field (this one has ${index.keys.length})`,
        );
      }
    });
  });
  checkUnique(
    state.collections.map((collection) => collection.name),
    (c) => ['state', 'collections', c, 'name'],
    add,
  );
}

function validateWideColumns(state: WideColumnStateSpec, add: Add): void {
  if (state.tables.length === 0) add(['state', 'tables'], 'needs at least one table');
  state.tables.forEach((table, t) => {
    const at = ['state', 'tables', t];
    const cql = (name: string, path: Path) => {
      if (!CQL_NAME.test(name)) {
        add(path, `'${name}' must be a letter, then letters, digits or '_', at most 48 characters`);
      }
    };
    cql(table.name, [...at, 'name']);
    table.columns.forEach((column, c) => cql(column.name, [...at, 'columns', c, 'name']));
    if (table.columns.length === 0) add([...at, 'columns'], 'needs at least one column');
    checkUnique(
      table.columns.map((column) => column.name),
      (c) => [...at, 'columns', c, 'name'],
      add,
    );
    const declared = new Set(table.columns.map((column) => column.name));
    const undeclared = (name: string) =>
      `'${name}' is not a column of table '${table.name}' (${[...declared].join(', ') || 'none declared'})`;
    if (table.partitionKey.length === 0) {
      add([...at, 'partitionKey'], 'needs at least one column');
    }
    table.partitionKey.forEach((name, k) => {
      if (!declared.has(name)) add([...at, 'partitionKey', k], undeclared(name));
    });
    checkUnique(table.partitionKey, (k) => [...at, 'partitionKey', k], add);
    const clustering = table.clusteringKey ?? [];
    clustering.forEach((key, k) => {
      const path = [...at, 'clusteringKey', k, 'column'];
      if (!declared.has(key.column)) add(path, undeclared(key.column));
      else if (table.partitionKey.includes(key.column)) {
        add(path, `'${key.column}' is already in the partition key`);
      }
    });
    checkUnique(
      clustering.map((key) => key.column),
      (k) => [...at, 'clusteringKey', k, 'column'],
      add,
    );
    const ttl = table.defaultTtl;
    if (ttl && (ttl.millis < 1000 || ttl.isLongerThan(MAX_TTL))) {
      add([...at, 'defaultTtl'], `(${ttl}) must be from 1s to 20 years (${MAX_TTL})`);
    }
  });
  checkUnique(
    state.tables.map((table) => table.name.toLowerCase()),
    (t) => ['state', 'tables', t, 'name'],
    add,
  );
  const replication = state.replication;
  if (replication) {
    checkRange(replication.factor, 1, 7, ['state', 'replication', 'factor'], add);
    if (replication.factor < 3 && !replication.reason?.trim()) {
      add(
        ['state', 'replication', 'reason'],
        `${replication.factor} copies survive no zone's loss: give the reason in writing, or keep the default of 3`,
      );
    }
  }
}

function validateSql(state: SqlStateSpec, add: Add): void {
  if (state.schema !== undefined && !SQL_NAME.test(state.schema)) {
    add(
      ['state', 'schema'],
      `'${state.schema}' must be a lower-case SQL identifier: a letter or '_', then letters, digits or '_', at most 63 characters`,
    );
  }
}

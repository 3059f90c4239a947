import { createHash } from 'crypto';
import { BrokerUser } from '../../model';

/**
 * A place outside the broker that holds a copy of one broker user's password:
 * KEDA's management URI, or an agent's own credentials.
 */
export interface BrokerCredentialCopy {
  /** The broker user whose password it holds. */
  readonly user: string;
  /** A write-only Kubernetes Secret, or a secret of the site's Vault (KV version 2). */
  readonly store: 'kubernetes-secret' | 'vault-kv';
  /** The Secret's namespace, or the Vault KV mount. */
  readonly namespace: string;
  /** The Secret's name, or the secret's name under the mount. */
  readonly name: string;
}

/**
 * What a broker's users revision is derived from, and the revision. Every
 * Secret that holds one of the broker's passwords (its own users Secret, KEDA's
 * and each agent's copy) and the nodes' restart annotation carry the revision.
 * A copy that moves (another namespace, Secret name, Vault path or broker) is a
 * new Secret, written from that apply's passwords; because its place is part of
 * the revision, the same apply writes every other copy and the broker's users
 * anew, and the nodes restart to import them. An apply that changes none of
 * these inputs leaves every password alone.
 */
export interface BrokerCredentials {
  /** Name of the in-cluster RabbitMQ broker. */
  readonly broker: string;
  /** The revision of every Secret holding one of the broker's passwords. */
  readonly revision: number;
  /** The broker's own Secret of every user and password (`users.json`). */
  readonly usersSecret: { readonly namespace: string; readonly name: string };
  /** Each user with its tags, permissions and the copies of its password outside the broker. */
  readonly users: readonly (BrokerUser & { readonly copies: readonly BrokerCredentialCopy[] })[];
}

/**
 * Derives a broker's users revision from everything that identifies where its
 * passwords are written: the broker, its users Secret, each user (name, tags,
 * permissions) and each copy's store, namespace and name. Order-insensitive:
 * listing agents in another order rotates nothing.
 * @returns a number from 0 to 2^28 - 1, as Terraform's `data_wo_revision` and
 *   an annotation both take it
 */
export function brokerCredentials(
  broker: string,
  usersSecret: BrokerCredentials['usersSecret'],
  users: readonly BrokerUser[],
  copies: readonly BrokerCredentialCopy[],
): BrokerCredentials {
  const known = new Set(users.map((user) => user.name));
  const stray = copies.filter((copy) => !known.has(copy.user)).map((copy) => copy.user);
  if (stray.length > 0) {
    throw new Error(`broker '${broker}' has no user ${stray.map((u) => `'${u}'`).join(', ')}`);
  }
  const key = (copy: BrokerCredentialCopy) =>
    JSON.stringify([copy.store, copy.namespace, copy.name]);
  const listed = [...users]
    .sort((a, b) => compare(a.name, b.name))
    .map((user) => ({
      ...user,
      copies: copies
        .filter((copy) => copy.user === user.name)
        .sort((a, b) => compare(key(a), key(b))),
    }));
  const inputs = JSON.stringify({ broker, usersSecret, users: listed });
  return {
    broker,
    revision: parseInt(createHash('sha256').update(inputs).digest('hex').slice(0, 7), 16),
    usersSecret,
    users: listed,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

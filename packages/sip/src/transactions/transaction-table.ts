import {
  DuplicateTransactionError,
  TransactionKindMismatchError,
  TransactionNotFoundError,
} from './transaction-error.js';
import {
  clientTransactionKey,
  serverTransactionKey,
  type ClientKeyInput,
  type ClientTransactionKey,
  type ServerKeyInput,
  type ServerTransactionKey,
} from './transaction-key.js';
import type { TransactionKind } from './transaction-machine.js';

/** Live transactions per machine, for metrics. */
export interface TransactionCounts {
  readonly inviteClient: number;
  readonly nonInviteClient: number;
  readonly inviteServer: number;
  readonly nonInviteServer: number;
  readonly total: number;
}

/** Lifetime figures of a table, for metrics. */
export interface TransactionTableStats {
  /** Transactions in the table now. */
  readonly live: number;
  /** Transactions ever added. */
  readonly added: number;
  /** Transactions ever removed. */
  readonly removed: number;
  /** The most transactions the table held at once. */
  readonly peak: number;
}

const CLIENT_KINDS: ReadonlySet<TransactionKind> = new Set(['inviteClient', 'nonInviteClient']);
const SERVER_KINDS: ReadonlySet<TransactionKind> = new Set(['inviteServer', 'nonInviteServer']);

/**
 * The live transactions of one transaction layer, by key: client transactions by branch + CSeq
 * method (RFC 3261 §17.1.3), server transactions by branch + sent-by + method or the RFC 2543 tuple
 * (§17.2.3). It enforces what the matching rules assume: one transaction per key, client
 * transactions only under client keys and server ones only under server keys, and lookups that
 * go through the key functions. Removing a transaction when it terminates is the owner's job
 * (`onTerminated` → `deleteClient` / `deleteServer`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.1.3
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.2.3
 */
export class TransactionTable<T extends { readonly kind: TransactionKind }> {
  readonly #client = new Map<ClientTransactionKey, T>();
  readonly #server = new Map<ServerTransactionKey, T>();
  /** alias → primary key, and primary key → its aliases (RFC 2543 ACK keys). */
  readonly #aliasOf = new Map<ServerTransactionKey, ServerTransactionKey>();
  readonly #aliases = new Map<ServerTransactionKey, Set<ServerTransactionKey>>();
  readonly #counts: Record<TransactionKind, number> = {
    inviteClient: 0,
    nonInviteClient: 0,
    inviteServer: 0,
    nonInviteServer: 0,
  };
  #added = 0;
  #removed = 0;
  #peak = 0;

  /**
   * Files a client transaction under its key.
   * @throws TransactionKindMismatchError for a server transaction.
   * @throws DuplicateTransactionError when the key is taken.
   */
  addClient(key: ClientTransactionKey, transaction: T): void {
    if (!CLIENT_KINDS.has(transaction.kind)) {
      throw new TransactionKindMismatchError(`a ${transaction.kind} transaction cannot take a client key`);
    }
    if (this.#client.has(key)) throw new DuplicateTransactionError(key);
    this.#client.set(key, transaction);
    this.#onAdded(transaction);
  }

  /**
   * Files a server transaction under its key.
   * @throws TransactionKindMismatchError for a client transaction.
   * @throws DuplicateTransactionError when the key (or an alias equal to it) is taken.
   */
  addServer(key: ServerTransactionKey, transaction: T): void {
    if (!SERVER_KINDS.has(transaction.kind)) {
      throw new TransactionKindMismatchError(`a ${transaction.kind} transaction cannot take a server key`);
    }
    if (this.#server.has(key) || this.#aliasOf.has(key)) throw new DuplicateTransactionError(key);
    this.#server.set(key, transaction);
    this.#onAdded(transaction);
  }

  /**
   * Files the server transaction under `key` under `alias` too: an RFC 2543 INVITE transaction is
   * found by its ACK only under the To tag of the response sent (see `serverAckKey`). An alias equal
   * to the key is a no-op.
   * @throws TransactionNotFoundError when no transaction has `key`.
   * @throws DuplicateTransactionError when `alias` belongs to another transaction.
   */
  aliasServer(key: ServerTransactionKey, alias: ServerTransactionKey): void {
    if (!this.#server.has(key)) throw new TransactionNotFoundError(key);
    if (alias === key) return;
    const owner = this.#aliasOf.get(alias);
    if (owner === key) return;
    if (owner !== undefined || this.#server.has(alias)) throw new DuplicateTransactionError(alias);
    this.#aliasOf.set(alias, key);
    let set = this.#aliases.get(key);
    if (set === undefined) {
      set = new Set();
      this.#aliases.set(key, set);
    }
    set.add(alias);
  }

  /** RFC 3261 §17.1.3 — the client transaction a response matches, if any. */
  findClient(response: ClientKeyInput): T | undefined {
    return this.#client.get(clientTransactionKey(response));
  }

  /** RFC 3261 §17.2.3 — the server transaction a request (ACK included) matches, if any. */
  findServer(request: ServerKeyInput): T | undefined {
    return this.getServer(serverTransactionKey(request));
  }

  /** The client transaction filed under `key`, if any. */
  getClient(key: ClientTransactionKey): T | undefined {
    return this.#client.get(key);
  }

  /** The server transaction filed under `key` or an alias of it, if any. */
  getServer(key: ServerTransactionKey): T | undefined {
    const found = this.#server.get(key);
    if (found !== undefined || this.#aliasOf.size === 0) return found;
    const primary = this.#aliasOf.get(key);
    return primary === undefined ? undefined : this.#server.get(primary);
  }

  /** @throws TransactionNotFoundError when no client transaction has `key`. */
  requireClient(key: ClientTransactionKey): T {
    const found = this.getClient(key);
    if (found === undefined) throw new TransactionNotFoundError(key);
    return found;
  }

  /** @throws TransactionNotFoundError when no server transaction has `key` (or the alias `key`). */
  requireServer(key: ServerTransactionKey): T {
    const found = this.getServer(key);
    if (found === undefined) throw new TransactionNotFoundError(key);
    return found;
  }

  /**
   * Files `transaction` in place of the server transaction under `key` (its primary key), keeping
   * its aliases and the table's figures: the same transaction in another form (a finished one
   * reduced to a `LingeringServerTransaction`).
   * @throws TransactionNotFoundError when no transaction has the primary key `key`.
   * @throws TransactionKindMismatchError when the kinds differ.
   */
  replaceServer(key: ServerTransactionKey, transaction: T): void {
    const found = this.#server.get(key);
    if (found === undefined) throw new TransactionNotFoundError(key);
    if (found.kind !== transaction.kind) {
      throw new TransactionKindMismatchError(
        `a ${found.kind} transaction cannot become a ${transaction.kind}`,
      );
    }
    this.#server.set(key, transaction);
  }

  /**
   * Files `transaction` in place of the client transaction under `key`, keeping the table's
   * figures: the same transaction in another form (a finished one reduced to a
   * `LingeringClientTransaction`).
   * @throws TransactionNotFoundError when no transaction has `key`.
   * @throws TransactionKindMismatchError when the kinds differ.
   */
  replaceClient(key: ClientTransactionKey, transaction: T): void {
    const found = this.#client.get(key);
    if (found === undefined) throw new TransactionNotFoundError(key);
    if (found.kind !== transaction.kind) {
      throw new TransactionKindMismatchError(
        `a ${found.kind} transaction cannot become a ${transaction.kind}`,
      );
    }
    this.#client.set(key, transaction);
  }

  /** Removes the client transaction under `key`; false when there was none. */
  deleteClient(key: ClientTransactionKey): boolean {
    const found = this.#client.get(key);
    if (found === undefined) return false;
    this.#client.delete(key);
    this.#onRemoved(found);
    return true;
  }

  /** Removes the server transaction under `key` (its primary key or an alias) with all its aliases. */
  deleteServer(key: ServerTransactionKey): boolean {
    let primary: ServerTransactionKey | undefined = key;
    let found = this.#server.get(key);
    if (found === undefined) {
      primary = this.#aliasOf.get(key);
      if (primary === undefined) return false;
      found = this.#server.get(primary);
      if (found === undefined) return false;
    }
    return this.deleteServerIf(primary, found);
  }

  /**
   * Removes the server transaction under its primary `key` (with its aliases) only if it is still
   * `transaction` — not one filed there since; one lookup fewer than `getServer` then `deleteServer`.
   */
  deleteServerIf(key: ServerTransactionKey, transaction: T): boolean {
    if (this.#server.get(key) !== transaction) return false;
    this.#server.delete(key);
    // RFC 2543 aliases are rare: no lookups for them when there are none.
    if (this.#aliases.size > 0) {
      for (const alias of this.#aliases.get(key) ?? []) this.#aliasOf.delete(alias);
      this.#aliases.delete(key);
    }
    this.#onRemoved(transaction);
    return true;
  }

  /** How many transactions the table holds. */
  get size(): number {
    return this.#client.size + this.#server.size;
  }

  /** Live transactions per machine. */
  counts(): TransactionCounts {
    return { ...this.#counts, total: this.size };
  }

  /** Lifetime figures. */
  stats(): TransactionTableStats {
    return { live: this.size, added: this.#added, removed: this.#removed, peak: this.#peak };
  }

  /** The client transactions with their keys. */
  clients(): IterableIterator<[ClientTransactionKey, T]> {
    return this.#client.entries();
  }

  /** The server transactions with their primary keys. */
  servers(): IterableIterator<[ServerTransactionKey, T]> {
    return this.#server.entries();
  }

  #onAdded(transaction: T): void {
    this.#counts[transaction.kind] += 1;
    this.#added += 1;
    this.#peak = Math.max(this.#peak, this.size);
  }

  #onRemoved(transaction: T): void {
    this.#counts[transaction.kind] -= 1;
    this.#removed += 1;
  }
}

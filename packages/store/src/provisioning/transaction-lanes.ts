/**
 * Group commit for the provisioning store's hot records. Sessions that share an aggregate LSP all
 * rewrite that LSP's record (its contributions) when they join or leave it, so concurrent optimistic
 * transactions on it mostly lose their compare-and-set and retry — under a few hundred calls/s they
 * ran out of attempts (`ContentionError`). A lane queues the transactions of one hot record in this
 * process: one runs at a time and, while it runs, the next ones wait; the waiting ones then run as ONE
 * batch — each body in order over the records as the previous bodies left them, their writes merged —
 * committed with one compare-and-set. A batch costs one read round trip (with prefetch), one revision
 * reservation and one commit however many transactions it holds.
 *
 * Atomicity and isolation are unchanged: each body still sees a consistent snapshot (the backend's
 * values plus the writes of the bodies before it in the batch, exactly what running them one after
 * another would give), and the batch commits all or nothing against every record any body read. Other
 * processes still race through the compare-and-set; a conflict re-runs the whole batch. A body that
 * throws fails alone; the others commit without its writes.
 *
 * @internal
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ContentionError } from './provisioning-store-error.js';
import type { RecordBackend, RecordRef, RecordValue } from './record-backend.js';

/** What a transaction body may do: read records and draw revisions. */
export interface Transaction {
  read(refs: readonly RecordRef[]): Promise<(string | null)[]>;
  /** The next store-wide revision (see {@link RecordBackend.nextRevision}). */
  nextRevision(): Promise<number>;
}

export interface TransactionResult<R> {
  readonly writes: readonly RecordValue[];
  readonly result: R;
}

export type TransactionBody<R> = (tx: Transaction) => Promise<TransactionResult<R>>;

/** Compare-and-set attempts of a transaction or a batch before {@link ContentionError}. */
export const MAX_ATTEMPTS = 50;
/** Most transactions committed together. */
export const MAX_BATCH = 64;

interface Pending {
  readonly what: string;
  readonly body: TransactionBody<unknown>;
  readonly prefetch: readonly RecordRef[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface Lane {
  readonly pending: Pending[];
}

const refKey = (r: RecordRef): string => `${r.table}\u0000${r.id}`;

/** Backoff before the next attempt after a lost compare-and-set: random, growing, at most 50 ms. */
function backoff(attempt: number): Promise<void> {
  return sleep(Math.floor(Math.random() * Math.min(50, 2 ** attempt)));
}

/** Queues transactions per lane and commits each lane's queue as batches. @internal */
export class TransactionLanes {
  readonly #backend: RecordBackend;
  readonly #lanes = new Map<string, Lane>();
  /** Batches committed and transactions in them (tests and diagnosis). */
  readonly stats = { batches: 0, transactions: 0, conflicts: 0 };

  constructor(backend: RecordBackend) {
    this.#backend = backend;
  }

  /**
   * Runs `body` in the lane `lane`: at once if the lane is idle, else in the next batch. `prefetch`
   * names records the body will read (read for the whole batch in one round trip).
   */
  run<R>(
    lane: string,
    what: string,
    body: TransactionBody<R>,
    prefetch: readonly RecordRef[] = [],
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const pending: Pending = {
        what,
        body: body as TransactionBody<unknown>,
        prefetch,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      const existing = this.#lanes.get(lane);
      if (existing) {
        existing.pending.push(pending);
        return;
      }
      const created: Lane = { pending: [pending] };
      this.#lanes.set(lane, created);
      void this.#drain(lane, created);
    });
  }

  async #drain(lane: string, l: Lane): Promise<void> {
    try {
      while (l.pending.length > 0) {
        await this.#commitBatch(l.pending.splice(0, MAX_BATCH));
      }
    } finally {
      this.#lanes.delete(lane);
    }
  }

  async #commitBatch(batch: readonly Pending[]): Promise<void> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[];
      let expected: RecordValue[];
      let writes: Map<string, RecordValue>;
      try {
        ({ outcomes, expected, writes } = await this.#runBodies(batch));
      } catch (error) {
        // The backend failed (not a body): every transaction of the batch fails with it.
        for (const p of batch) p.reject(error);
        return;
      }
      let committed = writes.size === 0;
      if (!committed) {
        try {
          committed = (await this.#backend.commit(expected, [...writes.values()])) === 'ok';
        } catch (error) {
          for (const p of batch) p.reject(error);
          return;
        }
      }
      if (committed) {
        this.stats.batches++;
        this.stats.transactions += batch.length;
        batch.forEach((p, i) => {
          const o = outcomes[i];
          if (o?.ok) p.resolve(o.value);
          else p.reject(o?.error);
        });
        return;
      }
      this.stats.conflicts++;
      await backoff(attempt);
    }
    for (const p of batch) p.reject(new ContentionError(p.what));
  }

  /** Runs every body of a batch in order over one overlay of the records. */
  async #runBodies(batch: readonly Pending[]): Promise<{
    outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[];
    expected: RecordValue[];
    writes: Map<string, RecordValue>;
  }> {
    /** Values as the next body must see them: read from the backend, then overwritten by writes. */
    const view = new Map<string, string | null>();
    /** What was read from the backend: the commit's preconditions. */
    const expected = new Map<string, RecordValue>();
    const writes = new Map<string, RecordValue>();
    const load = async (refs: readonly RecordRef[]): Promise<void> => {
      const missing = [
        ...new Map(refs.filter((r) => !view.has(refKey(r))).map((r) => [refKey(r), r])).values(),
      ];
      if (missing.length === 0) return;
      const values = await this.#backend.get(missing);
      missing.forEach((r, i) => {
        const value = values[i] ?? null;
        view.set(refKey(r), value);
        expected.set(refKey(r), { table: r.table, id: r.id, value });
      });
    };
    await load(batch.flatMap((p) => p.prefetch));
    // Revisions are drawn in blocks: one round trip for the whole batch in the common case.
    let next = 0;
    let last = -1;
    const tx: Transaction = {
      read: async (refs) => {
        await load(refs);
        return refs.map((r) => view.get(refKey(r)) ?? null);
      },
      nextRevision: async () => {
        if (next > last) {
          const count = Math.max(1, batch.length);
          last = await this.#backend.reserveRevisions(count);
          next = last - count + 1;
        }
        return next++;
      },
    };
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    for (const p of batch) {
      let done: TransactionResult<unknown>;
      try {
        done = await p.body(tx);
      } catch (error) {
        outcomes.push({ ok: false, error });
        continue;
      }
      for (const w of done.writes) {
        view.set(refKey(w), w.value);
        writes.set(refKey(w), w);
      }
      outcomes.push({ ok: true, value: done.result });
    }
    return { outcomes, expected: [...expected.values()], writes };
  }
}

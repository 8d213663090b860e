import type { Redis } from 'ioredis';
import { fieldValue, streamEntries } from './stream-group-consumer.js';

/** Optional callbacks of {@link StreamTail} (logging, metrics). */
export interface StreamTailDelegate<T> {
  /** An entry did not decode: skipped. */
  onInvalid?(entryId: string, error: unknown): void;
  /** The handler threw; `final`: it was the last attempt and the entry is skipped. */
  onHandlerError?(error: unknown, value: T, entryId: string, attempt: number, final: boolean): void;
  /** A read failed (Redis down, …); the loop waits `errorBackoffMs` and reads on from where it was. */
  onPollError?(error: unknown): void;
}

/** What every tail takes, whatever its stream. */
export interface StreamTailCommonOptions<T> {
  /** For the position look-up; the tail duplicates it for its blocking reads. Not closed by the tail. */
  redis: Redis;
  handler: (value: T, entryId: string) => Promise<void>;
  delegate?: StreamTailDelegate<T>;
  /** Read entries after this id. @defaultValue the stream's last entry when {@link StreamTail.start} runs */
  after?: string;
  /** Entries per read. @defaultValue 50 */
  batchSize?: number;
  /** How long one `XREAD` waits for new entries. @defaultValue 1000 ms */
  blockMs?: number;
  /** Wait after a failed read, and between the attempts of a failing handler. @defaultValue 500 ms */
  errorBackoffMs?: number;
  /** Handler attempts per entry before it is skipped (reported as final). @defaultValue 3 */
  maxAttempts?: number;
}

/** Options of {@link StreamTail}. */
export interface StreamTailOptions<T> extends StreamTailCommonOptions<T> {
  stream: string;
  /** The entry field holding the JSON value. */
  field: string;
  /** Parses one entry's field; throwing skips the entry (reported). */
  decode: (json: string) => T;
}

/**
 * Follows a stream from a position with plain `XREAD` — every reader sees every entry, in order,
 * and nothing is kept in Redis per reader. The position is this process's: it survives Redis
 * reconnections (the next read continues after the last entry handled) but not a restart, so a
 * tail suits state that dies with the process. An entry is handed on only after the previous one's
 * handler finished.
 */
export class StreamTail<T> {
  readonly stream: string;
  readonly #options: StreamTailOptions<T>;
  readonly #batchSize: number;
  readonly #blockMs: number;
  readonly #backoffMs: number;
  readonly #maxAttempts: number;
  #position: string | undefined;
  #reader: Redis | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;

  constructor(options: StreamTailOptions<T>) {
    this.#options = options;
    this.stream = options.stream;
    this.#batchSize = options.batchSize ?? 50;
    this.#blockMs = options.blockMs ?? 1000;
    this.#backoffMs = options.errorBackoffMs ?? 500;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#position = options.after;
  }

  /** The id of the last entry handled (or the start position). */
  get position(): string | undefined {
    return this.#position;
  }

  /**
   * Fixes the start position — the stream's last entry now, unless `after` was given — so every
   * entry added once this resolves is read. Idempotent.
   */
  async init(): Promise<void> {
    if (this.#position !== undefined) return;
    const last = await this.#options.redis.xrevrange(this.stream, '+', '-', 'COUNT', 1);
    this.#position = last[0]?.[0] ?? '0-0';
  }

  /** Reads once (waiting up to `blockMs`, or the given `blockMs`) and handles what came; returns how many. */
  async pollOnce(options: { blockMs?: number } = {}): Promise<number> {
    await this.init();
    const blockMs = options.blockMs ?? this.#blockMs;
    const args: (string | number)[] = ['COUNT', this.#batchSize];
    if (blockMs > 0) args.push('BLOCK', blockMs);
    args.push('STREAMS', this.stream, this.#position as string);
    const reply = await this.#blockingConnection().call('XREAD', ...args);
    let handled = 0;
    for (const [id, fields] of streamEntries(reply)) {
      if (this.#stopping) break;
      await this.#handle(id, fields);
      this.#position = id;
      handled++;
    }
    return handled;
  }

  /** Fixes the start position, then reads in a loop until {@link stop}. */
  async start(): Promise<void> {
    if (this.#loop !== undefined) return;
    this.#stopping = false;
    await this.init();
    this.#loop = (async () => {
      while (!this.#stopping) {
        try {
          await this.pollOnce();
        } catch (error) {
          if (this.#stopping) break;
          this.#options.delegate?.onPollError?.(error);
          await sleep(this.#backoffMs);
        }
      }
    })();
  }

  /** Stops after the current read (at most `blockMs` plus the handler in progress) and closes the reading connection. */
  async stop(): Promise<void> {
    this.#stopping = true;
    // A blocked XREAD holds the loop: closing its connection ends the read at once.
    this.#reader?.disconnect();
    await this.#loop;
    this.#loop = undefined;
    this.#reader = undefined;
  }

  #blockingConnection(): Redis {
    this.#reader ??= this.#options.redis.duplicate();
    return this.#reader;
  }

  async #handle(entryId: string, fields: string[] | null): Promise<void> {
    let value: T;
    try {
      value = this.#options.decode(fields === null ? '' : (fieldValue(fields, this.#options.field) ?? ''));
    } catch (error) {
      this.#options.delegate?.onInvalid?.(entryId, error);
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#options.handler(value, entryId);
        return;
      } catch (error) {
        const final = attempt >= this.#maxAttempts || this.#stopping;
        this.#options.delegate?.onHandlerError?.(error, value, entryId, attempt, final);
        if (final) return;
        await sleep(this.#backoffMs);
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

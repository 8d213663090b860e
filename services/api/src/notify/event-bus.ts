/**
 * In-process fan-out of what SSE clients and webhooks are told: connection state changes (from the
 * connection service) and gateway session events (tailed from the session event stream).
 */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { ConnectionEvent } from '@svpn/api-contract';
import { KeySpace, SESSION_EVENT_FIELD, sessionEventStream } from '@svpn/store';
import type { Logger } from '@svpn/service-kit';

/** A gateway session event as the stream carries it (start / modify / preempt / stop). */
export interface SessionNotice {
  streamId: string;
  event: { type: string; sessionId: string; customerId?: string; [field: string]: unknown };
}

export interface BusEvents {
  connection: [ConnectionEvent];
  session: [SessionNotice];
}

export class EventBus extends EventEmitter<BusEvents> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }
}

/**
 * Tails the session event stream (XREAD from `$`, blocking) on its own connection and emits each
 * entry on the bus; best effort, for live views (charging reads the stream with its own group).
 */
export class SessionTail {
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly blockMs = 1000,
    /**
     * Least time between two reads that found entries: under load the entries of that time come in
     * one read (one round trip per pace instead of one per call's event); a live view can wait that long.
     */
    private readonly paceMs = 50,
  ) {
    const stream = sessionEventStream(new KeySpace(keyPrefix));
    this.loop = this.run(stream);
  }

  private async run(stream: string): Promise<void> {
    let last = '$';
    while (!this.stopped) {
      try {
        const started = Date.now();
        const reply = (await this.redis.xread('BLOCK', this.blockMs, 'STREAMS', stream, last)) as
          [string, [string, string[]][]][] | null;
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const text = fields[fields.indexOf(SESSION_EVENT_FIELD) + 1];
            if (text === undefined) continue;
            this.bus.emit('session', { streamId: id, event: JSON.parse(text) as SessionNotice['event'] });
          }
        }
        const rest = this.paceMs - (Date.now() - started);
        if (reply !== null && rest > 0 && !this.stopped) await new Promise((r) => setTimeout(r, rest));
      } catch (error) {
        if (this.stopped) return;
        this.log.warn({ err: error }, 'session event tail failed');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.redis.disconnect();
    await this.loop.catch(() => undefined);
  }
}

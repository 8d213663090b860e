/**
 * Keeps the dashboard live without reloads: it listens to the API's Server-Sent Events stream and
 * asks for a refresh on every event; while the stream is down it polls once a second, and while it
 * is up it still polls now and then (the stream reports state changes, a poll catches anything it
 * does not carry). Reconnects after the server's `retry:` time, resuming with `Last-Event-ID`
 * (WHATWG HTML §9.2.4). Timers are injected, so tests run it on a fake clock.
 */
import type { ApiClient } from '../api/api-client.js';
import { DashboardApiError } from '../api/api-error.js';
import { SseParser, type SseEvent } from '../model/sse-parser.js';

export type LiveStatus = 'connecting' | 'streaming' | 'polling' | 'unauthorized' | 'stopped';

export interface LiveTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LiveFeedOptions {
  client: Pick<ApiClient, 'request'>;
  /** The SSE stream's path. @defaultValue '/v1/events' */
  eventsPath?: string;
  /** Something may have changed: `event` from the stream, `poll` from the timer. */
  onChange(reason: 'event' | 'poll', event?: SseEvent): void;
  onStatus?(status: LiveStatus): void;
  /** Poll interval while the stream is down, ms. @defaultValue 1000 */
  pollMs?: number;
  /** Poll interval while the stream is up, ms. @defaultValue 5000 */
  streamingPollMs?: number;
  /** Wait before reconnecting when the server named none, ms. @defaultValue 3000 */
  reconnectMs?: number;
  /** Longest wait between reconnection attempts, ms. @defaultValue 30000 */
  maxReconnectMs?: number;
  /** @defaultValue the global timers */
  timers?: LiveTimers;
}

export class LiveFeed {
  readonly #o: Required<Omit<LiveFeedOptions, 'onStatus'>> & Pick<LiveFeedOptions, 'onStatus'>;
  #status: LiveStatus = 'stopped';
  #abort: AbortController | undefined;
  #pollTimer: unknown;
  #pollMs = 0;
  #reconnectTimer: unknown;
  #failures = 0;
  #lastEventId = '';
  #serverRetryMs: number | undefined;

  constructor(options: LiveFeedOptions) {
    this.#o = {
      eventsPath: '/v1/events',
      pollMs: 1000,
      streamingPollMs: 5000,
      reconnectMs: 3000,
      maxReconnectMs: 30_000,
      timers: {
        setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
        clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
      ...options,
    };
  }

  get status(): LiveStatus {
    return this.#status;
  }

  start(): void {
    if (this.#status !== 'stopped') return;
    this.#setStatus('connecting');
    this.#schedulePoll();
    void this.#connect();
  }

  stop(): void {
    this.#setStatus('stopped');
    this.#abort?.abort();
    this.#abort = undefined;
    this.#cancelPoll();
    this.#o.timers.clearTimeout(this.#reconnectTimer);
  }

  #setStatus(status: LiveStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#o.onStatus?.(status);
  }

  /** Keeps one poll timer at the interval the status calls for (a running one at that interval stays). */
  #schedulePoll(): void {
    const ms = this.#status === 'streaming' ? this.#o.streamingPollMs : this.#o.pollMs;
    if (this.#pollTimer !== undefined && this.#pollMs === ms) return;
    this.#o.timers.clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
    if (this.#status === 'stopped' || this.#status === 'unauthorized') return;
    this.#pollMs = ms;
    this.#pollTimer = this.#o.timers.setTimeout(() => {
      this.#pollTimer = undefined;
      this.#o.onChange('poll');
      this.#schedulePoll();
    }, ms);
  }

  #cancelPoll(): void {
    this.#o.timers.clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  async #connect(): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    const parser = new SseParser();
    try {
      const response = await this.#o.client.request('GET', this.#o.eventsPath, {
        accept: 'text/event-stream',
        signal: abort.signal,
        ...(this.#lastEventId === '' ? {} : { headers: { 'last-event-id': this.#lastEventId } }),
      });
      if (!/text\/event-stream/i.test(response.headers.get('content-type') ?? '') || !response.body)
        throw new Error('the events endpoint did not answer with an event stream');
      this.#failures = 0;
      this.#setStatus('streaming');
      this.#schedulePoll();
      // A (re)connection may have missed changes: refresh once.
      this.#o.onChange('event');
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const event of parser.feed(decoder.decode(value, { stream: true }))) {
          this.#lastEventId = event.lastEventId;
          this.#o.onChange('event', event);
        }
        if (parser.retryMs !== undefined) this.#serverRetryMs = parser.retryMs;
      }
    } catch (error) {
      if (this.#status === 'stopped' || abort.signal.aborted) return;
      if (error instanceof DashboardApiError && error.code === 'SVPN_DASHBOARD_UNAUTHORIZED') {
        this.#setStatus('unauthorized');
        this.#cancelPoll();
        return;
      }
      this.#failures++;
    }
    if (this.#status === 'stopped' || abort.signal.aborted) return;
    if (parser.lastEventId !== '') this.#lastEventId = parser.lastEventId;
    this.#setStatus('polling');
    this.#schedulePoll();
    this.#o.timers.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = this.#o.timers.setTimeout(() => {
      if (this.#status !== 'polling') return;
      void this.#connect();
    }, this.#reconnectDelay());
  }

  /** The server's `retry:` time, else the default doubled per consecutive failure, capped. */
  #reconnectDelay(): number {
    if (this.#serverRetryMs !== undefined && this.#failures <= 1) return this.#serverRetryMs;
    const backoff = this.#o.reconnectMs * 2 ** Math.max(this.#failures - 1, 0);
    return Math.min(backoff, this.#o.maxReconnectMs);
  }
}

/**
 * A sans-IO parser for `text/event-stream` (WHATWG HTML §9.2 "Server-sent events"): text in,
 * dispatched events out. The dashboard reads the stream with `fetch` instead of `EventSource`
 * because it must send the operator key in the `Authorization` header, which `EventSource`
 * cannot.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field; `message` when the block had none. */
  readonly type: string;
  readonly data: string;
  /** The last event ID after this event (it persists across events until changed). */
  readonly lastEventId: string;
}

export class SseParser {
  #buffer = '';
  #data = '';
  #type = '';
  #lastEventId = '';
  #pendingCr = false;
  #retryMs: number | undefined;

  /** The reconnection time the server asked for with `retry:`, if any. */
  get retryMs(): number | undefined {
    return this.#retryMs;
  }

  get lastEventId(): string {
    return this.#lastEventId;
  }

  /** Feeds decoded text (any chunking); returns the events completed by it, in order. */
  feed(chunk: string): SseEvent[] {
    const events: SseEvent[] = [];
    if (chunk === '') return events;
    let text = chunk;
    // A CR at the end of the previous chunk and an LF at the start of this one are one line end.
    if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.#pendingCr = false;
    this.#buffer += text;
    let start = 0;
    for (;;) {
      const cr = this.#buffer.indexOf('\r', start);
      const lf = this.#buffer.indexOf('\n', start);
      let end: number;
      let next: number;
      // §9.2.5 — lines end with CRLF, a lone LF or a lone CR.
      if (cr === -1 && lf === -1) break;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 === this.#buffer.length) {
          // Perhaps the first half of a CRLF split across chunks: end the line now, drop an LF later.
          this.#pendingCr = true;
          next = cr + 1;
        } else {
          next = this.#buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
        }
      } else {
        end = lf;
        next = lf + 1;
      }
      const event = this.#line(this.#buffer.slice(start, end));
      if (event) events.push(event);
      start = next;
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #line(line: string): SseEvent | undefined {
    // §9.2.6 — an empty line dispatches the event being built.
    if (line === '') return this.#dispatch();
    // A line starting with a colon is a comment (servers send them as keep-alives).
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    // One space after the colon is not part of the value.
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#type = value;
        break;
      case 'data':
        this.#data += `${value}\n`;
        break;
      case 'id':
        // An id containing NULL is ignored.
        if (!value.includes('\0')) this.#lastEventId = value;
        break;
      case 'retry':
        // Only ASCII digits set the reconnection time; anything else is ignored.
        if (/^\d+$/.test(value)) this.#retryMs = Number(value);
        break;
      default:
        // Unknown fields are ignored.
        break;
    }
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const data = this.#data;
    const type = this.#type;
    this.#data = '';
    this.#type = '';
    // An empty data buffer dispatches nothing (the type is reset all the same).
    if (data === '') return undefined;
    return { type: type === '' ? 'message' : type, data: data.slice(0, -1), lastEventId: this.#lastEventId };
  }
}

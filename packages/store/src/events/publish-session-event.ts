import type { Redis } from 'ioredis';
import { sessionEventStream, type KeySpace } from '../keys.js';
import { parseSessionEvent, type SessionEvent } from './session-events.js';

/** The stream field holding an entry's event JSON. */
export const SESSION_EVENT_FIELD = 'event';

/** Options of {@link publishSessionEvent}. */
export interface PublishSessionEventOptions {
  /**
   * Approximate bound of the stream (`XADD … MAXLEN ~ n`). Entries beyond it are trimmed even when a
   * consumer group has not read them yet, so it must exceed the backlog consumers can fall behind by.
   * @defaultValue 1 000 000
   */
  maxLen?: number;
}

const DEFAULT_MAX_LEN = 1_000_000;

/**
 * Appends one session event to the session event stream, validated first, as a single JSON field.
 * Publishing the same event twice appends two entries with the same `eventId`: consumers are
 * idempotent per `eventId`, so a producer may retry after an unknown outcome.
 *
 * @returns the stream entry id
 * @throws {@link SessionEventInvalidError} when the event breaks the contract (nothing is written)
 */
export async function publishSessionEvent(
  redis: Redis,
  keys: KeySpace,
  event: SessionEvent,
  options: PublishSessionEventOptions = {},
): Promise<string> {
  const valid = parseSessionEvent(event);
  const maxLen = options.maxLen ?? DEFAULT_MAX_LEN;
  const id = await redis.xadd(
    sessionEventStream(keys),
    'MAXLEN',
    '~',
    String(maxLen),
    '*',
    SESSION_EVENT_FIELD,
    JSON.stringify(valid),
  );
  if (id === null) throw new Error('XADD returned no id'); // only with NOMKSTREAM, which we never pass
  return id;
}

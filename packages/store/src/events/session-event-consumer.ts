import type { Redis } from 'ioredis';
import { sessionEventStream, type KeySpace } from '../keys.js';
import { SESSION_EVENT_FIELD } from './publish-session-event.js';
import { decodeSessionEvent, type SessionEvent } from './session-events.js';
import {
  StreamGroupConsumer,
  streamGroupInfo,
  type StreamEntryDelivery,
  type StreamEntryHandler,
  type StreamGroupConsumerCommonOptions,
  type StreamGroupConsumerDelegate,
  type StreamGroupInfo,
  type StreamGroupPollResult,
} from './stream-group-consumer.js';

/** The stream where entries no consumer can process go (invalid events, too many failed deliveries). */
export function sessionEventDeadLetterStream(keys: KeySpace): string {
  return keys.key('events', 'sessions', 'dead');
}

/** How an entry reached the handler. */
export type SessionEventDelivery = StreamEntryDelivery;

/**
 * Processes one event durably. Resolving acknowledges the entry (`XACK`); throwing leaves it
 * pending, so it is delivered again after `claimIdleMs`. Delivery is at least once: the handler
 * must be idempotent per `event.eventId`.
 */
export type SessionEventHandler = StreamEntryHandler<SessionEvent>;

/** Optional callbacks of {@link SessionEventConsumer} (logging, metrics). */
export type SessionEventConsumerDelegate = StreamGroupConsumerDelegate<SessionEvent>;

/** Options of {@link SessionEventConsumer}. */
export interface SessionEventConsumerOptions extends StreamGroupConsumerCommonOptions<SessionEvent> {
  keys: KeySpace;
}

/** What one {@link SessionEventConsumer.pollOnce} did. */
export type SessionEventPollResult = StreamGroupPollResult;

/**
 * A member of a Redis Streams consumer group on the session event stream, at-least-once (see
 * {@link StreamGroupConsumer}): own pending entries replayed on the first poll, stale entries of a
 * crashed consumer claimed, `XACK` only after the handler resolved, invalid events and entries
 * delivered more than `maxDeliveries` times moved to `<prefix>:{events}:sessions:dead`.
 */
export class SessionEventConsumer extends StreamGroupConsumer<SessionEvent> {
  constructor(options: SessionEventConsumerOptions) {
    super({
      ...options,
      stream: sessionEventStream(options.keys),
      deadLetterStream: sessionEventDeadLetterStream(options.keys),
      field: SESSION_EVENT_FIELD,
      decode: decodeSessionEvent,
    });
  }
}

/** A consumer group's backlog on the session event stream. */
export type SessionEventGroupInfo = StreamGroupInfo;

/** `XINFO GROUPS` for one group, or `null` when the stream or the group does not exist. */
export function sessionEventGroupInfo(
  redis: Redis,
  keys: KeySpace,
  group: string,
): Promise<SessionEventGroupInfo | null> {
  return streamGroupInfo(redis, sessionEventStream(keys), group);
}

import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { Redis } from 'ioredis';
import { SvpnError } from '@svpn/errors';
import type { KeySpace } from '../keys.js';
import { StreamGroupConsumer, type StreamGroupConsumerCommonOptions } from './stream-group-consumer.js';
import { StreamTail, type StreamTailCommonOptions } from './stream-tail.js';

/**
 * Preemption notices: the admission leader's word that a session lost (part of) its reservation so
 * that a more important one fits (RFC 3209 priorities, RFC 4495 reduction). The leader answers only
 * the caller of the admission that preempted; whoever holds a victim — another gateway with the live
 * call, the API with a scheduled booking — learns of it from this stream, `<prefix>:{events}:preemptions`.
 *
 * The leader appends the notices of one ledger change in one MULTI, on the connection that carries
 * its journal and before the journal writes of that change: Redis runs one connection's commands in
 * order and its AOF keeps them in that order, so no persisted journal change lacks its notices.
 *
 * A notice is a trigger, not the truth: a holder acting on one reads what the ledger holds for the
 * session now (a session booked again under the same id after a preemption holds capacity anew).
 */
export const PREEMPTION_ACTIONS = ['end', 'shrink'] as const;
export type PreemptionNoticeAction = (typeof PREEMPTION_ACTIONS)[number];

/** What the preemptor was doing: admitting, growing, moving (VPN mobility), re-booking, or a journal replay. */
export const PREEMPTION_CAUSES = ['admit', 'resize', 'move', 'rebook', 'replay'] as const;
export type PreemptionCause = (typeof PREEMPTION_CAUSES)[number];

const Id = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\s]+$' });

/** The TypeBox schema of one preemption notice (see {@link PreemptionNotice}). */
export const PreemptionNoticeSchema = Type.Object(
  {
    /** Unique per notice; the same notice delivered twice has the same id. */
    noticeId: Id,
    /** The victim's session id (a SIP session, or the session id an API booking is held under). */
    sessionId: Id,
    action: Type.Union([Type.Literal('end'), Type.Literal('shrink')]),
    /** `shrink`: the bandwidth the victim keeps, bit/s (RFC 4495). Absent for `end`. */
    newBandwidthBps: Type.Optional(Type.Integer({ minimum: 1, maximum: 1e15 })),
    /** The victim was a scheduled booking (its own window), not a flow in an aggregate. */
    booking: Type.Boolean(),
    cause: Type.Union(PREEMPTION_CAUSES.map((c) => Type.Literal(c))),
    /** The session whose admission (or growth, move, replay) took the capacity. */
    preemptorSessionId: Id,
    /** The preemptor's precedence level (RFC 4412 `dsn.*` name without the namespace). */
    preemptorLevel: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    /** When the leader decided it, ms since the epoch. */
    at: Type.Integer({ minimum: 0, maximum: 1e14 }),
  },
  { additionalProperties: false },
);

/** One preemption notice as published on the stream. */
export type PreemptionNotice = Static<typeof PreemptionNoticeSchema>;

/** The stream field holding an entry's notice JSON. */
export const PREEMPTION_NOTICE_FIELD = 'notice';

/** `<prefix>:{events}:preemptions` — every preemption the admission leader decided. */
export function preemptionNoticeStream(keys: KeySpace): string {
  return keys.key('events', 'preemptions');
}

/** Where notices no consumer group member can process go. */
export function preemptionNoticeDeadLetterStream(keys: KeySpace): string {
  return keys.key('events', 'preemptions', 'dead');
}

/** A preemption notice that does not follow the contract; `problems` says where. */
export class PreemptionNoticeInvalidError extends SvpnError<'STORE_PREEMPTION_NOTICE_INVALID'> {
  constructor(readonly problems: string[]) {
    super('STORE_PREEMPTION_NOTICE_INVALID', `invalid preemption notice: ${problems.join('; ')}`);
  }
}

// Compiled once (faster than the interpreted `Value.Check`): notices are checked when published and read.
const PreemptionNoticeCheck = TypeCompiler.Compile(PreemptionNoticeSchema);

/** Problems of a candidate notice (empty when it is valid): the schema, then cross-field rules. */
export function preemptionNoticeProblems(value: unknown): string[] {
  if (!PreemptionNoticeCheck.Check(value)) {
    return [...PreemptionNoticeCheck.Errors(value)].slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`);
  }
  const problems: string[] = [];
  if (value.action === 'shrink' && value.newBandwidthBps === undefined)
    problems.push('/newBandwidthBps: a shrink says what the victim keeps');
  if (value.action === 'end' && value.newBandwidthBps !== undefined)
    problems.push('/newBandwidthBps: an end keeps nothing');
  if (value.sessionId === value.preemptorSessionId)
    problems.push('/preemptorSessionId: a session does not preempt itself');
  return problems;
}

/** Validates an unknown value as a notice. @throws {@link PreemptionNoticeInvalidError} */
export function parsePreemptionNotice(value: unknown): PreemptionNotice {
  const problems = preemptionNoticeProblems(value);
  if (problems.length > 0) throw new PreemptionNoticeInvalidError(problems);
  return value as PreemptionNotice;
}

/** Parses one stream entry's field. @throws {@link PreemptionNoticeInvalidError} */
export function decodePreemptionNotice(json: string): PreemptionNotice {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new PreemptionNoticeInvalidError(['/: not JSON']);
  }
  return parsePreemptionNotice(value);
}

/** Options of {@link publishPreemptionNotices}. */
export interface PublishPreemptionNoticesOptions {
  /**
   * Approximate bound of the stream (`XADD … MAXLEN ~ n`); it must exceed what a consumer group can
   * fall behind by. @defaultValue 100 000
   */
  maxLen?: number;
}

/**
 * Appends the notices of one ledger change, all or none (MULTI). Every notice is validated first
 * (nothing is written when one is invalid), and the commands are handed to `redis` before this
 * returns — so commands the caller sends on the same connection afterwards (the journal writes)
 * run after them.
 *
 * @returns the stream entry ids, in order
 * @throws {@link PreemptionNoticeInvalidError} synchronously checked, reported as a rejection
 */
export function publishPreemptionNotices(
  redis: Redis,
  keys: KeySpace,
  notices: readonly PreemptionNotice[],
  options: PublishPreemptionNoticesOptions = {},
): Promise<string[]> {
  if (notices.length === 0) return Promise.resolve([]);
  let valid: PreemptionNotice[];
  try {
    valid = notices.map(parsePreemptionNotice);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  const stream = preemptionNoticeStream(keys);
  const maxLen = String(options.maxLen ?? 100_000);
  const multi = redis.multi();
  for (const n of valid)
    multi.xadd(stream, 'MAXLEN', '~', maxLen, '*', PREEMPTION_NOTICE_FIELD, JSON.stringify(n));
  return multi.exec().then((replies) => {
    if (replies === null) throw new Error('the preemption notice transaction was discarded');
    return replies.map(([error, id]) => {
      if (error !== null) throw error;
      return String(id);
    });
  });
}

/** Options of {@link PreemptionNoticeConsumer}. */
export interface PreemptionNoticeConsumerOptions extends StreamGroupConsumerCommonOptions<PreemptionNotice> {
  keys: KeySpace;
}

/**
 * A consumer group member on the notice stream, at least once (see {@link StreamGroupConsumer}):
 * for a holder whose state outlives its processes (the API's bookings), so a notice taken by a
 * replica that dies is claimed by another. The group starts at the beginning of the stream unless
 * `startId` says otherwise: a handler must be idempotent anyway.
 */
export class PreemptionNoticeConsumer extends StreamGroupConsumer<PreemptionNotice> {
  constructor(options: PreemptionNoticeConsumerOptions) {
    super({
      ...options,
      stream: preemptionNoticeStream(options.keys),
      deadLetterStream: preemptionNoticeDeadLetterStream(options.keys),
      field: PREEMPTION_NOTICE_FIELD,
      decode: decodePreemptionNotice,
    });
  }
}

/** Options of {@link PreemptionNoticeTail}. */
export interface PreemptionNoticeTailOptions extends StreamTailCommonOptions<PreemptionNotice> {
  keys: KeySpace;
}

/**
 * Every notice from the moment it starts, in order, to one process (see {@link StreamTail}): for a
 * holder whose state dies with the process (a gateway's live SIP dialogs — a restarted gateway ends
 * its predecessor's sessions itself), so no consumer group is left behind per process.
 */
export class PreemptionNoticeTail extends StreamTail<PreemptionNotice> {
  constructor(options: PreemptionNoticeTailOptions) {
    super({
      ...options,
      stream: preemptionNoticeStream(options.keys),
      field: PREEMPTION_NOTICE_FIELD,
      decode: decodePreemptionNotice,
    });
  }
}

import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { SvpnError } from '@svpn/errors';

/**
 * The session event contract (DESIGN §4 "charge start / charge stop", §5 audit log): what the
 * gateway tells the rest of svpn about a VPN session's life, one entry per event on the stream
 * `sessionEventStream(keys)`. Consumers (charging, the API) must expect every event at least once,
 * possibly out of order between consumers: `eventId` is unique and deterministic, and `seq` orders
 * the events of one session.
 *
 * ```
 *   start(seq 0) ──► modify(seq 1…) ──► stop        (BYE, timer expiry, maximum duration)
 *        │               │
 *        └───────────────┴──► preempt ──► (endAt set: the session ended — terminal)
 *                                        (no endAt: bandwidth reduced, RFC 4495 — not terminal)
 * ```
 *
 * Every event carries the session's facts as they stand after it, so any one event is enough to
 * open a charge record and a lost or late event never leaves the record without a customer.
 */
export const SESSION_EVENT_TYPES = ['start', 'modify', 'preempt', 'stop'] as const;
export type SessionEventType = (typeof SESSION_EVENT_TYPES)[number];

/** Why a session ended or changed (`reason` of `stop` / `preempt` / `modify`). */
export const SESSION_END_REASONS = [
  'bye',
  'cancel',
  'preempted',
  'timeout',
  'session-expired',
  'max-duration',
  'provisioning-failed',
  'admin',
  'error',
] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

/** MLPP precedence levels (RFC 4412 `dsn.*` values; same names as `@svpn/qos` `PrecedenceLevel`). */
export const SESSION_PRECEDENCE_LEVELS = [
  'routine',
  'priority',
  'immediate',
  'flash',
  'flash-override',
] as const;
export type SessionPrecedence = (typeof SESSION_PRECEDENCE_LEVELS)[number];

const EventType = Type.Union([
  Type.Literal('start'),
  Type.Literal('modify'),
  Type.Literal('preempt'),
  Type.Literal('stop'),
]);
const EndReason = Type.Union([
  Type.Literal('bye'),
  Type.Literal('cancel'),
  Type.Literal('preempted'),
  Type.Literal('timeout'),
  Type.Literal('session-expired'),
  Type.Literal('max-duration'),
  Type.Literal('provisioning-failed'),
  Type.Literal('admin'),
  Type.Literal('error'),
]);
const Precedence = Type.Union([
  Type.Literal('routine'),
  Type.Literal('priority'),
  Type.Literal('immediate'),
  Type.Literal('flash'),
  Type.Literal('flash-override'),
]);

const Id = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\s]+$' });
/** Milliseconds since the epoch: whole, non-negative, below 10^14 (year 5138). */
const EpochMs = Type.Integer({ minimum: 0, maximum: 1e14 });
const Bps = Type.Integer({ minimum: 0, maximum: 1e15 });

/** The TypeBox schema of one session event (see {@link SessionEvent}). */
export const SessionEventSchema = Type.Object(
  {
    /** `<sessionId>:<seq>` — unique, deterministic, so a republished event is recognised. */
    eventId: Type.String({ minLength: 3, maxLength: 300 }),
    type: EventType,
    sessionId: Id,
    /** 0 for `start`, then +1 per event of the session, in the order the gateway decided them. */
    seq: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
    /** When the event happened (ms epoch); the bandwidth in `grantedBps` holds from this instant. */
    at: EpochMs,
    customer: Id,
    vpnId: Id,
    /** The calling application (its AOR), e.g. `sip:primary-dc@svpn.example.net`. */
    caller: Type.String({ minLength: 1, maxLength: 512 }),
    callee: Type.String({ minLength: 1, maxLength: 512 }),
    /** Bandwidth granted from `at` on, bit/s. */
    grantedBps: Bps,
    /** RFC 4594 service class name, e.g. `high-throughput-data`. */
    serviceClass: Type.String({ minLength: 1, maxLength: 64 }),
    precedence: Precedence,
    dscp: Type.Integer({ minimum: 0, maximum: 63 }),
    /** The policy decision's charging profile (tariff id). @defaultValue 'default' */
    chargingProfile: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** The INVITE's arrival. */
    setupAt: EpochMs,
    /** The 2xx / ACK: charging starts here; `null` while unanswered. */
    answerAt: Type.Optional(Type.Union([EpochMs, Type.Null()])),
    /** The session's end (`stop`, terminal `preempt`). */
    endAt: Type.Optional(Type.Union([EpochMs, Type.Null()])),
    reason: Type.Optional(EndReason),
    lspId: Type.Optional(Type.Union([Id, Type.Null()])),
    /** The ingress PE serving the caller's CE. */
    ingressPe: Type.Optional(Type.Union([Id, Type.Null()])),
    /** The UNI session id on the ingress PE (for its traffic counters). */
    peSessionId: Type.Optional(Type.Union([Id, Type.Null()])),
    /** Bytes carried, from the PE counters, when the producer read them (`stop`). */
    bytes: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

/** One session event as published on the stream. */
export type SessionEvent = Static<typeof SessionEventSchema>;

/** The deterministic event id: `<sessionId>:<seq>`. */
export function sessionEventId(sessionId: string, seq: number): string {
  return `${sessionId}:${seq}`;
}

/** Stable codes of the session event errors. */
export type SessionEventErrorCode = 'STORE_EVENT_INVALID';

/** A session event that does not follow the contract (schema or invariants); `problems` says where. */
export class SessionEventInvalidError extends SvpnError<SessionEventErrorCode> {
  constructor(readonly problems: string[]) {
    super('STORE_EVENT_INVALID', `invalid session event: ${problems.join('; ')}`);
  }
}

// Compiled once (faster than the interpreted `Value.Check`): every event is checked when published
// and again when consumed.
const SessionEventCheck = TypeCompiler.Compile(SessionEventSchema);

/** Problems of a candidate event (empty when it is valid): the schema, then cross-field invariants. */
export function sessionEventProblems(value: unknown): string[] {
  if (!SessionEventCheck.Check(value)) {
    return [...SessionEventCheck.Errors(value)].slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`);
  }
  const event = value;
  const problems: string[] = [];
  if (event.eventId !== sessionEventId(event.sessionId, event.seq))
    problems.push(`/eventId: must be ${sessionEventId(event.sessionId, event.seq)}`);
  if (event.type === 'start' && event.seq !== 0) problems.push('/seq: a start event has seq 0');
  if (event.type !== 'start' && event.seq === 0) problems.push('/seq: only the start event has seq 0');
  if (event.type === 'stop' && (event.endAt === undefined || event.endAt === null))
    problems.push('/endAt: a stop event says when the session ended');
  const answerAt = event.answerAt ?? null;
  const endAt = event.endAt ?? null;
  if (answerAt !== null && answerAt < event.setupAt) problems.push('/answerAt: before setupAt');
  if (endAt !== null && endAt < (answerAt ?? event.setupAt))
    problems.push('/endAt: before the answer or setup');
  if (event.at < event.setupAt) problems.push('/at: before setupAt');
  return problems;
}

/** Validates an unknown value as a session event. @throws {@link SessionEventInvalidError} */
export function parseSessionEvent(value: unknown): SessionEvent {
  const problems = sessionEventProblems(value);
  if (problems.length > 0) throw new SessionEventInvalidError(problems);
  return value as SessionEvent;
}

/** Parses one stream entry's JSON field. @throws {@link SessionEventInvalidError} */
export function decodeSessionEvent(json: string): SessionEvent {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new SessionEventInvalidError(['/: not JSON']);
  }
  return parseSessionEvent(value);
}

/** Whether an event ends the session: every `stop`, and a `preempt` that says when it ended. */
export function isTerminalSessionEvent(event: Pick<SessionEvent, 'type' | 'endAt'>): boolean {
  return (
    event.type === 'stop' || (event.type === 'preempt' && event.endAt !== undefined && event.endAt !== null)
  );
}

/**
 * Fuzz cases through a real `SipAgent` over a UDP socket on 127.0.0.1: the process must stay up,
 * every request that is not an ACK must get exactly one response (or be dropped for a documented
 * reason), and the stack's counters must add up.
 *
 * ```
 *  sender socket ──datagram i──► SipAgent (UDP 127.0.0.1) ──responses──► TransportManager.send
 *                                     │                                   (recorded for datagram i,
 *                                     └─ classifyIncoming(i) = expected    redirected to collector)
 * ```
 *
 * Datagrams go one at a time: the next leaves once the stack has received the previous one and
 * its handler chain has run, so every response is attributed to the datagram that caused it.
 * Transaction timers are frozen (never fire; cleared at the end): no retransmissions, no
 * 100 Trying, no Timer J, so "exactly one response" is exact. Every response is redirected to our
 * collector socket on loopback whatever its Via says, and datagrams naming a `maddr` are skipped
 * (RFC 3261 §18.2.2 would send their response to that address, resolving it by DNS first).
 */
import { type Socket, createSocket } from 'node:dgram';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import {
  type IncomingDecision,
  type IncomingPolicy,
  type RequestHandler,
  type SipStackCounters,
  type TransactionTimers,
  MAX_UDP_PAYLOAD_IPV4,
  SipAgent,
  classifyIncoming,
  parseMessage,
} from '@svpn/sip';
import { buildCorpus } from './corpus.js';
import { type CorpusEntry, Mutator } from './mutator.js';

export interface UdpSoakOptions {
  seed: number;
  /** Datagrams to send (after skipping the unsendable ones). */
  datagrams: number;
  /** @defaultValue buildCorpus() */
  corpus?: readonly CorpusEntry[];
  /** How long the stack may take to receive one datagram. @defaultValue 2000 */
  receiveTimeoutMs?: number;
  /** The agent's INVITE handler. @defaultValue answers 486 at once */
  inviteHandler?: RequestHandler;
}

export interface UdpSoakReport {
  /** Datagrams sent. */
  datagrams: number;
  /** Generated cases not sent, by reason. */
  skipped: { tooLarge: number; keepAlive: number; maddr: number };
  passed: number;
  failed: number;
  /** What the receive pipeline decided for the datagrams (the stack runs the same pipeline). */
  expected: Record<string, number>;
  /** Requests handed to the application that the stack could not answer, by documented reason. */
  unanswerable: Record<string, number>;
  /**
   * Requests that matched an earlier request's server transaction (same branch, sent-by and
   * method, RFC 3261 §17.2.3) and were answered with its last response.
   */
  retransmissionsAbsorbed: number;
  /** Responses the collector socket received. */
  responsesReceived: number;
  counters: SipStackCounters;
  durationMs: number;
  /** One line per failure: datagram index, seed and what went wrong. */
  problems: string[];
}

/**
 * The validation policy the stack runs with: SipAgent adds its methods (core, dialog, handlers)
 * and extensions to the options it is given, so it is read back from the stack (a private field:
 * test code only) rather than guessed.
 */
function stackPolicy(stack: SipAgent['stack']): IncomingPolicy {
  const options = (stack as unknown as { options?: { validation?: IncomingPolicy } }).options;
  if (options?.validation === undefined) throw new Error('cannot read the stack validation policy');
  return options.validation;
}

/** Via transports a server transport can answer on (transport/response-target.ts). */
const ANSWERABLE_TRANSPORTS = new Set(['udp', 'tcp', 'tls', 'sctp', 'tls-sctp']);

/** Timers that never fire; `pending` is what is left to clear at the end. */
function frozenTimers(): TransactionTimers & { pending: Set<object> } {
  const pending = new Set<object>();
  return {
    pending,
    setTimeout: () => {
      const handle = {};
      pending.add(handle);
      return handle;
    },
    clearTimeout: (handle) => {
      pending.delete(handle as object);
    },
  };
}

async function bindLoopback(): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return socket;
}

function isKeepAlive(data: Buffer): boolean {
  for (const b of data) if (b !== 0x0d && b !== 0x0a && b !== 0x00 && b !== 0x20 && b !== 0x09) return false;
  return true;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function label(d: IncomingDecision): string {
  if (d.action === 'respond') return `respond:${d.status}`;
  if (d.action === 'drop') return 'drop';
  if (d.message.kind === 'response') return 'deliver:response';
  return d.message.method === 'ACK' ? 'deliver:ack' : 'deliver:request';
}

export async function runUdpSoak(options: UdpSoakOptions): Promise<UdpSoakReport> {
  const mutator = new Mutator(options.corpus ?? buildCorpus());
  const receiveTimeoutMs = options.receiveTimeoutMs ?? 2000;
  const timers = frozenTimers();
  const problems: string[] = [];
  const skipped = { tooLarge: 0, keepAlive: 0, maddr: 0 };
  const expectedCounts: Record<string, number> = {};
  const unanswerable: Record<string, number> = {};

  const fatal: string[] = [];
  const onFatal = (e: unknown): void => {
    fatal.push(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);

  const agent = await SipAgent.listen({
    listen: { udp: [{ address: '127.0.0.1', port: 0 }] },
    timers,
    userAgent: 'svpn-fuzz',
  });
  agent.invite(
    options.inviteHandler ??
      ((_req, res) => {
        res.send(486, { warning: 'fuzz agent is always busy' });
      }),
  );
  agent.register((_req, res) => {
    res.send(200, { headers: { Expires: '60' } });
  });
  agent.options((_req, res) => {
    res.send(200, { headers: { Accept: 'application/sdp' } });
  });
  const stack = agent.stack;
  const policy = stackPolicy(stack);
  const port = stack.addresses()[0]?.port ?? 0;
  const sender = await bindLoopback();
  const collector = await bindLoopback();
  const collectorPort = collector.address().port;
  let responsesReceived = 0;
  collector.on('message', () => responsesReceived++);

  // Attribute every send to the datagram being processed, and keep it on loopback.
  let current = -1;
  const sends = new Map<number, Buffer[]>();
  const transports = stack.transports;
  const send = transports.send.bind(transports);
  transports.send = (protocol, data, _target, selector) => {
    const list = sends.get(current) ?? [];
    list.push(data);
    sends.set(current, list);
    return send(protocol, data, { address: '127.0.0.1', port: collectorPort }, selector);
  };
  const dropReasons: string[] = [];
  stack.on('dropped', (reason) => dropReasons.push(reason));

  const started = performance.now();
  let sent = 0;
  let failed = 0;
  let expectedRespond = 0;
  let expectedDrop = 0;
  let expectedResponses = 0;
  let retransmissionsAbsorbed = 0;
  /** Every response sent so far, to recognise a server transaction's retransmission. */
  const answered = new Set<string>();
  try {
    for (let index = 0; sent < options.datagrams && index < options.datagrams * 10; index++) {
      const c = mutator.mutate(options.seed ^ 0x50a4, index);
      if (c.data.length > MAX_UDP_PAYLOAD_IPV4) {
        skipped.tooLarge++;
        continue;
      }
      if (isKeepAlive(c.data)) {
        skipped.keepAlive++;
        continue;
      }
      if (/maddr/i.test(c.data.toString('latin1'))) {
        skipped.maddr++;
        continue;
      }
      const expected = classifyIncoming(c.data, 'udp', policy);
      const kind = label(expected);
      expectedCounts[kind] = (expectedCounts[kind] ?? 0) + 1;

      current = index;
      const before = stack.counters.received;
      await new Promise<void>((resolve, reject) =>
        sender.send(c.data, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
      sent++;
      const deadline = performance.now() + receiveTimeoutMs;
      while (stack.counters.received === before && performance.now() < deadline) await nextTurn();
      // The handler chain runs on promises: give it a few turns to answer.
      for (let k = 0; k < 3; k++) await nextTurn();

      const got = sends.get(index) ?? [];
      const problem = (text: string): void => {
        problems.push(
          `datagram ${index} (seed ${options.seed ^ 0x50a4}, ${c.base}, ${c.ops.join(',')}): ${text}`,
        );
      };
      const before2 = problems.length;
      if (stack.counters.received === before) problem('never reached the stack');
      switch (kind) {
        case 'drop':
          expectedDrop++;
          if (got.length !== 0) problem(`dropped by the pipeline but ${got.length} responses sent`);
          break;
        case 'deliver:ack':
          if (got.length !== 0) problem(`an ACK got ${got.length} responses`);
          break;
        case 'deliver:response': {
          // RFC 6026 §8.9 — the soak sends no requests, so every response matches no client
          // transaction and is discarded as stray (a 2xx to an INVITE included).
          expectedResponses++;
          if (got.length !== 0) problem(`a response got ${got.length} responses`);
          break;
        }
        case 'deliver:request': {
          const request = expected.action === 'deliver' ? expected.message : undefined;
          if (got.length === 0) {
            const transport = request?.topVia?.transport.toLowerCase() ?? '';
            if (!ANSWERABLE_TRANSPORTS.has(transport)) {
              // RFC 3261 §18.2.2 gives no target for a transport we cannot send on.
              const reason = `top Via transport '${transport}'`;
              unanswerable[reason] = (unanswerable[reason] ?? 0) + 1;
            } else problem('request delivered but never answered');
            break;
          }
          if (got.length !== 1) problem(`request answered ${got.length} times`);
          const answer = got[0] as Buffer;
          const r = parseMessage(answer, { datagram: true });
          if (!r.ok || r.message.kind !== 'response') problem('our answer does not parse as a response');
          else if (answered.has(answer.toString('latin1'))) {
            // RFC 3261 §17.2.3 — same branch, sent-by and method as an earlier request: a
            // retransmission, answered with that transaction's last response (whatever its Call-ID).
            retransmissionsAbsorbed++;
          } else if (r.message.headers.get('Call-ID') !== request?.headers.get('Call-ID')) {
            problem('our answer carries another Call-ID and repeats no earlier response');
          }
          break;
        }
        default: {
          expectedRespond++;
          const status = expected.action === 'respond' ? expected.status : 0;
          if (got.length !== 1) problem(`pipeline refusal ${status} sent ${got.length} times`);
          const r = got[0] === undefined ? undefined : parseMessage(got[0], { datagram: true });
          if (r !== undefined && (!r.ok || r.message.kind !== 'response' || r.message.status !== status)) {
            problem(
              `pipeline refusal ${status} went out as ${r.ok ? r.message.startLine() : r.error.reason}`,
            );
          }
        }
      }
      for (const answer of got) answered.add(answer.toString('latin1'));
      if (problems.length > before2) failed++;
    }
    current = -1;

    // Let the last responses arrive, then check the books.
    const deadline = performance.now() + 2000;
    let recorded = 0;
    for (const list of sends.values()) recorded += list.length;
    while (responsesReceived < recorded && performance.now() < deadline) await nextTurn();
    const counters = stack.counters;
    const books = (what: string, got: number, want: number): void => {
      if (got !== want) {
        problems.push(`counters: ${what} is ${got}, expected ${want}`);
        failed++;
      }
    };
    books('received', counters.received, sent);
    books('rejectedStateless', counters.rejectedStateless, expectedRespond);
    books('strayResponses', counters.strayResponses, expectedResponses);
    books('dropped', counters.dropped, expectedDrop + counters.strayResponses);
    books('sent', counters.sent, recorded);
    books('responses received by the collector', responsesReceived, recorded);
    books('sendErrors', counters.sendErrors, 0);
    const internal = dropReasons.filter((r) => r.startsWith('internal error'));
    for (const reason of internal.slice(0, 10))
      problems.push(`stack dropped a message on an internal error: ${reason}`);
    failed += internal.length;
    for (const f of fatal) problems.push(`process-level error: ${f}`);
    failed += fatal.length;
  } finally {
    await agent.close();
    for (const handle of timers.pending) timers.clearTimeout(handle);
    sender.close();
    collector.close();
    process.off('uncaughtException', onFatal);
    process.off('unhandledRejection', onFatal);
  }
  return {
    datagrams: sent,
    skipped,
    passed: Math.max(0, sent - failed),
    failed,
    expected: Object.fromEntries(Object.entries(expectedCounts).sort(([a], [b]) => a.localeCompare(b))),
    unanswerable,
    retransmissionsAbsorbed,
    responsesReceived,
    counters: { ...stack.counters },
    durationMs: Math.round(performance.now() - started),
    problems,
  };
}

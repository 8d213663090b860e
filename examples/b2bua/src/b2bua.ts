/**
 * A back-to-back user agent in a few lines of `@svpn/sip`: every INVITE that reaches it (the A
 * leg) becomes a new call to one configured target (the B leg) through `agent.createB2BUA`.
 *
 * ```
 *  caller (A) ──INVITE──► B2BUA ──INVITE (new Call-ID, tags, Via, Contact)──► callee (B)
 *             ◄──180/200── relays provisional and final responses ◄──────────
 *             ──CANCEL───► 487 to A, CANCEL to B
 *             ──BYE──────► BYE to B (and the other way round)
 * ```
 *
 * Topology hiding comes with the B2BUA role: the B leg is a call of its own, so the callee never
 * sees the caller's Call-ID, tags, Via or Contact (and the other way round), only the B2BUA's.
 * The SDP is passed through unchanged.
 */
import { EventEmitter } from 'node:events';
import { SvpnError } from '@svpn/errors';
import {
  type Dialog,
  SipAgent,
  SipError,
  type SipLogger,
  SipUri,
  type TransportProtocol,
  type Uri,
  parseUri,
} from '@svpn/sip';

export interface B2buaOptions {
  /** Address callers reach the B2BUA on; UDP and TCP share the port (0: a free one per transport). */
  listen: { host: string; port: number };
  /** SIP URI every call is bridged to, e.g. `sip:uas@127.0.0.1:5080` (`;transport=tcp` for TCP). */
  target: string;
  /** Transports to listen on. @defaultValue ['udp', 'tcp'] */
  protocols?: readonly TransportProtocol[];
  /** RFC 3261 timer T1 of both legs, in ms. @defaultValue 500 */
  T1?: number;
  /** User part of the B2BUA's Contact and From. @defaultValue 'b2bua' */
  user?: string;
  /** @defaultValue no logging */
  logger?: SipLogger;
}

/** The two Call-IDs of a bridged call: the caller's (A) and the one the B2BUA made up for B. */
export interface BridgedCall {
  aCallId: string;
  bCallId: string;
}

export interface B2buaEvents {
  /** Both legs are confirmed (200 and ACK on each). */
  bridged: [call: BridgedCall];
  /** A bridged call ended: `endedBy` is the leg whose dialog ended first, with why. */
  ended: [call: BridgedCall & { endedBy: 'a' | 'b'; reason: string }];
  /** The call was never bridged: the callee refused, the caller cancelled, or B was unreachable. */
  failed: [info: { aCallId: string; status: number; reason: string }];
}

export type B2buaErrorCode = 'B2BUA_INVALID_OPTIONS';

/** Options the B2BUA cannot start with. */
export class B2buaError extends SvpnError<B2buaErrorCode> {}

const DEFAULT_PROTOCOLS: readonly TransportProtocol[] = ['udp', 'tcp'];

/** A running B2BUA; {@link startB2bua} creates it. */
export class B2bua extends EventEmitter<B2buaEvents> {
  readonly #calls = new Map<string, BridgedCall>();

  constructor(
    readonly agent: SipAgent,
    readonly target: string,
  ) {
    super();
    // The B leg's Contact names the transport the target asks for, so B's requests come back on it.
    const uri = parseUri(target);
    const transport: TransportProtocol = uri instanceof SipUri && uri.transport === 'tcp' ? 'tcp' : 'udp';
    agent.invite(async (req, res) => {
      const aCallId = req.message.callId;
      try {
        const { uas, uac } = await agent.createB2BUA(req, res, target, { transport });
        const call: BridgedCall = { aCallId, bCallId: uac.callId };
        this.#calls.set(aCallId, call);
        this.emit('bridged', call);
        // createB2BUA ends the other leg itself from its own 'destroy' listener: ours go first, so
        // the leg reported is the one that ended first.
        const watch = (leg: 'a' | 'b', dialog: Dialog): void => {
          dialog.prependOnceListener('destroy', ({ reason }) => {
            if (this.#calls.delete(aCallId)) this.emit('ended', { ...call, endedBy: leg, reason });
          });
        };
        watch('a', uas);
        watch('b', uac);
      } catch (error) {
        // createB2BUA has already answered A (the relayed failure, or 487 after a CANCEL).
        const { status, reason } =
          error instanceof SipError ? error : { status: 500, reason: (error as Error).message };
        this.emit('failed', { aCallId, status, reason });
      }
    });
  }

  /** Where the B2BUA listens, per transport. */
  get addresses(): { protocol: TransportProtocol; address: string; port: number }[] {
    return this.agent.stack.addresses().map(({ protocol, address, port }) => ({ protocol, address, port }));
  }

  /** Calls bridged and not ended yet. */
  get activeCalls(): number {
    return this.#calls.size;
  }

  /**
   * Ends every call with a BYE on both legs, waits for the answers (at most `graceMs`), then
   * closes the transports.
   */
  async close(graceMs = 2_000): Promise<void> {
    const byes = Promise.all([...this.agent.dialogs.values()].map((dialog) => dialog.destroy()));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([byes, grace]);
    clearTimeout(timer);
    await this.agent.close();
  }
}

/** Validates the options, binds the transports and starts bridging. */
export async function startB2bua(options: B2buaOptions): Promise<B2bua> {
  const { host, port } = options.listen;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new B2buaError('B2BUA_INVALID_OPTIONS', `listen port ${port} is not a port number (0-65535)`);
  }
  let target: Uri;
  try {
    target = parseUri(options.target);
  } catch (cause) {
    throw new B2buaError('B2BUA_INVALID_OPTIONS', `target ${options.target} is not a URI`, { cause });
  }
  if (!(target instanceof SipUri)) {
    throw new B2buaError('B2BUA_INVALID_OPTIONS', `target ${options.target} must be a sip: or sips: URI`);
  }
  const protocols = options.protocols ?? DEFAULT_PROTOCOLS;
  const endpoint = [{ address: host, port }];
  const agent = await SipAgent.listen({
    listen: {
      ...(protocols.includes('udp') ? { udp: endpoint } : {}),
      ...(protocols.includes('tcp') ? { tcp: endpoint } : {}),
    },
    contactUser: options.user ?? 'b2bua',
    ...(options.T1 === undefined ? {} : { T1: options.T1 }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return new B2bua(agent, options.target);
}

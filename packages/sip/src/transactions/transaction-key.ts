/**
 * Transaction keys: the strings under which client and server transactions are filed and found
 * (RFC 3261 §17.1.3, §17.2.3). They work on a minimal structural input, so the UA core adapts its
 * messages to {@link ClientKeyInput} / {@link ServerKeyInput} and this layer needs no message model.
 *
 * Keys are opaque strings (JSON arrays inside), branded so a client key cannot be used where a
 * server key is expected.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.1.3
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.2.3
 */
import { isRfc3261Branch } from '../grammar/index.js';
import { TransactionKeyError } from './transaction-error.js';

/** The key of a client transaction: branch + CSeq method. */
export type ClientTransactionKey = string & { readonly __transactionKey: 'client' };
/** The key of a server transaction: branch + sent-by + method, or the RFC 2543 fallback tuple. */
export type ServerTransactionKey = string & { readonly __transactionKey: 'server' };

/** What a client transaction is filed and matched by. */
export interface ClientKeyInput {
  /** The `branch` of the top Via (of the request sent, or of the response received). */
  readonly branch: string;
  /** The CSeq method (of the request sent, or of the response received). */
  readonly cseqMethod: string;
}

/** The sent-by of a Via: host and optional port. */
export interface TransactionSentBy {
  readonly host: string;
  readonly port?: number | undefined;
}

/** What a server transaction is filed and matched by; the RFC 2543 fields serve old clients only. */
export interface ServerKeyInput {
  /** The request method (`INVITE`, `ACK`, `CANCEL`, …). */
  readonly method: string;
  /** The `branch` of the top Via, if any. */
  readonly branch?: string | undefined;
  /** The sent-by of the top Via. */
  readonly sentBy: TransactionSentBy;
  /** The top Via transport (`UDP`, `TCP`, `TLS`, …), for the default port. */
  readonly transport?: string | undefined;
  /** RFC 2543 fallback: the Request-URI, in the canonical form the caller compares by. */
  readonly requestUri?: string | undefined;
  /** RFC 2543 fallback: the To tag (absent on most initial requests). */
  readonly toTag?: string | undefined;
  /** RFC 2543 fallback: the From tag (RFC 2543 clients may omit it). */
  readonly fromTag?: string | undefined;
  /** RFC 2543 fallback: the Call-ID. */
  readonly callId?: string | undefined;
  /** RFC 2543 fallback: the CSeq sequence number. */
  readonly cseqSeq?: number | undefined;
  /** RFC 2543 fallback: the CSeq method. */
  readonly cseqMethod?: string | undefined;
  /**
   * RFC 2543 fallback: the whole top Via value, in canonical form. When absent, transport and
   * sent-by stand for it.
   */
  readonly topVia?: string | undefined;
}

// Keys of RFC 3261 transactions are built on every message: length-prefixed fields then the
// branch (`c<n>:<method><branch>`, `s<n>:<method><n>:<sent-by><branch>`), which no two
// different inputs share whatever the fields hold, and which cost a few concatenations where a
// JSON array costs a serialiser call. The rare RFC 2543 keys stay JSON (they begin with `[`).

function requireToken(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TransactionKeyError(field, `${field} is required to build a transaction key`);
  }
  return value;
}

/**
 * RFC 3261 §17.1.3 — a response matches a client transaction when the branch of its top Via equals
 * the branch of the request that created the transaction, and its CSeq method equals that
 * request's method (CANCEL shares the branch but is a transaction of its own). The branch compares
 * case-insensitively (§7.3.1: parameter values do unless stated otherwise), the method
 * case-sensitively (§7.1).
 *
 * @throws TransactionKeyError on an empty branch or method.
 */
export function clientTransactionKey(input: ClientKeyInput): ClientTransactionKey {
  const branch = requireToken('branch', input.branch);
  const method = requireToken('cseqMethod', input.cseqMethod);
  return `c${method.length}:${method}${branch.toLowerCase()}` as ClientTransactionKey;
}

/**
 * A sent-by in one canonical form: the host in lower case (IPv6 in brackets) and the port made
 * explicit (5061 for TLS, 5060 otherwise; RFC 3261 §18.2.1, §19.1.2).
 */
export function normalizeSentBy(sentBy: TransactionSentBy, transport?: string): string {
  const host = requireToken('sentBy.host', sentBy.host).toLowerCase();
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const port = sentBy.port ?? (transport?.toUpperCase() === 'TLS' ? 5061 : 5060);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TransactionKeyError('sentBy.port', `sent-by port ${String(port)} is out of range`);
  }
  return `${bracketed}:${port}`;
}

/**
 * The key a request falls under on the server side.
 *
 * RFC 3261 §17.2.3 — with a magic-cookie branch, a request matches a transaction when its top Via
 * has the same branch and the same sent-by, and the same method, except that an ACK matches the
 * INVITE transaction. A CANCEL has a transaction of its own.
 *
 * RFC 3261 §17.2.3 — otherwise (an RFC 2543 client), the request matches when Request-URI, To tag,
 * From tag, Call-ID, CSeq and top Via match those of the request that created the transaction;
 * an ACK matches on CSeq number (the INVITE's method is used) and its To tag matches the To tag of
 * the response the server sent (see {@link serverAckKey}).
 *
 * @throws TransactionKeyError when a field the applicable rule needs is missing.
 */
export function serverTransactionKey(input: ServerKeyInput): ServerTransactionKey {
  const method = requireToken('method', input.method);
  const matchMethod = method === 'ACK' ? 'INVITE' : method;
  // RFC 3261 §17.2.3 — a branch that begins with the magic cookie "z9hG4bK" comes from an RFC 3261
  // client. The bare cookie carries no transaction identifier (RFC 4475 §3.2.1 `badbranch`) and is
  // matched the RFC 2543 way, like a missing branch.
  const branch = input.branch;
  if (branch !== undefined && isRfc3261Branch(branch)) {
    const sentBy = normalizeSentBy(input.sentBy, input.transport);
    return `s${matchMethod.length}:${matchMethod}${sentBy.length}:${sentBy}${branch.toLowerCase()}` as ServerTransactionKey;
  }
  const requestUri = requireToken('requestUri', input.requestUri);
  const callId = requireToken('callId', input.callId);
  const seq = input.cseqSeq;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) {
    throw new TransactionKeyError('cseqSeq', 'cseqSeq is required to match an RFC 2543 request');
  }
  const cseqMethod = method === 'ACK' ? 'INVITE' : (input.cseqMethod ?? method);
  const topVia =
    input.topVia ??
    `${(input.transport ?? 'UDP').toUpperCase()} ${normalizeSentBy(input.sentBy, input.transport)}`;
  return JSON.stringify([
    '2543',
    requestUri,
    (input.toTag ?? '').toLowerCase(),
    (input.fromTag ?? '').toLowerCase(),
    callId,
    seq,
    cseqMethod,
    topVia,
  ]) as ServerTransactionKey;
}

/**
 * The key under which the ACK for a final response will arrive, given the INVITE that created the
 * transaction and the To tag of the response sent. For an RFC 3261 INVITE this is the INVITE's own
 * key; for an RFC 2543 INVITE the ACK carries the response's To tag, so the UA core files the
 * transaction under this key as well (`TransactionTable.aliasServer`).
 */
export function serverAckKey(
  invite: ServerKeyInput,
  responseToTag: string | undefined,
): ServerTransactionKey {
  return serverTransactionKey({ ...invite, method: 'ACK', toTag: responseToTag });
}

/**
 * The gateway's digest authentication (RFC 3261 §22, RFC 8760): a request without credentials, or
 * with a stale nonce, is challenged with 401 (one challenge per algorithm, in the configured order);
 * a request whose credentials are wrong gets 403, so an application with a bad password sees
 * `401, then 403` and stops instead of looping on challenges. INVITEs from a configured peer
 * gateway (seed 001 Fig. 2) are trusted by their source address and port (the peer's SIP port over
 * UDP) and skip the challenge: peers are a static, operator-configured trust relation.
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-22.2
 * @see https://www.rfc-editor.org/rfc/rfc8760#section-2.4
 */
import {
  type CredentialLookup,
  DIGEST_ALGORITHMS,
  type DigestAlgorithm,
  type DigestFailureReason,
  DigestServer,
  type Middleware,
} from '@svpn/sip';

/** A peer gateway trusted by source address (static configuration, seed 001 Fig. 2). */
export interface TrustedPeer {
  /** The peer's SIP domain (the Request-URI host of the users it serves). */
  domain: string;
  /** The address its requests come from. */
  address: string;
  /** The port they come from (its SIP port over UDP); any port when absent. */
  port?: number;
}

export interface GatewayAuthOptions {
  realm: string;
  /** Offered in this order (RFC 8760 §2.4: most preferred first). @defaultValue SHA-256, MD5 */
  algorithms?: readonly DigestAlgorithm[];
  lookup: CredentialLookup;
  /** Peers whose INVITEs are taken without a challenge. @defaultValue none */
  peers?: readonly TrustedPeer[];
}

/** What a failed verification is answered with. */
export function statusForFailure(reason: DigestFailureReason): 401 | 403 {
  switch (reason) {
    case 'missing':
    case 'stale':
    case 'unknown-scheme':
    case 'realm-mismatch':
    case 'algorithm':
      // RFC 3261 §22.2 — no usable credentials for our realm yet: challenge.
      return 401;
    case 'bad-response':
    case 'unknown-user':
    case 'replay':
    case 'malformed':
    case 'uri-mismatch':
      // RFC 3261 §21.4.4 — credentials were given and refused: "authorization will not help",
      // the request SHOULD NOT be repeated. An unknown user is answered as a wrong password
      // (RFC 7616 §5.2 — names cannot be probed).
      return 403;
    default: {
      const never: never = reason;
      return never;
    }
  }
}

/**
 * Middleware for REGISTER and INVITE: sets `req.locals.username` (an authenticated application) or
 * `req.locals.peer` (the domain of a trusted peer gateway).
 */
export function gatewayAuth(options: GatewayAuthOptions): Middleware {
  const server = new DigestServer({
    realm: options.realm,
    algorithms: options.algorithms ?? ['SHA-256', 'MD5'],
  });
  const peers = options.peers ?? [];
  return async (req, res, next) => {
    const message = req.message;
    const peer =
      message.method === 'INVITE'
        ? peers.find(
            (p) => p.address === req.source.address && (p.port === undefined || p.port === req.source.port),
          )
        : undefined;
    if (peer !== undefined) {
      req.locals['peer'] = peer.domain;
      next();
      return;
    }
    const result = await server.verify({
      method: message.method,
      uri: message.uri.toString(),
      authorization: message.headers.getAll('Authorization'),
      lookup: options.lookup,
      body: message.body,
    });
    if (result.ok) {
      req.locals['username'] = result.username;
      next();
      return;
    }
    const status = statusForFailure(result.reason);
    if (status === 401) {
      res.send(401, {
        headers: { 'WWW-Authenticate': result.challenge },
        ...(result.reason === 'missing' ? {} : { warning: 'authentication failed' }),
      });
      return;
    }
    res.send(403, { warning: 'authentication failed: wrong credentials' });
  };
}

/** Parses `SHA-256,MD5` into the algorithms to offer. */
export function parseDigestAlgorithms(text: string): DigestAlgorithm[] {
  const list = text
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  for (const a of list)
    if (!(DIGEST_ALGORITHMS as readonly string[]).includes(a))
      throw new Error(`unknown digest algorithm "${a}"`);
  if (list.length === 0) throw new Error('digestAlgorithms names no algorithm');
  return list as DigestAlgorithm[];
}

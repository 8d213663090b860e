/**
 * Middleware that demands Digest credentials (RFC 3261 §22.4, RFC 8760): requests without valid
 * ones get 401 (or 407 as a proxy) with one challenge per algorithm; the authenticated user name
 * lands in `req.locals.username`. Credentials are looked up as H(A1), never in clear.
 */
import { type CredentialLookup, DigestServer, type DigestServerOptions } from '../auth/index.js';
import type { Middleware } from './sip-agent.js';

export interface DigestAuthOptions extends DigestServerOptions {
  lookup: CredentialLookup;
  /** Challenge as a proxy (407 / Proxy-Authenticate) instead of a UAS (401). @defaultValue false */
  proxy?: boolean;
}

export function digestAuth(options: DigestAuthOptions): Middleware {
  const server = new DigestServer(options);
  const proxy = options.proxy ?? false;
  return async (req, res, next) => {
    const message = req.message;
    const result = await server.verify({
      method: message.method,
      uri: message.uri.toString(),
      authorization: message.headers.getAll(proxy ? 'Proxy-Authorization' : 'Authorization'),
      lookup: options.lookup,
      body: message.body,
    });
    if (result.ok) {
      req.locals['username'] = result.username;
      next();
      return;
    }
    // Unknown users are answered exactly like wrong passwords, so names cannot be probed.
    res.send(proxy ? 407 : 401, {
      headers: { [proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate']: result.challenge },
      ...(result.reason === 'missing' ? {} : { warning: 'authentication failed' }),
    });
  };
}

import { SvpnError } from '@svpn/errors';
import type { ApplicationView, Decision, Ha1Algorithm, Vpn } from '@svpn/policy';
import type { SiteAttachment } from '@svpn/store';

import type { DecisionJson } from '../schemas.js';
import { decisionFromJson } from './decision-json.js';
import type { DecisionInput, Membership, PolicyClient } from './policy-client.js';

/** The policy service answered something other than what the client asked for, or did not answer. */
export class PolicyClientError extends SvpnError<'SVPN_POLICY_CLIENT'> {
  constructor(
    message: string,
    /** HTTP status, when there was an answer. */
    readonly status?: number,
    /** The problem+json body, when there was one. */
    readonly problem?: unknown,
    options?: { cause?: unknown },
  ) {
    super('SVPN_POLICY_CLIENT', message, options);
  }
}

/** Caller input for {@link createHttpPolicyClient}. */
export interface HttpPolicyClientOptions {
  /** How long one request may take, ms. @defaultValue 2000 */
  readonly timeoutMs?: number;
  /** The fetch to use (tests). @defaultValue `globalThis.fetch` */
  readonly fetch?: typeof fetch;
}

/**
 * The policy client over HTTP (a gateway in another process). Same interface as the in-process
 * client; `now` in a decision request is ignored — the service decides on its own clock.
 * Unknown things come back `undefined`; any other failure throws {@link PolicyClientError}.
 */
export function createHttpPolicyClient(
  baseUrl: string | URL,
  options: HttpPolicyClientOptions = {},
): PolicyClient {
  // A trailing slash, so a base with a path (`http://host/policy/`) keeps it.
  const base = new URL(String(baseUrl).replace(/\/?$/, '/'));
  const timeoutMs = options.timeoutMs ?? 2000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const seg = encodeURIComponent;

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    allow404 = false,
  ): Promise<T | undefined> {
    let response: Response;
    try {
      response = await doFetch(new URL(path.replace(/^\//, ''), base), {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new PolicyClientError(`policy service unreachable: ${method} ${path}`, undefined, undefined, {
        cause,
      });
    }
    if (response.status === 404 && allow404) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status === 204) return undefined;
    const text = await response.text();
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const detail = (json as { detail?: string } | undefined)?.detail ?? response.statusText;
      throw new PolicyClientError(`${method} ${path}: ${response.status} ${detail}`, response.status, json);
    }
    return json as T;
  }

  return {
    async decide(request: DecisionInput, sessionId?: string): Promise<Decision> {
      const { now: _now, start, end, ...rest } = request;
      const body = {
        ...rest,
        ...(start === undefined ? {} : { start: start.toISOString() }),
        ...(end === undefined ? {} : { end: end === null ? null : end.toISOString() }),
        ...(sessionId === undefined ? {} : { sessionId }),
      };
      return decisionFromJson((await call<DecisionJson>('POST', '/v1/decisions', body)) as DecisionJson);
    },
    async releaseUsage(sessionId) {
      await call('DELETE', `/v1/usage/${seg(sessionId)}`);
    },
    async credentials(username: string, realm: string, algorithm: Ha1Algorithm) {
      const query = new URLSearchParams({ realm, algorithm });
      const found = await call<{ ha1: string }>(
        'GET',
        `/v1/credentials/${seg(username)}?${query}`,
        undefined,
        true,
      );
      return found?.ha1;
    },
    async membership(application, vpn) {
      return (await call<Membership>('GET', `/v1/memberships/${seg(application)}/${seg(vpn)}`)) as Membership;
    },
    site(ce) {
      return call<SiteAttachment>('GET', `/v1/sites/${seg(ce)}`, undefined, true);
    },
    async customerOf(application) {
      return (await call<ApplicationView>('GET', `/v1/applications/${seg(application)}`, undefined, true))
        ?.customerId;
    },
    application(name) {
      return call<ApplicationView>('GET', `/v1/applications/${seg(name)}`, undefined, true);
    },
    resolveVpn(idOrName) {
      return call<Vpn>('GET', `/v1/vpns/${seg(idOrName)}`, undefined, true);
    },
  };
}

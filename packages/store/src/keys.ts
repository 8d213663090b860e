/**
 * Redis key naming for every svpn domain. Keys are `svpn:{<domain>}:<part>:<part>…`: the hash tag
 * `{domain}` puts a domain's keys in one Redis Cluster slot, so its multi-key scripts and
 * transactions work under Cluster (DESIGN §5). A deployment-wide prefix isolates tenants and tests.
 */
export type Domain =
  'policy' | 'sessions' | 'ledger' | 'provisioning' | 'charging' | 'events' | 'location' | 'api';

export class KeySpace {
  constructor(readonly prefix: string = 'svpn') {}

  /** `svpn:{domain}:a:b:c` — parts must not contain ':' ambiguity the caller cares about. */
  key(domain: Domain, ...parts: (string | number)[]): string {
    return [`${this.prefix}:{${domain}}`, ...parts.map(String)].join(':');
  }

  /** A pattern for SCAN over one domain. */
  pattern(domain: Domain, ...parts: string[]): string {
    return [`${this.prefix}:{${domain}}`, ...parts, '*'].join(':');
  }
}

/** The session event stream (start / modify / preempt / stop), consumed by charging and the API. */
export function sessionEventStream(keys: KeySpace): string {
  return keys.key('events', 'sessions');
}

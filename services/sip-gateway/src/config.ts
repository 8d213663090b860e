import { Type, type Static } from '@sinclair/typebox';

/** The gateway's configuration (env `SVPN_<NAME>` or `<NAME>`, e.g. `SVPN_SIP_PORT`). */
export const ConfigSchema = Type.Object({
  /** Address the SIP transports bind (UDP and TCP). */
  sipAddress: Type.String({ default: '127.0.0.1' }),
  sipPort: Type.Integer({ minimum: 0, maximum: 65535, default: 5060 }),
  /** Also listen on TCP (same port). */
  sipTcp: Type.Boolean({ default: true }),
  httpAddress: Type.String({ default: '127.0.0.1' }),
  httpPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8081 }),
  /** SIP domain the gateway serves (AORs sip:<application>@<domain>) and digest realm. */
  domain: Type.String({ default: 'svpn.example.net' }),
  /** Address written in SDP in place of the parties' (topology hiding). @defaultValue sipAddress */
  mediaAddress: Type.Optional(Type.String()),
  gatewayId: Type.String({ default: 'gw1' }),
  redisUrl: Type.String({ default: 'redis://127.0.0.1:6379' }),
  keyPrefix: Type.String({ default: 'svpn' }),
  /** The provider network (YAML or JSON, packages/te schema). */
  topologyFile: Type.Optional(Type.String()),
  retryAfterS: Type.Integer({ minimum: 1, default: 30 }),
  /** Upper bound on sessions without an SLA limit, seconds (0: none). */
  maxDurationS: Type.Integer({ minimum: 0, default: 0 }),
  /** Aggregate tunnel bulk step (RFC 3175), bit/s. */
  bulkBps: Type.Integer({ minimum: 1, default: 10_000_000 }),
  /**
   * Extra slack before an aggregate shrinks, bit/s (RFC 3175 §1.4.4: resize seldom). One bulk step
   * keeps a tunnel whose load wavers around a step boundary from being re-signalled on every call.
   */
  hysteresisBps: Type.Integer({ minimum: 0, default: 10_000_000 }),
  /** RFC 3261 T1, ms. */
  t1Ms: Type.Integer({ minimum: 10, default: 500 }),
  /**
   * Digest algorithms offered in 401 challenges, most preferred first (RFC 8760 §2.4). Clients
   * that answer only the first challenge (SIPp takes the first and knows only MD5) need MD5 first.
   */
  digestAlgorithms: Type.String({ default: 'SHA-256,MD5' }),
  /** Digest realm. @defaultValue domain */
  realm: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * Peer S-VPN gateways (seed 001 Fig. 2), `domain=sip:host:port` separated by commas: calls to a
   * peer's domain are sent to it, and INVITEs from its host are trusted without a challenge.
   */
  peers: Type.String({ default: '' }),
  /**
   * The admission leader's HTTP base (`http://host:port`). Empty: this gateway takes the leader
   * lease and keeps the ledger itself; otherwise it admits through the leader (DESIGN §5).
   */
  admissionUrl: Type.String({ default: '' }),
  /** Admission leader lease, ms (DESIGN §5). */
  leaderLeaseMs: Type.Integer({ minimum: 1000, default: 10_000 }),
  /**
   * On stop (SIGTERM): how long INVITE transactions already in progress may take to finish before
   * the live sessions are ended and the transports close. New INVITEs get 503 + Retry-After meanwhile.
   */
  drainTimeoutMs: Type.Integer({ minimum: 0, default: 20_000 }),
});

export type Config = Static<typeof ConfigSchema>;

/** Where the demo provider network lives in the repository. */
export const DEMO_TOPOLOGY_FILE = new URL('../../../deploy/demo/topology.yaml', import.meta.url).pathname;

/** Parses {@link ConfigSchema} `peers` (`domain=sip:host:port,…`) into domain → URI. */
export function parsePeers(text: string): Record<string, string> {
  const peers: Record<string, string> = {};
  for (const item of text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const eq = item.indexOf('=');
    const domain = item.slice(0, eq).trim().toLowerCase();
    const uri = item.slice(eq + 1).trim();
    if (eq <= 0 || !/^sips?:/.test(uri)) throw new Error(`peers: "${item}" is not domain=sip:host[:port]`);
    peers[domain] = uri;
  }
  return peers;
}

/** The host of a peer URI (`sip:127.0.0.1:5070` → `127.0.0.1`), where its requests come from. */
export function peerHost(uri: string): string {
  const rest = uri.replace(/^sips?:/, '').replace(/^[^@]*@/, '');
  if (rest.startsWith('[')) return rest.slice(1, rest.indexOf(']'));
  return rest.split(/[:;]/)[0] ?? rest;
}

/** The port of a peer URI (`sip:127.0.0.1:5070` → 5070), or `undefined` when it names none. */
export function peerPort(uri: string): number | undefined {
  const rest = uri.replace(/^sips?:/, '').replace(/^[^@]*@/, '');
  const m = rest.startsWith('[') ? /^\[[^\]]*\]:(\d+)/.exec(rest) : /^[^:;]+:(\d+)/.exec(rest);
  return m === null ? undefined : Number(m[1]);
}

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
  /** RFC 3261 T1, ms. */
  t1Ms: Type.Integer({ minimum: 10, default: 500 }),
  /** Admission leader lease, ms (DESIGN §5). */
  leaderLeaseMs: Type.Integer({ minimum: 1000, default: 10_000 }),
});

export type Config = Static<typeof ConfigSchema>;

/** Where the demo provider network lives in the repository. */
export const DEMO_TOPOLOGY_FILE = new URL('../../../deploy/demo/topology.yaml', import.meta.url).pathname;

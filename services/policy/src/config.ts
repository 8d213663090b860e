import { Type, type Static } from '@sinclair/typebox';

/**
 * Configuration of the policy service, read once at start-up (`loadConfig(ConfigSchema, process.env)`:
 * each field from `SVPN_<NAME>` or `<NAME>`, e.g. `SVPN_HTTP_PORT`).
 */
export const ConfigSchema = Type.Object({
  /** Address the HTTP API listens on. Keep it internal: `/v1/credentials` hands out H(A1). */
  httpHost: Type.String({ default: '127.0.0.1', minLength: 1 }),
  /** Port of the HTTP API; 0 picks a free one. */
  httpPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8082 }),
  redisUrl: Type.String({ default: 'redis://127.0.0.1:6379', pattern: '^rediss?://' }),
  /** Prefix of every Redis key (`<prefix>:{policy}:…`), so several deployments can share a Redis. */
  keyPrefix: Type.String({ default: 'svpn', pattern: '^[A-Za-z0-9._-]+$' }),
  /** Digest realm the H(A1) of new passwords are computed for (RFC 3261 §22.1). */
  realm: Type.String({ default: 'svpn.example.net', minLength: 1 }),
  /**
   * How long the decision path may reuse a policy read, ms (0: read Redis every time). Writes empty
   * the cache at once in this process and through the change notice in others; see RedisPolicyStore.
   */
  readCacheTtlMs: Type.Integer({ minimum: 0, maximum: 60_000, default: 2_000 }),
  /** Seed the demo customers, VPNs, SLAs and applications (deploy/demo/policy-data.json) at start. */
  demo: Type.Boolean({ default: false }),
});

/** The policy service's configuration. */
export type Config = Static<typeof ConfigSchema>;

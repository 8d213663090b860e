import { Type, type Static } from '@sinclair/typebox';

/**
 * Configuration of the charging service, read once at start-up (`loadConfig(ConfigSchema, process.env)`:
 * each field from `SVPN_<NAME>` or `<NAME>`, e.g. `SVPN_CLAIM_IDLE_MS`).
 */
export const ConfigSchema = Type.Object({
  /** Address the HTTP API listens on. */
  httpHost: Type.String({ default: '127.0.0.1', minLength: 1 }),
  /** Port of the HTTP API; 0 picks a free one. */
  httpPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8084 }),
  redisUrl: Type.String({ default: 'redis://127.0.0.1:6379', pattern: '^rediss?://' }),
  /** Prefix of every Redis key (`<prefix>:{charging}:…`, `<prefix>:{events}:sessions`). */
  keyPrefix: Type.String({ default: 'svpn', pattern: '^[A-Za-z0-9._-]+$' }),
  /** Consumer group on the session event stream. */
  consumerGroup: Type.String({ default: 'charging', minLength: 1, pattern: '^\\S+$' }),
  /** This process's consumer name; empty: `charging-<hostname>-<pid>`. */
  consumerName: Type.String({ default: '', pattern: '^\\S*$' }),
  /** A session event pending this long on a consumer (crashed, hung) is claimed by another. */
  claimIdleMs: Type.Integer({ minimum: 10, default: 30_000 }),
  /** How long one stream read waits for new events. */
  blockMs: Type.Integer({ minimum: 1, maximum: 60_000, default: 1_000 }),
  /** Events per stream read. */
  batchSize: Type.Integer({ minimum: 1, maximum: 1_000, default: 50 }),
  /** Deliveries after which an event goes to the dead-letter stream. */
  maxDeliveries: Type.Integer({ minimum: 1, maximum: 1_000, default: 10 }),
  /** The tariff book as JSON (`{ default?, tariffs: [...] }`); empty: `tariffsFile`, else the demo tariffs. */
  tariffs: Type.String({ default: '' }),
  /** A file holding the tariff book as JSON. */
  tariffsFile: Type.String({ default: '' }),
  /** Where bytes come from when a stop event has none: the simulated PEs' counters, or nowhere. */
  meter: Type.Union([Type.Literal('pe-sim'), Type.Literal('none')], { default: 'pe-sim' }),
  /** The provider topology the simulated PEs were built from (meter `pe-sim`). */
  topologyFile: Type.String({ default: 'deploy/demo/topology.yaml', minLength: 1 }),
  /** Key prefix of the simulated network (meter `pe-sim`). */
  peSimPrefix: Type.String({ default: '{pesim}', pattern: '^[^{}]*\\{[^{}]+\\}[^{}]*$' }),
  /** Most rows one CSV export may hold; a larger export is refused (narrow it with from/to). */
  csvMaxRows: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 100_000 }),
});

/** The charging service's configuration. */
export type Config = Static<typeof ConfigSchema>;

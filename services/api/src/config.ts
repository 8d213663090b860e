import { Type, type Static } from '@sinclair/typebox';

/** The API service's configuration (env `SVPN_<NAME>` or `<NAME>`, e.g. `SVPN_API_PORT`). */
export const ConfigSchema = Type.Object({
  httpHost: Type.String({ default: '127.0.0.1' }),
  /** HTTP port (REST, SOAP, docs, dashboard). `svpn up`: the gateway's HTTP port + 4. */
  httpPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8085 }),
  redisUrl: Type.String({ default: 'redis://127.0.0.1:6379' }),
  keyPrefix: Type.String({ default: 'svpn' }),
  /** The gateway's SIP address, host:port: where the API places its calls. */
  gatewaySip: Type.String({ default: '127.0.0.1:5060' }),
  /** The admission leader's (gateway's) HTTP base: `/v1/admissions`, `/v1/sessions`, `/v1/tunnels`. */
  gatewayUrl: Type.String({ default: 'http://127.0.0.1:8081' }),
  policyUrl: Type.String({ default: 'http://127.0.0.1:8082' }),
  chargingUrl: Type.String({ default: 'http://127.0.0.1:8083' }),
  /** SIP domain and digest realm. */
  domain: Type.String({ default: 'svpn.example.net' }),
  /** Address the API's SIP agent binds (UDP, port chosen by the OS). */
  sipAddress: Type.String({ default: '127.0.0.1' }),
  /** NSI hold timeout: how long a reservation is held uncommitted, s. */
  holdTimeoutS: Type.Integer({ minimum: 1, default: 120 }),
  /** Requests per key (or per address without a key) per minute. */
  rateLimitPerMinute: Type.Integer({ minimum: 1, default: 600 }),
  /** Webhook attempts per event and the first retry delay (doubled each time), ms. */
  webhookMaxAttempts: Type.Integer({ minimum: 1, default: 6 }),
  webhookBackoffMs: Type.Integer({ minimum: 1, default: 1000 }),
  /** This process's name in the timer lease (e.g. the pod name). Empty: `<hostname>:<pid>`. */
  instanceId: Type.String({ default: '' }),
  /**
   * The timer lease's time to live, ms: with several API replicas one holds it and fires the hold,
   * start and end timers; a standby takes over within this long after the holder dies.
   */
  leaderLeaseMs: Type.Integer({ minimum: 300, default: 10_000 }),
  /** How often the stored timers and pending webhook deliveries are read, ms. */
  timerPollMs: Type.Integer({ minimum: 10, default: 1000 }),
  /** The provider network (YAML), for the topology view and the PE queue list. */
  topologyFile: Type.Optional(Type.String()),
  /** The built dashboard (served at /). */
  dashboardDir: Type.Optional(Type.String()),
  /**
   * Create an operator key at start and write it to this file (mode 0600), e.g. `.data/operator-key`.
   * Empty: none.
   */
  operatorKeyFile: Type.String({ default: '' }),
});

export type Config = Static<typeof ConfigSchema>;

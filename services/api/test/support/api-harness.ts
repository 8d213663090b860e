/**
 * A whole svpn on loopback with the API service on top: the gateway harness (private redis-server,
 * policy with demo data, provisioner + pe-sim, charging, gateway) plus the policy's HTTP admin,
 * the charging HTTP API and the API service, wired as `svpn up` wires them.
 */
import { loadConfig, silentLogger } from '@svpn/service-kit';
import { ConfigSchema as PolicyConfig, startPolicyService, type PolicyService } from '@svpn/policy-service';
import { KeySpace, RedisLocationStore } from '@svpn/store';
import {
  startHarness,
  startApplication,
  type Harness,
  type TestApplication,
} from '../../../sip-gateway/test/support/gateway-harness.js';
import { ConfigSchema, type Config } from '../../src/config.js';
import { startApiService, type ApiService } from '../../src/start-api-service.js';

export interface ApiHarness {
  h: Harness;
  api: ApiService;
  policyService: PolicyService;
  config: Config;
  operatorKey: string;
  /** grid-a's key (connections:write). */
  appKey: string;
  /** Starts another API service on the same Redis (a restart). */
  restart(overrides?: Partial<Config>): Promise<ApiService>;
  /** Starts one more API service beside the current one, on the same Redis (a second replica). */
  replica(overrides?: Partial<Config>): Promise<ApiService>;
  /** A registered SIP application (a real UA on loopback). */
  sipApp(name: string, password: string, ce: string, vpn: string): Promise<TestApplication>;
  location: RedisLocationStore;
  stop(): Promise<void>;
}

export async function startApiHarness(overrides: Partial<Config> = {}): Promise<ApiHarness> {
  const h = await startHarness({ digestAlgorithms: 'SHA-256,MD5' });
  const policyService = await startPolicyService(
    loadConfig(
      PolicyConfig,
      {},
      { httpHost: '127.0.0.1', httpPort: 0, redisUrl: h.redisServer.url, demo: false },
    ),
    { redis: h.redis, log: silentLogger() },
  );
  await h.charging.app.listen({ host: '127.0.0.1', port: 0 });
  const chargingPort = (h.charging.app.server.address() as { port: number }).port;
  const make = (extra: Partial<Config> = {}): Config =>
    loadConfig(
      ConfigSchema,
      {},
      {
        httpPort: 0,
        redisUrl: h.redisServer.url,
        gatewaySip: `127.0.0.1:${h.gateway.sipAddress.port}`,
        gatewayUrl: `http://127.0.0.1:${h.gateway.httpAddress.port}`,
        policyUrl: policyService.url,
        chargingUrl: `http://127.0.0.1:${chargingPort}`,
        holdTimeoutS: 30,
        webhookBackoffMs: 50,
        ...overrides,
        ...extra,
      },
    );
  const config = make();
  const start = (c: Config): Promise<ApiService> =>
    startApiService(c, {
      redis: h.redis,
      log: silentLogger(),
      policy: h.policy as never,
      ledger: () => h.gateway.admission?.ledger,
    });
  let api = await start(config);
  const operatorKey = (await api.keys.issue({ name: 'test operator', scopes: ['operator'] })).key;
  const appKey = (
    await api.keys.issue({ name: 'grid-a', scopes: ['connections:write'], application: 'grid-a' })
  ).key;
  const apps: TestApplication[] = [];
  const replicas: ApiService[] = [];
  return {
    h,
    get api() {
      return api;
    },
    policyService,
    config,
    operatorKey,
    appKey,
    async restart(extra = {}) {
      await api.stop();
      api = await start(make(extra));
      return api;
    },
    async replica(extra = {}) {
      const replica = await start(make(extra));
      replicas.push(replica);
      return replica;
    },
    async sipApp(name, password, ce, vpn) {
      const app = await startApplication(name, password, h.gateway);
      app.agent.invite(async (req, res) => {
        await app.agent.createUAS(req, res, { localSdp: req.body });
      });
      const response = await app.register(ce, vpn);
      if (response.status !== 200) throw new Error(`REGISTER ${name}: ${response.status}`);
      apps.push(app);
      return app;
    },
    location: new RedisLocationStore(h.redis, new KeySpace('svpn')),
    async stop() {
      for (const r of replicas) await r.stop();
      await api.stop();
      for (const a of apps) await a.stop();
      await policyService.stop();
      await h.stop();
    },
  };
}

/** `fetch` against the API with a key. */
export async function call(
  base: string,
  key: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown>; contentType: string }> {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    contentType,
    body:
      contentType.includes('json') && text !== '' ? (JSON.parse(text) as Record<string, unknown>) : { text },
  };
}

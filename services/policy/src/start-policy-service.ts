import type { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { DecisionOptions } from '@svpn/policy';
import { connectRedis, createLogger, httpUrl, pingRedis, type Logger } from '@svpn/service-kit';
import { KeySpace, RedisPolicyStore, type PolicyStore } from '@svpn/store';

import { buildApp } from './app.js';
import type { PolicyClient } from './client/policy-client.js';
import type { Config } from './config.js';
import { seedDemoData, type SeedReport } from './demo/seed-demo-data.js';
import type { PolicyEngine } from './policy-engine.js';

/** What {@link startPolicyService} may be given instead of building it from the config. */
export interface PolicyServiceDeps {
  /** A Redis connection to use (and leave open on stop). @defaultValue one to `config.redisUrl` */
  readonly redis?: Redis;
  /** A store to use instead of Redis (e.g. `MemoryPolicyStore`). */
  readonly store?: PolicyStore;
  readonly log?: Logger;
  readonly clock?: () => Date;
  readonly registry?: Registry;
  readonly decision?: DecisionOptions;
  /** Listen on `config.httpHost:httpPort`. @defaultValue true */
  readonly listen?: boolean;
  /** True while the process drains (`/readyz` 503). */
  readonly draining?: () => boolean;
}

/** A running policy service. */
export interface PolicyService {
  readonly app: FastifyInstance;
  readonly store: PolicyStore;
  /** The in-process client, for a gateway in the same process. */
  readonly client: PolicyClient;
  readonly engine: PolicyEngine;
  /** `http://host:port` when listening. */
  readonly url: string | undefined;
  /** What the demo seeding did (with `config.demo`). */
  readonly seeded: SeedReport | undefined;
  /** Closes the HTTP server, then the connections the service opened. */
  stop(): Promise<void>;
}

/**
 * Starts the policy service: the store on Redis (keys under `config.keyPrefix`), the demo data when
 * `config.demo`, the HTTP API when `listen`. `svpn up` runs it in-process next to the other services
 * and hands `client` to the gateway; `svpn run policy` runs only this.
 */
export async function startPolicyService(
  config: Config,
  deps: PolicyServiceDeps = {},
): Promise<PolicyService> {
  const log = deps.log ?? createLogger('policy');
  const ownRedis =
    deps.store === undefined && deps.redis === undefined ? connectRedis(config.redisUrl) : undefined;
  const redis = deps.redis ?? ownRedis;
  const store =
    deps.store ??
    new RedisPolicyStore(redis as Redis, {
      keys: new KeySpace(config.keyPrefix),
      readCacheTtlMs: config.readCacheTtlMs,
    });
  try {
    const seeded = config.demo ? await seedDemoData(store, { realm: config.realm }) : undefined;
    if (seeded !== undefined)
      log.info({ created: seeded.created.length, kept: seeded.kept.length }, 'demo policy data');
    const { app, engine } = buildApp({
      store,
      realm: config.realm,
      log: log.child({ component: 'policy.http' }),
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
      ...(deps.registry === undefined ? {} : { registry: deps.registry }),
      ...(deps.decision === undefined ? {} : { decision: deps.decision }),
      ...(deps.draining === undefined ? {} : { draining: deps.draining }),
      ...(redis === undefined ? {} : { checks: { redis: () => pingRedis(redis) } }),
    });
    let url: string | undefined;
    if (deps.listen ?? true) {
      await app.listen({ host: config.httpHost, port: config.httpPort });
      url = httpUrl(app.server.address());
      log.info({ url }, 'policy service listening');
    } else {
      await app.ready();
    }
    return {
      app,
      store,
      client: engine,
      engine,
      url,
      seeded,
      async stop() {
        await app.close();
        if (deps.store === undefined) await store.close();
        if (ownRedis !== undefined) await ownRedis.quit().catch(() => ownRedis.disconnect());
      },
    };
  } catch (error) {
    if (deps.store === undefined) await store.close().catch(() => undefined);
    if (ownRedis !== undefined) ownRedis.disconnect();
    throw error;
  }
}

/**
 * Starts the API service: stores on Redis, the SIP agent, the connection service (timers rebuilt
 * from Redis), notifications, and the HTTP app on `config.httpHost:httpPort`. Several processes
 * may share one Redis: they serve requests alike, the holder of the timer lease fires the
 * connections' timers, webhook deliveries are claimed one process at a time, and the admission
 * leader's preemption notices are read by one consumer group (`api`) — each notice by one process.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createLogger, pingRedis, type Logger } from '@svpn/service-kit';
import { KeySpace, PreemptionNoticeConsumer, RedisLeaderLease, RedisLocationStore } from '@svpn/store';
import { parseTopology, type ReservationLedger, type Topology } from '@svpn/te';
import { createHttpPolicyClient } from '@svpn/policy-service';
import { DEMO_TOPOLOGY_FILE } from '@svpn/sip-gateway-service';
import type { Config } from './config.js';
import { buildApp } from './app.js';
import { ConnectionService } from './connections/connection-service.js';
import { RedisConnectionStore, timerLeaseKey } from './connections/connection-store.js';
import { ApplicationAgent } from './sip/application-agent.js';
import { HttpAdmissionPort } from './admission/admission-client.js';
import { ApiKeys, RedisApiKeyStore } from './auth/api-keys.js';
import { RedisAuditLog } from './audit/audit-log.js';
import { EventBus, SessionTail } from './notify/event-bus.js';
import { RedisWebhookStore, WebhookDispatcher } from './notify/webhooks.js';
import { LedgerTopology } from './operator/ledger-topology.js';
import { BullQueueAdmin } from './operator/queue-admin.js';
import type { AdmissionPort, LocationPort, PolicyPort } from './ports.js';

/** Where `services/dashboard` puts its build. */
export const DASHBOARD_DIST = new URL('../../dashboard/dist', import.meta.url).pathname;

export interface ApiServiceDeps {
  redis: Redis;
  log?: Logger;
  /** The policy client (in-process for `svpn up`); default: HTTP to `config.policyUrl`. */
  policy?: PolicyPort;
  /** The admission leader; default: HTTP to `config.gatewayUrl`/v1/admissions. */
  admission?: AdmissionPort;
  topology?: Topology;
  /** The admission leader's ledger, for link utilisation (in-process only). */
  ledger?: () => ReservationLedger | undefined;
  /** Listen on `config.httpHost:httpPort`. @defaultValue true */
  listen?: boolean;
}

export interface ApiService {
  app: FastifyInstance;
  connections: ConnectionService;
  /** The timer lease: held by one API process at a time, which fires the connections' timers. */
  timerLease: RedisLeaderLease;
  keys: ApiKeys;
  agent: ApplicationAgent;
  url: string | undefined;
  /** The operator key created at start (`config.operatorKeyFile`). */
  operatorKey: string | undefined;
  stop(): Promise<void>;
}

export async function startApiService(config: Config, deps: ApiServiceDeps): Promise<ApiService> {
  const log = deps.log ?? createLogger('api');
  const redis = deps.redis;
  const topology =
    deps.topology ?? parseTopology(readFileSync(config.topologyFile ?? DEMO_TOPOLOGY_FILE, 'utf8'));
  const policy = deps.policy ?? createHttpPolicyClient(config.policyUrl);
  const admission = deps.admission ?? new HttpAdmissionPort(config.gatewayUrl);
  const locations = new RedisLocationStore(redis, new KeySpace(config.keyPrefix));
  const location: LocationPort = {
    async ceOf(application, vpnId) {
      const bindings = await locations.lookup(`sip:${application}@${config.domain}`, Date.now());
      const b = bindings.find((x) => x.vpnIds.includes(vpnId));
      return b === undefined ? undefined : { ce: b.ce };
    },
  };
  const agent = await ApplicationAgent.listen({
    gateway: config.gatewaySip,
    domain: config.domain,
    policy,
    log: log.child({ component: 'api.sip' }),
    address: config.sipAddress,
  });
  const store = new RedisConnectionStore(redis, config.keyPrefix);
  const bus = new EventBus();
  const webhookStore = new RedisWebhookStore(redis, config.keyPrefix);
  const dispatcher = new WebhookDispatcher({
    store: webhookStore,
    log: log.child({ component: 'api.webhooks' }),
    maxAttempts: config.webhookMaxAttempts,
    backoffMs: config.webhookBackoffMs,
    pollMs: config.timerPollMs,
  });
  const leaseLog = log.child({ component: 'api.timer-lease' });
  const timerLease = new RedisLeaderLease(redis, {
    key: timerLeaseKey(config.keyPrefix),
    holder: config.instanceId === '' ? `${hostname()}:${process.pid}` : config.instanceId,
    ttlMs: config.leaderLeaseMs,
    delegate: {
      onAcquired: (token) => {
        leaseLog.info({ token }, 'timer lease acquired: firing connection timers');
        // A new holder rebuilds the timers from the store at once, not at the next poll.
        void connections
          .sweepTimers()
          .catch((error: unknown) => leaseLog.warn({ err: error }, 'timer rebuild failed'));
      },
      onLost: (reason) => {
        leaseLog.info({ reason }, 'timer lease lost: timers left to the holder');
        connections.dropTimers();
      },
      onError: (error) => leaseLog.warn({ err: error }, 'timer lease renewal failed'),
    },
  });
  const connections: ConnectionService = new ConnectionService({
    store,
    policy,
    admission,
    location,
    sip: agent,
    log: log.child({ component: 'api.connections' }),
    holdTimeoutMs: config.holdTimeoutS * 1000,
    timerLease,
    timerPollMs: config.timerPollMs,
    onEvent: (event) => {
      bus.emit('connection', event);
      void dispatcher
        .dispatch(event)
        .catch((error: unknown) => log.warn({ err: error }, 'webhook dispatch failed'));
    },
  });
  await timerLease.start();
  await connections.start();
  dispatcher.start();
  // Preemptions of the connections' reservations (a booking preempted before its start has no call
  // to be ended): one group for every API process, so a notice a dying process took is claimed by
  // another. Records stored before the session index existed are indexed first.
  await store.reindexSessions();
  const instance = config.instanceId === '' ? `${hostname()}:${process.pid}` : config.instanceId;
  const noticeLog = log.child({ component: 'api.preemption' });
  const notices = new PreemptionNoticeConsumer({
    redis,
    keys: new KeySpace(config.keyPrefix),
    group: 'api',
    consumer: instance,
    blockMs: config.timerPollMs,
    claimIdleMs: 30_000,
    handler: (notice) => connections.handlePreemptionNotice(notice),
    delegate: {
      onHandlerError: (error, notice) =>
        noticeLog.error(
          { err: error, sessionId: notice.sessionId },
          'preemption notice not handled; retried later',
        ),
      onDeadLetter: (entryId, reason) =>
        noticeLog.error({ entryId, reason }, 'preemption notice dead-lettered'),
      onPollError: (error) => noticeLog.warn({ err: error }, 'preemption notices not readable'),
    },
  });
  await notices.ensureGroup();
  notices.start();
  let draining = false;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'svpn_api_timer_lease_held',
    help: 'Whether this API process holds the timer lease and fires the connection timers (1) or not (0)',
    registers: [registry],
    collect() {
      this.set(timerLease.held ? 1 : 0);
    },
  });
  new Gauge({
    name: 'svpn_api_webhook_deliveries_pending',
    help: 'Webhook deliveries waiting for their next attempt (all API processes)',
    registers: [registry],
    async collect() {
      this.set(await webhookStore.pendingCount());
    },
  });
  const keys = new ApiKeys(new RedisApiKeyStore(redis, config.keyPrefix));
  const queues = new BullQueueAdmin(
    redis,
    config.keyPrefix,
    topology.nodeList.filter((n) => n.kind === 'PE').map((n) => n.id),
  );
  const tail = new SessionTail(
    redis.duplicate(),
    config.keyPrefix,
    bus,
    log.child({ component: 'api.sessions' }),
  );
  const app = await buildApp({
    connections,
    store,
    keys,
    audit: new RedisAuditLog(redis, config.keyPrefix),
    bus,
    webhooks: { dispatcher, store: webhookStore },
    topology: new LedgerTopology(topology, deps.ledger ?? (() => undefined)),
    queues,
    upstream: { policy: config.policyUrl, gateway: config.gatewayUrl, charging: config.chargingUrl },
    rateLimitPerMinute: config.rateLimitPerMinute,
    rateLimitRedis: { redis, nameSpace: `${config.keyPrefix}:{api}:rate:` },
    dashboardDir: config.dashboardDir ?? DASHBOARD_DIST,
    logger: log,
    health: {
      registry,
      checks: { redis: () => pingRedis(redis) },
      draining: () => draining,
    },
  });
  let operatorKey: string | undefined;
  if (config.operatorKeyFile !== '') {
    operatorKey = (await keys.issue({ name: 'svpn up operator', scopes: ['operator'] })).key;
    const file = resolve(config.operatorKeyFile);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, operatorKey + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  let url: string | undefined;
  let stopping: Promise<void> | undefined;
  if (deps.listen ?? true) {
    await app.listen({ host: config.httpHost, port: config.httpPort });
    const address = app.server.address();
    if (address !== null && typeof address === 'object') url = `http://${config.httpHost}:${address.port}`;
    log.info({ url }, 'api service listening');
  } else {
    await app.ready();
  }
  return {
    app,
    connections,
    timerLease,
    keys,
    agent,
    url,
    operatorKey,
    stop() {
      // Once, however often it is asked (a signal handler and a test harness may both ask).
      stopping ??= (async () => {
        draining = true;
        // The notice in hand finishes first; what is unread stays in the group for the others.
        await notices.stop();
        connections.close();
        // Released at once, so a standby fires the timers without waiting for the lease to lapse.
        await timerLease.stop();
        await dispatcher.close();
        await app.close();
        await tail.stop();
        await queues.close();
        await agent.close();
      })();
      return stopping;
    },
  };
}

/**
 * Assembles one gateway process: the SIP agent (UDP/TCP), digest authentication against the
 * policy's H(A1), the registrar, the admission engine (leader of the ledger), the call controller
 * and the operational HTTP app (/healthz, /readyz, /metrics, /v1/sessions). The leader publishes
 * every preemption's victims as notices; every gateway follows them and ends or shrinks the victims
 * it holds.
 */
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { SipAgent } from '@svpn/sip';
import { parseTopology, type Topology, type FlowSpec } from '@svpn/te';
import {
  KeySpace,
  RedisFlowJournal,
  RedisLocationStore,
  RedisSessionStore,
  PreemptionNoticeTail,
  publishPreemptionNotices,
  publishSessionEvent,
  type LocationStore,
  type SessionStore,
} from '@svpn/store';
import {
  type Logger,
  createLogger,
  installProblemHandler,
  pingRedis,
  registerHealthRoutes,
} from '@svpn/service-kit';
import { AdmissionEngine } from './admission/admission-engine.js';
import { admissionRoutes } from './admission/admission-routes.js';
import { HttpAdmissionClient } from './admission/http-admission-client.js';
import { gatewayAuth, parseDigestAlgorithms } from './auth/gateway-auth.js';
import { CallController } from './calls/call-controller.js';
import { recoverOrphanSessions } from './calls/orphan-recovery.js';
import { Registrar } from './registrar/registrar.js';
import { type Config, DEMO_TOPOLOGY_FILE, parsePeers, peerHost, peerPort } from './config.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { registerLedgerMetrics } from './ledger-metrics.js';
import { meterAdmission, meterPolicy, meterProvisioning } from './metered-ports.js';
import type { AdmissionPort, EventsPort, MeterPort, PolicyPort, ProvisioningPort } from './ports.js';

export interface GatewayDeps {
  redis: Redis;
  policy: PolicyPort;
  provisioning: ProvisioningPort;
  topology?: Topology;
  log?: Logger;
  /** PE traffic counters, read at the end of a session for the charge record's bytes. */
  meter?: MeterPort;
  /** Overrides for tests. */
  location?: LocationStore;
  sessions?: SessionStore;
  events?: EventsPort;
  now?: () => number;
}

export interface Gateway {
  agent: SipAgent;
  controller: CallController;
  /** The ledger, on the admission leader; `undefined` on a gateway admitting through `admissionUrl`. */
  admission: AdmissionEngine | undefined;
  /** What the controller admits through: the engine, or the leader's HTTP API. */
  admissionPort: AdmissionPort;
  registrar: Registrar;
  app: FastifyInstance;
  metrics: GatewayMetrics;
  sipAddress: { address: string; port: number };
  httpAddress: { address: string; port: number };
  stop(): Promise<void>;
}

export async function startGateway(config: Config, deps: GatewayDeps): Promise<Gateway> {
  const log = deps.log ?? createLogger('sip-gateway');
  const keys = new KeySpace(config.keyPrefix);
  const metrics = createGatewayMetrics();
  const topology =
    deps.topology ?? parseTopology(readFileSync(config.topologyFile ?? DEMO_TOPOLOGY_FILE, 'utf8'));
  const location = deps.location ?? new RedisLocationStore(deps.redis, keys);
  const sessions = deps.sessions ?? new RedisSessionStore(deps.redis, keys);
  const events: EventsPort = deps.events ?? {
    publish: (event) => publishSessionEvent(deps.redis, keys, event).then(() => undefined),
  };

  // DESIGN §5 — one admission writer: take the leader lease, replay the journal, renew the lease.
  const journal = new RedisFlowJournal<FlowSpec>(deps.redis, keys);
  // A gateway configured with the leader's URL never takes the lease: it admits over HTTP.
  const leader = config.admissionUrl === '';
  // A standby waits for the lease to lapse (a crashed leader's lease expires; a stopped one releases it).
  const leaseDeadline = Date.now() + config.leaderLeaseMs * 1.5;
  while (leader && !(await journal.acquireLeadership(config.gatewayId, config.leaderLeaseMs))) {
    if (Date.now() > leaseDeadline) {
      throw new Error(`another gateway holds the admission lease (waited ${config.leaderLeaseMs * 1.5} ms)`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const leaseTimer = setInterval(
    () => {
      if (!leader) return;
      journal.acquireLeadership(config.gatewayId, config.leaderLeaseMs).then(
        (ok) => {
          if (!ok) log.error({}, 'lost the admission leader lease');
        },
        (error: unknown) => log.error({ err: error }, 'admission lease renewal failed'),
      );
    },
    Math.floor(config.leaderLeaseMs / 3),
  );
  leaseTimer.unref();
  const admission = leader
    ? await AdmissionEngine.open({
        topology,
        journal,
        bulkBps: config.bulkBps,
        hysteresisBps: config.hysteresisBps,
        retryAfterS: config.retryAfterS,
        // On the journal's connection, so a change's notices are in Redis whenever the change is.
        notices: { publish: (n) => publishPreemptionNotices(deps.redis, keys, n).then(() => undefined) },
      })
    : undefined;
  const leaderClient =
    admission === undefined ? new HttpAdmissionClient({ baseUrl: config.admissionUrl }) : undefined;
  const admissionPort: AdmissionPort = admission ?? (leaderClient as HttpAdmissionClient);
  // Reserved bandwidth per link and tunnel: only the ledger's holder knows it (DESIGN §5).
  if (admission !== undefined) {
    registerLedgerMetrics(metrics.registry, {
      topology,
      ledger: admission.ledger,
      aggregates: () => admission.manager.aggregates(),
      ...(deps.now === undefined ? {} : { now: deps.now }),
    });
  }
  // Refusals by stage and reason, counted where they are decided (the ports the controller uses).
  const policy = meterPolicy(deps.policy, metrics.refusals);
  const provisioning = meterProvisioning(deps.provisioning, metrics.refusals);
  const peers = parsePeers(config.peers);

  const now = deps.now ?? Date.now;
  await recoverOrphanSessions({
    gatewayId: config.gatewayId,
    domain: config.domain,
    sessions,
    admission: admissionPort,
    provisioning: deps.provisioning,
    policy: deps.policy,
    events,
    log,
    now,
  });

  const agent = await SipAgent.listen({
    listen: {
      udp: [{ address: config.sipAddress, port: config.sipPort }],
      ...(config.sipTcp ? { tcp: [{ address: config.sipAddress, port: config.sipPort }] } : {}),
    },
    T1: config.t1Ms,
    userAgent: 'svpn-gateway',
    contactUser: 'svpn',
    logger: log,
    validation: {
      acceptedContentTypes: ['application/sdp', 'application/svpn-qos+json', 'multipart/mixed'],
      // RFC 3312 §11 and RFC 4412 §4 — the option tags a UA may Require of us.
      supportedExtensions: ['precondition', 'resource-priority'],
    },
  });
  const udp = agent.stack.addresses().find((a) => a.protocol === 'udp');
  const sipAddress = { address: udp?.address ?? config.sipAddress, port: udp?.port ?? config.sipPort };

  const controller = new CallController({
    agent,
    policy,
    admission: meterAdmission(admissionPort, metrics.refusals),
    provisioning,
    events,
    location,
    sessions,
    log: log.child({ component: 'sip.gateway' }),
    metrics,
    domain: config.domain,
    mediaAddress: config.mediaAddress ?? sipAddress.address,
    gatewayId: config.gatewayId,
    retryAfterS: config.retryAfterS,
    ...(config.maxDurationS > 0 ? { maxDurationS: config.maxDurationS } : {}),
    peers,
    ...(deps.meter === undefined ? {} : { meter: deps.meter }),
    holding: (sessionId) =>
      admission === undefined
        ? (leaderClient as HttpAdmissionClient).holding(sessionId)
        : Promise.resolve(admission.holding(sessionId)),
    now,
  });
  // Preemptions the leader decided for anyone's admission (another gateway's, the API's) reach the
  // sessions held here. Followed from now on: a restart ended the previous life's sessions already.
  const noticeLog = log.child({ component: 'sip.preemption' });
  const notices = new PreemptionNoticeTail({
    redis: deps.redis,
    keys,
    handler: (notice) => controller.handlePreemptionNotice(notice),
    delegate: {
      onInvalid: (entryId, error) => noticeLog.error({ err: error, entryId }, 'invalid preemption notice'),
      onHandlerError: (error, notice, entryId, attempt, final) =>
        noticeLog.error(
          { err: error, entryId, sessionId: notice.sessionId, attempt, final },
          'preemption notice not applied',
        ),
      onPollError: (error) => noticeLog.warn({ err: error }, 'preemption notices not readable'),
    },
  });
  await notices.start();
  const registrar = new Registrar({
    domain: config.domain,
    policy: deps.policy,
    location,
    provisioning: deps.provisioning,
    log: log.child({ component: 'sip.registrar' }),
    metrics,
    now,
    // VPN mobility: the application's live sessions follow its new CE.
    onMoved: (application, from, to) => controller.rehome(application, from, to),
  });

  // RFC 3261 §22 — every REGISTER and initial INVITE is digest-authenticated (RFC 8760 algorithms in
  // the configured order); INVITEs from a configured peer gateway's host are trusted (seed 001 Fig. 2).
  const realm = config.realm ?? config.domain;
  const auth = gatewayAuth({
    realm,
    algorithms: parseDigestAlgorithms(config.digestAlgorithms),
    lookup: (username, lookupRealm, algorithm) =>
      deps.policy.credentials(username, lookupRealm, algorithm === 'MD5' ? 'MD5' : 'SHA-256'),
    peers: Object.entries(peers).map(([domain, uri]) => {
      const port = peerPort(uri);
      return { domain, address: peerHost(uri), ...(port === undefined ? {} : { port }) };
    }),
  });
  agent.use('register', auth);
  agent.use('invite', auth);
  agent.register((req, res) => registrar.handleRegister(req, res));
  // INVITE transactions in progress, so a drain lets them finish (their setup, 200 and ACK).
  const inFlight = new Set<Promise<void>>();
  agent.invite((req, res) => {
    const handled = controller.handleInvite(req, res);
    const done = (): void => void inFlight.delete(handled);
    inFlight.add(handled);
    handled.then(done, done);
    return handled;
  });

  let draining = false;
  const app = Fastify({ logger: false });
  installProblemHandler(app);
  registerHealthRoutes(app, {
    registry: metrics.registry,
    draining: () => draining,
    checks: { redis: () => pingRedis(deps.redis) },
  });
  app.get('/v1/sessions', async () => ({ sessions: await sessions.listActive() }));
  app.get('/v1/tunnels', async () => ({ tunnels: admission?.manager.aggregates() ?? [] }));
  if (admission !== undefined) await app.register(admissionRoutes, { admission });
  await app.listen({ host: config.httpAddress, port: config.httpPort });
  const bound = app.server.address();
  const httpAddress = {
    address: config.httpAddress,
    port: typeof bound === 'object' && bound !== null ? bound.port : config.httpPort,
  };
  metrics.watchSessions(() => controller.liveSessions);

  return {
    agent,
    controller,
    admission,
    admissionPort,
    registrar,
    app,
    metrics,
    sipAddress,
    httpAddress,
    async stop() {
      // SIGTERM drains: /readyz answers 503 and new INVITEs get 503 + Retry-After, while the INVITE
      // transactions in progress finish (bounded by drainTimeoutMs); then live sessions end cleanly.
      draining = true;
      controller.drain();
      if (inFlight.size > 0) {
        log.info(
          { inFlight: inFlight.size, timeoutMs: config.drainTimeoutMs },
          'draining INVITEs in progress',
        );
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, config.drainTimeoutMs);
        });
        await Promise.race([Promise.allSettled([...inFlight]), timeout]);
        clearTimeout(timer);
        if (inFlight.size > 0)
          log.warn({ inFlight: inFlight.size }, 'drain timeout: INVITEs still in progress');
      }
      await controller.endAll('admin');
      await notices.stop();
      clearInterval(leaseTimer);
      if (leader)
        await journal
          .releaseLeadership()
          .catch((error: unknown) => log.warn({ err: error }, 'lease release failed'));
      await app.close();
      await agent.close();
    },
  };
}

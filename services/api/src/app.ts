/**
 * The API service's fastify app (no port bound: tests use `app.inject`): the NSI-style connection
 * service over REST (and SOAP at /soap), notifications, API keys, the operator API, Swagger UI at
 * /docs and the dashboard at /. Every request but the docs, health and dashboard needs an API key;
 * every request is rate limited per key; every change is audited.
 */
import { existsSync } from 'node:fs';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import type { Logger } from 'pino';
import type { Redis } from 'ioredis';
import { loadOpenApiDocument, type ApiKey, type ConnectionEvent, type OperationId } from '@svpn/api-contract';
import {
  HttpProblem,
  installProblemHandler,
  registerHealthRoutes,
  sendProblem,
  type HealthOptions,
} from '@svpn/service-kit';
import { compileContract } from './contract/openapi-validator.js';
import { registerOperations, allowed, type OperationSpec } from './routes/contract-routes.js';
import { NsiError } from './nsi/nsi-error.js';
import type { Actor, ConnectionService, ConnectionFilter } from './connections/connection-service.js';
import type { ApiKeys } from './auth/api-keys.js';
import type { AuditLog } from './audit/audit-log.js';
import type { EventBus } from './notify/event-bus.js';
import type { WebhookDispatcher, WebhookStore } from './notify/webhooks.js';
import type { ConnectionStore } from './connections/connection-store.js';
import type { TopologyPort } from './operator/ledger-topology.js';
import type { QueuePort } from './operator/queue-admin.js';
import { forward } from './operator/upstream.js';
import { soapRoutes } from './soap/soap-routes.js';

export interface ApiAppDeps {
  connections: ConnectionService;
  store: ConnectionStore;
  keys: ApiKeys;
  audit: AuditLog;
  bus: EventBus;
  webhooks: { dispatcher: WebhookDispatcher; store: WebhookStore };
  topology: TopologyPort;
  queues: QueuePort;
  upstream: { policy: string; gateway: string; charging: string };
  /** Requests per key per minute. @defaultValue 600 */
  rateLimitPerMinute?: number;
  /**
   * Count requests in Redis under this key prefix, so the limit holds across API replicas.
   * @defaultValue in this process only
   */
  rateLimitRedis?: { redis: Redis; nameSpace: string };
  /** The built dashboard; absent or missing: `/` answers 503 with a page saying how to build it. */
  dashboardDir?: string;
  logger?: Logger;
  /** SSE keep-alive interval, ms. @defaultValue 15 000 */
  keepAliveMs?: number;
  /** `/readyz` checks, the draining flag and the `/metrics` registry. @defaultValue no checks, process metrics */
  health?: HealthOptions;
}

/** Paths that need no key. */
function isPublic(request: FastifyRequest): boolean {
  const url = request.url;
  if (url === '/healthz' || url === '/readyz' || url === '/metrics' || url.startsWith('/docs')) return true;
  if (url.startsWith('/soap')) return request.method === 'GET'; // the WSDL
  return !url.startsWith('/v1/') && !url.startsWith('/soap');
}

/** The key a request presents: Authorization Bearer, X-Api-Key, or ?access_token= (SSE only). */
function presentedKey(request: FastifyRequest): string | undefined {
  const authz = request.headers.authorization;
  if (authz !== undefined && /^Bearer\s+/i.test(authz)) return authz.replace(/^Bearer\s+/i, '').trim();
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header.trim();
  if (request.url.startsWith('/v1/events')) {
    const token = (request.query as Record<string, unknown> | undefined)?.['access_token'];
    if (typeof token === 'string') return token;
  }
  return undefined;
}

export function actorOf(key: ApiKey): Actor {
  return { application: key.application ?? null, operator: key.scopes.includes('operator') };
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function buildApp(deps: ApiAppDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = deps.logger
    ? Fastify({
        loggerInstance: deps.logger.child({ component: 'api.http' }, { level: 'warn' }) as FastifyBaseLogger,
      })
    : Fastify({ logger: false });
  const doc = loadOpenApiDocument();
  const validators = compileContract(doc);
  // NsiError is an HttpProblem: the shared handler renders it (with nsiErrorId) as problem+json.
  installProblemHandler(app);

  // Authentication first (every later hook knows who asks), then the per-key rate limit.
  app.addHook('onRequest', async (request, reply) => {
    if (isPublic(request)) return;
    const presented = presentedKey(request);
    const key = presented === undefined ? undefined : await deps.keys.verify(presented);
    if (key === undefined) {
      void deps.audit
        .append({
          at: new Date().toISOString(),
          actor: 'anonymous',
          application: null,
          role: 'anonymous',
          method: request.method,
          path: request.url.split('?')[0] ?? request.url,
          operation: 'authenticate',
          target: null,
          status: 401,
        })
        .catch(() => undefined);
      if (request.url.startsWith('/soap')) return; // the SOAP binding answers with a fault
      return sendProblem(
        reply.header('www-authenticate', 'Bearer realm="svpn"'),
        new NsiError(
          'SECURITY_ERROR',
          presented === undefined ? 'an API key is required' : 'the API key is not valid',
        ).toProblem(request.url),
      );
    }
    request.auth = key;
    return undefined;
  });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: deps.rateLimitPerMinute ?? 600,
    timeWindow: 60_000,
    ...(deps.rateLimitRedis === undefined
      ? {}
      : { redis: deps.rateLimitRedis.redis, nameSpace: deps.rateLimitRedis.nameSpace }),
    keyGenerator: (request) => request.auth?.keyId ?? request.ip,
    allowList: (request) => isPublic(request),
    // Thrown by the plugin: an HttpProblem, so the one error handler renders it as problem+json
    // (a plain object there lost its title and broke the response contract).
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(
        429,
        'SVPN_RATE_LIMITED',
        'Too Many Requests',
        `more than ${context.max} requests in ${context.after}`,
      ),
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 429) reply.type('application/problem+json');
    return payload;
  });
  // RFC-free, but the brief's rule: who changed what, when — every mutating request, with its outcome.
  app.addHook('onResponse', async (request, reply) => {
    if (!MUTATING.has(request.method) || isPublic(request) || request.auth === undefined) return;
    const key = request.auth;
    const params = request.params as Record<string, string> | undefined;
    await deps.audit
      .append({
        at: new Date().toISOString(),
        actor: key.keyId,
        application: key.application ?? null,
        role: key.scopes.includes('operator') ? 'operator' : 'application',
        method: request.method,
        path: request.url.split('?')[0] ?? request.url,
        operation:
          request.operationId ??
          (request.url.startsWith('/soap') ? String(request.headers['soapaction'] ?? 'soap') : null),
        target:
          params?.['connectionId'] ??
          params?.['id'] ??
          params?.['keyId'] ??
          params?.['webhookId'] ??
          params?.['jobId'] ??
          null,
        status: reply.statusCode,
      })
      .catch((error: unknown) => request.log.error({ err: error }, 'audit append failed'));
  });

  await app.register(swagger, { mode: 'static', specification: { document: doc as never } });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  registerHealthRoutes(app, deps.health ?? {});

  const c = deps.connections;
  const actor = (request: FastifyRequest): Actor => actorOf(request.auth as ApiKey);
  const param = (request: FastifyRequest, name: string): string =>
    (request.params as Record<string, string>)[name] as string;
  const read: OperationSpec['scopes'] = ['connections:read'];
  const write: OperationSpec['scopes'] = ['connections:write'];
  const operator: OperationSpec['scopes'] = ['operator'];

  /** Forwards to an upstream service, keeping its status and body (problems included). */
  const proxy =
    (base: keyof ApiAppDeps['upstream'], path: (request: FastifyRequest) => string) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const r = await forward(deps.upstream[base], request.method, path(request) + query, request.body);
      reply.status(r.status).type(r.contentType);
      return r.status === 204 ? reply.send() : r.body;
    };
  const entity = (collection: string): Record<string, OperationSpec> => {
    const list = proxy('policy', () => `/v1/${collection}`);
    const item = proxy('policy', (r) => `/v1/${collection}/${encodeURIComponent(param(r, 'id'))}`);
    return { list: { scopes: operator, handler: list }, item: { scopes: operator, handler: item } };
  };
  const customers = entity('customers');
  const applications = entity('applications');
  const vpns = entity('vpns');
  const slas = entity('slas');
  const ops: Partial<Record<OperationId, OperationSpec>> = {
    reserve: {
      scopes: write,
      handler: async (request, reply) =>
        reply.status(201).send(await c.reserve(request.body as never, actor(request))),
    },
    querySummary: {
      scopes: read,
      handler: async (request) => ({
        connections: await c.list(request.query as ConnectionFilter, actor(request)),
      }),
    },
    queryConnection: {
      scopes: read,
      handler: async (request) => c.get(param(request, 'connectionId'), actor(request)),
    },
    reserveCommit: { scopes: write, handler: async (r) => c.commit(param(r, 'connectionId'), actor(r)) },
    reserveAbort: { scopes: write, handler: async (r) => c.abort(param(r, 'connectionId'), actor(r)) },
    provision: { scopes: write, handler: async (r) => c.provision(param(r, 'connectionId'), actor(r)) },
    release: { scopes: write, handler: async (r) => c.release(param(r, 'connectionId'), actor(r)) },
    terminate: { scopes: write, handler: async (r) => c.terminate(param(r, 'connectionId'), actor(r)) },
    modify: {
      scopes: write,
      handler: async (r) => c.modify(param(r, 'connectionId'), r.body as never, actor(r)),
    },
    connectionHistory: {
      scopes: read,
      handler: async (r) => ({ events: await c.history(param(r, 'connectionId'), actor(r)) }),
    },
    eventStream: { scopes: read, handler: (request, reply) => eventStream(deps, request, reply) },
    createWebhook: {
      scopes: read,
      handler: async (request, reply) => {
        const key = request.auth as ApiKey;
        const body = request.body as { url: string; events?: string[] };
        const hook = await deps.webhooks.dispatcher.subscribe({
          url: body.url,
          ...(body.events === undefined ? {} : { events: body.events }),
          owner: key.keyId,
          application: actorOf(key).operator ? null : (key.application ?? null),
        });
        const { application: _a, ...out } = hook;
        return reply.status(201).send(out);
      },
    },
    listWebhooks: {
      scopes: read,
      handler: async (request) => {
        const key = request.auth as ApiKey;
        const hooks = (await deps.webhooks.store.list()).filter(
          (h) => actorOf(key).operator || h.owner === key.keyId,
        );
        return { webhooks: hooks.map(({ secret: _s, application: _a, ...h }) => h) };
      },
    },
    deleteWebhook: {
      scopes: read,
      handler: async (request, reply) => {
        const hook = await ownedWebhook(deps, request, param(request, 'webhookId'));
        await deps.webhooks.store.remove(hook.id);
        return reply.status(204).send();
      },
    },
    listDeliveries: {
      scopes: read,
      handler: async (request) => {
        const hook = await ownedWebhook(deps, request, param(request, 'webhookId'));
        return { deliveries: await deps.webhooks.store.deliveries(hook.id, 200) };
      },
    },
    whoAmI: { scopes: [], handler: async (request) => request.auth },
    createKey: {
      scopes: operator,
      handler: async (request, reply) => {
        const body = request.body as { name: string; application?: string; scopes: ApiKey['scopes'] };
        if (!body.scopes.includes('operator') && body.application === undefined) {
          throw new NsiError('MISSING_PARAMETER', 'an application key names its application');
        }
        const issued = await deps.keys.issue({
          name: body.name,
          scopes: body.scopes,
          application: body.application ?? null,
        });
        return reply.status(201).send({ ...issued.record, key: issued.key });
      },
    },
    listKeys: { scopes: operator, handler: async () => ({ keys: await deps.keys.list() }) },
    revokeKey: {
      scopes: operator,
      handler: async (request, reply) => {
        if (!(await deps.keys.revoke(param(request, 'keyId')))) {
          throw new NsiError('CONNECTION_NONEXISTENT', `no key ${param(request, 'keyId')}`);
        }
        return reply.status(204).send();
      },
    },
    listCustomers: customers['list'],
    createCustomer: customers['list'],
    getCustomer: customers['item'],
    replaceCustomer: customers['item'],
    patchCustomer: customers['item'],
    deleteCustomer: customers['item'],
    listApplications: applications['list'],
    createApplication: applications['list'],
    getApplication: applications['item'],
    replaceApplication: applications['item'],
    patchApplication: applications['item'],
    deleteApplication: applications['item'],
    listVpns: vpns['list'],
    createVpn: vpns['list'],
    getVpn: vpns['item'],
    replaceVpn: vpns['item'],
    patchVpn: vpns['item'],
    deleteVpn: vpns['item'],
    listSlas: slas['list'],
    createSla: slas['list'],
    getSla: slas['item'],
    replaceSla: slas['item'],
    patchSla: slas['item'],
    deleteSla: slas['item'],
    getTopology: { scopes: operator, handler: async () => deps.topology.snapshot() },
    listSessions: { scopes: operator, handler: proxy('gateway', () => '/v1/sessions') },
    listTunnels: { scopes: operator, handler: proxy('gateway', () => '/v1/tunnels') },
    listQueues: { scopes: operator, handler: async () => ({ queues: await deps.queues.counts() }) },
    listFailedJobs: {
      scopes: operator,
      handler: async (request) => ({
        jobs: await deps.queues.failed(
          param(request, 'pe'),
          Number((request.query as { limit?: number }).limit ?? 50),
        ),
      }),
    },
    retryJob: {
      scopes: operator,
      handler: async (r) => deps.queues.retry(param(r, 'pe'), param(r, 'jobId')),
    },
    listCharges: {
      scopes: operator,
      handler: async (request, reply) => {
        const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
        const r = await forward(deps.upstream.charging, 'GET', '/v1/charges' + query);
        if (r.status !== 200) return reply.status(r.status).type(r.contentType).send(r.body);
        const page = r.body as { items?: unknown[]; nextCursor?: string | null };
        return { charges: page.items ?? [], nextCursor: page.nextCursor ?? null };
      },
    },
    exportCharges: { scopes: operator, handler: proxy('charging', () => '/v1/charges.csv') },
    listCustomerCharges: {
      scopes: operator,
      handler: async (request, reply) => {
        const id = param(request, 'id');
        const r = await forward(
          deps.upstream.charging,
          'GET',
          `/v1/charges?customer=${encodeURIComponent(id)}&limit=1000`,
        );
        if (r.status !== 200) return reply.status(r.status).type(r.contentType).send(r.body);
        // The charging service pages its records as `{ items, nextCursor }`.
        const charges = ((r.body as { items?: Record<string, unknown>[] }).items ?? []) as Record<
          string,
          unknown
        >[];
        const totalMinor = charges.reduce(
          (sum, ch) => sum + (typeof ch['cost'] === 'number' ? ch['cost'] : 0),
          0,
        );
        const currency = charges.find((ch) => typeof ch['currency'] === 'string')?.['currency'];
        return {
          customerId: id,
          charges,
          totalMinor,
          currency: typeof currency === 'string' ? currency : null,
        };
      },
    },
    listAudit: {
      scopes: operator,
      handler: async (request) => {
        const q = request.query as { actor?: string; since?: string; limit?: number };
        return {
          records: await deps.audit.query({
            ...(q.actor === undefined ? {} : { actor: q.actor }),
            ...(q.since === undefined ? {} : { since: Date.parse(q.since) }),
            limit: q.limit ?? 100,
          }),
        };
      },
    },
  };
  registerOperations(app, validators, ops);
  await app.register(soapRoutes, { connections: c, keys: deps.keys, allowed });

  // The dashboard (services/dashboard/dist), or a page saying it is not built.
  if (deps.dashboardDir !== undefined && existsSync(deps.dashboardDir)) {
    await app.register(fastifyStatic, { root: deps.dashboardDir, prefix: '/', wildcard: true });
  } else {
    app.get('/', async (_request, reply) =>
      reply
        .status(503)
        .type('text/html; charset=utf-8')
        .send(
          '<!doctype html><title>svpn dashboard not built</title><h1>The svpn dashboard is not built</h1>' +
            '<p>Build it with <code>npm run build -w @svpn/dashboard</code> and restart. The API is up: ' +
            'see <a href="/docs">/docs</a>.</p>',
        ),
    );
  }
  return app;
}

async function ownedWebhook(deps: ApiAppDeps, request: FastifyRequest, id: string) {
  const key = request.auth as ApiKey;
  const hook = await deps.webhooks.store.get(id);
  if (hook === undefined || (!actorOf(key).operator && hook.owner !== key.keyId)) {
    throw new NsiError('CONNECTION_NONEXISTENT', `no webhook ${id}`);
  }
  return hook;
}

/**
 * `GET /v1/events`: Server-Sent Events (HTML Living Standard §9.2). `connection` events for the
 * key's connections (all for an operator), `session` events for operators, a comment every
 * `keepAliveMs`; `Last-Event-ID` replays the connection events missed since.
 */
async function eventStream(deps: ApiAppDeps, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const key = request.auth as ApiKey;
  const who = actorOf(key);
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 2000\n\n');
  const sendConnection = (event: ConnectionEvent): void => {
    if (!who.operator && event.application !== who.application) return;
    raw.write(`id: ${event.id}\nevent: connection\ndata: ${JSON.stringify(event)}\n\n`);
  };
  const last = request.headers['last-event-id'];
  if (typeof last === 'string' && last !== '') {
    for (const event of await deps.store.eventsSince(last, 1000)) sendConnection(event);
  }
  const sendSession = (notice: { streamId: string; event: unknown }): void => {
    if (!who.operator) return;
    raw.write(`event: session\ndata: ${JSON.stringify(notice.event)}\n\n`);
  };
  deps.bus.on('connection', sendConnection);
  deps.bus.on('session', sendSession);
  const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), deps.keepAliveMs ?? 15_000);
  keepAlive.unref();
  const done = (): void => {
    clearInterval(keepAlive);
    deps.bus.off('connection', sendConnection);
    deps.bus.off('session', sendSession);
  };
  request.raw.once('close', done);
  raw.once('close', done);
}

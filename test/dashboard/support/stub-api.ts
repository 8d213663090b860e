/**
 * A stand-in for the api service, for browser tests of the dashboard's pages without a whole svpn:
 * it serves the built dashboard, answers the operator routes the dashboard reads from state the
 * test sets, streams Server-Sent Events the test pushes, and checks every JSON answer it gives
 * against the response schema of packages/api-contract/openapi.yaml (so the stub cannot drift from
 * the contract the real service implements). Loopback only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import yaml from 'js-yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseSla } from '@svpn/policy';
import { parseTopology } from '@svpn/te';

const CONTRACT = new URL('../../../packages/api-contract/openapi.yaml', import.meta.url);
const DEMO = new URL('../../../deploy/demo/', import.meta.url);

export interface LinkUse {
  id: string;
  from: string;
  to: string;
  capacityBps: number;
  reservedBps: number;
  utilisation: number;
  reservedByPriorityBps: number[];
}

export interface StubState {
  sessions: Record<string, unknown>[];
  tunnels: Record<string, unknown>[];
  /** Reserved bit/s per directional link and holding priority. */
  reservations: Map<string, number[]>;
  queues: {
    pe: string;
    queue: string;
    waiting: number;
    active: number;
    delayed: number;
    failed: number;
    completed: number;
  }[];
  failedJobs: Record<
    string,
    {
      id: string;
      name: string;
      state: string;
      attemptsMade: number;
      failedReason: string | null;
      timestamp: number | null;
      finishedOn: number | null;
    }[]
  >;
  charges: Record<string, unknown>[];
  connections: Record<string, unknown>[];
  slas: Record<string, unknown>[];
  customers: Record<string, unknown>[];
  /** Answer /v1/events with 404 (as an API without a stream would). */
  noEventStream: boolean;
}

export interface StubApi {
  url: string;
  state: StubState;
  readonly operatorKey: string;
  readonly applicationKey: string;
  /** Every request the stub saw: method, path with query, and the body of writes. */
  requests: { method: string; path: string; body?: unknown }[];
  /** Writes one SSE event to every open stream. */
  pushEvent(type: string, data: unknown): void;
  /** How many event streams are open. */
  streams(): number;
  /** Problems found checking answers against the contract (tests assert it stays empty). */
  contractViolations: string[];
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** The demo topology's directional links, each with nothing reserved. */
async function demoLinks(): Promise<{
  nodes: { id: string; kind: string; routerId: string }[];
  links: Omit<LinkUse, 'reservedBps' | 'utilisation' | 'reservedByPriorityBps'>[];
}> {
  const topology = parseTopology(await readFile(new URL('topology.yaml', DEMO), 'utf8'));
  return {
    nodes: topology.nodeList.map((n) => ({ id: n.id, kind: n.kind, routerId: n.routerId })),
    links: topology.linkList.map((l) => ({
      id: l.id,
      from: l.from,
      to: l.to,
      capacityBps: l.maxReservableBps,
    })),
  };
}

export async function startStubApi(options: { distDir: string }): Promise<StubApi> {
  const contract = yaml.load(await readFile(CONTRACT, 'utf8')) as Record<string, unknown>;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ ...contract, $id: 'openapi.json' });
  const policy = JSON.parse(await readFile(new URL('policy-data.json', DEMO), 'utf8')) as {
    slas: Record<string, unknown>[];
    customers: Record<string, unknown>[];
  };
  const network = await demoLinks();
  const operatorKey = 'svpn_op1_operator-secret';
  const applicationKey = 'svpn_app1_application-secret';
  const state: StubState = {
    sessions: [],
    tunnels: [],
    reservations: new Map(),
    queues: ['PE1', 'PE2', 'PE3', 'PE4', 'PE5', 'PE6'].map((pe) => ({
      pe,
      queue: `svpn:pe:${pe}`,
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 0,
      completed: 0,
    })),
    failedJobs: {},
    charges: [],
    connections: [],
    slas: structuredClone(policy.slas),
    customers: structuredClone(policy.customers),
    noEventStream: false,
  };
  const requests: StubApi['requests'] = [];
  const contractViolations: string[] = [];
  const streams = new Set<ServerResponse>();

  const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
  /** The JSON pointer of a response body's schema, following a `$ref` to a shared response. */
  const pointer = (path: string, method: string, status: number, type: string): string => {
    const paths = contract['paths'] as Record<
      string,
      Record<string, { responses: Record<string, { $ref?: string }> }>
    >;
    const response = paths[path]?.[method]?.responses[String(status)];
    if (!response)
      throw new Error(`the contract has no ${status} answer for ${method.toUpperCase()} ${path}`);
    const base = response.$ref ?? `#/paths/${escape(path)}/${method}/responses/${status}`;
    return `openapi.json${base}/content/${escape(type)}/schema`;
  };

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    check?: { path: string; method: string },
  ): void => {
    if (check) {
      const validate =
        ajv.getSchema(pointer(check.path, check.method, status, 'application/json')) ??
        ajv.compile({ $ref: pointer(check.path, check.method, status, 'application/json') });
      if (!validate(body))
        contractViolations.push(
          `${check.method.toUpperCase()} ${check.path} ${status}: ${ajv.errorsText(validate.errors)}`,
        );
    }
    res.writeHead(status, {
      'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
    });
    res.end(JSON.stringify(body));
  };
  const problem = (
    res: ServerResponse,
    status: number,
    title: string,
    detail: string,
    extra: Record<string, unknown> = {},
  ): void => send(res, status, { type: 'about:blank', title, status, detail, ...extra });

  const topology = (): unknown => ({
    nodes: network.nodes,
    links: network.links.map((l) => {
      const byPriority = state.reservations.get(l.id) ?? [0, 0, 0, 0, 0, 0, 0, 0];
      const reservedBps = byPriority.reduce((a, b) => a + b, 0);
      return {
        ...l,
        reservedBps,
        utilisation: reservedBps / l.capacityBps,
        reservedByPriorityBps: byPriority,
      };
    }),
    at: new Date().toISOString(),
  });

  async function body(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text === '' ? undefined : JSON.parse(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stub');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (!path.startsWith('/v1/')) {
      const file = path === '/' ? 'index.html' : path.slice(1);
      if (!/^[a-z.]+$/.test(file)) return problem(res, 404, 'Not Found', path);
      try {
        const content = await readFile(join(options.distDir, file));
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(content);
      } catch {
        problem(res, 404, 'Not Found', path);
      }
      return;
    }
    const written = method === 'PUT' || method === 'POST' ? await body(req) : undefined;
    requests.push({ method, path: path + url.search, ...(written === undefined ? {} : { body: written }) });
    const auth = req.headers.authorization ?? '';
    const key = auth.startsWith('Bearer ') ? auth.slice(7) : (url.searchParams.get('access_token') ?? '');
    if (key !== operatorKey && key !== applicationKey)
      return problem(res, 401, 'Unauthorized', 'a valid API key is required', {
        code: 'SVPN_API_UNAUTHORIZED',
      });
    if (path === '/v1/me')
      return send(
        res,
        200,
        key === operatorKey
          ? {
              keyId: 'op1',
              name: 'demo operator',
              application: null,
              customerId: null,
              scopes: ['operator'],
              createdAt: '2026-01-01T00:00:00Z',
            }
          : {
              keyId: 'app1',
              name: 'grid-a reader',
              application: 'grid-a',
              customerId: 'globex',
              scopes: ['connections:read'],
              createdAt: '2026-01-01T00:00:00Z',
            },
        { path, method: 'get' },
      );
    if (key !== operatorKey) return problem(res, 403, 'Forbidden', 'the operator scope is required');
    if (method === 'GET' && path === '/v1/events') {
      if (state.noEventStream) return problem(res, 404, 'Not Found', path);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write('retry: 500\n: hello\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    const get = (p: string, answer: () => unknown): boolean => {
      if (method !== 'GET' || path !== p) return false;
      send(res, 200, answer(), { path: p, method: 'get' });
      return true;
    };
    if (get('/v1/sessions', () => ({ sessions: state.sessions }))) return;
    if (get('/v1/tunnels', () => ({ tunnels: state.tunnels }))) return;
    if (get('/v1/topology', topology)) return;
    if (get('/v1/queues', () => ({ queues: state.queues }))) return;
    if (get('/v1/connections', () => ({ connections: state.connections }))) return;
    if (get('/v1/customers', () => state.customers)) return;
    if (get('/v1/slas', () => state.slas)) return;
    if (
      get('/v1/charges', () => {
        const customer = url.searchParams.get('customer');
        return {
          charges: state.charges.filter((c) => customer === null || c['customerId'] === customer),
          nextCursor: null,
        };
      })
    )
      return;
    let m = /^\/v1\/queues\/([^/]+)\/failed$/.exec(path);
    if (m && method === 'GET')
      return send(
        res,
        200,
        { jobs: state.failedJobs[m[1]!] ?? [] },
        { path: '/v1/queues/{pe}/failed', method: 'get' },
      );
    m = /^\/v1\/queues\/([^/]+)\/jobs\/([^/]+)\/retry$/.exec(path);
    if (m && method === 'POST') {
      const [pe, id] = [m[1]!, decodeURIComponent(m[2]!)];
      const jobs = state.failedJobs[pe] ?? [];
      const job = jobs.find((j) => j.id === id);
      if (!job) return problem(res, 404, 'Not Found', `job ${id}`);
      state.failedJobs[pe] = jobs.filter((j) => j !== job);
      const q = state.queues.find((x) => x.pe === pe)!;
      q.failed--;
      q.waiting++;
      return send(
        res,
        200,
        { ...job, state: 'waiting' },
        { path: '/v1/queues/{pe}/jobs/{jobId}/retry', method: 'post' },
      );
    }
    m = /^\/v1\/customers\/([^/]+)\/charges$/.exec(path);
    if (m && method === 'GET') {
      const charges = state.charges.filter((c) => c['customerId'] === m![1]);
      return send(
        res,
        200,
        {
          customerId: m[1],
          charges,
          totalMinor: charges.reduce((s, c) => s + (typeof c['cost'] === 'number' ? c['cost'] : 0), 0),
          currency: (charges[0]?.['currency'] as string | undefined) ?? null,
        },
        { path: '/v1/customers/{id}/charges', method: 'get' },
      );
    }
    if (method === 'GET' && path === '/v1/charges.csv') {
      const customer = url.searchParams.get('customer');
      const rows = state.charges
        .filter((c) => customer === null || c['customerId'] === customer)
        .map((c) => `${String(c['sessionId'])},${String(c['customerId'])},${String(c['cost'])}\r\n`);
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="charges${customer ? `-${customer}` : ''}.csv"`,
      });
      res.end(`session_id,customer,cost\r\n${rows.join('')}`);
      return;
    }
    m = /^\/v1\/slas\/([^/]+)$/.exec(path);
    if (m && method === 'PUT') {
      const id = decodeURIComponent(m[1]!);
      try {
        const sla = parseSla({ ...(written as object), id });
        state.slas = state.slas.map((s) =>
          s['id'] === id ? (sla as unknown as Record<string, unknown>) : s,
        );
        return send(res, 200, sla, { path: '/v1/slas/{id}', method: 'put' });
      } catch (error) {
        const problems = (error as { problems?: { path: string; message: string }[] }).problems ?? [];
        return problem(res, 400, 'Bad Request', (error as Error).message, {
          code: 'SVPN_POLICY_DATA_INVALID',
          errors: problems,
        });
      }
    }
    problem(res, 404, 'Not Found', `${method} ${path}`);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) problem(res, 500, 'Internal Server Error', String(error));
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let eventId = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    operatorKey,
    applicationKey,
    requests,
    contractViolations,
    pushEvent(type, data) {
      for (const s of streams) s.write(`event: ${type}\nid: ${++eventId}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    streams: () => streams.size,
    async stop() {
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

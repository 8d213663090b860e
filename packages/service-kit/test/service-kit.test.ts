import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import { Counter, Registry } from 'prom-client';
import {
  ConfigError,
  HttpProblem,
  installProblemHandler,
  loadConfig,
  registerHealthRoutes,
} from '../src/index.js';

const Schema = Type.Object({
  httpPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  redisUrl: Type.String({ default: 'redis://127.0.0.1:6379' }),
  demo: Type.Boolean({ default: true }),
});

test('loadConfig reads SVPN_-prefixed or bare env names, converts types and applies defaults', () => {
  const config = loadConfig(Schema, { SVPN_HTTP_PORT: '9090', DEMO: 'false' });
  assert.deepEqual(config, { httpPort: 9090, redisUrl: 'redis://127.0.0.1:6379', demo: false });
});

test('loadConfig fails fast listing every invalid field', () => {
  assert.throws(
    () => loadConfig(Schema, { HTTP_PORT: '70000' }),
    (e: unknown) =>
      e instanceof ConfigError && e.problems.length === 1 && e.problems[0]!.startsWith('/httpPort'),
  );
});

test('problem handler: HttpProblem, validation errors and unknown routes answer problem+json', async () => {
  const app = Fastify();
  installProblemHandler(app);
  app.get('/boom', async () => {
    throw new HttpProblem(409, 'SVPN_CONFLICT', 'Conflict', 'already exists');
  });
  app.get('/crash', async () => {
    throw new Error('secret internals');
  });
  app.post('/v', { schema: { body: Type.Object({ n: Type.Integer() }) } }, async () => ({ ok: true }));
  const conflict = await app.inject({ method: 'GET', url: '/boom' });
  assert.equal(conflict.statusCode, 409);
  assert.equal(conflict.headers['content-type'], 'application/problem+json; charset=utf-8');
  assert.equal(conflict.json().code, 'SVPN_CONFLICT');
  const crash = await app.inject({ method: 'GET', url: '/crash' });
  assert.equal(crash.statusCode, 500);
  assert.ok(!crash.body.includes('secret internals'));
  const invalid = await app.inject({ method: 'POST', url: '/v', payload: { n: 'x' } });
  assert.equal(invalid.statusCode, 400);
  assert.equal(invalid.json().code, 'SVPN_VALIDATION');
  const missing = await app.inject({ method: 'GET', url: '/nope' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().status, 404);
});

test('readyz reports failing checks with 503, healthz stays up, metrics are Prometheus text', async () => {
  const app = Fastify();
  let redisUp = false;
  registerHealthRoutes(app, {
    checks: {
      redis: () => {
        if (!redisUp) throw new Error('connection refused');
      },
    },
  });
  assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
  const down = await app.inject({ url: '/readyz' });
  assert.equal(down.statusCode, 503);
  assert.equal(down.json().checks.redis, 'connection refused');
  redisUp = true;
  assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
  const metrics = await app.inject({ url: '/metrics' });
  assert.match(metrics.body, /process_cpu_user_seconds_total/);
});

test('metrics kept in another thread are summed with the registry on every scrape', async () => {
  const own = new Registry();
  const jobs = new Counter({ name: 'jobs_total', help: 'jobs', labelNames: ['pe'], registers: [own] });
  jobs.inc({ pe: 'PE1' }, 2);
  // What a worker thread's registry gives: the same counter with more, and one the main thread lacks.
  const elsewhere = new Registry();
  const theirJobs = new Counter({
    name: 'jobs_total',
    help: 'jobs',
    labelNames: ['pe'],
    registers: [elsewhere],
  });
  theirJobs.inc({ pe: 'PE1' }, 3);
  theirJobs.inc({ pe: 'PE2' });
  const runs = new Counter({ name: 'runs_total', help: 'runs', registers: [elsewhere] });
  runs.inc(7);
  const app = Fastify();
  registerHealthRoutes(app, { registry: own, moreMetrics: () => elsewhere.getMetricsAsJSON() });
  const body = (await app.inject({ url: '/metrics' })).body;
  assert.match(body, /^jobs_total\{pe="PE1"\} 5$/m);
  assert.match(body, /^jobs_total\{pe="PE2"\} 1$/m);
  assert.match(body, /^runs_total 7$/m);
  assert.equal(body.match(/^# TYPE jobs_total counter$/gm)?.length, 1);
  await app.close();
});

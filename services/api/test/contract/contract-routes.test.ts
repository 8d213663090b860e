import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { loadOpenApiDocument } from '@svpn/api-contract';
import { installProblemHandler } from '@svpn/service-kit';
import { compileContract } from '../../src/contract/openapi-validator.js';
import { registerOperations } from '../../src/routes/contract-routes.js';

const key = {
  keyId: 'k1',
  name: 't',
  application: 'grid-a',
  customerId: null,
  scopes: ['connections:write' as const],
  createdAt: new Date(0).toISOString(),
};

async function build(response: unknown) {
  const app = Fastify({ logger: false });
  installProblemHandler(app);
  app.addHook('onRequest', async (request) => {
    request.auth = key;
  });
  registerOperations(app, compileContract(loadOpenApiDocument()), {
    reserve: {
      scopes: ['connections:write'],
      handler: async (_r, reply) => reply.status(201).send(response),
    },
    whoAmI: { scopes: [], handler: async () => response },
  });
  await app.ready();
  return app;
}

const good = {
  vpnId: 'globex-grid',
  source: { application: 'grid-a' },
  destination: { application: 'grid-b' },
  bandwidthBps: 1_000_000,
};

test('a request that breaks the contract is refused with 400 problem+json before the handler runs', async () => {
  let ran = false;
  const app = Fastify({ logger: false });
  installProblemHandler(app);
  app.addHook('onRequest', async (request) => {
    request.auth = key;
  });
  registerOperations(app, compileContract(loadOpenApiDocument()), {
    reserve: { scopes: ['connections:write'], handler: async () => ((ran = true), {}) },
  });
  for (const body of [
    { ...good, bandwidthBps: 10 },
    { ...good, startTime: 'tomorrow' },
    { ...good, extra: 1 },
    { vpnId: 'x' },
  ]) {
    const r = await app.inject({ method: 'POST', url: '/v1/connections', payload: body });
    assert.equal(r.statusCode, 400, JSON.stringify(body));
    assert.match(String(r.headers['content-type']), /application\/problem\+json/);
    assert.equal(r.json().code, 'PAYLOAD_ERROR');
    assert.equal(r.json().nsiErrorId, '00100');
  }
  assert.equal(ran, false);
  const path = await app.inject({ method: 'GET', url: '/v1/connections/not-an-id' });
  assert.equal(path.statusCode, 404, 'queryConnection is not registered in this app');
});

test('a response that breaks the contract is not sent: 500 instead', async () => {
  const app = await build({
    keyId: 'k1',
    name: 't',
    scopes: ['connections:write'],
    createdAt: 'x',
    hash: 'leak',
  });
  const r = await app.inject({ method: 'GET', url: '/v1/me' });
  assert.equal(r.statusCode, 500);
  assert.equal(r.json().code, 'SVPN_API_RESPONSE_INVALID');
  assert.doesNotMatch(r.body, /leak/);
  const ok = await build(key);
  const fine = await app.inject({ method: 'GET', url: '/v1/me' });
  assert.equal(fine.statusCode, 500);
  const r2 = await ok.inject({ method: 'GET', url: '/v1/me' });
  assert.equal(r2.statusCode, 200);
  assert.deepEqual(r2.json(), key);
  const partial = await build({ connectionId: 'c-00000000000000000000' });
  const r3 = await partial.inject({ method: 'POST', url: '/v1/connections', payload: good });
  assert.equal(r3.statusCode, 500, 'a Connection missing its states is refused');
});

test('a key without the scope is refused 403; read scope does not allow reserve', async () => {
  const app = Fastify({ logger: false });
  installProblemHandler(app);
  app.addHook('onRequest', async (request) => {
    request.auth = { ...key, scopes: ['connections:read'] };
  });
  registerOperations(app, compileContract(loadOpenApiDocument()), {
    reserve: { scopes: ['connections:write'], handler: async () => ({}) },
  });
  const r = await app.inject({ method: 'POST', url: '/v1/connections', payload: good });
  assert.equal(r.statusCode, 403);
  assert.equal(r.json().code, 'UNAUTHORIZED');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient, withQuery, type FetchLike } from '../../../src/app/api/api-client.js';
import { DashboardApiError } from '../../../src/app/api/api-error.js';

interface Seen {
  url: string;
  init: RequestInit | undefined;
}

function fakeFetch(respond: (url: string, init?: RequestInit) => Response): {
  fetch: FetchLike;
  seen: Seen[];
} {
  const seen: Seen[] = [];
  return {
    seen,
    fetch: async (url, init) => {
      seen.push({ url, init });
      return respond(url, init);
    },
  };
}

const json = (status: number, body: unknown, type = 'application/json'): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

test('every request carries the operator key as a bearer token', async () => {
  const { fetch, seen } = fakeFetch(() => json(200, { sessions: [] }));
  const client = new ApiClient({ apiKey: 'svpn_k1_secret', baseUrl: 'http://127.0.0.1:9', fetch });
  assert.deepEqual(await client.get('/v1/sessions'), { sessions: [] });
  assert.equal(seen[0]?.url, 'http://127.0.0.1:9/v1/sessions');
  const headers = seen[0]?.init?.headers as Record<string, string>;
  assert.equal(headers['authorization'], 'Bearer svpn_k1_secret');
  assert.equal(seen[0]?.init?.method, 'GET');
});

test('PUT sends JSON and returns the answer', async () => {
  const { fetch, seen } = fakeFetch((_url, init) => json(200, JSON.parse(String(init?.body))));
  const client = new ApiClient({ apiKey: 'k', fetch });
  assert.deepEqual(await client.put('/v1/slas/acme', { maxSessions: 3 }), { maxSessions: 3 });
  const headers = seen[0]?.init?.headers as Record<string, string>;
  assert.equal(headers['content-type'], 'application/json');
  assert.equal(seen[0]?.init?.method, 'PUT');
});

test('POST with an empty answer resolves with undefined', async () => {
  const { fetch } = fakeFetch(() => new Response(null, { status: 204 }));
  assert.equal(await new ApiClient({ apiKey: 'k', fetch }).post('/v1/x'), undefined);
});

test('RFC 9457 — a problem document becomes a typed error carrying it', async () => {
  const problem = {
    type: 'https://svpn.example.net/problems/svpn-policy-data-invalid',
    title: 'Bad Request',
    status: 400,
    detail: 'SLA is invalid',
    code: 'SVPN_POLICY_DATA_INVALID',
    errors: [{ path: '/maxSessionBps', message: 'exceeds maxTotalBps' }],
  };
  const { fetch } = fakeFetch(() => json(400, problem, 'application/problem+json'));
  const error = await new ApiClient({ apiKey: 'k', fetch }).put('/v1/slas/a', {}).catch((e: unknown) => e);
  assert.ok(error instanceof DashboardApiError);
  assert.equal(error.code, 'SVPN_DASHBOARD_HTTP');
  assert.equal(error.status, 400);
  assert.deepEqual(error.problem, problem);
  assert.match(error.message, /PUT \/v1\/slas\/a: SLA is invalid/);
});

test('401 and 403 have their own codes; a body that is not JSON still gives an error', async () => {
  for (const [status, code] of [
    [401, 'SVPN_DASHBOARD_UNAUTHORIZED'],
    [403, 'SVPN_DASHBOARD_FORBIDDEN'],
    [502, 'SVPN_DASHBOARD_HTTP'],
  ] as const) {
    const { fetch } = fakeFetch(
      () => new Response('<html>nope</html>', { status, headers: { 'content-type': 'text/html' } }),
    );
    const error = await new ApiClient({ apiKey: 'k', fetch }).get('/v1/me').catch((e: unknown) => e);
    assert.ok(error instanceof DashboardApiError);
    assert.equal(error.code, code);
    assert.equal(error.problem, undefined);
  }
});

test('a network failure is a typed error, not a crash', async () => {
  const client = new ApiClient({
    apiKey: 'k',
    fetch: async () => {
      throw new TypeError('fetch failed');
    },
  });
  const error = await client.get('/v1/me').catch((e: unknown) => e);
  assert.ok(error instanceof DashboardApiError);
  assert.equal(error.code, 'SVPN_DASHBOARD_NETWORK');
  assert.ok(error.cause instanceof TypeError);
});

test('downloads keep the server’s file name', async () => {
  const { fetch, seen } = fakeFetch(
    () =>
      new Response('session_id,customer\r\ns1,acme\r\n', {
        status: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': 'attachment; filename="charges-acme.csv"',
        },
      }),
  );
  const got = await new ApiClient({ apiKey: 'k', fetch }).download('/v1/charges.csv', { customer: 'acme' });
  assert.equal(got.fileName, 'charges-acme.csv');
  assert.match(got.text, /s1,acme/);
  assert.equal(seen[0]?.url, '/v1/charges.csv?customer=acme');
});

test('query strings leave out empty values and encode the rest', () => {
  assert.equal(withQuery('/v1/charges'), '/v1/charges');
  assert.equal(withQuery('/v1/charges', { customer: undefined, limit: 5 }), '/v1/charges?limit=5');
  assert.equal(withQuery('/v1/x?a=1', { b: 'c d' }), '/v1/x?a=1&b=c+d');
  assert.equal(withQuery('/v1/x', { customer: '' }), '/v1/x');
});

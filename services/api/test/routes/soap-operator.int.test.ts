import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Connection, ConnectionEvent } from '@svpn/api-contract';
import { signWebhook } from '../../src/notify/webhooks.js';
import { call, startApiHarness, type ApiHarness } from '../support/api-harness.js';

let x: ApiHarness;
let base: string;

before(async () => {
  x = await startApiHarness({ rateLimitPerMinute: 400 });
  base = x.api.url as string;
  await x.sipApp('grid-b', 'grid-b-secret', 'CE4', 'globex-grid');
});
after(async () => {
  await x?.stop();
});

async function soap(
  op: string,
  inner: string,
  key: string | undefined = x.appKey,
  action = `urn:svpn:connection:1/${op}`,
) {
  const response = await fetch(`${base}/soap`, {
    method: 'POST',
    headers: {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: `"${action}"`,
      ...(key === '' ? {} : { authorization: `Bearer ${key}` }),
    },
    body:
      '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      `xmlns:cs="urn:svpn:connection:1"><soapenv:Header/><soapenv:Body><cs:${op}>${inner}</cs:${op}></soapenv:Body></soapenv:Envelope>`,
  });
  return { status: response.status, text: await response.text() };
}
const tag = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

test('SOAP: the WSDL names every operation and the endpoint', async () => {
  const r = await fetch(`${base}/soap?wsdl`);
  assert.equal(r.status, 200);
  const wsdl = await r.text();
  for (const op of [
    'reserve',
    'reserveCommit',
    'reserveAbort',
    'provision',
    'release',
    'terminate',
    'modify',
    'querySummarySync',
  ]) {
    assert.match(wsdl, new RegExp(`<wsdl:operation name="${op}">`));
    assert.match(wsdl, new RegExp(`soapAction="urn:svpn:connection:1/${op}"`));
  }
  assert.match(wsdl, /<soap:address location="http:\/\/127\.0\.0\.1:\d+\/soap"\/>/);
});

test('SOAP: reserve → commit → provision → query → release → terminate with real envelopes; faults for refusals', async () => {
  const reserved = await soap(
    'reserve',
    '<vpnId>globex-grid</vpnId><source><application>grid-a</application></source>' +
      '<destination><application>grid-b</application></destination><bandwidthBps>100000000</bandwidthBps>',
  );
  assert.equal(reserved.status, 200, reserved.text);
  assert.match(reserved.text, /<cs:reserveResponse><connection>/);
  const id = tag(reserved.text, 'connectionId') as string;
  assert.match(id, /^c-[0-9a-f]{20}$/);
  assert.equal(tag(reserved.text, 'reservationState'), 'ReserveHeld');

  const early = await soap('provision', `<connectionId>${id}</connectionId>`);
  assert.equal(early.status, 500);
  assert.match(early.text, /<soapenv:Fault><faultcode>soapenv:Client<\/faultcode><faultstring>/);
  assert.equal(tag(early.text, 'nsiErrorId'), '00201');
  assert.equal(tag(early.text, 'code'), 'INVALID_TRANSITION');

  assert.equal(
    tag((await soap('reserveCommit', `<connectionId>${id}</connectionId>`)).text, 'reservationState'),
    'ReserveStart',
  );
  const provisioned = await soap('provision', `<connectionId>${id}</connectionId>`);
  assert.equal(tag(provisioned.text, 'provisionState'), 'Provisioned', provisioned.text);
  assert.equal(tag(provisioned.text, 'active'), 'true');
  assert.equal(x.h.gateway.controller.liveSessions, 1);
  const query = await soap('querySummarySync', `<connectionId>${id}</connectionId>`);
  assert.match(query.text, /<cs:querySummarySyncResponse><connection>/);
  assert.equal(tag(query.text, 'connectionId'), id);
  const modified = await soap(
    'modify',
    `<connectionId>${id}</connectionId><bandwidthBps>150000000</bandwidthBps><autoCommit>true</autoCommit>`,
  );
  assert.equal(tag(modified.text, 'committedVersion'), '2', modified.text);
  assert.equal(
    tag((await soap('release', `<connectionId>${id}</connectionId>`)).text, 'provisionState'),
    'Released',
  );
  assert.equal(
    tag((await soap('terminate', `<connectionId>${id}</connectionId>`)).text, 'lifecycleState'),
    'Terminated',
  );
  const gone = await soap('reserveAbort', `<connectionId>${id}</connectionId>`);
  assert.equal(tag(gone.text, 'code'), 'CONNECTION_GONE');

  const held = tag(
    (
      await soap(
        'reserve',
        '<vpnId>globex-grid</vpnId><source><application>grid-a</application></source><destination><application>grid-b</application></destination><bandwidthBps>1000000</bandwidthBps>',
      )
    ).text,
    'connectionId',
  ) as string;
  assert.equal(
    tag((await soap('reserveAbort', `<connectionId>${held}</connectionId>`)).text, 'reservationState'),
    'ReserveStart',
  );
});

test('SOAP faults: no key, a SOAPAction that disagrees, an invalid body, an unknown operation', async () => {
  const noKey = await soap('querySummarySync', '', '');
  assert.equal(noKey.status, 500);
  assert.equal(tag(noKey.text, 'code'), 'SECURITY_ERROR');
  const mismatch = await soap(
    'terminate',
    '<connectionId>c-00000000000000000000</connectionId>',
    x.appKey,
    'urn:svpn:connection:1/provision',
  );
  assert.equal(tag(mismatch.text, 'code'), 'PAYLOAD_ERROR');
  const invalid = await soap('reserve', '<vpnId>globex-grid</vpnId><bandwidthBps>ten</bandwidthBps>');
  assert.equal(tag(invalid.text, 'code'), 'PAYLOAD_ERROR');
  assert.match(invalid.text, /<faultcode>soapenv:Client<\/faultcode>/);
  const unknown = await soap('dance', '', x.appKey, '');
  assert.equal(tag(unknown.text, 'code'), 'UNSUPPORTED_PARAMETER');
});

test('authentication: no key and a forged key are 401 problem+json; an application key cannot use the operator API', async () => {
  const none = await call(base, undefined, 'GET', '/v1/connections');
  assert.equal(none.status, 401);
  assert.equal(none.body['code'], 'SECURITY_ERROR');
  const forged = await call(base, 'svpn_000000000000_' + 'A'.repeat(43), 'GET', '/v1/connections');
  assert.equal(forged.status, 401);
  const me = await call(base, x.appKey, 'GET', '/v1/me');
  assert.equal(me.body['application'], 'grid-a');
  assert.equal(me.body['hash'], undefined, 'the stored hash never leaves');
  const denied = await call(base, x.appKey, 'GET', '/v1/customers');
  assert.equal(denied.status, 403);
});

test('operator API: policy entities, SLA edit, sessions, tunnels, topology, queues, charges, keys and the audit trail', async () => {
  const k = x.operatorKey;
  const customers = await call(base, k, 'GET', '/v1/customers');
  assert.equal(customers.status, 200);
  assert.ok((customers.body as unknown as { id: string }[]).some((c) => c.id === 'globex'));
  const sla = await call(base, k, 'PATCH', '/v1/slas/globex-grid', { maxSessions: 25 });
  assert.equal(sla.status, 200, JSON.stringify(sla.body));
  assert.equal(sla.body['maxSessions'], 25);
  assert.equal((await call(base, k, 'GET', '/v1/slas/nope')).status, 404);
  assert.equal((await call(base, k, 'GET', '/v1/applications/grid-a')).body['ce'], 'CE3');
  assert.equal((await call(base, k, 'GET', '/v1/vpns')).status, 200);
  assert.equal((await call(base, k, 'GET', '/v1/sessions')).status, 200);
  assert.equal((await call(base, k, 'GET', '/v1/tunnels')).status, 200);
  const topology = await call(base, k, 'GET', '/v1/topology');
  assert.ok((topology.body['nodes'] as unknown[]).length >= 10);
  assert.ok(
    (topology.body['links'] as { reservedByPriorityBps: number[] }[]).every(
      (l) => l.reservedByPriorityBps.length === 8,
    ),
  );
  const queues = await call(base, k, 'GET', '/v1/queues');
  assert.deepEqual((queues.body['queues'] as { pe: string }[]).map((q) => q.pe).sort(), [
    'PE1',
    'PE2',
    'PE3',
    'PE4',
    'PE5',
    'PE6',
  ]);
  assert.equal((await call(base, k, 'GET', '/v1/queues/PE1/failed')).status, 200);
  const retryMissing = await call(base, k, 'POST', '/v1/queues/PE1/jobs/none/retry');
  assert.equal(retryMissing.status, 404);
  const globexCharges = await call(base, k, 'GET', '/v1/charges?customer=globex');
  assert.equal(globexCharges.status, 200);
  const csv = await call(base, k, 'GET', '/v1/charges.csv');
  assert.equal(csv.status, 200);
  assert.match(csv.contentType, /text\/csv/);
  const perCustomer = await call(base, k, 'GET', '/v1/customers/globex/charges');
  assert.equal(perCustomer.body['customerId'], 'globex');
  // The per-customer view lists the same records as the filtered list.
  assert.equal(
    (perCustomer.body['charges'] as unknown[]).length,
    (globexCharges.body['charges'] as unknown[]).length,
    'per-customer charges match the filtered list',
  );
  const created = await call(base, k, 'POST', '/v1/keys', {
    name: 'ops-2',
    scopes: ['connections:read'],
    application: 'grid-c',
  });
  assert.equal(created.status, 201);
  assert.match(String(created.body['key']), /^svpn_[0-9a-f]{12}_/);
  assert.equal((await call(base, String(created.body['key']), 'GET', '/v1/me')).status, 200);
  assert.equal((await call(base, k, 'DELETE', `/v1/keys/${String(created.body['keyId'])}`)).status, 204);
  assert.equal((await call(base, String(created.body['key']), 'GET', '/v1/me')).status, 401, 'revoked');
  const audit = await call(base, k, 'GET', '/v1/audit?limit=200');
  const records = audit.body['records'] as {
    operation: string | null;
    path: string;
    status: number;
    role: string;
  }[];
  assert.ok(records.some((r) => r.operation === 'patchSla' && r.status === 200 && r.role === 'operator'));
  assert.ok(records.some((r) => r.operation === 'revokeKey' && r.status === 204));
  assert.ok(records.some((r) => r.operation === 'authenticate' && r.status === 401));
});

test('webhooks are signed (HMAC-SHA256), retried with backoff after a failure, and logged', async () => {
  const received: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
  let failures = 1;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      res.statusCode = failures-- > 0 ? 500 : 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    const hook = await call(base, x.appKey, 'POST', '/v1/webhooks', { url, events: ['reserveConfirmed'] });
    assert.equal(hook.status, 201);
    const secret = String(hook.body['secret']);
    const c = (
      await call(base, x.appKey, 'POST', '/v1/connections', {
        vpnId: 'globex-grid',
        source: { application: 'grid-a' },
        destination: { application: 'grid-b' },
        bandwidthBps: 1_000_000,
      })
    ).body as unknown as Connection;
    const deadline = Date.now() + 5000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.equal(received.length, 2, 'one failure, one retry');
    for (const r of received) {
      const event = JSON.parse(r.body) as ConnectionEvent;
      assert.equal(event.connectionId, c.connectionId);
      assert.equal(event.type, 'reserveConfirmed');
      assert.equal(
        r.headers['x-svpn-signature'],
        signWebhook(secret, String(r.headers['x-svpn-timestamp']), r.body),
      );
    }
    const log = await call(base, x.appKey, 'GET', `/v1/webhooks/${String(hook.body['id'])}/deliveries`);
    const deliveries = log.body['deliveries'] as { ok: boolean; attempt: number; status: number }[];
    assert.deepEqual(
      deliveries.map((d) => [d.attempt, d.ok, d.status]),
      [
        [2, true, 204],
        [1, false, 500],
      ],
    );
    await call(base, x.appKey, 'POST', `/v1/connections/${c.connectionId}/terminate`);
  } finally {
    server.close();
  }
});

test('a webhook retry survives an API restart: the new process sends it, signed, as attempt 2', async () => {
  const received: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
  let restarted = false;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ body, headers: req.headers });
      // Refused until the first process is gone: a retry it still sent would be a refused attempt 2.
      res.statusCode = restarted ? 204 : 500;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    // The retry is due 5 s after attempt 1: long enough that the first process is gone (a restart
    // takes seconds on a loaded machine) before it could send it.
    await x.restart({ webhookBackoffMs: 5000 });
    base = x.api.url as string;
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    const hook = await call(base, x.appKey, 'POST', '/v1/webhooks', { url, events: ['reserveConfirmed'] });
    const secret = String(hook.body['secret']);
    const c = (
      await call(base, x.appKey, 'POST', '/v1/connections', {
        vpnId: 'globex-grid',
        source: { application: 'grid-a' },
        destination: { application: 'grid-b' },
        bandwidthBps: 1_000_000,
      })
    ).body as unknown as Connection;
    let deadline = Date.now() + 5000;
    while (received.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.equal(received.length, 1, 'attempt 1, refused');
    await x.restart({ webhookBackoffMs: 5000 });
    restarted = true;
    base = x.api.url as string;
    deadline = Date.now() + 15000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    assert.equal(received.length, 2, 'the retry arrived from the new process');
    const retry = received[1] as (typeof received)[number];
    assert.match(String(retry.headers['x-svpn-delivery']), /\.2$/);
    assert.equal((JSON.parse(retry.body) as ConnectionEvent).connectionId, c.connectionId);
    assert.equal(
      retry.headers['x-svpn-signature'],
      signWebhook(secret, String(retry.headers['x-svpn-timestamp']), retry.body),
    );
    const log = await call(base, x.appKey, 'GET', `/v1/webhooks/${String(hook.body['id'])}/deliveries`);
    assert.deepEqual(
      (log.body['deliveries'] as { ok: boolean; attempt: number; status: number }[]).map((d) => [
        d.attempt,
        d.ok,
        d.status,
      ]),
      [
        [2, true, 204],
        [1, false, 500],
      ],
    );
    await call(base, x.appKey, 'DELETE', `/v1/webhooks/${String(hook.body['id'])}`);
    await call(base, x.appKey, 'POST', `/v1/connections/${c.connectionId}/terminate`);
  } finally {
    server.close();
  }
});

test('Server-Sent Events: a client sees its connection change state, live', async () => {
  const chunks: string[] = [];
  const req = httpRequest(`${base}/v1/events?access_token=${encodeURIComponent(x.appKey)}`);
  const opened = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/event-stream/);
      res.on('data', (d: Buffer) => chunks.push(d.toString()));
      resolve();
    });
    req.on('error', reject);
  });
  req.end();
  await opened;
  const c = (
    await call(base, x.appKey, 'POST', '/v1/connections', {
      vpnId: 'globex-grid',
      source: { application: 'grid-a' },
      destination: { application: 'grid-b' },
      bandwidthBps: 1_000_000,
      autoCommit: true,
    })
  ).body as unknown as Connection;
  const deadline = Date.now() + 3000;
  while (!chunks.join('').includes('reserveCommitConfirmed') && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  req.destroy();
  const text = chunks.join('');
  assert.match(
    text,
    new RegExp(
      `event: connection\\ndata: \\{[^\\n]*"connectionId":"${c.connectionId}"[^\\n]*"type":"reserveConfirmed"`,
    ),
  );
  assert.match(text, /"type":"reserveCommitConfirmed"/);
  await call(base, x.appKey, 'POST', `/v1/connections/${c.connectionId}/terminate`);
});

test('docs and dashboard: Swagger UI at /docs, the contract as JSON, / served or a clear 503', async () => {
  const docs = await fetch(`${base}/docs/`);
  assert.equal(docs.status, 200);
  const json = (await (await fetch(`${base}/docs/json`)).json()) as { openapi: string };
  assert.match(json.openapi, /^3\.1/);
  const root = await fetch(`${base}/`);
  assert.ok(root.status === 200 || root.status === 503);
  if (root.status === 503) assert.match(await root.text(), /dashboard is not built/);
});

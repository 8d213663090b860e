// E2E: a GRID application without a SIP stack (grid-a) reserves, commits and provisions a connection
// through the northbound API; the API places the SIP call as grid-a and the gateway admits it on the
// same path as any SIP user: ledger flow, LSP and UNI session in pe-sim; release sends BYE and the
// network is idle again. The callee (grid-c) is hosted by the API too (registered and answered by it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '@svpn/api-contract';
import { call, startApiHarness, type ApiHarness } from '../../services/api/test/support/api-harness.js';

let x: ApiHarness;
before(async () => {
  x = await startApiHarness();
});
after(async () => {
  await x?.stop();
});

test('grid-reserve-commit-provision-expect-admitted-then-release-expect-idle', async () => {
  const base = x.api.url as string;
  const reserved = await call(base, x.appKey, 'POST', '/v1/connections', {
    vpnId: 'globex-grid',
    source: { application: 'grid-a' },
    destination: { application: 'grid-c' },
    bandwidthBps: 400_000_000,
    serviceClass: 'high-throughput-data',
  });
  assert.equal(reserved.status, 201, JSON.stringify(reserved.body));
  const id = String(reserved.body['connectionId']);
  assert.equal((await call(base, x.appKey, 'POST', `/v1/connections/${id}/commit`)).status, 200);
  const provisioned = (await call(base, x.appKey, 'POST', `/v1/connections/${id}/provision`))
    .body as unknown as Connection;
  assert.equal(provisioned.states.provisionState, 'Provisioned', JSON.stringify(provisioned.lastError));
  assert.equal(provisioned.states.dataPlaneStatus.active, true);
  const sessionId = provisioned.session?.sessionId as string;
  // The gateway admitted it: a live SIP session, a flow in the ledger, an LSP PE2 → PE6 and UNI sessions.
  assert.equal(x.h.gateway.controller.liveSessions, 1);
  const flow = x.h.gateway.admission?.manager.flow(sessionId);
  assert.ok(flow, 'ledger flow');
  assert.equal(flow.ingress, 'PE2');
  assert.equal(flow.egress, 'PE6');
  const lsp = await x.h.peSim.getLsp(provisioned.session?.lspId as string);
  assert.ok(lsp, 'the LSP is signalled in pe-sim');
  assert.ok(await x.h.peSim.getSession('PE2', sessionId), 'UNI session at the caller PE');
  assert.ok(await x.h.peSim.getSession('PE6', sessionId), 'UNI session at the callee PE');
  const sessions = await call(base, x.operatorKey, 'GET', '/v1/sessions');
  const record = (sessions.body['sessions'] as { sessionId: string; caller: string; callee: string }[]).find(
    (s) => s.sessionId === sessionId,
  );
  assert.equal(record?.caller, 'grid-a');
  assert.equal(record?.callee, 'grid-c');

  const released = (await call(base, x.appKey, 'POST', `/v1/connections/${id}/release`))
    .body as unknown as Connection;
  assert.equal(released.states.provisionState, 'Released');
  const deadline = Date.now() + 8000;
  while (
    Date.now() < deadline &&
    (x.h.gateway.controller.liveSessions > 0 || (await x.h.peSim.getSession('PE2', sessionId)))
  ) {
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(x.h.gateway.controller.liveSessions, 0, 'BYE ended the gateway session');
  assert.equal(await x.h.peSim.getSession('PE2', sessionId), null, 'UNI session removed');
  assert.equal(x.h.gateway.admission?.manager.flow(sessionId), undefined, 'the call flow left the ledger');
  assert.equal((await call(base, x.appKey, 'POST', `/v1/connections/${id}/terminate`)).status, 200);
  assert.equal(x.h.gateway.admission?.manager.flows().length, 0, 'nothing stays booked');
});

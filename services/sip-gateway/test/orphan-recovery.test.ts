import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemorySessionStore, type SessionEvent, type SessionRecord } from '@svpn/store';
import { silentLogger } from '@svpn/service-kit';
import { RECOVERY_STOP_SEQ, recoverOrphanSessions } from '../src/calls/orphan-recovery.js';

function record(id: string, gatewayId: string): SessionRecord {
  return {
    sessionId: id,
    callId: `c-${id}`,
    phase: 'active',
    customerId: 'acme',
    vpnId: '00000a:00000001',
    caller: 'primary-dc',
    callee: 'backup-dc',
    serviceClass: 'high-throughput-data',
    precedence: 'routine',
    grantedBps: 1e8,
    dscp: 10,
    ingress: { pe: 'PE1', ce: 'CE1' },
    egress: { pe: 'PE4', ce: 'CE2' },
    lspId: 'lsp',
    label: 16,
    links: [],
    setupAt: 1,
    answerAt: 2,
    gatewayId,
    version: 1,
  };
}

test('DESIGN §5 — sessions left by a crashed gateway are released and their charge records closed', async () => {
  const sessions = new MemorySessionStore();
  await sessions.put(record('mine', 'gw1'));
  await sessions.put(record('theirs', 'gw2'));
  const released: string[] = [];
  const events: SessionEvent[] = [];
  const recovered = await recoverOrphanSessions({
    gatewayId: 'gw1',
    domain: 'svpn.example.net',
    sessions,
    admission: { release: async (id) => void released.push(`ledger:${id}`) },
    provisioning: { release: async (id) => void released.push(`pe:${id}`) },
    policy: { releaseUsage: async (id) => void released.push(`usage:${id}`) },
    events: { publish: async (e) => void events.push(e) },
    log: silentLogger(),
    now: () => 10,
  });
  assert.deepEqual(
    recovered.map((r) => r.sessionId),
    ['mine'],
  );
  assert.deepEqual(released.sort(), ['ledger:mine', 'pe:mine', 'usage:mine']);
  assert.equal(events.length, 1);
  assert.equal(events[0]?.type, 'stop');
  assert.equal(events[0]?.seq, RECOVERY_STOP_SEQ);
  assert.equal(events[0]?.endAt, 10);
  assert.equal(await sessions.get('mine'), undefined);
  assert.equal((await sessions.get('theirs'))?.phase, 'active');
});

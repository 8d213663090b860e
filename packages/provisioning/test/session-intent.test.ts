import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidIntentError,
  checkMembershipIntent,
  checkSessionIntent,
  type SessionIntent,
} from '../src/index.js';

function intent(patch: Partial<SessionIntent> = {}): SessionIntent {
  return {
    sessionId: 'sess-1',
    version: 1,
    vpnId: '00000a:00000001',
    bandwidthBps: 100_000_000,
    dscp: 10,
    serviceClass: 'high-throughput-data',
    endpoints: [
      { pe: 'PE1', ce: 'CE1', interface: 'ge-0/0/1.100' },
      { pe: 'PE4', ce: 'CE2', interface: 'ge-0/0/2.100' },
    ],
    lsp: {
      lspId: 'lsp-PE1-PE4-1',
      route: { nodes: ['PE1', 'P2', 'P3', 'PE4'] },
      setupPriority: 4,
      holdingPriority: 4,
    },
    ...patch,
  };
}

describe('checkSessionIntent', () => {
  it('accepts the seed 001 Fig. 2 shape: ingress and egress UNI, one LSP', () => {
    assert.equal(checkSessionIntent(intent()).endpoints.length, 2);
    assert.equal(checkSessionIntent(intent({ lsp: null, endpoints: [intent().endpoints[0]!] })).lsp, null);
  });

  it('refuses two endpoints on one PE and an LSP not starting at the ingress', () => {
    const twice = intent({
      endpoints: [
        { pe: 'PE1', ce: 'CE1', interface: 'a' },
        { pe: 'PE1', ce: 'CE2', interface: 'b' },
      ],
    });
    assert.throws(() => checkSessionIntent(twice), /another PE/);
    const elsewhere = intent({
      lsp: { lspId: 'l', route: { nodes: ['PE2', 'PE4'] }, setupPriority: 4, holdingPriority: 4 },
    });
    assert.throws(() => checkSessionIntent(elsewhere), /ingress/);
  });

  it('applies RFC 3209 §4.7.4: setup priority not higher than holding priority', () => {
    const bad = intent({
      lsp: { lspId: 'l', route: { nodes: ['PE1', 'PE4'] }, setupPriority: 0, holdingPriority: 3 },
    });
    assert.throws(
      () => checkSessionIntent(bad),
      (e: unknown) => {
        assert.ok(e instanceof InvalidIntentError);
        assert.match(e.issues[0] ?? '', /setupPriority/);
        return true;
      },
    );
  });

  it('refuses a version 0, a negative bandwidth and extra fields with every issue listed', () => {
    assert.throws(
      () => checkSessionIntent({ ...intent(), version: 0, bandwidthBps: -5, extra: true }),
      (e: unknown) => e instanceof InvalidIntentError && e.issues.length >= 3,
    );
  });
});

describe('checkMembershipIntent', () => {
  it('needs RD and route targets', () => {
    const ok = {
      pe: 'PE1',
      vpnId: '00000a:00000001',
      ce: 'CE1',
      rd: '65000:1',
      importTargets: ['65000:1'],
      exportTargets: ['65000:1'],
    };
    assert.equal(checkMembershipIntent(ok).rd, '65000:1');
    assert.throws(() => checkMembershipIntent({ ...ok, importTargets: [] }), InvalidIntentError);
  });
});

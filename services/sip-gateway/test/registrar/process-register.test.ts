import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipRequest } from '@svpn/sip';
import type { Binding } from '@svpn/store';
import { applyMoves, contactHeaderValues, processRegister } from '../../src/registrar/process-register.js';

const AOR = 'sip:primary-dc@svpn.example.net';
const source = { protocol: 'udp' as const, address: '127.0.0.1', port: 5070 };

function register(
  contact: string | string[],
  extra: Record<string, string> = {},
  cseq = 1,
  callId = 'reg-1',
): SipRequest {
  return new SipRequest({
    method: 'REGISTER',
    uri: 'sip:svpn.example.net',
    headers: {
      Via: 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1',
      From: `<${AOR}>;tag=a`,
      To: `<${AOR}>`,
      'Call-ID': callId,
      CSeq: `${cseq} REGISTER`,
      Contact: contact,
      ...extra,
    },
  });
}

const ctx = { aor: AOR, now: 1_000_000, source };

test('DESIGN §2 — Contact feature tags bind the application to its VPN and CE', () => {
  const out = processRegister(
    register('<sip:primary-dc@198.51.100.7:5060>;+svpn.vpn-id="00000a:00000001";+svpn.ce="CE1"', {
      Expires: '600',
    }),
    [],
    ctx,
  );
  assert.ok(out.ok);
  const [b] = out.ok ? out.bindings : [];
  assert.equal(b?.contact, 'sip:primary-dc@198.51.100.7:5060');
  assert.deepEqual(b?.vpnIds, ['00000a:00000001']);
  assert.equal(b?.ce, 'CE1');
  assert.equal(b?.expiresAt, ctx.now + 600_000);
  assert.deepEqual(contactHeaderValues(out.ok ? out.bindings : [], ctx.now), [
    '<sip:primary-dc@198.51.100.7:5060>;expires=600;+svpn.vpn-id="00000a:00000001";+svpn.ce="CE1"',
  ]);
});

test('RFC 3261 §10.3 step 7 — a re-REGISTER from another CE moves the binding (same contact, higher CSeq)', () => {
  const first = processRegister(register('<sip:a@10.0.0.1>;+svpn.ce="CE1";+svpn.vpn-id="v"'), [], ctx);
  assert.ok(first.ok);
  const moved = processRegister(
    register('<sip:a@10.0.0.1>;+svpn.ce="CE2";+svpn.vpn-id="v"', {}, 2),
    first.ok ? first.bindings : [],
    ctx,
  );
  assert.ok(moved.ok);
  assert.equal(moved.ok && moved.bindings.length, 1);
  assert.equal(moved.ok && moved.bindings[0]?.ce, 'CE2');
});

test('RFC 3261 §10.3 step 7 — same Call-ID with a CSeq not above the binding is refused (500)', () => {
  const first = processRegister(register('<sip:a@10.0.0.1>', {}, 5), [], ctx);
  const again = processRegister(register('<sip:a@10.0.0.1>', {}, 5), first.ok ? first.bindings : [], ctx);
  assert.deepEqual(again.ok ? 0 : again.status, 500);
  const otherCall = processRegister(
    register('<sip:a@10.0.0.1>', {}, 1, 'reg-2'),
    first.ok ? first.bindings : [],
    ctx,
  );
  assert.ok(otherCall.ok);
});

test('RFC 3261 §10.3 step 7 — expirations below the minimum get 423 with Min-Expires; 0 removes', () => {
  const brief = processRegister(register('<sip:a@10.0.0.1>;expires=10'), [], ctx);
  assert.equal(brief.ok ? 0 : brief.status, 423);
  assert.equal(brief.ok ? '' : brief.headers?.['Min-Expires'], '60');
  const bound = processRegister(register('<sip:a@10.0.0.1>'), [], ctx);
  const removed = processRegister(
    register('<sip:a@10.0.0.1>;expires=0', {}, 2),
    bound.ok ? bound.bindings : [],
    ctx,
  );
  assert.ok(removed.ok && removed.changed && removed.bindings.length === 0);
});

test('RFC 3261 §10.3 step 6 — Contact: * only with Expires: 0', () => {
  const bound = processRegister(register(['<sip:a@10.0.0.1>', '<sip:b@10.0.0.2>']), [], ctx);
  assert.equal(bound.ok && bound.bindings.length, 2);
  const bad = processRegister(register('*', { Expires: '60' }, 2), bound.ok ? bound.bindings : [], ctx);
  assert.equal(bad.ok ? 0 : bad.status, 400);
  const all = processRegister(register('*', { Expires: '0' }, 2), bound.ok ? bound.bindings : [], ctx);
  assert.ok(all.ok && all.bindings.length === 0);
});

test('expired bindings are dropped; long expirations are capped', () => {
  const old: Binding = {
    aor: AOR,
    contact: 'sip:old@10.0.0.3',
    source,
    vpnIds: [],
    ce: undefined,
    callId: 'x',
    cseq: 1,
    expiresAt: ctx.now - 1,
  };
  const out = processRegister(register('<sip:a@10.0.0.1>;expires=999999'), [old], ctx);
  assert.ok(out.ok);
  assert.deepEqual(out.ok && out.bindings.map((b) => b.contact), ['sip:a@10.0.0.1']);
  assert.equal(out.ok && out.bindings[0]?.expiresAt, ctx.now + 86_400_000);
});

test('VPN mobility — a binding re-registered from another CE is a move', () => {
  const base = {
    aor: 'sip:grid-a@svpn.example.net',
    source: { protocol: 'udp' as const, address: '127.0.0.1', port: 1 },
    callId: 'c',
    cseq: 1,
    expiresAt: 10_000,
  };
  const old = { ...base, contact: 'sip:grid-a@127.0.0.1:5001', vpnIds: ['00000b:00000001'], ce: 'CE3' };
  // Same contact, new CE.
  const same = { ...old, ce: 'CE5', cseq: 2 };
  assert.deepEqual(applyMoves([old], [same]).moves, [{ from: old, to: same }]);
  // Another contact on an overlapping VPN: the old binding is dropped.
  const other = { ...base, contact: 'sip:grid-a@127.0.0.1:5002', vpnIds: ['00000b:00000001'], ce: 'CE5' };
  const result = applyMoves([old], [old, other]);
  assert.deepEqual(result.bindings, [other]);
  assert.deepEqual(result.moves, [{ from: old, to: other }]);
  // A refresh from the same CE, or another VPN, moves nothing.
  assert.deepEqual(applyMoves([old], [{ ...old, cseq: 3 }]).moves, []);
  const elsewhere = { ...other, vpnIds: ['00000b:00000002'] };
  assert.deepEqual(applyMoves([old], [old, elsewhere]), { bindings: [old, elsewhere], moves: [] });
});

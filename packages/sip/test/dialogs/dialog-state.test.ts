import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse, parseMessageOrThrow, SipRequest, SipResponse } from '../../src/messages/index.js';
import {
  confirmDialog,
  createInDialogRequest,
  receiveInDialogRequest,
  uacDialogState,
  uasDialogState,
} from '../../src/dialogs/dialog-state.js';

const INVITE = [
  'INVITE sip:bob@192.0.2.4 SIP/2.0',
  'Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bKnashds8',
  'Record-Route: <sip:p1.example.com;lr>',
  'Record-Route: <sip:p2.example.com;lr>',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: Alice <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.example.com>',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function invite(): SipRequest {
  return parseMessageOrThrow(Buffer.from(INVITE)) as SipRequest;
}

function ok(request: SipRequest): SipResponse {
  const r = createResponse(request, 200, { toTag: 'bobtag' });
  r.headers.append('Contact', '<sip:bob@192.0.2.4>');
  return r;
}

test('RFC 3261 §12.1.1 — UAS: route set is Record-Route in order, remote target is the request Contact', () => {
  const req = invite();
  const s = uasDialogState(req, ok(req), '<sip:bob@192.0.2.4>');
  assert.deepEqual(s.id, { callId: 'a84b4c76e66710', localTag: 'bobtag', remoteTag: '1928301774' });
  assert.deepEqual(s.routeSet, ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
  assert.equal(s.remoteTarget, 'sip:alice@pc33.example.com');
  assert.equal(s.remoteSeq, 314159);
  assert.equal(s.localSeq, undefined);
  assert.equal(s.phase, 'confirmed');
});

test('RFC 3261 §12.1.2 — UAC: route set is the response Record-Route reversed, remote target its Contact', () => {
  const req = invite();
  const res = ok(req);
  res.headers.set('Record-Route', ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
  const s = uacDialogState(req, res, '<sip:alice@pc33.example.com>');
  assert.deepEqual(s.routeSet, ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr>']);
  assert.equal(s.remoteTarget, 'sip:bob@192.0.2.4');
  assert.equal(s.localSeq, 314159);
  assert.equal(s.id.remoteTag, 'bobtag');
});

test('RFC 3261 §12.2.1.1 — loose routing: Request-URI is the remote target, Route is the route set', () => {
  const req = invite();
  const s = uasDialogState(req, ok(req), '<sip:bob@192.0.2.4>');
  const { request, state } = createInDialogRequest(s, 'BYE');
  assert.equal(request.uri.toString(), 'sip:alice@pc33.example.com');
  assert.deepEqual(request.headers.getAll('Route'), ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
  assert.equal(request.to.tag, '1928301774');
  assert.equal(request.from.tag, 'bobtag');
  assert.equal(request.cseq.method, 'BYE');
  assert.equal(state.localSeq, request.cseq.seq);
  const next = createInDialogRequest(state, 'INFO');
  assert.equal(next.request.cseq.seq, request.cseq.seq + 1);
});

test('RFC 3261 §12.2.1.1 — strict routing: first route becomes the Request-URI, remote target goes last', () => {
  const req = invite();
  req.headers.set('Record-Route', ['<sip:strict.example.com>', '<sip:p2.example.com;lr>']);
  const s = uasDialogState(req, ok(req), '<sip:bob@192.0.2.4>');
  const { request } = createInDialogRequest(s, 'BYE');
  assert.equal(request.uri.toString(), 'sip:strict.example.com');
  assert.deepEqual(request.headers.getAll('Route'), [
    '<sip:p2.example.com;lr>',
    '<sip:alice@pc33.example.com>',
  ]);
});

test('RFC 3261 §12.2.2 — a CSeq lower than the remote sequence number is rejected with 500', () => {
  const req = invite();
  const s = uasDialogState(req, ok(req), '<sip:bob@192.0.2.4>');
  const bye = createInDialogRequest(
    uacDialogState(req, ok(req), '<sip:alice@pc33.example.com>'),
    'BYE',
  ).request;
  bye.headers.set('CSeq', '314158 BYE');
  const out = receiveInDialogRequest(s, bye);
  assert.equal(out.ok, false);
  bye.headers.set('CSeq', '314160 BYE');
  const good = receiveInDialogRequest(s, bye);
  assert.ok(good.ok);
  assert.equal(good.ok && good.state.remoteSeq, 314160);
});

test('RFC 3261 §12.2.2 — a re-INVITE with a Contact refreshes the remote target', () => {
  const req = invite();
  const s = uasDialogState(req, ok(req), '<sip:bob@192.0.2.4>');
  const reinvite = createInDialogRequest(
    uacDialogState(req, ok(req), '<sip:alice@new.example.com>'),
    'INVITE',
  ).request;
  const out = receiveInDialogRequest(s, reinvite);
  assert.ok(out.ok);
  assert.equal(out.ok && out.state.remoteTarget, 'sip:alice@new.example.com');
});

test('RFC 3261 §13.2.2.4 — an early UAC dialog confirmed by the 2xx recomputes its route set and target', () => {
  const req = invite();
  const ringing = createResponse(req, 180, { toTag: 'bobtag' });
  ringing.headers.append('Contact', '<sip:bob@early.example.com>');
  ringing.headers.append('Record-Route', '<sip:p1.example.com;lr>');
  const early = uacDialogState(req, ringing, '<sip:alice@pc33.example.com>');
  assert.equal(early.phase, 'early');
  assert.deepEqual(early.routeSet, ['<sip:p1.example.com;lr>']);
  // A PRACK in the early dialog advances the local sequence number.
  const prack = createInDialogRequest(early, 'PRACK');
  assert.equal(prack.request.cseq.seq, 314160);
  const answer = ok(req);
  answer.headers.set('Record-Route', ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
  const confirmed = confirmDialog(prack.state, answer);
  assert.equal(confirmed.phase, 'confirmed');
  assert.deepEqual(confirmed.routeSet, ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr>']);
  assert.equal(confirmed.remoteTarget, 'sip:bob@192.0.2.4');
  assert.equal(confirmed.localSeq, 314160, 'the PRACK number is kept');
  // The ACK still carries the INVITE's number.
  assert.equal(createInDialogRequest(confirmed, 'ACK', { cseq: 314159 }).request.cseq.seq, 314159);
});

test('RFC 3261 §12.1.1 — an early UAS dialog is confirmed by its 2xx and keeps its sequence numbers', () => {
  const req = invite();
  const early = uasDialogState(req, createResponse(req, 183, { toTag: 'bobtag' }), '<sip:bob@192.0.2.4>');
  assert.equal(early.phase, 'early');
  const confirmed = confirmDialog({ ...early, remoteSeq: 314160 }, ok(req));
  assert.equal(confirmed.phase, 'confirmed');
  assert.equal(confirmed.remoteSeq, 314160);
  assert.equal(confirmed.remoteTarget, early.remoteTarget);
});

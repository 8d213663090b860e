import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipHeaderError } from '../../src/grammar/index.js';
import { SipHeaders } from '../../src/messages/index.js';
import { checkInfoPackage, parseInfoPackage, parseRecvInfo } from '../../src/dialogs/info-package.js';

test('RFC 6086 §8.1 — Info-Package is a token with optional parameters, compared case-insensitively', () => {
  assert.equal(parseInfoPackage('svpn-qos'), 'svpn-qos');
  assert.equal(parseInfoPackage(' DTMF ;foo=1'), 'dtmf');
  assert.throws(() => parseInfoPackage('not a token'), SipHeaderError);
  assert.throws(() => parseInfoPackage(''), SipHeaderError);
});

test('RFC 6086 §8.2 — Recv-Info lists packages over one or more fields, possibly none', () => {
  const h = new SipHeaders([
    ['Recv-Info', 'svpn-qos, DTMF'],
    ['Recv-Info', 'foo'],
  ]);
  assert.deepEqual(parseRecvInfo(h), ['svpn-qos', 'dtmf', 'foo']);
  assert.deepEqual(parseRecvInfo(new SipHeaders()), []);
});

test('RFC 6086 §4.2.2 — a package the receiver did not list gets 469 with its Recv-Info', () => {
  const listed = checkInfoPackage(new SipHeaders({ 'Info-Package': 'svpn-qos' }), ['svpn-qos']);
  assert.deepEqual(listed, { ok: true, infoPackage: 'svpn-qos' });
  const other = checkInfoPackage(new SipHeaders({ 'Info-Package': 'dtmf' }), ['svpn-qos', 'Foo']);
  assert.equal(other.ok, false);
  assert.equal(!other.ok && other.status, 469);
  assert.deepEqual(!other.ok && other.headers, { 'Recv-Info': 'svpn-qos, foo' });
  const none = checkInfoPackage(new SipHeaders({ 'Info-Package': 'dtmf' }), []);
  assert.equal(!none.ok && none.status, 469);
  assert.deepEqual(!none.ok && none.headers, { 'Recv-Info': '' }, 'an empty Recv-Info: we take none');
  const bad = checkInfoPackage(new SipHeaders({ 'Info-Package': 'a b' }), ['a']);
  assert.equal(!bad.ok && bad.status, 400);
});

test('RFC 6086 §2 — an INFO without Info-Package is legacy usage and passes', () => {
  assert.deepEqual(checkInfoPackage(new SipHeaders(), []), { ok: true, infoPackage: undefined });
});

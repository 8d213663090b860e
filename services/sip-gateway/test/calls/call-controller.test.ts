import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peerRequestUri, sessionIdFor, withAddress } from '../../src/calls/call-controller.js';

test('the same INVITE (Call-ID and From tag) always names the same session', () => {
  assert.equal(sessionIdFor('a@b', 't1'), sessionIdFor('a@b', 't1'));
  assert.notEqual(sessionIdFor('a@b', 't1'), sessionIdFor('a@b', 't2'));
  assert.match(sessionIdFor('a@b', 't1'), /^s-[0-9a-f]{20}$/);
});

test('a callee served by a peer gateway is addressed at the peer', () => {
  assert.equal(peerRequestUri('sip:127.0.0.1:5070', 'backup-dc'), 'sip:backup-dc@127.0.0.1:5070');
  assert.equal(peerRequestUri('sip:gw@[::1]:5072', 'a b'), 'sip:a%20b@[::1]:5072');
});

test('topology hiding across the bridge: o= and c= carry the gateway address', () => {
  const sdp =
    'v=0\r\no=svpn 1 1 IN IP4 192.0.2.7\r\ns=-\r\nc=IN IP4 192.0.2.7\r\nm=application 9 TCP svpn-data\r\n';
  const out = withAddress(sdp, '127.0.0.2');
  assert.match(out, /^o=svpn 1 1 IN IP4 127\.0\.0\.2\r$/m);
  assert.match(out, /^c=IN IP4 127\.0\.0\.2\r$/m);
  assert.doesNotMatch(out, /192\.0\.2\.7/);
  assert.match(withAddress(sdp, '::1'), /^c=IN IP6 ::1\r$/m);
});

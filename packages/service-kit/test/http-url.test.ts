import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpUrl } from '../src/index.js';

test('httpUrl: an IPv4 address as host:port, an IPv6 one in brackets (RFC 3986 §3.2.2)', () => {
  assert.equal(httpUrl({ address: '127.0.0.1', family: 'IPv4', port: 8081 }), 'http://127.0.0.1:8081');
  assert.equal(httpUrl({ address: '::1', family: 'IPv6', port: 9000 }), 'http://[::1]:9000');
});

test('httpUrl: no URL for a server not listening on TCP (null, or a pipe path)', () => {
  assert.equal(httpUrl(null), undefined);
  assert.equal(httpUrl('/tmp/svpn.sock'), undefined);
});

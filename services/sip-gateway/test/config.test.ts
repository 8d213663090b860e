import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@svpn/service-kit';
import { ConfigSchema, parsePeers, peerHost, peerPort } from '../src/config.js';

test('peers: domain=sip:host:port pairs, domains compared in lower case', () => {
  assert.deepEqual(parsePeers(''), {});
  assert.deepEqual(parsePeers('East.Example.net=sip:127.0.0.1:5070, west.example.net=sip:[::1]:5072'), {
    'east.example.net': 'sip:127.0.0.1:5070',
    'west.example.net': 'sip:[::1]:5072',
  });
  assert.throws(() => parsePeers('east.example.net'), /not domain=sip/);
  assert.throws(() => parsePeers('east.example.net=http://x'), /not domain=sip/);
});

test('a peer URI names the address (and port) its requests come from', () => {
  assert.equal(peerHost('sip:127.0.0.1:5070'), '127.0.0.1');
  assert.equal(peerPort('sip:127.0.0.1:5070'), 5070);
  assert.equal(peerHost('sip:gw@[::1]:5072;transport=udp'), '::1');
  assert.equal(peerPort('sip:gw@[::1]:5072;transport=udp'), 5072);
  assert.equal(peerHost('sip:gw2.example.net'), 'gw2.example.net');
  assert.equal(peerPort('sip:gw2.example.net'), undefined);
});

test('aggregates shrink with one bulk step of hysteresis by default; SVPN_HYSTERESIS_BPS sets it', () => {
  const defaults = loadConfig(ConfigSchema, {});
  assert.equal(defaults.hysteresisBps, defaults.bulkBps);
  assert.equal(loadConfig(ConfigSchema, { SVPN_HYSTERESIS_BPS: '0' }).hysteresisBps, 0);
});

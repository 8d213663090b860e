import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StreamFramer, classifyIncoming, parseMessage } from '@svpn/sip';
import { FUZZ_POLICY } from './check-case.js';
import { buildCorpus, realisticCorpus, tortureCorpus } from './corpus.js';

describe('fuzz corpus', () => {
  test('holds all 49 RFC 4475 torture messages, byte for byte', () => {
    const torture = tortureCorpus();
    assert.equal(torture.length, 49);
    assert.ok(torture.every((e) => e.name.startsWith('rfc4475/')));
    const wsinv = torture.find((e) => e.name === 'rfc4475/wsinv');
    assert.ok(wsinv);
    assert.equal(wsinv.data.subarray(0, 12).toString('latin1'), 'INVITE sip:v');
  });

  test('has the realistic messages the gateway sees', () => {
    const names = realisticCorpus().map((e) => e.name.slice('realistic/'.length));
    for (const required of [
      'invite-sdp',
      'register',
      'bye',
      'options',
      '100-trying',
      '180-ringing',
      '200-invite-sdp',
      'reinvite-record-route',
      'invite-multipart',
    ]) {
      assert.ok(names.includes(required), required);
    }
    assert.equal(buildCorpus().length, 49 + names.length);
  });

  for (const entry of realisticCorpus()) {
    test(`${entry.name} is well-formed: delivered over UDP and over a stream, with an exact Content-Length`, () => {
      const udp = classifyIncoming(entry.data, 'udp', FUZZ_POLICY);
      assert.equal(udp.action, 'deliver', udp.action === 'deliver' ? '' : udp.reason);
      assert.equal(udp.action === 'deliver' && udp.trailing, undefined);
      const parsed = parseMessage(entry.data, { datagram: true });
      assert.ok(parsed.ok);
      const m = parsed.message;
      // Every typed view reads without a syntax error.
      void [m.via, m.from, m.to, m.callId, m.cseq, m.contact, m.routes, m.recordRoutes, m.contentType];
      const frames = new StreamFramer().push(entry.data);
      assert.equal(frames.length, 1);
      const frame = frames[0];
      assert.ok(frame?.type === 'message');
      assert.ok(frame.data.equals(entry.data));
      assert.equal(classifyIncoming(frame.data, 'tcp', FUZZ_POLICY).action, 'deliver');
    });
  }
});

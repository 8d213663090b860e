import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import { classifyIncoming } from '@svpn/sip';
import {
  CONFORMANCE_POLICY,
  EXPECTATIONS,
  FIXTURES,
  describeFailure,
  evaluate,
  loadFixture,
  runCase,
} from './expectations.js';

describe('RFC 4475 torture messages through classifyIncoming (UDP, UAS + registrar)', () => {
  test('the table covers exactly the 49 fixture messages', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.dat'))
      .map((f) => f.slice(0, -4))
      .sort();
    assert.equal(files.length, 49);
    assert.deepEqual(EXPECTATIONS.map((e) => e.file).sort(), files);
  });

  for (const e of EXPECTATIONS) {
    test(`${e.file} (RFC 4475 §${e.section}): ${e.expected}`, () => {
      const failures = evaluate(e, runCase(e));
      assert.equal(failures.length, 0, describeFailure(failures));
    });
  }

  test('baddn with the header terminator ersip adds is still 400, now because of the display name', () => {
    const data = Buffer.concat([loadFixture('baddn'), Buffer.from('\r\n')]);
    const d = classifyIncoming(data, 'udp', CONFORMANCE_POLICY);
    assert.equal(d.action, 'respond');
    assert.equal(d.action === 'respond' && d.status, 400);
    assert.match(d.action === 'respond' ? d.response.toString('utf8') : '', /Warning: 399 svpn "From: /);
  });

  test('dblreq over TCP: the trailing INVITE is the next message, not noise', () => {
    const d = classifyIncoming(loadFixture('dblreq'), 'tcp', CONFORMANCE_POLICY);
    assert.equal(d.action, 'deliver');
    assert.equal(d.action === 'deliver' && d.trailing, 450);
  });

  test('the evaluation can fail: a wrong expectation is reported', () => {
    const wsinv = EXPECTATIONS.find((e) => e.file === 'wsinv');
    assert.ok(wsinv);
    const wrong = { ...wsinv, checks: () => [{ what: 'CSeq', expected: 10, got: 9 }] };
    const failures = evaluate(wrong, runCase(wsinv));
    assert.equal(describeFailure(failures), 'CSeq: expected 10 got 9');
  });
});

// Fuzz cases through a real SipAgent over UDP on 127.0.0.1 (a sample of what `npm run fuzz` sends).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runUdpSoak } from './udp-soak.js';

describe('UDP soak: mutated datagrams through a real SipAgent on 127.0.0.1', () => {
  test('every request that is not an ACK gets exactly one response, and the counters add up', async () => {
    const report = await runUdpSoak({ seed: 4475, datagrams: 500 });
    assert.deepEqual(report.problems, []);
    assert.equal(report.failed, 0);
    assert.equal(report.passed, 500);
    assert.equal(report.counters.received, 500);
    assert.equal(report.counters.sendErrors, 0);
    assert.equal(report.responsesReceived, report.counters.sent);
    // The sample reached every branch of the stack it is meant to exercise.
    for (const kind of ['deliver:request', 'deliver:response', 'drop', 'respond:400']) {
      assert.ok((report.expected[kind] ?? 0) > 0, `no datagram was ${kind}`);
    }
    assert.ok(report.skipped.maddr > 0, 'maddr datagrams are skipped, not sent');
  });

  test('the soak can fail: an INVITE handler that never answers is reported', async () => {
    const report = await runUdpSoak({ seed: 4475, datagrams: 300, inviteHandler: () => undefined });
    assert.ok(report.failed > 0);
    assert.ok(
      report.problems.some((p) => p.includes('request delivered but never answered')),
      report.problems.slice(0, 3).join('\n'),
    );
  });

  test('the soak can fail: an INVITE answered twice is reported', async () => {
    const report = await runUdpSoak({
      seed: 4475,
      datagrams: 300,
      inviteHandler: (_req, res) => {
        res.send(180);
        res.send(486);
      },
    });
    assert.ok(
      report.problems.some((p) => p.includes('request answered 2 times')),
      report.problems.join('\n'),
    );
  });
});

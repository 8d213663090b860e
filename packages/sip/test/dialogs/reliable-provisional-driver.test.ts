import { afterEach, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { ReliableProvisionalDriver } from '../../src/dialogs/reliable-provisional-driver.js';

const T1 = 100;

interface Log {
  sent: { response: string; rseq: number; retransmission: boolean; at: number }[];
  finals: string[];
  gaveUp: number;
}

function setup() {
  const log: Log = { sent: [], finals: [], gaveUp: 0 };
  let now = 0;
  const driver = new ReliableProvisionalDriver<string>({
    inviteCseq: 1,
    T1,
    firstRSeq: 500,
    delegate: {
      transmit: (response, rseq, retransmission) =>
        log.sent.push({ response, rseq, retransmission, at: now }),
      sendFinal: (response) => log.finals.push(response),
      giveUp: () => log.gaveUp++,
    },
  });
  const tick = (ms: number): void => {
    for (let i = 0; i < ms; i++) {
      now++;
      mock.timers.tick(1);
    }
  };
  return { driver, log, tick };
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

test('RFC 3262 §3 — retransmitted at T1, 2·T1, 4·T1 … until 64·T1, then a 5xx', () => {
  const { driver, log, tick } = setup();
  driver.provisional('180');
  assert.deepEqual(log.sent[0], { response: '180', rseq: 500, retransmission: false, at: 0 });
  tick(64 * T1);
  const at = log.sent.filter((s) => s.retransmission).map((s) => s.at);
  assert.deepEqual(
    at,
    [1, 3, 7, 15, 31, 63].map((k) => k * T1),
  );
  assert.ok(log.sent.every((s) => s.rseq === 500 && s.response === '180'));
  assert.equal(log.gaveUp, 1);
  assert.equal(driver.state.name, 'Terminated');
  tick(10 * T1);
  assert.equal(log.sent.length, 7, 'nothing more after giving up');
});

test('RFC 3262 §3 — the 2xx is held until the PRACK, which is answered first', () => {
  const { driver, log, tick } = setup();
  driver.provisional('183');
  driver.final('200', 200);
  assert.equal(driver.finalHeld, true);
  tick(2 * T1);
  assert.deepEqual(log.finals, [], 'no 2xx before the PRACK');
  const order: string[] = [];
  const realFinals = log.finals;
  driver.prack({ rseq: 500, cseq: 1, method: 'INVITE' }, (status) =>
    order.push(`prack ${status} (finals ${realFinals.length})`),
  );
  assert.deepEqual(order, ['prack 200 (finals 0)']);
  assert.deepEqual(log.finals, ['200']);
  const before = log.sent.length;
  tick(64 * T1);
  assert.equal(log.sent.length, before, 'retransmissions stopped');
  assert.equal(log.gaveUp, 0);
});

test('RFC 3262 §3 — queued provisionals go out one PRACK at a time with consecutive RSeqs', () => {
  const { driver, log } = setup();
  driver.provisional('180');
  driver.provisional('183');
  assert.deepEqual(
    log.sent.map((s) => s.response),
    ['180'],
  );
  const answers: number[] = [];
  driver.prack({ rseq: 500, cseq: 1, method: 'INVITE' }, (s) => answers.push(s));
  assert.deepEqual(
    log.sent.map((s) => [s.response, s.rseq]),
    [
      ['180', 500],
      ['183', 501],
    ],
  );
  driver.prack({ rseq: 500, cseq: 1, method: 'INVITE' }, (s) => answers.push(s));
  driver.prack({ rseq: 501, cseq: 1, method: 'INVITE' }, (s) => answers.push(s));
  assert.deepEqual(answers, [200, 481, 200]);
  assert.equal(driver.state.name, 'Idle');
  driver.final('200', 200);
  assert.deepEqual(log.finals, ['200'], 'nothing outstanding: the 2xx goes at once');
});

test('a non-2xx final replaces a held 2xx and stops the retransmissions', () => {
  const { driver, log, tick } = setup();
  driver.provisional('180');
  driver.final('200', 200);
  driver.final('487', 487);
  assert.deepEqual(log.finals, ['487']);
  tick(64 * T1);
  assert.equal(log.sent.length, 1);
  assert.equal(log.gaveUp, 0);
});

test('a second 2xx while one is held does not replace it', () => {
  const { driver, log } = setup();
  driver.provisional('180');
  driver.final('200-a', 200);
  driver.final('200-b', 200);
  driver.prack({ rseq: 500, cseq: 1, method: 'INVITE' }, () => undefined);
  assert.deepEqual(log.finals, ['200-a']);
});

test('stop() cancels the timers', () => {
  const { driver, log, tick } = setup();
  driver.provisional('180');
  driver.stop();
  tick(64 * T1);
  assert.equal(log.sent.length, 1);
  assert.equal(log.gaveUp, 0);
});

import { afterEach, beforeEach, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionTimerDriver } from '../../src/dialogs/session-timer-driver.js';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

function setup() {
  const calls: string[] = [];
  let now = 0;
  const driver = new SessionTimerDriver({
    delegate: {
      onRefresh: () => calls.push(`refresh@${now}`),
      onExpire: () => calls.push(`bye@${now}`),
    },
  });
  const tick = (ms: number): void => {
    for (let i = 0; i < ms; i += 100) {
      now += 100;
      mock.timers.tick(100);
    }
  };
  return { driver, calls, tick };
}

test('RFC 4028 §10 — the refresher refreshes at half the interval, each agreement restarting the clock', () => {
  const { driver, calls, tick } = setup();
  driver.negotiated({ interval: 90, refresher: 'uac' }, 'uac');
  assert.equal(driver.state.name, 'Refreshing');
  tick(45_000);
  assert.deepEqual(calls, ['refresh@45000']);
  // The refresh's 2xx arrives 1 s later.
  tick(1000);
  driver.negotiated({ interval: 90, refresher: 'uac' }, 'uac');
  tick(45_000);
  assert.deepEqual(calls, ['refresh@45000', 'refresh@91000']);
});

test('RFC 4028 §10 — the other side sends BYE at interval − min(32, interval/3) without a refresh', () => {
  const { driver, calls, tick } = setup();
  driver.negotiated({ interval: 90, refresher: 'uac' }, 'uas');
  assert.equal(driver.state.name, 'Watching');
  tick(59_900);
  assert.deepEqual(calls, []);
  tick(100);
  assert.deepEqual(calls, ['bye@60000']);
  assert.equal(driver.state.name, 'Expired');
  tick(200_000);
  assert.equal(calls.length, 1);
});

test('refreshes arriving in time keep the session; a long interval uses the 32 s margin', () => {
  const { driver, calls, tick } = setup();
  driver.negotiated({ interval: 1800, refresher: 'uas' }, 'uac');
  for (let i = 0; i < 3; i++) {
    tick(900_000);
    driver.negotiated({ interval: 1800, refresher: 'uac' }, 'uas');
  }
  assert.deepEqual(calls, []);
  tick(1768_000);
  assert.deepEqual(calls, ['bye@4468000']);
});

test('a refresher whose refreshes keep failing ends the session at the expiry too', () => {
  const { driver, calls, tick } = setup();
  driver.negotiated({ interval: 90, refresher: 'uas' }, 'uas');
  tick(45_000);
  driver.refreshFailed(500);
  tick(15_000);
  assert.deepEqual(calls, ['refresh@45000', 'bye@60000']);
});

test('RFC 4028 §10 — a refresh answered 408 or 481 ends the session at once', () => {
  const { driver, calls, tick } = setup();
  driver.negotiated({ interval: 90, refresher: 'uac' }, 'uac');
  tick(45_000);
  driver.refreshFailed(408);
  assert.deepEqual(calls, ['refresh@45000', 'bye@45000']);
  tick(100_000);
  assert.equal(calls.length, 2);
});

test('no Session-Expires in a 2xx disables the timer; stop() cancels it', () => {
  const { driver, calls, tick } = setup();
  driver.negotiated({ interval: 90, refresher: 'uac' }, 'uac');
  driver.negotiated(undefined, 'uac');
  assert.equal(driver.state.name, 'Inactive');
  assert.equal(driver.active, undefined);
  tick(100_000);
  assert.deepEqual(calls, []);
  driver.negotiated({ interval: 90, refresher: 'uac' }, 'uas');
  driver.stop();
  tick(100_000);
  assert.deepEqual(calls, []);
  assert.equal(driver.state.name, 'Stopped');
});

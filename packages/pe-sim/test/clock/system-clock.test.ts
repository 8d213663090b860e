import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock/sim-clock.js';

describe('systemClock.sleep', () => {
  test('resolves after the time, and leaves no abort listener behind', async () => {
    const controller = new AbortController();
    const started = Date.now();
    await systemClock.sleep(20, controller.signal);
    assert.ok(Date.now() - started >= 15);
    // Aborting after the sleep ended must not reject anything (the listener is gone).
    controller.abort('late');
  });

  test('an abort rejects with the signal’s own reason, at once', async () => {
    const controller = new AbortController();
    const reason = { why: 'operation finished' };
    const sleeping = systemClock.sleep(60_000, controller.signal);
    const started = Date.now();
    controller.abort(reason);
    await assert.rejects(sleeping, (error: unknown) => error === reason);
    assert.ok(Date.now() - started < 1_000);
  });

  test('an already aborted signal rejects without waiting', async () => {
    const controller = new AbortController();
    controller.abort('before');
    await assert.rejects(
      systemClock.sleep(60_000, controller.signal),
      (error: unknown) => error === 'before',
    );
  });
});

describe('systemClock.after', () => {
  test('fires after the time unless cancelled first', async () => {
    const fired: string[] = [];
    const started = Date.now();
    systemClock.after(20, () => fired.push('kept'));
    const cancel = systemClock.after(10, () => fired.push('cancelled'));
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 40));
    assert.deepEqual(fired, ['kept']);
    assert.ok(Date.now() - started >= 15);
    cancel(); // cancelling again, or after the time, is harmless
  });
});

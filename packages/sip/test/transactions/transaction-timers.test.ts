import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { systemTimers } from '../../src/transactions/index.js';

describe('systemTimers', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('uses the global setTimeout at call time, so mocked timers drive it', () => {
    let fired = 0;
    systemTimers.setTimeout(() => (fired += 1), 500);
    mock.timers.tick(499);
    assert.equal(fired, 0);
    mock.timers.tick(1);
    assert.equal(fired, 1);
  });

  it('a cleared handle never calls back', () => {
    let fired = 0;
    const handle = systemTimers.setTimeout(() => (fired += 1), 10);
    systemTimers.clearTimeout(handle);
    mock.timers.tick(100);
    assert.equal(fired, 0);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tearDown } from '../src/index.js';

test('tearDown runs every step in order, past a stuck one (reported) and a failing one (thrown last)', async (t) => {
  const ran: string[] = [];
  const written: string[] = [];
  t.mock.method(process.stderr, 'write', (chunk: string) => {
    written.push(chunk);
    return true;
  });
  const done = tearDown(
    [
      ['first', () => void ran.push('first')],
      ['stuck', () => new Promise(() => ran.push('stuck'))],
      [
        'failing',
        () => {
          ran.push('failing');
          throw new Error('close failed');
        },
      ],
      ['last', async () => void ran.push('last')],
    ],
    50,
  );
  await assert.rejects(done, /close failed/);
  assert.deepEqual(ran, ['first', 'stuck', 'failing', 'last']);
  assert.equal(written.length, 1);
  assert.match(written[0] ?? '', /^teardown: "stuck" has not finished after 50 ms; going on \(handles: /);
});

test('tearDown resolves when every step settles in time, and says nothing', async (t) => {
  const write = t.mock.method(process.stderr, 'write', () => true);
  await tearDown([['quick', () => new Promise((r) => setTimeout(r, 5))]], 1_000);
  assert.equal(write.mock.callCount(), 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHead, runSipp, startRedisServer, freePort } from '../src/index.js';
import { createConnection } from 'node:net';

/** What the Redis server on `port` answers to PING. */
function ping(port: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString());
    });
    s.once('error', reject);
  });
}

test('startRedisServer runs a private redis-server that answers and stops', async () => {
  const redis = await startRedisServer();
  const reply = await ping(redis.port);
  assert.equal(reply, '+PONG\r\n');
  await redis.stop();
});

test('startRedisServer never hands out a server it did not start: a port another one serves is refused', async () => {
  const first = await startRedisServer();
  try {
    await assert.rejects(
      startRedisServer({ port: first.port }),
      /could not take port \d+: process \d+ serves it/,
    );
    // The first server is untouched.
    const reply = await ping(first.port);
    assert.equal(reply, '+PONG\r\n');
  } finally {
    await first.stop();
  }
});

test('runSipp reports the final counters of a SIPp uac/uas pair', async () => {
  const port = await freePort();
  const uas = runSipp({ builtin: 'uas', localPort: port, timeoutMs: 15_000 });
  await new Promise((r) => setTimeout(r, 300));
  const uac = await runSipp({ builtin: 'uac', target: `127.0.0.1:${port}`, maxCalls: 5, rate: 50 }).done;
  uas.stop();
  await uas.done;
  assert.equal(uac.exitCode, 0, uac.stderr);
  assert.equal(uac.successfulCalls, 5);
  assert.equal(uac.failedCalls, 0);
});

test('readHead returns the first bytes of a file, all of a short one, and nothing for a missing one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svpn-readhead-'));
  try {
    const file = join(dir, 'errors.log');
    writeFileSync(file, 'x'.repeat(200_000) + 'tail');
    assert.equal(readHead(file, 65_536), 'x'.repeat(65_536));
    writeFileSync(file, 'short');
    assert.equal(readHead(file, 65_536), 'short');
    assert.equal(readHead(join(dir, 'missing.log'), 65_536), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

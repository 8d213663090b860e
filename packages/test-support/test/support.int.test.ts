import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp, startRedisServer, freePort } from '../src/index.js';
import { createConnection } from 'node:net';

test('startRedisServer runs a private redis-server that answers and stops', async () => {
  const redis = await startRedisServer();
  const reply = await new Promise<string>((resolve, reject) => {
    const s = createConnection({ port: redis.port, host: '127.0.0.1' }, () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      resolve(d.toString());
    });
    s.once('error', reject);
  });
  assert.equal(reply, '+PONG\r\n');
  await redis.stop();
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

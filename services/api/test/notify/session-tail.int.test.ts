/**
 * The session event tail behind the live views: every event reaches the bus in order, and under a
 * steady stream of events its reads are paced (one XREAD per pace, not one per event).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { silentLogger } from '@svpn/service-kit';
import { KeySpace, SESSION_EVENT_FIELD, sessionEventStream } from '@svpn/store';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { EventBus, SessionTail, type SessionNotice } from '../../src/notify/event-bus.js';

let server: RedisServerHandle;
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  await server.stop();
});

/** Runs a tail with `paceMs`, adds 40 events 5 ms apart; the events it emitted and the XREADs it sent. */
async function tailUnderLoad(prefix: string, paceMs: number): Promise<{ seen: string[]; reads: number }> {
  const reader = new Redis(server.url);
  let reads = 0;
  const send = reader.sendCommand.bind(reader);
  reader.sendCommand = ((...args: Parameters<typeof send>) => {
    if (args[0]?.name === 'xread') reads++;
    return send(...args);
  }) as typeof reader.sendCommand;
  const writer = new Redis(server.url);
  const bus = new EventBus();
  const seen: string[] = [];
  bus.on('session', (n: SessionNotice) => seen.push(n.event.sessionId));
  const tail = new SessionTail(reader, prefix, bus, silentLogger(), 1000, paceMs);
  try {
    await sleep(100); // the first XREAD (from `$`) is waiting
    const stream = sessionEventStream(new KeySpace(prefix));
    for (let i = 0; i < 40; i++) {
      await writer.xadd(
        stream,
        '*',
        SESSION_EVENT_FIELD,
        JSON.stringify({ type: 'start', sessionId: `s${i}` }),
      );
      await sleep(5);
    }
    for (let i = 0; i < 100 && seen.length < 40; i++) await sleep(20);
    return { seen, reads };
  } finally {
    await tail.stop();
    writer.disconnect();
  }
}

test('every session event reaches the bus in order; reads are paced under a steady stream', async () => {
  const paced = await tailUnderLoad('tail-paced', 50);
  assert.deepEqual(
    paced.seen,
    Array.from({ length: 40 }, (_, i) => `s${i}`),
  );
  const unpaced = await tailUnderLoad('tail-unpaced', 0);
  assert.equal(unpaced.seen.length, 40);
  // 40 events over ~250 ms: a read per pace (measured 8) against a read per event without (42).
  assert.ok(paced.reads <= 20, `${paced.reads} XREADs with a 50 ms pace`);
  assert.ok(unpaced.reads >= paced.reads * 2, `${unpaced.reads} XREADs unpaced vs ${paced.reads} paced`);
});

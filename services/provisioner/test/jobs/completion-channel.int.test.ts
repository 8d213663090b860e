import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { ProvisioningFailedError } from '@svpn/provisioning';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import {
  CompletionListener,
  completionChannel,
  deliverLocally,
  parseCompletion,
  publishCompletion,
} from '../../src/jobs/completion-channel.js';
import { Harness, sessionIntent } from '../support/harness.js';

let redis: RedisServerHandle;
before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await redis.stop();
});

describe('completion notices', () => {
  test('parseCompletion accepts the two notice forms and nothing else', () => {
    assert.deepEqual(
      parseCompletion('{"pe":"PE1","jobId":"j","status":"completed","outcome":{"outcome":"applied"}}'),
      {
        pe: 'PE1',
        jobId: 'j',
        status: 'completed',
        outcome: { outcome: 'applied' },
      },
    );
    assert.deepEqual(parseCompletion('{"pe":"PE1","jobId":"j","status":"failed","reason":"[X] y"}'), {
      pe: 'PE1',
      jobId: 'j',
      status: 'failed',
      reason: '[X] y',
    });
    for (const junk of [
      '',
      'nope',
      '[]',
      'null',
      '{"pe":"PE1","jobId":"j","status":"odd"}',
      '{"pe":1,"jobId":"j","status":"completed"}',
    ])
      assert.equal(parseCompletion(junk), null, junk);
  });

  test('a waiter is woken by the notice of its job only, and cancelled waiters are dropped', async () => {
    const conn = new Redis(redis.url);
    const channel = completionChannel('t1:{provisioning-queues}');
    const listener = new CompletionListener(conn, channel);
    try {
      await listener.ready();
      const a = listener.wait('PE1', 'job-a');
      const b = listener.wait('PE1', 'job-b');
      assert.equal(listener.waiting, 2);
      await publishCompletion(conn, channel, {
        pe: 'PE2',
        jobId: 'job-a',
        status: 'failed',
        reason: 'other PE',
      });
      await publishCompletion(conn, channel, {
        pe: 'PE1',
        jobId: 'job-a',
        status: 'completed',
        outcome: null,
      });
      assert.deepEqual(await a.notice, { pe: 'PE1', jobId: 'job-a', status: 'completed', outcome: null });
      b.cancel();
      assert.equal(listener.waiting, 0, 'woken and cancelled waiters are gone');
    } finally {
      await listener.close();
      conn.disconnect();
    }
  });

  test('a notice is handed to a waiter of this process without Redis; with none, the worker must publish', async () => {
    const conn = new Redis(redis.url);
    const channel = completionChannel('t2:{provisioning-queues}');
    const listener = new CompletionListener(conn, channel);
    try {
      await listener.ready();
      const notice = { pe: 'PE1', jobId: 'job-a', status: 'completed', outcome: null } as const;
      assert.equal(deliverLocally(channel, notice), false, 'nobody waits: not delivered');
      const a = listener.wait('PE1', 'job-a');
      assert.equal(deliverLocally(completionChannel('other:{provisioning-queues}'), notice), false);
      assert.equal(deliverLocally(channel, notice), true);
      assert.deepEqual(await a.notice, notice);
      await listener.close();
      listener.wait('PE1', 'job-b');
      assert.equal(
        deliverLocally(channel, { ...notice, jobId: 'job-b' }),
        false,
        'a closed listener takes nothing',
      );
    } finally {
      await listener.close();
      conn.disconnect();
    }
  });

  test('a flow finishes on the workers’ notices, long before the first poll would look', async () => {
    // The first poll comes after 30 s: a setup that completes in a few seconds was woken by notices.
    const h = await Harness.start({ redisUrl: redis.url, name: 'notice1', pollIntervalMs: 30_000 });
    const stats = new Redis(redis.url);
    await stats.config('RESETSTAT'); // the tests before published notices by hand
    try {
      await h.advertiseMemberships();
      const started = Date.now();
      const granted = await h.provisioner.provisionSession(sessionIntent('s1'));
      assert.equal(granted.lspId, 'lsp-s1');
      assert.ok(Date.now() - started < 10_000, `setup took ${Date.now() - started} ms`);
      // A job that fails for good (the PE has no room: no retry can help) is reported from its notice too.
      const failedAt = Date.now();
      await assert.rejects(
        h.provisioner.provisionSession(sessionIntent('s2', { bandwidthBps: 900_000_000_000 })),
        (error: unknown) => error instanceof ProvisioningFailedError,
      );
      assert.ok(Date.now() - failedAt < 10_000, `failure took ${Date.now() - failedAt} ms`);
      // Workers and waiters share this process: every notice was handed over without a PUBLISH.
      assert.doesNotMatch(await stats.info('commandstats'), /cmdstat_publish:/, 'no notice was published');
    } finally {
      stats.disconnect();
      await h.close();
    }
  });
});

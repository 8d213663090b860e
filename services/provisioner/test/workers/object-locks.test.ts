import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectLocks, objectKeyOf } from '../../src/workers/object-locks.js';

describe('objectKeyOf', () => {
  test('names the network object each job type converges', () => {
    assert.equal(objectKeyOf('rsvp-te.signal', { pe: 'PE1', lspId: 'L1' }), 'lsp:L1');
    assert.equal(objectKeyOf('rsvp-te.resize', { pe: 'PE1', lspId: 'L1' }), 'lsp:L1');
    assert.equal(objectKeyOf('rsvp-te.teardown', { pe: 'PE1', lspId: 'L1' }), 'lsp:L1');
    assert.equal(objectKeyOf('uni.add-session', { pe: 'PE1', sessionId: 's1' }), 'session:s1');
    assert.equal(objectKeyOf('uni.remove-session', { pe: 'PE1', sessionId: 's1' }), 'session:s1');
    // A session's marking and its UNI are one object: never at once.
    assert.equal(objectKeyOf('marking.apply', { pe: 'PE1', target: { sessionId: 's1' } }), 'session:s1');
    assert.equal(objectKeyOf('marking.apply', { pe: 'PE1', target: { serviceClass: 'ef' } }), 'class:ef');
    assert.equal(
      objectKeyOf('bgp.advertise-membership', { pe: 'PE1', vpnId: 'v', ce: 'CE1' }),
      'membership:v|CE1',
    );
    assert.equal(
      objectKeyOf('bgp.withdraw-membership', { pe: 'PE1', vpnId: 'v', ce: 'CE1' }),
      'membership:v|CE1',
    );
    assert.equal(objectKeyOf('ldp.bind', { pe: 'PE1', fec: '192.0.2.1/32' }), 'ldp:192.0.2.1/32');
  });

  test('a payload that names no object has no key (it fails validation before any PE call)', () => {
    assert.equal(objectKeyOf('rsvp-te.resize', { pe: 'PE1' }), null);
    assert.equal(objectKeyOf('marking.apply', { pe: 'PE1', target: 7 }), null);
    assert.equal(objectKeyOf('ldp.explode', { fec: 'x' }), null);
    assert.equal(objectKeyOf('uni.add-session', null), null);
  });
});

describe('ObjectLocks (in one process)', () => {
  test('jobs on one object run one at a time, in the order they asked', async () => {
    const locks = new ObjectLocks({ keyPrefix: 't' });
    const log: string[] = [];
    let inside = 0;
    let most = 0;
    const job = (name: string, ms: number) =>
      locks.run('lsp:L1', async () => {
        inside++;
        most = Math.max(most, inside);
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${name}`);
        inside--;
      });
    await Promise.all([job('a', 15), job('b', 1), job('c', 5)]);
    assert.equal(most, 1);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.equal(locks.held, 0, 'nothing left behind');
  });

  test('jobs on different objects overlap', async () => {
    const locks = new ObjectLocks({ keyPrefix: 't' });
    let inside = 0;
    let most = 0;
    const job = (key: string) =>
      locks.run(key, async () => {
        inside++;
        most = Math.max(most, inside);
        await new Promise((r) => setTimeout(r, 10));
        inside--;
      });
    await Promise.all([job('lsp:L1'), job('session:s1'), job('session:s2')]);
    assert.equal(most, 3);
  });

  test('a job that fails releases its object for the next one', async () => {
    const locks = new ObjectLocks({ keyPrefix: 't' });
    const first = locks.run('session:s1', async () => {
      throw new Error('PE refused');
    });
    const second = locks.run('session:s1', async () => 'ran');
    await assert.rejects(first, /PE refused/);
    assert.equal(await second, 'ran');
    assert.equal(locks.held, 0);
  });
});

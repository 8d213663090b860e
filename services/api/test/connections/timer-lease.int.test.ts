/**
 * Several API processes on one Redis: only the holder of the timer lease fires the connections'
 * timers; when it dies (its lease lapses, nothing released) a standby takes over within the lease's
 * TTL, rebuilds the timers from the store and fires the pending one; a timer fired by two
 * processes at once releases the booking once. Real Redis and real leases; the ports the hold
 * timeout touches (the admission leader's ledger, the SLA usage) are recording fakes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { silentLogger } from '@svpn/service-kit';
import { RedisLeaderLease } from '@svpn/store';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import type { Connection } from '@svpn/api-contract';
import { ConnectionService } from '../../src/connections/connection-service.js';
import { RedisConnectionStore, timerLeaseKey } from '../../src/connections/connection-store.js';
import type { ConnectionRecord } from '../../src/connections/connection-record.js';
import type { AdmissionPort, PolicyPort, SipPort } from '../../src/ports.js';

let server: RedisServerHandle;
const clients: Redis[] = [];
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

/** What the processes did to the shared world: ledger releases and SLA usage given back. */
interface World {
  released: string[];
  usageReleased: string[];
}

/** One API process's connection service: its own Redis connection, store and lease. */
interface Process {
  name: string;
  service: ConnectionService;
  lease: RedisLeaderLease | undefined;
  store: RedisConnectionStore;
}

// Short, so a takeover is quick; renewed every 250 ms, which a loaded machine's event loop still manages.
const LEASE_TTL_MS = 1500;

async function startProcess(
  name: string,
  prefix: string,
  world: World,
  options: { lease?: boolean } = {},
): Promise<Process> {
  const redis = new Redis(server.url);
  clients.push(redis);
  const store = new RedisConnectionStore(redis, prefix);
  const admission: AdmissionPort = {
    admit: () => Promise.reject(new Error('not in this test')),
    resize: () => Promise.reject(new Error('not in this test')),
    release: async (sessionId) => {
      world.released.push(`${name}:${sessionId}`);
    },
  };
  const policy = {
    releaseUsage: async (sessionId: string) => {
      world.usageReleased.push(sessionId);
    },
  } as unknown as PolicyPort;
  const sip = { onEnded: () => undefined } as unknown as SipPort;
  const lease =
    options.lease === false
      ? undefined
      : new RedisLeaderLease(redis, {
          key: timerLeaseKey(prefix),
          holder: name,
          ttlMs: LEASE_TTL_MS,
          renewIntervalMs: 250,
          delegate: {
            onAcquired: () => void service.sweepTimers(),
            onLost: () => service.dropTimers(),
          },
        });
  const service: ConnectionService = new ConnectionService({
    store,
    policy,
    admission,
    location: { ceOf: async () => undefined },
    sip,
    log: silentLogger(),
    timerPollMs: 100,
    ...(lease === undefined ? {} : { timerLease: lease }),
  });
  await lease?.start();
  await service.start();
  return { name, service, lease, store };
}

/** A reservation held (and booked) until `holdUntil`, with its hold timer in the store. */
async function heldConnection(store: RedisConnectionStore, id: string, holdUntil: number): Promise<void> {
  const at = new Date().toISOString();
  const connection: Connection = {
    connectionId: id,
    application: 'grid-a',
    customerId: 'globex',
    vpnId: '00000b:00000001',
    source: { application: 'grid-a', ce: 'CE3' },
    destination: { application: 'grid-b', ce: 'CE4' },
    criteria: {
      version: 1,
      bandwidthBps: 10_000_000,
      serviceClass: 'high-throughput-data',
      priority: null,
      startTime: null,
      endTime: null,
    },
    pendingCriteria: null,
    committedVersion: 0,
    states: {
      reservationState: 'ReserveHeld',
      provisionState: 'Released',
      lifecycleState: 'Created',
      dataPlaneStatus: { active: false, version: 0, versionConsistent: true },
    },
    autoCommit: false,
    autoProvision: false,
    holdExpiresAt: new Date(holdUntil).toISOString(),
    session: null,
    lastError: null,
    createdAt: at,
    updatedAt: at,
  };
  const record: ConnectionRecord = {
    connection,
    internal: {
      callSeq: 1,
      booked: true,
      ingressPe: 'PE2',
      egressPe: 'PE5',
      hostedDestination: false,
      grant: null,
      previous: null,
    },
  };
  await store.put(record);
  await store.setTimer(id, 'hold', holdUntil);
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function reservationState(store: RedisConnectionStore, id: string): Promise<string | undefined> {
  return (await store.get(id))?.connection.states.reservationState;
}

test('two processes: only the lease holder fires; the timer fires once; the other never does', async () => {
  const world: World = { released: [], usageReleased: [] };
  const a = await startProcess('a', 'two', world);
  const b = await startProcess('b', 'two', world);
  try {
    assert.equal(a.lease?.held, true);
    assert.equal(b.lease?.held, false);
    // Set by "b" (a request it served), due in 300 ms: "a" must find it in the store and fire it.
    await heldConnection(b.store, 'c-two-1', Date.now() + 300);
    await until(async () => (await reservationState(a.store, 'c-two-1')) === 'ReserveTimeout', 'timeout');
    await sleep(400); // several polls of both: nothing fires twice
    assert.equal(world.released.length, 1);
    assert.match(world.released[0] ?? '', /^a:/, 'fired by the holder');
    assert.equal(world.usageReleased.length, 1);
    const events = await a.store.events('c-two-1');
    assert.deepEqual(
      events.map((e) => e.type),
      ['reserveTimeout'],
    );
    assert.deepEqual(await a.store.timers(), [], 'the timer is done');
  } finally {
    for (const p of [a, b]) {
      p.service.close();
      await p.lease?.stop();
    }
  }
});

test('the holder dies (lease not released): the standby takes over within the TTL and fires the pending timer', async () => {
  const world: World = { released: [], usageReleased: [] };
  const a = await startProcess('a', 'crash', world);
  const b = await startProcess('b', 'crash', world);
  try {
    assert.equal(a.lease?.held, true);
    // Due well after "a" dies, even on a loaded machine, so that only the standby can fire it.
    await heldConnection(a.store, 'c-crash-1', Date.now() + 1500);
    // "a" dies before the timer is due: its timers stop and its lease is left to lapse.
    a.service.close();
    await a.lease?.stop({ release: false });
    const died = Date.now();
    await until(() => b.lease?.held === true, 'b takes the lease', 3000);
    // The lease lapses after its TTL; the standby's next try (every 250 ms) takes it.
    assert.ok(Date.now() - died <= LEASE_TTL_MS + 1000, `taken over in ${Date.now() - died} ms`);
    await until(
      async () => (await reservationState(b.store, 'c-crash-1')) === 'ReserveTimeout',
      'b fires the pending timer',
    );
    // The firing's effects follow the stored state change: wait for them all, then check them.
    await until(
      async () =>
        world.released.length > 0 && world.usageReleased.length > 0 && (await b.store.timers()).length === 0,
      'the booking, the usage and the timer released',
    );
    await sleep(200); // a second firing would show up here
    assert.deepEqual(world.released, [`b:${world.released[0]?.slice(2)}`]);
    assert.equal(world.usageReleased.length, 1);
    assert.deepEqual(await b.store.timers(), []);
  } finally {
    for (const p of [a, b]) {
      p.service.close();
      await p.lease?.stop();
    }
  }
});

test('a timer fired by two processes at once (no lease between them) releases the booking once', async () => {
  const world: World = { released: [], usageReleased: [] };
  const a = await startProcess('a', 'race', world, { lease: false });
  const b = await startProcess('b', 'race', world, { lease: false });
  try {
    const due = Date.now() + 250;
    for (let i = 0; i < 5; i++) await heldConnection(a.store, `c-race-${i}`, due);
    await until(async () => {
      const states = await Promise.all([0, 1, 2, 3, 4].map((i) => reservationState(a.store, `c-race-${i}`)));
      return states.every((s) => s === 'ReserveTimeout');
    }, 'all timed out');
    await sleep(300);
    assert.equal(world.released.length, 5, world.released.join(' '));
    assert.equal(new Set(world.released.map((r) => r.slice(2))).size, 5, 'each connection once');
    for (let i = 0; i < 5; i++) assert.equal((await a.store.events(`c-race-${i}`)).length, 1);
  } finally {
    a.service.close();
    b.service.close();
  }
});

test('a claimant that dies before firing: the timer fires once its claim lapses', async () => {
  const world: World = { released: [], usageReleased: [] };
  const setup = new Redis(server.url);
  clients.push(setup);
  const store = new RedisConnectionStore(setup, 'lapse');
  const now = Date.now();
  // Another process claimed the due timer for 1.5 s and died before firing it.
  const claimUntil = now + 1500;
  await heldConnection(store, 'c-lapse-1', now - 10);
  assert.equal(await store.claimTimer('c-lapse-1', 'hold', now, claimUntil), claimUntil);
  const p = await startProcess('p', 'lapse', world, { lease: false });
  try {
    await sleep(200);
    // (A machine too busy to get here well before the claim lapses proves nothing either way.)
    if (Date.now() < claimUntil - 500) {
      assert.equal(await reservationState(store, 'c-lapse-1'), 'ReserveHeld', 'hidden while claimed');
    }
    await until(
      async () => (await reservationState(store, 'c-lapse-1')) === 'ReserveTimeout',
      'fired after the claim lapsed',
    );
    assert.ok(Date.now() >= claimUntil, 'not before the claim lapsed');
    await until(
      async () => world.released.length > 0 && (await store.timers()).length === 0,
      'the booking and the timer released',
    );
    await sleep(200);
    assert.equal(world.released.length, 1);
    assert.deepEqual(await store.timers(), []);
  } finally {
    p.service.close();
  }
});

test('a commit on one process and an abort on the other, at once: one wins, the other is refused (the lock in Redis)', async () => {
  const world: World = { released: [], usageReleased: [] };
  const a = await startProcess('a', 'lock', world, { lease: false });
  const b = await startProcess('b', 'lock', world, { lease: false });
  const operator = { application: null, operator: true };
  try {
    for (let i = 0; i < 5; i++) {
      const id = `c-lock-${i}`;
      await heldConnection(a.store, id, Date.now() + 60_000);
      const releasedBefore = world.released.length;
      const results = await Promise.allSettled([
        a.service.commit(id, operator),
        b.service.abort(id, operator),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1, `${id}: exactly one change applies`);
      assert.equal((lost[0]?.reason as { nsiCode?: string }).nsiCode, 'INVALID_TRANSITION');
      const committed = results[0]?.status === 'fulfilled';
      // The record is what the winner left: committed and still booked, or aborted and given back.
      const stored = await a.store.get(id);
      assert.equal(stored?.connection.states.reservationState, 'ReserveStart');
      assert.equal(stored?.connection.committedVersion, committed ? 1 : 0);
      assert.equal(stored?.internal.booked, committed);
      assert.equal(world.released.length - releasedBefore, committed ? 0 : 1);
    }
  } finally {
    a.service.close();
    b.service.close();
  }
});

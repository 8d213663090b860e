import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import type { PeSimulator } from '../../src/index.js';
import { PE1_TO_PE2, TestNetwork } from '../support/demo-network.js';

/**
 * Every PE operation is one Redis round trip (one script run, the fault draw included), whether or
 * not faults are armed. Counted with MONITOR, which reports the commands a script runs itself with
 * source `lua`: those are not round trips.
 */

let net: TestNetwork;
before(async () => {
  net = await TestNetwork.start();
});
after(async () => {
  await net.stop();
});

const M = 1_000_000;

/** The top-level commands `redis` sends while `body` runs. */
async function commandsOf(redis: Redis, body: () => Promise<unknown>): Promise<string[]> {
  const monitor = await net.client().monitor();
  const seen: string[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua') seen.push(args[0] === 'echo' ? `echo ${args[1]}` : (args[0] ?? ''));
  });
  // MONITOR reports asynchronously: an ECHO through the observed connection marks each end
  const mark = async (name: string): Promise<void> => {
    await redis.echo(name);
    for (let i = 0; i < 200 && !seen.includes(`echo ${name}`); i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(seen.includes(`echo ${name}`), 'MONITOR is reporting');
  };
  await mark('start');
  let error: unknown;
  await body().catch((e: unknown) => (error = e));
  await mark('end');
  monitor.disconnect();
  if (error) throw error;
  return seen.slice(seen.indexOf('echo start') + 1, seen.indexOf('echo end'));
}

async function populated(): Promise<{ sim: PeSimulator; redis: Redis }> {
  const redis = net.client();
  const { sim } = net.simulator({ redis });
  await sim.bgpAdvertiseMembership({
    pe: 'PE1',
    vpnId: 'v',
    ce: 'CE1',
    rd: '65000:1',
    importTargets: ['65000:1'],
    exportTargets: ['65000:1'],
  });
  // warm up every script (a first EVALSHA answers NOSCRIPT and is sent again as EVAL)
  await sim.uniAddSession({
    pe: 'PE1',
    sessionId: 'w',
    vpnId: 'v',
    ce: 'CE1',
    interface: 'if0',
    bandwidthBps: M,
    marking: { dscp: 0 },
    sessionDscp: 1,
  });
  await sim.uniModifySession({ pe: 'PE1', sessionId: 'w', bandwidthBps: 2 * M });
  await sim.markingApply({ pe: 'PE1', target: { sessionId: 'w' }, dscp: 2 });
  await sim.uniRemoveSession({ pe: 'PE1', sessionId: 'w' });
  await sim.ldpBind({ pe: 'PE1', fec: '10.9.9.9/32' });
  await sim.ldpRelease({ pe: 'PE1', fec: '10.9.9.9/32' });
  await sim.bgpWithdrawMembership({ pe: 'PE1', vpnId: 'w', ce: 'CE9' });
  await sim.rsvpTeSignal({ lspId: 'w', route: PE1_TO_PE2, bandwidthBps: M });
  await sim.rsvpTeResize({ lspId: 'w', bandwidthBps: 2 * M });
  await sim.rsvpTeTeardown({ lspId: 'w' });
  return { sim, redis };
}

describe('Redis round trips per PE operation', () => {
  for (const armed of [false, true]) {
    it(`one script run per operation${armed ? ', with faults armed that do not match' : ''}`, async () => {
      const { sim, redis } = await populated();
      if (armed) {
        await sim.injectFault({ pe: 'PE2', op: '*', mode: 'refuse' });
        await sim.injectFault({ pe: 'PE1', op: 'ldp.bind', mode: 'refuse', probability: 0.0001 });
      }
      const session = {
        pe: 'PE1',
        sessionId: 's',
        vpnId: 'v',
        ce: 'CE1',
        interface: 'if0',
        bandwidthBps: M,
        marking: { dscp: 10, serviceClass: 'af' },
      };
      const counts: Record<string, string[]> = {
        'uni.add-session+marking.apply': await commandsOf(redis, () =>
          sim.uniAddSession({ ...session, sessionDscp: 12 }),
        ),
        'uni.modify-session+marking.apply': await commandsOf(redis, () =>
          sim.uniModifySession({ pe: 'PE1', sessionId: 's', bandwidthBps: 2 * M, sessionDscp: 14 }),
        ),
        'marking.apply': await commandsOf(redis, () =>
          sim.markingApply({ pe: 'PE1', target: { serviceClass: 'af' }, dscp: 18 }),
        ),
        // a query (not a script): the per-session DSCP decides, so no class rule is read
        getSession: await commandsOf(redis, () => sim.getSession('PE1', 's')),
        'uni.remove-session': await commandsOf(redis, () =>
          sim.uniRemoveSession({ pe: 'PE1', sessionId: 's' }),
        ),
        'bgp.advertise-membership': await commandsOf(redis, () =>
          sim.bgpAdvertiseMembership({
            pe: 'PE1',
            vpnId: 'v2',
            ce: 'CE1',
            rd: '65000:2',
            importTargets: ['65000:2'],
            exportTargets: ['65000:2'],
          }),
        ),
        'bgp.withdraw-membership': await commandsOf(redis, () =>
          sim.bgpWithdrawMembership({ pe: 'PE1', vpnId: 'v2', ce: 'CE1' }),
        ),
        'ldp.bind': await commandsOf(redis, () => sim.ldpBind({ pe: 'PE1', fec: '10.0.0.2/32' })),
        'ldp.release': await commandsOf(redis, () => sim.ldpRelease({ pe: 'PE1', fec: '10.0.0.2/32' })),
        'rsvp-te.signal': await commandsOf(redis, () =>
          sim.rsvpTeSignal({ lspId: 'l', route: PE1_TO_PE2, bandwidthBps: M }),
        ),
      };
      for (const [op, commands] of Object.entries(counts)) {
        const expected = op === 'getSession' ? ['hget'] : ['evalsha'];
        assert.deepEqual(commands, expected, `${op}: ${commands.join(', ')}`);
      }
      // resize and teardown read the LSP first: its ingress is the PE addressed, its nodes the keys
      const resize = await commandsOf(redis, () => sim.rsvpTeResize({ lspId: 'l', bandwidthBps: 2 * M }));
      assert.deepEqual(resize, ['hget', 'evalsha']);
      const teardown = await commandsOf(redis, () => sim.rsvpTeTeardown({ lspId: 'l' }));
      assert.deepEqual(teardown, ['hget', 'evalsha']);
    });
  }

  it('getSession reads the class rule only when it decides the DSCP', async () => {
    const { sim, redis } = await populated();
    const base = { pe: 'PE1', vpnId: 'v', ce: 'CE1', interface: 'if0', bandwidthBps: M };
    await sim.uniAddSession({ ...base, sessionId: 'c', marking: { dscp: 10, serviceClass: 'af' } });
    await sim.markingApply({ pe: 'PE1', target: { serviceClass: 'af' }, dscp: 18 });
    let dscp: number | undefined;
    const read = await commandsOf(redis, async () => (dscp = (await sim.getSession('PE1', 'c'))?.dscp));
    assert.deepEqual(read, ['hget', 'hget']);
    assert.equal(dscp, 18);
    await sim.markingApply({ pe: 'PE1', target: { sessionId: 'c' }, dscp: 20 });
    const overridden = await commandsOf(redis, async () => (dscp = (await sim.getSession('PE1', 'c'))?.dscp));
    assert.deepEqual(overridden, ['hget']);
    assert.equal(dscp, 20);
  });
});

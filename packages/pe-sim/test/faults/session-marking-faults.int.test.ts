import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  PeRebootedError,
  PeRefusedError,
  PeTimeoutError,
  type PeSimulator,
  type UniAddSessionRequest,
} from '../../src/index.js';
import { eventually, settle, TestNetwork } from '../support/demo-network.js';

/**
 * `uni.add-session` / `uni.modify-session` with `sessionDscp`: the attachment and the per-session
 * `marking.apply` run in one script, each drawing its own fault in order. Every fault mode must
 * behave as it does for the two operations called one after the other.
 */

let net: TestNetwork;
before(async () => {
  net = await TestNetwork.start();
});
after(async () => {
  await net.stop();
});

const M = 1_000_000;

function request(sessionId: string, patch: Partial<UniAddSessionRequest> = {}): UniAddSessionRequest {
  return {
    pe: 'PE1',
    sessionId,
    vpnId: 'v',
    ce: 'CE1',
    interface: 'ge-0/0/1',
    bandwidthBps: M,
    marking: { dscp: 10, serviceClass: 'high-throughput-data' },
    ...patch,
  };
}

async function network(options: Parameters<TestNetwork['simulator']>[0] = {}) {
  const made = net.simulator(options);
  await made.sim.bgpAdvertiseMembership({
    pe: 'PE1',
    vpnId: 'v',
    ce: 'CE1',
    rd: '65000:1',
    importTargets: ['65000:1'],
    exportTargets: ['65000:1'],
  });
  return made;
}

/** What the PE holds for a session: `absent`, or its DSCP and where it comes from. */
async function held(sim: PeSimulator, sessionId: string): Promise<string> {
  const s = await sim.getSession('PE1', sessionId);
  return s === null ? 'absent' : `${s.dscp}/${s.markingSource}`;
}

function refusedBy(op: string, faultId: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof PeRefusedError, String(e));
    assert.equal(e.operation, op);
    assert.equal(e.faultId, faultId);
    assert.equal(e.pe, 'PE1');
    return true;
  };
}

describe('uni.add-session with sessionDscp', () => {
  it('attaches the session and sets its per-session DSCP (over the class rule)', async () => {
    const { sim } = await network();
    await sim.markingApply({ pe: 'PE1', target: { serviceClass: 'high-throughput-data' }, dscp: 12 });
    const s = await sim.uniAddSession(request('s', { sessionDscp: 34 }));
    assert.equal(s.dscp, 34);
    assert.equal(s.markingSource, 'session');
    assert.deepEqual(s.marking, { dscp: 10, serviceClass: 'high-throughput-data' });
    assert.equal(await held(sim, 's'), '34/session');
    // without sessionDscp the class rule decides, as before
    assert.equal((await sim.uniAddSession(request('t'))).dscp, 12);
    assert.equal(await held(sim, 't'), '12/class');
  });

  it('refuse on uni.add-session: nothing attached, the marking fault is not drawn', async () => {
    const { sim } = await network();
    const add = await sim.injectFault({ pe: 'PE1', op: 'uni.add-session', mode: 'refuse', count: 1 });
    const mark = await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'refuse', count: 1 });
    await assert.rejects(
      sim.uniAddSession(request('s', { sessionDscp: 34 })),
      refusedBy('uni.add-session', add.id),
    );
    assert.equal(await held(sim, 's'), 'absent');
    assert.deepEqual(
      (await sim.listFaults()).map((f) => [f.id, f.remaining]),
      [
        [add.id, 0],
        [mark.id, 1],
      ],
    );
    // the retry attaches, then meets the marking fault: the session stays attached, unmarked
    await assert.rejects(
      sim.uniAddSession(request('s', { sessionDscp: 34 })),
      refusedBy('marking.apply', mark.id),
    );
    assert.equal(await held(sim, 's'), '10/uni');
    // and the next retry (the same absolute request) converges
    assert.equal((await sim.uniAddSession(request('s', { sessionDscp: 34 }))).dscp, 34);
    assert.equal(await held(sim, 's'), '34/session');
  });

  it('count: a marking fault with count 2 fails two combined calls, then is used up', async () => {
    const { sim } = await network();
    const mark = await sim.injectFault({ pe: '*', op: 'marking.apply', mode: 'refuse', count: 2 });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        sim.uniAddSession(request('s', { sessionDscp: 46 })),
        refusedBy('marking.apply', mark.id),
      );
    }
    assert.equal((await sim.uniAddSession(request('s', { sessionDscp: 46 }))).dscp, 46);
    assert.equal((await sim.listFaults())[0]?.remaining, 0);
  });

  it('probability: the combined call draws the same sequence as two separate calls', async () => {
    async function outcomes(combined: boolean): Promise<string> {
      const { sim } = await network({ seed: 42 });
      // one fault per operation kind, drawn in creation order: both RNG streams advance as before
      await sim.injectFault({ pe: 'PE1', op: 'uni.add-session', mode: 'refuse', probability: 0.2 });
      await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'refuse', probability: 0.3 });
      let out = '';
      for (let i = 0; i < 40; i++) {
        const r = request(`s${i}`);
        const call = combined
          ? sim.uniAddSession({ ...r, sessionDscp: 20 })
          : sim
              .uniAddSession(r)
              .then(() => sim.markingApply({ pe: 'PE1', target: { sessionId: r.sessionId }, dscp: 20 }));
        out += await call.then(
          () => '.',
          (e: unknown) => (e instanceof PeRefusedError ? (e.operation === 'marking.apply' ? 'm' : 'a') : '?'),
        );
        out += (await held(sim, r.sessionId))[0];
      }
      return out;
    }
    const separate = await outcomes(false);
    assert.match(separate, /a/, 'some attachments refused');
    assert.match(separate, /m/, 'some markings refused');
    assert.equal(await outcomes(true), separate);
  });

  it('timeout on uni.add-session: not applied, nothing; applied, the session without its marking', async () => {
    const { sim, clock } = await network();
    await sim.injectFault({ pe: 'PE1', op: 'uni.add-session', mode: 'timeout', count: 1 });
    const lost = sim.uniAddSession(request('s', { sessionDscp: 34 }), { deadlineMs: 500 });
    await clock.untilSleeping(1);
    await eventually(async () => (await sim.listFaults())[0]?.remaining === 0, 'the fault to be drawn');
    clock.advance(500);
    await assert.rejects(lost, (e: unknown) => {
      assert.ok(e instanceof PeTimeoutError);
      assert.equal(e.operation, 'uni.add-session');
      return true;
    });
    assert.equal(await held(sim, 's'), 'absent');
    await sim.clearFaults();

    await sim.injectFault({ pe: 'PE1', op: 'uni.add-session', mode: 'timeout', applied: true, count: 1 });
    await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'refuse', count: 1 });
    const applied = sim.uniAddSession(request('t', { sessionDscp: 34 }), { deadlineMs: 500 });
    await clock.untilSleeping(1);
    await eventually(async () => (await held(sim, 't')) !== 'absent', 'the session to be attached');
    clock.advance(500);
    await assert.rejects(applied, PeTimeoutError);
    assert.equal(await held(sim, 't'), '10/uni', 'the answer was lost before the marking was sent');
    assert.equal((await sim.listFaults())[1]?.remaining, 1, 'the marking fault was not drawn');
  });

  it('timeout on marking.apply: the session is attached; marked only when the fault says applied', async () => {
    const { sim, clock } = await network();
    await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'timeout', count: 1 });
    let settled = false;
    const lost = sim.uniAddSession(request('s', { sessionDscp: 34 }), { deadlineMs: 500 });
    lost.catch(() => (settled = true));
    await clock.untilSleeping(1);
    await eventually(async () => (await held(sim, 's')) !== 'absent', 'the session to be attached');
    clock.advance(499);
    await settle();
    assert.equal(settled, false, 'no answer before the deadline');
    clock.advance(1);
    await assert.rejects(lost, (e: unknown) => {
      assert.ok(e instanceof PeTimeoutError);
      assert.equal(e.operation, 'marking.apply', 'the deadline passed while the PE handled the marking');
      return true;
    });
    assert.equal(await held(sim, 's'), '10/uni');

    await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'timeout', applied: true, count: 1 });
    const applied = sim.uniAddSession(request('t', { sessionDscp: 34 }), { deadlineMs: 500 });
    await clock.untilSleeping(1);
    await eventually(async () => (await held(sim, 't')) === '34/session', 'the marking to be applied');
    clock.advance(500);
    await assert.rejects(applied, PeTimeoutError);
  });

  it('reboot on marking.apply: the PE forgets everything, the session it had just attached too', async () => {
    const { sim } = await network();
    await sim.uniAddSession(request('other'));
    await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'reboot', count: 1 });
    await assert.rejects(sim.uniAddSession(request('s', { sessionDscp: 34 })), (e: unknown) => {
      assert.ok(e instanceof PeRebootedError);
      assert.equal(e.operation, 'marking.apply');
      return true;
    });
    assert.deepEqual(await sim.listSessions('PE1'), []);
    assert.deepEqual(await sim.listVrfs('PE1'), []);
  });

  it('half-way faults skip the UNI operations', async () => {
    const { sim } = await network();
    await sim.injectFault({ pe: 'PE1', op: '*', mode: 'half-way', count: 1 });
    assert.equal((await sim.uniAddSession(request('s', { sessionDscp: 34 }))).dscp, 34);
    assert.equal((await sim.listFaults())[0]?.remaining, 1);
  });

  it('latency: both operations’ latencies pass before the PE acts and answers', async () => {
    const { sim, clock } = await network({ latency: { 'uni.add-session': 100, 'marking.apply': 50 } });
    let done = false;
    const call = sim.uniAddSession(request('s', { sessionDscp: 34 })).then((s) => {
      done = true;
      return s;
    });
    await clock.untilSleeping(2); // the deadline and the attachment's latency
    clock.advance(100);
    await clock.untilSleeping(2); // the deadline and the marking's latency
    clock.advance(49);
    await settle();
    assert.equal(done, false);
    assert.equal(await held(sim, 's'), 'absent', 'the PE has not acted yet');
    clock.advance(1);
    assert.equal((await call).dscp, 34);
  });
});

describe('uni.modify-session with sessionDscp', () => {
  it('changes the session and sets its DSCP; a refused marking leaves the change made', async () => {
    const { sim } = await network();
    await sim.uniAddSession(request('s', { sessionDscp: 34 }));
    const modified = await sim.uniModifySession({
      pe: 'PE1',
      sessionId: 's',
      bandwidthBps: 2 * M,
      marking: { dscp: 18 },
      sessionDscp: 26,
    });
    assert.equal(modified.bandwidthBps, 2 * M);
    assert.equal(modified.dscp, 26);
    assert.equal(modified.markingSource, 'session');

    const modify = await sim.injectFault({ pe: 'PE1', op: 'uni.modify-session', mode: 'refuse', count: 1 });
    await assert.rejects(
      sim.uniModifySession({ pe: 'PE1', sessionId: 's', bandwidthBps: 3 * M, sessionDscp: 28 }),
      refusedBy('uni.modify-session', modify.id),
    );
    assert.equal((await sim.getSession('PE1', 's'))?.bandwidthBps, 2 * M, 'nothing changed');

    const mark = await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'refuse', count: 1 });
    await assert.rejects(
      sim.uniModifySession({
        pe: 'PE1',
        sessionId: 's',
        bandwidthBps: 3 * M,
        marking: { dscp: 20 },
        sessionDscp: 28,
      }),
      refusedBy('marking.apply', mark.id),
    );
    const after = await sim.getSession('PE1', 's');
    assert.equal(after?.bandwidthBps, 3 * M, 'the modification was made');
    assert.equal(`${after?.dscp}/${after?.markingSource}`, '20/uni', 'the new rule cleared the old DSCP');
  });
});

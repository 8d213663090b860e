import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidFaultError,
  LspNotUpError,
  PeFailedHalfWayError,
  PeRebootedError,
  PeRefusedError,
  PeTimeoutError,
  type PeSimulator,
} from '../../src/index.js';
import { eventually, PE1_TO_PE2, settle, TestNetwork } from '../support/demo-network.js';

let net: TestNetwork;
before(async () => {
  net = await TestNetwork.start();
});
after(async () => {
  await net.stop();
});

const M = 1_000_000;

async function reserved(sim: PeSimulator): Promise<Record<string, number>> {
  return Object.fromEntries(
    (await sim.listLinks()).filter((l) => l.reservedBps !== 0).map((l) => [l.id, l.reservedBps]),
  );
}

describe('fault mode refuse', () => {
  it('the PE answers with a typed error and nothing changes; count disarms it', async () => {
    const { sim } = net.simulator();
    const fault = await sim.injectFault({ pe: 'PE1', op: 'rsvp-te.signal', mode: 'refuse', count: 2 });
    assert.equal(fault.remaining, 2);
    for (let i = 0; i < 2; i++) {
      await assert.rejects(
        sim.rsvpTeSignal({ lspId: 'a', route: PE1_TO_PE2, bandwidthBps: M }),
        (e: unknown) => {
          assert.ok(e instanceof PeRefusedError);
          assert.equal(e.code, 'PESIM_REFUSED');
          assert.equal(e.pe, 'PE1');
          assert.equal(e.operation, 'rsvp-te.signal');
          assert.equal(e.faultId, fault.id);
          return true;
        },
      );
    }
    assert.deepEqual(await reserved(sim), {});
    assert.equal(
      (await sim.rsvpTeSignal({ lspId: 'a', route: PE1_TO_PE2, bandwidthBps: M })).lsp.status,
      'up',
    );
    assert.equal((await sim.listFaults())[0]?.remaining, 0);
  });

  it('matches on PE and operation ("*" for any), and other PEs and operations are untouched', async () => {
    const { sim } = net.simulator();
    await sim.injectFault({ pe: 'PE2', op: '*', mode: 'refuse' });
    await assert.rejects(sim.ldpBind({ pe: 'PE2', fec: '10.0.0.1/32' }), PeRefusedError);
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'x', route: { nodes: ['PE2', 'P2', 'P1', 'PE1'] }, bandwidthBps: 1 }),
      PeRefusedError,
    );
    assert.equal((await sim.ldpBind({ pe: 'PE1', fec: '10.0.0.2/32' })).label, 16, 'PE1 is not affected');
    assert.equal(
      (await sim.rsvpTeSignal({ lspId: 'y', route: PE1_TO_PE2, bandwidthBps: 1 })).lsp.status,
      'up',
      'faults key on the addressed PE (the ingress), not on transit or egress nodes',
    );
    assert.equal(await sim.clearFaults(), 1);
    assert.equal((await sim.ldpBind({ pe: 'PE2', fec: '10.0.0.1/32' })).created, true);
  });

  it('faults live in Redis: a fault injected by one worker hits operations of another', async () => {
    const prefix = net.prefix();
    const a = net.simulator({ prefix }).sim;
    const b = net.simulator({ prefix }).sim;
    const fault = await a.injectFault({ id: 'maint', pe: 'PE3', op: 'uni.add-session', mode: 'refuse' });
    assert.equal(fault.id, 'maint');
    await b.bgpAdvertiseMembership({
      pe: 'PE3',
      vpnId: 'v',
      ce: 'c',
      rd: '1:1',
      importTargets: ['1:1'],
      exportTargets: ['1:1'],
    });
    const session = {
      pe: 'PE3',
      sessionId: 's',
      vpnId: 'v',
      ce: 'c',
      interface: 'if0',
      bandwidthBps: 1,
      marking: { dscp: 0 },
    };
    await assert.rejects(b.uniAddSession(session), PeRefusedError);
    assert.equal(await b.clearFault('maint'), true);
    assert.equal(await a.clearFault('maint'), false);
    assert.equal((await a.uniAddSession(session)).sessionId, 's');
  });

  it('probabilistic faults draw from a seeded RNG: the same seed gives the same outcomes', async () => {
    async function outcomes(seed: number): Promise<string> {
      const { sim } = net.simulator({ seed });
      await sim.injectFault({ pe: 'PE1', op: 'ldp.bind', mode: 'refuse', probability: 0.3 });
      let out = '';
      for (let i = 0; i < 60; i++) {
        out += await sim.ldpBind({ pe: 'PE1', fec: `10.7.0.${i}/32` }).then(
          () => '.',
          (e: unknown) => (e instanceof PeRefusedError ? 'x' : '?'),
        );
      }
      return out;
    }
    const first = await outcomes(42);
    const refused = [...first].filter((c) => c === 'x').length;
    assert.ok(refused >= 6 && refused <= 30, `about 30 % refused (${refused}/60: ${first})`);
    assert.ok(!first.includes('?'));
    assert.equal(await outcomes(42), first, 'same seed, same sequence');
    assert.notEqual(await outcomes(7), first, 'another seed, another sequence');
  });

  it('rejects fault specs that cannot apply', async () => {
    const { sim } = net.simulator();
    await assert.rejects(sim.injectFault({ pe: 'P1', op: '*', mode: 'refuse' }), InvalidFaultError);
    await assert.rejects(sim.injectFault({ pe: 'PE1', op: 'ldp.bind', mode: 'half-way' }), InvalidFaultError);
    await assert.rejects(
      sim.injectFault({ pe: 'PE1', op: '*', mode: 'refuse', probability: 0 }),
      InvalidFaultError,
    );
    await assert.rejects(
      sim.injectFault({ pe: 'PE1', op: '*', mode: 'refuse', applied: true }),
      InvalidFaultError,
    );
    assert.deepEqual(await sim.listFaults(), []);
  });
});

describe('fault mode timeout', () => {
  it('never answers within the deadline: the call rejects with PESIM_TIMEOUT exactly at the deadline', async () => {
    const { sim, clock } = net.simulator({ deadlineMs: 2_000 });
    await sim.injectFault({ pe: 'PE1', op: 'ldp.bind', mode: 'timeout', count: 1 });
    let settled: unknown = 'pending';
    const call = sim.ldpBind({ pe: 'PE1', fec: '10.0.0.2/32' }, { deadlineMs: 500 });
    call.then(
      (v) => (settled = v),
      (e: unknown) => (settled = e),
    );
    await clock.untilSleeping(1);
    await eventually(async () => (await sim.listFaults())[0]?.remaining === 0, 'the fault to be drawn');
    clock.advance(499);
    await settle();
    await settle();
    assert.equal(settled, 'pending', 'no answer before the deadline');
    clock.advance(1);
    await assert.rejects(call, (e: unknown) => {
      assert.ok(e instanceof PeTimeoutError);
      assert.equal(e.code, 'PESIM_TIMEOUT');
      assert.equal(e.deadlineMs, 500);
      return true;
    });
    assert.deepEqual(await sim.listLdpBindings('PE1'), [], 'the request was lost: nothing applied');
    assert.equal((await sim.ldpBind({ pe: 'PE1', fec: '10.0.0.2/32' })).label, 16, 'the fault is used up');
  });

  it('with applied: true the change is made but the answer is lost (the reconciler finds it)', async () => {
    const { sim, clock } = net.simulator();
    await sim.injectFault({ pe: 'PE1', op: 'rsvp-te.signal', mode: 'timeout', applied: true, count: 1 });
    const call = sim.rsvpTeSignal(
      { lspId: 'ghost', route: PE1_TO_PE2, bandwidthBps: 5 * M },
      { deadlineMs: 1_000 },
    );
    await clock.untilSleeping(1);
    await eventually(async () => (await sim.getLsp('ghost')) !== null, 'the LSP to be set up');
    clock.advance(1_000);
    await assert.rejects(call, PeTimeoutError);
    assert.equal((await sim.getLsp('ghost'))?.status, 'up');
    const retry = await sim.rsvpTeSignal({ lspId: 'ghost', route: PE1_TO_PE2, bandwidthBps: 5 * M });
    assert.equal(retry.created, false, 'an idempotent retry finds the LSP the lost answer was about');
    assert.deepEqual(await reserved(sim), { 'PE1-P1': 5 * M, 'P1-P2': 5 * M, 'P2-PE2': 5 * M });
  });

  it('latency per operation delays the answer; latency beyond the deadline is a timeout', async () => {
    const { sim, clock } = net.simulator({ latency: { 'ldp.bind': 300 } });
    let done = false;
    const call = sim.ldpBind({ pe: 'PE2', fec: '10.0.0.1/32' }).then((b) => {
      done = true;
      return b;
    });
    await clock.untilSleeping(2); // the deadline and the latency
    clock.advance(299);
    await settle();
    assert.equal(done, false);
    assert.deepEqual(await sim.listLdpBindings('PE2'), [], 'the PE has not acted yet');
    clock.advance(1);
    assert.equal((await call).label, 16);

    sim.setLatency('ldp.release', 5_000);
    const slow = sim.ldpRelease({ pe: 'PE2', fec: '10.0.0.1/32' }, { deadlineMs: 1_000 });
    await clock.untilSleeping(2);
    clock.advance(1_000);
    await assert.rejects(slow, PeTimeoutError);
    clock.advance(4_000); // the late request still reaches the PE, like a slow router
    await eventually(async () => (await sim.listLdpBindings('PE2')).length === 0, 'the late release');
  });
});

describe('fault mode half-way', () => {
  it('rsvp-te.signal sets up the first k hops, then fails, leaving exactly that state behind', async () => {
    const { sim } = net.simulator();
    await sim.injectFault({ pe: 'PE1', op: 'rsvp-te.signal', mode: 'half-way', afterHops: 1, count: 1 });
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'half', route: PE1_TO_PE2, bandwidthBps: 7 * M }),
      (e: unknown) => {
        assert.ok(e instanceof PeFailedHalfWayError);
        assert.equal(e.code, 'PESIM_FAILED_HALF_WAY');
        assert.equal(e.hopsDone, 1);
        assert.equal(e.hopCount, 3);
        return true;
      },
    );
    const lsp = await sim.getLsp('half');
    assert.equal(lsp?.status, 'partial');
    assert.deepEqual(
      lsp?.hops.map((h) => [h.linkId, h.reservedBps, h.label === null ? null : 'label']),
      [
        ['PE1-P1', 7 * M, 'label'],
        ['P1-P2', 0, null],
        ['P2-PE2', 0, null],
      ],
    );
    assert.deepEqual(await reserved(sim), { 'PE1-P1': 7 * M });
    assert.deepEqual(
      (await sim.listLabels('P1')).map((l) => l.owner),
      ['rsvp:half'],
    );
    assert.deepEqual(await sim.listLabels('P2'), []);
    assert.equal(lsp?.counters.rateBps, 0, 'no traffic flows on a partial LSP');
    assert.deepEqual(
      (await sim.listLsps({ status: 'partial' })).map((l) => l.lspId),
      ['half'],
    );

    // the reconciler's retry of the same job converges: leftovers released, LSP set up afresh
    const retried = await sim.rsvpTeSignal({ lspId: 'half', route: PE1_TO_PE2, bandwidthBps: 7 * M });
    assert.equal(retried.created, true);
    assert.equal(retried.lsp.status, 'up');
    assert.deepEqual(await reserved(sim), { 'PE1-P1': 7 * M, 'P1-P2': 7 * M, 'P2-PE2': 7 * M });
    assert.equal((await sim.listLabels('P1')).length, 1, 'the partial label was released before rebinding');
  });

  it('a partial LSP torn down leaves nothing; the default stops after half the hops', async () => {
    const { sim } = net.simulator();
    await sim.injectFault({ pe: 'PE1', op: '*', mode: 'half-way' });
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'h', route: PE1_TO_PE2, bandwidthBps: M }),
      (e: unknown) => {
        assert.ok(e instanceof PeFailedHalfWayError);
        assert.equal(e.hopsDone, 1, 'floor(3 / 2)');
        return true;
      },
    );
    assert.equal(
      (await sim.ldpBind({ pe: 'PE1', fec: '10.0.0.2/32' })).label,
      16,
      'half-way faults skip other operations',
    );
    await sim.rsvpTeTeardown({ lspId: 'h' });
    assert.deepEqual(await reserved(sim), {});
    assert.deepEqual(await sim.listLabels('P1'), []);
  });

  it('rsvp-te.resize grows the first k hops only; resizing again to either size converges', async () => {
    const { sim } = net.simulator();
    await sim.rsvpTeSignal({ lspId: 'r', route: PE1_TO_PE2, bandwidthBps: 10 * M });
    await sim.injectFault({ pe: 'PE1', op: 'rsvp-te.resize', mode: 'half-way', afterHops: 2, count: 1 });
    await assert.rejects(sim.rsvpTeResize({ lspId: 'r', bandwidthBps: 20 * M }), PeFailedHalfWayError);
    const lsp = await sim.getLsp('r');
    assert.equal(lsp?.status, 'resize-partial');
    assert.equal(lsp?.bandwidthBps, 10 * M, 'the granted size is still the old one');
    assert.equal(lsp?.counters.rateBps, 10 * M);
    assert.deepEqual(await reserved(sim), { 'PE1-P1': 20 * M, 'P1-P2': 20 * M, 'P2-PE2': 10 * M });
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'r', route: PE1_TO_PE2, bandwidthBps: 20 * M }),
      /use rsvp-te.resize/,
    );

    const rolledBack = await sim.rsvpTeResize({ lspId: 'r', bandwidthBps: 10 * M });
    assert.equal(rolledBack.lsp.status, 'up');
    assert.deepEqual(await reserved(sim), { 'PE1-P1': 10 * M, 'P1-P2': 10 * M, 'P2-PE2': 10 * M });
    await sim.injectFault({ pe: 'PE1', op: 'rsvp-te.resize', mode: 'half-way', afterHops: 1, count: 1 });
    await assert.rejects(sim.rsvpTeResize({ lspId: 'r', bandwidthBps: 30 * M }), PeFailedHalfWayError);
    const completed = await sim.rsvpTeResize({ lspId: 'r', bandwidthBps: 30 * M });
    assert.equal(completed.lsp.status, 'up');
    assert.equal(completed.lsp.bandwidthBps, 30 * M);
    assert.deepEqual(await reserved(sim), { 'PE1-P1': 30 * M, 'P1-P2': 30 * M, 'P2-PE2': 30 * M });
  });
});

describe('fault mode reboot, and rebootNode', () => {
  async function populate(sim: PeSimulator): Promise<void> {
    for (const [pe, ce] of [
      ['PE1', 'CE1'],
      ['PE2', 'CE2'],
    ] as const) {
      await sim.bgpAdvertiseMembership({
        pe,
        vpnId: 'v',
        ce,
        rd: `65000:${pe.slice(2)}`,
        importTargets: ['65000:1'],
        exportTargets: ['65000:1'],
      });
      await sim.ldpBind({ pe, fec: pe === 'PE1' ? '10.0.0.2/32' : '10.0.0.1/32' });
      await sim.uniAddSession({
        pe,
        sessionId: `s-${pe}`,
        vpnId: 'v',
        ce,
        interface: 'ge-0/0/0',
        bandwidthBps: M,
        marking: { dscp: 46, serviceClass: 'telephony' },
      });
      await sim.markingApply({ pe, target: { serviceClass: 'telephony' }, dscp: 44 });
    }
    await sim.rsvpTeSignal({ lspId: 'l1', route: PE1_TO_PE2, bandwidthBps: 10 * M });
    await sim.rsvpTeSignal({
      lspId: 'l2',
      route: { nodes: ['PE2', 'P2', 'P1', 'PE1'] },
      bandwidthBps: 20 * M,
    });
    await sim.rsvpTeSignal({ lspId: 'l3', route: { nodes: ['PE1', 'P1', 'PE3'] }, bandwidthBps: 30 * M });
  }

  it('a reboot fault wipes the PE it hits and fails the operation', async () => {
    const { sim } = net.simulator();
    await populate(sim);
    await sim.injectFault({ pe: 'PE2', op: 'uni.modify-session', mode: 'reboot', count: 1 });
    await assert.rejects(
      sim.uniModifySession({ pe: 'PE2', sessionId: 's-PE2', bandwidthBps: 2 * M }),
      (e: unknown) => {
        assert.ok(e instanceof PeRebootedError);
        assert.equal(e.code, 'PESIM_PE_REBOOTED');
        return true;
      },
    );
    assert.deepEqual(await sim.listSessions('PE2'), []);
    assert.deepEqual(await sim.listVrfs('PE2'), []);
    assert.deepEqual(await sim.listLdpBindings('PE2'), []);
    assert.deepEqual(await sim.listLabels('PE2'), []);
    assert.deepEqual((await sim.listMarkingRules('PE2')).size, 0);
    assert.deepEqual(
      (await sim.getVrfTable('PE1', 'v'))?.routes.map((r) => r.ce),
      ['CE1'],
      "PE2's membership route is withdrawn from the other PEs",
    );
    assert.equal((await sim.listSessions('PE1')).length, 1, 'other PEs keep their state');
  });

  it('rebootNode downs every LSP through the node and documents exactly what is left', async () => {
    const { sim } = net.simulator();
    await populate(sim);
    const before = await sim.getLsp('l1');
    const report = await sim.rebootNode('P2');
    assert.deepEqual(report, {
      node: 'P2',
      lspsDown: ['l1', 'l2'],
      sessionsLost: [],
      routesWithdrawn: 0,
      vrfsLost: 0,
      ldpBindingsLost: 0,
      labelsLost: 2,
    });
    const l1 = await sim.getLsp('l1');
    assert.equal(l1?.status, 'down');
    assert.deepEqual(
      l1?.hops.map((h) => [h.linkId, h.reservedBps, h.label]),
      [
        ['PE1-P1', 10 * M, before?.hops[0]?.label],
        ['P1-P2', 10 * M, null],
        ['P2-PE2', 0, before?.hops[2]?.label],
      ],
      'P2 forgot its outgoing reservation and the label it bound; PE1, P1 and PE2 keep theirs',
    );
    assert.equal(l1?.counters.rateBps, 0);
    assert.equal((await sim.getLsp('l3'))?.status, 'up', 'an LSP not through P2 is untouched');
    assert.deepEqual(await reserved(sim), {
      'PE1-P1': 40 * M,
      'P1-P2': 10 * M,
      'PE2-P2': 20 * M,
      'P1-PE1': 20 * M,
      'P1-PE3': 30 * M,
    });
    assert.deepEqual(await sim.listLabels('P2'), []);

    // P2's label space starts again at the bottom; tearing l1 down must not free P2's new labels
    const fresh = await sim.rsvpTeSignal({
      lspId: 'l4',
      route: { nodes: ['PE3', 'P2', 'PE2'] },
      bandwidthBps: M,
    });
    assert.equal(fresh.lsp.hops[0]?.label, 16);
    await sim.rsvpTeTeardown({ lspId: 'l1' });
    await sim.rsvpTeTeardown({ lspId: 'l2' });
    assert.deepEqual(await sim.listLabels('P2'), [{ node: 'P2', label: 16, owner: 'rsvp:l4' }]);
    assert.deepEqual(await reserved(sim), { 'PE1-P1': 30 * M, 'P1-PE3': 30 * M, 'PE3-P2': M, 'P2-PE2': M });

    // an LSP that is down cannot be resized: the reconciler tears it down or signals it again
    await sim.rebootNode('PE3');
    await assert.rejects(sim.rsvpTeResize({ lspId: 'l3', bandwidthBps: 2 }), (e: unknown) => {
      assert.ok(e instanceof LspNotUpError);
      assert.equal(e.status, 'down');
      return true;
    });
    const resignalled = await sim.rsvpTeSignal({
      lspId: 'l3',
      route: { nodes: ['PE1', 'P1', 'PE3'] },
      bandwidthBps: 30 * M,
    });
    assert.equal(resignalled.lsp.status, 'up');
    assert.equal(resignalled.lsp.hops[1]?.label, 16, "PE3's label space restarted after its reboot");
  });
});

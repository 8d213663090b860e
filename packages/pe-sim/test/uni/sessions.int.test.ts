import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  UnknownVpnError,
  type PeSimulator,
  type UniAddSessionRequest,
} from '../../src/index.js';
import { TestNetwork, T0 } from '../support/demo-network.js';

let net: TestNetwork;
before(async () => {
  net = await TestNetwork.start();
});
after(async () => {
  await net.stop();
});

async function withVpn(sim: PeSimulator): Promise<void> {
  await sim.bgpAdvertiseMembership({
    pe: 'PE1',
    vpnId: 'v1',
    ce: 'CE1',
    rd: '65000:1',
    importTargets: ['65000:1'],
    exportTargets: ['65000:1'],
  });
}

function session(id: string, patch: Partial<UniAddSessionRequest> = {}): UniAddSessionRequest {
  return {
    pe: 'PE1',
    sessionId: id,
    vpnId: 'v1',
    ce: 'CE1',
    interface: 'ge-0/0/1.100',
    bandwidthBps: 64_000,
    marking: { dscp: 46, serviceClass: 'telephony' },
    ...patch,
  };
}

describe('uni.add-session / modify / remove', () => {
  it('needs the VPN to have a VRF on the PE', async () => {
    const { sim } = net.simulator();
    await assert.rejects(sim.uniAddSession(session('s1')), (e: unknown) => {
      assert.ok(e instanceof UnknownVpnError);
      assert.equal(e.code, 'PESIM_UNKNOWN_VPN');
      return true;
    });
    assert.deepEqual(await sim.listSessions(), []);
  });

  it('adds a session (idempotent per id), modifies it in place and removes it with final counters', async () => {
    const { sim, clock } = net.simulator();
    await withVpn(sim);
    const added = await sim.uniAddSession(session('s1', { lspId: 'lsp-9' }));
    assert.equal(added.bandwidthBps, 64_000);
    assert.equal(added.dscp, 46);
    assert.equal(added.markingSource, 'uni');
    assert.equal(added.lspId, 'lsp-9');
    assert.equal(added.createdAtMs, T0);
    clock.advance(1_000);
    const again = await sim.uniAddSession(session('s1', { lspId: 'lsp-9' }));
    assert.equal(again.createdAtMs, T0, 'the same request returns the existing session');
    await assert.rejects(sim.uniAddSession(session('s1', { bandwidthBps: 1 })), ConflictError);

    const modified = await sim.uniModifySession({
      pe: 'PE1',
      sessionId: 's1',
      bandwidthBps: 128_000,
      lspId: null,
    });
    assert.equal(modified.bandwidthBps, 128_000);
    assert.equal(modified.lspId, null);
    assert.equal(modified.interface, 'ge-0/0/1.100', 'fields not given stay');
    assert.equal(modified.updatedAtMs, T0 + 1_000);
    await assert.rejects(
      sim.uniModifySession({ pe: 'PE1', sessionId: 'nope', bandwidthBps: 1 }),
      NotFoundError,
    );

    clock.advance(1_000);
    const removed = await sim.uniRemoveSession({ pe: 'PE1', sessionId: 's1' });
    assert.equal(removed.removed, true);
    assert.equal(
      removed.session?.counters.bytes,
      8_000 + 16_000,
      '64 kbit/s for 1 s, then 128 kbit/s for 1 s',
    );
    assert.deepEqual(await sim.uniRemoveSession({ pe: 'PE1', sessionId: 's1' }), {
      removed: false,
      session: null,
    });
    assert.equal(await sim.getSession('PE1', 's1'), null);
  });

  it('validates bandwidth, DSCP and ids', async () => {
    const { sim } = net.simulator();
    await withVpn(sim);
    const bad: Partial<UniAddSessionRequest>[] = [
      { bandwidthBps: -1 },
      { bandwidthBps: 1.5 },
      { bandwidthBps: 2e13 },
      { marking: { dscp: 64 } },
      { interface: 'has space' },
      { sessionId: 'a|b' },
    ];
    for (const patch of bad)
      await assert.rejects(sim.uniAddSession(session('s', patch)), InvalidArgumentError);
  });
});

describe('marking.apply: DSCP per session or per service class', () => {
  it('a class rule re-marks sessions of that class; a session rule overrides it; a new UNI rule wins again', async () => {
    const { sim } = net.simulator();
    await withVpn(sim);
    await sim.uniAddSession(session('voice-1'));
    await sim.uniAddSession(session('voice-2'));
    await sim.uniAddSession(
      session('video', { marking: { dscp: 34, serviceClass: 'multimedia-conferencing' } }),
    );
    await sim.uniAddSession(session('plain', { marking: { dscp: 0 } }));

    const byClass = await sim.markingApply({ pe: 'PE1', target: { serviceClass: 'telephony' }, dscp: 44 });
    assert.deepEqual(byClass, { pe: 'PE1', dscp: 44, sessionsAffected: 2 });
    const dscps = async (): Promise<string[]> =>
      (await sim.listSessions('PE1')).map((s) => `${s.sessionId}:${s.dscp}:${s.markingSource}`);
    assert.deepEqual(await dscps(), ['plain:0:uni', 'video:34:uni', 'voice-1:44:class', 'voice-2:44:class']);

    assert.equal(
      (await sim.markingApply({ pe: 'PE1', target: { sessionId: 'voice-2' }, dscp: 46 })).sessionsAffected,
      1,
    );
    assert.equal(
      (await sim.markingApply({ pe: 'PE1', target: { serviceClass: 'telephony' }, dscp: 40 }))
        .sessionsAffected,
      1,
      'voice-2 has its own DSCP now',
    );
    assert.deepEqual(await sim.listMarkingRules('PE1'), new Map([['telephony', 40]]));
    assert.deepEqual(await dscps(), [
      'plain:0:uni',
      'video:34:uni',
      'voice-1:40:class',
      'voice-2:46:session',
    ]);

    await sim.uniModifySession({ pe: 'PE1', sessionId: 'voice-2', marking: { dscp: 10 } });
    assert.deepEqual(await dscps(), ['plain:0:uni', 'video:34:uni', 'voice-1:40:class', 'voice-2:10:uni']);
    await assert.rejects(
      sim.markingApply({ pe: 'PE1', target: { sessionId: 'ghost' }, dscp: 1 }),
      NotFoundError,
    );
    await assert.rejects(
      sim.markingApply({ pe: 'PE1', target: { serviceClass: 'telephony' }, dscp: 99 }),
      InvalidArgumentError,
    );
  });
});

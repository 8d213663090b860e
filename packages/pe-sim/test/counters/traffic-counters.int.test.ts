import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PE1_TO_PE2, TestNetwork, T0 } from '../support/demo-network.js';

let net: TestNetwork;
before(async () => {
  net = await TestNetwork.start();
});
after(async () => {
  await net.stop();
});

describe('per-LSP and per-session counters advance with the reserved rate and the injected clock', () => {
  it('LSP: bytes = rate × elapsed / 8 across resizes; packets from the mean packet size; frozen when down', async () => {
    const { sim, clock } = net.simulator({ meanPacketBytes: 1_250 });
    await sim.rsvpTeSignal({ lspId: 'c', route: PE1_TO_PE2, bandwidthBps: 10_000_000 });
    assert.deepEqual((await sim.getLsp('c'))?.counters, {
      bytes: 0,
      packets: 0,
      rateBps: 10_000_000,
      asOfMs: T0,
    });
    clock.advance(1_000);
    assert.deepEqual((await sim.getLsp('c'))?.counters, {
      bytes: 1_250_000,
      packets: 1_000,
      rateBps: 10_000_000,
      asOfMs: T0 + 1_000,
    });
    await sim.rsvpTeResize({ lspId: 'c', bandwidthBps: 20_000_000 });
    clock.advance(2_500);
    assert.equal((await sim.getLsp('c'))?.counters.bytes, 1_250_000 + 6_250_000);
    clock.advance(1); // 20 Mbit/s for 1 ms = 2 500 bytes, exactly
    assert.equal((await sim.getLsp('c'))?.counters.bytes, 1_250_000 + 6_250_000 + 2_500);

    await sim.rebootNode('P1');
    const atReboot = (await sim.getLsp('c'))?.counters;
    clock.advance(60_000);
    const later = (await sim.getLsp('c'))?.counters;
    assert.equal(later?.bytes, atReboot?.bytes, 'a down LSP carries nothing');
    assert.equal(later?.rateBps, 0);
    const torn = await sim.rsvpTeTeardown({ lspId: 'c' });
    assert.equal(torn.lsp?.counters.bytes, 7_502_500, 'teardown reports the final counters');
  });

  it('session counters: odd rates round down only once, on the total', async () => {
    const { sim, clock } = net.simulator();
    await sim.bgpAdvertiseMembership({
      pe: 'PE2',
      vpnId: 'v',
      ce: 'c',
      rd: '1:1',
      importTargets: [],
      exportTargets: ['1:1'],
    });
    await sim.uniAddSession({
      pe: 'PE2',
      sessionId: 's',
      vpnId: 'v',
      ce: 'c',
      interface: 'if',
      bandwidthBps: 3,
      marking: { dscp: 0 },
    });
    for (let i = 0; i < 7; i++) {
      clock.advance(1_000);
      await sim.uniModifySession({ pe: 'PE2', sessionId: 's', bandwidthBps: i % 2 ? 3 : 5 });
    }
    // 3 and 5 bit/s alternating over 7 s: 3+5+3+5+3+5+3 = 27 bits → 3 bytes (per-second rounding would give 0)
    const s = await sim.getSession('PE2', 's');
    assert.equal(s?.counters.bytes, 3);
    assert.equal(s?.counters.packets, 0, 'fewer bytes than one mean packet');
  });
});

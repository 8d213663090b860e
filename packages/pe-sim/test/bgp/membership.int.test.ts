import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConflictError,
  InvalidArgumentError,
  UnknownPeError,
  type PeSimulator,
  type BgpAdvertiseMembershipRequest,
} from '../../src/index.js';
import { TestNetwork } from '../support/demo-network.js';

let net: TestNetwork;
before(async () => {
  net = await TestNetwork.start();
});
after(async () => {
  await net.stop();
});

function site(
  pe: string,
  vpnId: string,
  ce: string,
  rd: string,
  rt: string[],
  prefixes: string[] = [],
): BgpAdvertiseMembershipRequest {
  return { pe, vpnId, ce, rd, importTargets: rt, exportTargets: rt, prefixes };
}

async function tableOf(sim: PeSimulator, pe: string, vpnId: string): Promise<string[]> {
  const table = await sim.getVrfTable(pe, vpnId);
  assert.ok(table, `${pe} has a VRF for ${vpnId}`);
  return table.routes.map((r) => `${r.source}:${r.pe}/${r.vpnId}/${r.ce}`);
}

describe('bgp.advertise-membership: VRFs with RD/RT per VPN, routes imported across PEs (RFC 4364)', () => {
  it('a route exported with RT x is imported into every VRF on other PEs whose import RTs contain x', async () => {
    const { sim } = net.simulator();
    const a1 = await sim.bgpAdvertiseMembership(
      site('PE1', 'vpn-a', 'CE1', '65000:1', ['65000:100'], ['192.168.1.0/24']),
    );
    assert.equal(a1.vrfCreated, true);
    assert.equal(a1.routeChanged, true);
    assert.equal(a1.route.nextHop, '10.0.0.1', 'the BGP next hop is the originating PE router id');
    assert.equal(a1.route.label, a1.vrf.label, 'the route carries the per-VRF VPN label');
    assert.ok(a1.vrf.label >= 16, 'VPN labels come from the unreserved label space');
    await sim.bgpAdvertiseMembership(
      site('PE2', 'vpn-a', 'CE2', '10.0.0.2:1', ['65000:100'], ['192.168.2.0/24']),
    );
    await sim.bgpAdvertiseMembership(
      site('PE3', 'vpn-b', 'CE3', '4200000000:7', ['65000:200'], ['192.168.1.0/24']),
    );

    assert.deepEqual(await tableOf(sim, 'PE1', 'vpn-a'), ['local:PE1/vpn-a/CE1', 'imported:PE2/vpn-a/CE2']);
    assert.deepEqual(await tableOf(sim, 'PE2', 'vpn-a'), ['imported:PE1/vpn-a/CE1', 'local:PE2/vpn-a/CE2']);
    assert.deepEqual(
      await tableOf(sim, 'PE3', 'vpn-b'),
      ['local:PE3/vpn-b/CE3'],
      'vpn-b does not import 65000:100, even though CE3 uses the same customer prefix as CE1',
    );
    const pe2Table = await sim.getVrfTable('PE2', 'vpn-a');
    const imported = pe2Table?.routes.find((r) => r.source === 'imported');
    assert.deepEqual(imported?.prefixes, ['192.168.1.0/24']);
    assert.equal(imported?.rd, '65000:1');
    assert.equal(await sim.getVrfTable('PE3', 'vpn-a'), null, 'PE3 has no VRF for vpn-a');
  });

  it('an extranet VRF importing two RTs sees both VPNs, and its own export RT reaches only importers of it', async () => {
    const { sim } = net.simulator();
    await sim.bgpAdvertiseMembership(site('PE1', 'vpn-a', 'CE1', '65000:1', ['65000:100']));
    await sim.bgpAdvertiseMembership(site('PE2', 'vpn-b', 'CE2', '65000:2', ['65000:200']));
    await sim.bgpAdvertiseMembership({
      pe: 'PE3',
      vpnId: 'shared',
      ce: 'CE-S',
      rd: '192.0.2.3:9',
      importTargets: ['65000:100', 'target:65000:200'],
      exportTargets: ['65000:300'],
    });
    assert.deepEqual(await tableOf(sim, 'PE3', 'shared'), [
      'imported:PE1/vpn-a/CE1',
      'imported:PE2/vpn-b/CE2',
      'local:PE3/shared/CE-S',
    ]);
    assert.deepEqual(
      await tableOf(sim, 'PE1', 'vpn-a'),
      ['local:PE1/vpn-a/CE1'],
      '65000:300 is not imported by vpn-a',
    );
    const [vrf] = await sim.listVrfs('PE3');
    assert.deepEqual(
      vrf?.importTargets,
      ['65000:100', '65000:200'],
      'RTs are stored canonically, without "target:"',
    );
    assert.equal(vrf?.rd, '192.0.2.3:9');
  });

  it('is idempotent per (PE, VPN, CE); a changed advertisement replaces the route', async () => {
    const { sim } = net.simulator();
    const first = await sim.bgpAdvertiseMembership(
      site('PE1', 'vpn-a', 'CE1', '65000:1', ['65000:100'], ['10.1.0.0/16']),
    );
    const again = await sim.bgpAdvertiseMembership(
      site('PE1', 'vpn-a', 'CE1', '65000:1', ['65000:100'], ['10.1.0.0/16']),
    );
    assert.equal(again.vrfCreated, false);
    assert.equal(again.routeChanged, false);
    assert.deepEqual(again.route, first.route);
    const changed = await sim.bgpAdvertiseMembership(
      site('PE1', 'vpn-a', 'CE1', '65000:1', ['65000:100'], ['10.2.0.0/16']),
    );
    assert.equal(changed.routeChanged, true);
    const routes = await sim.listRoutes('PE1');
    assert.equal(routes.length, 1, 'still one route for the site');
    assert.deepEqual(routes[0]?.prefixes, ['10.2.0.0/16']);
    const labels = await sim.listLabels('PE1');
    assert.deepEqual(
      labels,
      [{ node: 'PE1', label: first.vrf.label, owner: 'vrf:vpn-a' }],
      'one VPN label per VRF',
    );
  });

  it('refuses a second RD or RT set for a VPN already configured on the PE', async () => {
    const { sim } = net.simulator();
    await sim.bgpAdvertiseMembership(site('PE1', 'vpn-a', 'CE1', '65000:1', ['65000:100']));
    await assert.rejects(
      sim.bgpAdvertiseMembership(site('PE1', 'vpn-a', 'CE9', '65000:2', ['65000:100'])),
      ConflictError,
    );
    await assert.rejects(
      sim.bgpAdvertiseMembership(site('PE1', 'vpn-a', 'CE9', '65000:1', ['65000:101'])),
      ConflictError,
    );
    const second = await sim.bgpAdvertiseMembership(site('PE1', 'vpn-a', 'CE9', '65000:1', ['65000:100']));
    assert.equal(
      second.vrfCreated,
      false,
      'a second site with the same VRF configuration joins the same VRF',
    );
  });

  it('withdrawal removes the route from remote tables; the last site takes the VRF and its label with it', async () => {
    const { sim } = net.simulator();
    const a = await sim.bgpAdvertiseMembership(site('PE1', 'vpn-a', 'CE1', '65000:1', ['65000:100']));
    await sim.bgpAdvertiseMembership(site('PE1', 'vpn-a', 'CE1b', '65000:1', ['65000:100']));
    await sim.bgpAdvertiseMembership(site('PE2', 'vpn-a', 'CE2', '65000:2', ['65000:100']));

    assert.deepEqual(await sim.bgpWithdrawMembership({ pe: 'PE1', vpnId: 'vpn-a', ce: 'CE1' }), {
      withdrawn: true,
      vrfRemoved: false,
    });
    assert.deepEqual(await tableOf(sim, 'PE2', 'vpn-a'), ['imported:PE1/vpn-a/CE1b', 'local:PE2/vpn-a/CE2']);
    assert.deepEqual(await sim.bgpWithdrawMembership({ pe: 'PE1', vpnId: 'vpn-a', ce: 'CE1b' }), {
      withdrawn: true,
      vrfRemoved: true,
    });
    assert.deepEqual(await sim.bgpWithdrawMembership({ pe: 'PE1', vpnId: 'vpn-a', ce: 'CE1b' }), {
      withdrawn: false,
      vrfRemoved: false,
    });
    assert.deepEqual(await sim.listVrfs('PE1'), []);
    assert.deepEqual(await sim.listLabels('PE1'), [], 'the VPN label went back to the pool');
    assert.deepEqual(await tableOf(sim, 'PE2', 'vpn-a'), ['local:PE2/vpn-a/CE2']);
    const again = await sim.bgpAdvertiseMembership(site('PE1', 'vpn-a', 'CE1', '65000:1', ['65000:100']));
    assert.equal(again.vrf.label, a.vrf.label, 'the released label is reused');
  });

  it('validates RDs, RTs, prefixes and the PE before storing anything', async () => {
    const { sim } = net.simulator();
    const bad: [Partial<BgpAdvertiseMembershipRequest>, string][] = [
      [{ rd: '70000:70000' }, 'rd'],
      [{ rd: '192.0.2.1:70000' }, 'rd'],
      [{ rd: 'abc:1' }, 'rd'],
      [{ exportTargets: ['65000'] }, 'exportTargets[0]'],
      [{ prefixes: ['10.0.0.0/33'] }, 'prefixes[0]'],
    ];
    for (const [patch, field] of bad) {
      const request = { ...site('PE1', 'vpn-a', 'CE1', '65000:1', ['65000:100']), ...patch };
      await assert.rejects(sim.bgpAdvertiseMembership(request), (e: unknown) => {
        assert.ok(e instanceof InvalidArgumentError);
        assert.equal(e.code, 'PESIM_INVALID_ARGUMENT');
        assert.equal(e.field, field);
        return true;
      });
    }
    await assert.rejects(
      sim.bgpAdvertiseMembership(site('P1', 'vpn-a', 'CE1', '65000:1', ['65000:1'])),
      UnknownPeError,
    );
    await assert.rejects(
      sim.bgpAdvertiseMembership(site('PE9', 'vpn-a', 'CE1', '65000:1', ['65000:1'])),
      (e: unknown) => {
        assert.ok(e instanceof UnknownPeError);
        assert.equal(e.code, 'PESIM_UNKNOWN_PE');
        return true;
      },
    );
    assert.deepEqual(await sim.listVrfs(), []);
    assert.deepEqual(await sim.listRoutes(), []);
  });
});

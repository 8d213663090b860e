import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConflictError,
  InvalidArgumentError,
  InvalidPathError,
  LabelSpaceExhaustedError,
  NoBandwidthError,
  NotFoundError,
  TopologyMismatchError,
  UnknownPeError,
  type LinkState,
  type PeSimulator,
} from '../../src/index.js';
import { demoTopology, PE1_TO_PE2, TestNetwork } from '../support/demo-network.js';

let net: TestNetwork;
before(async () => {
  net = await TestNetwork.start();
});
after(async () => {
  await net.stop();
});

const M = 1_000_000;

async function reserved(sim: PeSimulator): Promise<Record<string, number>> {
  const links: LinkState[] = await sim.listLinks();
  return Object.fromEntries(links.filter((l) => l.reservedBps !== 0).map((l) => [l.id, l.reservedBps]));
}

describe('rsvp-te.signal: hop-by-hop admission and label allocation (RFC 3209)', () => {
  it('reserves every hop and binds a label at each downstream node; the Resv carries them upstream', async () => {
    const { sim } = net.simulator();
    const { lsp, created } = await sim.rsvpTeSignal({
      lspId: 'lsp-1',
      route: PE1_TO_PE2,
      bandwidthBps: 30 * M,
    });
    assert.equal(created, true);
    assert.equal(lsp.status, 'up');
    assert.equal(lsp.ingress, 'PE1');
    assert.equal(lsp.egress, 'PE2');
    assert.deepEqual(
      lsp.hops.map((h) => [h.linkId, h.reservedBps]),
      [
        ['PE1-P1', 30 * M],
        ['P1-P2', 30 * M],
        ['P2-PE2', 30 * M],
      ],
    );
    assert.deepEqual(await reserved(sim), { 'PE1-P1': 30 * M, 'P1-P2': 30 * M, 'P2-PE2': 30 * M });
    for (const hop of lsp.hops) {
      assert.ok(hop.label !== null && hop.label >= 16, `${hop.to} bound an unreserved label`);
      assert.deepEqual(await sim.listLabels(hop.to), [
        { node: hop.to, label: hop.label, owner: 'rsvp:lsp-1' },
      ]);
    }
    assert.equal(lsp.ingressLabel, lsp.hops[0]?.label);
    assert.deepEqual(await sim.listLabels('PE1'), [], 'the head end binds no incoming label');
  });

  it('signalling the same LSP id again returns the existing LSP and reserves nothing more', async () => {
    const { sim } = net.simulator();
    const first = await sim.rsvpTeSignal({ lspId: 'lsp-1', route: PE1_TO_PE2, bandwidthBps: 10 * M });
    const again = await sim.rsvpTeSignal({ lspId: 'lsp-1', route: PE1_TO_PE2, bandwidthBps: 10 * M });
    assert.equal(again.created, false);
    assert.deepEqual(again.lsp.hops, first.lsp.hops);
    assert.deepEqual(await reserved(sim), { 'PE1-P1': 10 * M, 'P1-P2': 10 * M, 'P2-PE2': 10 * M });
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'lsp-1', route: PE1_TO_PE2, bandwidthBps: 20 * M }),
      ConflictError,
    );
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'lsp-1', route: { nodes: ['PE1', 'P1', 'PE3'] }, bandwidthBps: 10 * M }),
      ConflictError,
    );
  });

  it('refuses at the bottleneck hop with nothing reserved on any hop', async () => {
    const { sim } = net.simulator();
    await sim.rsvpTeSignal({ lspId: 'big', route: PE1_TO_PE2, bandwidthBps: 80 * M });
    const before = await reserved(sim);
    const labelsBefore = await Promise.all(['P1', 'P2', 'PE2'].map((n) => sim.listLabels(n)));
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'too-big', route: PE1_TO_PE2, bandwidthBps: 30 * M }),
      (e: unknown) => {
        assert.ok(e instanceof NoBandwidthError);
        assert.equal(e.code, 'PESIM_NO_BANDWIDTH');
        assert.equal(e.hopIndex, 1, 'the first hop PE1-P1 admits; P1-P2 refuses');
        assert.equal(e.linkId, 'P1-P2');
        assert.equal(e.availableBps, 20 * M);
        assert.equal(e.requestedBps, 30 * M);
        return true;
      },
    );
    assert.deepEqual(await reserved(sim), before, 'no hop holds anything for the refused LSP');
    assert.deepEqual(await Promise.all(['P1', 'P2', 'PE2'].map((n) => sim.listLabels(n))), labelsBefore);
    assert.equal(await sim.getLsp('too-big'), null);
    const fits = await sim.rsvpTeSignal({ lspId: 'fits', route: PE1_TO_PE2, bandwidthBps: 20 * M });
    assert.equal(fits.lsp.status, 'up', 'exactly the remaining 20 Mbit/s fits');
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'one-more', route: PE1_TO_PE2, bandwidthBps: 1 }),
      NoBandwidthError,
    );
  });

  it('accepts the route as links, to pick among parallel links; validates the route', async () => {
    const topology = demoTopology();
    const links = [
      ...(topology.links as { id: string; from: string; to: string; maxReservableBps: number }[]),
    ];
    links.push({ id: 'PE1-P1-b', from: 'PE1', to: 'P1', maxReservableBps: 5 * M });
    const { sim } = net.simulator({ topology: { nodes: topology.nodes, links } });
    const viaB = await sim.rsvpTeSignal({
      lspId: 'b',
      route: { links: ['PE1-P1-b', 'P1-PE3'] },
      bandwidthBps: 5 * M,
    });
    assert.deepEqual(viaB.lsp.nodes, ['PE1', 'P1', 'PE3']);
    assert.deepEqual(await reserved(sim), { 'PE1-P1-b': 5 * M, 'P1-PE3': 5 * M });
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'gap', route: { links: ['PE1-P1', 'P2-PE2'] }, bandwidthBps: 1 }),
      InvalidPathError,
    );
    await assert.rejects(
      sim.rsvpTeSignal({
        lspId: 'loop',
        route: { nodes: ['PE1', 'P1', 'PE3', 'P1', 'P2', 'PE2'] },
        bandwidthBps: 1,
      }),
      InvalidPathError,
    );
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'nolink', route: { nodes: ['PE1', 'PE2'] }, bandwidthBps: 1 }),
      InvalidPathError,
    );
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'to-p', route: { nodes: ['PE1', 'P1'] }, bandwidthBps: 1 }),
      UnknownPeError,
      'an LSP runs PE to PE',
    );
    await assert.rejects(
      sim.rsvpTeSignal({
        lspId: 'prio',
        route: PE1_TO_PE2,
        bandwidthBps: 1,
        setupPriority: 0,
        holdingPriority: 3,
      }),
      InvalidArgumentError,
      'RFC 3209 §4.7.4: setup priority not higher than holding priority',
    );
  });

  it('with penultimate-hop popping the egress advertises Implicit NULL (3) and binds no label', async () => {
    const { sim } = net.simulator();
    const { lsp } = await sim.rsvpTeSignal({
      lspId: 'php',
      route: PE1_TO_PE2,
      bandwidthBps: M,
      penultimateHopPopping: true,
    });
    assert.equal(lsp.hops[2]?.label, 3);
    assert.deepEqual(await sim.listLabels('PE2'), []);
    await sim.rsvpTeTeardown({ lspId: 'php' });
    assert.deepEqual(await reserved(sim), {});
    assert.deepEqual(await sim.listLabels('P1'), []);
  });

  it('a label space running out on a downstream node refuses the LSP before anything is written', async () => {
    const { sim } = net.simulator({ labelRange: { min: 16, max: 17 } });
    await sim.rsvpTeSignal({ lspId: 'a', route: PE1_TO_PE2, bandwidthBps: M });
    await sim.ldpBind({ pe: 'PE2', fec: '10.0.0.1/32' });
    const before = await reserved(sim);
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'b', route: PE1_TO_PE2, bandwidthBps: M }),
      (e: unknown) => {
        assert.ok(e instanceof LabelSpaceExhaustedError);
        assert.equal(e.node, 'PE2');
        return true;
      },
    );
    assert.deepEqual(await reserved(sim), before);
    assert.equal((await sim.listLabels('P1')).length, 1, 'P1 did not bind a label for the refused LSP');
  });
});

describe('rsvp-te.resize: make-before-break', () => {
  it('grows when every hop admits the delta; a refused growth leaves the old size everywhere', async () => {
    const { sim } = net.simulator();
    await sim.rsvpTeSignal({ lspId: 'x', route: PE1_TO_PE2, bandwidthBps: 40 * M });
    await sim.rsvpTeSignal({
      lspId: 'other',
      route: { nodes: ['PE3', 'P1', 'P2', 'PE2'] },
      bandwidthBps: 30 * M,
    });
    const grown = await sim.rsvpTeResize({ lspId: 'x', bandwidthBps: 70 * M });
    assert.equal(grown.previousBandwidthBps, 40 * M);
    assert.equal(grown.lsp.bandwidthBps, 70 * M);
    assert.deepEqual(await reserved(sim), {
      'PE1-P1': 70 * M,
      'P1-P2': 100 * M,
      'P2-PE2': 100 * M,
      'PE3-P1': 30 * M,
    });
    const labels = grown.lsp.hops.map((h) => h.label);

    await assert.rejects(sim.rsvpTeResize({ lspId: 'x', bandwidthBps: 71 * M }), (e: unknown) => {
      assert.ok(e instanceof NoBandwidthError);
      assert.equal(e.linkId, 'P1-P2');
      assert.equal(e.availableBps, 0);
      return true;
    });
    const after = await sim.getLsp('x');
    assert.equal(after?.bandwidthBps, 70 * M, 'the old size stays');
    assert.equal(after?.status, 'up');
    assert.deepEqual(await reserved(sim), {
      'PE1-P1': 70 * M,
      'P1-P2': 100 * M,
      'P2-PE2': 100 * M,
      'PE3-P1': 30 * M,
    });

    const shrunk = await sim.rsvpTeResize({ lspId: 'x', bandwidthBps: 10 * M });
    assert.deepEqual(
      shrunk.lsp.hops.map((h) => h.label),
      labels,
      'labels are kept',
    );
    assert.deepEqual(await reserved(sim), {
      'PE1-P1': 10 * M,
      'P1-P2': 40 * M,
      'P2-PE2': 40 * M,
      'PE3-P1': 30 * M,
    });
    const same = await sim.rsvpTeResize({ lspId: 'x', bandwidthBps: 10 * M });
    assert.equal(same.lsp.bandwidthBps, 10 * M, 'resizing to the current size is an idempotent no-op');
    assert.deepEqual(await reserved(sim), {
      'PE1-P1': 10 * M,
      'P1-P2': 40 * M,
      'P2-PE2': 40 * M,
      'PE3-P1': 30 * M,
    });
    await assert.rejects(sim.rsvpTeResize({ lspId: 'nope', bandwidthBps: 1 }), NotFoundError);
  });
});

describe('rsvp-te.teardown', () => {
  it('releases every reservation and label; labels are reused; a second teardown is a no-op', async () => {
    const { sim } = net.simulator();
    const a = await sim.rsvpTeSignal({ lspId: 'a', route: PE1_TO_PE2, bandwidthBps: 5 * M });
    await sim.rsvpTeSignal({ lspId: 'b', route: PE1_TO_PE2, bandwidthBps: 5 * M });
    const down = await sim.rsvpTeTeardown({ lspId: 'a' });
    assert.equal(down.existed, true);
    assert.equal(down.lsp?.lspId, 'a');
    assert.deepEqual(await sim.rsvpTeTeardown({ lspId: 'a' }), { existed: false, lsp: null });
    assert.deepEqual(await reserved(sim), { 'PE1-P1': 5 * M, 'P1-P2': 5 * M, 'P2-PE2': 5 * M });
    const c = await sim.rsvpTeSignal({ lspId: 'c', route: PE1_TO_PE2, bandwidthBps: 5 * M });
    assert.deepEqual(
      c.lsp.hops.map((h) => h.label),
      a.lsp.hops.map((h) => h.label),
      'c reuses the labels a released',
    );
    await sim.rsvpTeTeardown({ lspId: 'b' });
    await sim.rsvpTeTeardown({ lspId: 'c' });
    assert.deepEqual(await reserved(sim), {});
    for (const node of ['P1', 'P2', 'PE2']) assert.deepEqual(await sim.listLabels(node), []);
    assert.deepEqual(await sim.listLsps(), []);
  });

  it('lists LSPs by node and status for the reconciler', async () => {
    const { sim } = net.simulator();
    await sim.rsvpTeSignal({ lspId: 'a', route: PE1_TO_PE2, bandwidthBps: M });
    await sim.rsvpTeSignal({ lspId: 'b', route: { nodes: ['PE1', 'P1', 'PE3'] }, bandwidthBps: M });
    assert.deepEqual(
      (await sim.listLsps()).map((l) => l.lspId),
      ['a', 'b'],
    );
    assert.deepEqual(
      (await sim.listLsps({ node: 'P2' })).map((l) => l.lspId),
      ['a'],
    );
    assert.deepEqual(
      (await sim.listLsps({ node: 'PE3', status: 'up' })).map((l) => l.lspId),
      ['b'],
    );
    assert.deepEqual(await sim.listLsps({ status: 'down' }), []);
  });
});

describe('the simulator keeps its own copy of the network', () => {
  it('its link capacities can disagree with the broker; another topology under the same prefix is refused', async () => {
    const prefix = net.prefix();
    const { sim } = net.simulator({ prefix });
    await sim.setLinkCapacity('P1-P2', 10 * M);
    await assert.rejects(
      sim.rsvpTeSignal({ lspId: 'a', route: PE1_TO_PE2, bandwidthBps: 20 * M }),
      NoBandwidthError,
    );
    const link = (await sim.listLinks()).find((l) => l.id === 'P1-P2');
    assert.equal(link?.maxReservableBps, 10 * M);

    const topology = demoTopology();
    const links = (
      topology.links as { id: string; from: string; to: string; maxReservableBps: number }[]
    ).map((l) => (l.id === 'PE1-P1' ? { ...l, maxReservableBps: 1 } : l));
    const other = net.simulator({ prefix, topology: { nodes: topology.nodes, links } }).sim;
    await assert.rejects(other.listLinks(), TopologyMismatchError);
    const same = net.simulator({ prefix }).sim;
    const sameLink = (await same.listLinks()).find((l) => l.id === 'P1-P2');
    assert.equal(
      sameLink?.maxReservableBps,
      10 * M,
      'a process loading the same topology keeps the runtime capacity',
    );
    await other.init({ replace: true });
    assert.equal((await other.listLinks()).find((l) => l.id === 'PE1-P1')?.maxReservableBps, 1);
  });

  it('clear() wipes the network for every process; the next signal stores the description again', async () => {
    const prefix = net.prefix();
    const a = net.simulator({ prefix }).sim;
    const b = net.simulator({ prefix }).sim;
    await a.rsvpTeSignal({ lspId: 'x', route: PE1_TO_PE2, bandwidthBps: M });
    await a.ldpBind({ pe: 'PE1', fec: '10.0.0.2/32' });
    assert.ok((await b.clear()) > 5);
    assert.deepEqual(await a.listLsps(), []);
    assert.deepEqual(await a.listLabels('P1'), []);
    const again = await a.rsvpTeSignal({ lspId: 'x', route: PE1_TO_PE2, bandwidthBps: M });
    assert.equal(again.created, true);
    assert.equal(again.lsp.hops[0]?.label, 16);
    assert.deepEqual(await reserved(b), { 'PE1-P1': M, 'P1-P2': M, 'P2-PE2': M });
  });
});

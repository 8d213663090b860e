/**
 * The worked example of seed 003 (draft-baker-tsvwg-mlpp-that-works style nested VPN, §2.3, Figure 6)
 * as an executable scenario: each `it` is named after the draft's sentence it checks.
 *
 * Figure 6, as built here (one-way links in the direction of the reservations, H1..H3 → H4..H6):
 *
 *   enclaves         interface domain 1          inner domain        interface domain 2        enclaves
 *   H1─R1─VPN1 ─┐                                                                    ┌─ VPN4─R4─H4
 *   H2─R2─VPN2 ─┼──► R7 ──► VPN7 ══► R9 ══► VPN8 ──► R8 ──┼─ VPN5─R5─H5
 *   H3─R3─VPN3 ─┘                   (bottleneck)                                     └─ VPN6─R6─H6
 *
 * Layers (each adds its own header, seed 003 §2.1):
 *   enclave   — H3's PSTN gateway aggregates its calls (RFC 3175, no extra header, H = 0);
 *   interface — VPN1..VPN6 tunnels (IPsec ESP tunnel mode, H = 73 B), carried VPN7 ⇒ VPN8 by:
 *   inner     — the VPN7 → VPN8 tunnel across R9 (IPsec ESP tunnel mode again, H = 73 B).
 *
 * Capacities: every link 10 Mbit/s except VPN7→R9 and R9→VPN8, which carry 2.9 Mbit/s of voice by
 * policy — sized so that after §2.3.2 and §2.3.3 the link from VPN7 to R9 is exactly full.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addOverhead, DEFAULT_PRECEDENCE_MAP, espTunnelOverhead, sumTspecs, type Tspec } from '@svpn/qos';
import {
  AggregateManager,
  planPreemption,
  type AggregateView,
  type AggregationAction,
  type ReservationLedger,
} from '../../src/index.js';
import { ledgerFor, topology } from '../aggregation/network.js';

const ESP = espTunnelOverhead(); // 73 B: outer IPv4 20 + SPI/seq 8 + IV 16 + pad ≤ 15 + 2 + ICV 12
const BIG = 10_000_000;
const R9_VOICE = 2_900_000;

/** A G.711 call at the IP layer: 160 B of voice + 40 B IP/UDP/RTP every 20 ms = 80 kbit/s (seed 003 §1.2). */
const G711: Tspec = { r: 10_000, b: 200, p: 10_000, m: 200, M: 200 };
/** n G.711 calls as one Tspec. */
const calls = (n: number): Tspec => ({ r: n * 10_000, b: n * 200, p: n * 10_000, m: 200, M: 200 });
/** H2's IPsec-protected video session (RFC 2207): 1.6 Mbit/s in 1000-byte packets. */
const VIDEO: Tspec = { r: 200_000, b: 4_000, p: 250_000, m: 1_000, M: 1_000 };

const enclaveLinks = topology([
  ['H1', 'R1', BIG],
  ['R1', 'VPN1', BIG],
  ['H2', 'R2', BIG],
  ['R2', 'VPN2', BIG],
  ['H3', 'R3', BIG],
  ['R3', 'VPN3', BIG],
  ['VPN4', 'R4', BIG],
  ['R4', 'H4', BIG],
  ['VPN5', 'R5', BIG],
  ['R5', 'H5', BIG],
  ['VPN6', 'R6', BIG],
  ['R6', 'H6', BIG],
]);
const interfaceLinks = topology([
  ['VPN1', 'R7', BIG],
  ['VPN2', 'R7', BIG],
  ['VPN3', 'R7', BIG],
  ['R7', 'VPN7', BIG],
  ['VPN8', 'R8', BIG],
  ['R8', 'VPN4', BIG],
  ['R8', 'VPN5', BIG],
  ['R8', 'VPN6', BIG],
]);
const innerLinks = topology([
  ['VPN7', 'R9', R9_VOICE],
  ['R9', 'VPN8', R9_VOICE],
]);

const INNER_ROUTINE = 'aggregate:inner:VPN7->VPN8:CT0:routine';
const INNER_PRIORITY = 'aggregate:inner:VPN7->VPN8:CT0:priority';
const VPN1_VPN4 = 'aggregate:interface:VPN1->VPN4:CT0:routine';
const VPN2_VPN5 = 'aggregate:interface:VPN2->VPN5:CT0:routine';
const VPN3_VPN6 = 'aggregate:interface:VPN3->VPN6:CT0:routine';
const VPN3_VPN6_PRIORITY = 'aggregate:interface:VPN3->VPN6:CT0:priority';
const H3_H6 = 'aggregate:enclave:H3->H6:CT0:routine';
const H3_H6_PRIORITY = 'aggregate:enclave:H3->H6:CT0:priority';

interface Network {
  ledger: ReservationLedger;
  manager: AggregateManager;
  /** Actions of the last operation. */
  log: AggregationAction[];
}

function build(options: { preemption?: boolean; h2FloorBps?: number } = {}): Network {
  const ledger = ledgerFor(enclaveLinks, interfaceLinks, innerLinks);
  const manager = new AggregateManager(ledger, {
    preemption: options.preemption ?? true,
    flowLayer: 'interface',
    layers: [
      {
        name: 'enclave',
        topology: enclaveLinks,
        overheadBytes: 0,
        bulkBps: 160_000,
        carriers: [{ from: 'VPN3', to: 'VPN6', layer: 'interface' }],
      },
      {
        name: 'interface',
        topology: interfaceLinks,
        overheadBytes: ESP,
        bulkBps: 100_000,
        carriers: [{ from: 'VPN7', to: 'VPN8', layer: 'inner' }],
      },
      { name: 'inner', topology: innerLinks, overheadBytes: ESP, bulkBps: 100_000 },
    ],
  });
  const net: Network = { ledger, manager, log: [] };
  const ok = (r: ReturnType<AggregateManager['addFlow']>): void => {
    assert.ok(r.ok, JSON.stringify(r));
    net.log = r.actions;
  };
  // §2.3.1 / §2.3.2 — routine reservations H1→H4 (RFC 2205 session), H2→H5 (IPsec, RFC 2207),
  // H3→H6 (a PSTN gateway's RFC 3175 aggregate of distinct calls).
  ok(
    manager.addFlow({
      id: 'H1-H4',
      ingress: 'VPN1',
      egress: 'VPN4',
      level: 'routine',
      tspec: G711,
      linksBefore: ['H1->R1', 'R1->VPN1'],
      linksAfter: ['VPN4->R4', 'R4->H4'],
    }),
  );
  ok(
    manager.addFlow({
      id: 'H2-H5',
      ingress: 'VPN2',
      egress: 'VPN5',
      level: 'routine',
      tspec: VIDEO,
      minBandwidthBps: options.h2FloorBps ?? 1_000_000,
      linksBefore: ['H2->R2', 'R2->VPN2'],
      linksAfter: ['VPN5->R5', 'R5->H5'],
    }),
  );
  for (const call of ['call-1', 'call-2'])
    ok(
      manager.addFlow({
        id: `H3-H6 ${call}`,
        layer: 'enclave',
        ingress: 'H3',
        egress: 'H6',
        level: 'routine',
        tspec: G711,
      }),
    );
  // §2.3.3 — one reservation at "priority" precedence (a priority call H1→H4).
  ok(
    manager.addFlow({
      id: 'H1-H4 priority',
      ingress: 'VPN1',
      egress: 'VPN4',
      level: 'priority',
      tspec: G711,
      linksBefore: ['H1->R1', 'R1->VPN1'],
      linksAfter: ['VPN4->R4', 'R4->H4'],
    }),
  );
  return net;
}

/** §2.3.4 — the new "priority" reservation from H3 to H6: four more calls from the PSTN gateway. */
function placePriorityH3H6(net: Network): ReturnType<AggregateManager['addFlow']> {
  const r = net.manager.addFlow({
    id: 'H3-H6 priority',
    layer: 'enclave',
    ingress: 'H3',
    egress: 'H6',
    level: 'priority',
    tspec: calls(4),
  });
  if (r.ok) net.log = r.actions;
  return r;
}

function view(net: Network, id: string): AggregateView {
  const v = net.manager.aggregate(id);
  assert.ok(v, `aggregate ${id} exists`);
  return v;
}

/** Σ over an aggregate's contents of their Tspecs after its layer's header. */
function adjustedContents(net: Network, a: AggregateView): Tspec {
  const H = net.manager.overheadBytesOf(a.layer);
  return sumTspecs(
    a.contents.map((c) =>
      addOverhead(c.kind === 'flow' ? net.manager.flow(c.id)!.tspec : net.manager.aggregate(c.id)!.tspec, H),
    ),
  );
}

describe('seed 003 §2.3.1–2.3.2: initial routine reservations', () => {
  const net = build();

  it('"VPN1, VPN2, and VPN3 … will now open a reservation … for the tunnel/SA within the interface domain" — one per remote VPN router', () => {
    for (const [id, from, to] of [
      [VPN1_VPN4, 'VPN1', 'VPN4'],
      [VPN2_VPN5, 'VPN2', 'VPN5'],
    ] as const) {
      const a = view(net, id);
      assert.equal(a.ingress, from);
      assert.equal(a.egress, to);
      assert.equal(a.level, 'routine');
    }
    // H3's calls are first aggregated by the gateway itself, whose aggregate rides VPN3 → VPN6.
    assert.deepEqual(view(net, H3_H6).carriers, [VPN3_VPN6]);
    assert.deepEqual(view(net, VPN3_VPN6).contents, [{ kind: 'aggregate', id: H3_H6 }]);
  });

  it('"these tunnel/SA reservations will follow the default route to VPN7"', () => {
    assert.deepEqual(view(net, VPN1_VPN4).links, [
      'VPN1->R7',
      'R7->VPN7',
      'tunnel:inner:VPN7->VPN8:CT0:routine',
      'VPN8->R8',
      'R8->VPN4',
    ]);
    assert.deepEqual(view(net, VPN2_VPN5).links, [
      'VPN2->R7',
      'R7->VPN7',
      'tunnel:inner:VPN7->VPN8:CT0:routine',
      'VPN8->R8',
      'R8->VPN5',
    ]);
  });

  it('"VPN7 ensures that it has an appropriate security association or tunnel open to VPN8 … this tunnel/SA reservation is forwarded to VPN8"', () => {
    const inner = view(net, INNER_ROUTINE);
    assert.deepEqual(inner.links, ['VPN7->R9', 'R9->VPN8']);
    assert.deepEqual(inner.contents.map((c) => c.id).sort(), [VPN1_VPN4, VPN2_VPN5, VPN3_VPN6]);
    assert.equal(net.ledger.get(INNER_ROUTINE)?.bandwidthBps, inner.sizeBps);
  });

  it('"if the reservation does exist, the VPN Router will increase the bandwidth … appropriately"', () => {
    // Replay the first two sessions on their own: H2's session grows the existing inner tunnel.
    const ledger = ledgerFor(interfaceLinks, innerLinks);
    const replay = new AggregateManager(ledger, {
      layers: [
        {
          name: 'interface',
          topology: interfaceLinks,
          overheadBytes: ESP,
          bulkBps: 100_000,
          carriers: [{ from: 'VPN7', to: 'VPN8', layer: 'inner' }],
        },
        { name: 'inner', topology: innerLinks, overheadBytes: ESP, bulkBps: 100_000 },
      ],
    });
    assert.ok(replay.addFlow({ id: 'a', ingress: 'VPN1', egress: 'VPN4', level: 'routine', tspec: G711 }).ok);
    assert.equal(replay.aggregate(INNER_ROUTINE)?.sizeBps, 300_000); // ⌈25 000·346/273⌉·8 = 253 480
    const second = replay.addFlow({
      id: 'b',
      ingress: 'VPN2',
      egress: 'VPN5',
      level: 'routine',
      tspec: VIDEO,
    });
    assert.ok(second.ok);
    const grown = second.actions.find((x) => x.id === INNER_ROUTINE);
    assert.deepEqual(grown && [grown.action, grown.fromBps, grown.toBps], ['grow', 300_000, 2_200_000]);
  });

  it('"The sum of the average rates / peak rates / burst sizes of the contained reservations, having been adjusted for the additional IP headers, will be less than or equal to" those of the tunnel reservation', () => {
    for (const a of net.manager.aggregates()) {
      const sum = adjustedContents(net, a);
      assert.ok(a.tspec.r >= sum.r, `${a.id} average rate`);
      assert.ok(a.tspec.p >= sum.p, `${a.id} peak rate`);
      assert.ok(a.tspec.b >= sum.b, `${a.id} burst`);
      assert.ok(a.sizeBps >= a.requiredBps && a.requiredBps === 8 * sum.r);
    }
  });

  it('each layer adds its own header: the worked sizes (bulk 100 kbit/s in the VPN layers, 160 kbit/s at the gateway)', () => {
    // H1→H4: one call, r′ = ⌈10 000·(200+73)/200⌉ = 13 650 B/s = 109.2 kbit/s → 200 kbit/s tunnel.
    assert.equal(view(net, VPN1_VPN4).sizeBps, 200_000);
    // H2→H5: video, r′ = 200 000·1073/1000 = 214 600 B/s = 1 716.8 kbit/s → 1.8 Mbit/s tunnel.
    assert.equal(view(net, VPN2_VPN5).sizeBps, 1_800_000);
    // H3→H6: two calls = 160 kbit/s at the gateway (H = 0) → r′ = ⌈20 000·273/200⌉ = 27 300 B/s → 300 kbit/s.
    assert.equal(view(net, H3_H6).sizeBps, 160_000);
    assert.equal(view(net, VPN3_VPN6).sizeBps, 300_000);
    // Inner tunnel: each interface tunnel (r = size/8, m = m+73) grows again by (m+73)/m:
    //   ⌈25 000·346/273⌉ + ⌈225 000·1146/1073⌉ + ⌈37 500·346/273⌉ = 31 685 + 240 308 + 47 528
    //   = 319 521 B/s = 2 556 168 bit/s → 2.6 Mbit/s.
    assert.equal(view(net, INNER_ROUTINE).requiredBps, 2_556_168);
    assert.equal(view(net, INNER_ROUTINE).sizeBps, 2_600_000);
  });

  it('"The Preemption Priority [and Defending Priority] of a tunnel reservation is identical to that of the individual reservations it aggregates"', () => {
    const routine = DEFAULT_PRECEDENCE_MAP.toRsvp('routine');
    for (const a of net.manager.aggregates().filter((x) => x.level === 'routine')) {
      assert.equal(a.setupPriority, routine.setupPriority);
      assert.equal(a.holdingPriority, routine.holdingPriority);
      assert.equal(a.defendingPriority, DEFAULT_PRECEDENCE_MAP.toRfc3181('routine').defendingPriority);
      for (const c of a.contents) {
        const inner = c.kind === 'flow' ? net.manager.flow(c.id)! : net.manager.aggregate(c.id)!;
        assert.equal(inner.level, a.level);
        assert.equal(net.ledger.get(c.id)?.holdingPriority, a.holdingPriority);
      }
    }
  });

  it('"a reservation of the appropriate type and size is created end to end": enclave, interface and inner reservations are all in the ledger', () => {
    assert.deepEqual(net.ledger.get('H1-H4')?.links, [
      'H1->R1',
      'R1->VPN1',
      'tunnel:interface:VPN1->VPN4:CT0:routine',
      'VPN4->R4',
      'R4->H4',
    ]);
    assert.equal(net.ledger.get('H1-H4')?.bandwidthBps, 80_000);
    assert.deepEqual(net.ledger.overbooked(), []);
  });
});

describe('seed 003 §2.3.3: installation of a reservation using precedence', () => {
  it('"this new reservation will open up a separate set of tunnels … at its precedence" and "would not expand the existing routine reservations"', () => {
    const net = build();
    const routine = net.manager
      .aggregates()
      .filter((a) => a.level === 'routine')
      .map((a) => [a.id, a.sizeBps]);
    // build() already placed the priority call H1→H4 last: it created its own tunnels at both layers …
    assert.deepEqual(
      net.log.filter((x) => x.target === 'aggregate').map((x) => [x.id, x.action]),
      [
        [INNER_PRIORITY, 'create'],
        ['aggregate:interface:VPN1->VPN4:CT0:priority', 'create'],
      ],
    );
    // … and every routine tunnel kept its size.
    const again = build();
    assert.deepEqual(
      again.manager
        .aggregates()
        .filter((a) => a.level === 'routine')
        .map((a) => [a.id, a.sizeBps]),
      routine,
    );
    assert.equal(view(net, INNER_PRIORITY).sizeBps, 300_000); // ⌈25 000·346/273⌉·8 = 253 480 → 300 kbit/s
  });
});

describe('seed 003 §2.3.4: installation of a reservation using preemption', () => {
  it('"presume that the link from VPN7 to R9 is now fully utilized - all of the bandwidth allocated by policy to voice at the routine or priority level has been reserved"', () => {
    const net = build();
    assert.equal(net.ledger.unreserved('VPN7->R9', 0), 0);
    assert.equal(view(net, INNER_ROUTINE).sizeBps + view(net, INNER_PRIORITY).sizeBps, R9_VOICE);
  });

  it('"At R9, a problem is detected - there is not sufficient bandwidth under the relevant policy"', () => {
    const net = build();
    // The priority inner tunnel must grow from 300 kbit/s to 900 kbit/s: the four new calls are
    // 320 kbit/s at the gateway → ⌈40 000·273/200⌉ = 54 600 B/s → 500 kbit/s VPN3→VPN6 tunnel →
    // ⌈62 500·346/273⌉ = 79 213 B/s, + the H1 priority tunnel's 31 685 B/s = 887 184 bit/s → 900 kbit/s.
    const probe = net.ledger.resize(INNER_PRIORITY, 900_000);
    assert.equal(probe.ok, false);
    if (!probe.ok) {
      assert.equal(probe.refusal.link, 'VPN7->R9');
      // Without preemption it can have only what it holds; preempting routine would give it all.
      assert.equal(probe.refusal.availableBps, 300_000);
      assert.equal(probe.refusal.availableWithPreemptionBps, R9_VOICE);
    }
  });

  it('"In the absence of precedence, R9 would now return an RESV Error … the previous reservation would remain in place but the new bandwidth would not be granted, and the originator (H6) would be informed"', () => {
    const net = build({ preemption: false });
    const before = JSON.stringify(net.ledger.snapshot());
    const views = JSON.stringify(net.manager.aggregates());
    const r = placePriorityH3H6(net);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.refusal.code, 'TE_NO_BANDWIDTH');
      assert.equal(r.refusal.link, 'VPN7->R9');
      assert.equal(r.refusal.reservationId, INNER_PRIORITY);
    }
    assert.equal(JSON.stringify(net.ledger.snapshot()), before);
    assert.equal(JSON.stringify(net.manager.aggregates()), views);
    assert.equal(net.manager.flow('H3-H6 priority'), undefined);
  });

  it('"extant reservations in the router, of which there are two: one VPN7->VPN8 at routine precedence and one VPN7->VPN8 at priority precedence"', () => {
    const net = build();
    assert.deepEqual(
      net.ledger
        .onLink('VPN7->R9')
        .map((r) => r.id)
        .sort(),
      [INNER_PRIORITY, INNER_ROUTINE],
    );
  });

  it('"Since the Defending Priority of routine reservation is less than the Preemption Priority of a priority reservation, the routine reservation is selected"', () => {
    const net = build();
    const map = DEFAULT_PRECEDENCE_MAP;
    assert.ok(map.toRfc3181('routine').defendingPriority < map.toRfc3181('priority').preemptionPriority);
    const plan = planPreemption(
      net.ledger,
      { resize: INNER_PRIORITY, bandwidthBps: 900_000 },
      {
        victimPolicy: net.manager.victimPolicy,
      },
    );
    assert.deepEqual(
      plan.victims.map((v) => [v.id, v.action]),
      [[INNER_ROUTINE, 'shrink']],
    );
    // The priority tunnel itself (equal precedence) is never a victim.
    assert.ok(!plan.victims.some((v) => v.id === INNER_PRIORITY));
  });

  it('"R9 determines that it will accept the increase in its priority reservation VPN7->VPN8 and reduce the corresponding routine reservation"', () => {
    const net = build();
    assert.ok(placePriorityH3H6(net).ok);
    assert.equal(view(net, INNER_PRIORITY).sizeBps, 900_000);
    assert.equal(net.ledger.get(INNER_PRIORITY)?.bandwidthBps, 900_000);
    const preempted = net.log.filter((x) => x.cause === 'preemption');
    assert.deepEqual(
      preempted.map((x) => [x.id, x.action, x.preemptedBy]),
      [[INNER_ROUTINE, 'reduce', INNER_PRIORITY]],
    );
  });

  it('"requesting that it reduce its reservation to a number less than or equal to the relevant threshold less the sum of the competing reservations"', () => {
    const net = build();
    assert.ok(placePriorityH3H6(net).ok);
    const reduced = net.log.find((x) => x.id === INNER_ROUTINE && x.action === 'reduce')!;
    assert.equal(reduced.fromBps, 2_600_000);
    assert.equal(reduced.toBps, R9_VOICE - 900_000);
  });

  it('"VPN8 … On the inner domain side, it marks its reservation down to the indicated rate (the most it is now permitted to reserve)"', () => {
    const net = build();
    assert.ok(placePriorityH3H6(net).ok);
    assert.equal(net.ledger.get(INNER_ROUTINE)?.bandwidthBps, 2_000_000);
    assert.equal(view(net, INNER_ROUTINE).sizeBps, 2_000_000);
    // The interface layer's view of the tunnel shrinks with it.
    assert.equal(net.ledger.constraintsOf('tunnel:inner:VPN7->VPN8:CT0:routine').maxReservableBps, 2_000_000);
    assert.equal(net.ledger.unreserved('VPN7->R9', 0), 0);
  });

  it('"On the interface domain side it selects one or more of the relevant reservations … let us imagine that the selected reservation is the one to VPN5"', () => {
    const net = build();
    assert.ok(placePriorityH3H6(net).ok);
    // The routine tunnel must shed 2 556 168 − 2 000 000 = 556 168 bit/s. Of its three contents
    // (253 480, 1 922 464 and 380 224 bit/s in the inner tunnel), only VPN2→VPN5 frees that alone:
    // the fewest reservations, all at the same (routine) defending priority.
    const chosen = net.log.filter((x) => x.cause === 'deaggregation' && x.deaggregator === 'VPN8');
    assert.deepEqual(
      chosen.map((x) => [x.id, x.outerAggregateId]),
      [[VPN2_VPN5, INNER_ROUTINE]],
    );
    assert.equal(view(net, VPN1_VPN4).sizeBps, 200_000);
    assert.equal(view(net, VPN3_VPN6).sizeBps, 300_000);
  });

  it('"The RESV Error now makes its way through R8 to VPN5, which similarly reduces its bandwidth request to the stated amount"', () => {
    const net = build();
    assert.ok(placePriorityH3H6(net).ok);
    const step = net.log.find((x) => x.id === VPN2_VPN5)!;
    // It may keep 1 922 464 − 556 168 = 1 366 296 bit/s inside the inner tunnel, i.e. an own rate of
    // ⌊⌊1 366 296/8⌋·1073/1146⌋ = ⌊170 787·1073/1146⌋ = ⌊159 907.9⌋ = 159 907 B/s = 1 279 256 bit/s.
    assert.deepEqual([step.action, step.fromBps, step.toBps], ['reduce', 1_800_000, 1_279_256]);
    const r = net.ledger.get(VPN2_VPN5)!;
    assert.equal(r.bandwidthBps, 1_279_256);
    assert.ok(r.links.includes('R8->VPN5'));
    assert.equal(view(net, INNER_ROUTINE).requiredBps <= 2_000_000, true);
  });

  it('"and passes a RESV Error message on the enclave side requesting that the reservation be appropriately reduced" — H5 re-reserves at the stated bandwidth when its application can live with it', () => {
    const net = build({ h2FloorBps: 1_000_000 });
    assert.ok(placePriorityH3H6(net).ok);
    const step = net.log.find((x) => x.id === 'H2-H5')!;
    // In a 1 279 256 bit/s tunnel with 73 B per 1000 B packet: ⌊159 907·1000/1073⌋ = 149 027 B/s.
    assert.deepEqual(
      [step.target, step.action, step.deaggregator, step.fromBps, step.toBps],
      ['flow', 'reduce', 'VPN5', 1_600_000, 1_192_216],
    );
    assert.equal(net.ledger.get('H2-H5')?.bandwidthBps, 1_192_216);
    assert.ok(net.ledger.get('H2-H5')!.links.includes('R5->H5'));
  });

  it('"If the request is to reduce its reservation to zero [or below what it can use], that is equivalent to tearing down the reservation" — H5 tears down', () => {
    const net = build({ h2FloorBps: 1_500_000 });
    assert.ok(placePriorityH3H6(net).ok);
    const ended = net.log.filter((x) => x.action === 'end').map((x) => [x.id, x.deaggregator]);
    // H5 cannot live with the 1.19 Mbit/s VPN5 could still give it (its floor is 1.5 Mbit/s), so VPN8's
    // request amounts to zero for the VPN2→VPN5 tunnel: the tunnel ends (VPN8), and with it H5's
    // reservation (VPN5) — still the fewest reservations for the cut.
    assert.deepEqual(ended, [
      [VPN2_VPN5, 'VPN8'],
      ['H2-H5', 'VPN5'],
    ]);
    assert.equal(net.manager.flow('H2-H5'), undefined);
    assert.equal(net.ledger.has('H2-H5'), false);
    assert.equal(net.manager.aggregate(VPN2_VPN5), undefined);
  });

  it('"For the priority reservation … VPN3 now acts as an aggregator … H3 now receives the original RESV messages": the new reservation is in place end to end', () => {
    const net = build();
    assert.ok(placePriorityH3H6(net).ok);
    assert.equal(net.ledger.get('H3-H6 priority')?.bandwidthBps, 320_000);
    assert.deepEqual(view(net, H3_H6_PRIORITY).links, [
      'H3->R3',
      'R3->VPN3',
      'tunnel:interface:VPN3->VPN6:CT0:priority',
      'VPN6->R6',
      'R6->H6',
    ]);
    assert.deepEqual(view(net, VPN3_VPN6_PRIORITY).carriers, [INNER_PRIORITY]);
    assert.equal(view(net, VPN3_VPN6_PRIORITY).sizeBps, 500_000);
    // The routine calls of the same gateway were not touched: other VPN pairs paid.
    assert.equal(net.ledger.get('H3-H6 call-1')?.bandwidthBps, 80_000);
  });

  it('after it all, no link is over its capacity and every tunnel still covers what it carries', () => {
    const net = build();
    assert.ok(placePriorityH3H6(net).ok);
    assert.deepEqual(net.ledger.overbooked(), []);
    for (const a of net.manager.aggregates()) assert.ok(a.sizeBps >= 8 * adjustedContents(net, a).r, a.id);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reservationBandwidthBps } from '../../src/index.js';
import { ledgerOver, rdm } from '../helpers/one-link.js';

describe('reservationBandwidthBps (Tspec from @svpn/qos)', () => {
  // G.711: 200-byte packets, 50 packets/s → r = 10 000 B/s.
  const g711 = { r: 10_000, b: 200, p: 10_000, m: 200, M: 200 };

  it('two MPLS labels (H = 8) make a G.711 call 10 400 B/s = 83 200 bit/s', () => {
    assert.equal(reservationBandwidthBps(g711, 8), 83_200);
    assert.equal(reservationBandwidthBps(g711), 80_000);
  });

  it('100 such calls fill 8.32 Mbit/s exactly; the 101st is refused', () => {
    const ledger = ledgerOver({ L: rdm(8.32e6) });
    for (let i = 0; i < 100; i++) {
      assert.ok(
        ledger.admit({ id: `call-${i}`, links: ['L'], bandwidthBps: reservationBandwidthBps(g711, 8) }).ok,
        `call ${i}`,
      );
    }
    const refused = ledger.admit({
      id: 'call-100',
      links: ['L'],
      bandwidthBps: reservationBandwidthBps(g711, 8),
    });
    assert.equal(refused.ok, false);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addOverhead, MPLS_LABEL_BYTES, OverheadInvalidError, type Tspec } from '../../src/index.js';

const G711: Tspec = { r: 10_000, b: 200, p: 10_000, m: 200, M: 200 };

describe('addOverhead', () => {
  it('issue 3 vector: a G.711 call under two MPLS labels (H = 8) needs r′ = 10 400 B/s', () => {
    assert.deepEqual(addOverhead(G711, 2 * MPLS_LABEL_BYTES), {
      r: 10_400,
      b: 208,
      p: 10_400,
      m: 208,
      M: 208,
    });
  });

  const table: ReadonlyArray<{ tspec: Tspec; H: number; want: Tspec }> = [
    // r′ = r(m+H)/m with m < M: the inflation follows the minimum policed unit, not M.
    {
      tspec: { r: 1000, b: 3000, p: 2000, m: 100, M: 1500 },
      H: 24,
      want: { r: 1240, b: 3720, p: 2480, m: 124, M: 1524 },
    },
    // 1000·(3+1)/3 = 1333.33… rounds up to 1334; 10·4/3 = 13.33… → 14.
    { tspec: { r: 1000, b: 10, p: 1000, m: 3, M: 3 }, H: 1, want: { r: 1334, b: 14, p: 1334, m: 4, M: 4 } },
    // Fractional rates are inflated exactly, then rounded up: 0.1·(1+1)/1 = 0.2 → 1.
    { tspec: { r: 0.1, b: 1, p: 0.1, m: 1, M: 1 }, H: 1, want: { r: 1, b: 2, p: 1, m: 2, M: 2 } },
    // The exact product is a whole number although the float product is not: 0.7·(10+20)/10 = 2.1 → 3.
    { tspec: { r: 0.7, b: 10, p: 0.7, m: 10, M: 10 }, H: 20, want: { r: 3, b: 30, p: 3, m: 30, M: 30 } },
    { tspec: G711, H: 0, want: G711 },
  ];
  for (const c of table) {
    it(`H = ${c.H} on r = ${c.tspec.r}, m = ${c.tspec.m}`, () => {
      assert.deepEqual(addOverhead(c.tspec, c.H), c.want);
    });
  }

  it('rounds up only where the exact value is fractional (no float artefacts)', () => {
    // 100 Mbit/s of 1 400-byte packets under 50 B: 12 500 000·1450/1400 = 12 946 428.57… → 12 946 429.
    assert.equal(addOverhead({ r: 12_500_000, b: 1400, p: 12_500_000, m: 1400, M: 1400 }, 50).r, 12_946_429);
    // 0.1 + 0.2 style: r = 0.3·(m+H)/m with m = H = 1 → exact 0.6 (as doubles, 0.3 is slightly below) → 1.
    assert.equal(addOverhead({ r: 0.3, b: 1, p: 0.3, m: 1, M: 1 }, 1).r, 1);
  });

  it('offers exact (unrounded) results on request', () => {
    const t = addOverhead({ r: 1000, b: 10, p: 1000, m: 3, M: 3 }, 1, { rounding: 'exact' });
    assert.ok(Math.abs(t.r - 4000 / 3) < 1e-9);
    assert.equal(t.m, 4);
  });

  it('nests: each layer adds its own overhead on top of the inner one', () => {
    const inner = addOverhead(G711, 8);
    const outer = addOverhead(inner, 73);
    assert.deepEqual(outer, { r: 14_050, b: 281, p: 14_050, m: 281, M: 281 });
  });

  it('keeps an infinite peak infinite', () => {
    assert.equal(addOverhead({ ...G711, p: Infinity }, 8).p, Infinity);
  });

  it('rejects a negative or fractional H, and H > 0 with m = 0', () => {
    for (const H of [-1, 1.5, NaN]) {
      assert.throws(
        () => addOverhead(G711, H),
        (e: unknown) => e instanceof OverheadInvalidError,
      );
    }
    assert.throws(() => addOverhead({ ...G711, m: 0 }, 8), { code: 'QOS_OVERHEAD_INVALID' });
    assert.deepEqual(addOverhead({ ...G711, m: 0 }, 0), { ...G711, m: 0 });
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addOverhead,
  MPLS_LABEL_BYTES,
  OverheadInvalidError,
  sumTspecs,
  type Tspec,
} from '../../src/index.js';

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

  const arbTspec = fc
    .record({
      r: fc.integer({ min: 0, max: 2_000_000_000 }),
      extraPeak: fc.integer({ min: 0, max: 1_000_000_000 }),
      m: fc.integer({ min: 1, max: 1500 }),
      extraM: fc.integer({ min: 0, max: 1500 }),
      extraB: fc.integer({ min: 0, max: 1_000_000 }),
    })
    .map(({ r, extraPeak, m, extraM, extraB }): Tspec => {
      const M = Math.min(1500, m + extraM);
      return { r, b: M + extraB, p: r + extraPeak, m, M };
    });

  it('property: r′ is the least whole B/s with r′·m ≥ r·(m+H)', () => {
    fc.assert(
      fc.property(arbTspec, fc.integer({ min: 0, max: 200 }), (t, H) => {
        const out = addOverhead(t, H);
        for (const k of ['r', 'b', 'p'] as const) {
          const exact = BigInt(t[k]) * BigInt(t.m + H);
          assert.ok(BigInt(out[k]) * BigInt(t.m) >= exact, k);
          assert.ok(BigInt(out[k] - 1) * BigInt(t.m) < exact || out[k] === 0, k);
        }
        assert.equal(out.m, t.m + H);
        assert.equal(out.M, t.M + H);
      }),
      { numRuns: 500 },
    );
  });

  it('property: two layers cover one layer of the combined overhead', () => {
    fc.assert(
      fc.property(
        arbTspec,
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (t, h1, h2) => {
          const twice = addOverhead(addOverhead(t, h1), h2);
          const once = addOverhead(t, h1 + h2);
          assert.ok(twice.r >= once.r && twice.b >= once.b && twice.p >= once.p);
          // the first layer's rounding (< 1 B/s) is inflated by the second layer's factor, plus its own rounding
          assert.ok(twice.r - once.r < (t.m + h1 + h2) / (t.m + h1) + 1, `${twice.r} vs ${once.r}`);
          assert.equal(twice.m, once.m);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: an aggregate sized from the summed Tspec covers its members sized one by one', () => {
    fc.assert(
      fc.property(
        fc.array(arbTspec, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 100 }),
        (ts, H) => {
          const aggregate = addOverhead(sumTspecs(ts), H, { rounding: 'exact' });
          const members = sumTspecs(
            ts.map((t) => addOverhead(t, H, { rounding: 'exact' })),
            { rounding: 'exact' },
          );
          // the aggregate uses the smallest m, so its inflation factor is the largest
          assert.ok(aggregate.r >= members.r * (1 - 1e-12), `${aggregate.r} < ${members.r}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});

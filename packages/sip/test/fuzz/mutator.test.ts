import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { realisticCorpus } from './corpus.js';
import { MUTATIONS, Mutator, Prng, caseSeed } from './mutator.js';

describe('Prng (sfc32 seeded by splitmix32)', () => {
  test('a seed gives the same sequence every time (golden values: changing them breaks every printed reproduction)', () => {
    const r = new Prng(1);
    assert.deepEqual([r.next(), r.next(), r.next()], [1828152527, 3394835397, 2967886022]);
    const a = new Prng(4475);
    const b = new Prng(4475);
    for (let i = 0; i < 1000; i++) assert.equal(a.next(), b.next());
  });

  test('different seeds give different sequences', () => {
    assert.notEqual(new Prng(1).next(), new Prng(2).next());
  });

  test('below, range, logInt and pick stay in range and cover it', () => {
    const r = new Prng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const n = r.below(10);
      assert.ok(Number.isInteger(n) && n >= 0 && n < 10);
      seen.add(n);
      const k = r.range(3, 5);
      assert.ok(k >= 3 && k <= 5);
      const l = r.logInt(1000);
      assert.ok(l >= 1 && l <= 1000);
    }
    assert.equal(seen.size, 10);
    assert.equal(r.below(0), 0);
    assert.throws(() => r.pick([]), RangeError);
  });

  test('caseSeed makes neighbouring cases unrelated and is a pure function', () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 10_000; i++) seeds.add(caseSeed(4475, i));
    assert.equal(seeds.size, 10_000);
    assert.equal(caseSeed(4475, 17), caseSeed(4475, 17));
    assert.notEqual(caseSeed(4475, 17), caseSeed(4476, 17));
  });
});

describe('Mutator', () => {
  const corpus = realisticCorpus();

  test('case (seed, index) is reproducible on its own, without the cases before it', () => {
    const first = new Mutator(corpus);
    for (let i = 0; i < 50; i++) first.mutate(9, i);
    const a = first.mutate(9, 50);
    const b = new Mutator(corpus).mutate(9, 50);
    assert.deepEqual(b, a);
    assert.equal(a.index, 50);
    assert.equal(a.seed, caseSeed(9, 50));
  });

  test('cases differ from each other and from the corpus, and name their operators', () => {
    const m = new Mutator(corpus);
    const distinct = new Set<string>();
    let changed = 0;
    for (let i = 0; i < 300; i++) {
      const c = m.mutate(1, i);
      distinct.add(c.data.toString('latin1'));
      const base = corpus.find((e) => e.name === c.base);
      assert.ok(base, c.base);
      if (!base.data.equals(c.data)) changed++;
      for (const op of c.ops)
        assert.ok(
          MUTATIONS.some((o) => o.name === op),
          op,
        );
      assert.ok(c.ops.length <= 5);
    }
    assert.ok(distinct.size > 280, `${distinct.size} distinct cases of 300`);
    assert.ok(changed > 270, `${changed} of 300 cases differ from their corpus message`);
  });

  test('every operator changes a message for some seed, deterministically', () => {
    const invite = corpus.find((e) => e.name === 'realistic/invite-sdp');
    assert.ok(invite);
    const text = invite.data.toString('latin1');
    for (const op of MUTATIONS) {
      let changes = 0;
      for (let seed = 0; seed < 30; seed++) {
        const once = op.apply(text, new Prng(seed), { corpus });
        const again = op.apply(text, new Prng(seed), { corpus });
        assert.equal(again, once, `${op.name} is deterministic`);
        if (once !== text) changes++;
      }
      assert.ok(changes >= 10, `${op.name} changed the message for only ${changes} of 30 seeds`);
    }
  });

  test('operators keep every byte value (latin1 in, latin1 out)', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const msg = `OPTIONS sip:a@b SIP/2.0\r\nX: ${all.toString('latin1')}\r\n\r\n`;
    for (const op of MUTATIONS) {
      const out = op.apply(msg, new Prng(3), { corpus });
      assert.equal(Buffer.from(out, 'latin1').toString('latin1'), out, op.name);
    }
  });

  test('cases are cut to maxBytes', () => {
    const m = new Mutator(corpus, { maxBytes: 300 });
    for (let i = 0; i < 300; i++) assert.ok(m.mutate(5, i).data.length <= 300);
  });

  test('no Math.random: the PRNG is the only source of choices', () => {
    const random = mock.method(Math, 'random');
    try {
      const m = new Mutator(corpus);
      for (let i = 0; i < 300; i++) m.mutate(11, i);
      assert.equal(random.mock.callCount(), 0);
    } finally {
      random.mock.restore();
    }
  });

  test('an empty corpus is refused', () => {
    assert.throws(() => new Mutator([]), RangeError);
  });
});

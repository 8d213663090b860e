import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, LabelSpaceExhaustedError, UnknownPeError } from '../../src/index.js';
import { TestNetwork } from '../support/demo-network.js';

let net: TestNetwork;
before(async () => {
  net = await TestNetwork.start();
});
after(async () => {
  await net.stop();
});

describe('ldp.bind / ldp.release: per-platform label space 16 … 1 048 575 (RFC 3032 §2.1, RFC 5036)', () => {
  it('binds distinct labels from 16 upwards, per PE, one per FEC (idempotent)', async () => {
    const { sim } = net.simulator();
    const pe1 = [];
    for (const fec of ['10.0.0.2/32', '10.0.0.3/32', '10.0.1.1/32'])
      pe1.push(await sim.ldpBind({ pe: 'PE1', fec }));
    assert.deepEqual(
      pe1.map((b) => b.label),
      [16, 17, 18],
      'labels 0–15 are reserved; allocation starts at 16',
    );
    assert.ok(pe1.every((b) => b.created));
    const again = await sim.ldpBind({ pe: 'PE1', fec: '10.0.0.3/32' });
    assert.deepEqual(again, { pe: 'PE1', fec: '10.0.0.3/32', label: 17, created: false });
    const pe2 = await sim.ldpBind({ pe: 'PE2', fec: '10.0.0.1/32' });
    assert.equal(pe2.label, 16, 'each PE has its own label space');
    const bare = await sim.ldpBind({ pe: 'PE2', fec: '10.0.0.3' });
    assert.equal(bare.fec, '10.0.0.3/32', 'a bare loopback address is its /32 FEC');
    assert.deepEqual(
      (await sim.listLdpBindings('PE1')).map((b) => [b.fec, b.label]),
      [
        ['10.0.0.2/32', 16],
        ['10.0.0.3/32', 17],
        ['10.0.1.1/32', 18],
      ],
    );
    assert.deepEqual(
      (await sim.listLabels('PE1')).map((l) => `${l.label}=${l.owner}`),
      ['16=ldp:10.0.0.2/32', '17=ldp:10.0.0.3/32', '18=ldp:10.0.1.1/32'],
    );
  });

  it('releases labels and reuses the lowest released one first, never binding one twice', async () => {
    const { sim } = net.simulator();
    for (let i = 1; i <= 5; i++) await sim.ldpBind({ pe: 'PE1', fec: `10.9.0.${i}/32` });
    assert.deepEqual(await sim.ldpRelease({ pe: 'PE1', fec: '10.9.0.4/32' }), { released: true, label: 19 });
    assert.deepEqual(await sim.ldpRelease({ pe: 'PE1', fec: '10.9.0.2/32' }), { released: true, label: 17 });
    assert.deepEqual(await sim.ldpRelease({ pe: 'PE1', fec: '10.9.0.2/32' }), {
      released: false,
      label: null,
    });
    assert.equal((await sim.ldpBind({ pe: 'PE1', fec: '10.9.1.1/32' })).label, 17);
    assert.equal((await sim.ldpBind({ pe: 'PE1', fec: '10.9.1.2/32' })).label, 19);
    assert.equal((await sim.ldpBind({ pe: 'PE1', fec: '10.9.1.3/32' })).label, 21, 'then fresh labels again');
    const labels = (await sim.listLabels('PE1')).map((l) => l.label);
    assert.deepEqual(labels, [16, 17, 18, 19, 20, 21]);
    assert.equal(new Set(labels).size, labels.length);
  });

  it('refuses when the configured label range is exhausted, and binds again after a release', async () => {
    const { sim } = net.simulator({ labelRange: { min: 100, max: 102 } });
    for (let i = 1; i <= 3; i++) await sim.ldpBind({ pe: 'PE3', fec: `10.8.0.${i}/32` });
    await assert.rejects(sim.ldpBind({ pe: 'PE3', fec: '10.8.0.4/32' }), (e: unknown) => {
      assert.ok(e instanceof LabelSpaceExhaustedError);
      assert.equal(e.code, 'PESIM_LABEL_SPACE_EXHAUSTED');
      assert.equal(e.node, 'PE3');
      return true;
    });
    await sim.ldpRelease({ pe: 'PE3', fec: '10.8.0.2/32' });
    assert.equal((await sim.ldpBind({ pe: 'PE3', fec: '10.8.0.4/32' })).label, 101);
  });

  it('rejects bad FECs, label ranges that include reserved labels, and non-PE nodes', async () => {
    const { sim } = net.simulator();
    await assert.rejects(sim.ldpBind({ pe: 'PE1', fec: '10.0.0.300/32' }), InvalidArgumentError);
    await assert.rejects(sim.ldpBind({ pe: 'P1', fec: '10.0.0.1/32' }), UnknownPeError);
    assert.throws(() => net.simulator({ labelRange: { min: 15, max: 100 } }), InvalidArgumentError);
    assert.throws(() => net.simulator({ labelRange: { min: 16, max: 1_048_576 } }), InvalidArgumentError);
  });
});

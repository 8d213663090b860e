import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, PeSimKeys } from '../../src/index.js';

/** The Redis Cluster hash tag of a key (the part between the first "{" and the next "}"). */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('PeSimKeys', () => {
  it('puts every key of a network in the slot of its one hash tag, whatever the node ids', () => {
    const keys = new PeSimKeys('svpn:{net-a}');
    const all = [
      keys.meta,
      keys.linkCapacity,
      keys.linkReserved,
      keys.lsps,
      keys.faults,
      keys.faultState,
      ...keys.pathNodeKeys('R1:x'),
      keys.ldp('PE1'),
      keys.vrfs('PE1'),
      keys.routes('PE1'),
      keys.sessions('PE1'),
      keys.marking('PE1'),
    ];
    assert.equal(new Set(all).size, all.length);
    for (const key of all) {
      assert.ok(key.startsWith('svpn:{net-a}:'), key);
      assert.equal(hashTag(key), 'net-a');
    }
    assert.equal(new PeSimKeys().lsps, '{pesim}:lsp');
  });

  it('refuses prefixes without exactly one non-empty hash tag', () => {
    for (const prefix of ['pesim', '{}', '{a}{b}', 'a {b}', '{a']) {
      assert.throws(() => new PeSimKeys(prefix), InvalidArgumentError, prefix);
    }
  });
});

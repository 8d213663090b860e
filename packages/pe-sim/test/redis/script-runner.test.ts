import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scriptSources } from '../../src/redis/script-runner.js';

describe('Lua scripts', () => {
  it('have their includes expanded', () => {
    for (const [name, lua] of scriptSources()) {
      assert.ok(!lua.includes('#include'), `${name} still has an #include`);
      assert.ok(lua.length > 100, name);
    }
  });

  it('use exactly the number of KEYS their file name declares (Cluster needs every key declared)', () => {
    for (const [name, lua] of scriptSources()) {
      const declared = name.slice(name.lastIndexOf('-') + 1);
      const used = [...lua.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
      if (declared === 'n') {
        assert.ok(lua.includes('nodeKey('), `${name} takes per-node keys`);
        continue;
      }
      assert.equal(Math.max(...used), Number(declared), `${name} uses KEYS[1…${Math.max(...used)}]`);
    }
  });

  it('never build key names inside Lua (every key comes from KEYS)', () => {
    for (const [name, lua] of scriptSources()) {
      assert.ok(!/redis\.call\('\w+',\s*['"]/.test(lua), `${name} passes a literal key`);
    }
  });
});

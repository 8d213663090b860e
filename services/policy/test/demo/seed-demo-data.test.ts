import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeHa1 } from '@svpn/sip';
import { PolicyDataInvalidError } from '@svpn/policy';
import { MemoryPolicyStore } from '@svpn/store';

import { loadPolicyDataFile, seedDemoData } from '../../src/index.js';

describe('demo policy data (deploy/demo/policy-data.json)', () => {
  it('seeds the issue-4 demo: acme and globex, their VPNs, SLAs, applications and CE→PE sites', async () => {
    const store = new MemoryPolicyStore();
    const report = await seedDemoData(store);
    assert.equal(report.kept.length, 0);
    assert.deepEqual(report.created, [
      'sla:acme-storage',
      'sla:globex-grid',
      'customer:acme',
      'customer:globex',
      'vpn:00000a:00000001',
      'vpn:00000b:00000001',
      'vpn:00000b:00000002',
      'application:primary-dc',
      'application:backup-dc',
      'application:grid-a',
      'application:grid-b',
      'application:grid-c',
    ]);
    const acme = await store.getSla('acme-storage');
    assert.equal(acme?.maxSessionBps, 1_000_000_000);
    assert.equal(acme?.maxTotalBps, 2_000_000_000);
    assert.equal(acme?.maxSessions, 10);
    assert.deepEqual(acme?.serviceClasses, [
      'high-throughput-data',
      'low-latency-data',
      'multimedia-streaming',
    ]);
    assert.equal(acme?.maxPrecedence, 'dsn.priority');
    assert.equal((await store.getSla('globex-grid'))?.maxPrecedence, 'dsn.flash');
    assert.equal((await store.resolveVpn('acme-storage'))?.vpnId, '00000a:00000001');
    assert.equal((await store.resolveVpn('globex-grid'))?.vpnId, '00000b:00000001');
    assert.deepEqual(
      await Promise.all(['CE1', 'CE2', 'CE3', 'CE4', 'CE5'].map(async (ce) => (await store.getSite(ce))?.pe)),
      ['PE1', 'PE4', 'PE2', 'PE5', 'PE6'],
    );
    const primary = await store.getApplication('primary-dc');
    assert.equal(primary?.ce, 'CE1');
    assert.deepEqual(primary?.vpns, ['00000a:00000001']);
    assert.equal((await store.getApplication('backup-dc'))?.ce, 'CE2');
    assert.deepEqual((await store.getApplication('grid-a'))?.vpns, ['00000b:00000001', '00000b:00000002']);
  });

  it('stores the passwords only as H(A1) for the realm', async () => {
    const store = new MemoryPolicyStore();
    await seedDemoData(store);
    const stored = JSON.stringify(await store.listApplications());
    for (const secret of [
      'primary-secret',
      'backup-secret',
      'grid-a-secret',
      'grid-b-secret',
      'grid-c-secret',
    ]) {
      assert.equal(stored.includes(secret), false, `${secret} is not stored`);
    }
    const cases: [string, string][] = [
      ['primary-dc', 'primary-secret'],
      ['backup-dc', 'backup-secret'],
      ['grid-c', 'grid-c-secret'],
    ];
    for (const [user, password] of cases) {
      for (const algorithm of ['MD5', 'SHA-256'] as const) {
        assert.equal(
          await store.getCredentials(user, 'svpn.example.net', algorithm),
          computeHa1({ username: user, realm: 'svpn.example.net', password, algorithm }),
        );
      }
    }
  });

  it('is idempotent and keeps what an operator changed', async () => {
    const store = new MemoryPolicyStore();
    await seedDemoData(store);
    const sla = (await store.getSla('acme-storage'))!;
    await store.updateSla({ ...sla, maxSessions: 3 });
    const again = await seedDemoData(store);
    assert.deepEqual(again.created, []);
    assert.equal(again.kept.length, 12);
    assert.equal((await store.getSla('acme-storage'))?.maxSessions, 3);
  });

  it('a broken data file is refused before anything is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svpn-policy-'));
    const file = join(dir, 'bad.json');
    const good = loadPolicyDataFile();
    writeFileSync(
      file,
      JSON.stringify({ ...good, vpns: [...good.vpns, { ...(good.vpns[0] as object), rd: 'nope' }] }),
    );
    const store = new MemoryPolicyStore();
    await assert.rejects(
      seedDemoData(store, { file }),
      (e: unknown) => e instanceof PolicyDataInvalidError && /\/rd/.test(e.message),
    );
    assert.deepEqual(await store.listSlas(), []);
    writeFileSync(file, JSON.stringify({ realm: 'x' }));
    await assert.rejects(seedDemoData(store, { file }), PolicyDataInvalidError);
  });
});

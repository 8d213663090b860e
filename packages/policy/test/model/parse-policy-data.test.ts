import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  applicationView,
  parseApplication,
  parseCustomer,
  parseSla,
  parseVpn,
  PolicyDataInvalidError,
} from '../../src/index.js';
import { acme, acmeSla, acmeStorage, primaryDc } from '../support/policy-fixtures.js';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PolicyDataInvalidError, String(error));
    assert.equal(error.code, 'POLICY_DATA_INVALID');
    return error.problems.map((p) => p.path);
  }
  assert.fail('expected PolicyDataInvalidError');
}

describe('parsing policy data', () => {
  it('valid data passes unchanged', () => {
    assert.deepEqual(parseSla(acmeSla), acmeSla);
    assert.deepEqual(parseCustomer(acme), acme);
    assert.deepEqual(parseVpn(acmeStorage), acmeStorage);
    assert.deepEqual(parseApplication(primaryDc), primaryDc);
  });

  it('SLA: schema problems and rules beyond it', () => {
    assert.deepEqual(
      problemsOf(() => parseSla({ ...acmeSla, serviceClasses: ['gold'] })).includes('/serviceClasses/0'),
      true,
    );
    assert.ok(problemsOf(() => parseSla({ ...acmeSla, extra: 1 })).length > 0, 'unknown fields are refused');
    assert.deepEqual(
      problemsOf(() =>
        parseSla({
          ...acmeSla,
          maxSessionBps: 3_000_000_000,
          minBps: 4_000_000_000,
          maxPrecedence: 'acme.gold',
          timeWindows: [{ days: ['mon'], from: '08:00', to: '20:00', timeZone: 'Nowhere/Land' }],
        }),
      ),
      ['/maxSessionBps', '/minBps', '/maxPrecedence', '/timeWindows/0/timeZone'],
    );
    assert.ok(
      problemsOf(() =>
        parseSla({
          ...acmeSla,
          timeWindows: [{ days: ['mon'], from: '8:00', to: '20:00', timeZone: 'UTC' }],
        }),
      ).length > 0,
    );
  });

  it('customer: a CE listed twice', () => {
    assert.deepEqual(
      problemsOf(() =>
        parseCustomer({
          ...acme,
          sites: [
            { ce: 'CE1', pe: 'PE1', interface: 'ge-0/0/1' },
            { ce: 'CE1', pe: 'PE2', interface: 'ge-0/0/1' },
          ],
        }),
      ),
      ['/sites/1/ce'],
    );
    assert.ok(problemsOf(() => parseCustomer({ ...acme, id: 'Acme Inc' })).includes('/id'));
  });

  it('VPN: canonical VPN-ID, RD and sorted, unique route targets', () => {
    assert.deepEqual(
      parseVpn({
        ...acmeStorage,
        vpnId: 'A:1',
        rd: '65000:1',
        importTargets: ['65000:2', 'target:65000:1', '65000:1'],
        exportTargets: ['65000:1'],
      }),
      { ...acmeStorage, importTargets: ['target:65000:1', 'target:65000:2'] },
    );
    assert.deepEqual(
      problemsOf(() => parseVpn({ ...acmeStorage, rd: 'x:1', exportTargets: ['65000'] })),
      ['/rd', '/exportTargets/0'],
    );
    assert.ok(problemsOf(() => parseVpn({ ...acmeStorage, name: '00000a:00000001' })).includes('/name'));
  });

  it('application: H(A1) hex of the right length; the view drops it', () => {
    assert.ok(
      problemsOf(() => parseApplication({ ...primaryDc, ha1: { MD5: 'xyz', 'SHA-256': '0'.repeat(64) } }))
        .length > 0,
    );
    const view = applicationView(primaryDc);
    assert.equal('ha1' in view, false);
    assert.equal(view.name, 'primary-dc');
  });
});

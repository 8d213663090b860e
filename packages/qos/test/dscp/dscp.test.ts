import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  afComponents,
  assuredForwarding,
  classSelector,
  DSCP_TABLE,
  dscpEntry,
  dscpFromName,
  DscpInvalidError,
  dscpName,
  dscpToTrafficClass,
  DscpUnknownNameError,
  isDscp,
  parseDscp,
  trafficClassToDscp,
  validateDscp,
} from '../../src/index.js';

describe('DSCP tables', () => {
  const named: ReadonlyArray<[string, number]> = [
    ['DF', 0],
    ['LE', 1],
    ['CS1', 8],
    ['AF11', 10],
    ['AF12', 12],
    ['AF13', 14],
    ['CS2', 16],
    ['AF21', 18],
    ['AF22', 20],
    ['AF23', 22],
    ['CS3', 24],
    ['AF31', 26],
    ['AF32', 28],
    ['AF33', 30],
    ['CS4', 32],
    ['AF41', 34],
    ['AF42', 36],
    ['AF43', 38],
    ['CS5', 40],
    ['VOICE-ADMIT', 44],
    ['EF', 46],
    ['CS6', 48],
    ['CS7', 56],
  ];
  for (const [name, value] of named) {
    it(`${name} = ${value} both ways`, () => {
      assert.equal(dscpFromName(name), value);
      assert.equal(dscpName(value), name);
    });
  }

  it('the table holds exactly these, sorted, with no duplicate value', () => {
    assert.deepEqual(
      DSCP_TABLE.map((e) => [e.name, e.value]),
      named,
    );
  });

  it('CSn = 8n (RFC 2474) and AFxy = 8x + 2y (RFC 2597)', () => {
    for (let n = 0; n <= 7; n++) assert.equal(classSelector(n), 8 * n);
    for (const x of [1, 2, 3, 4] as const) {
      for (const y of [1, 2, 3] as const) {
        assert.equal(assuredForwarding(x, y), 8 * x + 2 * y);
        assert.deepEqual(afComponents(8 * x + 2 * y), { afClass: x, dropPrecedence: y });
      }
    }
    assert.throws(() => classSelector(8), DscpInvalidError);
    assert.throws(() => assuredForwarding(5 as 1, 1), DscpInvalidError);
    assert.throws(() => assuredForwarding(1, 0 as 1), DscpInvalidError);
    assert.equal(afComponents(46), undefined);
    assert.equal(afComponents(3), undefined);
  });

  it('knows each PHB and its RFC', () => {
    assert.deepEqual(dscpEntry(46), { name: 'EF', value: 46, phb: 'EF', rfc: 'RFC 3246' });
    assert.deepEqual(dscpEntry(44), { name: 'VOICE-ADMIT', value: 44, phb: 'VOICE-ADMIT', rfc: 'RFC 5865' });
    assert.deepEqual(dscpEntry(1), { name: 'LE', value: 1, phb: 'LE', rfc: 'RFC 8622' });
    assert.equal(dscpEntry(34)?.phb, 'AF');
    assert.equal(dscpEntry(24)?.phb, 'CS');
    assert.equal(dscpEntry(0)?.phb, 'DF');
  });

  it('accepts aliases and any case', () => {
    assert.equal(dscpFromName('cs0'), 0);
    assert.equal(dscpFromName('default'), 0);
    assert.equal(dscpFromName('BE'), 0);
    assert.equal(dscpFromName(' af41 '), 34);
    assert.equal(dscpFromName('voice-admit'), 44);
    assert.equal(dscpFromName('VOICE_ADMIT'), 44);
    assert.equal(dscpFromName('ef'), 46);
  });

  it('unnamed codepoints have no name but are valid', () => {
    assert.equal(dscpName(3), undefined);
    assert.equal(dscpName(63), undefined);
    assert.equal(validateDscp(63), 63);
  });

  it('validates 0..63', () => {
    for (const ok of [0, 1, 46, 63]) assert.ok(isDscp(ok));
    for (const bad of [-1, 64, 1.5, NaN, '46', null]) {
      assert.equal(isDscp(bad), false);
      assert.throws(
        () => validateDscp(bad),
        (e: unknown) =>
          e instanceof DscpInvalidError && e.code === 'QOS_DSCP_INVALID' && Object.is(e.value, bad),
      );
    }
    assert.throws(() => dscpName(64), DscpInvalidError);
  });

  it('rejects unknown names with a typed error', () => {
    for (const bad of ['AF44', 'AF51', 'CS8', 'XX', '']) {
      assert.throws(
        () => dscpFromName(bad),
        (e: unknown) => e instanceof DscpUnknownNameError && e.code === 'QOS_DSCP_UNKNOWN_NAME',
      );
    }
  });

  it('parses numbers, decimal strings and names', () => {
    assert.equal(parseDscp(46), 46);
    assert.equal(parseDscp('46'), 46);
    assert.equal(parseDscp(' 0 '), 0);
    assert.equal(parseDscp('AF31'), 26);
    assert.throws(() => parseDscp('64'), DscpInvalidError);
    assert.throws(() => parseDscp(-1), DscpInvalidError);
    assert.throws(() => parseDscp('-1'), DscpUnknownNameError);
  });

  it('places the DSCP in the six high bits of the TOS / Traffic Class octet', () => {
    assert.equal(dscpToTrafficClass(46), 0xb8);
    assert.equal(dscpToTrafficClass(34), 0x88);
    assert.equal(trafficClassToDscp(0xb8), 46);
    assert.equal(trafficClassToDscp(0xbb), 46);
    for (let d = 0; d < 64; d++) assert.equal(trafficClassToDscp(dscpToTrafficClass(d)), d);
    assert.throws(() => trafficClassToDscp(256), DscpInvalidError);
  });
});

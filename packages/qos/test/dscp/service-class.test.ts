import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  defaultDscp,
  dscpFromName,
  isServiceClassName,
  SERVICE_CLASS_NAMES,
  SERVICE_CLASSES,
  serviceClass,
  ServiceClassUnknownError,
  type ServiceClassName,
} from '../../src/index.js';

describe('RFC 4594 service classes', () => {
  // name | DSCPs | PHB | queuing | AQM | loss / delay / jitter tolerance
  const table: ReadonlyArray<[ServiceClassName, string[], string, string, string, string]> = [
    ['network-control', ['CS6'], 'CS', 'rate', 'yes', 'low/low/yes'],
    ['telephony', ['EF', 'VOICE-ADMIT'], 'EF', 'priority', 'no', 'very-low/very-low/very-low'],
    ['signaling', ['CS5'], 'CS', 'rate', 'no', 'low/low/yes'],
    [
      'multimedia-conferencing',
      ['AF41', 'AF42', 'AF43'],
      'AF',
      'rate',
      'yes-per-dscp',
      'low-medium/very-low/low',
    ],
    ['real-time-interactive', ['CS4'], 'CS', 'rate', 'no', 'low/very-low/low'],
    ['multimedia-streaming', ['AF31', 'AF32', 'AF33'], 'AF', 'rate', 'yes-per-dscp', 'low-medium/medium/yes'],
    ['broadcast-video', ['CS3'], 'CS', 'rate', 'no', 'very-low/medium/low'],
    ['low-latency-data', ['AF21', 'AF22', 'AF23'], 'AF', 'rate', 'yes-per-dscp', 'low/low-medium/yes'],
    ['oam', ['CS2'], 'CS', 'rate', 'yes', 'low/medium/yes'],
    ['high-throughput-data', ['AF11', 'AF12', 'AF13'], 'AF', 'rate', 'yes-per-dscp', 'low/medium-high/yes'],
    ['standard', ['DF'], 'DF', 'rate', 'yes', 'not-specified/not-specified/not-specified'],
    ['low-priority-data', ['LE', 'CS1'], 'LE', 'rate', 'yes', 'high/high/yes'],
  ];

  it('has the twelve classes in RFC 4594 order', () => {
    assert.deepEqual(
      SERVICE_CLASS_NAMES,
      table.map((r) => r[0]),
    );
  });

  for (const [name, dscps, phb, queuing, aqm, tol] of table) {
    it(`${name}: ${dscps.join(',')} ${phb} ${queuing} aqm=${aqm} ${tol}`, () => {
      const c = serviceClass(name);
      assert.deepEqual(c.dscps, dscps);
      assert.equal(c.phb, phb);
      assert.equal(c.queuing, queuing);
      assert.equal(c.aqm, aqm);
      assert.equal(`${c.tolerance.loss}/${c.tolerance.delay}/${c.tolerance.jitter}`, tol);
      assert.equal(defaultDscp(name), dscpFromName(dscps[0] ?? ''));
      assert.match(c.section, /^RFC 4594 §[34]\.\d+/);
    });
  }

  it('default DSCPs: telephony EF 46, broadcast CS3 24, low-priority LE 1 (RFC 8622), standard 0', () => {
    assert.equal(defaultDscp('telephony'), 46);
    assert.equal(defaultDscp('broadcast-video'), 24);
    assert.equal(defaultDscp('low-priority-data'), 1);
    assert.equal(defaultDscp('standard'), 0);
    assert.equal(defaultDscp('network-control'), 48);
  });

  it('edge conditioning follows the PHB', () => {
    for (const c of SERVICE_CLASSES) {
      if (c.phb === 'AF') assert.ok(c.conditioning === 'trtcm' || c.conditioning === 'srtcm', c.name);
    }
    assert.equal(serviceClass('low-latency-data').conditioning, 'srtcm');
    assert.equal(serviceClass('telephony').conditioning, 'police-sr-bs');
  });

  it('is frozen', () => {
    assert.ok(Object.isFrozen(SERVICE_CLASSES));
    assert.ok(Object.isFrozen(serviceClass('telephony')));
    assert.ok(Object.isFrozen(serviceClass('telephony').dscps));
  });

  it('looks names up leniently but knows the exact identifiers', () => {
    assert.equal(serviceClass('High Throughput Data').name, 'high-throughput-data');
    assert.equal(serviceClass('LOW_LATENCY_DATA').name, 'low-latency-data');
    assert.ok(isServiceClassName('multimedia-streaming'));
    assert.equal(isServiceClassName('Multimedia-Streaming'), false);
    assert.equal(isServiceClassName(42), false);
  });

  it('rejects an unknown class with a typed error', () => {
    assert.throws(
      () => serviceClass('gold'),
      (e: unknown) =>
        e instanceof ServiceClassUnknownError &&
        e.code === 'QOS_SERVICE_CLASS_UNKNOWN' &&
        e.serviceClass === 'gold',
    );
  });
});

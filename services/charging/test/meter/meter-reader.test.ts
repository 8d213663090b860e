import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PeSimulator, UniSession } from '@svpn/pe-sim';
import { PeSimMeterReader } from '../../src/index.js';

const T0 = 1_800_000_000_000;

function simulator(
  counters: UniSession['counters'] | null,
): Pick<PeSimulator, 'getSession'> & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    async getSession(pe: string, sessionId: string) {
      calls.push([pe, sessionId]);
      return counters === null ? null : ({ counters } as UniSession);
    },
  };
}

describe('PeSimMeterReader', () => {
  test('reads the session counters of the named PE', async () => {
    const sim = simulator({ bytes: 1000, packets: 2, rateBps: 8000, asOfMs: T0 });
    assert.equal(await new PeSimMeterReader(sim).readBytes({ pe: 'PE1', peSessionId: 's', endAt: T0 }), 1000);
    assert.deepEqual(sim.calls, [['PE1', 's']]);
  });

  test('takes back what the counters accrued after the end (read later, session not yet removed)', async () => {
    // 8 Mbit/s for 2.5 s after the end = 2 500 000 bytes
    const sim = simulator({ bytes: 12_500_000, packets: 0, rateBps: 8_000_000, asOfMs: T0 + 2_500 });
    assert.equal(
      await new PeSimMeterReader(sim).readBytes({ pe: 'PE1', peSessionId: 's', endAt: T0 }),
      10_000_000,
    );
  });

  test('never goes below zero, and a removed session is unknown (null)', async () => {
    const sim = simulator({ bytes: 10, packets: 0, rateBps: 8_000_000, asOfMs: T0 + 60_000 });
    assert.equal(await new PeSimMeterReader(sim).readBytes({ pe: 'PE1', peSessionId: 's', endAt: T0 }), 0);
    assert.equal(
      await new PeSimMeterReader(simulator(null)).readBytes({ pe: 'PE1', peSessionId: 's', endAt: T0 }),
      null,
    );
  });
});

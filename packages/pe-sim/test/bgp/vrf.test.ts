import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildVrfTable, type MembershipRoute, type Vrf } from '../../src/index.js';

function route(pe: string, vpnId: string, ce: string, routeTargets: string[]): MembershipRoute {
  return {
    pe,
    vpnId,
    ce,
    rd: `${pe}:1`,
    routeTargets,
    nextHop: pe,
    label: 16,
    prefixes: [],
    advertisedAtMs: 0,
  };
}

describe('buildVrfTable (RFC 4364 §4.3.5 import)', () => {
  const vrf: Vrf = {
    pe: 'PE1',
    vpnId: 'a',
    rd: '1:1',
    importTargets: ['1:100', '1:300'],
    exportTargets: ['1:100'],
    label: 16,
    createdAtMs: 0,
  };
  const routes = [
    route('PE2', 'a', 'CE2', ['1:100']),
    route('PE1', 'a', 'CE1', ['1:100']),
    route('PE3', 'b', 'CE3', ['1:200']),
    route('PE1', 'c', 'CE4', ['1:300']),
    route('PE2', 'a', 'CE0', ['1:999', '1:300']),
  ];

  it("holds the VRF's own sites and routes of other VRFs carrying an import target, ordered", () => {
    const table = buildVrfTable(vrf, routes);
    assert.deepEqual(
      table.routes.map((r) => `${r.source}:${r.pe}/${r.vpnId}/${r.ce}`),
      ['local:PE1/a/CE1', 'imported:PE1/c/CE4', 'imported:PE2/a/CE0', 'imported:PE2/a/CE2'],
    );
  });

  it('a VRF with no import targets holds only its own sites', () => {
    const table = buildVrfTable({ ...vrf, importTargets: [] }, routes);
    assert.deepEqual(
      table.routes.map((r) => r.ce),
      ['CE1'],
    );
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidPathError,
  InvalidTopologyError,
  parseSimTopology,
  resolveExplicitRoute,
  UnknownLinkError,
  UnknownNodeError,
} from '../../src/index.js';

const spec = {
  nodes: ['A', { id: 'B', kind: 'P' as const, routerId: '10.0.0.2' }, { id: 'C', kind: 'PE' as const }],
  links: [
    { id: 'ab', from: 'A', to: 'B', maxReservableBps: 100 },
    { id: 'ab2', from: 'A', to: 'B', maxReservableBps: 50 },
    { id: 'bc', from: 'B', to: 'C', maxReservableBps: 100 },
    { id: 'ca', from: 'C', to: 'A', maxReservableBps: 0 },
  ],
};

describe('parseSimTopology', () => {
  it('defaults: bare ids are PEs whose router id is their id', () => {
    const t = parseSimTopology(spec);
    assert.deepEqual(t.nodes.get('A'), { id: 'A', kind: 'PE', routerId: 'A' });
    assert.deepEqual(t.nodes.get('B'), { id: 'B', kind: 'P', routerId: '10.0.0.2' });
    assert.deepEqual(
      t.outgoing.get('A')?.map((l) => l.id),
      ['ab', 'ab2'],
    );
  });

  it('accepts the ReadonlyMaps of an @svpn/te Topology, ignoring extra fields', () => {
    const nodes = new Map([
      ['X', { id: 'X', kind: 'PE' as const, routerId: '192.0.2.1', extra: 1 }],
      ['Y', { id: 'Y', kind: 'PE' as const, routerId: '192.0.2.2' }],
    ]);
    const links = new Map([['x-y', { id: 'x-y', from: 'X', to: 'Y', maxReservableBps: 10, teMetric: 5 }]]);
    const t = parseSimTopology({ nodes, links });
    assert.equal(t.links.get('x-y')?.maxReservableBps, 10);
    assert.equal(
      t.canonical,
      '{"nodes":[["X","PE","192.0.2.1"],["Y","PE","192.0.2.2"]],"links":[["x-y","X","Y",10]]}',
    );
  });

  it('the canonical form does not depend on input order', () => {
    const reversed = { nodes: [...spec.nodes].reverse(), links: [...spec.links].reverse() };
    assert.equal(parseSimTopology(reversed).canonical, parseSimTopology(spec).canonical);
  });

  it('lists every problem at once', () => {
    assert.throws(
      () =>
        parseSimTopology({
          nodes: ['A', 'A', 'has space', { id: 'B', kind: 'X' as 'P' }],
          links: [
            { id: 'l1', from: 'A', to: 'Z', maxReservableBps: 1 },
            { id: 'l1', from: 'A', to: 'A', maxReservableBps: -1 },
            { id: 'l3', from: 'A', to: 'B', maxReservableBps: 1e14 },
          ],
        }),
      (e: unknown) => {
        assert.ok(e instanceof InvalidTopologyError);
        assert.equal(e.code, 'PESIM_INVALID_TOPOLOGY');
        assert.equal(e.issues.length, 8, e.issues.join('\n'));
        return true;
      },
    );
  });
});

describe('resolveExplicitRoute (RFC 3209 §4.3 strict hops)', () => {
  const t = parseSimTopology(spec);
  it('resolves nodes to links, taking the lowest link id among parallel links', () => {
    const r = resolveExplicitRoute(t, { nodes: ['A', 'B', 'C'] });
    assert.deepEqual(
      r.links.map((l) => l.id),
      ['ab', 'bc'],
    );
  });
  it('resolves links to nodes', () => {
    assert.deepEqual(resolveExplicitRoute(t, { links: ['ab2', 'bc'] }).nodes, ['A', 'B', 'C']);
  });
  it('rejects gaps, loops, unknown nodes or links, and single nodes', () => {
    assert.throws(() => resolveExplicitRoute(t, { links: ['ab', 'ca'] }), InvalidPathError);
    assert.throws(() => resolveExplicitRoute(t, { links: ['ab', 'bc', 'ca'] }), InvalidPathError);
    assert.throws(() => resolveExplicitRoute(t, { nodes: ['A', 'C'] }), InvalidPathError);
    assert.throws(() => resolveExplicitRoute(t, { nodes: ['A'] }), InvalidPathError);
    assert.throws(() => resolveExplicitRoute(t, { nodes: ['A', 'Q'] }), UnknownNodeError);
    assert.throws(() => resolveExplicitRoute(t, { links: ['zz'] }), UnknownLinkError);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  TopologyDocumentSchema,
  TopologyInvalidError,
  TopologyParseError,
  parseBandwidth,
  parseTopology,
  topologyFromDocument,
} from '../../src/index.js';

const root = new URL('../../../../', import.meta.url);
const demoYaml = readFileSync(new URL('deploy/demo/topology.yaml', root), 'utf8');

/** A small valid document; tests break one field at a time. */
function doc(): Record<string, unknown> & {
  nodes: Record<string, unknown>[];
  links: Record<string, unknown>[];
} {
  return {
    adminGroups: { gold: 0, red: 5 },
    nodes: [
      { id: 'A', kind: 'PE', routerId: '192.0.2.1' },
      { id: 'B', kind: 'P', routerId: '192.0.2.2' },
      { id: 'C', kind: 'PE', routerId: '192.0.2.3' },
    ],
    links: [
      {
        id: 'A-B',
        from: 'A',
        to: 'B',
        maxReservableBps: '10G',
        teMetric: 10,
        delayUs: 100,
        adminGroups: ['gold', 'red'],
        srlgs: [7, 3, 7],
      },
      { id: 'B-C', from: 'B', to: 'C', maxReservableBps: 1e9, bidirectional: false },
    ],
  };
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof TopologyInvalidError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  assert.fail('expected TopologyInvalidError');
}

describe('topology document: expansion', () => {
  it('a two-way link becomes two directional links; a one-way link keeps its id', () => {
    const t = topologyFromDocument(doc());
    assert.deepEqual([...t.links.keys()], ['A-B:A->B', 'A-B:B->A', 'B-C']);
    const ab = t.link('A-B:A->B');
    assert.equal(ab.maxReservableBps, 10e9);
    assert.equal(ab.adminGroups, (1 << 0) | (1 << 5));
    assert.deepEqual(ab.srlgs, [3, 7]);
    assert.equal(ab.reverseId, 'A-B:B->A');
    assert.equal(ab.bundleId, 'A-B');
    assert.deepEqual(ab.bandwidthConstraints, { model: 'RDM', maxReservableBps: 10e9, bc: [10e9] });
    const bc = t.link('B-C');
    assert.equal(bc.reverseId, undefined);
    assert.equal(bc.teMetric, 10); // default
    assert.deepEqual(
      t.linksFrom('B').map((l) => l.id),
      ['A-B:B->A', 'B-C'],
    );
  });

  it('per-direction overrides and per-link / default bandwidth constraints', () => {
    const d = doc();
    d['defaults'] = { teMetric: 7, bandwidthConstraints: { model: 'RDM', bcPercent: [100, 50] } };
    d.links[0]!['reverse'] = { maxReservableBps: '1G', teMetric: 99 };
    d.links[1]!['bandwidthConstraints'] = { model: 'MAM', bcBps: ['600M', 500e6] };
    const t = topologyFromDocument(d);
    assert.deepEqual(t.link('A-B:A->B').bandwidthConstraints.bc, [10e9, 5e9]);
    const rev = t.link('A-B:B->A');
    assert.equal(rev.maxReservableBps, 1e9);
    assert.equal(rev.teMetric, 99);
    assert.deepEqual(rev.bandwidthConstraints.bc, [1e9, 0.5e9]);
    assert.deepEqual(t.link('B-C').bandwidthConstraints, {
      model: 'MAM',
      maxReservableBps: 1e9,
      bc: [600e6, 500e6],
    });
    assert.equal(t.link('B-C').teMetric, 7);
  });

  it('parses JSON as well as YAML', () => {
    const t = parseTopology(JSON.stringify(doc()), { format: 'json' });
    assert.equal(t.nodes.size, 3);
    assert.throws(() => parseTopology('{', { format: 'json' }), TopologyParseError);
    assert.throws(() => parseTopology('a: [b'), TopologyParseError);
  });

  it('reads bandwidth strings with decimal units', () => {
    const cases: [string | number, number][] = [
      ['10G', 10e9],
      ['2.5 Gbit/s', 2.5e9],
      ['500M', 500e6],
      ['64k', 64e3],
      ['1T', 1e12],
      ['1200bps', 1200],
      [42, 42],
    ];
    for (const [text, bps] of cases) assert.equal(parseBandwidth(text), bps, String(text));
    assert.ok(Number.isNaN(parseBandwidth('fast')));
  });
});

describe('topology document: errors name the path', () => {
  const table: { name: string; mutate: (d: ReturnType<typeof doc>) => void; expect: string[] }[] = [
    {
      name: 'non-positive bandwidth',
      mutate: (d) => (d.links[1]!['maxReservableBps'] = 0),
      expect: ['links[1].maxReservableBps: must be > 0'],
    },
    {
      name: 'unreadable bandwidth text',
      mutate: (d) => (d.links[0]!['maxReservableBps'] = 'lots'),
      expect: [
        'links[0].maxReservableBps: cannot read "lots" as a bandwidth (use bit/s or "10G", "500M", "64k")',
      ],
    },
    {
      name: 'wrong type',
      mutate: (d) => (d.links[0]!['maxReservableBps'] = true),
      expect: [
        'links[0].maxReservableBps: must be a number of bit/s or a string such as "10G", "500M", "64k"',
      ],
    },
    {
      name: 'dangling node reference',
      mutate: (d) => (d.links[1]!['to'] = 'Z'),
      expect: ['links[1].to: unknown node "Z"'],
    },
    {
      name: 'duplicate node and link ids',
      mutate: (d) => {
        d.nodes.push({ id: 'A', kind: 'P', routerId: '192.0.2.9' });
        d.links.push({ id: 'A-B', from: 'A', to: 'C', maxReservableBps: 1 });
      },
      expect: [
        'nodes[3].id: duplicate node id "A" (also nodes[0])',
        'links[2].id: duplicate link id "A-B" (also links[0])',
      ],
    },
    {
      name: 'duplicate router id',
      mutate: (d) => (d.nodes[1]!['routerId'] = '192.0.2.1'),
      expect: ['nodes[1].routerId: duplicate router id 192.0.2.1 (also nodes[0])'],
    },
    {
      name: 'bad router id, unknown kind, missing field, unknown field',
      mutate: (d) => {
        d.nodes[0]!['routerId'] = '300.1.1.1';
        d.nodes[1]!['kind'] = 'CE';
        delete d.links[0]!['from'];
        d.links[1]!['colour'] = 'red';
      },
      expect: [
        'nodes[0].routerId: must be a dotted IPv4 router id such as "192.0.2.1"',
        'nodes[1].kind: must be "PE" or "P"',
        'links[0].from: is required',
        'links[1].colour: is not a known field',
      ],
    },
    {
      name: 'metric out of range',
      mutate: (d) => (d.links[0]!['teMetric'] = 0),
      expect: ['links[0].teMetric: must be ≥ 1'],
    },
    {
      name: 'unknown admin group name',
      mutate: (d) => (d.links[0]!['adminGroups'] = ['gold', 'blue']),
      expect: ['links[0].adminGroups[1]: unknown admin group "blue" (declare it under adminGroups)'],
    },
    {
      name: 'self loop and reverse on a one-way link',
      mutate: (d) => {
        d.links[0]!['to'] = 'A';
        d.links[1]!['reverse'] = { teMetric: 3 };
      },
      expect: [
        'links[0].to: a link must join two different nodes',
        'links[1].reverse: only a bidirectional link has a reverse direction',
      ],
    },
    {
      name: 'RDM constraints must nest (RFC 4127 §4)',
      mutate: (d) => (d.links[1]!['bandwidthConstraints'] = { model: 'RDM', bcPercent: [50, 80] }),
      expect: ['links[1].bandwidthConstraints.bc[1]: RDM requires BC1 ≤ BC0 (RFC 4127 §4)'],
    },
    {
      name: 'exactly one of bcPercent / bcBps',
      mutate: (d) => (d.links[1]!['bandwidthConstraints'] = { model: 'MAM' }),
      expect: ['links[1].bandwidthConstraints: give exactly one of bcPercent or bcBps'],
    },
    {
      name: 'no nodes',
      mutate: (d) => {
        d.nodes.length = 0;
        d.links.length = 0;
      },
      expect: ['nodes: must have at least 1 item(s)'],
    },
  ];
  for (const { name, mutate, expect } of table) {
    it(name, () => {
      const d = doc();
      mutate(d);
      assert.deepEqual(
        issuesOf(() => topologyFromDocument(d)),
        expect,
      );
    });
  }

  it('a document that is not a mapping', () => {
    assert.deepEqual(
      issuesOf(() => topologyFromDocument([])),
      ['(document): must be a mapping (object)'],
    );
    assert.deepEqual(
      issuesOf(() => parseTopology('nodes: 3\nlinks: []')),
      ['nodes: must be a list'],
    );
  });

  it('the error message lists the problems', () => {
    const d = doc();
    d.links[1]!['maxReservableBps'] = -1;
    assert.throws(
      () => topologyFromDocument(d),
      (err: unknown) =>
        err instanceof TopologyInvalidError &&
        err.code === 'TE_TOPOLOGY_INVALID' &&
        err.message.includes('links[1].maxReservableBps: must be > 0'),
    );
  });
});

describe('deploy/demo/topology.yaml', () => {
  const t = parseTopology(demoYaml);

  it('has six PEs PE1…PE6 with router ids, and P routers', () => {
    const pes = t.nodeList.filter((n) => n.kind === 'PE').map((n) => n.id);
    assert.deepEqual(pes, ['PE1', 'PE2', 'PE3', 'PE4', 'PE5', 'PE6']);
    assert.ok(t.nodeList.filter((n) => n.kind === 'P').length >= 2);
    for (const n of t.nodeList) assert.match(n.routerId, /^\d+\.\d+\.\d+\.\d+$/);
  });

  it('has a 1 Gbit/s bottleneck between 10 Gbit/s halves', () => {
    assert.equal(t.link('P2-P3:P2->P3').maxReservableBps, 1e9);
    assert.equal(t.link('PE1-P1:PE1->P1').maxReservableBps, 10e9);
    assert.deepEqual(t.link('P2-P3:P3->P2').bandwidthConstraints.bc, [1e9, 0.4e9, 0.1e9]);
    assert.equal(t.link('P1-P4:P1->P4').bandwidthConstraints.model, 'MAM');
  });

  it('the committed JSON schema is the TypeBox schema', () => {
    const file = JSON.parse(readFileSync(new URL('deploy/demo/topology.schema.json', root), 'utf8'));
    assert.deepEqual(file, JSON.parse(JSON.stringify(TopologyDocumentSchema)));
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { registerHealthRoutes } from '@svpn/service-kit';
import { AdmissionEngine, MemoryFlowJournal } from '../src/admission/admission-engine.js';
import { registerLedgerMetrics } from '../src/ledger-metrics.js';
import { admissionRequest as request, tinyNetwork } from './support/tiny-network.js';

async function setup() {
  // RDM with CT0 100 % and CT1 40 % of each link.
  const topology = tinyNetwork('{ model: RDM, bcPercent: [100, 40] }');
  const engine = await AdmissionEngine.open({ topology, journal: new MemoryFlowJournal() });
  const registry = new Registry();
  registerLedgerMetrics(registry, {
    topology,
    ledger: engine.ledger,
    aggregates: () => engine.manager.aggregates(),
    now: () => 1_000,
  });
  const app = Fastify();
  registerHealthRoutes(app, { registry });
  const scrape = async (): Promise<string> => {
    const res = await app.inject({ url: '/metrics' });
    assert.equal(res.statusCode, 200);
    return res.body;
  };
  return { engine, scrape };
}

/** The value of one exposition line (labels in the order the gauge declares them), or undefined. */
function sample(body: string, name: string, labels: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('an empty ledger: every link at 0 reserved, its whole constraint unreserved, no tunnels', async () => {
  const { scrape } = await setup();
  const body = await scrape();
  assert.equal(sample(body, 'svpn_link_reserved_total_bps', 'link="P1-P2:P1->P2",from="P1",to="P2"'), 0);
  assert.equal(sample(body, 'svpn_link_max_reservable_bps', 'link="P1-P2:P1->P2",from="P1",to="P2"'), 1e9);
  // RFC 4127 RDM: BC0 = 100 %, BC1 = 40 % of the maximum reservable bandwidth.
  assert.equal(
    sample(body, 'svpn_link_unreserved_bps', 'link="P1-P2:P1->P2",from="P1",to="P2",class_type="0"'),
    1e9,
  );
  assert.equal(
    sample(body, 'svpn_link_unreserved_bps', 'link="P1-P2:P1->P2",from="P1",to="P2",class_type="1"'),
    4e8,
  );
  // No class type beyond the constraints the link defines.
  assert.doesNotMatch(body, /svpn_link_unreserved_bps\{[^}]*class_type="2"/);
  assert.doesNotMatch(body, /^svpn_link_reserved_bps\{/m);
  assert.doesNotMatch(body, /^svpn_tunnel_reserved_bps\{/m);
});

test('an admitted session: its aggregate tunnel reserved on every link of its path, by class type and holding priority', async () => {
  const { engine, scrape } = await setup();
  const admitted = await engine.admit(request('s-1'));
  assert.ok(admitted.ok);
  const [tunnel] = engine.manager.aggregates();
  assert.ok(tunnel);
  // RFC 3175 — the tunnel is sized in bulk steps and covers the session plus its label overhead.
  assert.ok(tunnel.sizeBps >= 300_000_000, String(tunnel.sizeBps));
  const body = await scrape();
  for (const [link, from, to] of [
    ['PE1-P1:PE1->P1', 'PE1', 'P1'],
    ['P1-P2:P1->P2', 'P1', 'P2'],
    ['P2-PE2:P2->PE2', 'P2', 'PE2'],
  ] as const) {
    const labels = `link="${link}",from="${from}",to="${to}"`;
    assert.equal(
      sample(body, 'svpn_link_reserved_bps', `${labels},class_type="0",priority="${tunnel.holdingPriority}"`),
      tunnel.sizeBps,
      link,
    );
    assert.equal(sample(body, 'svpn_link_reserved_total_bps', labels), tunnel.sizeBps, link);
  }
  assert.equal(
    sample(body, 'svpn_link_unreserved_bps', 'link="P1-P2:P1->P2",from="P1",to="P2",class_type="0"'),
    1e9 - tunnel.sizeBps,
  );
  // Links are directional: the way back carries nothing.
  assert.equal(sample(body, 'svpn_link_reserved_total_bps', 'link="P1-P2:P2->P1",from="P2",to="P1"'), 0);
  const tunnelLabels = `lsp="${tunnel.id}",ingress="PE1",egress="PE2",class_type="0",level="routine"`;
  assert.equal(sample(body, 'svpn_tunnel_reserved_bps', tunnelLabels), tunnel.sizeBps);
  assert.equal(sample(body, 'svpn_tunnel_required_bps', tunnelLabels), tunnel.requiredBps);
  assert.equal(sample(body, 'svpn_tunnel_sessions', tunnelLabels), 1);
});

test('two sessions share one tunnel; releasing both empties every series again', async () => {
  const { engine, scrape } = await setup();
  assert.ok((await engine.admit(request('s-1', { bandwidthBps: 200_000_000, minBps: 200_000_000 }))).ok);
  assert.ok((await engine.admit(request('s-2', { bandwidthBps: 100_000_000, minBps: 100_000_000 }))).ok);
  const [tunnel] = engine.manager.aggregates();
  assert.ok(tunnel);
  let body = await scrape();
  assert.match(body, new RegExp(`svpn_tunnel_sessions\\{lsp="${tunnel.id}"[^}]*\\} 2\\n`));
  assert.equal(
    sample(body, 'svpn_link_reserved_total_bps', 'link="P1-P2:P1->P2",from="P1",to="P2"'),
    tunnel.sizeBps,
  );

  await engine.release('s-1');
  await engine.release('s-2');
  body = await scrape();
  assert.equal(sample(body, 'svpn_link_reserved_total_bps', 'link="P1-P2:P1->P2",from="P1",to="P2"'), 0);
  assert.doesNotMatch(body, /^svpn_link_reserved_bps\{/m);
  assert.doesNotMatch(body, /^svpn_tunnel_sessions\{/m);
});

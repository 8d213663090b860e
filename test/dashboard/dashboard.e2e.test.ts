/**
 * The operator dashboard end to end (issue 5 item 5): a whole svpn on loopback (`startSystem`, as
 * `svpn up` runs it) with the API service serving the built dashboard; Debian's Chromium driven by
 * playwright-core logs in with the demo operator key, watches the session appear when SIPp places a
 * call (applications registered with their VPN and CE, the caller's INVITE carrying the DESIGN §2
 * SDP), sees the bottleneck link's utilisation rise by priority, has the caller hang up, sees the
 * session go and the link fall idle, and finds the rated charge (and its CSV row). No page is ever
 * reloaded. Screenshots of every step go to test/screenshots/ (e2e-*.png).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { ensureDashboardBuilt } from '../../services/dashboard/src/index.js';
import { ACME, answerAs, registerApp, verdict, type UasRun } from '../gateway/support/sipp-peers.js';
import { launchBrowser, type Browser } from './support/browser.js';
import { placeHangupCall, type HangupCall } from './support/hangup-call.js';
import { startSvpn, type SvpnUnderTest } from './support/svpn-system.js';

let svpn: SvpnUnderTest;
let browser: Browser;
let page: Page;
let errors: string[];
/** Full page loads after the first (a reload would add one). */
let loads = 0;
let call: HangupCall | undefined;
let callee: UasRun | undefined;
const startedAt = Date.now();

/** The bottleneck every PE1 → PE4 session crosses in the demo network (deploy/demo/topology.yaml). */
const BOTTLENECK = 'P2-P3';

before(async () => {
  await ensureDashboardBuilt();
  svpn = await startSvpn();
  browser = await launchBrowser({ actionTimeoutMs: 10_000 });
  ({ page, errors } = await browser.page());
});

after(async () => {
  call?.stop();
  callee?.stop();
  await browser?.close();
  await svpn?.stop();
});

/** What the API itself says, with the operator key (to compare the page against). */
async function api<T>(path: string): Promise<T> {
  const response = await fetch(svpn.apiUrl + path, {
    headers: { authorization: `Bearer ${svpn.operatorKey}` },
  });
  assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
  return (await response.json()) as T;
}

async function linkUtilisation(id: string): Promise<number> {
  return Number(await page.locator(`g.link[data-link="${id}"]`).getAttribute('data-utilisation'));
}

test('operator-login-expect-overview: the API serves the dashboard; the demo operator key logs in', async () => {
  await page.goto(svpn.apiUrl);
  page.on('load', () => loads++);
  await page.getByLabel('Operator API key').fill(svpn.operatorKey);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Topology' }).waitFor();
  // An idle straight link has an empty box (Playwright calls it hidden): wait for it in the DOM.
  await page.locator(`g.link[data-link="${BOTTLENECK}"]`).waitFor({ state: 'attached' });
  await page.locator('#live-status[data-status="streaming"]').waitFor();
  assert.equal(await linkUtilisation(BOTTLENECK), 0, 'nothing booked yet');
  await page.getByText('No live sessions.').waitFor();
  assert.equal(await page.locator('g.node').count(), 10, 'the demo network: 6 PEs, 4 P routers');
  await browser.screenshot(page, 'e2e-01-logged-in');
});

/** When `check` first holds (polled every 10 ms, bounded). */
async function whenTrue(check: () => boolean, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now();
}

test('sipp-call-expect-session-row: the session appears without a reload when SIPp places a call', async (t) => {
  const sip = svpn.system.sip.port;
  const far = await registerApp({
    gateway: { sipAddress: { port: sip } },
    application: 'backup-dc',
    ce: 'CE2',
    vpn: ACME,
  });
  assert.equal(far.result.exitCode, 0, verdict(far.result));
  const near = await registerApp({
    gateway: { sipAddress: { port: sip } },
    application: 'primary-dc',
    ce: 'CE1',
    vpn: ACME,
  });
  assert.equal(near.result.exitCode, 0, verdict(near.result));
  callee = answerAs(far.port, 'uas-answer-expect-200', { timeoutMs: 60_000 });
  call = await placeHangupCall({
    gatewaySipPort: sip,
    caller: 'primary-dc',
    callee: 'backup-dc',
    vpn: ACME,
    kbps: 200_000,
  });
  const live = whenTrue(() => svpn.system.gateway.controller.liveSessions === 1);
  const row = page.locator(`#sessions-table tr[data-key="${call.sessionId}"]`);
  await Promise.race([
    row.waitFor({ timeout: 15_000 }),
    call.done.then((r) => assert.fail(`SIPp ended before the session showed: ${verdict(r)}`)),
  ]);
  const shownAt = Date.now();
  t.diagnostic(`session row shown ${shownAt - (await live)} ms after the gateway had the session live`);
  const text = await row.innerText();
  assert.match(text, /acme/);
  assert.match(text, /00000a:00000001/);
  assert.match(text, /primary-dc → backup-dc/);
  assert.match(text, /200 Mbit\/s/);
  assert.match(text, /CE1@PE1 → CE2@PE4/);
  await row.locator('.badge.phase-active').waitFor();
  await browser.screenshot(page, 'e2e-02-session-live');
});

test('link-utilisation-expect-rise: the bottleneck turns busy at the session’s priority, as the API says', async () => {
  assert.ok(call);
  await page.waitForFunction(
    (id) => Number(document.querySelector(`g.link[data-link="${id}"]`)?.getAttribute('data-utilisation')) > 0,
    BOTTLENECK,
  );
  const shown = await linkUtilisation(BOTTLENECK);
  assert.ok(shown >= 0.2 && shown < 0.25, `200 Mbit/s plus overhead on 1 Gbit/s: ${shown}`);
  const topology = await api<{
    links: { id: string; utilisation: number; reservedByPriorityBps: number[] }[];
  }>('/v1/topology');
  const forward = topology.links.find((l) => l.id.startsWith(`${BOTTLENECK}:`) && l.utilisation > 0);
  assert.ok(forward, 'the API books the bottleneck too');
  assert.equal(
    shown,
    Math.max(...topology.links.filter((l) => l.id.startsWith(`${BOTTLENECK}:`)).map((l) => l.utilisation)),
  );
  // dsn.routine holds at RSVP-TE priority 4 (RFC 4412 ↔ RFC 3209 mapping of @svpn/qos).
  assert.ok(
    forward.reservedByPriorityBps[4]! > 0 &&
      forward.reservedByPriorityBps[4] === forward.reservedByPriorityBps.reduce((a, b) => a + b, 0),
  );

  await page.locator(`g.link[data-link="${BOTTLENECK}"]`).hover();
  const details = page.locator('#link-details');
  await details.getByRole('heading', { name: `Link ${BOTTLENECK}` }).waitFor();
  await details
    .locator(`[data-direction="${forward.id}"] tr[data-priority="4"]`)
    .getByText('4 (routine)')
    .waitFor();
  await page.locator('#tunnels-table tbody tr').first().waitFor();
  assert.match(await page.locator('#tunnels-table tbody').innerText(), /PE1 → PE4[\s\S]*4 \(routine\)/);
  await browser.screenshot(page, 'e2e-03-link-utilisation');
});

test('caller-hangs-up-expect-idle: after the BYE the row goes and the link falls idle, without a reload', async (t) => {
  assert.ok(call && callee);
  await call.hangUp();
  const ended = whenTrue(() => svpn.system.gateway.controller.liveSessions === 0);
  const [caller, far] = await Promise.all([call.done, callee.done]);
  assert.equal(caller.exitCode, 0, verdict(caller));
  assert.equal(far.exitCode, 0, verdict(far));
  await page.locator(`#sessions-table tr[data-key="${call.sessionId}"]`).waitFor({ state: 'detached' });
  t.diagnostic(`session row gone ${Date.now() - (await ended)} ms after the gateway ended the session`);
  await page.waitForFunction(
    (id) => document.querySelector(`g.link[data-link="${id}"]`)?.getAttribute('data-utilisation') === '0',
    BOTTLENECK,
  );
  await page.getByText('No live sessions.').waitFor();
  await browser.screenshot(page, 'e2e-04-call-ended');
});

test('charge-expect-row: the rated charge of the call shows under its customer, and in the CSV export', async () => {
  assert.ok(call);
  await page.getByRole('link', { name: 'Charges' }).click();
  const row = page.locator(`#charges-table tr[data-key="${call.sessionId}"]`);
  await row.waitFor();
  await row.locator('.badge.charge-closed').waitFor();
  const charges = await api<{
    charges: { sessionId: string; cost: number | null; currency: string | null }[];
  }>('/v1/charges?customer=acme');
  const charge = charges.charges.find((c) => c.sessionId === call!.sessionId);
  assert.ok(charge && typeof charge.cost === 'number', `rated: ${JSON.stringify(charge)}`);
  const cost = `${Math.floor(charge.cost / 100)}.${String(charge.cost % 100).padStart(2, '0')}`;
  await row.locator('td.cost').getByText(cost).waitFor();
  assert.match(await row.innerText(), /acme[\s\S]*primary-dc → backup-dc[\s\S]*200 Mbit\/s/);

  await page.getByLabel('Customer').selectOption('acme');
  await page.waitForFunction(() => document.querySelectorAll('#charge-totals tbody tr').length === 1);
  await row.waitFor();
  assert.match(
    await page.locator('#charge-totals tbody').innerText(),
    new RegExp(`acme\\s+1\\s+${cost.replace('.', '\\.')}`),
  );
  await browser.screenshot(page, 'e2e-05-charge');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  const csv = await readFile((await download.path())!, 'utf8');
  assert.match(csv.split(/\r?\n/)[0]!, /session/i, 'a header line');
  assert.ok(csv.includes(call.sessionId), 'the call is in the export');
});

test('other-pages-expect-no-errors: timeline, queues and the SLA editor read the real API; an SLA edit is saved', async () => {
  await page.getByRole('link', { name: 'Timeline' }).click();
  await page.locator('svg.timeline').waitFor();
  await page.getByRole('link', { name: 'Queues' }).click();
  await page.locator('#queues-table tr[data-key="PE1"]').waitFor();
  assert.match(await page.locator('#queues-table tr[data-key="PE1"]').innerText(), /PE1/);
  await page.getByRole('link', { name: 'SLAs' }).click();
  await page.getByLabel('SLA', { exact: true }).selectOption('acme-storage');
  await page.getByLabel('Most sessions at once').fill('11');
  await page.getByRole('button', { name: 'Save SLA' }).click();
  await page.getByText(/^Saved acme-storage at/).waitFor();
  const sla = await api<{ maxSessions: number }>('/v1/slas/acme-storage');
  assert.equal(sla.maxSessions, 11, 'the policy service holds the edit');
  await browser.screenshot(page, 'e2e-06-sla-saved');
  assert.equal(await page.locator('#alerts').innerText(), '', 'no request failed');
});

test('no reload, no page error, bounded time', () => {
  assert.equal(loads, 0, 'the page was never reloaded');
  assert.deepEqual(errors, []);
  assert.ok(Date.now() - startedAt < 90_000, `the run took ${Date.now() - startedAt} ms`);
});

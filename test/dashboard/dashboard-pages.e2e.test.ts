/**
 * The dashboard's pages in Debian's Chromium against a stand-in API (support/stub-api.ts, whose
 * answers are checked against the OpenAPI contract): login and logout, live updates from the event
 * stream and, without it, from polling; the topology's per-priority breakdown by mouse and keyboard;
 * the timeline; queue health and retrying a failed job; charges per customer and the CSV export;
 * the SLA editor's checks and its PUT. The whole-system run is dashboard.e2e.test.ts.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildDashboard } from '../../services/dashboard/src/index.js';
import { launchBrowser, type Browser } from './support/browser.js';
import { startStubApi, type StubApi } from './support/stub-api.js';

let browser: Browser;
let api: StubApi;
let distDir: string;
const T0 = Date.now();

before(async () => {
  // A private, fresh build: this file never races the whole-system test over services/dashboard/dist.
  distDir = await mkdtemp(join(tmpdir(), 'svpn-dashboard-pages-'));
  await buildDashboard({ outDir: distDir });
  api = await startStubApi({ distDir });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await api?.stop();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

beforeEach(() => {
  Object.assign(api.state, {
    sessions: [],
    tunnels: [],
    reservations: new Map(),
    failedJobs: {},
    charges: [],
    connections: [],
    noEventStream: false,
  });
  for (const q of api.state.queues)
    Object.assign(q, { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 });
});

function session(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sessionId: id,
    callId: `call-${id}`,
    phase: 'active',
    customerId: 'acme',
    vpnId: '00000a:00000001',
    caller: 'sip:primary-dc@svpn.example.net',
    callee: 'sip:backup-dc@svpn.example.net',
    serviceClass: 'high-throughput-data',
    precedence: 'routine',
    grantedBps: 200_000_000,
    dscp: 10,
    ingress: { pe: 'PE1', ce: 'CE1' },
    egress: { pe: 'PE4', ce: 'CE2' },
    lspId: 'lsp-PE1-PE4-0-routine',
    label: 1001,
    links: ['PE1-P2:PE1->P2', 'P2-P3:P2->P3', 'PE4-P3:P3->PE4'],
    setupAt: T0 - 65_000,
    answerAt: T0 - 64_000,
    gatewayId: 'gw-1',
    version: 1,
    ...overrides,
  };
}

/** Books bit/s on P2→P3 (and the edges of PE1 → PE4) at a holding priority. */
function reserve(bps: number, priority = 4): void {
  for (const link of ['PE1-P2:PE1->P2', 'P2-P3:P2->P3', 'PE4-P3:P3->PE4']) {
    const row = api.state.reservations.get(link) ?? [0, 0, 0, 0, 0, 0, 0, 0];
    row[priority] = (row[priority] ?? 0) + bps;
    api.state.reservations.set(link, row);
  }
}

async function login(page: Page, key = api.operatorKey): Promise<void> {
  await page.goto(api.url);
  await page.getByLabel('Operator API key').fill(key);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function loggedIn(): Promise<{ page: Page; errors: string[] }> {
  const tab = await browser.page();
  await login(tab.page);
  await tab.page.locator('#live-status[data-status]').waitFor();
  return tab;
}

test('login: a wrong key is refused, a key without the operator scope too; the operator key opens the overview and survives a reload', async () => {
  const { page, errors } = await browser.page();
  await login(page, 'svpn_nobody_wrong');
  await page.getByText('The API refused this key').waitFor();
  assert.equal(await page.getByLabel('Operator API key').getAttribute('aria-invalid'), 'true');
  await page.getByLabel('Operator API key').fill(api.applicationKey);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('has no operator scope').waitFor();
  await browser.screenshot(page, 'pages-01-login-refused');

  await page.getByLabel('Operator API key').fill(api.operatorKey);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Topology' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('svpn.operatorKey')), api.operatorKey);
  assert.equal(await page.getByRole('link', { name: 'Overview' }).getAttribute('aria-current'), 'page');

  await page.reload();
  await page.getByRole('heading', { name: 'Sessions' }).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('Operator API key').waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('svpn.operatorKey')), null);
  assert.deepEqual(
    errors.filter((e) => !/401|403/.test(e)),
    [],
  );
  await page.close();
});

test('live: a session announced on the event stream appears without a reload; the bottleneck turns busy, by priority', async () => {
  const { page, errors } = await loggedIn();
  await page.locator('#live-status[data-status="streaming"]').waitFor();
  await page.getByText('No live sessions.').waitFor();
  const navigations: string[] = [];
  page.on('framenavigated', (f) => navigations.push(f.url()));

  api.state.sessions = [session('sess-live-1')];
  api.state.tunnels = [
    {
      id: 'provider/PE1/PE4/ct0/routine',
      ingress: 'PE1',
      egress: 'PE4',
      level: 'routine',
      holdingPriority: 4,
      setupPriority: 4,
      sizeBps: 201_000_000,
      links: ['PE1-P2:PE1->P2', 'P2-P3:P2->P3', 'PE4-P3:P3->PE4'],
      contents: [{ kind: 'flow', id: 'sess-live-1' }],
    },
  ];
  reserve(201_000_000, 4);
  reserve(50_000_000, 2);
  api.pushEvent('session', { sessionId: 'sess-live-1', type: 'started' });

  const row = page.locator('#sessions-table tr[data-key="sess-live-1"]');
  await row.waitFor({ timeout: 4000 });
  assert.match(await row.innerText(), /primary-dc → backup-dc[\s\S]*200 Mbit\/s[\s\S]*active/);
  const link = page.locator('g.link[data-link="P2-P3"]');
  await page.waitForFunction(
    () => Number(document.querySelector('g.link[data-link="P2-P3"]')?.getAttribute('data-utilisation')) > 0,
  );
  assert.equal(Number(await link.getAttribute('data-utilisation')), 0.251);
  assert.match((await link.getAttribute('aria-label')) ?? '', /Link P2-P3: 25 % used/);
  assert.equal(
    await page.locator('g.link[data-link="PE1-P1"] .link-line').getAttribute('stroke-width'),
    '2',
    'an idle link stays thin',
  );
  assert.ok(
    Number(await link.locator('.link-line').getAttribute('stroke-width')) > 4,
    'the busy link is drawn wider',
  );
  await page.locator('#tunnels-table tr[data-key="provider/PE1/PE4/ct0/routine"]').waitFor();

  await link.hover();
  const details = page.locator('#link-details');
  await details.getByRole('heading', { name: 'Link P2-P3' }).waitFor();
  const forward = details.locator('[data-direction="P2-P3:P2->P3"]');
  assert.match(await forward.innerText(), /P2 → P3\s+251 Mbit\/s of 1 Gbit\/s \(25 %\)/);
  assert.deepEqual(
    await forward.locator('tr[data-priority]').evaluateAll((rows) => rows.map((r) => r.textContent)),
    ['2 (immediate)50 Mbit/s', '4 (routine)201 Mbit/s'],
  );
  await browser.screenshot(page, 'pages-02-live-session-and-link');
  assert.deepEqual(navigations, [], 'no reload');
  assert.deepEqual(errors, []);
  await page.close();
});

test('live without a stream: polling every second keeps the page current', async () => {
  api.state.noEventStream = true;
  const { page, errors } = await loggedIn();
  await page.locator('#live-status[data-status="polling"]').waitFor();
  api.state.sessions = [session('sess-polled')];
  const started = Date.now();
  await page.locator('#sessions-table tr[data-key="sess-polled"]').waitFor({ timeout: 3000 });
  assert.ok(Date.now() - started < 2500, 'within a couple of polls');
  api.state.sessions = [];
  await page
    .locator('#sessions-table tr[data-key="sess-polled"]')
    .waitFor({ state: 'detached', timeout: 3000 });
  assert.deepEqual(
    errors.filter((e) => !/404/.test(e)),
    [],
  );
  await page.close();
});

test('keyboard: links are reached with Tab, Enter pins their details, Escape unpins', async () => {
  reserve(600_000_000, 4);
  const { page } = await loggedIn();
  await page.locator('g.link[data-link="P2-P3"][data-utilisation="0.6"]').waitFor();
  await page.locator('g.link[data-link="P2-P3"]').focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('g.link[data-link="P2-P3"]').getAttribute('aria-pressed'), 'true');
  await page.locator('#link-details').getByRole('heading', { name: 'Link P2-P3' }).waitFor();
  // Focus moves to the next link: its details show while it has focus.
  await page.keyboard.press('Tab');
  const next = await page.evaluate(() => document.activeElement?.getAttribute('data-link'));
  assert.ok(next && next !== 'P2-P3', `focus moved to another link (${next})`);
  await page
    .locator('#link-details')
    .getByRole('heading', { name: `Link ${next}` })
    .waitFor();
  // Focus leaves the map: the pinned link's details come back.
  await page.getByRole('heading', { name: 'Sessions' }).click();
  await page.locator('#link-details').getByRole('heading', { name: 'Link P2-P3' }).waitFor();
  await page.locator('g.link[data-link="P2-P3"]').focus();
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('g.link[data-link="P2-P3"]').getAttribute('aria-pressed'), 'false');
  // Every page is one Tab-reachable link in the navigation.
  for (const name of ['Timeline', 'Queues', 'Charges', 'SLAs', 'Overview']) {
    await page.getByRole('link', { name }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.title.endsWith(n), name);
  }
  await page.close();
});

test('timeline: live sessions and scheduled connections are bars on their lanes, and rows of the table', async () => {
  const hour = 3_600_000;
  api.state.sessions = [session('sess-t1', { maxDurationS: 7200 })];
  api.state.connections = [
    {
      connectionId: 'c-0123456789abcdef0123',
      application: 'grid-a',
      customerId: 'globex',
      vpnId: '00000b:00000001',
      source: { application: 'grid-a', ce: 'CE3' },
      destination: { application: 'grid-b', ce: 'CE4' },
      criteria: {
        version: 0,
        bandwidthBps: 400_000_000,
        serviceClass: 'high-throughput-data',
        priority: 'dsn.priority',
        startTime: new Date(T0 + hour).toISOString(),
        endTime: new Date(T0 + 3 * hour).toISOString(),
      },
      committedVersion: 0,
      states: {
        reservationState: 'ReserveStart',
        provisionState: 'Released',
        lifecycleState: 'Created',
        dataPlaneStatus: { active: false, version: 0, versionConsistent: true },
      },
      autoCommit: true,
      autoProvision: true,
      createdAt: new Date(T0).toISOString(),
      updatedAt: new Date(T0).toISOString(),
    },
  ];
  const { page, errors } = await loggedIn();
  await page.getByRole('link', { name: 'Timeline' }).click();
  const bars = page.locator('svg.timeline g.bar');
  await page.locator('svg.timeline g.bar[data-id="c-0123456789abcdef0123"]').waitFor();
  assert.equal(await bars.count(), 2);
  const rect = async (id: string): Promise<{ x: number; y: number }> => {
    const r = page.locator(`g.bar[data-id="${id}"] rect`);
    return { x: Number(await r.getAttribute('x')), y: Number(await r.getAttribute('y')) };
  };
  const sessionBar = await rect('sess-t1');
  const connectionBar = await rect('c-0123456789abcdef0123');
  assert.ok(connectionBar.x > sessionBar.x, 'the scheduled connection starts later');
  assert.ok(connectionBar.y > sessionBar.y, 'they overlap in time: separate lanes');
  assert.match(
    await page.locator('#timeline-table tr[data-key="c-0123456789abcdef0123"]').innerText(),
    /grid-a → grid-b\s+400 Mbit\/s/,
  );
  const now = page.locator('svg.timeline line.now');
  await now.waitFor({ state: 'attached' });
  const nowX = Number(await now.getAttribute('x1'));
  assert.ok(
    nowX > sessionBar.x && nowX < connectionBar.x,
    'now: after the session began, before the connection',
  );
  await browser.screenshot(page, 'pages-03-timeline');
  await page.getByRole('button', { name: '1 h' }).click();
  assert.equal(await page.getByRole('button', { name: '1 h' }).getAttribute('aria-pressed'), 'true');
  await page.locator('g.bar[data-id="c-0123456789abcdef0123"]').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await page.close();
});

test('queues: a failing queue says so; its failed job is retried through the API', async () => {
  Object.assign(api.state.queues[3]!, { failed: 1, completed: 12 });
  Object.assign(api.state.queues[0]!, { waiting: 2, active: 1, completed: 30 });
  api.state.failedJobs['PE4'] = [
    {
      id: 'uni.add-session:sess-9:1',
      name: 'uni.add-session',
      state: 'failed',
      attemptsMade: 5,
      failedReason: 'PE4 unreachable',
      timestamp: T0 - 60_000,
      finishedOn: T0 - 30_000,
    },
  ];
  const { page, errors } = await loggedIn();
  await page.getByRole('link', { name: 'Queues' }).click();
  const pe4 = page.locator('#queues-table tr[data-key="PE4"]');
  await pe4.locator('.badge.health-failing').waitFor();
  assert.equal(await page.locator('#queues-table tr[data-key="PE1"] .badge').innerText(), 'busy');
  assert.equal(await page.locator('#queues-table tr[data-key="PE2"] .badge').innerText(), 'idle');
  await page.getByRole('button', { name: 'Failed jobs of PE4' }).click();
  const job = page.locator('#failed-jobs tr[data-key="uni.add-session:sess-9:1"]');
  await job.waitFor();
  assert.match(await job.innerText(), /PE4 unreachable/);
  await browser.screenshot(page, 'pages-04-queues');
  await job.getByRole('button', { name: 'Retry' }).click();
  await pe4.locator('.badge.health-busy').waitFor();
  assert.ok(
    api.requests.some(
      (r) => r.method === 'POST' && r.path === '/v1/queues/PE4/jobs/uni.add-session%3Asess-9%3A1/retry',
    ),
  );
  await page.locator('#failed-jobs').getByText('No failed jobs.').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('charges: per customer with totals, and the CSV export downloads with the operator key', async () => {
  const charge = (id: string, customerId: string, cost: number): Record<string, unknown> => ({
    sessionId: id,
    customerId,
    customer: customerId,
    vpnId: customerId === 'acme' ? '00000a:00000001' : '00000b:00000001',
    caller: 'sip:primary-dc@svpn.example.net',
    callee: 'sip:backup-dc@svpn.example.net',
    grantedBps: 200_000_000,
    setupAt: T0 - 120_000,
    answerAt: T0 - 119_000,
    endAt: T0 - 60_000,
    durationMs: 59_000,
    bytes: 1_234_567,
    cost,
    currency: 'EUR',
    status: 'closed',
    complete: true,
  });
  api.state.charges = [
    charge('sess-a1', 'acme', 350),
    charge('sess-a2', 'acme', 125),
    charge('sess-g1', 'globex', 990),
  ];
  const { page, errors } = await loggedIn();
  await page.getByRole('link', { name: 'Charges' }).click();
  await page.locator('#charges-table tr[data-key="sess-g1"]').waitFor();
  assert.match(
    await page.locator('#charge-totals tr[data-key="acme/EUR"]').innerText(),
    /acme\s+2\s+4\.75 EUR/,
  );
  assert.match(
    await page.locator('#charge-totals tr[data-key="globex/EUR"]').innerText(),
    /globex\s+1\s+9\.90 EUR/,
  );

  await page.getByLabel('Customer').selectOption('acme');
  await page.locator('#charges-table tr[data-key="sess-g1"]').waitFor({ state: 'detached' });
  assert.equal(await page.locator('#charges-table tbody tr').count(), 2);
  assert.ok(api.requests.some((r) => r.path === '/v1/charges?limit=1000&customer=acme'));
  assert.match(await page.locator('#charge-totals tbody').innerText(), /^acme\s+2\s+4\.75 EUR$/);
  await browser.screenshot(page, 'pages-05-charges');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'charges-acme.csv');
  const csv = await readFile((await download.path())!, 'utf8');
  assert.equal(csv, 'session_id,customer,cost\r\nsess-a1,acme,350\r\nsess-a2,acme,125\r\n');
  await page.getByText('Exported 2 records.').waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('SLA editor: problems are shown at their fields and nothing is sent; a valid edit is PUT; a refusal is shown', async () => {
  const { page, errors } = await loggedIn();
  await page.getByRole('link', { name: 'SLAs' }).click();
  await page.getByLabel('SLA', { exact: true }).selectOption('acme-storage');
  const perSession = page.getByLabel('Per-session maximum');
  assert.equal(await perSession.inputValue(), '1G');

  await perSession.fill('5G');
  await page.getByLabel('Most sessions at once').fill('lots');
  await page.getByRole('button', { name: 'Save SLA' }).click();
  await page.locator('#sla-form-summary').getByText('The SLA was not saved: 2 problems.').waitFor();
  assert.equal(await perSession.getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#sla-maxSessionBps-error').innerText(), /exceeds the total of 2 Gbit\/s/);
  assert.equal(
    await page.evaluate(() => document.activeElement?.id),
    'sla-maxSessionBps',
    'focus on the first problem',
  );
  await browser.screenshot(page, 'pages-06-sla-invalid');
  assert.equal(api.requests.filter((r) => r.method === 'PUT').length, 0, 'nothing sent');

  await perSession.fill('1.5G');
  await page.getByLabel('Most sessions at once').fill('12');
  await page.getByLabel('multimedia-streaming').uncheck();
  await page.getByRole('button', { name: 'Save SLA' }).click();
  await page.getByText(/^Saved acme-storage at/).waitFor();
  const put = api.requests.find((r) => r.method === 'PUT');
  assert.equal(put?.path, '/v1/slas/acme-storage');
  const body = put?.body as Record<string, unknown>;
  assert.equal(body['maxSessionBps'], 1_500_000_000);
  assert.equal(body['maxSessions'], 12);
  assert.deepEqual(body['serviceClasses'], ['high-throughput-data', 'low-latency-data']);
  assert.equal('id' in body, false);
  assert.equal(await perSession.inputValue(), '1.5G', 'the form shows what was saved');

  // The server has the last word: a charging profile the form accepts but the policy refuses.
  await page.getByLabel('Highest precedence').selectOption('dsn.flash-override');
  await page.getByLabel('Charging profile').fill('');
  await page.getByRole('button', { name: 'Save SLA' }).click();
  await page
    .locator('#sla-chargingProfile-error')
    .getByText(/charging profile id/)
    .waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test('responsive: on a 1024 px screen the overview is one column and nothing scrolls sideways', async () => {
  api.state.sessions = [session('sess-narrow')];
  reserve(300_000_000);
  const { page, errors } = await loggedIn();
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1024, height: 768 },
  ]) {
    await page.setViewportSize(viewport);
    await page.locator('#sessions-table tr[data-key="sess-narrow"]').waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    assert.ok(overflow <= 0, `${viewport.width} px: the page is ${overflow} px too wide`);
  }
  const [topology, tunnels] = await Promise.all([
    page.locator('#topology').boundingBox(),
    page.locator('#tunnels').boundingBox(),
  ]);
  assert.ok(
    topology && tunnels && tunnels.y > topology.y + topology.height - 1,
    'tunnels below the topology',
  );
  await browser.screenshot(page, 'pages-07-1024px');
  assert.deepEqual(errors, []);
  await page.close();
});

test('every answer the stand-in API gave matches the OpenAPI contract', () => {
  assert.deepEqual(api.contractViolations, []);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipHeaderError } from '../../src/grammar/index.js';
import { SipHeaders } from '../../src/messages/index.js';
import {
  type SessionTimerEvent,
  type SessionTimerMessage,
  type SessionTimerState,
  INITIAL_SESSION_TIMER_STATE,
  expiryDelayMs,
  formatSessionExpires,
  negotiateAsUac,
  negotiateAsUas,
  parseMinSE,
  parseSessionExpires,
  refreshDelayMs,
  refresherSide,
  resolveSessionTimerOptions,
  retryAfter422,
  sessionTimerRequestHeaders,
  stepSessionTimer,
} from '../../src/dialogs/session-timer.js';
import { DialogOptionsError, DialogStateTransitionError } from '../../src/dialogs/errors.js';

function message(
  headers: Record<string, string>,
  supported: string[] = [],
  require: string[] = [],
): SessionTimerMessage {
  return { headers: new SipHeaders(headers), supported, require };
}

const defaults = resolveSessionTimerOptions();

test('RFC 4028 §4 — Session-Expires: delta-seconds with an optional refresher parameter', () => {
  assert.deepEqual(parseSessionExpires('1800'), { interval: 1800, refresher: undefined });
  assert.deepEqual(parseSessionExpires('4000;refresher=uac'), { interval: 4000, refresher: 'uac' });
  assert.deepEqual(parseSessionExpires(' 90 ; refresher = UAS ;foo=bar'), { interval: 90, refresher: 'uas' });
  for (const bad of ['', 'abc', '90;refresher=proxy', '90;refresher', '-5', '90 x']) {
    assert.throws(() => parseSessionExpires(bad), SipHeaderError, bad);
  }
  assert.equal(formatSessionExpires({ interval: 1800, refresher: 'uas' }), '1800;refresher=uas');
  assert.equal(formatSessionExpires({ interval: 600, refresher: undefined }), '600');
});

test('RFC 4028 §5 — Min-SE: delta-seconds with generic parameters', () => {
  assert.equal(parseMinSE('90'), 90);
  assert.equal(parseMinSE('120;lr'), 120);
  assert.throws(() => parseMinSE('ninety'), SipHeaderError);
});

test('options: defaults, validation; a Min-SE below 90 is a documented deviation', () => {
  assert.deepEqual(defaults, {
    sessionExpires: undefined,
    minSE: 90,
    refresher: undefined,
    refreshMethod: undefined,
  });
  assert.equal(resolveSessionTimerOptions({ minSE: 2, sessionExpires: 4 }).minSE, 2);
  assert.throws(() => resolveSessionTimerOptions({ minSE: 0 }), DialogOptionsError);
  assert.throws(() => resolveSessionTimerOptions({ minSE: 1.5 }), DialogOptionsError);
  assert.throws(
    () => resolveSessionTimerOptions({ minSE: 100, sessionExpires: 99 }),
    (e: unknown) => {
      assert.ok(e instanceof DialogOptionsError);
      assert.equal(e.option, 'sessionExpires');
      assert.equal(e.code, 'SIP_DIALOG_INVALID_OPTIONS');
      return true;
    },
  );
});

test('RFC 4028 §7.1 — the UAC asks for its interval with Min-SE; nothing when it asks for none', () => {
  assert.deepEqual(sessionTimerRequestHeaders(defaults, undefined), {});
  const asking = resolveSessionTimerOptions({ sessionExpires: 1800 });
  assert.deepEqual(sessionTimerRequestHeaders(asking, undefined), {
    'Session-Expires': '1800',
    'Min-SE': '90',
  });
  const local = resolveSessionTimerOptions({ sessionExpires: 1800, refresher: 'local' });
  assert.deepEqual(sessionTimerRequestHeaders(local, undefined), {
    'Session-Expires': '1800;refresher=uac',
    'Min-SE': '90',
  });
  const remote = resolveSessionTimerOptions({ sessionExpires: 1800, refresher: 'remote' });
  assert.equal(sessionTimerRequestHeaders(remote, undefined)['Session-Expires'], '1800;refresher=uas');
  // §7.4 — after a 422 the Min-SE is the largest seen and the interval at least that.
  assert.deepEqual(sessionTimerRequestHeaders(asking, undefined, 3600), {
    'Session-Expires': '3600',
    'Min-SE': '3600',
  });
});

test('RFC 4028 §7.4 — a refresh carries the current interval; refresher=uac when we refresh', () => {
  assert.deepEqual(sessionTimerRequestHeaders(defaults, { interval: 600, refresher: 'local' }), {
    'Session-Expires': '600;refresher=uac',
    'Min-SE': '90',
  });
  assert.equal(
    sessionTimerRequestHeaders(defaults, { interval: 600, refresher: 'remote' })['Session-Expires'],
    '600;refresher=uas',
  );
});

test('RFC 4028 §9 — an interval below our minimum from a UAC supporting timer gets 422 with Min-SE', () => {
  const decision = negotiateAsUas(message({ 'Session-Expires': '60' }, ['timer']), defaults);
  assert.deepEqual(decision, { action: 'reject', status: 422, minSE: 90, headers: { 'Min-SE': '90' } });
});

test('RFC 4028 §9 / errata 1687 — from a UAC without timer support the interval is raised, UAS refreshes', () => {
  const decision = negotiateAsUas(message({ 'Session-Expires': '60' }), defaults);
  assert.equal(decision.action, 'accept');
  assert.deepEqual(decision.action === 'accept' && decision.agreement, { interval: 90, refresher: 'uas' });
  assert.deepEqual(decision.action === 'accept' && decision.headers, {
    'Session-Expires': '90;refresher=uas',
  });
});

test('RFC 4028 §9 — the refresher parameter of the request is copied; Require: timer for uac', () => {
  const d = negotiateAsUas(message({ 'Session-Expires': '1800;refresher=uac' }, ['timer']), defaults);
  assert.deepEqual(d, {
    action: 'accept',
    agreement: { interval: 1800, refresher: 'uac' },
    headers: { 'Session-Expires': '1800;refresher=uac', Require: 'timer' },
  });
  const u = negotiateAsUas(message({ 'Session-Expires': '1800;refresher=uas' }, ['timer']), defaults);
  assert.deepEqual(u.action === 'accept' && u.agreement, { interval: 1800, refresher: 'uas' });
});

test('RFC 4028 §9 — without a refresher parameter the UAS chooses (itself by default, or as configured)', () => {
  const d = negotiateAsUas(message({ 'Session-Expires': '1800' }, ['timer']), defaults);
  assert.deepEqual(d.action === 'accept' && d.agreement, { interval: 1800, refresher: 'uas' });
  const prefersRemote = resolveSessionTimerOptions({ refresher: 'remote' });
  const r = negotiateAsUas(message({ 'Session-Expires': '1800' }, ['timer']), prefersRemote);
  assert.deepEqual(r.action === 'accept' && r.agreement, { interval: 1800, refresher: 'uac' });
  assert.equal(r.action === 'accept' && r.headers['Require'], 'timer');
  // A UAC that does not support the extension cannot refresh: the UAS MUST.
  const legacy = negotiateAsUas(message({ 'Session-Expires': '1800' }), prefersRemote);
  assert.deepEqual(legacy.action === 'accept' && legacy.agreement, { interval: 1800, refresher: 'uas' });
  assert.equal(legacy.action === 'accept' && legacy.headers['Require'], undefined);
});

test('RFC 4028 §9 — the UAS may reduce the interval, never below the request Min-SE nor its own', () => {
  const short = resolveSessionTimerOptions({ sessionExpires: 300 });
  const d = negotiateAsUas(message({ 'Session-Expires': '1800', 'Min-SE': '600' }, ['timer']), short);
  assert.deepEqual(d.action === 'accept' && d.agreement, { interval: 600, refresher: 'uas' });
  const e = negotiateAsUas(message({ 'Session-Expires': '1800' }, ['timer']), short);
  assert.deepEqual(e.action === 'accept' && e.agreement, { interval: 300, refresher: 'uas' });
  const never = negotiateAsUas(message({ 'Session-Expires': '200' }, ['timer']), short);
  assert.deepEqual(
    never.action === 'accept' && never.agreement,
    { interval: 200, refresher: 'uas' },
    'not increased',
  );
});

test('RFC 4028 §9 — no Session-Expires: no timer, unless the UAS wants one or one is running', () => {
  assert.deepEqual(negotiateAsUas(message({}, ['timer']), defaults), {
    action: 'accept',
    agreement: undefined,
    headers: {},
  });
  const wants = resolveSessionTimerOptions({ sessionExpires: 1200 });
  const d = negotiateAsUas(message({ 'Min-SE': '1500' }, ['timer']), wants);
  assert.deepEqual(d.action === 'accept' && d.agreement, { interval: 1500, refresher: 'uas' });
  // A re-INVITE without Session-Expires inside a running session keeps it, refresher unchanged.
  const running = negotiateAsUas(message({}, ['timer']), defaults, { interval: 600, refresher: 'remote' });
  assert.deepEqual(running.action === 'accept' && running.agreement, { interval: 600, refresher: 'uac' });
});

test('RFC 4028 §7.2 — the UAC reads the 2xx: Session-Expires sets the timer, its absence removes it', () => {
  assert.deepEqual(negotiateAsUac(message({ 'Session-Expires': '900;refresher=uas' })), {
    interval: 900,
    refresher: 'uas',
  });
  assert.deepEqual(negotiateAsUac(message({ 'Session-Expires': '900' })), {
    interval: 900,
    refresher: 'uac',
  });
  assert.equal(negotiateAsUac(message({})), undefined);
  assert.throws(() => negotiateAsUac(message({ 'Session-Expires': 'soon' })), SipHeaderError);
});

test('RFC 4028 §7.4 — after 422 retry with the largest Min-SE and an interval at least that', () => {
  assert.deepEqual(retryAfter422(message({ 'Min-SE': '300' }), { sessionExpires: 120, minSE: 90 }), {
    sessionExpires: 300,
    minSE: 300,
  });
  assert.deepEqual(retryAfter422(message({ 'Min-SE': '100' }), { sessionExpires: 1800, minSE: 150 }), {
    sessionExpires: 1800,
    minSE: 150,
  });
  assert.equal(retryAfter422(message({}), { sessionExpires: 120, minSE: 90 }), undefined);
  assert.equal(retryAfter422(message({ 'Min-SE': 'x' }), { sessionExpires: 120, minSE: 90 }), undefined);
});

test('refresher roles map to sides by the role this UA played', () => {
  assert.equal(refresherSide('uac', 'uac'), 'local');
  assert.equal(refresherSide('uac', 'uas'), 'remote');
  assert.equal(refresherSide('uas', 'uas'), 'local');
  assert.equal(refresherSide('uas', 'uac'), 'remote');
});

test('RFC 4028 §10 — refresh at half the interval; expiry at interval minus min(32, interval/3)', () => {
  assert.equal(refreshDelayMs(1800), 900_000);
  assert.equal(expiryDelayMs(1800), (1800 - 32) * 1000);
  assert.equal(expiryDelayMs(90), 60_000);
  assert.equal(expiryDelayMs(3), 2000);
});

function run(state: SessionTimerState, ...events: SessionTimerEvent[]) {
  let s = state;
  let effects: unknown[] = [];
  for (const e of events) {
    const step = stepSessionTimer(s, e);
    s = step.state;
    effects = [...step.effects];
  }
  return { state: s, effects };
}

test('machine: the refresher starts the refresh and expiry timers; the other side only the expiry', () => {
  const local = run(INITIAL_SESSION_TIMER_STATE, {
    type: 'negotiated',
    timer: { interval: 90, refresher: 'local' },
  });
  assert.equal(local.state.name, 'Refreshing');
  assert.deepEqual(local.effects.slice(2), [
    { type: 'startTimer', timer: 'expiry', delayMs: 60_000 },
    { type: 'startTimer', timer: 'refresh', delayMs: 45_000 },
  ]);
  const remote = run(INITIAL_SESSION_TIMER_STATE, {
    type: 'negotiated',
    timer: { interval: 90, refresher: 'remote' },
  });
  assert.equal(remote.state.name, 'Watching');
  assert.deepEqual(remote.effects.slice(2), [{ type: 'startTimer', timer: 'expiry', delayMs: 60_000 }]);
});

test('machine: the refresh timer sends a refresh; a new agreement restarts both timers', () => {
  const refreshing = run(INITIAL_SESSION_TIMER_STATE, {
    type: 'negotiated',
    timer: { interval: 90, refresher: 'local' },
  }).state;
  assert.deepEqual(run(refreshing, { type: 'timer', timer: 'refresh' }).effects, [{ type: 'sendRefresh' }]);
  const swapped = run(refreshing, { type: 'negotiated', timer: { interval: 120, refresher: 'remote' } });
  assert.equal(swapped.state.name, 'Watching');
  assert.deepEqual(swapped.state.active, { interval: 120, refresher: 'remote' });
  assert.deepEqual(swapped.effects.slice(0, 2), [
    { type: 'cancelTimer', timer: 'refresh' },
    { type: 'cancelTimer', timer: 'expiry' },
  ]);
});

test('RFC 4028 §10 — no refresh by the expiry: BYE; a refresh failing 408/481: BYE; others wait', () => {
  const watching = run(INITIAL_SESSION_TIMER_STATE, {
    type: 'negotiated',
    timer: { interval: 90, refresher: 'remote' },
  }).state;
  const expired = run(watching, { type: 'timer', timer: 'expiry' });
  assert.equal(expired.state.name, 'Expired');
  assert.deepEqual(expired.effects.at(-1), { type: 'sendBye' });
  const refreshing = run(INITIAL_SESSION_TIMER_STATE, {
    type: 'negotiated',
    timer: { interval: 90, refresher: 'local' },
  }).state;
  assert.deepEqual(run(refreshing, { type: 'refreshFailed', status: 500 }).effects, []);
  assert.deepEqual(run(refreshing, { type: 'refreshFailed', status: 408 }).effects.at(-1), {
    type: 'sendBye',
  });
  assert.deepEqual(run(refreshing, { type: 'refreshFailed', status: 481 }).state.name, 'Expired');
  assert.deepEqual(run(INITIAL_SESSION_TIMER_STATE, { type: 'refreshFailed', status: 408 }).effects, []);
});

test('machine: a 2xx without Session-Expires disables; stop ends everything; stale input is absorbed', () => {
  const watching = run(INITIAL_SESSION_TIMER_STATE, {
    type: 'negotiated',
    timer: { interval: 90, refresher: 'remote' },
  }).state;
  const off = run(watching, { type: 'disabled' });
  assert.equal(off.state.name, 'Inactive');
  assert.equal(off.effects.length, 2);
  const stopped = run(watching, { type: 'stop' });
  assert.equal(stopped.state.name, 'Stopped');
  assert.deepEqual(
    run(stopped.state, { type: 'negotiated', timer: { interval: 90, refresher: 'local' } }).effects,
    [],
  );
  assert.equal(
    run(stopped.state, { type: 'negotiated', timer: { interval: 90, refresher: 'local' } }).state.name,
    'Stopped',
  );
});

test('machine: timers the state never started are illegal', () => {
  assert.throws(
    () => stepSessionTimer(INITIAL_SESSION_TIMER_STATE, { type: 'timer', timer: 'expiry' }),
    DialogStateTransitionError,
  );
  const watching = run(INITIAL_SESSION_TIMER_STATE, {
    type: 'negotiated',
    timer: { interval: 90, refresher: 'remote' },
  }).state;
  assert.throws(
    () => stepSessionTimer(watching, { type: 'timer', timer: 'refresh' }),
    DialogStateTransitionError,
  );
  assert.deepEqual(JSON.parse(JSON.stringify(watching)), watching);
});

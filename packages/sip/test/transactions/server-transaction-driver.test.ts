import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  ServerTransactionDriver,
  StateTransitionError,
  TransactionOptionsError,
  TransactionTerminatedError,
  type ServerTransactionDelegate,
  type ServerTransactionDriverOptions,
  type ServerTransactionHandOff,
  type TransactionOptions,
} from '../../src/transactions/index.js';

interface Req {
  readonly method: string;
  readonly n?: number;
}
interface Res {
  readonly status: number;
  readonly label?: string;
}

function harness(
  method: string,
  transaction: TransactionOptions,
  delegate: (tx: ServerTransactionDriver<Req, Res>) => ServerTransactionDelegate<Req> = () => ({}),
  overrides: Partial<ServerTransactionDriverOptions<Req, Res>> = {},
) {
  let now = 0;
  const sent: Array<{ at: number; status: number; label: string | undefined }> = [];
  const events: Array<{ at: number; what: string }> = [];
  const errors: unknown[] = [];
  let tryingBuilt = 0;
  const holder: { tx?: ServerTransactionDriver<Req, Res> } = {};
  const tx = new ServerTransactionDriver<Req, Res>({
    method,
    request: { method },
    transaction,
    transmit: (response) => void sent.push({ at: now, status: response.status, label: response.label }),
    statusOf: (response) => response.status,
    buildTrying: () => ({ status: 100, label: `trying#${++tryingBuilt}` }),
    delegate: {
      onRequest: (request) => {
        events.push({ at: now, what: `request:${request.method}` });
        const custom = holder.tx === undefined ? undefined : delegate(holder.tx).onRequest;
        custom?.(request);
      },
      onAck: (ack) => events.push({ at: now, what: `ack:${ack.n ?? ''}` }),
      onTimeout: () => events.push({ at: now, what: 'timeout' }),
      onTransportError: () => events.push({ at: now, what: 'transportError' }),
      onTerminated: () => events.push({ at: now, what: 'terminated' }),
      onError: (error) => errors.push(error),
    },
    ...overrides,
  });
  holder.tx = tx;
  return {
    tx,
    sent,
    events,
    errors,
    tryingBuilt: () => tryingBuilt,
    tick(ms: number) {
      if (ms === 0) mock.timers.tick(0);
      for (let left = ms; left > 0; left -= Math.min(left, 100)) {
        const slice = Math.min(left, 100);
        now += slice;
        mock.timers.tick(slice);
      }
    },
    sentStatuses: () => sent.map((s) => s.status),
  };
}

describe('ServerTransactionDriver — INVITE', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('passes the INVITE up, sends 100 (Trying) for a TU silent for 200 ms, and answers retransmissions with the last response', () => {
    const h = harness('INVITE', { reliable: false });
    h.tx.start();
    assert.deepEqual(h.events, [{ at: 0, what: 'request:INVITE' }]);
    h.tick(199);
    assert.deepEqual(h.sent, []);
    h.tick(1);
    assert.deepEqual(h.sent, [{ at: 200, status: 100, label: 'trying#1' }]);
    h.tick(300);
    h.tx.receiveRequest({ method: 'INVITE' });
    assert.deepEqual(h.sent.at(-1), { at: 500, status: 100, label: 'trying#1' });
    h.tx.respond({ status: 180, label: 'ringing' });
    h.tx.receiveRequest({ method: 'INVITE' });
    assert.deepEqual(h.sent.slice(-2), [
      { at: 500, status: 180, label: 'ringing' },
      { at: 500, status: 180, label: 'ringing' },
    ]);
    assert.equal(h.tryingBuilt(), 1);
    assert.equal(h.events.length, 1, 'retransmissions are not passed to the TU');
  });

  it('a TU that answers from inside onRequest suppresses the 100 (Trying); 2xx → Accepted, ACK goes up, Timer L ends it (RFC 6026 §7.1)', () => {
    const h = harness('INVITE', { reliable: false }, (tx) => ({
      onRequest: () => tx.respond({ status: 200, label: 'ok' }),
    }));
    h.tx.start();
    assert.equal(h.tx.state.name, 'Accepted');
    h.tick(1000);
    h.tx.receiveRequest({ method: 'INVITE' }); // absorbed
    h.tx.respond({ status: 200, label: 'ok-again' }); // the TU retransmits its 2xx
    h.tx.receiveAck({ method: 'ACK', n: 1 });
    h.tx.receiveAck({ method: 'ACK', n: 2 });
    h.tick(31_000);
    assert.deepEqual(h.sent, [
      { at: 0, status: 200, label: 'ok' },
      { at: 1000, status: 200, label: 'ok-again' },
    ]);
    assert.equal(h.tryingBuilt(), 0);
    assert.deepEqual(h.events, [
      { at: 0, what: 'request:INVITE' },
      { at: 1000, what: 'ack:1' },
      { at: 1000, what: 'ack:2' },
      { at: 32_000, what: 'terminated' },
    ]);
  });

  it('a non-2xx final is retransmitted on Timer G (500, 1000, 2000, 4000 …); the ACK moves to Confirmed; Timer I ends it', () => {
    const h = harness('INVITE', { reliable: false });
    h.tx.start();
    h.tx.respond({ status: 486, label: 'busy' });
    h.tick(8000);
    h.tx.receiveAck({ method: 'ACK' });
    assert.equal(h.tx.state.name, 'Confirmed');
    h.tx.receiveAck({ method: 'ACK' });
    h.tick(4999);
    assert.equal(h.tx.isTerminated, false);
    h.tick(1);
    assert.deepEqual(
      h.sent.map((s) => s.at),
      [0, 500, 1500, 3500, 7500],
    );
    assert.ok(h.sent.every((s) => s.label === 'busy'));
    assert.deepEqual(h.events.slice(1), [{ at: 13_000, what: 'terminated' }]);
    assert.equal(h.tx.lastResponse?.label, 'busy');
  });

  it('Timer H: no ACK within 64·T1 is reported to the TU as a timeout', () => {
    const h = harness('INVITE', { reliable: false, T1: 100, T2: 400 });
    h.tx.start();
    h.tx.respond({ status: 500 });
    h.tick(7000);
    assert.deepEqual(
      h.sent.map((s) => s.at),
      [0, 100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100, 3500, 3900, 4300, 4700, 5100, 5500, 5900, 6300],
    );
    assert.deepEqual(h.events.slice(1), [
      { at: 6400, what: 'timeout' },
      { at: 6400, what: 'terminated' },
    ]);
  });

  it('over TCP: no Timer G, Timer I is zero', () => {
    const h = harness('INVITE', { reliable: true });
    h.tx.start();
    h.tx.respond({ status: 603 });
    h.tick(10_000);
    h.tx.receiveAck({ method: 'ACK' });
    h.tick(0);
    assert.deepEqual(h.sentStatuses(), [603]);
    assert.equal(h.tx.isTerminated, true);
  });

  it('respond() with an illegal response throws StateTransitionError synchronously and changes nothing', () => {
    const h = harness('INVITE', { reliable: false });
    h.tx.start();
    h.tx.respond({ status: 404 });
    assert.throws(
      () => h.tx.respond({ status: 200 }),
      (error: unknown) => error instanceof StateTransitionError && error.from === 'Completed',
    );
    assert.equal(h.tx.state.name, 'Completed');
    assert.deepEqual(h.sentStatuses(), [404]);
  });

  it('an illegal respond() queued from inside a callback goes to onError instead', () => {
    const h = harness('INVITE', { reliable: false }, (tx) => ({
      onRequest: () => {
        tx.respond({ status: 486 });
        tx.respond({ status: 487 });
      },
    }));
    h.tx.start();
    assert.deepEqual(h.sentStatuses(), [486]);
    assert.equal(h.errors.length, 1);
    assert.ok(h.errors[0] instanceof StateTransitionError);
  });

  it('respond() after termination throws TransactionTerminatedError; network input after it is ignored', () => {
    const h = harness('INVITE', { reliable: true });
    h.tx.start();
    h.tx.respond({ status: 486 });
    h.tx.receiveAck({ method: 'ACK' });
    h.tick(0);
    assert.throws(() => h.tx.respond({ status: 200 }), TransactionTerminatedError);
    h.tx.receiveRequest({ method: 'INVITE' });
    h.tx.receiveAck({ method: 'ACK' });
    h.tx.transportError();
    assert.deepEqual(h.sentStatuses(), [486]);
    assert.equal(h.events.filter((e) => e.what === 'terminated').length, 1);
  });

  it('a transport failure informs the TU but keeps the transaction (RFC 6026 Figure 7)', () => {
    let fail = true;
    const h = harness('INVITE', { reliable: false }, undefined, {
      transmit: () => {
        if (fail) throw new Error('ENOBUFS');
      },
    });
    h.tx.start();
    h.tx.respond({ status: 480 });
    assert.equal(h.tx.state.name, 'Completed');
    assert.deepEqual(
      h.events.map((e) => e.what),
      ['request:INVITE', 'transportError'],
    );
    fail = false;
    h.tx.receiveAck({ method: 'ACK' });
    assert.equal(h.tx.state.name, 'Confirmed');
  });

  it('needs buildTrying for INVITE, and refuses ACK as a server transaction', () => {
    const base = { request: { method: 'INVITE' }, transmit: () => undefined, statusOf: (r: Res) => r.status };
    assert.throws(
      () =>
        new ServerTransactionDriver<Req, Res>({
          ...base,
          method: 'INVITE',
          transaction: { reliable: false },
        }),
      (error: unknown) => error instanceof TransactionOptionsError && error.option === 'buildTrying',
    );
    assert.throws(
      () =>
        new ServerTransactionDriver<Req, Res>({ ...base, method: 'ACK', transaction: { reliable: false } }),
      (error: unknown) => error instanceof TransactionOptionsError && error.option === 'method',
    );
  });
});

describe('ServerTransactionDriver — non-INVITE', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('sends no 100 (Trying) of its own, discards retransmissions in Trying, resends the final in Completed, Timer J ends it', () => {
    const h = harness('OPTIONS', { reliable: false });
    assert.equal(h.tx.kind, 'nonInviteServer');
    h.tx.start();
    h.tick(1000);
    h.tx.receiveRequest({ method: 'OPTIONS' });
    assert.deepEqual(h.sent, []);
    h.tx.respond({ status: 200, label: 'ok' });
    h.tick(500);
    h.tx.receiveRequest({ method: 'OPTIONS' });
    h.tx.respond({ status: 500 }); // discarded (§17.2.2)
    h.tick(31_499);
    assert.equal(h.tx.isTerminated, false);
    h.tick(1);
    assert.deepEqual(h.sent, [
      { at: 1000, status: 200, label: 'ok' },
      { at: 1500, status: 200, label: 'ok' },
    ]);
    assert.deepEqual(h.events, [
      { at: 0, what: 'request:OPTIONS' },
      { at: 33_000, what: 'terminated' },
    ]);
  });

  it('answers synchronously from onRequest; over TCP Timer J is zero', () => {
    const h = harness('BYE', { reliable: true }, (tx) => ({ onRequest: () => tx.respond({ status: 200 }) }));
    h.tx.start();
    assert.deepEqual(h.sentStatuses(), [200]);
    h.tick(0);
    assert.equal(h.tx.isTerminated, true);
  });

  it('resends the last provisional response on a retransmission in Proceeding', () => {
    const h = harness('SUBSCRIBE', { reliable: false });
    h.tx.start();
    h.tx.respond({ status: 100 });
    h.tx.respond({ status: 180 });
    h.tx.receiveRequest({ method: 'SUBSCRIBE' });
    assert.deepEqual(h.sentStatuses(), [100, 180, 180]);
  });

  it('a transport failure on the final response terminates (Figure 8)', () => {
    const h = harness('INFO', { reliable: true }, undefined, {
      transmit: () => Promise.reject(new Error('EPIPE')),
    });
    h.tx.start();
    h.tx.respond({ status: 200 });
    return Promise.resolve().then(() => {
      assert.equal(h.tx.isTerminated, true);
      assert.deepEqual(
        h.events.map((e) => e.what),
        ['request:INFO', 'transportError', 'terminated'],
      );
    });
  });

  it('an ACK cannot match a non-INVITE transaction', () => {
    const h = harness('OPTIONS', { reliable: false });
    h.tx.start();
    assert.throws(() => h.tx.receiveAck({ method: 'ACK' }), StateTransitionError);
  });
});

describe('ServerTransactionDriver — hand-off of a lingering transaction', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  /** A driver whose onHandOff records what it is offered and takes it when `take` says so. */
  function offered(method: string, reliable: boolean, take: boolean) {
    const offers: ServerTransactionHandOff<Res>[] = [];
    const events: string[] = [];
    const sent: number[] = [];
    const tx = new ServerTransactionDriver<Req, Res>({
      method,
      request: { method },
      transaction: { reliable },
      transmit: (response) => void sent.push(response.status),
      statusOf: (response) => response.status,
      buildTrying: () => ({ status: 100 }),
      delegate: {
        onAck: () => events.push('ack'),
        onTerminated: () => events.push('terminated'),
        onHandOff: (handOff) => {
          offers.push(handOff);
          return take;
        },
      },
    });
    return { tx, offers, events, sent };
  }

  it('non-INVITE: the final response moves to Completed and offers Timer J (64·T1) with the final response', () => {
    const h = offered('BYE', false, true);
    h.tx.start();
    assert.equal(h.offers.length, 0, 'nothing to hand over in Trying');
    h.tx.respond({ status: 200, label: 'ok' });
    assert.deepEqual(h.offers, [
      {
        kind: 'nonInviteServer',
        state: 'Completed',
        timer: 'J',
        delayMs: 32_000,
        lastResponse: { status: 200, label: 'ok' },
      },
    ]);
    assert.equal(h.tx.isHandedOff, true);
    assert.deepEqual(h.tx.runningTimers, [], 'Timer J is the new owner’s');
    h.tx.receiveRequest({ method: 'BYE' });
    mock.timers.tick(40_000);
    assert.deepEqual(h.sent, [200], 'a retransmission is no longer the driver’s to answer');
    assert.deepEqual(h.events, [], 'no onTerminated after a hand-off');
  });

  it('INVITE: a 2xx offers Accepted with Timer L; a non-2xx only after its ACK, as Confirmed with Timer I (T4; 0 over TCP)', () => {
    const accepted = offered('INVITE', false, true);
    accepted.tx.start();
    accepted.tx.respond({ status: 200 });
    assert.deepEqual(
      accepted.offers.map(({ state, timer, delayMs }) => ({ state, timer, delayMs })),
      [{ state: 'Accepted', timer: 'L', delayMs: 32_000 }],
    );

    const rejected = offered('INVITE', false, true);
    rejected.tx.start();
    rejected.tx.respond({ status: 486 });
    assert.equal(rejected.offers.length, 0, 'Completed still retransmits on Timer G');
    mock.timers.tick(500);
    assert.deepEqual(rejected.sent, [486, 486]);
    rejected.tx.receiveAck({ method: 'ACK' });
    assert.deepEqual(
      rejected.offers.map(({ state, timer, delayMs }) => ({ state, timer, delayMs })),
      [{ state: 'Confirmed', timer: 'I', delayMs: 5_000 }],
    );
    assert.deepEqual(rejected.tx.runningTimers, []);

    const overTcp = offered('INVITE', true, true);
    overTcp.tx.start();
    overTcp.tx.respond({ status: 603 });
    overTcp.tx.receiveAck({ method: 'ACK' });
    assert.deepEqual(
      overTcp.offers.map(({ state, delayMs }) => ({ state, delayMs })),
      [{ state: 'Confirmed', delayMs: 0 }],
    );
  });

  it('a refused hand-off leaves the driver running the state itself', () => {
    const h = offered('OPTIONS', false, false);
    h.tx.start();
    h.tx.respond({ status: 200 });
    assert.equal(h.offers.length, 1);
    assert.equal(h.tx.isHandedOff, false);
    h.tx.receiveRequest({ method: 'OPTIONS' });
    assert.deepEqual(h.sent, [200, 200]);
    mock.timers.tick(32_000);
    assert.deepEqual(h.events, ['terminated']);
    assert.equal(h.offers.length, 1, 'offered once, when the state was entered');
  });

  it('a failure to send the final response after the hand-off is not the driver’s any more', async () => {
    const offers: string[] = [];
    const events: string[] = [];
    const tx = new ServerTransactionDriver<Req, Res>({
      method: 'INFO',
      request: { method: 'INFO' },
      transaction: { reliable: false },
      transmit: () => Promise.reject(new Error('EHOSTUNREACH')),
      statusOf: (response) => response.status,
      delegate: {
        onTransportError: () => events.push('transportError'),
        onTerminated: () => events.push('terminated'),
        onHandOff: (handOff) => offers.push(handOff.state) > 0,
      },
    });
    tx.start();
    tx.respond({ status: 200 });
    await Promise.resolve();
    await Promise.resolve();
    assert.deepEqual(offers, ['Completed']);
    assert.deepEqual(events, []);
  });
});

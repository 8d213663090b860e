import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClientTransactionDriver,
  TransactionEventError,
  TransactionOptionsError,
  type ClientTransactionDriverOptions,
  type ClientTransactionHandOff,
  type TransactionOptions,
} from '../../src/transactions/index.js';

interface Req {
  readonly method: string;
  readonly ack?: number;
}
interface Res {
  readonly status: number;
  readonly synthetic?: boolean;
}

/** A client transaction on mock timers, recording what it sends and reports, stamped with virtual time. */
function harness(
  method: string,
  transaction: TransactionOptions,
  overrides: Partial<ClientTransactionDriverOptions<Req, Res>> = {},
) {
  let now = 0;
  const sent: Array<{ at: number; message: Req }> = [];
  const events: Array<{ at: number; what: string; status?: number }> = [];
  const errors: unknown[] = [];
  let acksBuilt = 0;
  const tx = new ClientTransactionDriver<Req, Res>({
    method,
    request: { method },
    transaction,
    transmit: (message) => void sent.push({ at: now, message }),
    statusOf: (response) => response.status,
    buildAck: () => ({ method: 'ACK', ack: ++acksBuilt }),
    synthesizeResponse: (status) => ({ status, synthetic: true }),
    delegate: {
      onResponse: (response) =>
        events.push({
          at: now,
          what: response.synthetic ? 'synthetic' : 'response',
          status: response.status,
        }),
      onTimeout: () => events.push({ at: now, what: 'timeout' }),
      onTransportError: () => events.push({ at: now, what: 'transportError' }),
      onTerminated: () => events.push({ at: now, what: 'terminated' }),
      onError: (error) => errors.push(error),
    },
    ...overrides,
  });
  return {
    tx,
    sent,
    events,
    errors,
    acksBuilt: () => acksBuilt,
    tick(ms: number) {
      // Step in small slices so `now` is right inside every callback.
      for (let left = ms; left > 0; left -= Math.min(left, 100)) {
        const slice = Math.min(left, 100);
        now += slice;
        mock.timers.tick(slice);
      }
      if (ms === 0) mock.timers.tick(0);
    },
    sentAt: (method: string) => sent.filter((s) => s.message.method === method).map((s) => s.at),
  };
}

describe('ClientTransactionDriver', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('non-INVITE over UDP: retransmits on Timer E (500, 1000, 2000, 4000, 4000 …) and reports the Timer F timeout as a synthetic 408 (§8.1.3.1)', () => {
    const h = harness('OPTIONS', { reliable: false });
    h.tx.start();
    h.tick(32_000);
    assert.deepEqual(
      h.sentAt('OPTIONS'),
      [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500],
    );
    assert.deepEqual(h.events, [
      { at: 32_000, what: 'timeout' },
      { at: 32_000, what: 'synthetic', status: 408 },
      { at: 32_000, what: 'terminated' },
    ]);
    assert.equal(h.tx.isTerminated, true);
    assert.deepEqual(h.tx.runningTimers, []);
  });

  it('non-INVITE: a final response is passed up once, retransmissions stop, Timer K (T4) ends the transaction', () => {
    const h = harness('REGISTER', { reliable: false, T4: 2000 });
    h.tx.start();
    h.tick(600);
    h.tx.receiveResponse({ status: 100 });
    h.tick(1000);
    h.tx.receiveResponse({ status: 200 });
    h.tx.receiveResponse({ status: 200 });
    h.tick(1999);
    assert.equal(h.tx.state.name, 'Completed');
    h.tick(1);
    assert.deepEqual(h.sentAt('REGISTER'), [0, 500, 1500]);
    assert.deepEqual(h.events, [
      { at: 600, what: 'response', status: 100 },
      { at: 1600, what: 'response', status: 200 },
      { at: 3600, what: 'terminated' },
    ]);
  });

  it('non-INVITE over TCP: sent once, Timer K is zero', () => {
    const h = harness('BYE', { reliable: true });
    h.tx.start();
    h.tick(1000);
    h.tx.receiveResponse({ status: 200 });
    assert.equal(h.tx.isTerminated, false);
    h.tick(0);
    assert.equal(h.tx.isTerminated, true);
    assert.deepEqual(h.sentAt('BYE'), [0]);
  });

  it('INVITE: a 486 is ACKed by the transaction, the same ACK answers each retransmission, the TU sees the 486 once (§17.1.1.2)', () => {
    const h = harness('INVITE', { reliable: false });
    h.tx.start();
    h.tick(800);
    h.tx.receiveResponse({ status: 180 });
    h.tick(200);
    h.tx.receiveResponse({ status: 486 });
    h.tick(500);
    h.tx.receiveResponse({ status: 486 });
    h.tick(1500);
    h.tx.receiveResponse({ status: 486 });
    assert.equal(h.acksBuilt(), 1);
    assert.deepEqual(h.sentAt('ACK'), [1000, 1500, 3000]);
    assert.ok(h.sent.filter((s) => s.message.method === 'ACK').every((s) => s.message.ack === 1));
    assert.deepEqual(h.sentAt('INVITE'), [0, 500]);
    assert.equal(h.tx.ack?.ack, 1);
    h.tick(32_000);
    assert.deepEqual(h.events, [
      { at: 800, what: 'response', status: 180 },
      { at: 1000, what: 'response', status: 486 },
      { at: 33_000, what: 'terminated' },
    ]);
  });

  it('INVITE: 2xx and its retransmissions go up in Accepted (RFC 6026 §7.2); no ACK; Timer M ends it', () => {
    const h = harness('INVITE', { reliable: true });
    h.tx.start();
    h.tx.receiveResponse({ status: 200 });
    h.tick(4000);
    h.tx.receiveResponse({ status: 200 });
    h.tick(28_000);
    assert.equal(h.acksBuilt(), 0);
    assert.deepEqual(h.sentAt('ACK'), []);
    assert.deepEqual(h.events, [
      { at: 0, what: 'response', status: 200 },
      { at: 4000, what: 'response', status: 200 },
      { at: 32_000, what: 'terminated' },
    ]);
  });

  it('INVITE over UDP: Timer A retransmits at 0.5, 1.5, 3.5 … 31.5 s and Timer B reports a 408 at 32 s', () => {
    const h = harness('INVITE', { reliable: false });
    h.tx.start();
    h.tick(33_000);
    assert.deepEqual(h.sentAt('INVITE'), [0, 500, 1500, 3500, 7500, 15_500, 31_500]);
    assert.deepEqual(
      h.events.map((e) => [e.at, e.what]),
      [
        [32_000, 'timeout'],
        [32_000, 'synthetic'],
        [32_000, 'terminated'],
      ],
    );
  });

  it('a synchronous transmit failure is a transport error: synthetic 503, terminated, no timer left behind', () => {
    const h = harness(
      'INVITE',
      { reliable: false },
      {
        transmit: () => {
          throw new Error('EHOSTUNREACH');
        },
      },
    );
    h.tx.start();
    assert.deepEqual(
      h.events.map((e) => [e.what, e.status]),
      [
        ['transportError', undefined],
        ['synthetic', 503],
        ['terminated', undefined],
      ],
    );
    assert.deepEqual(h.tx.runningTimers, []);
    h.tick(40_000);
    assert.equal(h.events.length, 3);
  });

  it('a rejected transmit promise is a transport error too', async () => {
    const h = harness(
      'MESSAGE',
      { reliable: true },
      { transmit: () => Promise.reject(new Error('ECONNRESET')) },
    );
    h.tx.start();
    assert.equal(h.tx.isTerminated, false);
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(h.tx.isTerminated, true);
    assert.deepEqual(
      h.events.map((e) => e.what),
      ['transportError', 'synthetic', 'terminated'],
    );
  });

  it('without synthesizeResponse the TU gets onTimeout only', () => {
    const h = harness('OPTIONS', { reliable: true }, { synthesizeResponse: undefined });
    h.tx.start();
    h.tick(32_000);
    assert.deepEqual(
      h.events.map((e) => e.what),
      ['timeout', 'terminated'],
    );
  });

  it('responses after termination are ignored; a transport error reported from outside terminates', () => {
    const h = harness('OPTIONS', { reliable: false });
    h.tx.start();
    h.tx.transportError();
    h.tx.receiveResponse({ status: 200 });
    h.tx.transportError();
    assert.deepEqual(
      h.events.map((e) => e.what),
      ['transportError', 'synthetic', 'terminated'],
    );
  });

  it('a TU callback that throws is reported to onError and the transaction carries on', () => {
    const h = harness('INVITE', { reliable: false });
    const boom = new Error('TU bug');
    const tx = new ClientTransactionDriver<Req, Res>({
      method: 'INVITE',
      request: { method: 'INVITE' },
      transaction: { reliable: false },
      transmit: (message) => void h.sent.push({ at: 0, message }),
      statusOf: (r) => r.status,
      buildAck: () => ({ method: 'ACK' }),
      delegate: {
        onResponse: () => {
          throw boom;
        },
        onError: (error) => h.errors.push(error),
      },
    });
    tx.start();
    tx.receiveResponse({ status: 404 });
    assert.deepEqual(h.errors, [boom]);
    assert.equal(tx.state.name, 'Completed');
    assert.deepEqual(tx.runningTimers, ['D']);
    assert.deepEqual(
      h.sent.map((s) => s.message.method),
      ['INVITE', 'ACK'],
    );
  });

  it('a status code outside 100-699 throws TransactionEventError to the caller', () => {
    const h = harness('OPTIONS', { reliable: false });
    h.tx.start();
    assert.throws(() => h.tx.receiveResponse({ status: 1200 }), TransactionEventError);
    assert.equal(h.tx.state.name, 'Trying');
  });

  it('refuses ACK as a client transaction, an INVITE without buildAck, and bad timer options', () => {
    const base = { request: { method: 'X' }, transmit: () => undefined, statusOf: (r: Res) => r.status };
    assert.throws(
      () =>
        new ClientTransactionDriver<Req, Res>({ ...base, method: 'ACK', transaction: { reliable: false } }),
      (error: unknown) => error instanceof TransactionOptionsError && error.option === 'method',
    );
    assert.throws(
      () =>
        new ClientTransactionDriver<Req, Res>({
          ...base,
          method: 'INVITE',
          transaction: { reliable: false },
        }),
      (error: unknown) => error instanceof TransactionOptionsError && error.option === 'buildAck',
    );
    assert.throws(
      () =>
        new ClientTransactionDriver<Req, Res>({
          ...base,
          method: 'BYE',
          transaction: { reliable: false, T2: 1 },
        }),
      (error: unknown) => error instanceof TransactionOptionsError && error.option === 'T2',
    );
  });

  it('exposes kind, request and a JSON state', () => {
    const h = harness('INVITE', { reliable: false, T1: 200 });
    assert.equal(h.tx.kind, 'inviteClient');
    assert.deepEqual(h.tx.request, { method: 'INVITE' });
    h.tx.start();
    assert.deepEqual(JSON.parse(JSON.stringify(h.tx.state)), h.tx.state);
    assert.deepEqual(h.tx.runningTimers.sort(), ['A', 'B']);
    assert.equal(
      new ClientTransactionDriver<Req, Res>({
        method: 'CANCEL',
        request: { method: 'CANCEL' },
        transaction: { reliable: true },
        transmit: () => undefined,
        statusOf: (r) => r.status,
      }).kind,
      'nonInviteClient',
    );
  });
});

describe('ClientTransactionDriver — hand-off of a lingering transaction', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  /** A driver whose onHandOff records what it is offered and takes it when `take` says so. */
  function offered(method: string, reliable: boolean, take: boolean) {
    const offers: ClientTransactionHandOff<Req>[] = [];
    const events: string[] = [];
    const sent: Req[] = [];
    const tx = new ClientTransactionDriver<Req, Res>({
      method,
      request: { method },
      transaction: { reliable },
      transmit: (message) => void sent.push(message),
      statusOf: (response) => response.status,
      buildAck: () => ({ method: 'ACK', ack: 1 }),
      delegate: {
        onResponse: (response) => events.push(`response:${response.status}`),
        onTerminated: () => events.push('terminated'),
        onHandOff: (handOff) => {
          offers.push(handOff);
          return take;
        },
      },
    });
    return { tx, offers, events, sent };
  }

  it('INVITE: a 2xx is passed up, then Accepted is offered with Timer M (64·T1); the driver then does nothing more', () => {
    const h = offered('INVITE', false, true);
    h.tx.start();
    h.tx.receiveResponse({ status: 180 });
    assert.equal(h.offers.length, 0, 'nothing to hand over in Proceeding');
    h.tx.receiveResponse({ status: 200 });
    assert.deepEqual(h.offers, [
      { kind: 'inviteClient', state: 'Accepted', timer: 'M', delayMs: 32_000, ack: undefined },
    ]);
    assert.deepEqual(h.events, ['response:180', 'response:200'], 'the TU had the 2xx before the hand-off');
    assert.equal(h.tx.isHandedOff, true);
    assert.deepEqual(h.tx.runningTimers, [], 'Timer M is the new owner’s');
    h.tx.receiveResponse({ status: 200 });
    mock.timers.tick(40_000);
    assert.deepEqual(h.events, ['response:180', 'response:200'], 'no later 2xx, no onTerminated');
    assert.deepEqual(h.sent, [{ method: 'INVITE' }], 'no retransmission of the INVITE either');
  });

  it('INVITE: a non-2xx is ACKed, then Completed is offered with Timer D and that ACK (32 s; 0 over TCP)', () => {
    const h = offered('INVITE', false, true);
    h.tx.start();
    h.tx.receiveResponse({ status: 486 });
    assert.deepEqual(h.offers, [
      {
        kind: 'inviteClient',
        state: 'Completed',
        timer: 'D',
        delayMs: 32_000,
        ack: { method: 'ACK', ack: 1 },
      },
    ]);
    assert.deepEqual(h.sent, [{ method: 'INVITE' }, { method: 'ACK', ack: 1 }]);
    h.tx.receiveResponse({ status: 486 });
    assert.equal(h.sent.length, 2, 'the retransmission is the new owner’s to ACK');

    const tcp = offered('INVITE', true, true);
    tcp.tx.start();
    tcp.tx.receiveResponse({ status: 603 });
    assert.equal(tcp.offers[0]?.delayMs, 0);
  });

  it('non-INVITE: a final response offers Completed with Timer K (T4; 0 over TCP)', () => {
    const h = offered('BYE', false, true);
    h.tx.start();
    h.tx.receiveResponse({ status: 200 });
    assert.deepEqual(h.offers, [
      { kind: 'nonInviteClient', state: 'Completed', timer: 'K', delayMs: 5_000, ack: undefined },
    ]);
    mock.timers.tick(70_000);
    assert.deepEqual(h.sent, [{ method: 'BYE' }], 'Timer E was stopped by the final response');
    assert.deepEqual(h.events, ['response:200']);

    const tcp = offered('OPTIONS', true, true);
    tcp.tx.start();
    tcp.tx.receiveResponse({ status: 404 });
    assert.equal(tcp.offers[0]?.delayMs, 0);
  });

  it('an offer declined leaves the driver running the state to its end', () => {
    const h = offered('INVITE', false, false);
    h.tx.start();
    h.tx.receiveResponse({ status: 200 });
    assert.equal(h.offers.length, 1);
    assert.equal(h.tx.isHandedOff, false);
    h.tx.receiveResponse({ status: 200 });
    assert.deepEqual(h.events, ['response:200', 'response:200'], 'RFC 6026 §7.2: every 2xx goes up');
    mock.timers.tick(32_000);
    assert.deepEqual(h.events, ['response:200', 'response:200', 'terminated']);
    assert.equal(h.offers.length, 1, 'offered once, on entering the state');
  });

  it('a timeout or transport error ends the transaction without an offer', () => {
    const h = offered('OPTIONS', false, true);
    h.tx.start();
    mock.timers.tick(32_000);
    assert.deepEqual(h.offers, []);
    assert.deepEqual(h.events, ['terminated']);
  });

  it('an onHandOff that throws is reported and the driver keeps the transaction', () => {
    const errors: unknown[] = [];
    const tx = new ClientTransactionDriver<Req, Res>({
      method: 'BYE',
      request: { method: 'BYE' },
      transaction: { reliable: false },
      transmit: () => undefined,
      statusOf: (response) => response.status,
      delegate: {
        onHandOff: () => {
          throw new Error('boom');
        },
        onError: (error) => errors.push(error),
      },
    });
    tx.start();
    tx.receiveResponse({ status: 200 });
    assert.equal(errors.length, 1);
    assert.equal(tx.isHandedOff, false);
    assert.deepEqual(tx.runningTimers, ['K']);
  });
});

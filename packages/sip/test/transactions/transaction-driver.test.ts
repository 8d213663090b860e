import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import {
  ClientTransactionDriver,
  ServerTransactionDriver,
  type TransactionLogger,
  type TransactionTimers,
} from '../../src/transactions/index.js';

/** An injected clock: records every call; `leaky` ignores clearTimeout, to prove stale callbacks are dropped. */
class FakeTimers implements TransactionTimers {
  now = 0;
  readonly calls: string[] = [];
  readonly #pending = new Map<number, { at: number; callback: () => void }>();
  #seq = 0;

  constructor(private readonly leaky = false) {}

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = ++this.#seq;
    this.#pending.set(id, { at: this.now + delayMs, callback });
    this.calls.push(`set#${id}:${delayMs}`);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.calls.push(`clear#${String(handle)}`);
    if (!this.leaky) this.#pending.delete(handle as number);
  }

  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#pending)
        if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.#pending.delete(next[0]);
      this.now = next[1].at;
      next[1].callback();
    }
    this.now = until;
  }
}

interface Msg {
  readonly status: number;
}

function inviteClient(timers: TransactionTimers, extra: { logger?: TransactionLogger; id?: string } = {}) {
  const sent: string[] = [];
  const tx = new ClientTransactionDriver<string, Msg>({
    method: 'INVITE',
    request: 'INVITE',
    transaction: { reliable: false },
    timers,
    transmit: (message) => void sent.push(message),
    statusOf: (response) => response.status,
    buildAck: () => 'ACK',
    ...extra,
  });
  return { tx, sent };
}

class RecordingLogger implements TransactionLogger {
  readonly bindings: Array<Record<string, unknown>> = [];
  readonly debugs: Array<{ obj: object; msg: string }> = [];
  readonly errors: Array<{ obj: object; msg: string }> = [];
  child(bindings: Record<string, unknown>): TransactionLogger {
    this.bindings.push(bindings);
    return this;
  }
  debug(obj: object, msg: string): void {
    this.debugs.push({ obj, msg });
  }
  error(obj: object, msg: string): void {
    this.errors.push({ obj, msg });
  }
}

describe('TransactionDriver (through the client and server drivers)', () => {
  it("schedules exactly the machine's timers on the injected clock and clears them when cancelled", () => {
    const timers = new FakeTimers();
    const { tx, sent } = inviteClient(timers);
    tx.start();
    assert.deepEqual(timers.calls, ['set#1:500', 'set#2:32000']);
    timers.advance(500);
    assert.deepEqual(timers.calls.slice(2), ['set#3:1000']);
    tx.receiveResponse({ status: 180 });
    assert.deepEqual(timers.calls.slice(3), ['clear#3', 'clear#2']);
    timers.advance(60_000);
    assert.deepEqual(sent, ['INVITE', 'INVITE']);
    assert.deepEqual(tx.runningTimers, []);
  });

  it('drops the callback of a timer it has cancelled, even if the clock fires it anyway', () => {
    const timers = new FakeTimers(true);
    const { tx, sent } = inviteClient(timers);
    tx.start();
    tx.receiveResponse({ status: 183 });
    timers.advance(60_000);
    assert.deepEqual(sent, ['INVITE']);
    assert.equal(tx.state.name, 'Proceeding');
  });

  it('clears every running timer on termination', () => {
    const timers = new FakeTimers();
    const { tx } = inviteClient(timers);
    tx.start();
    tx.transportError();
    assert.deepEqual(timers.calls, ['set#1:500', 'set#2:32000', 'clear#1', 'clear#2']);
    assert.equal(tx.isTerminated, true);
  });

  it('logs each state change once at debug under a child { component: "sip.transaction" }; self-loops are not logged', () => {
    const logger = new RecordingLogger();
    const timers = new FakeTimers();
    const { tx } = inviteClient(timers, { logger, id: 'tx-1' });
    assert.deepEqual(logger.bindings, [{ component: 'sip.transaction', kind: 'inviteClient', txId: 'tx-1' }]);
    tx.start();
    timers.advance(600); // Timer A: Calling → Calling
    tx.receiveResponse({ status: 180 });
    tx.receiveResponse({ status: 180 });
    tx.receiveResponse({ status: 486 });
    timers.advance(32_000);
    assert.deepEqual(
      logger.debugs.filter((d) => d.msg === 'transaction state').map((d) => d.obj),
      [
        { event: 'receivedResponse(180)', from: 'Calling', to: 'Proceeding' },
        { event: 'receivedResponse(486)', from: 'Proceeding', to: 'Completed' },
        { event: 'timer:D', from: 'Completed', to: 'Terminated' },
      ],
    );
  });

  it('a pino logger fits TransactionLogger and receives the transition records', () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger: TransactionLogger = pino({ level: 'debug' }, sink);
    const tx = new ServerTransactionDriver<string, Msg>({
      method: 'OPTIONS',
      request: 'OPTIONS',
      transaction: { reliable: true },
      timers: new FakeTimers(),
      transmit: () => undefined,
      statusOf: (response) => response.status,
      logger,
      id: 'k1',
    });
    tx.start();
    tx.respond({ status: 200 });
    const record = lines.find((line) => line['msg'] === 'transaction state');
    assert.ok(record, 'a transition line was written');
    assert.equal(record['component'], 'sip.transaction');
    assert.equal(record['kind'], 'nonInviteServer');
    assert.equal(record['txId'], 'k1');
    assert.equal(record['from'], 'Trying');
    assert.equal(record['to'], 'Completed');
  });

  it('without onError, a TU callback error is logged at error level and the transaction goes on', () => {
    const logger = new RecordingLogger();
    const tx = new ServerTransactionDriver<string, Msg>({
      method: 'MESSAGE',
      request: 'MESSAGE',
      transaction: { reliable: false },
      timers: new FakeTimers(),
      transmit: () => undefined,
      statusOf: (response) => response.status,
      logger,
      delegate: {
        onRequest: () => {
          throw new Error('handler bug');
        },
      },
    });
    tx.start();
    assert.equal(logger.errors.length, 1);
    assert.equal(logger.errors[0]?.msg, 'transaction error');
    tx.respond({ status: 202 });
    assert.equal(tx.state.name, 'Completed');
  });
});

describe('TransactionDriver: timers go on the clock once a dispatch is done', () => {
  function inviteServer(timers: FakeTimers, respondInside: boolean) {
    const sent: number[] = [];
    const holder: { tx?: ServerTransactionDriver<string, Msg> } = {};
    const tx = new ServerTransactionDriver<string, Msg>({
      method: 'INVITE',
      request: 'INVITE',
      transaction: { reliable: false },
      timers,
      transmit: (message) => void sent.push(message.status),
      statusOf: (response) => response.status,
      buildTrying: () => ({ status: 100 }),
      delegate: { onRequest: () => (respondInside ? holder.tx?.respond({ status: 180 }) : undefined) },
    });
    holder.tx = tx;
    return { tx, sent };
  }

  it('a timer started and stopped within one dispatch (the TU answers from onRequest) never reaches the clock', () => {
    const timers = new FakeTimers();
    const { tx, sent } = inviteServer(timers, true);
    tx.start();
    assert.deepEqual(sent, [180]);
    assert.deepEqual(timers.calls, [], 'no 100 (Trying) timer set and cleared');
    assert.deepEqual(tx.runningTimers, []);
  });

  it('held timers go on the clock at releaseTimers(), measured from then; nested holds wait for the outermost', () => {
    const timers = new FakeTimers();
    const { tx, sent } = inviteServer(timers, false);
    tx.holdTimers();
    tx.holdTimers();
    tx.start();
    assert.deepEqual(tx.runningTimers, ['Trying100']);
    tx.releaseTimers();
    assert.deepEqual(timers.calls, [], 'still held');
    tx.releaseTimers();
    assert.deepEqual(timers.calls, ['set#1:200']);
    timers.advance(200);
    assert.deepEqual(sent, [100]);

    const clock = new FakeTimers();
    const early = inviteServer(clock, false);
    early.tx.holdTimers();
    early.tx.start();
    early.tx.respond({ status: 486 }); // Timer G and H start, Trying100 stops: all while held
    early.tx.releaseTimers();
    assert.deepEqual(clock.calls, ['set#1:500', 'set#2:32000']);
    assert.deepEqual(early.sent, [486]);
  });
});

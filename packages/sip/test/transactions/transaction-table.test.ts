import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  ServerTransactionDriver,
  DuplicateTransactionError,
  TransactionKindMismatchError,
  TransactionNotFoundError,
  TransactionTable,
  clientTransactionKey,
  serverAckKey,
  serverTransactionKey,
  type ServerKeyInput,
  type TransactionKind,
} from '../../src/transactions/index.js';

interface FakeTransaction {
  readonly kind: TransactionKind;
  readonly label: string;
}

const tx = (kind: TransactionKind, label: string): FakeTransaction => ({ kind, label });

const inviteIn: ServerKeyInput = { method: 'INVITE', branch: 'z9hG4bKsrv1', sentBy: { host: '192.0.2.4' } };
const legacyInvite: ServerKeyInput = {
  method: 'INVITE',
  sentBy: { host: 'old.example.com' },
  requestUri: 'sip:bob@example.com',
  callId: 'legacy-1',
  cseqSeq: 1,
};

describe('TransactionTable', () => {
  it('finds a client transaction by the response that matches it (§17.1.3) and not by the CANCEL response', () => {
    const table = new TransactionTable<FakeTransaction>();
    const invite = tx('inviteClient', 'invite');
    table.addClient(clientTransactionKey({ branch: 'z9hG4bKc1', cseqMethod: 'INVITE' }), invite);
    assert.equal(table.findClient({ branch: 'z9hG4bKc1', cseqMethod: 'INVITE' }), invite);
    assert.equal(table.findClient({ branch: 'z9hG4bKc1', cseqMethod: 'CANCEL' }), undefined);
    const cancel = tx('nonInviteClient', 'cancel');
    table.addClient(clientTransactionKey({ branch: 'z9hG4bKc1', cseqMethod: 'CANCEL' }), cancel);
    assert.equal(table.findClient({ branch: 'z9hG4bKc1', cseqMethod: 'CANCEL' }), cancel);
  });

  it('finds the INVITE server transaction by its retransmission and by its ACK, and CANCEL separately (§17.2.3)', () => {
    const table = new TransactionTable<FakeTransaction>();
    const invite = tx('inviteServer', 'invite');
    table.addServer(serverTransactionKey(inviteIn), invite);
    assert.equal(table.findServer(inviteIn), invite);
    assert.equal(table.findServer({ ...inviteIn, method: 'ACK' }), invite);
    assert.equal(table.findServer({ ...inviteIn, method: 'CANCEL' }), undefined);
    assert.equal(table.findServer({ ...inviteIn, sentBy: { host: '192.0.2.5' } }), undefined);
  });

  it('deleteServerIf removes a server transaction only while it is the one filed under the key', () => {
    const table = new TransactionTable<FakeTransaction>();
    const key = serverTransactionKey(inviteIn);
    const machine = tx('inviteServer', 'machine');
    const lingering = tx('inviteServer', 'lingering');
    table.addServer(key, machine);
    table.replaceServer(key, lingering);
    assert.equal(table.deleteServerIf(key, machine), false, 'the machine was replaced');
    assert.equal(table.findServer(inviteIn), lingering);
    assert.equal(table.deleteServerIf(key, lingering), true);
    assert.equal(table.findServer(inviteIn), undefined);
    assert.deepEqual(table.stats(), { live: 0, added: 1, removed: 1, peak: 1 });
    // With its RFC 2543 aliases.
    const legacyKey = serverTransactionKey(legacyInvite);
    const legacy = tx('inviteServer', 'legacy');
    table.addServer(legacyKey, legacy);
    table.aliasServer(legacyKey, serverAckKey(legacyInvite, 'tt9'));
    assert.equal(table.deleteServerIf(legacyKey, legacy), true);
    assert.equal(table.getServer(serverAckKey(legacyInvite, 'tt9')), undefined);
  });

  it('an RFC 2543 INVITE is found by its ACK through the alias under the response To tag', () => {
    const table = new TransactionTable<FakeTransaction>();
    const invite = tx('inviteServer', 'legacy');
    const key = serverTransactionKey(legacyInvite);
    table.addServer(key, invite);
    const ack: ServerKeyInput = { ...legacyInvite, method: 'ACK', cseqMethod: 'ACK', toTag: 'tt1' };
    assert.equal(table.findServer(ack), undefined);
    table.aliasServer(key, serverAckKey(legacyInvite, 'tt1'));
    assert.equal(table.findServer(ack), invite);
    assert.equal(table.requireServer(serverAckKey(legacyInvite, 'tt1')), invite);
    // Aliasing twice, or to the key itself, is harmless.
    table.aliasServer(key, serverAckKey(legacyInvite, 'tt1'));
    table.aliasServer(key, key);
    assert.equal(table.size, 1);
    // Deleting by the alias removes the transaction and every alias.
    assert.equal(table.deleteServer(serverAckKey(legacyInvite, 'tt1')), true);
    assert.equal(table.findServer(ack), undefined);
    assert.equal(table.findServer(legacyInvite), undefined);
    assert.equal(table.size, 0);
    // The freed keys can be reused.
    table.addServer(serverAckKey(legacyInvite, 'tt1'), tx('inviteServer', 'other'));
  });

  it('refuses a second transaction under the same key', () => {
    const table = new TransactionTable<FakeTransaction>();
    const key = serverTransactionKey(inviteIn);
    table.addServer(key, tx('inviteServer', 'a'));
    assert.throws(
      () => table.addServer(key, tx('inviteServer', 'b')),
      (error: unknown) => error instanceof DuplicateTransactionError && error.key === key,
    );
    const ckey = clientTransactionKey({ branch: 'z9hG4bKx', cseqMethod: 'BYE' });
    table.addClient(ckey, tx('nonInviteClient', 'c'));
    assert.throws(() => table.addClient(ckey, tx('nonInviteClient', 'd')), DuplicateTransactionError);
  });

  it('refuses an alias that belongs to another transaction, or for an unknown key', () => {
    const table = new TransactionTable<FakeTransaction>();
    const a = serverTransactionKey(inviteIn);
    const b = serverTransactionKey({ ...inviteIn, branch: 'z9hG4bKsrv2' });
    table.addServer(a, tx('inviteServer', 'a'));
    table.addServer(b, tx('inviteServer', 'b'));
    assert.throws(() => table.aliasServer(a, b), DuplicateTransactionError);
    const alias = serverAckKey(legacyInvite, 'x');
    table.aliasServer(a, alias);
    assert.throws(() => table.aliasServer(b, alias), DuplicateTransactionError);
    assert.throws(() => table.addServer(alias, tx('inviteServer', 'c')), DuplicateTransactionError);
    assert.throws(
      () => table.aliasServer(serverTransactionKey(legacyInvite), alias),
      TransactionNotFoundError,
    );
  });

  it('files client transactions only under client keys and server ones only under server keys', () => {
    const table = new TransactionTable<FakeTransaction>();
    assert.throws(
      () =>
        table.addClient(
          clientTransactionKey({ branch: 'z9hG4bKk', cseqMethod: 'INVITE' }),
          tx('inviteServer', 'x'),
        ),
      TransactionKindMismatchError,
    );
    assert.throws(
      () => table.addServer(serverTransactionKey(inviteIn), tx('nonInviteClient', 'y')),
      TransactionKindMismatchError,
    );
  });

  it('require* throws TransactionNotFoundError; delete* reports whether something was removed', () => {
    const table = new TransactionTable<FakeTransaction>();
    const key = clientTransactionKey({ branch: 'z9hG4bKq', cseqMethod: 'OPTIONS' });
    assert.throws(() => table.requireClient(key), TransactionNotFoundError);
    assert.throws(() => table.requireServer(serverTransactionKey(inviteIn)), TransactionNotFoundError);
    assert.equal(table.deleteClient(key), false);
    assert.equal(table.deleteServer(serverTransactionKey(inviteIn)), false);
    table.addClient(key, tx('nonInviteClient', 'q'));
    assert.equal(table.requireClient(key).label, 'q');
    assert.equal(table.deleteClient(key), true);
    assert.equal(table.getClient(key), undefined);
  });

  it('counts live transactions per machine and keeps lifetime figures', () => {
    const table = new TransactionTable<FakeTransaction>();
    const keys = [1, 2, 3].map((n) => clientTransactionKey({ branch: `z9hG4bK${n}`, cseqMethod: 'INVITE' }));
    keys.forEach((key, n) => table.addClient(key, tx('inviteClient', String(n))));
    table.addClient(
      clientTransactionKey({ branch: 'z9hG4bK9', cseqMethod: 'BYE' }),
      tx('nonInviteClient', 'bye'),
    );
    table.addServer(serverTransactionKey(inviteIn), tx('inviteServer', 'inv'));
    table.addServer(serverTransactionKey({ ...inviteIn, method: 'CANCEL' }), tx('nonInviteServer', 'cancel'));
    assert.deepEqual(table.counts(), {
      inviteClient: 3,
      nonInviteClient: 1,
      inviteServer: 1,
      nonInviteServer: 1,
      total: 6,
    });
    table.deleteClient(keys[0]!);
    table.deleteClient(keys[1]!);
    table.deleteServer(serverTransactionKey(inviteIn));
    assert.deepEqual(table.counts(), {
      inviteClient: 1,
      nonInviteClient: 1,
      inviteServer: 0,
      nonInviteServer: 1,
      total: 3,
    });
    assert.deepEqual(table.stats(), { live: 3, added: 6, removed: 3, peak: 6 });
    assert.deepEqual(
      [...table.clients()].map(([, t]) => t.label),
      ['2', 'bye'],
    );
    assert.deepEqual(
      [...table.servers()].map(([, t]) => t.label),
      ['cancel'],
    );
  });

  it('holds real drivers, and a driver leaves the table from its onTerminated callback', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const table = new TransactionTable<ServerTransactionDriver<string, number>>();
      const key = serverTransactionKey({ ...inviteIn, method: 'OPTIONS' });
      const driver = new ServerTransactionDriver<string, number>({
        method: 'OPTIONS',
        request: 'OPTIONS',
        transaction: { reliable: true },
        transmit: () => undefined,
        statusOf: (status) => status,
        delegate: { onTerminated: () => void table.deleteServer(key) },
      });
      table.addServer(key, driver);
      driver.start();
      assert.equal(table.findServer({ ...inviteIn, method: 'OPTIONS' }), driver);
      assert.deepEqual(table.counts().nonInviteServer, 1);
      driver.respond(200);
      mock.timers.tick(0); // Timer J = 0 on a reliable transport
      assert.equal(driver.isTerminated, true);
      assert.equal(table.size, 0);
      assert.deepEqual(table.stats(), { live: 0, added: 1, removed: 1, peak: 1 });
    } finally {
      mock.timers.reset();
    }
  });
});

describe('TransactionTable.replaceServer', () => {
  it('files a lighter form of the same server transaction under its key, keeping aliases and figures', () => {
    const table = new TransactionTable<FakeTransaction>();
    const key = serverTransactionKey(legacyInvite);
    table.addServer(key, tx('inviteServer', 'driver'));
    const alias = serverAckKey(legacyInvite, 'tt1');
    table.aliasServer(key, alias);
    const before = table.stats();
    const record = tx('inviteServer', 'record');
    table.replaceServer(key, record);
    assert.equal(table.getServer(key), record);
    assert.equal(table.getServer(alias), record);
    assert.deepEqual(table.stats(), before);
    assert.equal(table.counts().inviteServer, 1);
    assert.throws(() => table.replaceServer(key, tx('nonInviteServer', 'x')), TransactionKindMismatchError);
    assert.throws(
      () => table.replaceServer(serverTransactionKey(inviteIn), tx('inviteServer', 'y')),
      TransactionNotFoundError,
    );
  });
});

describe('TransactionTable.replaceClient', () => {
  it('files a lighter form of the same client transaction under its key, keeping the figures', () => {
    const table = new TransactionTable<FakeTransaction>();
    const key = clientTransactionKey({ branch: 'z9hG4bKc9', cseqMethod: 'INVITE' });
    table.addClient(key, tx('inviteClient', 'driver'));
    const before = table.stats();
    const record = tx('inviteClient', 'record');
    table.replaceClient(key, record);
    assert.equal(table.findClient({ branch: 'z9hG4bKc9', cseqMethod: 'INVITE' }), record);
    assert.deepEqual(table.stats(), before);
    assert.equal(table.counts().inviteClient, 1);
    assert.throws(() => table.replaceClient(key, tx('nonInviteClient', 'x')), TransactionKindMismatchError);
    assert.throws(
      () =>
        table.replaceClient(
          clientTransactionKey({ branch: 'z9hG4bKc9', cseqMethod: 'BYE' }),
          tx('nonInviteClient', 'y'),
        ),
      TransactionNotFoundError,
    );
    assert.equal(table.deleteClient(key), true);
    assert.equal(table.counts().inviteClient, 0);
  });
});
